package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// The convolution layers, channels last as in Keras: Conv1D and Conv2D
// here, Conv1DTranspose and Conv2DTranspose in conv_transpose.go,
// DepthwiseConv1D/2D and SeparableConv1D/2D in conv_depthwise.go. They
// share convBase (the arguments of Keras 3's BaseConv:
// keras/src/layers/convolutional/base_conv.py, with its checks) and the
// output-length rules of backend.ConvOutputLength.

// convBase holds what every convolution layer takes: kernel size,
// strides, padding, dilation, data format, activation and the weight
// options, validated by the constructor (errors are kept for Build).
type convBase struct {
	Base
	rank          int
	filters       int // 0 for the depthwise convolutions (depth_multiplier instead)
	kernelSize    []int
	strides       []int
	dilation      []int
	padding       string
	dataFormat    string
	groups        int
	depthMult     int
	outputPadding []int // nil: Keras's None
	activation    activations.Activation
	kb            kernelBias // kernel (the depthwise kernel for the depthwise layers) and bias
	pw            kernelBias // pointwise kernel (SeparableConv), kernel fields only

	// raw option values, standardised by finish
	rawStrides, rawDilation, rawOutputPadding []int
}

func newConvBase(rank, filters int, kernelSize []int) convBase {
	return convBase{rank: rank, filters: filters, kernelSize: append([]int(nil), kernelSize...),
		padding: "valid", dataFormat: "channels_last", groups: 1, depthMult: 1,
		activation: activations.Linear(), kb: defaultKernelBias(), pw: defaultKernelBias()}
}

// finish standardises the tuple options and checks the arguments as
// Keras's constructors do, recording the first error for Build.
func (c *convBase) finish(class string, causal bool) {
	c.SetSupportsMasking(false)
	if c.kb.err != nil {
		c.Fail(c.kb.err)
	}
	if c.pw.err != nil {
		c.Fail(c.pw.err)
	}
	var err error
	if c.kernelSize, err = tuple(class, "kernel_size", c.kernelSize, c.rank, 1); err != nil {
		c.Fail(err)
		c.kernelSize = repeat(1, c.rank)
	}
	c.strides = repeat(1, c.rank)
	if c.rawStrides != nil {
		if c.strides, err = tuple(class, "strides", c.rawStrides, c.rank, 1); err != nil {
			c.Fail(err)
			c.strides = repeat(1, c.rank)
		}
	}
	c.dilation = repeat(1, c.rank)
	if c.rawDilation != nil {
		if c.dilation, err = tuple(class, "dilation_rate", c.rawDilation, c.rank, 1); err != nil {
			c.Fail(err)
			c.dilation = repeat(1, c.rank)
		}
	}
	if c.rawOutputPadding != nil {
		if c.outputPadding, err = tuple(class, "output_padding", c.rawOutputPadding, c.rank, 0); err != nil {
			c.Fail(err)
			c.outputPadding = nil
		}
		for i, p := range c.outputPadding {
			if p >= c.strides[i] {
				c.Fail(&kerrors.OptionError{Call: class, Option: "output_padding", Value: fmt.Sprint(c.outputPadding),
					Msg: fmt.Sprintf("must be less than the strides %v on every axis", c.strides)})
				break
			}
		}
	}
	if maxInts(c.strides) > 1 && maxInts(c.dilation) > 1 {
		c.Fail(&kerrors.OptionError{Call: class, Option: "strides", Value: fmt.Sprint(c.strides),
			Msg: fmt.Sprintf("strides > 1 together with dilation_rate %v > 1 is not supported (as in Keras)", c.dilation)})
	}
	if err := checkPadding(class, c.padding, causal); err != nil {
		c.Fail(err)
	}
	if err := checkDataFormat(class, c.dataFormat); err != nil {
		c.Fail(err)
	}
	if c.groups < 1 {
		c.Fail(&kerrors.OptionError{Call: class, Option: "groups", Value: itoa(c.groups), Msg: "must be >= 1"})
	} else if c.filters > 0 && c.filters%c.groups != 0 {
		c.Fail(&kerrors.OptionError{Call: class, Option: "groups", Value: itoa(c.groups),
			Msg: fmt.Sprintf("must divide the filters (%d)", c.filters)})
	}
	if c.depthMult < 1 || c.depthMult > backend.MaxVariableSize {
		c.Fail(&kerrors.OptionError{Call: class, Option: "depth_multiplier", Value: itoa(c.depthMult), Msg: "must be >= 1"})
	}
}

// checkFilters records an error for filters < 1.
func (c *convBase) checkFilters(class string) {
	if c.filters < 1 || c.filters > backend.MaxVariableSize {
		c.Fail(&kerrors.OptionError{Call: class, Option: "filters", Value: itoa(c.filters), Msg: "must be >= 1 and <= 2^32"})
	}
}

