// Command linear_regression is the lecture's first analysis: simple linear
// regression with a one-unit Dense layer, on synthetic data
// y = 3x + 2 + noise. It needs no download.
//
//	go run ./examples/linear_regression [-epochs 100] [-out out/linear_regression] [-seed 1]
//
// The model learns the slope and intercept; the program prints them next
// to the true values, draws the data with the fitted line
// (out/linear_regression/fit.png) and ends with one machine-readable line:
//
//	RESULT slope=<v> intercept=<v>
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

const (
	trueSlope     = 3.0
	trueIntercept = 2.0
)

func main() {
	epochs := flag.Int("epochs", 100, "training epochs")
	out := flag.String("out", "out/linear_regression", "folder for the plot")
	seed := flag.Int64("seed", 1, "seed for the data and the model")
	n := flag.Int("n", 200, "number of samples")
	verbose := flag.Int("verbose", 2, "progress output: 0 silent, 1 bar, 2 one line per epoch")
	flag.Parse()
	if err := run(os.Stdout, *epochs, *n, *seed, *verbose, *out); err != nil {
		fmt.Fprintln(os.Stderr, "linear_regression:", err)
		os.Exit(1)
	}
}

// synthetic returns n points x ~ U(-3, 3), y = 3x + 2 + N(0, 0.5^2).
func synthetic(n int, seed int64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range xs {
		xs[i] = rng.Float64()*6 - 3
		ys[i] = trueSlope*xs[i] + trueIntercept + rng.NormFloat64()*0.5
	}
	return tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n), tensor.WithBacking(ys))
}

func run(w io.Writer, epochs, n int, seed int64, verbose int, out string) error {
	ctx := context.Background()
	x, y := synthetic(n, seed)

	// model <- keras_model_sequential() %>% layer_dense(units = 1, input_shape = 1)
	model := keras.Sequential(layers.Dense(1, layers.InputShape(1)))
	if err := model.SetSeed(seed); err != nil {
		return err
	}
	// model %>% compile(loss = "mse", optimizer = optimizer_sgd(learning_rate = 0.05))
	if err := model.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.05)))); err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}
	// history <- model %>% fit(x, y, epochs = 100, validation_split = 0.2)
	history, err := model.Fit(ctx, x, y, keras.Epochs(epochs), keras.ValidationSplit(0.2), keras.Verbose(verbose), keras.ProgressOutput(w))
	if err != nil {
		return err
	}
	weights, err := model.GetWeights()
	if err != nil {
		return err
	}
	slope := float64(weights[0].Data().([]float32)[0])
	intercept := float64(weights[1].Data().([]float32)[0])
	valLoss, _ := history.Last("val_loss")
	fmt.Fprintf(w, "\n%-10s %8s %8s\n", "", "learned", "true")
	fmt.Fprintf(w, "%-10s %8.4f %8.4f\n", "slope", slope, trueSlope)
	fmt.Fprintf(w, "%-10s %8.4f %8.4f\n", "intercept", intercept, trueIntercept)
	fmt.Fprintf(w, "validation mse %.4f (noise variance 0.25)\n", valLoss)
	plotPath := filepath.Join(out, "fit.png")
	if err := plotFit(plotPath, x.Data().([]float64), y.Data().([]float64), slope, intercept); err != nil {
		return err
	}
	fmt.Fprintf(w, "plot in %s\n", plotPath)
	fmt.Fprintf(w, "RESULT slope=%.4f intercept=%.4f\n", slope, intercept)
	return nil
}
