package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdagradOptimizer adapts each weight's learning rate to the sum of its
// past squared gradients.
type AdagradOptimizer struct {
	base
	initial, epsilon float64
}

var adagradSpec = spec{name: "adagrad", keras2LR: 0.01, defaults: map[string]float64{"learning_rate": 0.001,
	"initial_accumulator_value": 0.1, "epsilon": 1e-7}}

// Adagrad returns Adagrad ("adagrad") with Keras 3 defaults: learning rate
// 0.001 (old Keras: 0.01, see Keras2Defaults), initial_accumulator_value
// 0.1, epsilon 1e-7. Each step: acc += g^2; w -= lr*g/sqrt(acc + eps).
// Options: LearningRate, InitialAccumulatorValue (>= 0), Epsilon and the
// shared clipping and weight-decay options. An invalid option is reported
// by Err (and so by Compile).
func Adagrad(opts ...Option) *AdagradOptimizer {
	vals, sched, err := collect(adagradSpec, opts)
	o := &AdagradOptimizer{}
	o.init("adagrad", vals, sched, err)
	if err != nil {
		return o
	}
	o.initial, o.epsilon = vals["initial_accumulator_value"], vals["epsilon"]
	o.slotInit = []float64{o.initial}
	o.fail(firstErr(atLeast("adagrad", "initial_accumulator_value", o.initial, 0), atLeast("adagrad", "epsilon", o.epsilon, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *AdagradOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"initial_accumulator_value": o.initial, "epsilon": o.epsilon})
}

// Apply performs one Adagrad step.
func (o *AdagradOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	return o.forEach(vars, 1,
		func(w, g []float32, s []slot) { adagradKernel(w, g, s[0].f32, float32(lr), float32(o.epsilon)) },
		func(w, g []float64, s []slot) { adagradKernel(w, g, s[0].f64, lr, o.epsilon) })
}

func adagradKernel[T backend.Float](w, g, acc []T, lr, eps T) {
	g, acc = g[:len(w)], acc[:len(w)]
	for i := range w {
		gi := g[i]
		a := acc[i] + gi*gi
		acc[i] = a
		w[i] -= lr * gi / T(math.Sqrt(float64(a+eps)))
	}
}
