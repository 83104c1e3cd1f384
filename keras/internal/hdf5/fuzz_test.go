package hdf5

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readEverything opens data and reads every group's links, every
// attribute's value and every dataset's values, returning the first error
// that signals a bug (a recovered panic) rather than a malformed file.
func readEverything(data []byte) (internal error) {
	check := func(err error) {
		if err != nil && internal == nil && strings.Contains(err.Error(), "internal error") {
			internal = err
		}
	}
	f, err := Open(data)
	if err != nil {
		check(err)
		return internal
	}
	readAttrs := func(o interface {
		Attrs() ([]*Attribute, error)
	}) {
		attrs, err := o.Attrs()
		check(err)
		for _, a := range attrs {
			_, err = a.Strings()
			check(err)
			_, err = a.Int64s()
			check(err)
			_, err = a.Float64s()
			check(err)
			_ = a.Type.String()
		}
	}
	count := 0
	err = f.Root().Walk(func(path string, g *Group, ds *Dataset) error {
		count++
		if count > 10000 {
			return nil
		}
		if g != nil {
			readAttrs(g)
			kids, err := g.Children()
			check(err)
			for _, l := range kids {
				_, err := g.Group(l.Name)
				check(err)
			}
			return nil
		}
		readAttrs(ds)
		_, err := ds.Float32s()
		check(err)
		_, err = ds.Int64s()
		check(err)
		_, err = ds.Strings()
		check(err)
		_ = ds.Dtype().String()
		return nil
	})
	check(err)
	return internal
}

// FuzzOpen feeds arbitrary bytes to the reader: it must return errors,
// never panic, hang or allocate beyond the file's bounds. The seeds are
// the fixtures; testdata/fuzz/FuzzOpen holds inputs the fuzzer found
// interesting. Run `go test -fuzz=FuzzOpen ./keras/internal/hdf5` to
// search further.
func FuzzOpen(f *testing.F) {
	// The small fixtures only: mutating and minimising the 100 KB ones
	// is too slow for the fuzzer to make progress.
	for _, pattern := range []string{"testdata/*.h5", "testdata/written/*.h5"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if len(b) <= 32<<10 {
				f.Add(b)
			}
		}
	}
	small := NewWriter()
	_ = small.Root().SetAttr("a", "b")
	_, _ = small.Root().CreateDataset("d", []int{2}, []float32{1, 2}, Gzip(1))
	if b, err := small.Bytes(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := readEverything(data); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadEverythingFixtures runs the fuzz body over every fixture, so
// the walk itself is exercised by plain `go test`.
func TestReadEverythingFixtures(t *testing.T) {
	for _, pattern := range []string{"testdata/*.h5", "testdata/written/*.h5"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			b, err := os.ReadFile(name)
			must(t, err)
			if err := readEverything(b); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}
