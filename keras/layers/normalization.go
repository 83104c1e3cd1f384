package layers

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// BatchNormalization and LayerNormalization (Keras 3's
// keras/src/layers/normalization/batch_normalization.py and
// layer_normalization.py), over the last axis, computed by the backend's
// fused BatchMoments/BatchNormTrain/BatchNormInference and LayerNorm ops.

// normWeights holds gamma's and beta's options (and, for
// BatchNormalization, the moving statistics' initializers).
type normWeights struct {
	gammaInit, betaInit    initializers.Initializer
	meanInit, varianceInit initializers.Initializer
	gammaReg, betaReg      regularizers.Regularizer
	gammaCon, betaCon      constraints.Constraint
	err                    error
}

func defaultNormWeights() normWeights {
	return normWeights{gammaInit: initializers.Ones(), betaInit: initializers.Zeros(),
		meanInit: initializers.Zeros(), varianceInit: initializers.Ones()}
}

// NormWeightOption is an option about the weights of BatchNormalization
// and LayerNormalization: GammaInitializer, BetaInitializer,
// GammaRegularizer, BetaRegularizer, GammaConstraint, BetaConstraint.
type NormWeightOption struct {
	kw  string
	set func(*normWeights) error
}

func (o NormWeightOption) applyTo(w *normWeights) {
	if o.set == nil {
		o.set = func(*normWeights) error { return errors.Wrap(kerrors.ErrNil, "layers: a zero NormWeightOption") }
	}
	if err := o.set(w); err != nil && w.err == nil {
		w.err = errors.Wrap(err, "layers: "+o.kw)
	}
}

func normInit(kw string, init any, dst func(*normWeights) *initializers.Initializer) NormWeightOption {
	return NormWeightOption{kw, func(w *normWeights) error {
		i, err := initializers.Resolve(init)
		*dst(w) = i
		return err
	}}
}

// GammaInitializer sets how the scale gamma is initialised (Keras:
// gamma_initializer; default "ones").
func GammaInitializer(init any) NormWeightOption {
	return normInit("gamma_initializer", init, func(w *normWeights) *initializers.Initializer { return &w.gammaInit })
}

// BetaInitializer sets how the offset beta is initialised (Keras:
// beta_initializer; default "zeros").
func BetaInitializer(init any) NormWeightOption {
	return normInit("beta_initializer", init, func(w *normWeights) *initializers.Initializer { return &w.betaInit })
}

// GammaRegularizer adds a penalty on gamma to the model's loss (Keras:
// gamma_regularizer; default none).
func GammaRegularizer(r any) NormWeightOption {
	return NormWeightOption{"gamma_regularizer", func(w *normWeights) error {
		reg, err := regularizers.Resolve(r)
		w.gammaReg = reg
		return err
	}}
}

// BetaRegularizer adds a penalty on beta to the model's loss (Keras:
// beta_regularizer; default none).
func BetaRegularizer(r any) NormWeightOption {
	return NormWeightOption{"beta_regularizer", func(w *normWeights) error {
		reg, err := regularizers.Resolve(r)
		w.betaReg = reg
		return err
	}}
}

// GammaConstraint projects gamma after every optimizer update (Keras:
// gamma_constraint; default none).
func GammaConstraint(c any) NormWeightOption {
	return NormWeightOption{"gamma_constraint", func(w *normWeights) error {
		con, err := constraints.Resolve(c)
		w.gammaCon = con
		return err
	}}
}

// BetaConstraint projects beta after every optimizer update (Keras:
// beta_constraint; default none).
func BetaConstraint(c any) NormWeightOption {
	return NormWeightOption{"beta_constraint", func(w *normWeights) error {
		con, err := constraints.Resolve(c)
		w.betaCon = con
		return err
	}}
}

// MovingStatOption sets how BatchNormalization's moving statistics are
// initialised: MovingMeanInitializer, MovingVarianceInitializer.
type MovingStatOption struct{ o NormWeightOption }

// MovingMeanInitializer sets BatchNormalization's initial moving mean
// (Keras: moving_mean_initializer; default "zeros").
func MovingMeanInitializer(init any) MovingStatOption {
	return MovingStatOption{normInit("moving_mean_initializer", init, func(w *normWeights) *initializers.Initializer { return &w.meanInit })}
}

