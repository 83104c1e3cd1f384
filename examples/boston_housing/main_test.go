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

var result = regexp.MustCompile(`(?m)^RESULT test_mae=(\S+) cv_val_mae=(\S+)$`)

// TestShortRun runs the walkthrough end to end in a shortened mode (few
// epochs, two folds) and checks that every step ran and the models learned:
// predicting the mean price gives a test MAE of about 6.5 (k$).
func TestShortRun(t *testing.T) {
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "boston_housing.npz"))
	out := t.TempDir()
	var buf bytes.Buffer
	c := config{epochs: 60, patience: 5, folds: 2, cvEpochs: 15, cvBatch: 16, finalEpochs: 20, finalBatch: 16, out: out, seed: 1}
	if err := run(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	testMAE, _ := strconv.ParseFloat(m[1], 64)
	cvMAE, _ := strconv.ParseFloat(m[2], 64)
	if testMAE > 5 || cvMAE > 5 {
		t.Errorf("shortened run: test MAE %v, cross-validated MAE %v; want both well under the 6.5 of predicting the mean", testMAE, cvMAE)
	}
	for _, want := range []string{
		"Training entries: 5252, labels: 404",
		"train_labels[1:10] [15.2 42.3 50 21.1 17.7 18.5 11.3 15.6 15.6 14.4]",
		// R's scale(): the first row of the tutorial's normalised data.
		"train_data[1, ] [-0.2719 -0.4830 -0.4352 -0.2565 -0.1650 -0.1762 0.8121 0.1166 -0.6255 -0.5944 1.1471 0.4475 0.8242]",
		"Total params: 5,121",
		"Mean absolute error on test set: $",
		"test_predictions (102, 1)",
	} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	for _, f := range []string{"history.png", "history_early_stopping.png", "cv_mae.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }
