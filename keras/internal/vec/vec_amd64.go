//go:build amd64 && !purego

package vec

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX and useAVX2 select the assembly loops; tests turn them off to
// compare with the portable ones.
var (
	useAVX  = cpu.X86.HasAVX
	useAVX2 = cpu.X86.HasAVX2
)

//go:noescape
func finite32AVX(x *float32, n int) bool

//go:noescape
func copyFinite32AVX(dst, src *float32, n int) bool

//go:noescape
func within64AVX(x *float64, n int, limit float64) bool

//go:noescape
func copyWithin64AVX(dst, src *float64, n int, limit float64) bool

//go:noescape
func narrow64AVX(dst *float32, src *float64, n int, limit float64) bool

//go:noescape
func uint8To32AVX2(dst *float32, src *uint8, n int)

// prefetch issues PREFETCHT0 for every cache line of the n bytes at p
// (n > 0). It never faults, whatever p is.
//
//go:noescape
func prefetch(p unsafe.Pointer, n int)

func finite32(x []float32) bool {
	head := 0
	if useAVX {
		head = len(x) &^ 31
	}
	if head > 0 && !finite32AVX(&x[0], head) {
		return false
	}
	return finite32Go(x[head:])
}

func within64(x []float64, limit float64) bool {
	head := 0
	if useAVX {
		head = len(x) &^ 15
	}
	if head > 0 && !within64AVX(&x[0], head, limit) {
		return false
	}
	return within64Go(x[head:], limit)
}

func copyFinite32(dst, src []float32) bool {
	head := 0
	if useAVX {
		head = len(src) &^ 31
	}
	ok := true
	if head > 0 {
		ok = copyFinite32AVX(&dst[0], &src[0], head)
	}
	return copyFinite32Go(dst[head:], src[head:]) && ok
}

func copyWithin64(dst, src []float64, limit float64) bool {
	head := 0
	if useAVX {
		head = len(src) &^ 15
	}
	ok := true
	if head > 0 {
		ok = copyWithin64AVX(&dst[0], &src[0], head, limit)
	}
	return copyWithin64Go(dst[head:], src[head:], limit) && ok
}

func narrow64(dst []float32, src []float64, limit float64) bool {
	head := 0
	if useAVX {
		head = len(src) &^ 15
	}
	ok := true
	if head > 0 {
		ok = narrow64AVX(&dst[0], &src[0], head, limit)
	}
	return narrow64Go(dst[head:], src[head:], limit) && ok
}

func uint8To32(dst []float32, src []uint8) {
	head := 0
	if useAVX2 {
		head = len(src) &^ 31
	}
	if head > 0 {
		uint8To32AVX2(&dst[0], &src[0], head)
	}
	uint8To32Go(dst[head:], src[head:])
}

// setPortable turns the assembly loops off (on) or back to what the CPU
// offers, for tests; it reports whether there are any.
func setPortable(on bool) bool {
	useAVX, useAVX2 = cpu.X86.HasAVX && !on, cpu.X86.HasAVX2 && !on
	return cpu.X86.HasAVX
}
