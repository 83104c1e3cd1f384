package optimizers

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
)

// LionOptimizer is Lion (evolved sign momentum).
type LionOptimizer struct {
	base
	beta1, beta2 float64
}

var lionSpec = spec{name: "lion", defaults: map[string]float64{"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99}}

// Lion returns Lion ("lion") with Keras 3 defaults: learning rate 0.001,
// beta_1 0.9, beta_2 0.99. Each step: w -= lr*sign(beta_1*m + (1-beta_1)*g);
// m = beta_2*m + (1-beta_2)*g. Options: LearningRate, Beta1 (in (0, 1]),
// Beta2 (in [0, 1]) and the shared clipping and weight-decay options. An
// invalid option is reported by Err (and so by Compile).
func Lion(opts ...Option) *LionOptimizer {
	vals, sched, err := collect(lionSpec, opts)
	o := &LionOptimizer{}
	o.init("lion", vals, sched, err)
	if err != nil {
		return o
	}
	o.beta1, o.beta2 = vals["beta_1"], vals["beta_2"]
	if o.beta1 <= 0 || o.beta1 > 1 {
		o.fail(errors.Errorf("optimizers: lion: beta_1 must be in (0, 1], got %v", o.beta1))
	}
	o.fail(inUnit("lion", "beta_2", o.beta2, true))
	return o
}

// Config returns the hyperparameters.
func (o *LionOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"beta_1": o.beta1, "beta_2": o.beta2})
}

// Apply performs one Lion step.
func (o *LionOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	return o.forEach(vars, 1,
		func(w, g []float32, s []slot) {
			lionKernel(w, g, s[0].f32, float32(lr), float32(o.beta1), float32(o.beta2))
		},
		func(w, g []float64, s []slot) { lionKernel(w, g, s[0].f64, lr, o.beta1, o.beta2) })
}

func lionKernel[T backend.Float](w, g, m []T, lr, b1, b2 T) {
	g, m = g[:len(w)], m[:len(w)]
	for i := range w {
		gi := g[i]
		c := m[i]*b1 + gi*(1-b1)
		switch {
		case c > 0:
			w[i] -= lr
		case c < 0:
			w[i] += lr
		}
		m[i] = m[i]*b2 + gi*(1-b2)
	}
}
