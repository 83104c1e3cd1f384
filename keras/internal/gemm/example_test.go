package gemm_test

import (
	"fmt"

	"github.com/gokeras/gokeras/keras/internal/gemm"
)

// ExampleSgemm multiplies a 2×3 matrix by the transpose of a 2×3 matrix
// and adds the result to C (beta = 1).
func ExampleSgemm() {
	a := []float32{1, 2, 3, 4, 5, 6} // 2×3
	b := []float32{1, 0, 1, 0, 1, 0} // 2×3, used as bᵀ (3×2)
	c := []float32{10, 20, 30, 40}   // 2×2
	gemm.Sgemm(false, true, 2, 2, 3, 1, a, 3, b, 3, 1, c, 2)
	fmt.Println(c)
	// Output: [14 22 40 45]
}
