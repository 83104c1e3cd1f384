package optimizers

import (
	"math"

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
			lionKernel32(w, g, s[0].f32, float32(lr), float32(o.beta1), float32(o.beta2))
		},
		func(w, g []float64, s []slot) { lionKernel64(w, g, s[0].f64, lr, o.beta1, o.beta2) })
}

// lionKernel32 and lionKernel64 compute w -= lr*sign(c) without
// branches (a gradient's signs are unpredictable, and a mispredicted
// branch per weight cost more than the rest of the update): the step is
// lr with c's sign bit, masked to 0 when c is 0. A NaN c moves w by
// +-lr (Keras would make it NaN).
func lionKernel32(w, g, m []float32, lr, b1, b2 float32) {
	g, m = g[:len(w)], m[:len(w)]
	lrBits := math.Float32bits(lr)
	for i := range w {
		gi := g[i]
		c := math.Float32bits(m[i]*b1 + gi*(1-b1))
		nz := uint32(0)
		if c&0x7fffffff != 0 {
			nz = 0xffffffff
		}
		w[i] -= math.Float32frombits((lrBits ^ (c & 0x80000000)) & nz)
		m[i] = m[i]*b2 + gi*(1-b2)
	}
}

func lionKernel64(w, g, m []float64, lr, b1, b2 float64) {
	g, m = g[:len(w)], m[:len(w)]
	lrBits := math.Float64bits(lr)
	for i := range w {
		gi := g[i]
		c := math.Float64bits(m[i]*b1 + gi*(1-b1))
		nz := uint64(0)
		if c&0x7fffffffffffffff != 0 {
			nz = 0xffffffffffffffff
		}
		w[i] -= math.Float64frombits((lrBits ^ (c & 0x8000000000000000)) & nz)
		m[i] = m[i]*b2 + gi*(1-b2)
	}
}
