// This program must not compile: Epochs is an option of Fit, not of
// Compile. keras/compilefail_test.go checks that the compiler says so.
package main

import (
	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

func main() {
	m := keras.Sequential(layers.Dense(1, layers.InputShape(3)))
	_ = m.Compile(keras.Loss("mse"), keras.Epochs(5))
}
