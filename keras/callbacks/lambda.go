package callbacks

import "github.com/gokeras/gokeras/keras"

// Lambda is a callback made of plain functions, one per hook (Keras:
// LambdaCallback). Hooks left nil are never called, so unused per-batch
// hooks cost nothing. The functions cannot fail a run; to stop training
// call Model.StopTraining from a closure, and to fail it implement the
// keras hook interfaces on your own type.
//
// The R tutorial's progress dots (a "." per epoch, a new line every 80):
//
//	printDot := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
//		if epoch%80 == 0 {
//			fmt.Println()
//		}
//		fmt.Print(".")
//	}}
type Lambda struct {
	// TrainBegin is called when Fit starts.
	TrainBegin func(logs keras.Logs)
	// TrainEnd is called when Fit ends (not after cancellation).
	TrainEnd func(logs keras.Logs)
	// EpochBegin is called before each epoch (0-based).
	EpochBegin func(epoch int, logs keras.Logs)
	// EpochEnd is called after each epoch with its training and
	// validation values.
	EpochEnd func(epoch int, logs keras.Logs)
	// TrainBatchBegin is called before each training batch (0-based
	// within the epoch).
	TrainBatchBegin func(batch int, logs keras.Logs)
	// TrainBatchEnd is called after each training batch with the epoch's
	// running values.
	TrainBatchEnd func(batch int, logs keras.Logs)
	// TestBegin is called when Evaluate or Fit's validation starts.
	TestBegin func(logs keras.Logs)
	// TestEnd is called when Evaluate or Fit's validation ends.
	TestEnd func(logs keras.Logs)
	// TestBatchBegin is called before each evaluation batch.
	TestBatchBegin func(batch int, logs keras.Logs)
	// TestBatchEnd is called after each evaluation batch.
	TestBatchEnd func(batch int, logs keras.Logs)
	// PredictBegin is called when Predict starts.
	PredictBegin func(logs keras.Logs)
	// PredictEnd is called when Predict ends.
	PredictEnd func(logs keras.Logs)
	// PredictBatchBegin is called before each prediction batch.
	PredictBatchBegin func(batch int, logs keras.Logs)
	// PredictBatchEnd is called after each prediction batch.
	PredictBatchEnd func(batch int, logs keras.Logs)
}

// SetModel does nothing: the functions capture whatever they need.
func (Lambda) SetModel(*keras.Model) {}

// UsesHook reports whether the function for h is set.
func (l Lambda) UsesHook(h keras.Hook) bool {
	switch h {
	case keras.OnTrainBegin:
		return l.TrainBegin != nil
	case keras.OnTrainEnd:
		return l.TrainEnd != nil
	case keras.OnEpochBegin:
		return l.EpochBegin != nil
	case keras.OnEpochEnd:
		return l.EpochEnd != nil
	case keras.OnTrainBatchBegin:
		return l.TrainBatchBegin != nil
	case keras.OnTrainBatchEnd:
		return l.TrainBatchEnd != nil
	case keras.OnTestBegin:
		return l.TestBegin != nil
	case keras.OnTestEnd:
		return l.TestEnd != nil
	case keras.OnTestBatchBegin:
		return l.TestBatchBegin != nil
	case keras.OnTestBatchEnd:
		return l.TestBatchEnd != nil
	case keras.OnPredictBegin:
		return l.PredictBegin != nil
	case keras.OnPredictEnd:
		return l.PredictEnd != nil
	case keras.OnPredictBatchBegin:
		return l.PredictBatchBegin != nil
	case keras.OnPredictBatchEnd:
		return l.PredictBatchEnd != nil
	}
	return false
}

func call0(f func(keras.Logs), logs keras.Logs) error {
	if f != nil {
		f(logs)
	}
	return nil
}

func call1(f func(int, keras.Logs), i int, logs keras.Logs) error {
	if f != nil {
		f(i, logs)
	}
	return nil
}

// OnTrainBegin calls TrainBegin.
func (l Lambda) OnTrainBegin(logs keras.Logs) error { return call0(l.TrainBegin, logs) }

// OnTrainEnd calls TrainEnd.
func (l Lambda) OnTrainEnd(logs keras.Logs) error { return call0(l.TrainEnd, logs) }

// OnEpochBegin calls EpochBegin.
func (l Lambda) OnEpochBegin(epoch int, logs keras.Logs) error {
	return call1(l.EpochBegin, epoch, logs)
}

// OnEpochEnd calls EpochEnd.
func (l Lambda) OnEpochEnd(epoch int, logs keras.Logs) error { return call1(l.EpochEnd, epoch, logs) }

// OnTrainBatchBegin calls TrainBatchBegin.
func (l Lambda) OnTrainBatchBegin(batch int, logs keras.Logs) error {
	return call1(l.TrainBatchBegin, batch, logs)
}

// OnTrainBatchEnd calls TrainBatchEnd.
func (l Lambda) OnTrainBatchEnd(batch int, logs keras.Logs) error {
	return call1(l.TrainBatchEnd, batch, logs)
}

// OnTestBegin calls TestBegin.
func (l Lambda) OnTestBegin(logs keras.Logs) error { return call0(l.TestBegin, logs) }

// OnTestEnd calls TestEnd.
func (l Lambda) OnTestEnd(logs keras.Logs) error { return call0(l.TestEnd, logs) }

// OnTestBatchBegin calls TestBatchBegin.
func (l Lambda) OnTestBatchBegin(batch int, logs keras.Logs) error {
	return call1(l.TestBatchBegin, batch, logs)
}

// OnTestBatchEnd calls TestBatchEnd.
func (l Lambda) OnTestBatchEnd(batch int, logs keras.Logs) error {
	return call1(l.TestBatchEnd, batch, logs)
}

// OnPredictBegin calls PredictBegin.
func (l Lambda) OnPredictBegin(logs keras.Logs) error { return call0(l.PredictBegin, logs) }

// OnPredictEnd calls PredictEnd.
func (l Lambda) OnPredictEnd(logs keras.Logs) error { return call0(l.PredictEnd, logs) }

// OnPredictBatchBegin calls PredictBatchBegin.
func (l Lambda) OnPredictBatchBegin(batch int, logs keras.Logs) error {
	return call1(l.PredictBatchBegin, batch, logs)
}

// OnPredictBatchEnd calls PredictBatchEnd.
func (l Lambda) OnPredictBatchEnd(batch int, logs keras.Logs) error {
	return call1(l.PredictBatchEnd, batch, logs)
}
