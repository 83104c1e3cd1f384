// This program must not compile: Epochs is an option of Fit, not of
// Predict.
package main

import (
	"context"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

func main() {
	m := keras.Sequential(layers.Dense(1, layers.InputShape(3)))
	x := tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float32))
	_, _ = m.Predict(context.Background(), x, keras.Epochs(3))
}
