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

var rmspropSpec = spec{name: "rmsprop", defaults: map[string]float64{"learning_rate": 0.001, "rho": 0.9, "momentum": 0,
	"epsilon": 1e-7, "centered": 0}}

// RMSprop returns RMSprop ("rmsprop") with Keras 3 defaults: learning rate
// 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered. Each step:
// v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps) (centered: the
// denominator is sqrt(v - a^2 + eps) with a = rho*a + (1-rho)*g; with
// momentum mu the increment is accumulated in m = mu*m + increment and
// w -= m). Options: LearningRate, Rho and Momentum (in [0, 1)), Epsilon,
// Centered and the shared clipping and weight-decay options. An invalid
// option is reported by Err (and so by Compile).
func RMSprop(opts ...Option) *RMSpropOptimizer {
	vals, sched, err := collect(rmspropSpec, opts)
	o := &RMSpropOptimizer{}
	o.init("rmsprop", vals, sched, err)
	if err != nil {
		return o
	}
	o.rho, o.momentum, o.epsilon, o.centered = vals["rho"], vals["momentum"], vals["epsilon"], vals["centered"] != 0
	o.fail(firstErr(inUnit("rmsprop", "rho", o.rho, false), inUnit("rmsprop", "momentum", o.momentum, false),
		atLeast("rmsprop", "epsilon", o.epsilon, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *RMSpropOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"rho": o.rho, "momentum": o.momentum, "epsilon": o.epsilon, "centered": boolf(o.centered)})
}

// Apply performs one RMSprop step.
func (o *RMSpropOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	// slots: 0 velocity, 1 momentum, 2 average gradient (centered)
	return o.forEach(vars, 3,
		func(w, g []float32, s []slot) {
			rmspropKernel(w, g, s[0].f32, s[1].f32, s[2].f32, float32(lr), float32(o.rho), float32(o.momentum), float32(o.epsilon), o.centered)
		},
		func(w, g []float64, s []slot) {
			rmspropKernel(w, g, s[0].f64, s[1].f64, s[2].f64, lr, o.rho, o.momentum, o.epsilon, o.centered)
		})
}

func rmspropKernel[T backend.Float](w, g, v, m, avg []T, lr, rho, mu, eps T, centered bool) {
	n := len(w)
	g, v, m, avg = g[:n], v[:n], m[:n], avg[:n]
	if !centered && mu == 0 {
		for i := range w {
			gi := g[i]
			vi := rho*v[i] + (1-rho)*(gi*gi)
			v[i] = vi
			w[i] -= lr * gi / T(math.Sqrt(float64(vi+eps)))
		}
		return
	}
	for i := range w {
		gi := g[i]
		vi := rho*v[i] + (1-rho)*(gi*gi)
		v[i] = vi
		den := vi
		if centered {
			ai := rho*avg[i] + (1-rho)*gi
			avg[i] = ai
			den = vi - ai*ai
		}
		inc := lr * gi / T(math.Sqrt(float64(den+eps)))
		if mu > 0 {
			mi := mu*m[i] + inc
			m[i] = mi
			w[i] -= mi
		} else {
			w[i] -= inc
		}
	}
}