// MovingVarianceInitializer sets BatchNormalization's initial moving
// variance (Keras: moving_variance_initializer; default "ones").
func MovingVarianceInitializer(init any) MovingStatOption {
	return MovingStatOption{normInit("moving_variance_initializer", init, func(w *normWeights) *initializers.Initializer { return &w.varianceInit })}
}

// MomentumOption sets BatchNormalization's momentum.
type MomentumOption float64

// Momentum sets the weight of the old value in each update of
// BatchNormalization's moving statistics, moving = moving*momentum +
// batch*(1 - momentum) (Keras: momentum; default 0.99, in [0, 1]).
func Momentum(m float64) MomentumOption { return MomentumOption(m) }

// EpsilonOption sets the variance offset of a normalization layer.
type EpsilonOption float64

// Epsilon sets the small number added to the variance before its square
// root (Keras: epsilon; default 1e-3, finite and >= 0).
func Epsilon(e float64) EpsilonOption { return EpsilonOption(e) }

// CenterOption says whether a normalization layer adds beta.
type CenterOption bool

// Center adds the learned offset beta (Keras: center; default true).
func Center(on bool) CenterOption { return CenterOption(on) }

// ScaleOption says whether a normalization layer multiplies by gamma.
type ScaleOption bool

// Scale multiplies by the learned scale gamma (Keras: scale; default
// true).
func Scale(on bool) ScaleOption { return ScaleOption(on) }

// normBase is what the two normalization layers share.
type normBase struct {
	Base
	axis          int
	epsilon       float64
	center, scale bool
	w             normWeights
	gamma, beta   *backend.Variable
}

func (n *normBase) check(class string) {
	if n.w.err != nil {
		n.Fail(n.w.err)
	}
	if !(n.epsilon >= 0) || math.IsInf(n.epsilon, 0) {
		n.Fail(&kerrors.OptionError{Call: class, Option: "epsilon", Value: fmt.Sprint(n.epsilon), Msg: "must be finite and >= 0"})
	}
}

// build resolves the axis (only the last one, the channels, is
// supported) and declares gamma and beta, in Keras's order.
func (n *normBase) build(ctx *BuildContext, class string, in []int) (int, error) {
	rank := len(in) + 1
	axis := n.axis
	if axis < 0 {
		axis += rank
	}
	if axis != rank-1 || rank < 2 {
		return 0, &kerrors.OptionError{Call: class + " " + n.name, Option: "axis", Value: itoa(n.axis),
			Msg: fmt.Sprintf("gokeras normalises over the last axis only (-1, or %d for this input of rank %d with the batch axis)", rank-1, rank)}
	}
	c := in[len(in)-1]
	if c < 1 {
		return 0, &kerrors.ShapeError{Where: "layers: " + n.name, Arg: "input", Got: withBatch(in),
			Msg: class + " needs the last axis to have a known size"}
	}
	var err error
	if n.scale {
		if n.gamma, err = n.AddWeight(ctx, "gamma", []int{c}, WeightSpec{Initializer: n.w.gammaInit, Regularizer: n.w.gammaReg, Constraint: n.w.gammaCon}); err != nil {
			return 0, err
		}
	}
	if n.center {
		if n.beta, err = n.AddWeight(ctx, "beta", []int{c}, WeightSpec{Initializer: n.w.betaInit, Regularizer: n.w.betaReg, Constraint: n.w.betaCon}); err != nil {
			return 0, err
		}
	}
	return c, nil
}

// gammaBeta returns gamma's and beta's nodes, a constant ones or zeros
// vector of c values standing in for a weight the layer does not have.
func (n *normBase) gammaBeta(s *backend.Scope, c int) (gamma, beta *G.Node, err error) {
	vec := func(v *backend.Variable, fill float64, what string) (*G.Node, error) {
		if v != nil {
			return s.Param(v)
		}
		t := tensor.New(tensor.WithShape(c), tensor.Of(s.Dtype()))
		if fill != 0 {
			switch d := t.Data().(type) {
			case []float32:
				for i := range d {
					d[i] = float32(fill)
				}
			case []float64:
				for i := range d {
					d[i] = fill
				}
			}
		}
		return G.NewConstant(t, G.WithName(fmt.Sprintf("%s/%s_constant", n.name, what))), nil
	}
	if gamma, err = vec(n.gamma, 1, "gamma"); err != nil {
		return nil, nil, err
	}
	if beta, err = vec(n.beta, 0, "beta"); err != nil {
		return nil, nil, err
	}
	return gamma, beta, nil
}