func maxInts(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// KernelSize returns the kernel's size along each spatial axis.
func (c *convBase) KernelSize() []int { return append([]int(nil), c.kernelSize...) }

// Strides returns the strides along each spatial axis.
func (c *convBase) Strides() []int { return append([]int(nil), c.strides...) }

// DilationRate returns the dilation along each spatial axis.
func (c *convBase) DilationRate() []int { return append([]int(nil), c.dilation...) }

// Padding returns the padding mode ("valid", "same" or "causal").
func (c *convBase) Padding() string { return c.padding }

// Activation returns the layer's activation.
func (c *convBase) Activation() activations.Activation { return c.activation }

// outputLengths returns the output size along each spatial axis of an
// input with the given spatial sizes (-1: unknown, giving -1), or a
// ShapeError when the kernel does not fit.
func (c *convBase) outputLengths(class string, in []int) ([]int, error) {
	out := make([]int, c.rank)
	for i := 0; i < c.rank; i++ {
		n := in[i]
		if n < 0 {
			out[i] = -1
			continue
		}
		m, err := backend.ConvOutputLength(n, c.kernelSize[i], c.strides[i], c.dilation[i], c.padding)
		if err != nil {
			return nil, &kerrors.ShapeError{Where: "layers: " + c.name, Arg: "input", Got: withBatch(in), Msg: err.Error()}
		}
		if m < 1 {
			return nil, &kerrors.ShapeError{Where: "layers: " + c.name, Arg: "input", Got: withBatch(in),
				Msg: fmt.Sprintf("%s's kernel_size %v with dilation_rate %v spans %d cells on spatial axis %d, more than its %d (padding %q): the output would be empty",
					class, c.kernelSize, c.dilation, c.dilation[i]*(c.kernelSize[i]-1)+1, i+1, n, c.padding)}
		}
		out[i] = m
	}
	return out, nil
}

// pads returns the zeros added before and after each spatial axis of an
// input with the given spatial sizes, for the layer's padding mode.
func (c *convBase) pads(spatialSizes []int) ([][2]int, error) {
	p := make([][2]int, c.rank)
	for i := range p {
		var err error
		switch c.padding {
		case "same":
			p[i][0], p[i][1], err = backend.SamePadding(spatialSizes[i], c.kernelSize[i], c.strides[i], c.dilation[i])
		case "causal":
			p[i][0], p[i][1], err = backend.CausalPadding(c.kernelSize[i], c.dilation[i])
		}
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", c.name)
		}
	}
	return p, nil
}

// fusedRelu reports whether the activation is Keras's plain relu
// (max(x, 0)), which the convolution ops apply themselves.
func (c *convBase) fusedRelu() bool {
	if _, ok := c.activation.(*activations.Func); !ok {
		return false
	}
	cfg := activations.ConfigOf(c.activation)
	return cfg.Name == "relu" && len(cfg.Params) == 0
}

// activate applies the activation unless the op already did (fused relu).
func (c *convBase) activate(s *backend.Scope, out *G.Node) (*G.Node, error) {
	if c.fusedRelu() {
		return out, nil
	}
	return applyActivation(s, c.name, c.activation, out)
}

// params returns the backend parameters of a convolution over x (N, H, W,
// C) or (N, L, C).
func (c *convBase) convParams(x *G.Node, groups int) (backend.ConvParams, error) {
	xs := x.Shape()
	p, err := c.pads([]int(xs[1 : 1+c.rank]))
	if err != nil {
		return backend.ConvParams{}, err
	}
	cp := backend.ConvParams{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: groups, Relu: c.fusedRelu()}
	off := 2 - c.rank
	for i := 0; i < c.rank; i++ {
		cp.Strides[off+i], cp.Dilation[off+i] = c.strides[i], c.dilation[i]
		cp.Padding[2*(off+i)], cp.Padding[2*(off+i)+1] = p[i][0], p[i][1]
	}
	return cp, nil
}

func conv1DParams(p backend.ConvParams) backend.Conv1DParams {
	return backend.Conv1DParams{Stride: p.Strides[1], Dilation: p.Dilation[1], Padding: [2]int{p.Padding[2], p.Padding[3]},
		Groups: p.Groups, Relu: p.Relu}
}

// params returns the layer's kernel and bias nodes (bias nil without one).
func params(s *backend.Scope, kernel, bias *backend.Variable) (k, b *G.Node, err error) {
	if k, err = s.Param(kernel); err != nil {
		return nil, nil, err
	}
	if bias != nil {
		if b, err = s.Param(bias); err != nil {
			return nil, nil, err
		}
	}
	return k, b, nil
}

