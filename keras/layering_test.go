package keras_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gokeras/gokeras/"

// layer ranks the repository's packages: a package may import only
// packages of a lower rank (docs/architecture.md draws the arrows). A new
// package must be added here.
var layer = map[string]int{
	"keras/kerrors":            -3,
	"keras/internal/par":       -2, // the fork-join, which gemm's splits use
	"keras/backend":            0,
	"keras/internal/gradcheck": 1,
	"keras/datasets":           0,
	"keras/preprocessing":      0,
	"keras/activations":        1,
	"keras/losses":             1,
	"keras/optimizers":         1,
	"keras/metrics":            1,
	"keras/initializers":       1,
	"keras/regularizers":       1,
	"keras/constraints":        1,
	"keras/layers":             2,
	"keras/graph":              3,
	"keras/internal/layertest": 3,
	"keras":                    4,
	"keras/callbacks":          5,
	"keras/serving":            5,
	"keras/interop":            5,
	"keras/historyplot":        5,
	"keras/modelplot":          5,
	"keras/imageplot":          5,
	"examples":                 6,
}

func rankOf(pkg string) (int, bool) {
	if r, ok := layer[pkg]; ok {
		return r, true
	}
	if strings.HasPrefix(pkg, "examples/internal/") {
		return layer["examples"] - 1, true
	}
	if strings.HasPrefix(pkg, "examples/") || strings.HasPrefix(pkg, "cmd/") {
		return layer["examples"], true
	}
	if strings.HasPrefix(pkg, "keras/internal/") || strings.HasPrefix(pkg, "internal/") {
		return -1, true // helpers below every package; they import nothing of ours
	}
	return 0, false
}

// TestLayering fails when a package imports one of an equal or higher
// rank: keras never imports a package that imports keras, leaves import
// only the backend, and so on.
func TestLayering(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "docs" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		from, ok := rankOf(pkg)
		if !ok {
			t.Errorf("package %s has no rank in layering_test.go", pkg)
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			target := strings.TrimPrefix(p, module)
			to, ok := rankOf(target)
			if !ok {
				t.Errorf("%s imports %s, which has no rank", pkg, target)
				continue
			}
			if to >= from {
				t.Errorf("%s (rank %d) imports %s (rank %d): imports must point down", pkg, from, target, to)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
