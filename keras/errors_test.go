package keras_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

func dense(shape []int, data interface{}) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
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
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"rows differ", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, dense([]int{9}, make([]float64, 9)), keras.Verbose(0))
			return err
		}, "x has 10 samples but y has 9"},
		{"feature shape", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{10, 4}, make([]float64, 40)), y, keras.Verbose(0))
			return err
		}, "x has shape [10 4], want (N, 3): one row per sample"},
		{"label out of range", func() error {
			bad := cy.Clone().(*tensor.Dense)
			bad.Data().([]uint8)[4] = 3
			_, err := cls.Fit(ctx, cx, bad, keras.Verbose(0))
			return err
		}, "y[4] = 3 is not a class index in [0, 3)"},
		{"fractional label", func() error {
			_, err := cls.Fit(ctx, cx, dense([]int{9}, []float64{0, 1, 2, 0, 1.5, 2, 0, 1, 2}), keras.Verbose(0))
			return err
		}, "y[4] = 1.5 is not a class index"},
		{"NaN in x", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, nanX, y, keras.Verbose(0))
			return err
		}, "x[2] has NaN at position 1"},
		{"Inf in y", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, infY, keras.Verbose(0))
			return err
		}, "y[3] has +Inf"},
		{"empty data", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{0, 3}, []float64{}), dense([]int{0}, []float64{}), keras.Verbose(0))
			return err
		}, "x is empty"},
		{"batch size", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.BatchSize(0), keras.Verbose(0))
			return err
		}, "batch_size must be >= 1, got 0"},
		{"validation_split range", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.ValidationSplit(1), keras.Verbose(0))
			return err
		}, "validation_split must be in [0, 1), got 1"},
		{"validation_split empty part", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, dense([]int{1, 3}, make([]float64, 3)), dense([]int{1}, make([]float64, 1)), keras.ValidationSplit(0.5), keras.Verbose(0))
			return err
		}, "leaves 0 for training and 1 for validation"},
		{"validation_split empty validation", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.ValidationSplit(1e-17), keras.Verbose(0))
			return err
		}, "leaves 10 for training and 0 for validation"},
		{"unknown activation", func() error {
			return keras.Sequential(layers.Dense(2, layers.Activation("rleu"), layers.InputShape(3))).Compile(keras.Loss("mse"))
		}, `unknown activation "rleu" (known: elu, exponential, gelu`},
		{"unknown loss", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse2"))
		}, `unknown loss "mse2" (known: bce, binary_crossentropy`},
		{"unknown optimizer", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Optimizer("adamw2"))
		}, `unknown optimizer "adamw2" (known: adadelta, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd)`},
		{"unknown metric", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Metrics("acuracy"))
		}, `unknown metric "acuracy" (known: acc, accuracy`},
		{"bad optimizer parameter", func() error {
			return keras.Sequential(layers.Dense(2, layers.InputShape(3))).Compile(keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(-0.1))))
		}, "optimizers: adam: learning_rate = -0.1: must be >= 0"},
		{"fit before compile", func() error {
			_, err := keras.Sequential(layers.Dense(1, layers.InputShape(3))).Fit(ctx, x, y)
			return err
		}, "not compiled; call Compile first"},
		{"units < 1", func() error {
			return keras.Sequential(layers.Dense(0, layers.InputShape(3))).Compile(keras.Loss("mse"))
		}, "layer dense: layers: Dense: units must be >= 1, got 0"},
		{"no input shape", func() error {
			return keras.Sequential(layers.Dense(1)).Compile(keras.Loss("mse"))
		}, "the first layer (dense) needs an input shape"},
		{"no loss", func() error {
			return keras.Sequential(layers.Dense(1, layers.InputShape(3))).Compile()
		}, "no loss given"},
		{"option not taken", func() error {
			_, err := regressionModel(t, 1).Predict(ctx, x, keras.Epochs(3))
			return err
		}, "Predict has no option epochs"},
		{"sparse loss on one output", func() error {
			return keras.Sequential(layers.Dense(1, layers.InputShape(3))).Compile(keras.Loss("sparse_categorical_crossentropy"))
		}, "needs an output of shape (None, classes)"},
		{"target shape", func() error {
			_, err := cls.Compile(keras.Loss("categorical_crossentropy")), error(nil)
			if err != nil {
				return err
			}
			_, err = cls.Fit(ctx, cx, cy, keras.Verbose(0))
			return err
		}, "each target is (None) but the model's output is (None, 3)"},
		{"negative sample weight", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.SampleWeight(dense([]int{10}, []float64{1, 1, 1, -1, 1, 1, 1, 1, 1, 1})), keras.Verbose(0))
			return err
		}, "sample_weight[3] = -1"},
		{"verbose", func() error {
			_, err := regressionModel(t, 1).Fit(ctx, x, y, keras.Verbose(3))
			return err
		}, "verbose must be 0, 1 or 2"},
		{"string tensor", func() error {
			_, err := regressionModel(t, 1).Predict(ctx, tensor.New(tensor.WithShape(2), tensor.WithBacking([]string{"a", "b"})))
			return err
		}, "want a numeric dtype"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, c.want)
			}
		})
	}
}
