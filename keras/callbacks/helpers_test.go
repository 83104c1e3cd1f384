package callbacks_test

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// regression returns n rows of 3 features with y = x·(1, -2, 0.5) + 1.
func regression(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, n*3)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			x[i*3+j] = rng.NormFloat64()
		}
		y[i] = x[i*3] - 2*x[i*3+1] + 0.5*x[i*3+2] + 1
	}
	return tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

// model returns a small compiled regression model with the given
// optimizer (Adam(lr 0.01) when nil) and metric "mae".
func model(t testing.TB, seed int64, opt optimizers.Optimizer) *keras.Model {
	t.Helper()
	m := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)),
		layers.Dropout(0.1),
		layers.Dense(1),
	)
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if opt == nil {
		opt = optimizers.Adam(optimizers.LearningRate(0.01))
	}
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(opt), keras.Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	return m
}

// setAll sets every weight of m to v.
func setAll(t testing.TB, m *keras.Model, v float64) {
	t.Helper()
	ws, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		for i := range w.Data().([]float32) {
			w.Data().([]float32)[i] = float32(v)
		}
	}
	if err := m.SetWeights(ws); err != nil {
		t.Fatal(err)
	}
}

// allEqual reports whether every weight of m equals v.
func allEqual(t testing.TB, m *keras.Model, v float64) bool {
	t.Helper()
	ws, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		for _, x := range w.Data().([]float32) {
			if x != float32(v) {
				return false
			}
		}
	}
	return true
}

// sameWeights compares two weight lists bit for bit.
func sameWeights(a, b []*tensor.Dense) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i].Data().([]float32), b[i].Data().([]float32)
		if len(x) != len(y) {
			return false
		}
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false
			}
		}
	}
	return true
}

// scripted returns a Lambda that writes seq[epoch] into logs[key] at each
// epoch's end, so the callbacks after it see a scripted sequence during a
// real Fit.
func scripted(key string, seq []float64) keras.Callback {
	return lambdaEpochEnd(func(epoch int, logs keras.Logs) {
		if epoch < len(seq) {
			logs[key] = seq[epoch]
		}
	})
}

// errorsCause unwraps err to its root.
func errorsCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// binaryClassifier returns a compiled model with one sigmoid output and
// the metric "accuracy".
func binaryClassifier(t testing.TB, seed int64) *keras.Model {
	t.Helper()
	m := keras.Sequential(layers.Dense(1, layers.Activation("sigmoid"), layers.InputShape(3)))
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	return m
}

// noisyRegression is regression with Gaussian noise of the given standard
// deviation added to the targets.
func noisyRegression(n int, seed int64, sd float64) (*tensor.Dense, *tensor.Dense) {
	x, y := regression(n, seed)
	rng := rand.New(rand.NewSource(seed + 1000))
	for i, v := range y.Data().([]float64) {
		y.Data().([]float64)[i] = v + sd*rng.NormFloat64()
	}
	return x, y
}
