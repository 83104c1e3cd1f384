//go:build !amd64 || purego

package gemm

// impls lists every implementation this CPU can run: only the portable one.
func impls() ([]*impl[float32], []*impl[float64]) {
	return []*impl[float32]{genericImpl[float32]()}, []*impl[float64]{genericImpl[float64]()}
}
