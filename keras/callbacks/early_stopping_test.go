package callbacks_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
)

// drive plays seq through cb's OnEpochEnd on a real model whose weights
// are all set to the epoch number before each call, the way Fit would,
// and returns the epoch after which the model was asked to stop (-1 if
// never) and the weights' value after OnTrainEnd.
func drive(t *testing.T, key string, seq []float64, cb *callbacks.EarlyStoppingCallback) (stopped int, final float64) {
	t.Helper()
	m := model(t, 3, nil)
	cb.SetModel(m)
	if err := cb.OnTrainBegin(keras.Logs{}); err != nil {
		t.Fatal(err)
	}
	stopped = -1
	for e, v := range seq {
		setAll(t, m, float64(e))
		if err := cb.OnEpochEnd(e, keras.Logs{"loss": 1, key: v}); err != nil {
			t.Fatal(err)
		}
		if m.StopRequested() {
			stopped = e
			break
		}
	}
	if err := cb.OnTrainEnd(keras.Logs{}); err != nil {
		t.Fatal(err)
	}
	for final = -1; final < float64(len(seq)); final++ {
		if allEqual(t, m, final) {
			return stopped, final
		}
	}
	t.Fatal("weights are not all equal to an epoch number")
	return
}

func TestEarlyStoppingScripted(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name        string
		key         string
		seq         []float64
		opts        []callbacks.EarlyStoppingOption
		stop        int     // epoch after which training stops, -1 never
		restoredTo  float64 // weights after OnTrainEnd with RestoreBestWeights
		bestEpoch   int
		nonRestored float64 // weights after OnTrainEnd without it
	}{
		{"patience 2", "val_loss", []float64{5, 4, 4.5, 4.2, 3}, []callbacks.EarlyStoppingOption{callbacks.Patience(2)}, 3, 1, 1, 3},
		{"patience 0 never stops at epoch 0", "val_loss", []float64{5, 6, 7}, nil, 1, 0, 0, 1},
		{"min_delta", "val_loss", []float64{5, 4.8, 4.6, 4.4}, []callbacks.EarlyStoppingOption{callbacks.MinDelta(0.5), callbacks.Patience(1)}, 1, 0, 0, 1},
		{"max by name", "val_accuracy", []float64{0.5, 0.6, 0.6, 0.59, 0.7}, []callbacks.EarlyStoppingOption{callbacks.Monitor("val_accuracy"), callbacks.Patience(2)}, 3, 1, 1, 3},
		{"alias val_acc", "val_accuracy", []float64{0.5, 0.4, 0.3}, []callbacks.EarlyStoppingOption{callbacks.Monitor("val_acc"), callbacks.Patience(1)}, 1, 0, 0, 1},
		{"mode min on accuracy", "val_accuracy", []float64{0.5, 0.6, 0.7}, []callbacks.EarlyStoppingOption{callbacks.Monitor("val_accuracy"), callbacks.Mode("min"), callbacks.Patience(2)}, 2, 0, 0, 2},
		{"baseline not beaten", "val_loss", []float64{3, 3.5, 2}, []callbacks.EarlyStoppingOption{callbacks.Baseline(1), callbacks.Patience(2)}, 1, 0, 0, 1},
		{"baseline, improving but above it", "val_loss", []float64{3, 2.5, 2.8, 1}, []callbacks.EarlyStoppingOption{callbacks.Baseline(1), callbacks.Patience(2)}, 2, 1, 1, 2},
		{"baseline beaten", "val_loss", []float64{3, 0.5, 0.6, 0.7, 0.4}, []callbacks.EarlyStoppingOption{callbacks.Baseline(1), callbacks.Patience(2)}, 3, 1, 1, 3},
		{"start_from_epoch", "val_loss", []float64{5, 6, 7, 8}, []callbacks.EarlyStoppingOption{callbacks.StartFromEpoch(2)}, 3, 2, 2, 3},
		{"never stops", "val_loss", []float64{5, 4, 3, 2, 1}, []callbacks.EarlyStoppingOption{callbacks.Patience(1)}, -1, 4, 4, 4},
		{"inf is no improvement", "val_loss", []float64{inf, inf, inf}, []callbacks.EarlyStoppingOption{callbacks.Patience(1)}, 1, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := callbacks.EarlyStopping(c.opts...)
			stopped, final := drive(t, c.key, c.seq, es)
			if stopped != c.stop || final != c.nonRestored {
				t.Errorf("stopped after epoch %d with weights %v, want %d and %v", stopped, final, c.stop, c.nonRestored)
			}
			if c.stop >= 0 && es.StoppedEpoch() != c.stop {
				t.Errorf("StoppedEpoch() = %d", es.StoppedEpoch())
			}
			es = callbacks.EarlyStopping(append(c.opts, callbacks.RestoreBestWeights(true))...)
			stopped, final = drive(t, c.key, c.seq, es)
			if stopped != c.stop || final != c.restoredTo || es.BestEpoch() != c.bestEpoch {
				t.Errorf("restore: stopped after epoch %d with weights of epoch %v (best %d), want %d, %v, %d", stopped, final, es.BestEpoch(), c.stop, c.restoredTo, c.bestEpoch)
			}
		})
	}
}

