// This program must not compile: each line marked ERROR passes a loss an
// option it does not take, and TestOptionsCompileChecked checks that the
// compiler says so. The unmarked lines are valid uses and must compile.
package main

import "github.com/gokeras/gokeras/keras/losses"

func main() {
	_ = losses.BinaryCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.1))
	_ = losses.SparseCategoricalCrossentropy(losses.FromLogits(true))
	_ = losses.Huber(losses.Delta(2))

	_ = losses.SparseCategoricalCrossentropy(losses.LabelSmoothing(0.1)) // ERROR "losses.LabelSmoothingOption does not implement losses.SparseCategoricalCrossentropyOption"
	_ = losses.Huber(losses.FromLogits(true))                            // ERROR "losses.FromLogitsOption does not implement losses.HuberOption"
	_ = losses.CategoricalCrossentropy(losses.Delta(1))                  // ERROR "losses.HuberOption does not implement losses.CategoricalCrossentropyOption"
	_ = losses.MeanSquaredError(losses.Delta(1))                         // ERROR "too many arguments in call to losses.MeanSquaredError"
	_ = losses.Hinge(losses.FromLogits(true))                            // ERROR "too many arguments in call to losses.Hinge"
}
