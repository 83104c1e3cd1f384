// This program must not compile: each line marked ERROR passes an
// activation an option it does not take, and TestOptionsCompileChecked
// checks that the compiler says so. The unmarked lines are valid uses and
// must compile.
package main

import "github.com/gokeras/gokeras/keras/activations"

func main() {
	_ = activations.ReLU(activations.NegativeSlope(0.1), activations.MaxValue(6), activations.Threshold(0.5))
	_ = activations.LeakyReLU(activations.NegativeSlope(0.3))
	_ = activations.GELU(activations.Approximate(true))

	_ = activations.ELU(activations.NegativeSlope(1))   // ERROR "activations.NegativeSlopeOption does not implement activations.ELUOption"
	_ = activations.LeakyReLU(activations.MaxValue(6))  // ERROR "activations.ReLUOption does not implement activations.LeakyReLUOption"
	_ = activations.GELU(activations.Alpha(1))          // ERROR "activations.ELUOption does not implement activations.GELUOption"
	_ = activations.Sigmoid(activations.Alpha(1))       // ERROR "too many arguments in call to activations.Sigmoid"
	_ = activations.ReLU(activations.Approximate(true)) // ERROR "activations.GELUOption does not implement activations.ReLUOption"
}
