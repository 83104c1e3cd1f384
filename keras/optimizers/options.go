package optimizers

import (
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Each optimizer takes options of its own type, so that the compiler
// rejects an option the optimizer does not have:
// SGD(Beta1(0.9)) does not compile. An option several optimizers take is a
// concrete type implementing each of their option interfaces.

// SGDOption is an option of SGD: the shared options (see SharedOption),
// Momentum and Nesterov.
type SGDOption interface{ applySGD(*sgdBuild) }

// RMSpropOption is an option of RMSprop: the shared options, Rho,
// Momentum, Epsilon and Centered.
type RMSpropOption interface{ applyRMSprop(*rmspropBuild) }

// AdamOption is an option of Adam: the shared options, Beta1, Beta2,
// Epsilon and Amsgrad.
type AdamOption interface{ applyAdam(*adamBuild) }

// AdamWOption is an option of AdamW: the shared options (WeightDecay
// defaults to 0.004 here), Beta1, Beta2, Epsilon and Amsgrad.
type AdamWOption interface{ applyAdamW(*adamBuild) }

// AdagradOption is an option of Adagrad: the shared options,
// InitialAccumulatorValue and Epsilon.
type AdagradOption interface{ applyAdagrad(*adagradBuild) }

// AdadeltaOption is an option of Adadelta: the shared options, Rho and
// Epsilon.
type AdadeltaOption interface{ applyAdadelta(*adadeltaBuild) }

// AdamaxOption is an option of Adamax: the shared options, Beta1, Beta2
// and Epsilon.
type AdamaxOption interface{ applyAdamax(*adamaxBuild) }

// NadamOption is an option of Nadam: the shared options, Beta1, Beta2 and
// Epsilon.
type NadamOption interface{ applyNadam(*nadamBuild) }

// FtrlOption is an option of Ftrl: the shared options, LearningRatePower,
// InitialAccumulatorValue, L1RegularizationStrength,
// L2RegularizationStrength, L2ShrinkageRegularizationStrength and Beta.
type FtrlOption interface{ applyFtrl(*ftrlBuild) }

// LionOption is an option of Lion: the shared options, Beta1 and Beta2.
type LionOption interface{ applyLion(*lionBuild) }

// build holds what options set beside the typed hyperparameters.
type build struct {
	lrSet    bool     // LearningRate or LearningRateSchedule given
	schedule Schedule // nil: constant rate
	keras2   bool
	err      error // from LearningRateSchedule
}

func (b *build) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// finish applies Keras2Defaults to the learning rate: keras2LR is the
// optimizer's default in old Keras (0: the same as Keras 3's).
func (b *build) finish(p *BaseParams, keras2LR float64) {
	if b.keras2 && !b.lrSet && keras2LR > 0 {
		p.LearningRate = keras2LR
	}
}

type (
	sgdBuild struct {
		p SGDParams
		build
	}
	rmspropBuild struct {
		p RMSpropParams
		build
	}
	adamBuild struct {
		p AdamParams
		build
	}
	adagradBuild struct {
		p AdagradParams
		build
	}
	adadeltaBuild struct {
		p AdadeltaParams
		build
	}
	adamaxBuild struct {
		p AdamaxParams
		build
	}
	nadamBuild struct {
		p NadamParams
		build
	}
	ftrlBuild struct {
		p FtrlParams
		build
	}
	lionBuild struct {
		p LionParams
		build
	}
)

// SharedOption is an option every optimizer takes: LearningRate,
// LearningRateSchedule, Keras2Defaults, Clipnorm, Clipvalue,
// GlobalClipnorm and WeightDecay return one. It implements every
// optimizer's option interface. The zero value does nothing.
type SharedOption struct {
	set func(*BaseParams, *build)
}

func (o SharedOption) apply(p *BaseParams, b *build) {
	if o.set != nil {
		o.set(p, b)
	}
}

func (o SharedOption) applySGD(b *sgdBuild)           { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyRMSprop(b *rmspropBuild)   { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyAdam(b *adamBuild)         { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyAdamW(b *adamBuild)        { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyAdagrad(b *adagradBuild)   { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyAdadelta(b *adadeltaBuild) { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyAdamax(b *adamaxBuild)     { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyNadam(b *nadamBuild)       { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyFtrl(b *ftrlBuild)         { o.apply(&b.p.BaseParams, &b.build) }
func (o SharedOption) applyLion(b *lionBuild)         { o.apply(&b.p.BaseParams, &b.build) }

// LearningRate sets a constant learning rate (Keras: learning_rate, a
// number; >= 0, Ftrl's > 0). Each optimizer's default is stated with its
// constructor. It replaces a LearningRateSchedule given before it.
func LearningRate(lr float64) SharedOption {
	return SharedOption{func(p *BaseParams, b *build) {
		p.LearningRate, b.lrSet, b.schedule = lr, true, nil
	}}
}

// LearningRateSchedule makes the learning rate a function of the step
// count (Keras: learning_rate given a LearningRateSchedule): the optimizer
// evaluates s at its iteration count before every step, as Keras does. A
// nil schedule, or one whose Err method reports an invalid parameter, is
// an error of the optimizer (see its Err). It replaces a LearningRate
// given before it.
func LearningRateSchedule(s Schedule) SharedOption {
	return SharedOption{func(p *BaseParams, b *build) {
		b.lrSet = true
		if s == nil {
			b.fail(errors.Wrap(kerrors.ErrNil, "learning_rate: nil schedule"))
			return
		}
		if e, ok := s.(interface{ Err() error }); ok && e.Err() != nil {
			b.fail(e.Err())
			return
		}
		b.schedule = s
	}}
}

// Keras2Defaults makes an optimizer start from the default learning rate
// of old Keras (2.2.4, which the 2018 R keras examples assumed) instead of
// Keras 3's: Adadelta 1.0 (Keras 3: 0.001), Adagrad 0.01 (0.001), Adamax
// and Nadam 0.002 (0.001). SGD, RMSprop and Adam had the same defaults in
// both. An explicit LearningRate wins over it, whatever the order. Only
// the default learning rate changes: the update formulas stay Keras 3's.
func Keras2Defaults() SharedOption {
	return SharedOption{func(_ *BaseParams, b *build) { b.keras2 = true }}
}

// Clipnorm clips each variable's gradient to an L2 norm of at most v
// before the update (Keras: clipnorm; default 0, off; >= 0). At most one
// of Clipnorm, Clipvalue and GlobalClipnorm may be given. Clipping
// rewrites the variables' Grad buffers in place.
func Clipnorm(v float64) SharedOption {
	return SharedOption{func(p *BaseParams, _ *build) { p.Clipnorm = v }}
}

// Clipvalue clips every gradient element to [-v, v] before the update
// (Keras: clipvalue; default 0, off; >= 0).
func Clipvalue(v float64) SharedOption {
	return SharedOption{func(p *BaseParams, _ *build) { p.Clipvalue = v }}
}

// GlobalClipnorm scales all gradients together so that their joint L2 norm
// is at most v (Keras: global_clipnorm; default 0, off; >= 0).
func GlobalClipnorm(v float64) SharedOption {
	return SharedOption{func(p *BaseParams, _ *build) { p.GlobalClipnorm = v }}
}

// WeightDecay sets decoupled weight decay: before each update every
// trainable weight is replaced by w - w*weight_decay*learning_rate (Keras:
// weight_decay; default 0, off, except AdamW's 0.004; >= 0).
func WeightDecay(v float64) SharedOption {
	return SharedOption{func(p *BaseParams, _ *build) { p.WeightDecay = v }}
}

// MomentumOption is the option Momentum returns; SGD and RMSprop take it.
type MomentumOption float64

func (o MomentumOption) applySGD(b *sgdBuild)         { b.p.Momentum = float64(o) }
func (o MomentumOption) applyRMSprop(b *rmspropBuild) { b.p.Momentum = float64(o) }

// Momentum sets the momentum of SGD (default 0, in [0, 1]) or RMSprop
// (default 0, in [0, 1)).
func Momentum(m float64) MomentumOption { return MomentumOption(m) }

type nesterovOption bool

func (o nesterovOption) applySGD(b *sgdBuild) { b.p.Nesterov = bool(o) }

// Nesterov turns on Nesterov momentum for SGD (default false).
func Nesterov(on bool) SGDOption { return nesterovOption(on) }

// RhoOption is the option Rho returns; RMSprop and Adadelta take it.
type RhoOption float64

func (o RhoOption) applyRMSprop(b *rmspropBuild)   { b.p.Rho = float64(o) }
func (o RhoOption) applyAdadelta(b *adadeltaBuild) { b.p.Rho = float64(o) }

// Rho sets the discount factor of the moving averages of RMSprop (default
// 0.9) and Adadelta (default 0.95), in [0, 1).
func Rho(r float64) RhoOption { return RhoOption(r) }

type centeredOption bool

func (o centeredOption) applyRMSprop(b *rmspropBuild) { b.p.Centered = bool(o) }

// Centered makes RMSprop normalise by the estimated variance of the
// gradient instead of its second moment (default false).
func Centered(on bool) RMSpropOption { return centeredOption(on) }

// Beta1Option is the option Beta1 returns; Adam, AdamW, Adamax, Nadam and
// Lion take it.
type Beta1Option float64

func (o Beta1Option) applyAdam(b *adamBuild)     { b.p.Beta1 = float64(o) }
func (o Beta1Option) applyAdamW(b *adamBuild)    { b.p.Beta1 = float64(o) }
func (o Beta1Option) applyAdamax(b *adamaxBuild) { b.p.Beta1 = float64(o) }
func (o Beta1Option) applyNadam(b *nadamBuild)   { b.p.Beta1 = float64(o) }
func (o Beta1Option) applyLion(b *lionBuild)     { b.p.Beta1 = float64(o) }

// Beta1 sets the decay rate of the first moment: Adam, AdamW, Adamax and
// Nadam (default 0.9, in [0, 1)); Lion's interpolation factor (default
// 0.9, in (0, 1]).
func Beta1(b float64) Beta1Option { return Beta1Option(b) }

// Beta2Option is the option Beta2 returns; Adam, AdamW, Adamax, Nadam and
// Lion take it.
type Beta2Option float64

func (o Beta2Option) applyAdam(b *adamBuild)     { b.p.Beta2 = float64(o) }
func (o Beta2Option) applyAdamW(b *adamBuild)    { b.p.Beta2 = float64(o) }
func (o Beta2Option) applyAdamax(b *adamaxBuild) { b.p.Beta2 = float64(o) }
func (o Beta2Option) applyNadam(b *nadamBuild)   { b.p.Beta2 = float64(o) }
func (o Beta2Option) applyLion(b *lionBuild)     { b.p.Beta2 = float64(o) }

// Beta2 sets the decay rate of the second moment: Adam, AdamW, Nadam
// (default 0.999), Adamax's infinity norm (default 0.999), in [0, 1);
// Lion's momentum (default 0.99, in [0, 1]).
func Beta2(b float64) Beta2Option { return Beta2Option(b) }

// EpsilonOption is the option Epsilon returns; RMSprop, Adam, AdamW,
// Adagrad, Adadelta, Adamax and Nadam take it.
type EpsilonOption float64

func (o EpsilonOption) applyRMSprop(b *rmspropBuild)   { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyAdam(b *adamBuild)         { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyAdamW(b *adamBuild)        { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyAdagrad(b *adagradBuild)   { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyAdadelta(b *adadeltaBuild) { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyAdamax(b *adamaxBuild)     { b.p.Epsilon = float64(o) }
func (o EpsilonOption) applyNadam(b *nadamBuild)       { b.p.Epsilon = float64(o) }

// Epsilon sets the small constant added for numerical stability (default
// 1e-7, Keras's value; Gorgonia's solvers use 1e-8). It must be >= 0.
func Epsilon(e float64) EpsilonOption { return EpsilonOption(e) }

// AmsgradOption is the option Amsgrad returns; Adam and AdamW take it.
type AmsgradOption bool

func (o AmsgradOption) applyAdam(b *adamBuild)  { b.p.Amsgrad = bool(o) }
func (o AmsgradOption) applyAdamW(b *adamBuild) { b.p.Amsgrad = bool(o) }

// Amsgrad turns on the AMSGrad variant of Adam and AdamW (default false).
func Amsgrad(on bool) AmsgradOption { return AmsgradOption(on) }

// InitialAccumulatorValueOption is the option InitialAccumulatorValue
// returns; Adagrad and Ftrl take it.
type InitialAccumulatorValueOption float64

func (o InitialAccumulatorValueOption) applyAdagrad(b *adagradBuild) {
	b.p.InitialAccumulatorValue = float64(o)
}
func (o InitialAccumulatorValueOption) applyFtrl(b *ftrlBuild) {
	b.p.InitialAccumulatorValue = float64(o)
}

// InitialAccumulatorValue sets the starting value of the accumulators of
// Adagrad and Ftrl (default 0.1, >= 0).
func InitialAccumulatorValue(v float64) InitialAccumulatorValueOption {
	return InitialAccumulatorValueOption(v)
}

type ftrlOption func(*FtrlParams)

func (o ftrlOption) applyFtrl(b *ftrlBuild) { o(&b.p) }

// LearningRatePower sets how fast Ftrl's per-weight learning rate decays
// (default -0.5, <= 0; 0 keeps it fixed).
func LearningRatePower(v float64) FtrlOption {
	return ftrlOption(func(p *FtrlParams) { p.LearningRatePower = v })
}

// L1RegularizationStrength sets Ftrl's L1 strength (default 0, >= 0).
func L1RegularizationStrength(v float64) FtrlOption {
	return ftrlOption(func(p *FtrlParams) { p.L1RegularizationStrength = v })
}

// L2RegularizationStrength sets Ftrl's stabilising L2 strength (default 0,
// >= 0).
func L2RegularizationStrength(v float64) FtrlOption {
	return ftrlOption(func(p *FtrlParams) { p.L2RegularizationStrength = v })
}

// L2ShrinkageRegularizationStrength sets Ftrl's L2 shrinkage (a magnitude
// penalty added to the gradient as 2*strength*w; default 0, >= 0).
func L2ShrinkageRegularizationStrength(v float64) FtrlOption {
	return ftrlOption(func(p *FtrlParams) { p.L2ShrinkageRegularizationStrength = v })
}

// Beta sets Ftrl's beta (default 0, >= 0).
func Beta(v float64) FtrlOption { return ftrlOption(func(p *FtrlParams) { p.Beta = v }) }

// check validates the shared hyperparameters of the optimizer named name
// and returns the first problem: an error from the options, a value that
// is not finite, a negative learning rate, clipping value or weight decay,
// or more than one kind of clipping.
func (b *build) check(name string, p any, base BaseParams) error {
	switch {
	case b.err != nil && errors.Is(b.err, kerrors.ErrNil):
		return errors.Wrapf(b.err, "optimizers: %s", name)
	case b.err != nil:
		return b.err // a schedule's own error, already prefixed
	}
	if err := hparams.CheckFinite(name, p); err != nil {
		return errors.Wrap(err, "optimizers")
	}
	if base.LearningRate < 0 {
		return invalid(name, "learning_rate", base.LearningRate, "must be >= 0")
	}
	for _, c := range []struct {
		key string
		v   float64
	}{{"clipnorm", base.Clipnorm}, {"clipvalue", base.Clipvalue}, {"global_clipnorm", base.GlobalClipnorm}, {"weight_decay", base.WeightDecay}} {
		if c.v < 0 {
			return invalid(name, c.key, c.v, "must be >= 0")
		}
	}
	var set []string
	for _, c := range []struct {
		key string
		v   float64
	}{{"clipnorm", base.Clipnorm}, {"clipvalue", base.Clipvalue}, {"global_clipnorm", base.GlobalClipnorm}} {
		if c.v > 0 {
			set = append(set, c.key+"="+strconv.FormatFloat(c.v, 'g', -1, 64))
		}
	}
	if len(set) > 1 {
		return errors.Wrap(&kerrors.OptionError{Call: name, Option: "clipnorm, clipvalue, global_clipnorm",
			Value: strings.Join(set, ", "), Msg: "only one of them can be set"}, "optimizers")
	}
	return nil
}

// invalid returns the error for a hyperparameter out of range.
func invalid(name, key string, v any, msg string) error {
	return errors.Wrap(hparams.Invalid(name, key, v, msg), "optimizers")
}

// inUnit checks that v lies in [0, 1) (or [0, 1] when closedTop).
func inUnit(name, param string, v float64, closedTop bool) error {
	if v < 0 || v > 1 || (v == 1 && !closedTop) || math.IsNaN(v) {
		r := "must be in [0, 1)"
		if closedTop {
			r = "must be in [0, 1]"
		}
		return invalid(name, param, v, r)
	}
	return nil
}

func atLeast(name, param string, v, min float64) error {
	if v < min {
		return invalid(name, param, v, "must be >= "+strconv.FormatFloat(min, 'g', -1, 64))
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