// BatchNormLayer normalises each channel with the batch's statistics in
// training and with moving statistics at inference.
type BatchNormLayer struct {
	normBase
	momentum            float64
	movingMean, movingV *backend.Variable
}

// BatchNormOption is an option of BatchNormalization: Axis, Momentum,
// Epsilon, Center, Scale, a NormWeightOption, a MovingStatOption or a
// Common option.
type BatchNormOption interface{ applyBatchNorm(*BatchNormLayer) }

func (c Common) applyBatchNorm(l *BatchNormLayer)           { c.ApplyTo(&l.Base) }
func (o AxisOption) applyBatchNorm(l *BatchNormLayer)       { l.axis = o.axis }
func (o MomentumOption) applyBatchNorm(l *BatchNormLayer)   { l.momentum = float64(o) }
func (o EpsilonOption) applyBatchNorm(l *BatchNormLayer)    { l.epsilon = float64(o) }
func (o CenterOption) applyBatchNorm(l *BatchNormLayer)     { l.center = bool(o) }
func (o ScaleOption) applyBatchNorm(l *BatchNormLayer)      { l.scale = bool(o) }
func (o NormWeightOption) applyBatchNorm(l *BatchNormLayer) { o.applyTo(&l.w) }
func (o MovingStatOption) applyBatchNorm(l *BatchNormLayer) { o.o.applyTo(&l.w) }

// BatchNormalization returns a batch normalization layer (Keras:
// layer_batch_normalization / BatchNormalization) over the last axis
// (the channels of channels-last images, the features of tables): each
// channel c becomes gamma[c]*(x - mean[c])/sqrt(var[c] + epsilon) +
// beta[c]. In training (Fit) mean and var are the batch's mean and biased
// variance over every other axis, and each training step updates the
// moving statistics, moving = moving*momentum + batch*(1 - momentum), as
// Keras 3 does (with the biased batch variance for the moving variance
// too); at inference (Evaluate, Predict, validation) the moving statistics
// are used. The update is applied after the optimizer step, under the
// model's weights lock, so every program of the model (each batch size
// and mode) sees it. A frozen layer (Trainable(false)) runs in inference
// mode and updates nothing, as in Keras 3.
//
// Options and defaults: Axis (-1; only the last axis is supported),
// Momentum (0.99), Epsilon (1e-3), Center (true), Scale (true),
// BetaInitializer ("zeros"), GammaInitializer ("ones"),
// MovingMeanInitializer ("zeros"), MovingVarianceInitializer ("ones"),
// BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint
// (none) and the Common options. Weights, in Keras's order: gamma (if
// Scale), beta (if Center), moving_mean, moving_variance (each (C); the
// last two non-trainable, counted as such by Summary and saved with the
// model). Masked inputs (from an Embedding with mask_zero) are refused in
// training: Keras's masked moments are not implemented.
func BatchNormalization(opts ...BatchNormOption) *BatchNormLayer {
	l := &BatchNormLayer{normBase: normBase{axis: -1, epsilon: 1e-3, center: true, scale: true, w: defaultNormWeights()}, momentum: 0.99}
	l.Init(l, "BatchNormalization")
	l.SetSupportsMasking(true)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("BatchNormalization"))
			continue
		}
		o.applyBatchNorm(l)
	}
	l.check("BatchNormalization")
	if !(l.momentum >= 0 && l.momentum <= 1) {
		l.Fail(&kerrors.OptionError{Call: "BatchNormalization", Option: "momentum", Value: fmt.Sprint(l.momentum), Msg: "must be in [0, 1]"})
	}
	return l
}

// ClassName returns "BatchNormalization".
func (l *BatchNormLayer) ClassName() string { return "BatchNormalization" }

