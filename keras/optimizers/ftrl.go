package optimizers

import (
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
)

// FtrlOptimizer is FTRL-proximal ("follow the regularized leader").
type FtrlOptimizer struct {
	base
	p FtrlParams
}

// FtrlParams are Ftrl's hyperparameters.
type FtrlParams struct {
	BaseParams
	// LearningRatePower sets how fast the per-weight learning rate
	// decays (default -0.5, <= 0).
	LearningRatePower float64 `json:"learning_rate_power"`
	// InitialAccumulatorValue is the accumulators' starting value
	// (default 0.1, >= 0).
	InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
	// L1RegularizationStrength (default 0, >= 0).
	L1RegularizationStrength float64 `json:"l1_regularization_strength"`
	// L2RegularizationStrength (default 0, >= 0).
	L2RegularizationStrength float64 `json:"l2_regularization_strength"`
	// L2ShrinkageRegularizationStrength (default 0, >= 0).
	L2ShrinkageRegularizationStrength float64 `json:"l2_shrinkage_regularization_strength"`
	// Beta (default 0, >= 0).
	Beta float64 `json:"beta"`
}

func ftrlDefaults() FtrlParams {
	return FtrlParams{BaseParams: BaseParams{LearningRate: 0.001}, LearningRatePower: -0.5, InitialAccumulatorValue: 0.1}
}

// Ftrl returns FTRL ("ftrl") with Keras 3 defaults: learning rate 0.001,
// learning_rate_power -0.5, initial_accumulator_value 0.1, L1, L2 and L2
// shrinkage strengths 0, beta 0. With p = -learning_rate_power, each step:
// g' = g + 2*l2_shrinkage*w; n' = n + g^2;
// z += g' - (n'^p - n^p)/lr * w; q = n'^p/lr + 2*(l2 + beta/(2*lr));
// w = (clip(z, -l1, l1) - z)/q; n = n'. The learning rate must be > 0.
// Options: see FtrlOption. An invalid value is reported by Err (and so by
// Compile) as a *kerrors.OptionError.
func Ftrl(opts ...FtrlOption) *FtrlOptimizer {
	b := ftrlBuild{p: ftrlDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyFtrl(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return newFtrl(b.p, b.build)
}

func newFtrl(p FtrlParams, b build) *FtrlOptimizer {
	o := &FtrlOptimizer{p: p}
	o.init("ftrl", p, p.BaseParams, b)
	o.slotInit = []float64{p.InitialAccumulatorValue, 0}
	if p.LearningRatePower > 0 {
		o.fail(invalid("ftrl", "learning_rate_power", p.LearningRatePower, "must be <= 0"))
	}
	if b.schedule == nil && p.LearningRate == 0 {
		o.fail(invalid("ftrl", "learning_rate", p.LearningRate, "must be > 0"))
	}
	o.fail(firstErr(atLeast("ftrl", "initial_accumulator_value", p.InitialAccumulatorValue, 0),
		atLeast("ftrl", "l1_regularization_strength", p.L1RegularizationStrength, 0),
		atLeast("ftrl", "l2_regularization_strength", p.L2RegularizationStrength, 0),
		atLeast("ftrl", "l2_shrinkage_regularization_strength", p.L2ShrinkageRegularizationStrength, 0),
		atLeast("ftrl", "beta", p.Beta, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *FtrlOptimizer) Params() FtrlParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *FtrlOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one Ftrl step.
func (o *FtrlOptimizer) Apply(vars []*backend.Variable) error {
	lr := o.LearningRate()
	if lr <= 0 && o.err == nil {
		return errors.Errorf("optimizers: ftrl: learning rate %v at step %d, Ftrl needs > 0", lr, o.iters)
	}
	power, l1, shrink := o.p.LearningRatePower, o.p.L1RegularizationStrength, o.p.L2ShrinkageRegularizationStrength
	l2 := o.p.L2RegularizationStrength + o.p.Beta/(2*lr)
	// slots: 0 accumulator n, 1 linear z
	return o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			ftrlKernel(w, g, s[0].f32, s[1].f32, float32(lr), -power, float32(l1), float32(l2), float32(shrink))
		},
		func(w, g []float64, s []slot) {
			ftrlKernel(w, g, s[0].f64, s[1].f64, lr, -power, l1, l2, shrink)
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
