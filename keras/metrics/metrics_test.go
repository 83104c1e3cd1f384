package metrics_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/metrics"
)

func TestMetricValues(t *testing.T) {
	cases := []struct {
		metric metrics.Metric
		batch  metrics.Batch
		want   float64
	}{
		// 2 of 3 rows have their largest prediction at the label.
		{metrics.SparseCategoricalAccuracy(), metrics.Batch{Rows: 3, YTrue: []float64{0, 1, 2},
			YPred: []float64{.8, .1, .1, .2, .7, .1, .5, .3, .2}}, 2.0 / 3},
		{metrics.CategoricalAccuracy(), metrics.Batch{Rows: 2, YTrue: []float64{1, 0, 0, 1},
			YPred: []float64{.6, .4, .7, .3}}, 0.5},
		// threshold 0.5: predictions 1, 0, 1, 0 against 1, 0, 0, 0.
		{metrics.BinaryAccuracy(), metrics.Batch{Rows: 4, YTrue: []float64{1, 0, 0, 0},
			YPred: []float64{.9, .1, .6, .5}}, 0.75},
		{metrics.MeanAbsoluteError(), metrics.Batch{Rows: 2, YTrue: []float64{1, 2}, YPred: []float64{1.5, 4}}, 1.25},
		{metrics.MeanSquaredError(), metrics.Batch{Rows: 2, YTrue: []float64{1, 2}, YPred: []float64{1.5, 4}}, 2.125},
		// Sample weights: (3*0.5 + 1*2) / (3+1).
		{metrics.MeanAbsoluteError(), metrics.Batch{Rows: 2, YTrue: []float64{1, 2}, YPred: []float64{1.5, 4},
			SampleWeight: []float64{3, 1}}, 3.5 / 4},
	}
	for _, c := range cases {
		c.metric.Reset()
		if err := c.metric.Update(c.batch); err != nil {
			t.Fatal(err)
		}
		if got := c.metric.Result(); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s = %v, want %v", c.metric.Name(), got, c.want)
		}
	}
}

// TestExactOverBatches checks that results are over samples, not an average
// of batch averages: batches of 3 and 1 rows.
func TestExactOverBatches(t *testing.T) {
	m := metrics.MeanAbsoluteError()
	_ = m.Update(metrics.Batch{Rows: 3, YTrue: []float64{0, 0, 0}, YPred: []float64{1, 1, 1}})
	_ = m.Update(metrics.Batch{Rows: 1, YTrue: []float64{0}, YPred: []float64{5}})
	if got := m.Result(); got != 2 { // (1+1+1+5)/4, not (1+5)/2
		t.Errorf("mae over batches = %v, want 2", got)
	}
	m.Reset()
	if m.Result() != 0 {
		t.Error("Reset did not clear the state")
	}
	if err := m.Update(metrics.Batch{Rows: 2, YTrue: []float64{0}, YPred: []float64{1, 2}}); err == nil {
		t.Error("a batch with 1 target for 2 rows should fail")
	}
}

func TestNamesAndAccuracyResolution(t *testing.T) {
	if m, _ := metrics.Get("mae"); m.Name() != "mae" {
		t.Errorf(`Get("mae").Name() = %q; the history key is the name given`, m.Name())
	}
	_, err := metrics.Get("mea")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "mea" || un.Known[0] != "acc" || un.Known[1] != "accuracy" {
		t.Errorf("unknown metric error = %v", err)
	}
	cases := []struct {
		sparse, binary bool
		width          int
		want           string
	}{
		{true, false, 10, "sparse"},
		{false, true, 1, "binary"},
		{false, false, 1, "binary"},
		{false, false, 10, "categorical"},
	}
	for _, c := range cases {
		m := metrics.Accuracy("accuracy", c.sparse, c.binary, c.width)
		// Tell the kinds apart by their behaviour on one row.
		var b metrics.Batch
		switch c.want {
		case "sparse":
			b = metrics.Batch{Rows: 1, YTrue: []float64{1}, YPred: make([]float64, c.width)}
			b.YPred[1] = 1
		case "binary":
			b = metrics.Batch{Rows: 1, YTrue: []float64{1}, YPred: []float64{0.9}}
		default:
			b = metrics.Batch{Rows: 1, YTrue: make([]float64, c.width), YPred: make([]float64, c.width)}
			b.YTrue[3], b.YPred[3] = 1, 1
		}
		if err := m.Update(b); err != nil || m.Result() != 1 || m.Name() != "accuracy" {
			t.Errorf("%+v: %v %v %q", c, err, m.Result(), m.Name())
		}
	}
	if got := metrics.Aliases("val_acc"); len(got) != 1 || got[0] != "val_accuracy" {
		t.Errorf("Aliases(val_acc) = %v", got)
	}
	if got := metrics.Aliases("mean_absolute_error"); len(got) != 1 || got[0] != "mae" {
		t.Errorf("Aliases(mean_absolute_error) = %v", got)
	}
}

func ExampleMeanAbsoluteError() {
	m := metrics.MeanAbsoluteError()
	_ = m.Update(metrics.Batch{Rows: 2, YTrue: []float64{1, 2}, YPred: []float64{1.5, 4}})
	fmt.Println(m.Name(), m.Result())
	// Output: mean_absolute_error 1.25
}
