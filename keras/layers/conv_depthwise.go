package layers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// The depthwise and separable convolutions (Keras 3's BaseDepthwiseConv
// and BaseSeparableConv, keras/src/layers/convolutional/
// base_depthwise_conv.py and base_separable_conv.py). Their kernels are
// named differently from Conv2D's in Keras (depthwise_initializer,
// pointwise_initializer, ...), so they have options of their own:
// DepthwiseWeightOption and PointwiseWeightOption. Of the WeightOptions
// they take the bias ones (UseBias, BiasInitializer, BiasRegularizer,
// BiasConstraint); a kernel one is reported when the model is built.

// DepthwiseWeightOption is an option about the depthwise kernel of
// DepthwiseConv1D/2D and SeparableConv1D/2D: DepthwiseInitializer,
// DepthwiseRegularizer, DepthwiseConstraint.
type DepthwiseWeightOption struct{ w WeightOption }

// DepthwiseInitializer sets how the depthwise kernel is initialised
// (Keras: depthwise_initializer; default "glorot_uniform"): a Keras name
// or an initializers.Initializer.
func DepthwiseInitializer(init any) DepthwiseWeightOption {
	return DepthwiseWeightOption{renamed(KernelInitializer(init), "depthwise_initializer")}
}

// DepthwiseRegularizer adds a penalty on the depthwise kernel to the
// model's loss (Keras: depthwise_regularizer; default none).
func DepthwiseRegularizer(r any) DepthwiseWeightOption {
	return DepthwiseWeightOption{renamed(KernelRegularizer(r), "depthwise_regularizer")}
}

// DepthwiseConstraint projects the depthwise kernel after every optimizer
// update (Keras: depthwise_constraint; default none).
func DepthwiseConstraint(c any) DepthwiseWeightOption {
	return DepthwiseWeightOption{renamed(KernelConstraint(c), "depthwise_constraint")}
}

// PointwiseWeightOption is an option about the pointwise (1x1) kernel of
// SeparableConv1D/2D: PointwiseInitializer, PointwiseRegularizer,
// PointwiseConstraint.
type PointwiseWeightOption struct{ w WeightOption }

// PointwiseInitializer sets how the pointwise kernel is initialised
// (Keras: pointwise_initializer; default "glorot_uniform").
func PointwiseInitializer(init any) PointwiseWeightOption {
	return PointwiseWeightOption{renamed(KernelInitializer(init), "pointwise_initializer")}
}

// PointwiseRegularizer adds a penalty on the pointwise kernel to the
// model's loss (Keras: pointwise_regularizer; default none).
func PointwiseRegularizer(r any) PointwiseWeightOption {
	return PointwiseWeightOption{renamed(KernelRegularizer(r), "pointwise_regularizer")}
}

// PointwiseConstraint projects the pointwise kernel after every optimizer
// update (Keras: pointwise_constraint; default none).
func PointwiseConstraint(c any) PointwiseWeightOption {
	return PointwiseWeightOption{renamed(KernelConstraint(c), "pointwise_constraint")}
}

func renamed(o WeightOption, kw string) WeightOption {
	o.kw = kw
	return o
}

// biasOnly applies a bias WeightOption to k and reports a kernel one,
// which the depthwise layers name differently.
func (o WeightOption) biasOnly(b *Base, class string, k *kernelBias) {
	if strings.HasPrefix(o.kw, "kernel_") {
		b.Fail(&kerrors.OptionError{Call: class, Option: o.kw,
			Msg: fmt.Sprintf("%s has no kernel_* options; use Depthwise%s (Keras: depthwise_%s)%s", class,
				optionSuffix(o.kw), strings.TrimPrefix(o.kw, "kernel_"), pointwiseHint(class, o.kw))})
		return
	}
	o.applyTo(k)
}

func optionSuffix(kw string) string {
	switch strings.TrimPrefix(kw, "kernel_") {
	case "initializer":
		return "Initializer"
	case "regularizer":
		return "Regularizer"
	}
	return "Constraint"
}

