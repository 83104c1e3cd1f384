package main

import (
	"context"
	"fmt"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// boston loads the Boston housing data (Keras's split) z-scored with the
// training mean and numpy's default (n) standard deviation, as
// torch_reference.py does.
func boston(ctx context.Context) (x, y, xt, yt *tensor.Dense, err error) {
	train, test, err := datasets.BostonHousing(ctx, datasets.Download(false))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	x, scaler, err := preprocessing.Standardize(train.X, preprocessing.DDOF(0))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if xt, err = scaler.Transform(test.X); err != nil {
		return nil, nil, nil, nil, err
	}
	return x, train.Y, xt, test.Y, nil
}

// runW3 trains the Boston model c.runs times (seeds 1, 2, ...) for 500
// epochs with validation every epoch and reports the median total.
func runW3(ctx context.Context, c *config) error {
	x, y, xt, yt, err := boston(ctx)
	if err != nil {
		return err
	}
	var wall, cpu, mae []float64
	var hashes []string
	for r := 0; r < c.runs; r++ {
		m := keras.Sequential(
			layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
			layers.Dense(64, layers.Activation("relu")),
			layers.Dense(1),
		)
		if err := m.SetSeed(int64(r + 1)); err != nil {
			return err
		}
		if err := m.Compile(keras.Loss("mse"), keras.Optimizer("rmsprop"), keras.Metrics("mae")); err != nil {
			return err
		}
		watch := startWatch()
		if _, err := m.Fit(ctx, x, y, keras.Epochs(500), keras.ValidationSplit(0.2), keras.Verbose(0)); err != nil {
			return err
		}
		w, cp := watch.elapsed()
		s, err := m.Evaluate(ctx, xt, yt, keras.Verbose(0))
		if err != nil {
			return err
		}
		wall, cpu, mae = append(wall, w), append(cpu, cp), append(mae, s["mae"])
		hashes = append(hashes, weightsHash(m))
	}
	fmt.Fprintf(c.out, "RESULT W3 s_total=%.4f\n", c.pick(median(wall), median(cpu)))
	fmt.Fprintf(c.out, "INFO W3 runs=%d wall_s=%s cpu_s=%s test_mae=%s weights_fnv=%s\n", c.runs, list(wall, "%.4f"), list(cpu, "%.4f"), list(mae, "%.4f"), strings.Join(hashes, ","))
	return nil
}