// Momentum returns the moving statistics' momentum.
func (l *BatchNormLayer) Momentum() float64 { return l.momentum }

// Epsilon returns the variance offset.
func (l *BatchNormLayer) Epsilon() float64 { return l.epsilon }

// MovingMean returns the moving mean variable (nil before Build).
func (l *BatchNormLayer) MovingMean() *backend.Variable { return l.movingMean }

// MovingVariance returns the moving variance variable (nil before
// Build).
func (l *BatchNormLayer) MovingVariance() *backend.Variable { return l.movingV }

// Build declares gamma, beta, moving_mean and moving_variance.
func (l *BatchNormLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	c, err := l.build(ctx, "BatchNormalization", in)
	if err != nil {
		return nil, err
	}
	if l.movingMean, err = l.AddWeight(ctx, "moving_mean", []int{c}, WeightSpec{Initializer: l.w.meanInit, NonTrainable: true}); err != nil {
		return nil, err
	}
	if l.movingV, err = l.AddWeight(ctx, "moving_variance", []int{c}, WeightSpec{Initializer: l.w.varianceInit, NonTrainable: true}); err != nil {
		return nil, err
	}
	return l.FinishBuild(in, in), nil
}

// Forward normalises x: with the batch's statistics (and the moving
// statistics' update) in training graphs of a trainable layer, with the
// moving statistics otherwise.
func (l *BatchNormLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	c := x.Shape()[x.Dims()-1]
	gamma, beta, err := l.gammaBeta(s, c)
	if err != nil {
		return nil, err
	}
	mean, err := s.Param(l.movingMean)
	if err != nil {
		return nil, err
	}
	variance, err := s.Param(l.movingV)
	if err != nil {
		return nil, err
	}
	if !s.Training() || !l.Trainable() {
		out, err := backend.BatchNormInference(x, mean, variance, gamma, beta, l.epsilon)
		return out, errors.Wrapf(err, "layers: %s", l.name)
	}
	if s.Mask(x) != nil {
		return nil, errors.Errorf("layers: %s: BatchNormalization of masked inputs in training is not supported (Keras computes masked moments); remove the mask or the layer", l.name)
	}
	moments, err := backend.BatchMoments(x)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	out, err := backend.BatchNormTrain(x, moments, gamma, beta, l.epsilon)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	for row, v := range []struct {
		moving *G.Node
		v      *backend.Variable
	}{{mean, l.movingMean}, {variance, l.movingV}} {
		next, err := l.movingUpdate(s, v.moving, moments, row)
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s: moving statistics", l.name)
		}
		if err := s.Update(v.v, next); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	return out, nil
}

// movingUpdate returns moving*momentum + moments[row]*(1 - momentum).
func (l *BatchNormLayer) movingUpdate(s *backend.Scope, moving, moments *G.Node, row int) (*G.Node, error) {
	batch, err := G.Slice(moments, G.S(row))
	if err != nil {
		return nil, err
	}
	old, err := G.Mul(moving, s.Scalar(l.momentum))
	if err != nil {
		return nil, err
	}
	add, err := G.Mul(batch, s.Scalar(1-l.momentum))
	if err != nil {
		return nil, err
	}
	return G.Add(old, add)
}

// normWeightsConfig is the serialisable form of normWeights (gamma and
// beta).
type normWeightsConfig struct {
	BetaInitializer  initializers.Config  `json:"beta_initializer"`
	GammaInitializer initializers.Config  `json:"gamma_initializer"`
	BetaRegularizer  *regularizers.Config `json:"beta_regularizer,omitempty"`
	GammaRegularizer *regularizers.Config `json:"gamma_regularizer,omitempty"`
	BetaConstraint   *constraints.Config  `json:"beta_constraint,omitempty"`
	GammaConstraint  *constraints.Config  `json:"gamma_constraint,omitempty"`
}

func (w *normWeights) config() normWeightsConfig {
	return normWeightsConfig{BetaInitializer: initializers.ConfigOf(w.betaInit), GammaInitializer: initializers.ConfigOf(w.gammaInit),
		BetaRegularizer: regularizerConfig(w.betaReg), GammaRegularizer: regularizerConfig(w.gammaReg),
		BetaConstraint: constraintConfig(w.betaCon), GammaConstraint: constraintConfig(w.gammaCon)}
}

