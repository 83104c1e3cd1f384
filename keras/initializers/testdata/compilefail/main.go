// This program must not compile: each line marked ERROR passes an
// initializer an option it does not take, and TestOptionsCompileChecked
// checks that the compiler says so. The unmarked lines are valid uses and
// must compile.
package main

import "github.com/gokeras/gokeras/keras/initializers"

func main() {
	_ = initializers.RandomNormal(initializers.Mean(1), initializers.Stddev(0.1), initializers.Seed(3))
	_ = initializers.VarianceScaling(initializers.Scale(2), initializers.Mode("fan_avg"), initializers.Seed(1))
	_ = initializers.Orthogonal(initializers.Gain(2), initializers.Seed(1))
	_ = initializers.GlorotUniform(initializers.Seed(7))

	_ = initializers.GlorotUniform(initializers.Gain(2))    // ERROR "initializers.GainOption does not implement initializers.GlorotUniformOption"
	_ = initializers.Identity(initializers.Seed(1))         // ERROR "initializers.SeedOption does not implement initializers.IdentityOption"
	_ = initializers.RandomUniform(initializers.Mean(0))    // ERROR "initializers.MeanOption does not implement initializers.RandomUniformOption"
	_ = initializers.RandomNormal(initializers.Maxval(1))   // ERROR "initializers.RandomUniformOption does not implement initializers.RandomNormalOption"
	_ = initializers.HeNormal(initializers.Mode("fan_out")) // ERROR "initializers.VarianceScalingOption does not implement initializers.HeNormalOption"
	_ = initializers.Zeros(initializers.Seed(1))            // ERROR "too many arguments in call to initializers.Zeros"
	_ = initializers.Constant(0.5, initializers.Seed(1))    // ERROR "too many arguments in call to initializers.Constant"
}
