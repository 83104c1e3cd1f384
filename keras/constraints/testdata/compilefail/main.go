// This program must not compile: each line marked ERROR passes a
// constraint an option it does not take, and TestOptionsCompileChecked
// checks that the compiler says so. The unmarked lines are valid uses and
// must compile.
package main

import "github.com/gokeras/gokeras/keras/constraints"

func main() {
	_ = constraints.MaxNorm(constraints.MaxValue(3), constraints.Axis(0, 1, 2))
	_ = constraints.MinMaxNorm(constraints.MinValue(0.2), constraints.MaxValue(0.3), constraints.Rate(0.5))
	_ = constraints.UnitNorm(constraints.Axis(1))

	_ = constraints.UnitNorm(constraints.MaxValue(1)) // ERROR "constraints.MaxValueOption does not implement constraints.UnitNormOption"
	_ = constraints.MaxNorm(constraints.Rate(0.5))    // ERROR "constraints.MinMaxNormOption does not implement constraints.MaxNormOption"
	_ = constraints.NonNeg(constraints.Axis(1))       // ERROR "too many arguments in call to constraints.NonNeg"
}
