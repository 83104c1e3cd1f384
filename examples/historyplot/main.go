// Command historyplot trains the Boston-housing-shaped regression model
// of the R basic-regression tutorial on synthetic data (so it needs no
// download), printing a dot per epoch, stopping early on val_loss, and
// draws the history like R's plot(history).
//
//	go run ./examples/historyplot -out docs/images/history.png
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand"
	"os"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
)

func main() {
	out := flag.String("out", "history.png", "where to write the plot (.png or .svg)")
	epochs := flag.Int("epochs", 200, "maximum number of epochs")
	seed := flag.Int64("seed", 1, "seed of the data and the model")
	flag.Parse()
	if err := run(*out, *epochs, *seed); err != nil {
		log.Fatal(err)
	}
}

// data returns n rows of 13 standardised features and a house-price-like
// target (about 22 on average, in k$) with nonlinear effects and noise.
func data(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, n*13)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		r := x[i*13 : (i+1)*13]
		for j := range r {
			r[j] = rng.NormFloat64()
		}
		y[i] = 22 + 4*r[5] - 3*r[12] + 2*math.Sin(2*r[0]) - 1.5*r[2]*r[4] + r[7]*r[7] + 2*rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(n, 13), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

func run(out string, epochs int, seed int64) error {
	x, y := data(404, seed)
	model := keras.Sequential(
		layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
		layers.Dense(64, layers.Activation("relu")),
		layers.Dense(1),
	)
	if err := model.SetSeed(seed); err != nil {
		return err
	}
	if err := model.Compile(keras.Loss("mse"), keras.Optimizer("rmsprop"), keras.Metrics("mean_absolute_error")); err != nil {
		return err
	}
	// The R tutorial's print_dot_callback.
	printDot := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		fmt.Print(map[bool]string{true: "\n"}[epoch%80 == 0], ".")
	}}
	earlyStop := callbacks.EarlyStopping(callbacks.Monitor("val_loss"), callbacks.Patience(20))
	history, err := model.Fit(context.Background(), x, y, keras.Epochs(epochs), keras.ValidationSplit(0.2), keras.Verbose(0),
		keras.Callbacks(printDot, earlyStop))
	if err != nil {
		return err
	}
	mae, _ := history.Last("val_mean_absolute_error")
	fmt.Printf("\nstopped after %d epochs; last val_mean_absolute_error %.3f\n", history.Len(), mae)
	if err := historyplot.Save(out, history, historyplot.Title("Training history (synthetic Boston-shaped data)")); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "wrote", out)
	return nil
}
