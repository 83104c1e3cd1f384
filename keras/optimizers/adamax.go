package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// AdamaxOptimizer is Adamax, Adam's variant based on the infinity norm.
type AdamaxOptimizer struct {
	base
	beta1, beta2, epsilon float64
}

var adamaxSpec = spec{name: "adamax", keras2LR: 0.002, defaults: map[string]float64{"learning_rate": 0.001,
	"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}}

// Adamax returns Adamax ("adamax") with Keras 3 defaults: learning rate
// 0.001 (old Keras: 0.002, see Keras2Defaults), beta_1 0.9, beta_2 0.999,
// epsilon 1e-7. Step t (from 1): m += (g-m)*(1-beta_1);
// u = max(beta_2*u, |g|); w -= lr*m/((1-beta_1^t)*(u + eps)). Options:
// LearningRate, Beta1 and Beta2 (in [0, 1)), Epsilon and the shared
// clipping and weight-decay options. An invalid option is reported by Err
// (and so by Compile).
func Adamax(opts ...Option) *AdamaxOptimizer {
	vals, sched, err := collect(adamaxSpec, opts)
	o := &AdamaxOptimizer{}
	o.init("adamax", vals, sched, err)
	if err != nil {
		return o
	}
	o.beta1, o.beta2, o.epsilon = vals["beta_1"], vals["beta_2"], vals["epsilon"]
	o.fail(firstErr(inUnit("adamax", "beta_1", o.beta1, false), inUnit("adamax", "beta_2", o.beta2, false),
		atLeast("adamax", "epsilon", o.epsilon, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *AdamaxOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"beta_1": o.beta1, "beta_2": o.beta2, "epsilon": o.epsilon})
}

// Apply performs one Adamax step.
func (o *AdamaxOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	bc := 1 - math.Pow(o.beta1, float64(o.iters+1))
	// slots: 0 first moment, 1 infinity norm
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			adamaxKernel(w, g, s[0].f32, s[1].f32, float32(lr), float32(1-o.beta1), float32(o.beta2), float32(bc), float32(o.epsilon))
		},
		func(w, g []float64, s []slot) {
			adamaxKernel(w, g, s[0].f64, s[1].f64, lr, 1-o.beta1, o.beta2, bc, o.epsilon)
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
