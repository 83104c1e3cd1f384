//go:build amd64 && !purego

package optimizers

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

// useAVX selects the AVX kernels for float32 steps. It is set from CPU
// feature detection (AVX, with the OS saving the YMM registers); tests
// turn it off to check the portable kernels against them.
var useAVX = cpu.X86.HasAVX

// useWide selects the kernels whose float64 path (for groups with tiny
// values) uses AVX-512F.
var useWide = cpu.X86.HasAVX512F

var detectedAVX = useAVX

var detectedWide = useWide

func setPortable(on bool) bool {
	useAVX = detectedAVX && !on
	return detectedAVX
}

// setWide chooses the AVX-512 float64 path (on) or the AVX one, for
// tests; it reports whether the CPU has AVX-512F.
func setWide(on bool) bool {
	useWide = detectedWide && on
	return detectedWide
}

// avxHead returns how many leading elements of n the AVX kernels take (a
// multiple of 8), 0 when they are off.
func avxHead(n int) int {
	if !useAVX {
		return 0
	}
	return n &^ 7
}

// tinyBounds returns the magnitudes below which a non-zero input sends
// its group of 8 to the kernels' float64 path: lin for values that are
// multiplied only by the constants cs, sq for values that are also
// squared. A value above them keeps every product with a constant (or
// with itself) at least 2^8 above the smallest normal float32, so the
// float32 path takes no denormal assist except after a rare cancellation
// (see gen_kernels.go). They decide the speed only, never the result.
func tinyBounds(cs ...float32) (lin, sq float32) {
	smallest := float32(1)
	for _, c := range cs {
		if c < 0 {
			c = -c
		}
		if c < smallest {
			smallest = c
		}
	}
	lin = 0x1p-16
	if smallest > 0x1p-102 {
		lin = min(0x1p-16, 0x1p-118/smallest)
	}
	return lin, max(lin, 0x1p-59)
}

func adam32(w, g, m, v []float32, c1, c2, a, eps float32) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	head := avxHead(n)
	if head > 0 {
		lin, sq := tinyBounds(c1, c2, a)
		if useWide {
			adamAVX512(&w[0], &g[0], &m[0], &v[0], head, c1, c2, a, eps, lin, sq)
		} else {
			adamAVX(&w[0], &g[0], &m[0], &v[0], head, c1, c2, a, eps, lin, sq)
		}
	}
	adamKernel(w[head:], g[head:], m[head:], v[head:], c1, c2, a, eps)
}

func rmsprop32(w, g, v []float32, lr, rho, eps float32) {
	n := len(w)
	g, v = g[:n], v[:n]
	head := avxHead(n)
	if head > 0 {
		c := 1 - rho
		lin, sq := tinyBounds(lr, rho, c)
		if useWide {
			rmspropAVX512(&w[0], &g[0], &v[0], head, lr, rho, c, eps, lin, sq)
		} else {
			rmspropAVX(&w[0], &g[0], &v[0], head, lr, rho, c, eps, lin, sq)
		}
	}
	rmspropPlain(w[head:], g[head:], v[head:], lr, rho, eps)
}

func adagrad32(w, g, acc []float32, lr, eps float32) {
	n := len(w)
	g, acc = g[:n], acc[:n]
	head := avxHead(n)
	if head > 0 {
		lin, sq := tinyBounds(lr)
		if useWide {
			adagradAVX512(&w[0], &g[0], &acc[0], head, lr, eps, lin, sq)
		} else {
			adagradAVX(&w[0], &g[0], &acc[0], head, lr, eps, lin, sq)
		}
	}
	adagradKernel(w[head:], g[head:], acc[head:], lr, eps)
}

func sgd32(w, g []float32, lr float32) {
	n := len(w)
	g = g[:n]
	head := avxHead(n)
	if head > 0 {
		lin, sq := tinyBounds(lr)
		if useWide {
			sgdAVX512(&w[0], &g[0], head, lr, lin, sq)
		} else {
			sgdAVX(&w[0], &g[0], head, lr, lin, sq)
		}
	}
	sgdPlain(w[head:], g[head:], lr)
}

func sgdMomentum32(w, g, m []float32, lr, mu float32, nesterov bool) {
	n := len(w)
	g, m = g[:n], m[:n]
	head := avxHead(n)
	if head > 0 {
		lin, sq := tinyBounds(lr, mu)
		switch {
		case nesterov && useWide:
			sgdNesterovAVX512(&w[0], &g[0], &m[0], head, lr, mu, lin, sq)
		case nesterov:
			sgdNesterovAVX(&w[0], &g[0], &m[0], head, lr, mu, lin, sq)
		case useWide:
			sgdMomentumAVX512(&w[0], &g[0], &m[0], head, lr, mu, lin, sq)
		default:
			sgdMomentumAVX(&w[0], &g[0], &m[0], head, lr, mu, lin, sq)
		}
	}
	sgdMomentum(w[head:], g[head:], m[head:], lr, mu, nesterov)
}
