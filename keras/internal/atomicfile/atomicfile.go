package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// WriteFile replaces path with what write produces. The data goes to a
// temporary file in the same folder (named ".<base>.tmp-<random>"), which
// is flushed to disk (fsync), closed and renamed over path; then the
// folder itself is flushed so the rename survives a power cut. If write or
// any step fails, the temporary file is removed and path is untouched. A
// process killed mid-write can leave the temporary file behind, never a
// damaged path.
//
// A new file gets mode 0644; an existing file keeps its mode.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return errors.Errorf("%s is not a regular file", path)
		}
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return errors.Wrap(err, "creating a temporary file")
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return errors.Wrapf(err, "writing %s", tmp)
	}
	if err := f.Chmod(mode); err != nil {
		return errors.Wrapf(err, "setting the mode of %s", tmp)
	}
	if err := f.Sync(); err != nil {
		return errors.Wrapf(err, "flushing %s to disk", tmp)
	}
	if err := f.Close(); err != nil {
		return errors.Wrapf(err, "closing %s", tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Wrapf(err, "renaming %s to %s", tmp, path)
	}
	return syncDir(dir)
}
