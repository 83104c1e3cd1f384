package backend_test

import (
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// runMatMul32 evaluates MatMul on float32 matrices a (ar×ac) and b (br×bc).
func runMatMul32(t *testing.T, a, b []float32, ar, ac, br, bc int, ta, tb bool) []float32 {
	t.Helper()
	g := G.NewGraph()
	an := G.NewMatrix(g, tensor.Float32, G.WithShape(ar, ac), G.WithName("a"),
		G.WithValue(tensor.New(tensor.WithShape(ar, ac), tensor.WithBacking(a))))
	bn := G.NewMatrix(g, tensor.Float32, G.WithShape(br, bc), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(br, bc), tensor.WithBacking(b))))
	out, err := backend.MatMul(an, bn, ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), out.Value().Data().([]float32)...)
}

// TestMatMulFloat32 checks the float32 path (package gemm's kernels) on
// shapes that are not multiples of any tile, for every transpose.
func TestMatMulFloat32(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const m, n, k = 37, 41, 75
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		ar, ac, br, bc := m, k, k, n
		if tr[0] {
			ar, ac = k, m
		}
		if tr[1] {
			br, bc = n, k
		}
		a, b := make([]float32, ar*ac), make([]float32, br*bc)
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rng.NormFloat64())
		}
		got := runMatMul32(t, a, b, ar, ac, br, bc, tr[0], tr[1])
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var want float64
				for l := 0; l < k; l++ {
					ia, ib := i*ac+l, l*bc+j
					if tr[0] {
						ia = l*ac + i
					}
					if tr[1] {
						ib = j*bc + l
					}
					x, y := a[ia], b[ib]
					want += float64(x) * float64(y)
				}
				if d := math.Abs(float64(got[i*n+j]) - want); d > 1e-4 {
					t.Fatalf("transposes %v: C[%d,%d] = %v, want %v", tr, i, j, got[i*n+j], want)
				}
			}
		}
	}
}

// countingBLAS is a registered BLAS: gonum's, counting Sgemm calls.
type countingBLAS struct {
	gonum.Implementation
	calls *int
}

func (c countingBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
	*c.calls++
	c.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

// TestMatMulUsesRegisteredBLAS checks that a BLAS registered with
// blas32.Use is called instead of gokeras's own GEMM.
func TestMatMulUsesRegisteredBLAS(t *testing.T) {
	calls := 0
	blas32.Use(countingBLAS{calls: &calls})
	defer blas32.Use(gonum.Implementation{})
	got := runMatMul32(t, []float32{1, 2, 3, 4, 5, 6}, []float32{7, 8, 9, 10, 11, 12}, 2, 3, 3, 2, false, false)
	if calls != 1 {
		t.Errorf("registered Sgemm called %d times, want 1", calls)
	}
	want := []float32{58, 64, 139, 154}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("matmul = %v, want %v", got, want)
		}
	}
}