func TestEarlyStoppingInFit(t *testing.T) {
	// The monitored "score" is scripted by a Lambda that runs before
	// EarlyStopping; the weights of every epoch are kept to check the
	// restore. Best epoch 2, patience 3: training stops after epoch 5.
	seq := []float64{9, 8, 1, 2, 3, 4, 0, 0, 0, 0}
	for _, restore := range []bool{false, true} {
		x, y := regression(40, 4)
		m := model(t, 4, nil)
		var kept [][]*tensor.Dense
		keep := callbacks.Lambda{EpochEnd: func(int, keras.Logs) {
			w, _ := m.GetWeights()
			kept = append(kept, w)
		}}
		var msg bytes.Buffer
		es := callbacks.EarlyStopping(callbacks.Monitor("score"), callbacks.Mode("min"), callbacks.Patience(3),
			callbacks.RestoreBestWeights(restore), callbacks.Verbose(1), callbacks.Output(&msg))
		h, err := m.Fit(context.Background(), x, y, keras.Epochs(10), keras.BatchSize(10), keras.Verbose(0),
			keras.Callbacks(scripted("score", seq), keep, es))
		if err != nil {
			t.Fatal(err)
		}
		if h.Len() != 6 || es.StoppedEpoch() != 5 {
			t.Fatalf("restore=%v: %d epochs, stopped at %d; want 6 and 5", restore, h.Len(), es.StoppedEpoch())
		}
		w, _ := m.GetWeights()
		want := kept[5]
		wantMsg := "Epoch 6: early stopping\n"
		if restore {
			want = kept[2]
			wantMsg += "Restoring model weights from the end of the best epoch: 3.\n"
		}
		if !sameWeights(w, want) {
			t.Errorf("restore=%v: final weights are not those of the expected epoch", restore)
		}
		if msg.String() != wantMsg {
			t.Errorf("messages %q, want %q", msg.String(), wantMsg)
		}
	}
}

func TestEarlyStoppingOnValLossInFit(t *testing.T) {
	// The R tutorial's setting: monitor val_loss with patience; the
	// stopping epoch must follow the rule on the recorded history.
	x, y := regression(60, 5)
	m := model(t, 5, nil)
	es := callbacks.EarlyStopping(callbacks.Patience(2))
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(300), keras.ValidationSplit(0.2), keras.Verbose(0), keras.Callbacks(es))
	if err != nil {
		t.Fatal(err)
	}
	val, _ := h.Get("val_loss")
	best, wait, stop := math.Inf(1), 0, -1
	for e, v := range val {
		wait++
		if v < best {
			best, wait = v, 0
		} else if wait >= 2 && e > 0 {
			stop = e
			break
		}
	}
	if stop != len(val)-1 || (stop >= 0 && es.StoppedEpoch() != stop) {
		t.Errorf("history of %d epochs, rule says stop at %d, callback stopped at %d", len(val), stop, es.StoppedEpoch())
	}
}

func TestMonitorMissingKey(t *testing.T) {
	var warn bytes.Buffer
	es := callbacks.EarlyStopping(callbacks.Monitor("val_mae"), callbacks.Warnings(&warn))
	m := model(t, 6, nil)
	es.SetModel(m)
	_ = es.OnTrainBegin(nil)
	for e := 0; e < 3; e++ {
		if err := es.OnEpochEnd(e, keras.Logs{"loss": 1, "mae": 2}); err != nil {
			t.Fatal(err)
		}
	}
	want := "callbacks: warning: EarlyStopping is conditioned on \"val_mae\", which is not available; available keys: loss, mae\n"
	if warn.String() != want {
		t.Errorf("warning %q, want %q (once)", warn.String(), want)
	}
	// StrictMonitor: an error from Fit, and a key the model can never log
	// is reported before training.
	x, y := regression(20, 6)
	_, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0),
		keras.Callbacks(callbacks.EarlyStopping(callbacks.Monitor("val_mae"), callbacks.StrictMonitor(true))))
	if err == nil || !strings.Contains(err.Error(), "on_epoch_end") || !strings.Contains(err.Error(), "epoch 1") || !strings.Contains(err.Error(), "available keys: loss, mae") {
		t.Errorf("strict missing key: %v", err)
	}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0),
		keras.Callbacks(callbacks.EarlyStopping(callbacks.Monitor("val_los"), callbacks.Mode("min"), callbacks.StrictMonitor(true))))
	if err == nil || !strings.Contains(err.Error(), "on_train_begin") || !strings.Contains(err.Error(), "val_mae") || h.Len() != 0 {
		t.Errorf("strict impossible key: %v", err)
	}
}

func TestBadOptionsStopFitBeforeTraining(t *testing.T) {
	cases := []struct {
		cb   keras.Callback
		want string
	}{
		{callbacks.EarlyStopping(callbacks.Mode("median")), `mode must be "auto", "min" or "max"`},
		{callbacks.EarlyStopping(callbacks.Monitor("score")), `Mode("min")`},
		{callbacks.EarlyStopping(callbacks.Patience(-1)), "patience must be >= 0"},
		{callbacks.EarlyStopping(callbacks.Verbose(2)), "verbose = 2: must be 0 or 1"},
		{callbacks.ReduceLROnPlateau(callbacks.Factor(1)), "factor must be in (0, 1)"},
		{callbacks.ReduceLROnPlateau(callbacks.MinLR(-1)), "min_lr must be"},
		{callbacks.CSVLogger("x.csv", callbacks.Separator("::")), "separator must be one character"},
		{callbacks.CSVLogger(""), "empty file name"},
		{callbacks.LearningRateScheduler(nil), "nil schedule"},
	}
	x, y := regression(20, 7)
	for _, c := range cases {
		m := model(t, 7, nil)
		h, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.Verbose(0), keras.Callbacks(c.cb))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "on_train_begin") || h.Len() != 0 {
			t.Errorf("%T: err %v, want %q before training", c.cb, err, c.want)
		}
		if e, ok := c.cb.(interface{ Err() error }); !ok || e.Err() == nil {
			t.Errorf("%T: Err() is nil", c.cb)
		}
	}
}
