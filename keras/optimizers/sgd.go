package optimizers

import "github.com/gokeras/gokeras/keras/backend"

// SGDOptimizer is stochastic gradient descent with optional (Nesterov)
// momentum.
type SGDOptimizer struct {
	base
	momentum float64
	nesterov bool
}

var sgdDefaults = map[string]float64{"learning_rate": 0.01, "momentum": 0, "nesterov": 0}

// SGD returns stochastic gradient descent with Keras 3 defaults:
// learning rate 0.01, momentum 0, Nesterov off. With momentum mu each step
// is v = mu*v - lr*g; w += v (Nesterov: w += mu*v - lr*g); without,
// w -= lr*g. An invalid option is reported by Compile.
func SGD(opts ...Option) *SGDOptimizer {
	p, err := collect("sgd", sgdDefaults, opts)
	return newSGD(p, err)
}

func sgdFromParams(given map[string]float64) (Optimizer, error) {
	p, err := merge("sgd", sgdDefaults, given)
	if err != nil {
		return nil, err
	}
	o := newSGD(p, nil)
	return o, o.err
}

func newSGD(p map[string]float64, err error) *SGDOptimizer {
	o := &SGDOptimizer{base: base{name: "sgd", err: err}}
	if err != nil {
		return o
	}
	o.lr, o.momentum, o.nesterov = p["learning_rate"], p["momentum"], p["nesterov"] != 0
	o.err = inUnit("sgd", "momentum", o.momentum, true)
	return o
}

// Config returns the hyperparameters.
func (o *SGDOptimizer) Config() Config {
	return Config{Name: "sgd", Params: map[string]float64{"learning_rate": o.lr, "momentum": o.momentum, "nesterov": boolf(o.nesterov)}}
}

// Apply performs one SGD step.
func (o *SGDOptimizer) Apply(vars []*backend.Variable) error {
	nslots := 0
	if o.momentum > 0 {
		nslots = 1
	}
	return o.forEach(vars, nslots,
		func(w, g []float32, s []slot) {
			sgdStep(w, g, s, nslots, o.lr, o.momentum, o.nesterov, func(s slot) []float32 { return s.f32 })
		},
		func(w, g []float64, s []slot) {
			sgdStep(w, g, s, nslots, o.lr, o.momentum, o.nesterov, func(s slot) []float64 { return s.f64 })
		})
}

func sgdStep[T backend.Float](w, g []T, s []slot, nslots int, lr, mu float64, nesterov bool, get func(slot) []T) {
	l := T(lr)
	if nslots == 0 {
		for i := range w {
			w[i] -= l * g[i]
		}
		return
	}
	m, v := T(mu), get(s[0])
	for i := range w {
		v[i] = m*v[i] - l*g[i]
		if nesterov {
			w[i] += m*v[i] - l*g[i]
		} else {
			w[i] += v[i]
		}
	}
}
