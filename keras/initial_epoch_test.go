package keras_test

import (
	"context"
	"testing"

	"github.com/gokeras/gokeras/keras"
)

// resumer moves the first epoch from OnTrainBegin, as BackupAndRestore
// does.
type resumer struct {
	keras.CallbackBase
	to   int
	errs []error
}

func (r *resumer) OnTrainBegin(keras.Logs) error { return r.Model().SetInitialEpoch(r.to) }

func (r *resumer) OnEpochBegin(int, keras.Logs) error {
	r.errs = append(r.errs, r.Model().SetInitialEpoch(0))
	return nil
}

func TestSetInitialEpochOnlyFromOnTrainBegin(t *testing.T) {
	x, y := regression(32, 21)
	m := regressionModel(t, 21)
	if err := m.SetInitialEpoch(2); err == nil {
		t.Error("SetInitialEpoch outside Fit gave no error")
	}
	r := &resumer{to: 3}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(r))
	if err != nil {
		t.Fatal(err)
	}
	if h.Len() != 2 || h.Epoch[0] != 3 {
		t.Errorf("epochs run %v, want [3 4]", h.Epoch)
	}
	for _, e := range r.errs {
		if e == nil {
			t.Error("SetInitialEpoch from OnEpochBegin gave no error")
		}
	}
	r = &resumer{to: -1}
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(r)); err == nil {
		t.Error("negative initial epoch gave no error")
	}
	r = &resumer{to: 9}
	if h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(r)); err != nil || h.Len() != 0 {
		t.Errorf("resume past the end: %v, %d epochs", err, h.Len())
	}
}