func pointwiseHint(class, kw string) string {
	if !strings.HasPrefix(class, "Separable") {
		return ""
	}
	return " or Pointwise" + optionSuffix(kw)
}

// DepthwiseConvLayer is DepthwiseConv1D or DepthwiseConv2D: every input
// channel convolved with its own depth_multiplier filters, plus bias,
// then the activation.
type DepthwiseConvLayer struct {
	convBase
	kernel *backend.Variable
	bias   *backend.Variable
}

// DepthwiseConvOption is an option of DepthwiseConv1D and
// DepthwiseConv2D: DepthMultiplier, Strides, Padding, DilationRate,
// DataFormat, Activation, a DepthwiseWeightOption, a bias WeightOption
// (UseBias, BiasInitializer, BiasRegularizer, BiasConstraint) or a Common
// option.
type DepthwiseConvOption interface{ applyDepthwiseConv(*DepthwiseConvLayer) }

func (c Common) applyDepthwiseConv(l *DepthwiseConvLayer) { c.ApplyTo(&l.Base) }
func (o WeightOption) applyDepthwiseConv(l *DepthwiseConvLayer) {
	o.biasOnly(&l.Base, l.ClassName(), &l.kb)
}
func (o DepthwiseWeightOption) applyDepthwiseConv(l *DepthwiseConvLayer) { o.w.applyTo(&l.kb) }
func (l *ActivationLayer) applyDepthwiseConv(c *DepthwiseConvLayer) {
	l.setActivation(&c.Base, &c.activation)
}
func (o activationOption) applyDepthwiseConv(c *DepthwiseConvLayer) { c.activation = o.a }
func (o StridesOption) applyDepthwiseConv(l *DepthwiseConvLayer)    { l.rawStrides = o.orEmpty() }
func (o PaddingOption) applyDepthwiseConv(l *DepthwiseConvLayer)    { l.padding = o.mode }
func (o DilationRateOption) applyDepthwiseConv(l *DepthwiseConvLayer) {
	l.rawDilation = o.orEmpty()
}
func (o DataFormatOption) applyDepthwiseConv(l *DepthwiseConvLayer)      { l.dataFormat = o.f }
func (o DepthMultiplierOption) applyDepthwiseConv(l *DepthwiseConvLayer) { l.depthMult = o.m }

// DepthwiseConv2D returns a depthwise 2-D convolution layer (Keras:
// layer_depthwise_conv_2d / DepthwiseConv2D) with the given kernel size
// (rows, cols): each of the C input channels is convolved with its own
// DepthMultiplier (default 1) filters, giving C*depth_multiplier output
// channels, output channel c*depth_multiplier + m from channel c and
// filter m. The spatial output follows Conv2D's rules.
//
// Options and defaults: DepthMultiplier (1), Strides (1), Padding
// ("valid"), DilationRate (1), DataFormat ("channels_last"), Activation
// (linear), DepthwiseInitializer ("glorot_uniform"), DepthwiseRegularizer,
// DepthwiseConstraint (none), UseBias (true), BiasInitializer ("zeros"),
// BiasRegularizer, BiasConstraint (none) and the Common options. Weights,
// named and ordered as in Keras 3: kernel (kernel rows, kernel cols, C,
// depth_multiplier), bias (C*depth_multiplier).
func DepthwiseConv2D(kernelSize [2]int, opts ...DepthwiseConvOption) *DepthwiseConvLayer {
	return newDepthwiseConv(2, kernelSize[:], opts)
}

// DepthwiseConv1D returns a depthwise 1-D convolution layer over
// sequences (batch, steps, channels) (Keras: DepthwiseConv1D), with
// DepthwiseConv2D's options. Weights: kernel (kernel_size, C,
// depth_multiplier), bias (C*depth_multiplier).
func DepthwiseConv1D(kernelSize int, opts ...DepthwiseConvOption) *DepthwiseConvLayer {
	return newDepthwiseConv(1, []int{kernelSize}, opts)
}

