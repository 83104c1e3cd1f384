//go:build amd64 && !purego

package vmath

import (
	"math"

	"golang.org/x/sys/cpu"
)

// vectorOK reports whether the assembly loop may run: it needs AVX2 and
// FMA, and math.Exp must take its fused path too, since the loop repeats
// that path and is exact only where math.Exp uses it. The runtime picks
// the path from its own view of the CPU, which GODEBUG can change
// (cpu.avx=off leaves golang.org/x/sys/cpu reporting AVX2 and FMA, and
// math.Exp unfused), so the loop is also checked against math.Exp once.
var vectorOK = cpu.X86.HasAVX2 && cpu.X86.HasFMA && agreesWithMath()

// useVector selects the assembly loop (tests turn it off).
var useVector = vectorOK

// agreesWithMath runs the assembly loop on probe arguments and reports
// whether it returned math.Exp's bits for every one.
func agreesWithMath() bool {
	var src, dst [64]float64
	for i := range src {
		src[i] = float64(i)*0.7310585786300049 - 23.25
	}
	if exp4AVX2(&dst[0], &src[0], len(src)) != len(src) {
		return false
	}
	for i, x := range src {
		if math.Float64bits(dst[i]) != math.Float64bits(math.Exp(x)) {
			return false
		}
	}
	return true
}

// exp4AVX2 computes math.Exp of src[0:n] (n a multiple of 16) into dst,
// sixteen values a round, and returns how many it wrote: n, or the start
// of the first round holding an argument that needs one of math.Exp's
// special paths (that round is not written).
//
//go:noescape
func exp4AVX2(dst, src *float64, n int) int

// expHead computes the vector prefix of Exp and returns its length (a
// multiple of 16); rounds the assembly stops at go to math.Exp.
func expHead(dst, src []float64) int {
	if !useVector {
		return 0
	}
	head := len(src) &^ 15
	for i := 0; i < head; {
		i += exp4AVX2(&dst[i], &src[i], head-i)
		if i < head {
			for j := i; j < i+16; j++ {
				dst[j] = math.Exp(src[j])
			}
			i += 16
		}
	}
	return head
}

// setPortable turns the assembly off (on true) or back on and returns
// whether it was off, for tests.
func setPortable(on bool) bool {
	was := !useVector
	useVector = !on && vectorOK
	return was
}
