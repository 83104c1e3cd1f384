package figure

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "f.txt")
	if err := WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "hello" {
		t.Fatalf("read %q, %v", b, err)
	}
	// A failing writer leaves no file and no temporary behind.
	bad := filepath.Join(filepath.Dir(path), "bad.txt")
	if err := WriteFile(bad, func(io.Writer) error { return errors.New("boom") }); err == nil {
		t.Fatal("no error from a failing writer")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
}
