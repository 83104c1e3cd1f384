//go:build !amd64 || purego

package backend

const (
	useAVX2Act   = false
	useAVX512Act = false
)

func sigmoidSlice32(v []float32) { sigmoidScalar(v) }

func tanhSlice32(v []float32) { tanhScalar(v) }