// convConfig is the part of the convolutions' configuration they share.
type convConfig struct {
	KernelSize   []int              `json:"kernel_size"`
	Strides      []int              `json:"strides"`
	Padding      string             `json:"padding"`
	DataFormat   string             `json:"data_format"`
	DilationRate []int              `json:"dilation_rate"`
	Activation   activations.Config `json:"activation"`
}

func (c *convBase) convConfig() convConfig {
	return convConfig{KernelSize: c.kernelSize, Strides: c.strides, Padding: c.padding, DataFormat: c.dataFormat,
		DilationRate: c.dilation, Activation: activations.ConfigOf(c.activation)}
}

// anyConvOption is an option every convolution family takes.
type anyConvOption interface {
	ConvOption
	ConvTransposeOption
	DepthwiseConvOption
	SeparableConvOption
}

// options rebuilds the options a convConfig and its BaseConfig describe
// (configs). Tuples absent from the configuration keep their defaults.
func (cc convConfig) options(bc BaseConfig) ([]anyConvOption, error) {
	common, err := bc.Common()
	if err != nil {
		return nil, err
	}
	act, err := activations.FromConfig(cc.Activation)
	if err != nil {
		return nil, errors.Wrap(err, "activation")
	}
	opts := []anyConvOption{activationOption{act}}
	for _, c := range common {
		opts = append(opts, c)
	}
	if cc.Padding != "" {
		opts = append(opts, Padding(cc.Padding))
	}
	if cc.DataFormat != "" {
		opts = append(opts, DataFormat(cc.DataFormat))
	}
	if cc.Strides != nil {
		opts = append(opts, Strides(cc.Strides...))
	}
	if cc.DilationRate != nil {
		opts = append(opts, DilationRate(cc.DilationRate...))
	}
	return opts, nil
}

// ConvLayer is Conv1D or Conv2D: activation(conv(x, kernel) + bias).
type ConvLayer struct {
	convBase
	kernel *backend.Variable
	bias   *backend.Variable
}

// ConvOption is an option of Conv1D and Conv2D: Strides, Padding,
// DilationRate, Groups, DataFormat, Activation, a WeightOption (UseBias,
// KernelInitializer, BiasInitializer, KernelRegularizer, BiasRegularizer,
// KernelConstraint, BiasConstraint) or a Common option.
type ConvOption interface{ applyConv(*ConvLayer) }

func (c Common) applyConv(l *ConvLayer)             { c.ApplyTo(&l.Base) }
func (o WeightOption) applyConv(l *ConvLayer)       { o.applyTo(&l.kb) }
func (l *ActivationLayer) applyConv(c *ConvLayer)   { l.setActivation(&c.Base, &c.activation) }
func (o activationOption) applyConv(c *ConvLayer)   { c.activation = o.a }
func (o StridesOption) applyConv(l *ConvLayer)      { l.rawStrides = o.orEmpty() }
func (o PaddingOption) applyConv(l *ConvLayer)      { l.padding = o.mode }
func (o DilationRateOption) applyConv(l *ConvLayer) { l.rawDilation = o.orEmpty() }
func (o DataFormatOption) applyConv(l *ConvLayer)   { l.dataFormat = o.f }
func (o GroupsOption) applyConv(l *ConvLayer)       { l.groups = o.g }
func (o StridesOption) orEmpty() []int              { return orEmpty(o.s) }
func (o DilationRateOption) orEmpty() []int         { return orEmpty(o.d) }
func (o OutputPaddingOption) orEmpty() []int        { return orEmpty(o.p) }
func (o PoolSizeOption) orEmpty() []int             { return orEmpty(o.p) }
func (o SizeOption) orEmpty() []int                 { return orEmpty(o.s) }

// orEmpty keeps an empty tuple distinguishable from "not given" (nil).
func orEmpty(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}

// Conv2D returns a 2-D convolution layer (Keras: layer_conv_2d / Conv2D)
// with the given number of filters and kernel size (rows, cols). It
// slides the kernel over images (batch, rows, cols, channels), channels
// last, and computes activation(conv(x, kernel) + bias): output (batch,
// rows', cols', filters) with rows' = floor((rows - d*(k-1) - 1)/s) + 1
// for padding "valid" and ceil(rows/s) for "same" (Keras's and
// TensorFlow's rules; likewise cols').
//
// Options and their Keras defaults: Strides (1), Padding ("valid"),
// DilationRate (1), Groups (1), DataFormat ("channels_last"), Activation
// (linear), UseBias (true), KernelInitializer ("glorot_uniform"),
// BiasInitializer ("zeros"), KernelRegularizer, BiasRegularizer,
// KernelConstraint, BiasConstraint (none) and the Common options. Weights,
// in Keras's order: kernel (kernel rows, kernel cols, channels/groups,
// filters), bias (filters). A relu activation is fused into the
// convolution (no pass of its own over the output).
//
// Invalid arguments (filters or a kernel size below 1, strides > 1 with
// a dilation rate > 1, groups that do not divide the filters, an unknown
// padding) give a *kerrors.OptionError when the model is built; an input
// that is not (rows, cols, channels) per sample, channels that groups do
// not divide, or a kernel larger than the padded input a
// *kerrors.ShapeError.
func Conv2D(filters int, kernelSize [2]int, opts ...ConvOption) *ConvLayer {
	return newConv(2, filters, kernelSize[:], opts)
}

