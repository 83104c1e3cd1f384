package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdadeltaOptimizer scales each step by the ratio of the running RMS of
// past updates to the running RMS of gradients.
type AdadeltaOptimizer struct {
	base
	p AdadeltaParams
}

// AdadeltaParams are Adadelta's hyperparameters.
type AdadeltaParams struct {
	BaseParams
	// Rho is the discount factor of the running averages (default 0.95,
	// in [0, 1)).
	Rho float64 `json:"rho"`
	// Epsilon is added inside the square roots (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
}

func adadeltaDefaults() AdadeltaParams {
	return AdadeltaParams{BaseParams: BaseParams{LearningRate: 0.001}, Rho: 0.95, Epsilon: 1e-7}
}

// Adadelta returns Adadelta ("adadelta") with Keras 3 defaults: learning
// rate 0.001 (old Keras and the original paper: 1.0, see Keras2Defaults),
// rho 0.95, epsilon 1e-7. Each step: a = rho*a + (1-rho)*g^2;
// d = -sqrt(u + eps)*g/sqrt(a + eps); u = rho*u + (1-rho)*d^2; w += lr*d.
// Options: see AdadeltaOption. An invalid value is reported by Err (and so
// by Compile) as a *kerrors.OptionError.
func Adadelta(opts ...AdadeltaOption) *AdadeltaOptimizer {
	b := adadeltaBuild{p: adadeltaDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyAdadelta(&b)
		}
	}
	b.finish(&b.p.BaseParams, 1.0)
	return newAdadelta(b.p, b.build)
}

func newAdadelta(p AdadeltaParams, b build) *AdadeltaOptimizer {
	o := &AdadeltaOptimizer{p: p}
	o.init("adadelta", p, p.BaseParams, b)
	o.fail(firstErr(inUnit("adadelta", "rho", p.Rho, false), atLeast("adadelta", "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *AdadeltaOptimizer) Params() AdadeltaParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *AdadeltaOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Adadelta step.
func (o *AdadeltaOptimizer) Apply(vars []*backend.Variable) error {
	lr, rho, eps := o.LearningRate(), o.p.Rho, o.p.Epsilon
	// slots: 0 accumulated squared gradient, 1 accumulated squared update
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			adadeltaKernel(w, g, s[0].f32, s[1].f32, float32(lr), float32(rho), float32(eps))
		},
		func(w, g []float64, s []slot) { adadeltaKernel(w, g, s[0].f64, s[1].f64, lr, rho, eps) })
}

func adadeltaKernel[T backend.Float](w, g, ag, ad []T, lr, rho, eps T) {
	n := len(w)
	g, ag, ad = g[:n], ag[:n], ad[:n]
	for i := range w {
		gi := g[i]
		a := rho*ag[i] + (1-rho)*(gi*gi)
		ag[i] = a
		d := -(T(math.Sqrt(float64(ad[i]+eps))) * gi / T(math.Sqrt(float64(a+eps))))
		ad[i] = rho*ad[i] + (1-rho)*(d*d)
		w[i] += lr * d
	}
}
