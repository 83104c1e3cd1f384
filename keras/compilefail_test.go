package keras_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOptionsAreCheckedByTheCompiler type-checks the programs under
// testdata/compilefail, each of which gives an option to a call that does
// not take it, and fails unless the compiler rejects each with the
// expected message.
func TestOptionsAreCheckedByTheCompiler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command (-short)")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cases := map[string]string{
		"fit_option_to_compile":    "keras.FitFunc does not implement keras.CompileOption",
		"fit_option_to_predict":    "keras.FitFunc does not implement keras.PredictOption",
		"weight_option_to_dropout": "layers.WeightOption does not implement layers.DropoutOption",
		"seed_to_dense":            "layers.SeedOption does not implement layers.DenseOption",
		"patience_to_csvlogger":    "callbacks.PlateauOption does not implement callbacks.CSVLoggerOption",
		"pool_size_to_conv2d":      "layers.PoolSizeOption does not implement layers.ConvOption",
		"groups_to_depthwise":      "layers.GroupsOption does not implement layers.DepthwiseConvOption",
	}
	dirs, err := os.ReadDir(filepath.Join("testdata", "compilefail"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(cases) {
		t.Errorf("%d programs under testdata/compilefail, %d expected messages", len(dirs), len(cases))
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(goCmd, "vet", "./"+filepath.ToSlash(filepath.Join("testdata", "compilefail", name)))
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the program compiles; it must not:\n%s", out)
			}
			if !strings.Contains(string(out), want) {
				t.Errorf("compiler output lacks %q:\n%s", want, out)
			}
		})
	}
}
