//go:build !amd64 || purego

package vmath

// expHead computes no prefix: Exp's loop over math.Exp does it all.
func expHead(dst, src []float64) int { return 0 }

func setPortable(bool) bool { return false }
