package callbacks_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCoreDoesNotImportCallbacksOrPlotting: dependencies point one way.
// No package of the module other than callbacks, the plotting packages
// (historyplot, modelplot, imageplot) and the examples may import
// callbacks, a plotting package or gonum's plot library, so the core never
// depends on them (and keras never imports a package that imports keras).
func TestCoreDoesNotImportCallbacksOrPlotting(t *testing.T) {
	root := filepath.Join("..", "..")
	forbidden := []string{"github.com/gokeras/gokeras/keras/callbacks", "github.com/gokeras/gokeras/keras/historyplot",
		"github.com/gokeras/gokeras/keras/modelplot", "github.com/gokeras/gokeras/keras/imageplot", "gonum.org/v1/plot"}
	allowed := []string{filepath.Join("keras", "callbacks"), filepath.Join("keras", "historyplot"),
		filepath.Join("keras", "modelplot"), filepath.Join("keras", "imageplot"), "examples"}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir // test programs (testdata/compilefail) are no package of the module
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, a := range allowed {
			if strings.HasPrefix(rel, a+string(filepath.Separator)) {
				return nil
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("%s imports %s", rel, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("only %d files checked", checked)
	}
}
