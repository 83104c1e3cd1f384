package callbacks_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// weightsIn loads the weights in path into a fresh model of the same
// architecture.
func weightsIn(t *testing.T, path string) []*tensor.Dense {
	t.Helper()
	m := model(t, 99, nil)
	if err := m.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	w, _ := m.GetWeights()
	return w
}

func TestModelCheckpointKeepsOnlyImprovingFiles(t *testing.T) {
	dir := t.TempDir()
	m := model(t, 20, nil)
	c := callbacks.ModelCheckpoint(filepath.Join(dir, "ckpt", "{epoch:02d}-{val_loss:.2f}.gokeras"), callbacks.SaveBestOnly(true))
	c.SetModel(m)
	if err := c.OnTrainBegin(nil); err != nil {
		t.Fatal(err)
	}
	seq := []float64{5, 4, 6, 3, 3.5, 3}
	for e, v := range seq {
		setAll(t, m, float64(e))
		if err := c.OnEpochEnd(e, keras.Logs{"loss": 1, "val_loss": v}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"01-5.00.gokeras", "02-4.00.gokeras", "04-3.00.gokeras"}
	if got := listDir(t, filepath.Join(dir, "ckpt")); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", got, want)
	}
	// Each file holds the weights of its epoch.
	for i, e := range []int{0, 1, 3} {
		for _, w := range weightsIn(t, filepath.Join(dir, "ckpt", want[i])) {
			for _, v := range w.Data().([]float32) {
				if v != float32(e) {
					t.Fatalf("%s holds %v, want the weights of epoch %d", want[i], v, e)
				}
			}
		}
	}
	// Every epoch without SaveBestOnly; mode max with a threshold.
	dir2 := t.TempDir()
	c = callbacks.ModelCheckpoint(filepath.Join(dir2, "e{epoch}.gokeras"), callbacks.SaveWeightsOnly(true))
	c.SetModel(m)
	_ = c.OnTrainBegin(nil)
	for e := 0; e < 3; e++ {
		if err := c.OnEpochEnd(e, keras.Logs{"loss": 1}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(listDir(t, dir2), " "); got != "e1.gokeras e2.gokeras e3.gokeras" {
		t.Errorf("files %s", got)
	}
	dir3 := t.TempDir()
	c = callbacks.ModelCheckpoint(filepath.Join(dir3, "{epoch:03d}-{val_acc:.3f}.gokeras"), callbacks.Monitor("val_acc"),
		callbacks.SaveBestOnly(true), callbacks.InitialValueThreshold(0.6))
	c.SetModel(binaryClassifier(t, 21))
	if err := c.OnTrainBegin(nil); err != nil {
		t.Fatal(err)
	}
	for e, acc := range []float64{0.5, 0.7, 0.65, 0.8} {
		if err := c.OnEpochEnd(e, keras.Logs{"val_accuracy": acc}); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(listDir(t, dir3), " "); got != "002-0.700.gokeras 004-0.800.gokeras" {
		t.Errorf("max mode files %s", got)
	}
}

func TestModelCheckpointInFit(t *testing.T) {
	x, y := regression(60, 22)
	m := model(t, 22, nil)
	dir := t.TempDir()
	var kept [][]*tensor.Dense
	keep := callbacks.Lambda{EpochEnd: func(int, keras.Logs) {
		w, _ := m.GetWeights()
		kept = append(kept, w)
	}}
	best := filepath.Join(dir, "best.gokeras")
	each := callbacks.ModelCheckpoint(filepath.Join(dir, "{epoch:02d}-{val_mae:.4f}.gokeras"), callbacks.SaveBestOnly(true))
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(12), keras.ValidationSplit(0.25), keras.Verbose(0),
		keras.Callbacks(keep, callbacks.ModelCheckpoint(best, callbacks.SaveBestOnly(true)), each))
	if err != nil {
		t.Fatal(err)
	}
	val, _ := h.Get("val_loss")
	bestEpoch := 0
	for e, v := range val {
		if v < val[bestEpoch] {
			bestEpoch = e
		}
	}
	if !sameWeights(weightsIn(t, best), kept[bestEpoch]) {
		t.Errorf("best.gokeras does not hold the weights of the best epoch %d", bestEpoch+1)
	}
	// The templated files follow the improvements of val_mae.
	mae, _ := h.Get("val_mae")
	var want []string
	bestMAE := math.Inf(1)
	for e, v := range mae {
		if v < bestMAE {
			bestMAE = v
			want = append(want, filepath.Join(dir, fmt.Sprintf("%02d-%.4f.gokeras", e+1, v)))
		}
	}
	if got := each.Saved(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("saved\n%v\nwant\n%v", got, want)
	}
	// A whole-model checkpoint loads back as a model that predicts the same.
	loaded, err := keras.LoadModel(best)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.Predict(context.Background(), x, keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
}

func TestModelCheckpointTemplateErrors(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"ckpt-{epoch", "unclosed '{'"},
		{"ckpt-}", "single '}'"},
		{"ckpt-{}", "bad field {}"},
		{"ckpt-{val_loss:d}", "only epoch is an integer"},
		{"ckpt-{epoch:>5}", "unsupported format spec"},
		{"ckpt-{epoch:.2d}", "precision is not allowed"},
		{"", "empty file path"},
	} {
		cb := callbacks.ModelCheckpoint(c.path)
		if cb.Err() == nil || !strings.Contains(cb.Err().Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.path, cb.Err(), c.want)
		}
	}
	// A field the model never logs stops Fit before the first epoch.
	x, y := regression(20, 23)
	m := model(t, 23, nil)
	dir := t.TempDir()
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0),
		keras.Callbacks(callbacks.ModelCheckpoint(filepath.Join(dir, "{epoch}-{val_accuracy:.2f}.gokeras"))))
	if err == nil || !strings.Contains(err.Error(), "{val_accuracy}") || !strings.Contains(err.Error(), "on_train_begin") || h.Len() != 0 {
		t.Errorf("unknown field: %v", err)
	}
	if len(listDir(t, dir)) != 0 {
		t.Error("files were written")
	}
	// A known field missing at run time (no validation data) is an error
	// naming the available keys.
	_, err = m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0),
		keras.Callbacks(callbacks.ModelCheckpoint(filepath.Join(dir, "{epoch}-{val_loss:.2f}.gokeras"))))
	if err == nil || !strings.Contains(err.Error(), "available: loss, mae") || !strings.Contains(err.Error(), "epoch 1") {
		t.Errorf("missing field: %v", err)
	}
	// SaveBestOnly needs a direction.
	if cb := callbacks.ModelCheckpoint("x.gokeras", callbacks.Monitor("score"), callbacks.SaveBestOnly(true)); cb.Err() == nil {
		t.Error("SaveBestOnly on an unplaceable key gave no error")
	}
}

