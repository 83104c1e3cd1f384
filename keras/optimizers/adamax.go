package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdamaxOptimizer is Adamax, Adam's variant based on the infinity norm.
type AdamaxOptimizer struct {
	base
	p AdamaxParams
}

// AdamaxParams are Adamax's hyperparameters.
type AdamaxParams struct {
	BaseParams
	// Beta1 is the decay rate of the first moment (default 0.9, in
	// [0, 1)).
	Beta1 float64 `json:"beta_1"`
	// Beta2 is the decay rate of the infinity norm (default 0.999, in
	// [0, 1)).
	Beta2 float64 `json:"beta_2"`
	// Epsilon is added to the denominator (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
}

func adamaxDefaults() AdamaxParams {
	return AdamaxParams{BaseParams: BaseParams{LearningRate: 0.001}, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Adamax returns Adamax ("adamax") with Keras 3 defaults: learning rate
// 0.001 (old Keras: 0.002, see Keras2Defaults), beta_1 0.9, beta_2 0.999,
// epsilon 1e-7. Step t (from 1): m += (g-m)*(1-beta_1);
// u = max(beta_2*u, |g|); w -= lr*m/((1-beta_1^t)*(u + eps)). Options: see
// AdamaxOption. An invalid value is reported by Err (and so by Compile)
// as a *kerrors.OptionError.
func Adamax(opts ...AdamaxOption) *AdamaxOptimizer {
	b := adamaxBuild{p: adamaxDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyAdamax(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0.002)
	return newAdamax(b.p, b.build)
}

func newAdamax(p AdamaxParams, b build) *AdamaxOptimizer {
	o := &AdamaxOptimizer{p: p}
	o.init("adamax", p, p.BaseParams, b)
	o.fail(firstErr(inUnit("adamax", "beta_1", p.Beta1, false), inUnit("adamax", "beta_2", p.Beta2, false),
		atLeast("adamax", "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *AdamaxOptimizer) Params() AdamaxParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *AdamaxOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Adamax step.
func (o *AdamaxOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	beta1, beta2, eps := o.p.Beta1, o.p.Beta2, o.p.Epsilon
	bc := 1 - math.Pow(beta1, float64(o.iters+1))
	// slots: 0 first moment, 1 infinity norm
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			adamaxKernel(w, g, s[0].f32, s[1].f32, float32(lr), float32(1-beta1), float32(beta2), float32(bc), float32(eps))
		},
		func(w, g []float64, s []slot) {
			adamaxKernel(w, g, s[0].f64, s[1].f64, lr, 1-beta1, beta2, bc, eps)
		})
}

func adamaxKernel[T backend.Float](w, g, m, u []T, lr, c1, b2, bc, eps T) {
	n := len(w)
	g, m, u = g[:n], m[:n], u[:n]
	for i := range w {
		gi := g[i]
		mi := m[i] + (gi-m[i])*c1
		m[i] = mi
		ui := b2 * u[i]
		if a := T(math.Abs(float64(gi))); a > ui {
			ui = a
		}
		u[i] = ui
		w[i] -= lr * mi / (bc * (ui + eps))
	}
}
