package callbacks_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// plateau is a loss that improves twice and then stalls.
var plateau = []float64{10, 9, 9, 9, 9, 9, 9, 9, 9, 9}

// plateauRates are the rates in force during each epoch of plateau with
// Factor(0.5), Patience(2), Cooldown(1), MinLR(0.2) from rate 1: reduced
// after epochs 3, 5 and 7 (the last one clipped to MinLR), then held.
var plateauRates = []float64{1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2}

func plateauCallback(opts ...callbacks.ReduceLROnPlateauOption) *callbacks.ReduceLROnPlateauCallback {
	return callbacks.ReduceLROnPlateau(append([]callbacks.ReduceLROnPlateauOption{callbacks.Monitor("score"), callbacks.Factor(0.5), callbacks.Patience(2),
		callbacks.Cooldown(1), callbacks.MinLR(0.2)}, opts...)...)
}

func TestReduceLROnPlateauScripted(t *testing.T) {
	m := model(t, 8, optimizers.SGD(optimizers.LearningRate(1)))
	r := plateauCallback()
	r.SetModel(m)
	if err := r.OnTrainBegin(nil); err != nil {
		t.Fatal(err)
	}
	for e, v := range plateau {
		logs := keras.Logs{"score": v}
		if err := r.OnEpochEnd(e, logs); err != nil {
			t.Fatal(err)
		}
		if logs["learning_rate"] != plateauRates[e] {
			t.Errorf("epoch %d: logged rate %v, want %v", e, logs["learning_rate"], plateauRates[e])
		}
		next := plateauRates[min(e+1, len(plateauRates)-1)]
		if lr := m.Optimizer().LearningRate(); lr != next {
			t.Errorf("after epoch %d: rate %v, want %v", e, lr, next)
		}
	}
	// Without cooldown and MinLR: reductions after epochs 3, 5, 7, 9.
	m = model(t, 8, optimizers.SGD(optimizers.LearningRate(1)))
	r = callbacks.ReduceLROnPlateau(callbacks.Monitor("score"), callbacks.Factor(0.5), callbacks.Patience(2))
	r.SetModel(m)
	_ = r.OnTrainBegin(nil)
	var rates []float64
	for e, v := range plateau {
		_ = r.OnEpochEnd(e, keras.Logs{"score": v})
		rates = append(rates, m.Optimizer().LearningRate())
	}
	want := []float64{1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625}
	for i := range want {
		if rates[i] != want[i] {
			t.Fatalf("rates %v, want %v", rates, want)
		}
	}
	// min_delta: 9.99995 is not an improvement on 10 with the default 1e-4.
	m = model(t, 8, optimizers.SGD(optimizers.LearningRate(1)))
	r = callbacks.ReduceLROnPlateau(callbacks.Monitor("score"), callbacks.Patience(1))
	r.SetModel(m)
	_ = r.OnTrainBegin(nil)
	_ = r.OnEpochEnd(0, keras.Logs{"score": 10})
	_ = r.OnEpochEnd(1, keras.Logs{"score": 9.99995})
	if lr := m.Optimizer().LearningRate(); math.Abs(lr-0.1) > 1e-15 {
		t.Errorf("rate after a sub-min_delta change: %v, want 0.1", lr)
	}
}

func TestReduceLROnPlateauInFit(t *testing.T) {
	x, y := regression(40, 9)
	m := model(t, 9, optimizers.SGD(optimizers.LearningRate(1e-3)))
	var msg bytes.Buffer
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(10), keras.BatchSize(20), keras.Verbose(0),
		keras.Callbacks(scripted("score", plateau), plateauCallback(callbacks.MinLR(2e-4), callbacks.Verbose(1), callbacks.Output(&msg))))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := h.Get("learning_rate")
	if !ok {
		t.Fatalf("no learning_rate in history %v", h.Keys())
	}
	for i, want := range plateauRates {
		if math.Abs(got[i]-want*1e-3) > 1e-15 {
			t.Errorf("epoch %d: rate %v, want %v", i, got[i], want*1e-3)
		}
	}
	if !strings.Contains(msg.String(), "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.0005.") {
		t.Errorf("verbose message: %q", msg.String())
	}
}

func TestLearningRateScheduler(t *testing.T) {
	x, y := regression(40, 10)
	m := model(t, 10, optimizers.Adam(optimizers.LearningRate(0.01)))
	halve := func(epoch int, lr float64) float64 {
		if epoch < 2 {
			return lr
		}
		return lr / 2
	}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.LearningRateScheduler(halve)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.Get("learning_rate")
	want := []float64{0.01, 0.01, 0.005, 0.0025, 0.00125}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("rates %v, want %v", got, want)
		}
	}
	bad := func(epoch int, lr float64) float64 { return float64(1 - epoch) }
	h, err = m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.LearningRateScheduler(bad)))
	if err == nil || !strings.Contains(err.Error(), "schedule(2) = -1") || !strings.Contains(err.Error(), "on_epoch_begin") || h.Len() != 2 {
		t.Errorf("negative rate: %v after %d epochs", err, h.Len())
	}
}

func TestTerminateOnNaN(t *testing.T) {
	x, y := regression(40, 11)
	for _, raise := range []bool{false, true} {
		// A learning rate of 1e30 overflows the weights within a few steps.
		m := model(t, 11, optimizers.SGD(optimizers.LearningRate(1e30)))
		var out bytes.Buffer
		h, err := m.Fit(context.Background(), x, y, keras.Epochs(50), keras.BatchSize(4), keras.Verbose(0),
			keras.Callbacks(callbacks.TerminateOnNaN(callbacks.RaiseError(raise), callbacks.Output(&out))))
		if raise {
			if err == nil || !strings.Contains(err.Error(), "NaN or Inf loss at batch") {
				t.Errorf("RaiseError: err %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		loss, _ := h.Last("loss")
		if h.Len() != 1 || !(math.IsNaN(loss) || math.IsInf(loss, 0)) || !strings.Contains(out.String(), "Invalid loss, terminating training") {
			t.Errorf("stopped after %d epochs with loss %v, output %q", h.Len(), loss, out.String())
		}
	}
}

func TestTerminateOnNaNScripted(t *testing.T) {
	for _, loss := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		m := model(t, 12, nil)
		var out bytes.Buffer
		c := callbacks.TerminateOnNaN(callbacks.Output(&out))
		c.SetModel(m)
		if err := c.OnTrainBegin(nil); err != nil {
			t.Fatal(err)
		}
		if err := c.OnTrainBatchEnd(0, keras.Logs{"loss": 1e30}); err != nil || m.StopRequested() {
			t.Fatalf("finite loss stopped training: %v", err)
		}
		if err := c.OnTrainBatchEnd(4, keras.Logs{"loss": loss}); err != nil || !m.StopRequested() || out.String() != "Batch 4: Invalid loss, terminating training\n" {
			t.Errorf("loss %v: err %v, stop %v, output %q", loss, err, m.StopRequested(), out.String())
		}
	}
}
