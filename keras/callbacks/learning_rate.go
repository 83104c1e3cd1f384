package callbacks

import (
	"fmt"
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// ReduceLROnPlateauCallback lowers the learning rate when a monitored
// quantity stops improving. Make one with ReduceLROnPlateau.
type ReduceLROnPlateauCallback struct {
	keras.CallbackBase
	s   *settings
	mon *monitor
	err error

	best     float64
	wait     int
	cooldown int
}

// ReduceLROnPlateau returns a callback that multiplies the optimizer's
// learning rate by Factor when the monitored quantity has not improved
// for Patience epochs (Keras: ReduceLROnPlateau).
//
// Options and defaults: Monitor("val_loss"), Factor(0.1), Patience(10),
// Mode("auto"; names it cannot place count as losses, as in Keras),
// MinDelta(1e-4), Cooldown(0), MinLR(0), Verbose(0), plus Output,
// Warnings, StrictMonitor.
//
// After each epoch: an improvement (beating the best by more than
// MinDelta) resets the wait; otherwise, outside the cooldown, the wait
// grows and when it reaches Patience the rate becomes max(rate*Factor,
// MinLR) (only if the rate is above MinLR), the wait restarts and the
// cooldown begins: for Cooldown epochs the wait is held at 0. The rate in
// force during the epoch is logged as "learning_rate", so the history
// records it.
func ReduceLROnPlateau(opts ...ReduceLROnPlateauOption) *ReduceLROnPlateauCallback {
	r := &ReduceLROnPlateauCallback{}
	r.s, r.err = newSettings("ReduceLROnPlateau", func(s *settings) { s.factor, s.patience, s.minDelta = 0.1, 10, 1e-4 }, opts, ReduceLROnPlateauOption.applyReduceLROnPlateau)
	if r.err == nil {
		r.mon, r.err = newMonitor("ReduceLROnPlateau", r.s)
	}
	if r.err == nil {
		switch {
		case !(r.s.factor > 0 && r.s.factor < 1):
			r.err = errors.Errorf("callbacks: ReduceLROnPlateau: factor must be in (0, 1), got %v", r.s.factor)
		case r.s.patience < 0:
			r.err = errors.Errorf("callbacks: ReduceLROnPlateau: patience must be >= 0, got %d", r.s.patience)
		case r.s.cooldown < 0:
			r.err = errors.Errorf("callbacks: ReduceLROnPlateau: cooldown must be >= 0, got %d", r.s.cooldown)
		case !(r.s.minLR >= 0) || math.IsInf(r.s.minLR, 1):
			r.err = errors.Errorf("callbacks: ReduceLROnPlateau: min_lr must be finite and >= 0, got %v", r.s.minLR)
		}
	}
	return r
}

// Err returns the error in the options, if any; OnTrainBegin returns it
// too.
func (r *ReduceLROnPlateauCallback) Err() error { return r.err }

func optimizerOf(class string, m *keras.Model) (optimizers.Optimizer, error) {
	if err := modelOf(class, m); err != nil {
		return nil, err
	}
	opt := m.Optimizer()
	if opt == nil {
		return nil, errors.Errorf("callbacks: %s: the model is not compiled", class)
	}
	return opt, nil
}

// OnTrainBegin checks the options and resets the wait, cooldown and best
// value.
func (r *ReduceLROnPlateauCallback) OnTrainBegin(keras.Logs) error {
	if r.err != nil {
		return r.err
	}
	if _, err := optimizerOf("ReduceLROnPlateau", r.Model()); err != nil {
		return err
	}
	r.best, r.wait, r.cooldown = r.mon.worst(), 0, 0
	return r.mon.begin(r.Model())
}

// OnEpochEnd logs the learning rate and lowers it when patience runs out.
func (r *ReduceLROnPlateauCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if r.err != nil {
		return r.err
	}
	opt, err := optimizerOf("ReduceLROnPlateau", r.Model())
	if err != nil {
		return err
	}
	if logs != nil {
		logs["learning_rate"] = opt.LearningRate()
	}
	current, ok, err := r.mon.value(logs)
	if err != nil || !ok {
		return err
	}
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	if r.mon.better(current, r.best) {
		r.best, r.wait = current, 0
		return nil
	}
	if r.cooldown > 0 {
		return nil
	}
	r.wait++
	if r.wait < r.s.patience {
		return nil
	}
	old := opt.LearningRate()
	if old > r.s.minLR {
		lr := math.Max(old*r.s.factor, r.s.minLR)
		if err := opt.SetLearningRate(lr); err != nil {
			return errors.Wrap(err, "callbacks: ReduceLROnPlateau")
		}
		if r.s.verbose > 0 {
			fmt.Fprintf(r.s.out, "\nEpoch %d: ReduceLROnPlateau reducing learning rate to %v.\n", epoch+1, lr)
		}
		r.cooldown, r.wait = r.s.cooldown, 0
	}
	return nil
}

// Wait returns the epochs counted since the last improvement.
func (r *ReduceLROnPlateauCallback) Wait() int { return r.wait }

// Best returns the best monitored value so far.
func (r *ReduceLROnPlateauCallback) Best() float64 { return r.best }

// LearningRateSchedulerCallback sets the learning rate before every
// epoch. Make one with LearningRateScheduler.
type LearningRateSchedulerCallback struct {
	keras.CallbackBase
	schedule func(epoch int, lr float64) float64
	s        *settings
	err      error
}

// LearningRateScheduler returns a callback that, before each epoch, sets
// the optimizer's learning rate to schedule(epoch, current rate) (Keras:
// LearningRateScheduler; epoch is 0-based). The rate in force is logged
// as "learning_rate" after the epoch. A rate that is negative, NaN or
// infinite stops Fit with an error. Options: Verbose(0), Output.
func LearningRateScheduler(schedule func(epoch int, lr float64) float64, opts ...LearningRateSchedulerOption) *LearningRateSchedulerCallback {
	l := &LearningRateSchedulerCallback{schedule: schedule}
	l.s, l.err = newSettings("LearningRateScheduler", nil, opts, LearningRateSchedulerOption.applyLearningRateScheduler)
	if l.err == nil && schedule == nil {
		l.err = errors.New("callbacks: LearningRateScheduler: nil schedule")
	}
	return l
}

// Err returns the error in the arguments, if any; OnTrainBegin returns it
// too.
func (l *LearningRateSchedulerCallback) Err() error { return l.err }

// OnTrainBegin checks the arguments and the model.
func (l *LearningRateSchedulerCallback) OnTrainBegin(keras.Logs) error {
	if l.err != nil {
		return l.err
	}
	_, err := optimizerOf("LearningRateScheduler", l.Model())
	return err
}

// OnEpochBegin sets the epoch's learning rate.
func (l *LearningRateSchedulerCallback) OnEpochBegin(epoch int, _ keras.Logs) error {
	if l.err != nil {
		return l.err
	}
	opt, err := optimizerOf("LearningRateScheduler", l.Model())
	if err != nil {
		return err
	}
	lr := l.schedule(epoch, opt.LearningRate())
	if err := opt.SetLearningRate(lr); err != nil {
		return errors.Wrapf(err, "callbacks: LearningRateScheduler: schedule(%d) = %v", epoch, lr)
	}
	if l.s.verbose > 0 {
		fmt.Fprintf(l.s.out, "\nEpoch %d: LearningRateScheduler setting learning rate to %v.\n", epoch+1, lr)
	}
	return nil
}

// OnEpochEnd logs the learning rate as "learning_rate".
func (l *LearningRateSchedulerCallback) OnEpochEnd(_ int, logs keras.Logs) error {
	opt, err := optimizerOf("LearningRateScheduler", l.Model())
	if err != nil {
		return err
	}
	if logs != nil {
		logs["learning_rate"] = opt.LearningRate()
	}
	return nil
}

// TerminateOnNaNCallback stops training at the first NaN or infinite
// loss. Make one with TerminateOnNaN.
type TerminateOnNaNCallback struct {
	keras.CallbackBase
	s   *settings
	err error
}

// TerminateOnNaN returns a callback that stops training when a batch's
// (running) loss is NaN or infinite (Keras: TerminateOnNaN). By default it
// stops cleanly, like EarlyStopping, printing "Batch b: Invalid loss,
// terminating training" to Output (os.Stdout); with RaiseError(true) Fit
// instead fails with an error and OnTrainEnd hooks are not called.
func TerminateOnNaN(opts ...TerminateOnNaNOption) *TerminateOnNaNCallback {
	t := &TerminateOnNaNCallback{}
	t.s, t.err = newSettings("TerminateOnNaN", nil, opts, TerminateOnNaNOption.applyTerminateOnNaN)
	return t
}

// Err returns the error in the options, if any; OnTrainBegin returns it
// too.
func (t *TerminateOnNaNCallback) Err() error { return t.err }

// OnTrainBegin checks the options.
func (t *TerminateOnNaNCallback) OnTrainBegin(keras.Logs) error {
	if t.err != nil {
		return t.err
	}
	return modelOf("TerminateOnNaN", t.Model())
}

// OnTrainBatchEnd checks the loss.
func (t *TerminateOnNaNCallback) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	loss, ok := logs["loss"]
	if !ok || !(math.IsNaN(loss) || math.IsInf(loss, 0)) {
		return nil
	}
	if t.s.raiseError {
		return errors.Errorf("callbacks: TerminateOnNaN: NaN or Inf loss at batch %d: %v", batch, loss)
	}
	fmt.Fprintf(t.s.out, "Batch %d: Invalid loss, terminating training\n", batch)
	t.Model().StopTraining()
	return nil
}
