package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"

	"github.com/gokeras/gokeras/keras/internal/par"
)

// ref computes alpha*op(A)*op(B) + beta*C in float64 with a triple loop.
func ref[T float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (out []float64, bound []float64) {
	out = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for l := 0; l < k; l++ {
				var x, y float64
				if tA {
					x = float64(a[l*lda+i])
				} else {
					x = float64(a[i*lda+l])
				}
				if tB {
					y = float64(b[j*ldb+l])
				} else {
					y = float64(b[l*ldb+j])
				}
				s += x * y
				abs += math.Abs(x * y)
			}
			v := float64(alpha) * s
			bound[i*n+j] = math.Abs(float64(alpha)) * abs
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				bound[i*n+j] += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			out[i*n+j] = v
		}
	}
	return out, bound
}

type gemmCase struct {
	tA, tB           bool
	m, n, k          int
	padA, padB, padC int
	alpha, beta      float64
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d pads=%d,%d,%d alpha=%g beta=%g", tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.padA, tc.padB, tc.padC, tc.alpha, tc.beta)
}

// cases returns the shapes every implementation is checked on: small
// exhaustive sizes, vectors, k = 1, sizes around the tile and block edges,
// and random shapes with padded leading dimensions.
func cases(rng *rand.Rand, short bool) []gemmCase {
	var out []gemmCase
	scalars := [][2]float64{{1, 0}, {1, 1}, {-0.5, 0}, {2.5, -1.5}, {0, 0.5}, {1, 0.5}, {0, 0}}
	add := func(m, n, k int) {
		for _, t := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			s := scalars[rng.Intn(len(scalars))]
			if rng.Intn(3) == 0 {
				s = scalars[0]
			}
			tc := gemmCase{tA: t[0], tB: t[1], m: m, n: n, k: k, alpha: s[0], beta: s[1]}
			if rng.Intn(2) == 0 {
				tc.padA, tc.padB, tc.padC = rng.Intn(5), rng.Intn(5), rng.Intn(5)
			}
			out = append(out, tc)
		}
	}
	for m := 1; m <= 9; m++ {
		for n := 1; n <= 9; n++ {
			add(m, n, 1+rng.Intn(9))
		}
	}
	for _, d := range []int{1, 2, 3, 5, 7, 11, 12, 13, 16, 17, 31, 32, 33, 63, 65} {
		add(1, d, 1+rng.Intn(40))
		add(d, 1, 1+rng.Intn(40))
		add(d, d, 1)
		add(d, 33, d)
	}
	add(32, 128, 784)
	add(784, 128, 32)
	add(32, 10, 128)
	add(130, 70, 300)
	n := 200
	if short {
		n = 40
	}
	for i := 0; i < n; i++ {
		add(1+rng.Intn(70), 1+rng.Intn(70), 1+rng.Intn(70))
	}
	return out
}

// small returns a copy of p with tiny blocks, so that small products
// still cross every kc, mc and nc boundary of the driver.
func small[T float](p *impl[T]) *impl[T] {
	return &impl[T]{name: p.name + "/small-blocks", mr: p.mr, nr: p.nr, kc: 7, mc: 2 * p.mr, nc: 3 * p.nr, kern: p.kern, edge: p.edge, masked: p.masked, parFlops: p.parFlops}
}

// padded returns a copy of p with small blocks and without its edge and
// masked kernels, so the last rows and columns are padded instead.
func padded[T float](p *impl[T]) *impl[T] {
	q := small(p)
	q.name, q.edge, q.masked = p.name+"/padded", nil, nil
	return q
}

// unmasked returns a copy of p with small blocks and without its masked
// kernels: the last columns are padded, the last rows use edge kernels.
func unmasked[T float](p *impl[T]) *impl[T] {
	q := small(p)
	q.name, q.masked = p.name+"/unmasked", nil
	return q
}

// variants returns p as used, with small blocks, and padded when p has
// edge kernels.
func variants[T float](p *impl[T]) []*impl[T] {
	switch {
	case p.edge == nil:
		return []*impl[T]{p, small(p)}
	case p.masked == nil:
		return []*impl[T]{p, small(p), padded(p)}
	}
	return []*impl[T]{p, small(p), padded(p), unmasked(p)}
}

// testCase is one product with its inputs and the reference result.
type testCase[T float] struct {
	gemmCase
	a, b, c       []T
	lda, ldb, ldc int
	want, bound   []float64
}

