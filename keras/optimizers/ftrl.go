package optimizers

import (
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
)

// FtrlOptimizer is FTRL-proximal ("follow the regularized leader").
type FtrlOptimizer struct {
	base
	power, initial, l1, l2, l2shrink, beta float64
}

var ftrlSpec = spec{name: "ftrl", defaults: map[string]float64{"learning_rate": 0.001, "learning_rate_power": -0.5,
	"initial_accumulator_value": 0.1, "l1_regularization_strength": 0, "l2_regularization_strength": 0,
	"l2_shrinkage_regularization_strength": 0, "beta": 0}}

// Ftrl returns FTRL ("ftrl") with Keras 3 defaults: learning rate 0.001,
// learning_rate_power -0.5, initial_accumulator_value 0.1, L1, L2 and L2
// shrinkage strengths 0, beta 0. With p = -learning_rate_power, each step:
// g' = g + 2*l2_shrinkage*w; n' = n + g^2;
// z += g' - (n'^p - n^p)/lr * w; q = n'^p/lr + 2*(l2 + beta/(2*lr));
// w = (clip(z, -l1, l1) - z)/q; n = n'. Options: LearningRate (> 0),
// LearningRatePower (<= 0), InitialAccumulatorValue,
// L1RegularizationStrength, L2RegularizationStrength,
// L2ShrinkageRegularizationStrength, Beta (all >= 0) and the shared
// clipping and weight-decay options. An invalid option is reported by Err
// (and so by Compile).
func Ftrl(opts ...Option) *FtrlOptimizer {
	vals, sched, err := collect(ftrlSpec, opts)
	o := &FtrlOptimizer{}
	o.init("ftrl", vals, sched, err)
	if err != nil {
		return o
	}
	o.power, o.initial, o.beta = vals["learning_rate_power"], vals["initial_accumulator_value"], vals["beta"]
	o.l1, o.l2, o.l2shrink = vals["l1_regularization_strength"], vals["l2_regularization_strength"], vals["l2_shrinkage_regularization_strength"]
	o.slotInit = []float64{o.initial, 0}
	if o.power > 0 {
		o.fail(errors.Errorf("optimizers: ftrl: learning_rate_power must be <= 0, got %v", o.power))
	}
	if sched == nil && o.lr == 0 {
		o.fail(errors.New("optimizers: ftrl: learning_rate must be > 0, got 0"))
	}
	o.fail(firstErr(atLeast("ftrl", "initial_accumulator_value", o.initial, 0),
		atLeast("ftrl", "l1_regularization_strength", o.l1, 0), atLeast("ftrl", "l2_regularization_strength", o.l2, 0),
		atLeast("ftrl", "l2_shrinkage_regularization_strength", o.l2shrink, 0), atLeast("ftrl", "beta", o.beta, 0)))
	return o
}

// Config returns the hyperparameters.
func (o *FtrlOptimizer) Config() Config {
	return o.baseParams(map[string]float64{"learning_rate_power": o.power, "initial_accumulator_value": o.initial,
		"l1_regularization_strength": o.l1, "l2_regularization_strength": o.l2,
		"l2_shrinkage_regularization_strength": o.l2shrink, "beta": o.beta})
}

// Apply performs one Ftrl step.
func (o *FtrlOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	if lr <= 0 && o.err == nil {
		return errors.Errorf("optimizers: ftrl: learning rate %v at step %d, Ftrl needs > 0", lr, o.iters)
	}
	l2 := o.l2 + o.beta/(2*lr)
	// slots: 0 accumulator n, 1 linear z
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			ftrlKernel(w, g, s[0].f32, s[1].f32, float32(lr), -o.power, float32(o.l1), float32(l2), float32(o.l2shrink))
		},
		func(w, g []float64, s []slot) {
			ftrlKernel(w, g, s[0].f64, s[1].f64, lr, -o.power, o.l1, l2, o.l2shrink)
		})
}

// pow computes x^p, with the exponents Ftrl uses most (0.5, 0, 1) exact
// and fast.
func pow[T backend.Float](x T, p float64) T {
	switch p {
	case 0.5:
		return T(math.Sqrt(float64(x)))
	case 0:
		return 1
	case 1:
		return x
	}
	return T(math.Pow(float64(x), p))
}

func ftrlKernel[T backend.Float](w, g, acc, lin []T, lr T, p float64, l1, l2, shrink T) {
	n := len(w)
	g, acc, lin = g[:n], acc[:n], lin[:n]
	for i := range w {
		gi := g[i]
		gs := gi + 2*shrink*w[i]
		na := acc[i] + gi*gi
		np := pow(na, p)
		z := lin[i] + (gs - (np-pow(acc[i], p))/lr*w[i])
		lin[i] = z
		q := np/lr + 2*l2
		w[i] = (min(max(z, -l1), l1) - z) / q
		acc[i] = na
	}
}
