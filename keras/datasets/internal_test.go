package datasets

import (
	"bytes"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRenderBar(t *testing.T) {
	for _, c := range []struct {
		done, total int64
		want        string
	}{
		{0, 11490434, "mnist.npz   0% [>.............................] 0 B/11.5 MB"},
		{5170695, 11490434, "mnist.npz  44% [=============>................] 5.2 MB/11.5 MB"},
		{11490434, 11490434, "mnist.npz 100% [==============================] 11.5 MB/11.5 MB"},
		{950, -1, "mnist.npz 950 B"},
	} {
		if got := renderBar("mnist.npz", c.done, c.total); got != c.want {
			t.Errorf("renderBar(%d, %d) = %q, want %q", c.done, c.total, got, c.want)
		}
	}
	for n, want := range map[int64]string{999: "999 B", 57162: "57.2 kB", 170052171: "170.1 MB", 2e9: "2.0 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	// A writer that is not a terminal gets a start and an end line only.
	var buf bytes.Buffer
	bar := newProgressBar(&buf, "x.npz", 3000)
	for i := 0; i < 3; i++ {
		_, _ = bar.Write(make([]byte, 1000))
	}
	bar.finish(true)
	if lines := strings.Split(strings.TrimSpace(buf.String()), "\n"); len(lines) != 2 || lines[0] != "Downloading x.npz (3.0 kB)" || !strings.HasPrefix(lines[1], "Downloading x.npz: done, 3.0 kB in ") {
		t.Errorf("progress output %q", buf.String())
	}
	// A nil writer is silent and does not panic.
	bar = newProgressBar(nil, "x", 1)
	_, _ = bar.Write([]byte{1})
	bar.finish(false)
}

// TestImportsAreLeaves keeps the package a leaf: the standard library,
// gorgonia.org/tensor, npyio, pkg/errors and gokeras's internal
// randomstate and kerrors (the error types every package returns, which
// import nothing but the standard library and pkg/errors) only.
func TestImportsAreLeaves(t *testing.T) {
	checkLeafImports(t)
}

func checkLeafImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first := strings.Split(p, "/")[0]
			ok := !strings.Contains(first, ".") || p == "gorgonia.org/tensor" || p == "github.com/pkg/errors" ||
				strings.HasPrefix(p, "codeberg.org/sbinet/npyio") || p == "github.com/gokeras/gokeras/keras/internal/randomstate" ||
				p == "github.com/gokeras/gokeras/keras/kerrors"
			if !ok {
				t.Errorf("%s imports %s; this package may import only the standard library, gorgonia.org/tensor, npyio, pkg/errors, internal/randomstate and kerrors", f, p)
			}
		}
	}
}
