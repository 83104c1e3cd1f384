package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdamOptimizer is Adam (adaptive moment estimation).
type AdamOptimizer struct {
	base
	p AdamParams
}

// AdamParams are the hyperparameters of Adam and AdamW.
type AdamParams struct {
	BaseParams
	// Beta1 is the decay rate of the first moment (default 0.9, in
	// [0, 1)).
	Beta1 float64 `json:"beta_1"`
	// Beta2 is the decay rate of the second moment (default 0.999, in
	// [0, 1)).
	Beta2 float64 `json:"beta_2"`
	// Epsilon is added to the denominator (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
	// Amsgrad turns on the AMSGrad variant (default false).
	Amsgrad bool `json:"amsgrad"`
}

func adamDefaults() AdamParams {
	return AdamParams{BaseParams: BaseParams{LearningRate: 0.001}, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Adam returns Adam ("adam") with Keras 3 defaults: learning rate 0.001,
// beta_1 0.9, beta_2 0.999, epsilon 1e-7, AMSGrad off. Step t (from 1):
// m += (g-m)*(1-beta_1); v += (g^2-v)*(1-beta_2);
// alpha = lr*sqrt(1-beta_2^t)/(1-beta_1^t); w -= alpha*m/(sqrt(v)+eps)
// (AMSGrad uses the running maximum of v). Options: see AdamOption. An
// invalid value is reported by Err (and so by Compile) as a
// *kerrors.OptionError.
func Adam(opts ...AdamOption) *AdamOptimizer {
	b := adamBuild{p: adamDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyAdam(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return newAdam("adam", b.p, b.build)
}

func newAdam(name string, p AdamParams, b build) *AdamOptimizer {
	o := &AdamOptimizer{p: p}
	o.init(name, p, p.BaseParams, b)
	o.fail(firstErr(inUnit(name, "beta_1", p.Beta1, false), inUnit(name, "beta_2", p.Beta2, false),
		atLeast(name, "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *AdamOptimizer) Params() AdamParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *AdamOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Adam step.
func (o *AdamOptimizer) Apply(vars []*backend.Variable) error {
	t := float64(o.iters + 1)
	beta1, beta2, eps := o.p.Beta1, o.p.Beta2, o.p.Epsilon
	alpha := o.LearningRate() * math.Sqrt(1-math.Pow(beta2, t)) / (1 - math.Pow(beta1, t))
	if o.p.Amsgrad {
		return o.forEach(vars, 3,
			func(w, g []float32, s []slot) {
				adamAMSKernel(w, g, s[0].f32, s[1].f32, s[2].f32, float32(1-beta1), float32(1-beta2), float32(alpha), float32(eps))
			},
			func(w, g []float64, s []slot) {
				adamAMSKernel(w, g, s[0].f64, s[1].f64, s[2].f64, 1-beta1, 1-beta2, alpha, eps)
			})
	}
	o.k = [6]float64{1 - beta1, 1 - beta2, alpha, eps}
	up32, up64 := o.splitFor(0,
		func() func(w, g []float32, s []slot) {
			return func(w, g []float32, s []slot) {
				k := &o.k
				adam32(w, g, s[0].f32, s[1].f32, float32(k[0]), float32(k[1]), float32(k[2]), float32(k[3]))
			}
		},
		func() func(w, g []float64, s []slot) {
			return func(w, g []float64, s []slot) {
				k := &o.k
				adamKernel(w, g, s[0].f64, s[1].f64, k[0], k[1], k[2], k[3])
			}
		})
	return o.forEachSplit(vars, 2, up32, up64)
}

// adamKernel is the portable Adam update; c1 = 1-beta_1, c2 = 1-beta_2,
// a = alpha. The float32 assembly kernel performs the same operations in
// the same order, so both give identical bits.
func adamKernel[T backend.Float](w, g, m, v []T, c1, c2, a, eps T) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	for i := range w {
		gi := g[i]
		mi := m[i] + (gi-m[i])*c1
		vi := v[i] + (gi*gi-v[i])*c2
		m[i], v[i] = mi, vi
		w[i] -= a * mi / (T(math.Sqrt(float64(vi))) + eps)
	}
}

func adamAMSKernel[T backend.Float](w, g, m, v, vmax []T, c1, c2, a, eps T) {
	n := len(w)
	g, m, v, vmax = g[:n], m[:n], v[:n], vmax[:n]
	for i := range w {
		gi := g[i]
		mi := m[i] + (gi-m[i])*c1
		vi := v[i] + (gi*gi-v[i])*c2
		m[i], v[i] = mi, vi
		vh := vmax[i]
		if vi > vh {
			vh = vi
			vmax[i] = vi
		}
		w[i] -= a * mi / (T(math.Sqrt(float64(vh))) + eps)
	}
}
