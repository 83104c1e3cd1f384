//go:build !amd64 || purego

package gemm

// packRows has no vector copy here: packB copies row by row.
func packRows[T float](dst, b []T, ldb, kc, nr int) bool { return false }
