package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// LionOptimizer is Lion (evolved sign momentum).
type LionOptimizer struct {
	base
	p LionParams
}

// LionParams are Lion's hyperparameters.
type LionParams struct {
	BaseParams
	// Beta1 is the interpolation factor of the update (default 0.9, in
	// (0, 1]).
	Beta1 float64 `json:"beta_1"`
	// Beta2 is the decay rate of the momentum (default 0.99, in [0, 1]).
	Beta2 float64 `json:"beta_2"`
}

func lionDefaults() LionParams {
	return LionParams{BaseParams: BaseParams{LearningRate: 0.001}, Beta1: 0.9, Beta2: 0.99}
}

// Lion returns Lion ("lion") with Keras 3 defaults: learning rate 0.001,
// beta_1 0.9, beta_2 0.99. Each step: w -= lr*sign(beta_1*m + (1-beta_1)*g);
// m = beta_2*m + (1-beta_2)*g. Options: see LionOption. An invalid value
// is reported by Err (and so by Compile) as a *kerrors.OptionError.
func Lion(opts ...LionOption) *LionOptimizer {
	b := lionBuild{p: lionDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyLion(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return newLion(b.p, b.build)
}

func newLion(p LionParams, b build) *LionOptimizer {
	o := &LionOptimizer{p: p}
	o.init("lion", p, p.BaseParams, b)
	if p.Beta1 <= 0 || p.Beta1 > 1 {
		o.fail(invalid("lion", "beta_1", p.Beta1, "must be in (0, 1]"))
	}
	o.fail(inUnit("lion", "beta_2", p.Beta2, true))
	return o
}

// Params returns the hyperparameters.
func (o *LionOptimizer) Params() LionParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *LionOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Lion step.
func (o *LionOptimizer) Apply(vars []*backend.Variable) error {
	lr, beta1, beta2 := o.LearningRate(), o.p.Beta1, o.p.Beta2
	return o.forEach(vars, 1,
		func(w, g []float32, s []slot) {
			lionKernel32(w, g, s[0].f32, float32(lr), float32(beta1), float32(beta2))
		},
		func(w, g []float64, s []slot) { lionKernel64(w, g, s[0].f64, lr, beta1, beta2) })
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