func newTestCase[T float](rng *rand.Rand, tc gemmCase) *testCase[T] {
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = tc.n, tc.k
	}
	x := &testCase[T]{gemmCase: tc, lda: ac + tc.padA, ldb: bc + tc.padB, ldc: tc.n + tc.padC}
	fill := func(rows, cols, ld int) []T {
		s := make([]T, (rows-1)*ld+cols)
		for i := range s {
			s[i] = T(math.NaN()) // padding must never be read
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				s[i*ld+j] = T(rng.NormFloat64())
			}
		}
		return s
	}
	x.a, x.b, x.c = fill(ar, ac, x.lda), fill(br, bc, x.ldb), fill(tc.m, tc.n, x.ldc)
	if tc.beta == 0 {
		for i := range x.c {
			x.c[i] = T(math.NaN()) // beta = 0 must not read C
		}
	}
	x.want, x.bound = ref(tc.tA, tc.tB, tc.m, tc.n, tc.k, T(tc.alpha), x.a, x.lda, x.b, x.ldb, T(tc.beta), x.c, x.ldc)
	return x
}

// run computes the case with p on a copy of C and checks every element of
// C against the reference and that the padding of C is untouched.
func (x *testCase[T]) run(t *testing.T, p *impl[T], what string, eps float64) []T {
	t.Helper()
	c := append([]T(nil), x.c...)
	gemm(p, x.tA, x.tB, x.m, x.n, x.k, T(x.alpha), x.a, x.lda, x.b, x.ldb, T(x.beta), c, x.ldc)
	for i := 0; i < x.m; i++ {
		for j := 0; j < x.n; j++ {
			got := float64(c[i*x.ldc+j])
			w := x.want[i*x.n+j]
			tol := eps * float64(x.k+2) * (x.bound[i*x.n+j] + 1e-30)
			if !(math.Abs(got-w) <= tol) {
				t.Fatalf("%s: %v: C[%d,%d] = %v, want %v (tolerance %g)", what, x.gemmCase, i, j, got, w, tol)
			}
		}
		for j := x.n; j < x.ldc && i*x.ldc+j < len(c); j++ {
			if !math.IsNaN(float64(c[i*x.ldc+j])) {
				t.Fatalf("%s: %v: padding C[%d,%d] written", what, x.gemmCase, i, j)
			}
		}
	}
	return c
}

// testGemm checks every implementation this CPU runs (each as used, with
// small blocks, and without edge kernels), on one goroutine and split
// three ways, with B packed by the default rule or always, on every case.
// The reference is computed once per case.
func testGemm[T float](t *testing.T, ps []*impl[T], seed int64, eps float64) {
	defer setPackB(0)()
	defer setParallel(0)()
	defer setWorkers(1)()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3)) // allow an uneven 3-way split
	var all []*impl[T]
	for _, p := range ps {
		all = append(all, variants(p)...)
	}
	rng := rand.New(rand.NewSource(seed))
	for ci, tc := range cases(rng, testing.Short()) {
		x := newTestCase[T](rng, tc)
		for pi, p := range all {
			var first []T
			for _, w := range []int{1, 3} {
				maxWorkers = w
				packBMinRows = (ci + pi + w) % 2 // default rule, or always pack B
				what := fmt.Sprintf("%s workers=%d packB=%d", p.name, w, packBMinRows)
				c := x.run(t, p, what, eps)
				if first == nil {
					first = c
					continue
				}
				// The split and the packing must not change a single bit.
				for i := range c {
					if c[i] != first[i] && !(c[i] != c[i] && first[i] != first[i]) {
						t.Fatalf("%s: %v: C[%d] = %v, one goroutine gave %v", what, x.gemmCase, i, c[i], first[i])
					}
				}
			}
		}
	}
}

func TestSgemm(t *testing.T) {
	ss, _ := impls()
	testGemm(t, ss, 1, 1e-6)
}

func TestDgemm(t *testing.T) {
	_, ds := impls()
	testGemm(t, ds, 2, 1e-15)
}

// setParallel sets the parallel threshold and returns a func restoring it.
func setParallel(flops int) func() {
	old := parallelFlops
	parallelFlops = flops
	return func() { parallelFlops = old }
}

// setPackB makes B packed for m >= rows and returns a func restoring the
// default rule.
func setPackB(rows int) func() {
	old := packBMinRows
	packBMinRows = rows
	return func() { packBMinRows = old }
}

// TestSetMaxWorkers checks that the cap decides the split of a product
// large enough to be split.
func TestSetMaxWorkers(t *testing.T) {
	defer SetMaxWorkers(0)
	defer par.SetBackoff(par.SetBackoff(false)) // a late split must not pause splitting here
	procs := runtime.GOMAXPROCS(0)
	for _, c := range []struct{ set, want int }{{1, 1}, {0, min(2, procs)}, {3, min(3, procs)}} {
		SetMaxWorkers(c.set)
		if got := workers(sImpl, 512, 512, 512); got != c.want {
			t.Errorf("SetMaxWorkers(%d): a 512³ product runs on %d goroutines, want %d", c.set, got, c.want)
		}
	}
}
