//go:build !windows

package atomicfile

import (
	"errors"
	"os"
	"syscall"

	pkgerrors "github.com/pkg/errors"
)

// syncDir flushes a folder's entries (the rename) to disk. File systems
// that cannot sync a folder (EINVAL, ENOTSUP) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return pkgerrors.Wrapf(err, "flushing folder %s to disk", dir)
	}
	return nil
}
