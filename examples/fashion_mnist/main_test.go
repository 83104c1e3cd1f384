package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
)

func needFashion(t *testing.T) {
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "fashion-mnist/t10k-labels-idx1-ubyte.gz"))
}

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

var result = regexp.MustCompile(`(?m)^RESULT test_accuracy=(\S+) test_loss=(\S+)$`)

// TestShortRun runs the walkthrough end to end in a shortened mode (one
// epoch on 6,000 images) and checks that it learned far above chance.
func TestShortRun(t *testing.T) {
	needFashion(t)
	out := t.TempDir()
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, config{epochs: 1, out: out, seed: 1, verbose: 2, trainRows: 6000}); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	acc, _ := strconv.ParseFloat(m[1], 64)
	loss, _ := strconv.ParseFloat(m[2], 64)
	if acc < 0.6 || loss > 1.2 {
		t.Errorf("after one short epoch: test accuracy %v, loss %v (chance: 0.1, 2.30)", acc, loss)
	}
	for _, f := range []string{"first25.png", "predictions.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
