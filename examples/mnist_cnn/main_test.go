package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

var result = regexp.MustCompile(`(?m)^RESULT test_accuracy=(\S+) s_per_epoch=(\S+)$`)

// TestShortRun runs the example end to end in a shortened mode (one epoch
// on 5,000 images, of which 4,000 train: 32 steps) and checks that it
// learned far above chance, printed the R example's summary (1,199,882
// parameters) and wrote its outputs.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the full CNN for 32 steps (-short)")
	}
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "mnist.npz"))
	out := filepath.Join(t.TempDir(), "not", "yet")
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, config{epochs: 1, out: out, seed: 1, verbose: 2, trainRows: 5000, testRows: 1000}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	m := result.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", text)
	}
	t.Log(m[0])
	acc, _ := strconv.ParseFloat(m[1], 64)
	if spe, err := strconv.ParseFloat(m[2], 64); err != nil || spe <= 0 {
		t.Errorf("s_per_epoch %q", m[2])
	}
	if acc < 0.7 {
		t.Errorf("after 32 steps: test accuracy %v (chance: 0.1)\n%s", acc, text)
	}
	if !strings.Contains(text, "Total params: 1,199,882") {
		t.Errorf("summary without the R example's 1,199,882 parameters:\n%s", text)
	}
	for _, f := range []string{"history.png", "mnist_cnn.gokeras"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
