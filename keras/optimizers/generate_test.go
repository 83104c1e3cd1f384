package optimizers

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedKernelsAreCurrent regenerates the assembly kernels with
// gen_kernels.go into a temporary folder and fails unless the result is
// byte for byte the committed kernels_amd64.s and kernels_decl_amd64.go:
// the generator is the source, the .s file only its output.
func TestGeneratedKernelsAreCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command (-short)")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command(goCmd, "run", "gen_kernels.go", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_kernels.go: %v\n%s", err, out)
	}
	for _, name := range []string{"kernels_amd64.s", "kernels_decl_amd64.go"} {
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what gen_kernels.go writes: run go generate ./keras/optimizers and commit the result", name)
		}
	}
}
