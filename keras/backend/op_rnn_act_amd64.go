//go:build amd64 && !purego

package backend

import "golang.org/x/sys/cpu"

// useAVX2Act and useAVX512Act select the AVX2 and AVX-512 kernels for
// float32 sigmoid and tanh (set from CPU feature detection; tests turn
// them off to compare the kernels with the portable code).
var (
	useAVX2Act   = cpu.X86.HasAVX2
	useAVX512Act = cpu.X86.HasAVX512F

	detectedAVX2Act   = useAVX2Act
	detectedAVX512Act = useAVX512Act
)

// sigmoidAVX2 and tanhAVX2 apply sigmoid32 / tanh32 in place to n floats
// (n a multiple of 8), eight at a time, with the same operations in the
// same order as the Go code, so the bits are the same.
//
//go:noescape
func sigmoidAVX2(v *float32, n int, c *[25][8]float32)

//go:noescape
func tanhAVX2(v *float32, n int, c *[25][8]float32)

// sigmoidAVX512 and tanhAVX512 are the same sixteen at a time (n a
// multiple of 16).
//
//go:noescape
func sigmoidAVX512(v *float32, n int, c *[25][8]float32)

//go:noescape
func tanhAVX512(v *float32, n int, c *[25][8]float32)

func sigmoidSlice32(v []float32) {
	head := 0
	switch {
	case useAVX512Act:
		if head = len(v) &^ 15; head > 0 {
			sigmoidAVX512(&v[0], head, &actConsts)
		}
	case useAVX2Act:
		if head = len(v) &^ 7; head > 0 {
			sigmoidAVX2(&v[0], head, &actConsts)
		}
	}
	sigmoidScalar(v[head:])
}

func tanhSlice32(v []float32) {
	head := 0
	switch {
	case useAVX512Act:
		if head = len(v) &^ 15; head > 0 {
			tanhAVX512(&v[0], head, &actConsts)
		}
	case useAVX2Act:
		if head = len(v) &^ 7; head > 0 {
			tanhAVX2(&v[0], head, &actConsts)
		}
	}
	tanhScalar(v[head:])
}
