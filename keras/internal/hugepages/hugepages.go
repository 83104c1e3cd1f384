// Package hugepages allocates the large arrays gokeras makes for data
// sets so that the operating system may back them with huge pages.
//
// Training reads its batches from rows scattered over the whole data set
// (a shuffled Fashion-MNIST batch of 512 touches 512 rows of 3 KiB in
// 188 MB). With 4 KiB pages nearly every row costs a TLB miss and a page
// walk; with 2 MiB pages the whole set is a hundred TLB entries. On a
// 2-vCPU AMD EPYC (Zen 5) virtual machine the gather of 256 shuffled rows
// took 67.5 us against 83.2 (medians of 3,000), and W1's batch copy at
// batch 512 75 against 84 ms per five epochs, 1-2% of the epoch
// (docs/performance.md).
//
// On Linux, Make asks for transparent huge pages (madvise MADV_HUGEPAGE)
// on the 2 MiB-aligned part of an array of at least MinBytes before
// anything is written into it, which is what the kernel needs where
// transparent huge pages are enabled for madvise (or always); elsewhere,
// and where the kernel refuses, it is a plain make. Nothing about the
// array changes but how its memory is mapped.
package hugepages

import "unsafe"

// MinBytes is the smallest array Make advises: below a few huge pages the
// TLB covers it anyway.
const MinBytes = 8 << 20

// pageBytes is the size of an x86-64 (and arm64 4K-granule) huge page.
const pageBytes = 2 << 20

// Make returns make([]T, n), with huge pages asked for when it is at
// least MinBytes long (see the package comment).
func Make[T any](n int) []T {
	s := make([]T, n)
	var zero T
	size := uintptr(n) * unsafe.Sizeof(zero)
	if n == 0 || size < MinBytes {
		return s
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), size)
	lo, hi := aligned(uintptr(unsafe.Pointer(unsafe.SliceData(b))), size)
	if hi > lo {
		_ = advise(b[lo:hi]) // refused: ordinary pages, as with make
	}
	return s
}

// aligned returns the offsets [lo, hi) of the whole huge pages inside
// size bytes from address p.
func aligned(p, size uintptr) (lo, hi uintptr) {
	start := (p + pageBytes - 1) &^ (pageBytes - 1)
	end := (p + size) &^ (pageBytes - 1)
	if end <= start {
		return 0, 0
	}
	return start - p, end - p
}
