// This program must not compile: each line marked ERROR passes an
// optimizer or a schedule an option it does not take, and
// TestOptionsCompileChecked checks that the compiler says so. The unmarked
// lines are valid uses and must compile.
package main

import "github.com/gokeras/gokeras/keras/optimizers"

func main() {
	_ = optimizers.SGD(optimizers.Momentum(0.9), optimizers.Nesterov(true), optimizers.LearningRate(0.1))
	_ = optimizers.Adam(optimizers.Beta1(0.8), optimizers.Amsgrad(true), optimizers.Clipnorm(1))
	_ = optimizers.SGD(optimizers.LearningRateSchedule(optimizers.ExponentialDecay(0.1, 10, 0.5, optimizers.Staircase(true))))

	_ = optimizers.SGD(optimizers.Beta1(0.9))                                              // ERROR "optimizers.Beta1Option does not implement optimizers.SGDOption"
	_ = optimizers.SGD(optimizers.Rho(0.5))                                                // ERROR "optimizers.RhoOption does not implement optimizers.SGDOption"
	_ = optimizers.Adam(optimizers.Momentum(0.9))                                          // ERROR "optimizers.MomentumOption does not implement optimizers.AdamOption"
	_ = optimizers.Lion(optimizers.Epsilon(1e-7))                                          // ERROR "optimizers.EpsilonOption does not implement optimizers.LionOption"
	_ = optimizers.Adagrad(optimizers.Nesterov(true))                                      // ERROR "optimizers.SGDOption does not implement optimizers.AdagradOption"
	_ = optimizers.RMSprop(optimizers.Amsgrad(true))                                       // ERROR "optimizers.AmsgradOption does not implement optimizers.RMSpropOption"
	_ = optimizers.Nadam(optimizers.Beta(0.1))                                             // ERROR "optimizers.FtrlOption does not implement optimizers.NadamOption"
	_ = optimizers.AdamW(optimizers.InitialAccumulatorValue(1))                            // ERROR "optimizers.InitialAccumulatorValueOption does not implement optimizers.AdamWOption"
	_ = optimizers.SGD(optimizers.LearningRate("fast"))                                    // ERROR "cannot use \"fast\" (untyped string constant) as float64 value"
	_ = optimizers.SGD(optimizers.LearningRate(optimizers.ExponentialDecay(0.1, 10, 0.5))) // ERROR "as float64 value in argument to optimizers.LearningRate"
	_ = optimizers.CosineDecay(0.1, 10, optimizers.Staircase(true))                        // ERROR "optimizers.StaircaseOption does not implement optimizers.CosineDecayOption"
}