// TestModelCheckpointSaveFreqAndPeriod: SaveFreq(n) saves every n
// batches, counted across epochs as Keras counts them; Period(n), R
// keras's period, every n epochs.
func TestModelCheckpointSaveFreqAndPeriod(t *testing.T) {
	x, y := regression(40, 2)
	dir := t.TempDir()
	m := model(t, 2, nil)
	byBatch := callbacks.ModelCheckpoint(filepath.Join(dir, "b-{epoch}.gokeras"), callbacks.SaveFreq(4), callbacks.SaveWeightsOnly(true))
	byPeriod := callbacks.ModelCheckpoint(filepath.Join(dir, "p-{epoch}.gokeras"), callbacks.Period(2), callbacks.SaveWeightsOnly(true))
	// 40 rows in batches of 16: 3 batches per epoch, 12 in 4 epochs; a
	// save after batches 4, 8 and 12, in epochs 2, 3 and 4.
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(4), keras.BatchSize(16), keras.Verbose(0),
		keras.Callbacks(byBatch, byPeriod)); err != nil {
		t.Fatal(err)
	}
	want := []string{"b-2.gokeras", "b-3.gokeras", "b-4.gokeras"}
	if got := bases(byBatch.Saved()); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("SaveFreq(4) saved %v, want %v", got, want)
	}
	if got := bases(byPeriod.Saved()); strings.Join(got, " ") != "p-2.gokeras p-4.gokeras" {
		t.Errorf("Period(2) saved %v", got)
	}
	for _, bad := range []keras.Callback{
		callbacks.ModelCheckpoint(filepath.Join(dir, "x"), callbacks.SaveFreq(-1)),
		callbacks.ModelCheckpoint(filepath.Join(dir, "x"), callbacks.Period(0)),
	} {
		var oe *keras.OptionError
		if err := bad.(interface{ Err() error }).Err(); !errors.As(err, &oe) {
			t.Errorf("bad option: %v", err)
		}
	}
}

// TestModelCheckpointImprovedFromInf: the first improvement is reported
// from inf, as Keras prints it (Python's "{:.5f}" of inf).
func TestModelCheckpointImprovedFromInf(t *testing.T) {
	x, y := regression(40, 3)
	var out bytes.Buffer
	m := model(t, 3, nil)
	cb := callbacks.ModelCheckpoint(filepath.Join(t.TempDir(), "best.gokeras"), callbacks.SaveBestOnly(true), callbacks.Monitor("loss"),
		callbacks.Verbose(1), callbacks.Output(&out))
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(1), keras.Verbose(0), keras.Callbacks(cb)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "\nEpoch 1: loss improved from inf to ") {
		t.Errorf("message %q", out.String())
	}
}

func bases(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}
