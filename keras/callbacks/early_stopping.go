package callbacks

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

// EarlyStoppingCallback stops training when a monitored quantity has
// stopped improving. Make one with EarlyStopping.
type EarlyStoppingCallback struct {
	keras.CallbackBase
	s   *settings
	mon *monitor
	err error

	wait         int
	best         float64
	bestEpoch    int
	stoppedEpoch int
	bestWeights  []*tensor.Dense
}

// EarlyStopping returns a callback that stops training when the monitored
// quantity stops improving (Keras: EarlyStopping), with Keras 3's rules:
//
//   - Options and defaults: Monitor("val_loss"), MinDelta(0), Patience(0),
//     Mode("auto"), Baseline (none), RestoreBestWeights(false),
//     StartFromEpoch(0), Verbose(0), plus Output, Warnings, StrictMonitor.
//   - After each epoch from StartFromEpoch on, an epoch improves when its
//     value beats the best so far by more than MinDelta. A counter of
//     epochs since the last improvement is reset by an improvement that
//     also beats the Baseline; training stops when the counter reaches
//     Patience (never after the first epoch).
//   - With RestoreBestWeights, the weights of the best epoch are put back
//     when training ends, whatever ended it (Keras 3; Keras 2 restored only
//     when this callback stopped training). If no epoch beat the baseline,
//     the best of the epochs seen is restored. A cancelled Fit does not
//     call OnTrainEnd, so nothing is restored then.
//   - A monitored key missing from the logs gives a warning listing the
//     available keys (StrictMonitor: an error) and the epoch is skipped.
//
// The history of a stopped run simply ends at the last epoch run.
func EarlyStopping(opts ...EarlyStoppingOption) *EarlyStoppingCallback {
	e := &EarlyStoppingCallback{}
	e.s, e.err = newSettings("EarlyStopping", nil, opts, EarlyStoppingOption.applyEarlyStopping)
	if e.err == nil {
		e.mon, e.err = newMonitor("EarlyStopping", e.s)
	}
	if e.err == nil && e.s.patience < 0 {
		e.err = errors.Errorf("callbacks: EarlyStopping: patience must be >= 0, got %d", e.s.patience)
	}
	if e.err == nil && e.s.startFromEpoch < 0 {
		e.err = errors.Errorf("callbacks: EarlyStopping: start_from_epoch must be >= 0, got %d", e.s.startFromEpoch)
	}
	return e
}

// Err returns the error in the options, if any; OnTrainBegin returns it
// too, so that Fit stops before training.
func (e *EarlyStoppingCallback) Err() error { return e.err }

// OnTrainBegin checks the options and resets the state, so the callback
// can be reused across Fit calls.
func (e *EarlyStoppingCallback) OnTrainBegin(keras.Logs) error {
	if e.err != nil {
		return e.err
	}
	if err := modelOf("EarlyStopping", e.Model()); err != nil {
		return err
	}
	e.wait, e.stoppedEpoch, e.bestEpoch, e.bestWeights = 0, 0, 0, nil
	e.best = e.mon.worst()
	return e.mon.begin(e.Model())
}

// OnEpochEnd counts the epochs without improvement and stops training when
// patience runs out.
func (e *EarlyStoppingCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if e.err != nil {
		return e.err
	}
	current, ok, err := e.mon.value(logs)
	if err != nil || !ok || epoch < e.s.startFromEpoch {
		return err
	}
	if e.s.restoreBestWeights && e.bestWeights == nil {
		if err := e.keepWeights(epoch); err != nil {
			return err
		}
	}
	e.wait++
	if e.mon.better(current, e.best) {
		e.best, e.bestEpoch = current, epoch
		if e.s.restoreBestWeights {
			if err := e.keepWeights(epoch); err != nil {
				return err
			}
		}
		if e.s.baseline == nil || e.mon.better(current, *e.s.baseline) {
			e.wait = 0
		}
		return nil
	}
	if e.wait >= e.s.patience && epoch > 0 {
		e.stoppedEpoch = epoch
		e.Model().StopTraining()
	}
	return nil
}

func (e *EarlyStoppingCallback) keepWeights(epoch int) error {
	w, err := e.Model().GetWeights()
	if err != nil {
		return errors.Wrap(err, "callbacks: EarlyStopping")
	}
	e.bestWeights, e.bestEpoch = w, epoch
	return nil
}

// OnTrainEnd reports the stop (Verbose) and restores the best weights
// (RestoreBestWeights).
func (e *EarlyStoppingCallback) OnTrainEnd(keras.Logs) error {
	if e.err != nil {
		return e.err
	}
	if e.stoppedEpoch > 0 && e.s.verbose > 0 {
		fmt.Fprintf(e.s.out, "Epoch %d: early stopping\n", e.stoppedEpoch+1)
	}
	if e.s.restoreBestWeights && e.bestWeights != nil {
		if e.s.verbose > 0 {
			fmt.Fprintf(e.s.out, "Restoring model weights from the end of the best epoch: %d.\n", e.bestEpoch+1)
		}
		if err := e.Model().SetWeights(e.bestWeights); err != nil {
			return errors.Wrap(err, "callbacks: EarlyStopping: restoring the best weights")
		}
	}
	return nil
}

// StoppedEpoch returns the 0-based epoch at which this callback stopped
// training, or 0 if it did not (Keras: stopped_epoch).
func (e *EarlyStoppingCallback) StoppedEpoch() int { return e.stoppedEpoch }

// BestEpoch returns the 0-based epoch with the best monitored value so far
// (Keras: best_epoch).
func (e *EarlyStoppingCallback) BestEpoch() int { return e.bestEpoch }

// Best returns the best monitored value so far (+Inf or -Inf before any).
func (e *EarlyStoppingCallback) Best() float64 { return e.best }

// Wait returns the number of epochs since the last improvement that
// counted (Keras: wait).
func (e *EarlyStoppingCallback) Wait() int { return e.wait }
