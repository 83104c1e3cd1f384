package keras_test

import (
	"context"
	"math"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

func dense(shape []int, data any) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// Matchers for the errors callers branch on.

func isShape(arg string, got ...int) func(error) bool {
	return func(err error) bool {
		var se *keras.ShapeError
		if !errors.As(err, &se) || se.Arg != arg {
			return false
		}
		return got == nil || equalInts(se.Got, got)
	}
}

func isData(arg string, row, col int) func(error) bool {
	return func(err error) bool {
		var de *keras.DataError
		return errors.As(err, &de) && de.Arg == arg && de.Row == row && de.Col == col
	}
}

func isOption(kw string) func(error) bool {
	return func(err error) bool {
		var oe *keras.OptionError
		return errors.As(err, &oe) && oe.Option == kw
	}
}

func isUnknown(kind, name string) func(error) bool {
	return func(err error) bool {
		var ue *keras.UnknownNameError
		return errors.As(err, &ue) && ue.Kind == kind && ue.Name == name && len(ue.Known) > 0
	}
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func TestBadInputIsReportedBeforeTraining(t *testing.T) {
	ctx := context.Background()
	x, y := regression(10, 1)
	cls := classifier(t, 1)
	cx, cy := blobs(9, 1)
	nanX := x.Clone().(*tensor.Dense)
	nanX.Data().([]float64)[7] = math.NaN()
	infY := y.Clone().(*tensor.Dense)
	infY.Data().([]float64)[3] = math.Inf(1)
	bigX := x.Clone().(*tensor.Dense)
	bigX.Data().([]float64)[5] = 1e39
	cases := []struct {
		name string
		run  func() error
		want func(error) bool
	}{
		{"rows differ", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, dense([]int{9}, make([]float64, 9)), keras.Verbose(0))
			return err
		}, func(err error) bool { return err != nil }},
		{"feature shape", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{10, 4}, make([]float64, 40)), y, keras.Verbose(0))
			return err
		}, isShape("x", 10, 4)},
		{"label out of range", func() error {
			bad := cy.Clone().(*tensor.Dense)
			bad.Data().([]uint8)[4] = 3
			_, err := cls.Fit(ctx, cx, bad, keras.Verbose(0))
			return err
		}, isData("y", 4, 0)},
		{"fractional label", func() error {
			_, err := cls.Fit(ctx, cx, dense([]int{9}, []float64{0, 1, 2, 0, 1.5, 2, 0, 1, 2}), keras.Verbose(0))
			return err
		}, isData("y", 4, 0)},
		{"NaN in x", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, nanX, y, keras.Verbose(0))
			return err
		}, isData("x", 2, 1)},
		{"Inf in y", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, infY, keras.Verbose(0))
			return err
		}, isData("y", 3, 0)},
		{"float64 beyond float32", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, bigX, y, keras.Verbose(0))
			return err
		}, isData("x", 1, 2)},
		{"empty data", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{0, 3}, []float64{}), dense([]int{0}, []float64{}), keras.Verbose(0))
			return err
		}, isShape("x")},
		{"batch size", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.BatchSize(0), keras.Verbose(0))
			return err
		}, isOption("batch_size")},
		{"validation_split range", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.ValidationSplit(1), keras.Verbose(0))
			return err
		}, isOption("validation_split")},
		{"validation_split empty part", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{1, 3}, make([]float64, 3)), dense([]int{1}, make([]float64, 1)), keras.ValidationSplit(0.5), keras.Verbose(0))
			return err
		}, isOption("validation_split")},
		{"validation_split empty validation", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.ValidationSplit(1e-17), keras.Verbose(0))
			return err
		}, isOption("validation_split")},
		{"unknown activation", func() error {
			return keras.Sequential(layers.Dense(2, layers.Activation("rleu"), layers.InputShape(3))).Compile(keras.Loss("mse"))
		}, isUnknown("activation", "rleu")},
		{"unknown loss", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse2"))
		}, isUnknown("loss", "mse2")},
		{"unknown optimizer", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Optimizer("adamw2"))
		}, isUnknown("optimizer", "adamw2")},
		{"unknown metric", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Metrics("acuracy"))
		}, isUnknown("metric", "acuracy")},
		{"bad optimizer parameter", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(-0.1))))
		}, isOption("learning_rate")},
		{"fit before compile", func() error {
			_, err := keras.Sequential(layers.Dense(1, layers.InputShape(3))).Fit(ctx, x, y)
			return err
		}, is(keras.ErrNotCompiled)},
		{"evaluate before compile", func() error {
			_, err := keras.Sequential(layers.Dense(1, layers.InputShape(3))).Evaluate(ctx, x, y)
			return err
		}, is(keras.ErrNotCompiled)},
		{"units < 1", func() error {
			return keras.Sequential(layers.Dense(0, layers.InputShape(3))).Compile(keras.Loss("mse"))
		}, isOption("units")},
		{"no input shape", func() error {
			return keras.Sequential(layers.Dense(1)).Compile(keras.Loss("mse"))
		}, func(err error) bool { return err != nil }},
		{"no loss", func() error {
			m := keras.Sequential(layers.Dense(1, layers.InputShape(3)))
			if err := m.Compile(); err != nil {
				return err
			}
			_, err := m.Fit(ctx, x, nil, keras.Verbose(0))
			return err
		}, is(keras.ErrNoLoss)},
		{"sparse loss on one output", func() error {
			return keras.Sequential(layers.Dense(1, layers.InputShape(3))).Compile(keras.Loss("sparse_categorical_crossentropy"))
		}, func(err error) bool { return err != nil }},
		{"target shape", func() error {
			if err := cls.Compile(keras.Loss("categorical_crossentropy")); err != nil {
				return err
			}
			_, err := cls.Fit(ctx, cx, cy, keras.Verbose(0))
			return err
		}, isShape("y", 9)},
		{"negative sample weight", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.SampleWeight(dense([]int{10}, []float64{1, 1, 1, -1, 1, 1, 1, 1, 1, 1})), keras.Verbose(0))
			return err
		}, isData("sample_weight", 3, -1)},
		{"verbose", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.Verbose(3))
			return err
		}, isOption("verbose")},
		{"epochs", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.Epochs(-1))
			return err
		}, isOption("epochs")},
		{"string tensor", func() error {
			_, err := regressionModel(t, 1).Predict(ctx, tensor.New(tensor.WithShape(2), tensor.WithBacking([]string{"a", "b"})))
			return err
		}, func(err error) bool { return err != nil }},
		{"wrong data type", func() error {
			_, err := regressionModel(t, 1).Predict(ctx, []float64{1, 2, 3})
			return err
		}, func(err error) bool { return err != nil }},
		{"nil x", func() error {
			_, err := regressionModel(t, 1).Predict(ctx, nil)
			return err
		}, is(keras.ErrNil)},
		{"nil callback", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.Callbacks(nil), keras.Verbose(0))
			return err
		}, isOption("callbacks")},
		{"nil option", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, nil)
			return err
		}, is(keras.ErrNil)},
		{"class weight key not a class", func() error {
			if err := cls.Compile(keras.Loss("sparse_categorical_crossentropy")); err != nil {
				return err
			}
			_, err := cls.Fit(ctx, cx, cy, keras.ClassWeight(map[int]float64{0: 1, 7: 2}), keras.Verbose(0))
			return err
		}, isOption("class_weight")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !c.want(err) {
				t.Errorf("error = %v (%T)", err, errors.Cause(err))
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
