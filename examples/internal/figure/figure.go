// Package figure writes the walkthroughs' figures to files atomically.
// The pictures themselves come from the library: keras/historyplot,
// keras/imageplot and keras/modelplot, and gonum's plot for the rest.
package figure

import (
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// WriteFile writes what write produces to path atomically (temporary file
// in the same folder, then rename), creating the folder; the file is
// readable by all (0644).
func WriteFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errors.Wrap(err, "figure")
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return errors.Wrap(err, "figure")
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: encoding %s", path)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	if err := f.Close(); err != nil {
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	return errors.Wrap(os.Rename(f.Name(), path), "figure")
}
