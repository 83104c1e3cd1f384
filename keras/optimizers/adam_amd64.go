//go:build amd64 && !purego

package optimizers

import "golang.org/x/sys/cpu"

// useAVX selects the AVX kernel for float32 Adam steps. It is set from CPU
// feature detection (AVX, with the OS saving the YMM registers); tests
// turn it off to check the portable kernel against it.
var useAVX = cpu.X86.HasAVX

// adamAVX runs the Adam update over n elements (n a multiple of 8) eight
// at a time, with the same operations in the same order as adamKernel
// (no fused multiply-add), so both give identical bits.
//
//go:noescape
func adamAVX(wp, gp, mp, vp *float32, n int, c1, c2, a, eps float32)

func adam32(w, g, m, v []float32, c1, c2, a, eps float32) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	head := 0
	if useAVX {
		head = n &^ 7
		if head > 0 {
			adamAVX(&w[0], &g[0], &m[0], &v[0], head, c1, c2, a, eps)
		}
	}
	adamKernel(w[head:], g[head:], m[head:], v[head:], c1, c2, a, eps)
}

var detectedAVX = useAVX

func setPortable(on bool) bool {
	useAVX = detectedAVX && !on
	return detectedAVX
}
