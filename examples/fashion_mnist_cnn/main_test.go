package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

var result = regexp.MustCompile(`(?m)^RESULT test_accuracy=(\S+) s_per_epoch=(\S+)$`)

// TestShortRun trains the walkthrough's CNN for one epoch on 6,000 images
// (43 steps) and checks that it learned far above chance and drew its
// pictures: 32 filters and 32 feature maps.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the CNN for 43 steps (-short)")
	}
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "fashion-mnist/train-images-idx3-ubyte.gz"))
	out := t.TempDir()
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, config{epochs: 1, out: out, seed: 1, verbose: 0, trainRows: 6000, testRows: 1000}); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.6 {
		t.Errorf("after one short epoch: test accuracy %v (chance: 0.1)\n%s", acc, buf.String())
	}
	for _, f := range []string{"filters.png", "feature_maps.png", "predictions.png", "history.png"} {
		fh, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil || img.Bounds().Dx() < 100 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !bytes.Contains(buf.Bytes(), []byte("became 32 filtered images of 28x28")) {
		t.Errorf("feature maps line missing:\n%s", buf.String())
	}
}
