package callbacks_test

import (
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n%s\nwant\n%s", name, got, want)
	}
}

func TestCSVLoggerGolden(t *testing.T) {
	dir := t.TempDir()
	epochs := []keras.Logs{
		{"loss": 0.5, "mae": 0.25, "val_loss": 0.75, "val_mae": 1.0 / 3},
		{"loss": 1e-7, "mae": 123456789, "val_loss": math.NaN(), "val_mae": math.Inf(1)},
		{"loss": 0.125, "val_loss": 2},
	}
	for _, c := range []struct {
		golden string
		opts   []callbacks.CSVLoggerOption
	}{
		{"csvlogger.golden", nil},
		{"csvlogger_semicolon.golden", []callbacks.CSVLoggerOption{callbacks.Separator(";")}},
	} {
		path := filepath.Join(dir, c.golden)
		// A file from an earlier run is replaced.
		if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cl := callbacks.CSVLogger(path, c.opts...)
		cl.SetModel(model(t, 12, nil))
		if err := cl.OnTrainBegin(nil); err != nil {
			t.Fatal(err)
		}
		for e, logs := range epochs {
			if err := cl.OnEpochEnd(e, logs); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, c.golden, string(got))
	}
}

func TestCSVLoggerInFitAndAppend(t *testing.T) {
	x, y := regression(50, 13)
	m := model(t, 13, nil)
	path := filepath.Join(t.TempDir(), "log.csv")
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.ValidationSplit(0.2), keras.Verbose(0), keras.Callbacks(callbacks.CSVLogger(path))); err != nil {
		t.Fatal(err)
	}
	// Resume epochs 3 and 4 into the same file.
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.InitialEpoch(3), keras.ValidationSplit(0.2), keras.Verbose(0),
		keras.Callbacks(callbacks.CSVLogger(path, callbacks.Append(true))))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 6 || lines[0] != "epoch,loss,mae,val_loss,val_mae" || !strings.HasPrefix(lines[1], "0,") || !strings.HasPrefix(lines[5], "4,") {
		t.Fatalf("log file:\n%s", data)
	}
	last, _ := h.Last("val_mae")
	if !strings.HasSuffix(lines[5], ","+keras.FormatFloat(last)) {
		t.Errorf("last row %q does not end with val_mae %v", lines[5], last)
	}
	// Appending a key the header lacks is an error, reported by Fit with
	// the hook and the epoch.
	_, err = m.Fit(context.Background(), x, y, keras.Epochs(1), keras.Verbose(0),
		keras.Callbacks(scripted("extra", []float64{1}), callbacks.CSVLogger(path, callbacks.Append(true))))
	if err == nil || !strings.Contains(err.Error(), "no column for [extra]") || !strings.Contains(err.Error(), "epoch 1") || !strings.Contains(err.Error(), "on_epoch_end") {
		t.Errorf("extra key: %v", err)
	}
}

func TestCallbackErrorSurfacesFromFit(t *testing.T) {
	// The log's directory disappears after the second epoch: CSVLogger's
	// write fails at epoch 3 and Fit returns the error wrapped with the
	// hook and the epoch, with the history of the epochs before.
	dir := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rm := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		if epoch == 1 {
			os.RemoveAll(dir)
		}
	}}
	x, y := regression(30, 14)
	m := model(t, 14, nil)
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0),
		keras.Callbacks(callbacks.CSVLogger(filepath.Join(dir, "log.csv")), rm))
	if err == nil || !strings.Contains(err.Error(), "epoch 3") || !strings.Contains(err.Error(), "on_epoch_end") ||
		!strings.Contains(err.Error(), "CSVLogger") || !os.IsNotExist(errorsCause(err)) {
		t.Fatalf("err = %v", err)
	}
	if h.Len() != 2 {
		t.Errorf("history has %d epochs, want 2", h.Len())
	}
	// A file that cannot be created fails before the first epoch.
	h, err = m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0),
		keras.Callbacks(callbacks.CSVLogger(filepath.Join(dir, "no", "log.csv"))))
	if err == nil || !strings.Contains(err.Error(), "on_train_begin") || h.Len() != 0 {
		t.Errorf("uncreatable file: %v", err)
	}
}
