//go:build !purego

package gemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// copyRowsAVX copies rows blocks of width bytes (64 or 128), the i-th
// from src + i*ld bytes, to dst + i*width.
//
//go:noescape
func copyRowsAVX(dst, src unsafe.Pointer, ld, rows, width int)

var hasAVX = cpu.X86.HasAVX

// packRows copies kc whole rows of nr elements, row l of b starting at
// l*ldb, into dst[l*nr:] with vector moves: packB's copy of a B panel
// without a memmove call per row (which took 3.5-5 times as long for
// W1's 32-wide rows). It copies nothing and reports false unless a row
// is 64 or 128 bytes (the nr of every assembly kernel) and the CPU has
// AVX.
func packRows[T float](dst, b []T, ldb, kc, nr int) bool {
	var z T
	width := nr * int(unsafe.Sizeof(z))
	if !hasAVX || (width != 64 && width != 128) || kc == 0 {
		return false
	}
	_ = dst[kc*nr-1] // the rows fit: checked here, once
	_ = b[(kc-1)*ldb+nr-1]
	copyRowsAVX(unsafe.Pointer(&dst[0]), unsafe.Pointer(&b[0]), ldb*int(unsafe.Sizeof(z)), kc, width)
	return true
}
