package optimizers

import "github.com/gokeras/gokeras/keras/backend"

// SGDOptimizer is stochastic gradient descent with optional (Nesterov)
// momentum.
type SGDOptimizer struct {
	base
	momentum float64
	nesterov bool
}

var sgdSpec = spec{name: "sgd", defaults: map[string]float64{"learning_rate": 0.01, "momentum": 0, "nesterov": 0}}

// SGD returns stochastic gradient descent ("sgd") with Keras 3 defaults:
// learning rate 0.01, momentum 0 (in [0, 1]), Nesterov off. With momentum
// mu each step is v = mu*v - lr*g; w += v (Nesterov: w += mu*v - lr*g);
// without, w -= lr*g. Options: LearningRate, Momentum, Nesterov and the
// shared Clipnorm, Clipvalue, GlobalClipnorm, WeightDecay. An invalid
// option is reported by Err (and so by Compile).
func SGD(opts ...Option) *SGDOptimizer {
	vals, sched, err := collect(sgdSpec, opts)
	o := &SGDOptimizer{}
	o.init("sgd", vals, sched, err)
	if err != nil {
		return o
	}
	o.momentum, o.nesterov = vals["momentum"], vals["nesterov"] != 0
	o.fail(inUnit("sgd", "momentum", o.momentum, true))
	return o
}

// Config returns the hyperparameters.
func (o *SGDOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"momentum": o.momentum, "nesterov": boolf(o.nesterov)})
}

// Apply performs one SGD step.
func (o *SGDOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	if o.momentum == 0 {
		return o.forEach(vars, 0,
			func(w, g []float32, _ []slot) { sgdPlain(w, g, float32(lr)) },
			func(w, g []float64, _ []slot) { sgdPlain(w, g, lr) })
	}
	return o.forEach(vars, 1,
		func(w, g []float32, s []slot) {
			sgdMomentum(w, g, s[0].f32, float32(lr), float32(o.momentum), o.nesterov)
		},
		func(w, g []float64, s []slot) { sgdMomentum(w, g, s[0].f64, lr, o.momentum, o.nesterov) })
}

func sgdPlain[T backend.Float](w, g []T, lr T) {
	g = g[:len(w)]
	for i := range w {
		w[i] -= lr * g[i]
	}
}

func sgdMomentum[T backend.Float](w, g, m []T, lr, mu T, nesterov bool) {
	g, m = g[:len(w)], m[:len(w)]
	if nesterov {
		for i := range w {
			mi := mu*m[i] - lr*g[i]
			m[i] = mi
			w[i] += mu*mi - lr*g[i]
		}
		return
	}
	for i := range w {
		mi := mu*m[i] - lr*g[i]
		m[i] = mi
		w[i] += mi
	}
}
