package vmath

import "math"

// Exp sets dst[i] = math.Exp(src[i]) for every i < len(src), bit for bit.
// dst must be at least as long as src; dst and src may be the same slice.
func Exp(dst, src []float64) {
	dst = dst[:len(src)]
	i := expHead(dst, src) // a vector prefix, where the CPU has one
	for ; i < len(src); i++ {
		dst[i] = math.Exp(src[i])
	}
}

// expGo is the portable loop, for the tests to compare with.
func expGo(dst, src []float64) {
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}