func (c normWeightsConfig) options() ([]NormWeightOption, error) {
	gi, err := initializers.FromConfig(c.GammaInitializer)
	if err != nil {
		return nil, errors.Wrap(err, "gamma_initializer")
	}
	bi, err := initializers.FromConfig(c.BetaInitializer)
	if err != nil {
		return nil, errors.Wrap(err, "beta_initializer")
	}
	opts := []NormWeightOption{GammaInitializer(gi), BetaInitializer(bi)}
	return appendPenalties(opts,
		[]penaltyConfig[NormWeightOption]{
			{c.GammaRegularizer, nil, GammaRegularizer, "gamma_regularizer"},
			{c.BetaRegularizer, nil, BetaRegularizer, "beta_regularizer"},
			{nil, c.GammaConstraint, GammaConstraint, "gamma_constraint"},
			{nil, c.BetaConstraint, BetaConstraint, "beta_constraint"},
		})
}

// BatchNormConfig is BatchNormalization's serialisable configuration
// (Keras's get_config keys; synchronized is always false).
type BatchNormConfig struct {
	BaseConfig
	Axis                      int                 `json:"axis"`
	Momentum                  float64             `json:"momentum"`
	Epsilon                   float64             `json:"epsilon"`
	Center                    bool                `json:"center"`
	Scale                     bool                `json:"scale"`
	MovingMeanInitializer     initializers.Config `json:"moving_mean_initializer"`
	MovingVarianceInitializer initializers.Config `json:"moving_variance_initializer"`
	normWeightsConfig
	Synchronized bool `json:"synchronized"`
}

// Config returns the layer's configuration.
func (l *BatchNormLayer) Config() any {
	return BatchNormConfig{BaseConfig: l.BaseConfig(), Axis: l.axis, Momentum: l.momentum, Epsilon: l.epsilon,
		Center: l.center, Scale: l.scale, MovingMeanInitializer: initializers.ConfigOf(l.w.meanInit),
		MovingVarianceInitializer: initializers.ConfigOf(l.w.varianceInit), normWeightsConfig: l.w.config()}
}

// LayerNormLayer normalises each sample over its last axis.
type LayerNormLayer struct{ normBase }

// LayerNormOption is an option of LayerNormalization: Axis, Epsilon,
// Center, Scale, a NormWeightOption or a Common option.
type LayerNormOption interface{ applyLayerNorm(*LayerNormLayer) }

func (c Common) applyLayerNorm(l *LayerNormLayer)           { c.ApplyTo(&l.Base) }
func (o AxisOption) applyLayerNorm(l *LayerNormLayer)       { l.axis = o.axis }
func (o EpsilonOption) applyLayerNorm(l *LayerNormLayer)    { l.epsilon = float64(o) }
func (o CenterOption) applyLayerNorm(l *LayerNormLayer)     { l.center = bool(o) }
func (o ScaleOption) applyLayerNorm(l *LayerNormLayer)      { l.scale = bool(o) }
func (o NormWeightOption) applyLayerNorm(l *LayerNormLayer) { o.applyTo(&l.w) }

// LayerNormalization returns a layer normalization layer (Keras:
// layer_layer_normalization / LayerNormalization): each sample's vector
// along the last axis becomes gamma*(x - mean)/sqrt(var + epsilon) + beta
// with the mean and biased variance of that vector, in training and
// inference alike. Options and defaults: Axis (-1; only the last axis is
// supported), Epsilon (1e-3), Center (true), Scale (true),
// BetaInitializer ("zeros"), GammaInitializer ("ones"), BetaRegularizer,
// GammaRegularizer, BetaConstraint, GammaConstraint (none) and the Common
// options. Keras's rms_scaling is not supported. Weights, in Keras's
// order: gamma (if Scale), beta (if Center), each (D). Masks pass
// through.
func LayerNormalization(opts ...LayerNormOption) *LayerNormLayer {
	l := &LayerNormLayer{normBase{axis: -1, epsilon: 1e-3, center: true, scale: true, w: defaultNormWeights()}}
	l.Init(l, "LayerNormalization")
	l.SetSupportsMasking(true)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("LayerNormalization"))
			continue
		}
		o.applyLayerNorm(l)
	}
	l.check("LayerNormalization")
	return l
}

