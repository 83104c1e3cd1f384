//go:build !amd64 || purego

package optimizers

func adam32(w, g, m, v []float32, c1, c2, a, eps float32) { adamKernel(w, g, m, v, c1, c2, a, eps) }

func setPortable(bool) bool { return false }