// Conv1D returns a 1-D convolution layer over sequences (batch, steps,
// channels) (Keras: layer_conv_1d / Conv1D) with the given number of
// filters and kernel size: output (batch, steps', filters). It takes
// Conv2D's options, and Padding "causal" besides "valid" and "same":
// dilation*(kernel_size-1) zeros before the sequence, so that output t
// depends on inputs up to t only (output length ceil(steps/strides)).
// Weights: kernel (kernel_size, channels/groups, filters), bias (filters).
func Conv1D(filters, kernelSize int, opts ...ConvOption) *ConvLayer {
	return newConv(1, filters, []int{kernelSize}, opts)
}

func newConv(rank, filters int, kernelSize []int, opts []ConvOption) *ConvLayer {
	class := fmt.Sprintf("Conv%dD", rank)
	l := &ConvLayer{convBase: newConvBase(rank, filters, kernelSize)}
	l.Init(l, class)
	applyOptions(l, class, opts, func(o ConvOption) { o.applyConv(l) })
	l.checkFilters(class)
	l.finish(class, rank == 1)
	return l
}

// ClassName returns "Conv1D" or "Conv2D".
func (l *ConvLayer) ClassName() string { return fmt.Sprintf("Conv%dD", l.rank) }

// Filters returns the number of filters (output channels).
func (l *ConvLayer) Filters() int { return l.filters }

// Groups returns the number of channel groups.
func (l *ConvLayer) Groups() int { return l.groups }

// Build checks the input, declares kernel and bias and returns the
// output shape.
func (l *ConvLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	class := l.ClassName()
	ch, err := spatialInput(class, l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	if ch%l.groups != 0 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: fmt.Sprintf("groups %d must divide the input's %d channels", l.groups, ch)}
	}
	lens, err := l.outputLengths(class, in)
	if err != nil {
		return nil, err
	}
	kshape := append(append([]int(nil), l.kernelSize...), ch/l.groups, l.filters)
	if l.kernel, err = l.AddWeight(ctx, "kernel", kshape, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		if l.bias, err = l.AddWeight(ctx, "bias", []int{l.filters}, l.kb.biasSpec()); err != nil {
			return nil, err
		}
	}
	return l.FinishBuild(in, append(lens, l.filters)), nil
}

// Forward convolves x with the kernel, adds the bias and applies the
// activation.
func (l *ConvLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, b, err := params(s, l.kernel, l.bias)
	if err != nil {
		return nil, err
	}
	p, err := l.convParams(x, l.groups)
	if err != nil {
		return nil, err
	}
	var out *G.Node
	if l.rank == 1 {
		out, err = backend.Conv1D(x, k, b, conv1DParams(p))
	} else {
		out, err = backend.Conv2D(x, k, b, p)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return l.activate(s, out)
}

// ConvConfig is the serialisable configuration of Conv1D and Conv2D
// (Keras's get_config keys).
type ConvConfig struct {
	BaseConfig
	Filters int `json:"filters"`
	convConfig
	Groups int `json:"groups"`
	kernelBiasConfig
}

// Config returns the layer's configuration.
func (l *ConvLayer) Config() any {
	return ConvConfig{BaseConfig: l.BaseConfig(), Filters: l.filters, convConfig: l.convConfig(), Groups: l.groups,
		kernelBiasConfig: l.kb.config()}
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		rank := rank
		class := fmt.Sprintf("Conv%dD", rank)
		classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
			var c ConvConfig
			if err := decode(class, raw, &c); err != nil {
				return nil, err
			}
			shared, err := c.convConfig.options(c.BaseConfig)
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", class)
			}
			weights, err := c.kernelBiasConfig.options()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", class)
			}
			var opts []ConvOption
			if c.Groups != 0 {
				opts = append(opts, Groups(c.Groups))
			}
			for _, o := range shared {
				opts = append(opts, o)
			}
			for _, o := range weights {
				opts = append(opts, o)
			}
			return newConv(rank, c.Filters, c.KernelSize, opts), nil
		})
	}
}