func newDepthwiseConv(rank int, kernelSize []int, opts []DepthwiseConvOption) *DepthwiseConvLayer {
	class := fmt.Sprintf("DepthwiseConv%dD", rank)
	l := &DepthwiseConvLayer{convBase: newConvBase(rank, 0, kernelSize)}
	l.Init(l, class)
	applyOptions(l, class, opts, func(o DepthwiseConvOption) { o.applyDepthwiseConv(l) })
	l.finish(class, false)
	return l
}

// ClassName returns "DepthwiseConv1D" or "DepthwiseConv2D".
func (l *DepthwiseConvLayer) ClassName() string { return fmt.Sprintf("DepthwiseConv%dD", l.rank) }

// DepthMultiplier returns the number of filters per input channel.
func (l *DepthwiseConvLayer) DepthMultiplier() int { return l.depthMult }

// Build checks the input, declares kernel and bias and returns the
// output shape.
func (l *DepthwiseConvLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	class := l.ClassName()
	ch, err := spatialInput(class, l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	lens, err := l.outputLengths(class, in)
	if err != nil {
		return nil, err
	}
	if ch > backend.MaxVariableSize/l.depthMult {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: fmt.Sprintf("%d channels times depth_multiplier %d are too many", ch, l.depthMult)}
	}
	kshape := append(append([]int(nil), l.kernelSize...), ch, l.depthMult)
	if l.kernel, err = l.AddWeight(ctx, "kernel", kshape, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		if l.bias, err = l.AddWeight(ctx, "bias", []int{ch * l.depthMult}, l.kb.biasSpec()); err != nil {
			return nil, err
		}
	}
	return l.FinishBuild(in, append(lens, ch*l.depthMult)), nil
}

