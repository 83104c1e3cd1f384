//go:build !amd64 || purego

package optimizers

func adam32(w, g, m, v []float32, c1, c2, a, eps float32) { adamKernel(w, g, m, v, c1, c2, a, eps) }

func rmsprop32(w, g, v []float32, lr, rho, eps float32) { rmspropPlain(w, g, v, lr, rho, eps) }

func adagrad32(w, g, acc []float32, lr, eps float32) { adagradKernel(w, g, acc, lr, eps) }

func sgd32(w, g []float32, lr float32) { sgdPlain(w, g, lr) }

func sgdMomentum32(w, g, m []float32, lr, mu float32, nesterov bool) {
	sgdMomentum(w, g, m, lr, mu, nesterov)
}

func setPortable(bool) bool { return false }

func setWide(bool) bool { return false }
