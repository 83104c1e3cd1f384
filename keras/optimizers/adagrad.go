package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdagradOptimizer adapts each weight's learning rate to the sum of its
// past squared gradients.
type AdagradOptimizer struct {
	base
	p AdagradParams
}

// AdagradParams are Adagrad's hyperparameters.
type AdagradParams struct {
	BaseParams
	// InitialAccumulatorValue is the accumulators' starting value
	// (default 0.1, >= 0).
	InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
	// Epsilon is added inside the square root (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
}

func adagradDefaults() AdagradParams {
	return AdagradParams{BaseParams: BaseParams{LearningRate: 0.001}, InitialAccumulatorValue: 0.1, Epsilon: 1e-7}
}

// Adagrad returns Adagrad ("adagrad") with Keras 3 defaults: learning rate
// 0.001 (old Keras: 0.01, see Keras2Defaults), initial_accumulator_value
// 0.1, epsilon 1e-7. Each step: acc += g^2; w -= lr*g/sqrt(acc + eps).
// Options: see AdagradOption. An invalid value is reported by Err (and so
// by Compile) as a *kerrors.OptionError.
func Adagrad(opts ...AdagradOption) *AdagradOptimizer {
	b := adagradBuild{p: adagradDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyAdagrad(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0.01)
	return newAdagrad(b.p, b.build)
}

func newAdagrad(p AdagradParams, b build) *AdagradOptimizer {
	o := &AdagradOptimizer{p: p}
	o.init("adagrad", p, p.BaseParams, b)
	o.slotInit = []float64{p.InitialAccumulatorValue}
	o.fail(firstErr(atLeast("adagrad", "initial_accumulator_value", p.InitialAccumulatorValue, 0),
		atLeast("adagrad", "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *AdagradOptimizer) Params() AdagradParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *AdagradOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Adagrad step.
func (o *AdagradOptimizer) Apply(vars []*backend.Variable) error {
	lr, eps := o.LearningRate(), o.p.Epsilon
	o.k = [6]float64{lr, eps}
	up32, up64 := o.splitFor(0,
		func() func(w, g []float32, s []slot) {
			return func(w, g []float32, s []slot) { adagrad32(w, g, s[0].f32, float32(o.k[0]), float32(o.k[1])) }
		},
		func() func(w, g []float64, s []slot) {
			return func(w, g []float64, s []slot) { adagradKernel(w, g, s[0].f64, o.k[0], o.k[1]) }
		})
	return o.forEachSplit(vars, 1, up32, up64)
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
