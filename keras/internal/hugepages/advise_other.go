//go:build !linux

package hugepages

import "errors"

// advise does nothing where there is no madvise(MADV_HUGEPAGE).
func advise([]byte) error { return errors.New("hugepages: not on Linux") }
