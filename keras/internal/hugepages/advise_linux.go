package hugepages

import "syscall"

// madvHugepage is MADV_HUGEPAGE (linux/mman.h).
const madvHugepage = 14

// advise asks for huge pages on b (whole huge pages). A kernel without
// transparent huge pages answers EINVAL, and b stays as it is.
func advise(b []byte) error { return syscall.Madvise(b, madvHugepage) }
