package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdadeltaOptimizer scales each step by the ratio of the running RMS of
// past updates to the running RMS of gradients.
type AdadeltaOptimizer struct {
	base
	rho, epsilon float64
}

var adadeltaSpec = spec{name: "adadelta", keras2LR: 1.0, defaults: map[string]float64{"learning_rate": 0.001, "rho": 0.95,
	"epsilon": 1e-7}}

// Adadelta returns Adadelta ("adadelta") with Keras 3 defaults: learning
// rate 0.001 (old Keras and the original paper: 1.0, see Keras2Defaults),
// rho 0.95, epsilon 1e-7. Each step: a = rho*a + (1-rho)*g^2;
// d = -sqrt(u + eps)*g/sqrt(a + eps); u = rho*u + (1-rho)*d^2; w += lr*d.
// Options: LearningRate, Rho (in [0, 1)), Epsilon and the shared clipping
// and weight-decay options. An invalid option is reported by Err (and so
// by Compile).
func Adadelta(opts ...Option) *AdadeltaOptimizer {
	vals, sched, err := collect(adadeltaSpec, opts)
	o := &AdadeltaOptimizer{}
	o.init("adadelta", vals, sched, err)
	if err != nil {
		return o
	}
	o.rho, o.epsilon = vals["rho"], vals["epsilon"]
	o.fail(firstErr(inUnit("adadelta", "rho", o.rho, false), atLeast("adadelta", "epsilon", o.epsilon, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *AdadeltaOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"rho": o.rho, "epsilon": o.epsilon})
}

// Apply performs one Adadelta step.
func (o *AdadeltaOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	// slots: 0 accumulated squared gradient, 1 accumulated squared update
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			adadeltaKernel(w, g, s[0].f32, s[1].f32, float32(lr), float32(o.rho), float32(o.epsilon))
		},
		func(w, g []float64, s []slot) { adadeltaKernel(w, g, s[0].f64, s[1].f64, lr, o.rho, o.epsilon) })
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
