package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRootAndBeside(t *testing.T) {
	root := Root()
	if root == "" {
		t.Fatal("no project root found from the test's folder")
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	if got := beside("data"); got != filepath.Join(filepath.Dir(root), "shared", "data") {
		t.Errorf("beside = %s", got)
	}
}

func TestKerasHomeFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "datasets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "datasets", "x.npz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KERAS_HOME", dir)
	if got := KerasHome(t, "x.npz"); got != dir {
		t.Errorf("KerasHome = %s, want %s", got, dir)
	}
}
