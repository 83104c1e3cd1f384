package preprocessing

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsAreLeaves keeps the package a leaf: the standard library,
// gorgonia.org/tensor, pkg/errors, gokeras's error types and the internal
// leaves randomstate and hugepages only (no Gorgonia: a program that only
// prepares data does not pull it in).
func TestImportsAreLeaves(t *testing.T) {
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
			if strings.Contains(strings.Split(p, "/")[0], ".") && p != "gorgonia.org/tensor" && p != "github.com/pkg/errors" &&
				p != "github.com/gokeras/gokeras/keras/internal/randomstate" && p != "github.com/gokeras/gokeras/keras/internal/hugepages" &&
				p != "github.com/gokeras/gokeras/keras/kerrors" {
				t.Errorf("%s imports %s; this package may import only the standard library, gorgonia.org/tensor, pkg/errors, keras/kerrors and internal/randomstate and hugepages", f, p)
			}
		}
	}
}
