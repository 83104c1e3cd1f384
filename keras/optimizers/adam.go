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

var adamDefaults = map[string]float64{"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": 0}

// Adam returns Adam with Keras 3 defaults: learning rate 0.001, beta_1 0.9,
// beta_2 0.999, epsilon 1e-7, AMSGrad off. Step t (from 1):
// m += (g-m)*(1-beta_1); v += (g^2-v)*(1-beta_2);
// alpha = lr*sqrt(1-beta_2^t)/(1-beta_1^t); w -= alpha*m/(sqrt(v)+eps)
// (AMSGrad uses the running maximum of v). An invalid option is reported
// by Compile.
func Adam(opts ...Option) *AdamOptimizer {
	p, err := collect("adam", adamDefaults, opts)
	return newAdam(p, err)
}

func adamFromParams(given map[string]float64) (Optimizer, error) {
	p, err := merge("adam", adamDefaults, given)
	if err != nil {
		return nil, err
	}
	o := newAdam(p, nil)
	return o, o.err
}

func newAdam(p map[string]float64, err error) *AdamOptimizer {
	o := &AdamOptimizer{base: base{name: "adam", err: err}}
	if err != nil {
		return o
	}
	o.lr, o.beta1, o.beta2, o.epsilon, o.amsgrad = p["learning_rate"], p["beta_1"], p["beta_2"], p["epsilon"], p["amsgrad"] != 0
	switch {
	case inUnit("adam", "beta_1", o.beta1, false) != nil:
		o.err = inUnit("adam", "beta_1", o.beta1, false)
	case inUnit("adam", "beta_2", o.beta2, false) != nil:
		o.err = inUnit("adam", "beta_2", o.beta2, false)
	case o.epsilon < 0:
		o.err = inUnit("adam", "epsilon", o.epsilon, true)
	}
	return o
}

// Config returns the hyperparameters.
func (o *AdamOptimizer) Config() Config {
	return Config{Name: "adam", Params: map[string]float64{"learning_rate": o.lr, "beta_1": o.beta1, "beta_2": o.beta2,
		"epsilon": o.epsilon, "amsgrad": boolf(o.amsgrad)}}
}

// Apply performs one Adam step.
func (o *AdamOptimizer) Apply(vars []*backend.Variable) error {
	t := float64(o.iters + 1)
	alpha := o.lr * math.Sqrt(1-math.Pow(o.beta2, t)) / (1 - math.Pow(o.beta1, t))
	nslots := 2
	if o.amsgrad {
		nslots = 3
	}
	return o.forEach(vars, nslots,
		func(w, g []float32, s []slot) { adamStep(w, g, s, alpha, o, func(s slot) []float32 { return s.f32 }) },
		func(w, g []float64, s []slot) { adamStep(w, g, s, alpha, o, func(s slot) []float64 { return s.f64 }) })
}

func adamStep[T backend.Float](w, g []T, s []slot, alpha float64, o *AdamOptimizer, get func(slot) []T) {
	m, v := get(s[0]), get(s[1])
	b1, b2, a, eps := T(1-o.beta1), T(1-o.beta2), T(alpha), T(o.epsilon)
	if o.amsgrad {
		vhat := get(s[2])
		for i := range w {
			gi := g[i]
			m[i] += (gi - m[i]) * b1
			v[i] += (gi*gi - v[i]) * b2
			if v[i] > vhat[i] {
				vhat[i] = v[i]
			}
			w[i] -= a * m[i] / (T(math.Sqrt(float64(vhat[i]))) + eps)
		}
		return
	}
	for i := range w {
		gi := g[i]
		m[i] += (gi - m[i]) * b1
		v[i] += (gi*gi - v[i]) * b2
		w[i] -= a * m[i] / (T(math.Sqrt(float64(v[i]))) + eps)
	}
}
