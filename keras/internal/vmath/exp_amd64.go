//go:build amd64 && !purego

package vmath

import (
	"math"

	"golang.org/x/sys/cpu"
)

// useVector selects the assembly loop. It needs FMA as well as AVX2: the
// runtime's math.Exp takes its fused path on CPUs with FMA, and the loop
// repeats that path, so it is only exact where math.Exp uses it too.
var useVector = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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
	useVector = !on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	return was
}
