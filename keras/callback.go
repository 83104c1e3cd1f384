package keras

import (
	"fmt"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Logs holds the named values of an epoch or batch that callbacks see:
// "loss", each compiled metric by the name given, and during Fit the
// "val_" twins at epoch end. Callbacks may add keys (the history records
// them).
type Logs map[string]float64

// Callback is an object Fit, Evaluate and Predict call back. It receives
// the model with SetModel before anything runs, then each hook it
// implements: OnTrainBegin, OnEpochEnd, OnTrainBatchEnd, ... (the *Hook
// interfaces below). Embed CallbackBase for SetModel and Model.
//
// A hook that returns an error stops the run; Fit returns the error
// wrapped with the hook's name and the epoch.
type Callback interface {
	SetModel(m *Model)
}

// TrainBeginHook is called once when Fit starts.
type TrainBeginHook interface {
	OnTrainBegin(logs Logs) error
}

// TrainEndHook is called once when Fit ends (also after early stopping or
// cancellation), with the last epoch's logs.
type TrainEndHook interface {
	OnTrainEnd(logs Logs) error
}

// EpochBeginHook is called at the start of each epoch (0-based).
type EpochBeginHook interface {
	OnEpochBegin(epoch int, logs Logs) error
}

// EpochEndHook is called at the end of each epoch with its training and
// validation values.
type EpochEndHook interface {
	OnEpochEnd(epoch int, logs Logs) error
}

// TrainBatchBeginHook is called before each training batch (0-based
// within the epoch).
type TrainBatchBeginHook interface {
	OnTrainBatchBegin(batch int, logs Logs) error
}

// TrainBatchEndHook is called after each training batch with the epoch's
// running loss and metrics.
type TrainBatchEndHook interface {
	OnTrainBatchEnd(batch int, logs Logs) error
}

// TestBeginHook is called when Evaluate (or Fit's validation) starts.
type TestBeginHook interface {
	OnTestBegin(logs Logs) error
}

// TestEndHook is called when Evaluate (or Fit's validation) ends.
type TestEndHook interface {
	OnTestEnd(logs Logs) error
}

// TestBatchBeginHook is called before each evaluation batch.
type TestBatchBeginHook interface {
	OnTestBatchBegin(batch int, logs Logs) error
}

// TestBatchEndHook is called after each evaluation batch.
type TestBatchEndHook interface {
	OnTestBatchEnd(batch int, logs Logs) error
}

// PredictBeginHook is called when Predict starts.
type PredictBeginHook interface {
	OnPredictBegin(logs Logs) error
}

// PredictEndHook is called when Predict ends.
type PredictEndHook interface {
	OnPredictEnd(logs Logs) error
}

// PredictBatchBeginHook is called before each prediction batch.
type PredictBatchBeginHook interface {
	OnPredictBatchBegin(batch int, logs Logs) error
}

// PredictBatchEndHook is called after each prediction batch.
type PredictBatchEndHook interface {
	OnPredictBatchEnd(batch int, logs Logs) error
}

// PredictOutputsHook is called after each prediction batch with the
// batch's outputs, one tensor per model output, (batch rows, ...) (Keras
// passes them as logs["outputs"] to on_predict_batch_end). The tensors are
// reused by the next batch: copy what you keep. A callback implementing
// it gets this call instead of OnPredictBatchEnd.
type PredictOutputsHook interface {
	OnPredictBatchOutputs(batch int, outputs []*tensor.Dense) error
}

// Hook names one callback hook.
type Hook int

// The hooks, named like Keras's methods.
const (
	OnTrainBegin Hook = iota
	OnTrainEnd
	OnEpochBegin
	OnEpochEnd
	OnTrainBatchBegin
	OnTrainBatchEnd
	OnTestBegin
	OnTestEnd
	OnTestBatchBegin
	OnTestBatchEnd
	OnPredictBegin
	OnPredictEnd
	OnPredictBatchBegin
	OnPredictBatchEnd
	numHooks
)

var hookNames = [...]string{"on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
	"on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
	"on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
	"on_predict_batch_begin", "on_predict_batch_end"}

// String returns Keras's method name ("on_epoch_end").
func (h Hook) String() string {
	if h >= 0 && h < numHooks {
		return hookNames[h]
	}
	return fmt.Sprintf("Hook(%d)", int(h))
}

// HookFilter is implemented by callbacks that implement many hooks but use
// only some (callbacks.Lambda): a hook for which UsesHook is false is
// never called, so unused per-batch hooks cost nothing.
type HookFilter interface {
	UsesHook(h Hook) bool
}

// ParamsSetter is implemented by callbacks that want the run's parameters
// (Keras's callback.params) before it starts.
type ParamsSetter interface {
	SetParams(p Params)
}

// Params describes a Fit, Evaluate or Predict run.
type Params struct {
	// Epochs is the final epoch count (Fit's epochs argument).
	Epochs int `json:"epochs"`
	// Steps is the number of batches per epoch.
	Steps int `json:"steps"`
	// BatchSize is the batch size.
	BatchSize int `json:"batch_size"`
	// Samples is the number of training (or evaluated) samples.
	Samples int `json:"samples"`
	// Verbose is the verbosity (0, 1 or 2).
	Verbose int `json:"verbose"`
}

// CallbackBase implements SetModel and Model; embed it in callbacks.
type CallbackBase struct{ model *Model }

// SetModel records the model.
func (b *CallbackBase) SetModel(m *Model) { b.model = m }

// Model returns the model set by SetModel.
func (b *CallbackBase) Model() *Model { return b.model }

// callbackList dispatches hooks to the callbacks that implement and use
// them.
type callbackList struct {
	cbs   []Callback
	hooks [numHooks][]Callback
}

func newCallbackList(m *Model, p Params, cbs []Callback) *callbackList {
	cl := &callbackList{cbs: cbs}
	for _, cb := range cbs {
		cb.SetModel(m)
		if ps, ok := cb.(ParamsSetter); ok {
			ps.SetParams(p)
		}
		f, filtered := cb.(HookFilter)
		for h := Hook(0); h < numHooks; h++ {
			if implements(cb, h) && (!filtered || f.UsesHook(h)) {
				cl.hooks[h] = append(cl.hooks[h], cb)
			}
		}
	}
	return cl
}

func implements(cb Callback, h Hook) bool {
	var ok bool
	switch h {
	case OnTrainBegin:
		_, ok = cb.(TrainBeginHook)
	case OnTrainEnd:
		_, ok = cb.(TrainEndHook)
	case OnEpochBegin:
		_, ok = cb.(EpochBeginHook)
	case OnEpochEnd:
		_, ok = cb.(EpochEndHook)
	case OnTrainBatchBegin:
		_, ok = cb.(TrainBatchBeginHook)
	case OnTrainBatchEnd:
		_, ok = cb.(TrainBatchEndHook)
	case OnTestBegin:
		_, ok = cb.(TestBeginHook)
	case OnTestEnd:
		_, ok = cb.(TestEndHook)
	case OnTestBatchBegin:
		_, ok = cb.(TestBatchBeginHook)
	case OnTestBatchEnd:
		_, ok = cb.(TestBatchEndHook)
	case OnPredictBegin:
		_, ok = cb.(PredictBeginHook)
	case OnPredictEnd:
		_, ok = cb.(PredictEndHook)
	case OnPredictBatchBegin:
		_, ok = cb.(PredictBatchBeginHook)
	case OnPredictBatchEnd:
		_, ok = cb.(PredictBatchEndHook)
		if !ok {
			_, ok = cb.(PredictOutputsHook)
		}
	}
	return ok
}

// uses reports whether any callback listens to h (so that per-batch logs
// are only built when someone reads them).
func (cl *callbackList) uses(h Hook) bool { return len(cl.hooks[h]) > 0 }

// call runs hook h (with the epoch or batch index i, ignored by the
// begin/end hooks) on every listening callback; outputs are the batch's
// outputs for OnPredictBatchEnd.
func (cl *callbackList) call(h Hook, i int, logs Logs, outputs ...*tensor.Dense) error {
	for _, cb := range cl.hooks[h] {
		var err error
		switch h {
		case OnTrainBegin:
			err = cb.(TrainBeginHook).OnTrainBegin(logs)
		case OnTrainEnd:
			err = cb.(TrainEndHook).OnTrainEnd(logs)
		case OnEpochBegin:
			err = cb.(EpochBeginHook).OnEpochBegin(i, logs)
		case OnEpochEnd:
			err = cb.(EpochEndHook).OnEpochEnd(i, logs)
		case OnTrainBatchBegin:
			err = cb.(TrainBatchBeginHook).OnTrainBatchBegin(i, logs)
		case OnTrainBatchEnd:
			err = cb.(TrainBatchEndHook).OnTrainBatchEnd(i, logs)
		case OnTestBegin:
			err = cb.(TestBeginHook).OnTestBegin(logs)
		case OnTestEnd:
			err = cb.(TestEndHook).OnTestEnd(logs)
		case OnTestBatchBegin:
			err = cb.(TestBatchBeginHook).OnTestBatchBegin(i, logs)
		case OnTestBatchEnd:
			err = cb.(TestBatchEndHook).OnTestBatchEnd(i, logs)
		case OnPredictBegin:
			err = cb.(PredictBeginHook).OnPredictBegin(logs)
		case OnPredictEnd:
			err = cb.(PredictEndHook).OnPredictEnd(logs)
		case OnPredictBatchBegin:
			err = cb.(PredictBatchBeginHook).OnPredictBatchBegin(i, logs)
		case OnPredictBatchEnd:
			if oh, ok := cb.(PredictOutputsHook); ok {
				err = oh.OnPredictBatchOutputs(i, outputs)
			} else {
				err = cb.(PredictBatchEndHook).OnPredictBatchEnd(i, logs)
			}
		}
		if err != nil {
			return errors.Wrapf(err, "callback %T failed in %v", cb, h)
		}
	}
	return nil
}

// orderedKeys returns logs' keys with "loss" first, then the given
// metric names, then their "val_" twins, then any other keys sorted.
func orderedKeys(logs Logs, metricNames []string) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if _, ok := logs[k]; ok && !seen[k] {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	add("loss")
	for _, n := range metricNames {
		add(n)
	}
	add("val_loss")
	for _, n := range metricNames {
		add("val_" + n)
	}
	var rest []string
	for k := range logs {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}