// Forward computes the depthwise convolution, adds the bias and applies
// the activation.
func (l *DepthwiseConvLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, b, err := params(s, l.kernel, l.bias)
	if err != nil {
		return nil, err
	}
	p, err := l.convParams(x, 1)
	if err != nil {
		return nil, err
	}
	var out *G.Node
	if l.rank == 1 {
		out, err = backend.DepthwiseConv1D(x, k, b, conv1DParams(p))
	} else {
		out, err = backend.DepthwiseConv2D(x, k, b, p)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return l.activate(s, out)
}

// depthwiseWeightsConfig is the serialisable form of the depthwise
// kernel's and the bias's options.
type depthwiseWeightsConfig struct {
	UseBias              bool                 `json:"use_bias"`
	DepthwiseInitializer initializers.Config  `json:"depthwise_initializer"`
	BiasInitializer      initializers.Config  `json:"bias_initializer"`
	DepthwiseRegularizer *regularizers.Config `json:"depthwise_regularizer,omitempty"`
	BiasRegularizer      *regularizers.Config `json:"bias_regularizer,omitempty"`
	DepthwiseConstraint  *constraints.Config  `json:"depthwise_constraint,omitempty"`
	BiasConstraint       *constraints.Config  `json:"bias_constraint,omitempty"`
}

func depthwiseWeights(k *kernelBias) depthwiseWeightsConfig {
	c := k.config()
	return depthwiseWeightsConfig{UseBias: c.UseBias, DepthwiseInitializer: c.KernelInitializer, BiasInitializer: c.BiasInitializer,
		DepthwiseRegularizer: c.KernelRegularizer, BiasRegularizer: c.BiasRegularizer,
		DepthwiseConstraint: c.KernelConstraint, BiasConstraint: c.BiasConstraint}
}

// options rebuilds the options: kernel ones as DepthwiseWeightOptions,
// bias ones as WeightOptions.
func (c depthwiseWeightsConfig) options() (dw []DepthwiseWeightOption, bias []WeightOption, err error) {
	opts, err := kernelBiasConfig{UseBias: c.UseBias, KernelInitializer: c.DepthwiseInitializer, BiasInitializer: c.BiasInitializer,
		KernelRegularizer: c.DepthwiseRegularizer, BiasRegularizer: c.BiasRegularizer,
		KernelConstraint: c.DepthwiseConstraint, BiasConstraint: c.BiasConstraint}.options()
	if err != nil {
		return nil, nil, errors.Wrap(err, "depthwise")
	}
	for _, o := range opts {
		if strings.HasPrefix(o.kw, "kernel_") {
			dw = append(dw, DepthwiseWeightOption{renamed(o, "depthwise_"+strings.TrimPrefix(o.kw, "kernel_"))})
		} else {
			bias = append(bias, o)
		}
	}
	return dw, bias, nil
}

// DepthwiseConvConfig is the serialisable configuration of
// DepthwiseConv1D and DepthwiseConv2D.
type DepthwiseConvConfig struct {
	BaseConfig
	DepthMultiplier int `json:"depth_multiplier"`
	convConfig
	depthwiseWeightsConfig
}

// Config returns the layer's configuration.
func (l *DepthwiseConvLayer) Config() any {
	return DepthwiseConvConfig{BaseConfig: l.BaseConfig(), DepthMultiplier: l.depthMult, convConfig: l.convConfig(),
		depthwiseWeightsConfig: depthwiseWeights(&l.kb)}
}

// SeparableConvLayer is SeparableConv1D or SeparableConv2D: a depthwise
// convolution followed by a pointwise (1x1) convolution mixing the
// channels, plus bias, then the activation.
type SeparableConvLayer struct {
	convBase
	depthwise *backend.Variable
	pointwise *backend.Variable
	bias      *backend.Variable
}

// SeparableConvOption is an option of SeparableConv1D and
// SeparableConv2D: DepthwiseConv2D's options and the
// PointwiseWeightOptions.
type SeparableConvOption interface{ applySeparableConv(*SeparableConvLayer) }

func (c Common) applySeparableConv(l *SeparableConvLayer) { c.ApplyTo(&l.Base) }
func (o WeightOption) applySeparableConv(l *SeparableConvLayer) {
	o.biasOnly(&l.Base, l.ClassName(), &l.kb)
}
func (o DepthwiseWeightOption) applySeparableConv(l *SeparableConvLayer) { o.w.applyTo(&l.kb) }
func (o PointwiseWeightOption) applySeparableConv(l *SeparableConvLayer) { o.w.applyTo(&l.pw) }
func (l *ActivationLayer) applySeparableConv(c *SeparableConvLayer) {
	l.setActivation(&c.Base, &c.activation)
}
func (o activationOption) applySeparableConv(c *SeparableConvLayer) { c.activation = o.a }
func (o StridesOption) applySeparableConv(l *SeparableConvLayer)    { l.rawStrides = o.orEmpty() }
func (o PaddingOption) applySeparableConv(l *SeparableConvLayer)    { l.padding = o.mode }
func (o DilationRateOption) applySeparableConv(l *SeparableConvLayer) {
	l.rawDilation = o.orEmpty()
}
func (o DataFormatOption) applySeparableConv(l *SeparableConvLayer)      { l.dataFormat = o.f }
func (o DepthMultiplierOption) applySeparableConv(l *SeparableConvLayer) { l.depthMult = o.m }

// SeparableConv2D returns a depthwise-separable 2-D convolution layer
// (Keras: layer_separable_conv_2d / SeparableConv2D) with the given number
// of filters and kernel size (rows, cols): a depthwise convolution (each
// input channel with its own DepthMultiplier filters, with the layer's
// strides, padding and dilation), then a 1x1 convolution of the C*
// depth_multiplier channels into filters channels, plus bias, then the
// activation. The spatial output follows Conv2D's rules.
//
// Options and defaults: DepthMultiplier (1), Strides (1), Padding
// ("valid"), DilationRate (1), DataFormat ("channels_last"), Activation
// (linear), DepthwiseInitializer and PointwiseInitializer
// ("glorot_uniform"), DepthwiseRegularizer, PointwiseRegularizer,
// DepthwiseConstraint, PointwiseConstraint (none), UseBias (true),
// BiasInitializer ("zeros"), BiasRegularizer, BiasConstraint (none) and
// the Common options. Weights, in Keras's order: depthwise_kernel (kernel
// rows, kernel cols, C, depth_multiplier), pointwise_kernel (1, 1,
// C*depth_multiplier, filters), bias (filters).
func SeparableConv2D(filters int, kernelSize [2]int, opts ...SeparableConvOption) *SeparableConvLayer {
	return newSeparableConv(2, filters, kernelSize[:], opts)
}

// SeparableConv1D returns a depthwise-separable 1-D convolution layer
// over sequences (Keras: SeparableConv1D), with SeparableConv2D's
// options. Weights: depthwise_kernel (kernel_size, C, depth_multiplier),
// pointwise_kernel (1, C*depth_multiplier, filters), bias (filters).
func SeparableConv1D(filters, kernelSize int, opts ...SeparableConvOption) *SeparableConvLayer {
	return newSeparableConv(1, filters, []int{kernelSize}, opts)
}

func newSeparableConv(rank, filters int, kernelSize []int, opts []SeparableConvOption) *SeparableConvLayer {
	class := fmt.Sprintf("SeparableConv%dD", rank)
	l := &SeparableConvLayer{convBase: newConvBase(rank, filters, kernelSize)}
	l.Init(l, class)
	applyOptions(l, class, opts, func(o SeparableConvOption) { o.applySeparableConv(l) })
	l.checkFilters(class)
	l.finish(class, false)
	return l
}

// ClassName returns "SeparableConv1D" or "SeparableConv2D".
func (l *SeparableConvLayer) ClassName() string { return fmt.Sprintf("SeparableConv%dD", l.rank) }

// Filters returns the number of output channels.
func (l *SeparableConvLayer) Filters() int { return l.filters }

// DepthMultiplier returns the number of depthwise filters per input
// channel.
func (l *SeparableConvLayer) DepthMultiplier() int { return l.depthMult }

// Build checks the input, declares the depthwise and pointwise kernels
// and the bias and returns the output shape.
func (l *SeparableConvLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	class := l.ClassName()
	ch, err := spatialInput(class, l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	lens, err := l.outputLengths(class, in)
	if err != nil {
		return nil, err
	}
	if ch > backend.MaxVariableSize/l.depthMult {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: fmt.Sprintf("%d channels times depth_multiplier %d are too many", ch, l.depthMult)}
	}
	dshape := append(append([]int(nil), l.kernelSize...), ch, l.depthMult)
	if l.depthwise, err = l.AddWeight(ctx, "depthwise_kernel", dshape, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	pshape := append(repeat(1, l.rank), ch*l.depthMult, l.filters)
	if l.pointwise, err = l.AddWeight(ctx, "pointwise_kernel", pshape, l.pw.kernelSpec()); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		if l.bias, err = l.AddWeight(ctx, "bias", []int{l.filters}, l.kb.biasSpec()); err != nil {
			return nil, err
		}
	}
	return l.FinishBuild(in, append(lens, l.filters)), nil
}

// Forward computes the depthwise then the pointwise convolution (the bias
// and a relu fused into the second), then the activation.
func (l *SeparableConvLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	dk, err := s.Param(l.depthwise)
	if err != nil {
		return nil, err
	}
	pk, b, err := params(s, l.pointwise, l.bias)
	if err != nil {
		return nil, err
	}
	p, err := l.convParams(x, 1)
	if err != nil {
		return nil, err
	}
	relu := p.Relu
	p.Relu = false
	pp := backend.ConvParams{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: 1, Relu: relu}
	var h, out *G.Node
	if l.rank == 1 {
		if h, err = backend.DepthwiseConv1D(x, dk, nil, conv1DParams(p)); err == nil {
			out, err = backend.Conv1D(h, pk, b, conv1DParams(pp))
		}
	} else {
		if h, err = backend.DepthwiseConv2D(x, dk, nil, p); err == nil {
			out, err = backend.Conv2D(h, pk, b, pp)
		}
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return l.activate(s, out)
}

// SeparableConvConfig is the serialisable configuration of
// SeparableConv1D and SeparableConv2D.
type SeparableConvConfig struct {
	BaseConfig
	DepthMultiplier int `json:"depth_multiplier"`
	Filters         int `json:"filters"`
	convConfig
	depthwiseWeightsConfig
	PointwiseInitializer initializers.Config  `json:"pointwise_initializer"`
	PointwiseRegularizer *regularizers.Config `json:"pointwise_regularizer,omitempty"`
	PointwiseConstraint  *constraints.Config  `json:"pointwise_constraint,omitempty"`
}

// Config returns the layer's configuration.
func (l *SeparableConvLayer) Config() any {
	pw := l.pw.config()
	return SeparableConvConfig{BaseConfig: l.BaseConfig(), DepthMultiplier: l.depthMult, Filters: l.filters,
		convConfig: l.convConfig(), depthwiseWeightsConfig: depthwiseWeights(&l.kb),
		PointwiseInitializer: pw.KernelInitializer, PointwiseRegularizer: pw.KernelRegularizer, PointwiseConstraint: pw.KernelConstraint}
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		rank := rank
		dclass := fmt.Sprintf("DepthwiseConv%dD", rank)
		classes.Builtin(dclass, func(raw json.RawMessage) (Layer, error) {
			var c DepthwiseConvConfig
			if err := decode(dclass, raw, &c); err != nil {
				return nil, err
			}
			shared, err := c.convConfig.options(c.BaseConfig)
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", dclass)
			}
			dw, bias, err := c.depthwiseWeightsConfig.options()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", dclass)
			}
			var opts []DepthwiseConvOption
			if c.DepthMultiplier != 0 {
				opts = append(opts, DepthMultiplier(c.DepthMultiplier))
			}
			for _, o := range shared {
				opts = append(opts, o)
			}
			for _, o := range dw {
				opts = append(opts, o)
			}
			for _, o := range bias {
				opts = append(opts, o)
			}
			return newDepthwiseConv(rank, c.KernelSize, opts), nil
		})
		sclass := fmt.Sprintf("SeparableConv%dD", rank)
		classes.Builtin(sclass, func(raw json.RawMessage) (Layer, error) {
			var c SeparableConvConfig
			if err := decode(sclass, raw, &c); err != nil {
				return nil, err
			}
			shared, err := c.convConfig.options(c.BaseConfig)
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", sclass)
			}
			dw, bias, err := c.depthwiseWeightsConfig.options()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", sclass)
			}
			pw, _, err := depthwiseWeightsConfig{DepthwiseInitializer: c.PointwiseInitializer, BiasInitializer: c.BiasInitializer,
				DepthwiseRegularizer: c.PointwiseRegularizer, DepthwiseConstraint: c.PointwiseConstraint}.options()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config: pointwise", sclass)
			}
			var opts []SeparableConvOption
			if c.DepthMultiplier != 0 {
				opts = append(opts, DepthMultiplier(c.DepthMultiplier))
			}
			for _, o := range shared {
				opts = append(opts, o)
			}
			for _, o := range dw {
				opts = append(opts, o)
			}
			for _, o := range pw {
				opts = append(opts, PointwiseWeightOption{renamed(o.w, "pointwise_"+strings.TrimPrefix(o.w.kw, "depthwise_"))})
			}
			for _, o := range bias {
				opts = append(opts, o)
			}
			return newSeparableConv(rank, c.Filters, c.KernelSize, opts), nil
		})
	}
}
