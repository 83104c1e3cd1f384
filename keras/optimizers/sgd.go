package optimizers

import "github.com/gokeras/gokeras/keras/backend"

// SGDOptimizer is stochastic gradient descent with optional (Nesterov)
// momentum.
type SGDOptimizer struct {
	base
	p SGDParams
}

// SGDParams are SGD's hyperparameters.
type SGDParams struct {
	BaseParams
	// Momentum accelerates descent along consistent directions (default
	// 0, in [0, 1]).
	Momentum float64 `json:"momentum"`
	// Nesterov turns on Nesterov momentum (default false).
	Nesterov bool `json:"nesterov"`
}

func sgdDefaults() SGDParams { return SGDParams{BaseParams: BaseParams{LearningRate: 0.01}} }

// SGD returns stochastic gradient descent ("sgd") with Keras 3 defaults:
// learning rate 0.01, momentum 0 (in [0, 1]), Nesterov off. With momentum
// mu each step is v = mu*v - lr*g; w += v (Nesterov: w += mu*v - lr*g);
// without, w -= lr*g. Options: see SGDOption. An invalid value is
// reported by Err (and so by Compile) as a *kerrors.OptionError.
func SGD(opts ...SGDOption) *SGDOptimizer {
	b := sgdBuild{p: sgdDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applySGD(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return newSGD(b.p, b.build)
}

func newSGD(p SGDParams, b build) *SGDOptimizer {
	o := &SGDOptimizer{p: p}
	o.init("sgd", p, p.BaseParams, b)
	o.fail(inUnit("sgd", "momentum", p.Momentum, true))
	return o
}

// Params returns the hyperparameters.
func (o *SGDOptimizer) Params() SGDParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *SGDOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one SGD step.
func (o *SGDOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	o.k = [6]float64{lr, o.p.Momentum}
	if o.p.Momentum == 0 {
		up32, up64 := o.splitFor(0,
			func() func(w, g []float32, s []slot) {
				return func(w, g []float32, _ []slot) { sgd32(w, g, float32(o.k[0])) }
			},
			func() func(w, g []float64, s []slot) {
				return func(w, g []float64, _ []slot) { sgdPlain(w, g, o.k[0]) }
			})
		return o.forEachSplit(vars, 0, up32, up64)
	}
	nesterov := o.p.Nesterov
	variant := 1
	if nesterov {
		variant = 2
	}
	up32, up64 := o.splitFor(variant,
		func() func(w, g []float32, s []slot) {
			return func(w, g []float32, s []slot) {
				sgdMomentum32(w, g, s[0].f32, float32(o.k[0]), float32(o.k[1]), nesterov)
			}
		},
		func() func(w, g []float64, s []slot) {
			return func(w, g []float64, s []slot) { sgdMomentum(w, g, s[0].f64, o.k[0], o.k[1], nesterov) }
		})
	return o.forEachSplit(vars, 1, up32, up64)
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
