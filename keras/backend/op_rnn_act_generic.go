//go:build !amd64 || purego

package backend

// No vector kernels in this build: the switches stay off (tests set them
// and find the portable code either way).
var (
	useAVX2Act, useAVX512Act           = false, false
	detectedAVX2Act, detectedAVX512Act = false, false
)

func sigmoidSlice32(v []float32) { sigmoidScalar(v) }

func tanhSlice32(v []float32) { tanhScalar(v) }

// lstmBackHead32 and gruBackHead32 have no vector kernel here: the
// portable loop does every element.
func lstmBackHead32(z, dz, actc, cprev, dh, dc []float32, u int) int { return 0 }

func gruBackHead32(z, dz, dq, dh, dhd, hprev, qh []float32, u int) int { return 0 }
