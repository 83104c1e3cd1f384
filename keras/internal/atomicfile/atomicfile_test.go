package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.txt")
	if err := WriteFile(path, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Fatalf("content %q", b)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("new file mode %v", fi.Mode())
		}
		_ = os.Chmod(path, 0o600)
	}
	if err := WriteFile(path, writeString("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Fatalf("content %q", b)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file lost its mode: %v", fi.Mode())
	}

	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	err := WriteFile(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Fatalf("a failed write changed the file: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}

	// A folder in the way, or a missing folder, is an error.
	if err := WriteFile(dir, writeString("x")); err == nil {
		t.Error("writing over a folder should fail")
	}
	if err := WriteFile(filepath.Join(dir, "missing", "f"), writeString("x")); err == nil {
		t.Error("writing into a missing folder should fail")
	}
	// A bare file name writes in the current folder.
	t.Chdir(dir)
	if err := WriteFile("bare", writeString("b")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "bare")); string(b) != "b" {
		t.Fatalf("bare: %q", b)
	}
}
