package callbacks_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
)

func lambdaEpochEnd(f func(int, keras.Logs)) keras.Callback { return callbacks.Lambda{EpochEnd: f} }

func TestLambdaPrintDot(t *testing.T) {
	x, y := regression(8, 1)
	m := model(t, 1, nil)
	var out bytes.Buffer
	// The R tutorial's print_dot_callback.
	printDot := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		if epoch%80 == 0 {
			fmt.Fprintln(&out)
		}
		fmt.Fprint(&out, ".")
	}}
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(170), keras.BatchSize(8), keras.Verbose(0), keras.Callbacks(printDot)); err != nil {
		t.Fatal(err)
	}
	want := "\n" + strings.Repeat(".", 80) + "\n" + strings.Repeat(".", 80) + "\n" + strings.Repeat(".", 10)
	if out.String() != want {
		t.Errorf("print_dot output %q", out.String())
	}
}

func TestLambdaCallsOnlyTheHooksItHas(t *testing.T) {
	var calls []string
	rec := func(name string) func(int, keras.Logs) {
		return func(i int, _ keras.Logs) { calls = append(calls, fmt.Sprintf("%s %d", name, i)) }
	}
	l := callbacks.Lambda{
		TrainBegin:      func(keras.Logs) { calls = append(calls, "train_begin") },
		EpochBegin:      rec("epoch_begin"),
		TrainBatchEnd:   rec("batch_end"),
		TestBatchEnd:    rec("test_batch_end"),
		EpochEnd:        rec("epoch_end"),
		TrainEnd:        func(keras.Logs) { calls = append(calls, "train_end") },
		PredictBegin:    func(keras.Logs) { calls = append(calls, "predict_begin") },
		PredictBatchEnd: rec("predict_batch_end"),
	}
	for h := keras.OnTrainBegin; h <= keras.OnPredictBatchEnd; h++ {
		want := h == keras.OnTrainBegin || h == keras.OnEpochBegin || h == keras.OnTrainBatchEnd || h == keras.OnTestBatchEnd ||
			h == keras.OnEpochEnd || h == keras.OnTrainEnd || h == keras.OnPredictBegin || h == keras.OnPredictBatchEnd
		if l.UsesHook(h) != want {
			t.Errorf("UsesHook(%v) = %v", h, !want)
		}
	}
	x, y := regression(20, 2)
	m := model(t, 2, nil)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(10), keras.ValidationSplit(0.5), keras.Verbose(0), keras.Callbacks(l)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(context.Background(), x, keras.BatchSize(15), keras.Verbose(0), keras.Callbacks(l)); err != nil {
		t.Fatal(err)
	}
	want := "train_begin|epoch_begin 0|batch_end 0|test_batch_end 0|epoch_end 0|epoch_begin 1|batch_end 0|test_batch_end 0|epoch_end 1|train_end|" +
		"predict_begin|predict_batch_end 0|predict_batch_end 1"
	if got := strings.Join(calls, "|"); got != want {
		t.Errorf("calls\n%s\nwant\n%s", got, want)
	}
}
