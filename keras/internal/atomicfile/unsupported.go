package atomicfile

import (
	"errors"
	"syscall"
)

// isUnsupported reports errors that mean "this file system cannot fsync a
// folder" (EINVAL on some Linux file systems, ENOTSUP elsewhere).
func isUnsupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EBADF)
}
