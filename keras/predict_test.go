package keras_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

func TestPredictAnyRowCount(t *testing.T) {
	m := regressionModel(t, 11)
	x, _ := regression(70, 11)
	all, err := m.Predict(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := all.Data().([]float32)
	for _, n := range []int{1, 2, 31, 32, 33, 70} {
		sub := rowsOf(x, 0, n)
		for _, bs := range []int{1, 7, 32, 100} {
			p, err := m.Predict(context.Background(), sub, keras.BatchSize(bs), keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			if !p.Shape().Eq(tensor.Shape{n, 1}) {
				t.Fatalf("n=%d: shape %v", n, p.Shape())
			}
			for i, v := range p.Data().([]float32) {
				if math.Abs(float64(v-want[i])) > 1e-5 {
					t.Fatalf("n=%d bs=%d row %d: %v, want %v", n, bs, i, v, want[i])
				}
			}
		}
	}
	// A single sample as (1, 3): the Gorgonia (n) vs (1, n) trap.
	one := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float64{0.1, 0.2, 0.3}))
	if _, err := m.Predict(context.Background(), one, keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	// A bare vector is rejected with a shape error that says what to do.
	_, err = m.Predict(context.Background(), tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})), keras.Verbose(0))
	var se *keras.ShapeError
	if !errors.As(err, &se) || se.Arg != "x" || !strings.Contains(err.Error(), "a single sample must be shaped (1, 3)") {
		t.Errorf("predicting a (3) vector: %v", err)
	}
}

// TestPredictConcurrently runs many predictions at once, some while the
// model trains; run with -race.
func TestPredictConcurrently(t *testing.T) {
	m := regressionModel(t, 12)
	x, y := regression(64, 12)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.BatchSize(8), keras.Verbose(0)); err != nil {
			errs <- err
		}
	}()
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				n := 1 + (g*7+i)%20
				sub := rowsOf(x, 0, n)
				p, err := m.Predict(context.Background(), sub, keras.Verbose(0))
				if err != nil {
					errs <- err
					return
				}
				if p.Shape()[0] != n {
					errs <- errShape
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// After training, concurrent predictions agree exactly.
	ref, _ := m.Predict(context.Background(), x, keras.Verbose(0))
	var wg2 sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			p, err := m.Predict(context.Background(), x, keras.Verbose(0))
			if err != nil {
				t.Error(err)
				return
			}
			for i, v := range p.Data().([]float32) {
				if v != ref.Data().([]float32)[i] {
					t.Error("concurrent prediction differs")
					return
				}
			}
		}()
	}
	wg2.Wait()
}

var errShape = errString("wrong prediction shape")

type errString string

func (e errString) Error() string { return string(e) }

func TestFloat64Model(t *testing.T) {
	m := keras.Sequential(layers.Dense(4, layers.Activation("tanh"), layers.InputShape(3)), layers.Dense(1))
	if err := m.SetDtype(tensor.Float64); err != nil {
		t.Fatal(err)
	}
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	x, y := regression(50, 13)
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Predict(context.Background(), x, keras.Verbose(0))
	if err != nil || p.Dtype() != tensor.Float64 || h.Len() != 3 {
		t.Fatalf("float64 model: %v %v %d", err, p.Dtype(), h.Len())
	}
	if err := m.SetDtype(tensor.Float32); err == nil {
		t.Error("SetDtype after build should fail")
	}
}

func TestWeightsRoundTrip(t *testing.T) {
	a := regressionModel(t, 14)
	b := regressionModel(t, 15)
	w, err := a.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 4 || !w[0].Shape().Eq(tensor.Shape{3, 8}) || !w[1].Shape().Eq(tensor.Shape{8}) || !w[2].Shape().Eq(tensor.Shape{8, 1}) {
		t.Fatalf("weights %v", w)
	}
	if err := b.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	x, _ := regression(20, 14)
	pa, _ := a.Predict(context.Background(), x, keras.Verbose(0))
	pb, _ := b.Predict(context.Background(), x, keras.Verbose(0))
	for i, v := range pa.Data().([]float32) {
		if pb.Data().([]float32)[i] != v {
			t.Fatal("predictions differ after SetWeights")
		}
	}
	before, _ := b.GetWeights()
	bad := []*tensor.Dense{w[0], w[1], w[2], tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))}
	if err := b.SetWeights(bad); err == nil {
		t.Error("SetWeights with a wrong shape should fail")
	}
	after, _ := b.GetWeights()
	for i := range before {
		for j, v := range before[i].Data().([]float32) {
			if after[i].Data().([]float32)[j] != v {
				t.Fatal("a failed SetWeights changed the weights")
			}
		}
	}
}

// rowsOf copies rows [from, to) of a matrix into a new (to-from, cols)
// tensor (tensor's Slice drops the row axis of a one-row slice).
func rowsOf(x *tensor.Dense, from, to int) *tensor.Dense {
	cols := x.Shape()[1]
	data := x.Data().([]float64)[from*cols : to*cols]
	return tensor.New(tensor.WithShape(to-from, cols), tensor.WithBacking(append([]float64(nil), data...)))
}

func TestArgmax(t *testing.T) {
	cases := []struct {
		pred *tensor.Dense
		want []int
	}{
		{tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1})), []int{1, 0, 2}},
		{tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{0.2, 0.5, 0.9})), []int{0, 0, 1}},
		{tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float64{1, 2, 4, 3})), []int{1, 0}},
	}
	for _, c := range cases {
		got, err := keras.Argmax(c.pred)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Argmax(%v) = %v, %v; want %v", c.pred.Data(), got, err, c.want)
		}
	}
	_, err := keras.Argmax(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, math.NaN(), 1})))
	var de *keras.DataError
	if !errors.As(err, &de) || de.Row != 1 {
		t.Errorf("Argmax of a NaN row: %v", err)
	}
	if _, err := keras.Argmax(nil); !errors.Is(err, keras.ErrNil) {
		t.Errorf("Argmax(nil): %v", err)
	}
	m := classifier(t, 3)
	x, y := blobs(90, 3)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(15), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	classes, err := m.PredictClasses(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Predict(context.Background(), x, keras.Verbose(0))
	want, _ := keras.Argmax(p)
	right := 0
	for i, c := range classes {
		if c != want[i] {
			t.Fatalf("PredictClasses[%d] = %d, Argmax of Predict %d", i, c, want[i])
		}
		if uint8(c) == y.Data().([]uint8)[i] {
			right++
		}
	}
	if right < 60 {
		t.Errorf("PredictClasses right on %d of 90 training points", right)
	}
}