// ClassName returns "LayerNormalization".
func (l *LayerNormLayer) ClassName() string { return "LayerNormalization" }

// Epsilon returns the variance offset.
func (l *LayerNormLayer) Epsilon() float64 { return l.epsilon }

// Build declares gamma and beta.
func (l *LayerNormLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if _, err := l.build(ctx, "LayerNormalization", in); err != nil {
		return nil, err
	}
	return l.FinishBuild(in, in), nil
}

// Forward normalises every row of x over its last axis.
func (l *LayerNormLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	gamma, beta, err := l.gammaBeta(s, x.Shape()[x.Dims()-1])
	if err != nil {
		return nil, err
	}
	out, err := backend.LayerNorm(x, gamma, beta, l.epsilon)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// LayerNormConfig is LayerNormalization's serialisable configuration
// (Keras's get_config keys; rms_scaling is always false).
type LayerNormConfig struct {
	BaseConfig
	Axis       int     `json:"axis"`
	Epsilon    float64 `json:"epsilon"`
	Center     bool    `json:"center"`
	Scale      bool    `json:"scale"`
	RMSScaling bool    `json:"rms_scaling"`
	normWeightsConfig
}

// Config returns the layer's configuration.
func (l *LayerNormLayer) Config() any {
	return LayerNormConfig{BaseConfig: l.BaseConfig(), Axis: l.axis, Epsilon: l.epsilon, Center: l.center, Scale: l.scale,
		normWeightsConfig: l.w.config()}
}

func init() {
	classes.Builtin("BatchNormalization", func(raw json.RawMessage) (Layer, error) {
		c := BatchNormConfig{Axis: -1, Momentum: 0.99, Epsilon: 1e-3, Center: true, Scale: true}
		if err := decode("BatchNormalization", raw, &c); err != nil {
			return nil, err
		}
		if c.Synchronized {
			return nil, errors.New("layers: BatchNormalization config: synchronized=true (TensorFlow's distributed statistics) is not supported")
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: BatchNormalization config")
		}
		weights, err := c.normWeightsConfig.options()
		if err != nil {
			return nil, errors.Wrap(err, "layers: BatchNormalization config")
		}
		mi, err := initializers.FromConfig(c.MovingMeanInitializer)
		if err != nil {
			return nil, errors.Wrap(err, "layers: BatchNormalization config: moving_mean_initializer")
		}
		vi, err := initializers.FromConfig(c.MovingVarianceInitializer)
		if err != nil {
			return nil, errors.Wrap(err, "layers: BatchNormalization config: moving_variance_initializer")
		}
		opts := []BatchNormOption{Axis(c.Axis), Momentum(c.Momentum), Epsilon(c.Epsilon), Center(c.Center), Scale(c.Scale),
			MovingMeanInitializer(mi), MovingVarianceInitializer(vi)}
		for _, o := range common {
			opts = append(opts, o)
		}
		for _, o := range weights {
			opts = append(opts, o)
		}
		return BatchNormalization(opts...), nil
	})
	classes.Builtin("LayerNormalization", func(raw json.RawMessage) (Layer, error) {
		c := LayerNormConfig{Axis: -1, Epsilon: 1e-3, Center: true, Scale: true}
		if err := decode("LayerNormalization", raw, &c); err != nil {
			return nil, err
		}
		if c.RMSScaling {
			return nil, errors.New("layers: LayerNormalization config: rms_scaling=true is not supported")
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: LayerNormalization config")
		}
		weights, err := c.normWeightsConfig.options()
		if err != nil {
			return nil, errors.Wrap(err, "layers: LayerNormalization config")
		}
		opts := []LayerNormOption{Axis(c.Axis), Epsilon(c.Epsilon), Center(c.Center), Scale(c.Scale)}
		for _, o := range common {
			opts = append(opts, o)
		}
		for _, o := range weights {
			opts = append(opts, o)
		}
		return LayerNormalization(opts...), nil
	})
}
