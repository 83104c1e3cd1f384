package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// RMSpropOptimizer divides the gradient by a running average of its
// recent magnitude.
type RMSpropOptimizer struct {
	base
	rho, momentum, epsilon float64
	centered               bool
}

var rmspropDefaults = map[string]float64{"learning_rate": 0.001, "rho": 0.9, "momentum": 0, "epsilon": 1e-7, "centered": 0}

// RMSprop returns RMSprop with Keras 3 defaults: learning rate 0.001,
// rho 0.9, momentum 0, epsilon 1e-7, not centered. Each step:
// v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps) (centered: the
// denominator is v - mean_g^2 + eps; with momentum the increment is
// accumulated in m = momentum*m + increment and w -= m). An invalid option
// is reported by Compile.
func RMSprop(opts ...Option) *RMSpropOptimizer {
	p, err := collect("rmsprop", rmspropDefaults, opts)
	return newRMSprop(p, err)
}

func rmspropFromParams(given map[string]float64) (Optimizer, error) {
	p, err := merge("rmsprop", rmspropDefaults, given)
	if err != nil {
		return nil, err
	}
	o := newRMSprop(p, nil)
	return o, o.err
}

func newRMSprop(p map[string]float64, err error) *RMSpropOptimizer {
	o := &RMSpropOptimizer{base: base{name: "rmsprop", err: err}}
	if err != nil {
		return o
	}
	o.lr, o.rho, o.momentum, o.epsilon, o.centered = p["learning_rate"], p["rho"], p["momentum"], p["epsilon"], p["centered"] != 0
	switch {
	case inUnit("rmsprop", "rho", o.rho, false) != nil:
		o.err = inUnit("rmsprop", "rho", o.rho, false)
	case inUnit("rmsprop", "momentum", o.momentum, false) != nil:
		o.err = inUnit("rmsprop", "momentum", o.momentum, false)
	case o.epsilon < 0:
		o.err = inUnit("rmsprop", "epsilon", o.epsilon, true)
	}
	return o
}

// Config returns the hyperparameters.
func (o *RMSpropOptimizer) Config() Config {
	return Config{Name: "rmsprop", Params: map[string]float64{"learning_rate": o.lr, "rho": o.rho, "momentum": o.momentum,
		"epsilon": o.epsilon, "centered": boolf(o.centered)}}
}

// Apply performs one RMSprop step.
func (o *RMSpropOptimizer) Apply(vars []*backend.Variable) error {
	// slots: 0 velocity, 1 momentum, 2 average gradient (centered)
	return o.forEach(vars, 3,
		func(w, g []float32, s []slot) { rmspropStep(w, g, s[0].f32, s[1].f32, s[2].f32, o) },
		func(w, g []float64, s []slot) { rmspropStep(w, g, s[0].f64, s[1].f64, s[2].f64, o) })
}

func rmspropStep[T backend.Float](w, g, v, m, avg []T, o *RMSpropOptimizer) {
	rho, lr, eps, mu := T(o.rho), T(o.lr), T(o.epsilon), T(o.momentum)
	for i := range w {
		gi := g[i]
		v[i] = rho*v[i] + (1-rho)*gi*gi
		den := v[i]
		if o.centered {
			avg[i] = rho*avg[i] + (1-rho)*gi
			den -= avg[i] * avg[i]
		}
		inc := lr * gi / T(math.Sqrt(float64(den+eps)))
		if o.momentum > 0 {
			m[i] = mu*m[i] + inc
			w[i] -= m[i]
		} else {
			w[i] -= inc
		}
	}
}
