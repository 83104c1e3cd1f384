package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdamOptimizer is Adam (adaptive moment estimation).
type AdamOptimizer struct {
	base
	beta1, beta2, epsilon float64
	amsgrad               bool
}

var adamSpec = spec{name: "adam", defaults: map[string]float64{"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
	"epsilon": 1e-7, "amsgrad": 0}}

// Adam returns Adam ("adam") with Keras 3 defaults: learning rate 0.001,
// beta_1 0.9, beta_2 0.999, epsilon 1e-7, AMSGrad off. Step t (from 1):
// m += (g-m)*(1-beta_1); v += (g^2-v)*(1-beta_2);
// alpha = lr*sqrt(1-beta_2^t)/(1-beta_1^t); w -= alpha*m/(sqrt(v)+eps)
// (AMSGrad uses the running maximum of v). Options: LearningRate, Beta1
// and Beta2 (in [0, 1)), Epsilon, Amsgrad and the shared clipping and
// weight-decay options. An invalid option is reported by Err (and so by
// Compile).
func Adam(opts ...Option) *AdamOptimizer { return newAdam(adamSpec, opts) }

func newAdam(sp spec, opts []Option) *AdamOptimizer {
	vals, sched, err := collect(sp, opts)
	o := &AdamOptimizer{}
	o.init(sp.name, vals, sched, err)
	if err != nil {
		return o
	}
	o.beta1, o.beta2, o.epsilon, o.amsgrad = vals["beta_1"], vals["beta_2"], vals["epsilon"], vals["amsgrad"] != 0
	o.fail(firstErr(inUnit(sp.name, "beta_1", o.beta1, false), inUnit(sp.name, "beta_2", o.beta2, false),
		atLeast(sp.name, "epsilon", o.epsilon, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *AdamOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"beta_1": o.beta1, "beta_2": o.beta2, "epsilon": o.epsilon, "amsgrad": boolf(o.amsgrad)})
}

// Apply performs one Adam step.
func (o *AdamOptimizer) Apply(vars []*backend.Variable) error {
	t := float64(o.iters + 1)
	alpha := o.LearningRate() * math.Sqrt(1-math.Pow(o.beta2, t)) / (1 - math.Pow(o.beta1, t))
	if o.amsgrad {
		return o.forEach(vars, 3,
			func(w, g []float32, s []slot) {
				adamAMSKernel(w, g, s[0].f32, s[1].f32, s[2].f32, float32(1-o.beta1), float32(1-o.beta2), float32(alpha), float32(o.epsilon))
			},
			func(w, g []float64, s []slot) {
				adamAMSKernel(w, g, s[0].f64, s[1].f64, s[2].f64, 1-o.beta1, 1-o.beta2, alpha, o.epsilon)
			})
	}
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			adam32(w, g, s[0].f32, s[1].f32, float32(1-o.beta1), float32(1-o.beta2), float32(alpha), float32(o.epsilon))
		},
		func(w, g []float64, s []slot) {
			adamKernel(w, g, s[0].f64, s[1].f64, 1-o.beta1, 1-o.beta2, alpha, o.epsilon)
		})
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
