package gemm

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forceGeneric is the test hook that makes Sgemm and Dgemm use the
// portable kernel, as on a CPU without AVX2; it returns a func restoring
// the kernels chosen at start-up.
func forceGeneric() func() {
	s, d := sImpl, dImpl
	sImpl, dImpl = genericImpl[float32](), genericImpl[float64]()
	return func() { sImpl, dImpl = s, d }
}

func TestForceGeneric(t *testing.T) {
	chosen := Kernel()
	restore := forceGeneric()
	if Kernel() != "generic" || Accelerated() {
		t.Errorf("forced: Kernel() = %q, Accelerated() = %v", Kernel(), Accelerated())
	}
	a := []float32{1, 2, 3, 4}
	c := make([]float32, 4)
	Sgemm(false, false, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2)
	if want := []float32{7, 10, 15, 22}; !equal(c, want) {
		t.Errorf("generic Sgemm = %v, want %v", c, want)
	}
	d := []float64{1, 2, 3, 4}
	cd := make([]float64, 4)
	Dgemm(true, false, 2, 2, 2, 1, d, 2, d, 2, 0, cd, 2)
	if want := []float64{10, 14, 14, 20}; !equal(cd, want) {
		t.Errorf("generic Dgemm = %v, want %v", cd, want)
	}
	restore()
	if Kernel() != chosen {
		t.Errorf("restored Kernel() = %q, want %q", Kernel(), chosen)
	}
	t.Logf("kernel on this CPU: %s", chosen)
}

func equal[T float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBadArguments checks that inconsistent arguments panic with a
// message naming the problem, like a BLAS.
func TestBadArguments(t *testing.T) {
	s := make([]float32, 12)
	cases := []struct {
		name string
		call func()
		msg  string
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }, "negative dimension"},
		{"lda too small", func() { Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }, "lda = 2"},
		{"lda too small transposed", func() { Sgemm(true, false, 3, 2, 2, 1, s, 2, s, 2, 0, s, 2) }, "lda = 2"},
		{"ldb too small", func() { Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }, "ldb = 2"},
		{"ldc too small", func() { Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 3, 0, s, 2) }, "ldc = 2"},
		{"short a", func() { Sgemm(false, false, 5, 2, 3, 1, s, 3, s, 2, 0, s, 2) }, "a has 12 elements"},
		{"short c", func() { Sgemm(false, false, 2, 2, 2, 1, s, 2, s, 2, 0, s[:3], 2) }, "c has 3 elements"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.msg) || !strings.HasPrefix(msg, "gemm: ") {
					t.Errorf("panic %v, want a gemm: message containing %q", r, tc.msg)
				}
			}()
			tc.call()
		})
	}
}

// TestEmpty checks m, n or k = 0: nothing to do, or C = beta*C.
func TestEmpty(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	ab := []float32{5, 6, 7, 8}
	Sgemm(false, false, 0, 2, 2, 1, nil, 2, ab, 2, 0, c, 2)
	Sgemm(false, false, 2, 0, 2, 1, ab, 2, nil, 1, 0, c, 2)
	if !equal(c, []float32{1, 2, 3, 4}) {
		t.Errorf("m or n = 0 changed C: %v", c)
	}
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 3, c, 2)
	if !equal(c, []float32{3, 6, 9, 12}) {
		t.Errorf("k = 0, beta = 3: C = %v", c)
	}
	nan := float32(0)
	nan /= nan
	c = []float32{nan, nan, nan, nan}
	Sgemm(false, false, 2, 2, 2, 0, c, 2, c, 2, 0, c, 2)
	if !equal(c, []float32{0, 0, 0, 0}) {
		t.Errorf("alpha = beta = 0 must clear C without reading it: %v", c)
	}
}

// TestImportsAreLeaves keeps the package free of gokeras imports: the
// standard library, golang.org/x/sys/cpu and keras/internal/par (the
// fork-join, itself a leaf) only.
func TestImportsAreLeaves(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(p, "/")[0], ".") && p != "golang.org/x/sys/cpu" && p != "github.com/gokeras/gokeras/keras/internal/par" {
				t.Errorf("%s imports %s; package gemm may import only the standard library, golang.org/x/sys/cpu and keras/internal/par", f, p)
			}
		}
	}
}
