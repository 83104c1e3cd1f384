package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// ConvTransposeLayer is Conv1DTranspose or Conv2DTranspose: the transposed
// convolution (the gradient of a convolution with respect to its input),
// plus bias, then the activation. Keras 3's BaseConvTranspose
// (keras/src/layers/convolutional/base_conv_transpose.py).
type ConvTransposeLayer struct {
	convBase
	kernel *backend.Variable
	bias   *backend.Variable
}

// ConvTransposeOption is an option of Conv1DTranspose and
// Conv2DTranspose: Strides, Padding, OutputPadding, DilationRate,
// DataFormat, Activation, a WeightOption or a Common option.
type ConvTransposeOption interface{ applyConvTranspose(*ConvTransposeLayer) }

func (c Common) applyConvTranspose(l *ConvTransposeLayer)       { c.ApplyTo(&l.Base) }
func (o WeightOption) applyConvTranspose(l *ConvTransposeLayer) { o.applyTo(&l.kb) }
func (l *ActivationLayer) applyConvTranspose(c *ConvTransposeLayer) {
	l.setActivation(&c.Base, &c.activation)
}
func (o activationOption) applyConvTranspose(c *ConvTransposeLayer) { c.activation = o.a }
func (o StridesOption) applyConvTranspose(l *ConvTransposeLayer)    { l.rawStrides = o.orEmpty() }
func (o PaddingOption) applyConvTranspose(l *ConvTransposeLayer)    { l.padding = o.mode }
func (o DilationRateOption) applyConvTranspose(l *ConvTransposeLayer) {
	l.rawDilation = o.orEmpty()
}
func (o DataFormatOption) applyConvTranspose(l *ConvTransposeLayer) { l.dataFormat = o.f }
func (o OutputPaddingOption) applyConvTranspose(l *ConvTransposeLayer) {
	l.rawOutputPadding = o.orEmpty()
}

// Conv2DTranspose returns a transposed 2-D convolution layer (Keras:
// layer_conv_2d_transpose / Conv2DTranspose), the usual upsampling layer
// of decoders and generators, with the given number of filters and kernel
// size (rows, cols). Each input cell scatters kernel·x into the output; an
// input (batch, rows, cols, channels) gives (batch, rows', cols',
// filters) with, per axis (n cells, kernel k, stride s, dilation d,
// ke = d*(k-1)+1), Keras 3's rule: without OutputPadding, "valid" gives
// n*s + max(ke - s, 0) and "same" n*s; with output padding p, "valid"
// gives (n-1)*s + ke + p and "same" (n-1)*s + ke%2 + p.
//
// Options and defaults: Strides (1), Padding ("valid"), OutputPadding
// (None), DilationRate (1), DataFormat ("channels_last"), Activation
// (linear), the WeightOptions (UseBias true, KernelInitializer
// "glorot_uniform", BiasInitializer "zeros", no regularizers or
// constraints) and the Common options. Weights, in Keras's order: kernel
// (kernel rows, kernel cols, filters, channels) (filters before input
// channels, as in Keras), bias (filters).
func Conv2DTranspose(filters int, kernelSize [2]int, opts ...ConvTransposeOption) *ConvTransposeLayer {
	return newConvTranspose(2, filters, kernelSize[:], opts)
}

// Conv1DTranspose returns a transposed 1-D convolution layer over
// sequences (batch, steps, channels) (Keras: Conv1DTranspose), with
// Conv2DTranspose's options and output rule. Weights: kernel
// (kernel_size, filters, channels), bias (filters).
func Conv1DTranspose(filters, kernelSize int, opts ...ConvTransposeOption) *ConvTransposeLayer {
	return newConvTranspose(1, filters, []int{kernelSize}, opts)
}

func newConvTranspose(rank, filters int, kernelSize []int, opts []ConvTransposeOption) *ConvTransposeLayer {
	class := fmt.Sprintf("Conv%dDTranspose", rank)
	l := &ConvTransposeLayer{convBase: newConvBase(rank, filters, kernelSize)}
	l.Init(l, class)
	applyOptions(l, class, opts, func(o ConvTransposeOption) { o.applyConvTranspose(l) })
	l.checkFilters(class)
	l.finish(class, false)
	return l
}

// ClassName returns "Conv1DTranspose" or "Conv2DTranspose".
func (l *ConvTransposeLayer) ClassName() string { return fmt.Sprintf("Conv%dDTranspose", l.rank) }

// Filters returns the number of filters (output channels).
func (l *ConvTransposeLayer) Filters() int { return l.filters }

// OutputPadding returns the output padding per spatial axis, or nil for
// Keras's None.
func (l *ConvTransposeLayer) OutputPadding() []int { return append([]int(nil), l.outputPadding...) }

// outputPad returns the output padding of axis i, -1 for None.
func (l *ConvTransposeLayer) outputPad(i int) int {
	if l.outputPadding == nil {
		return -1
	}
	return l.outputPadding[i]
}

// Build checks the input, declares kernel and bias and returns the
// output shape.
func (l *ConvTransposeLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	class := l.ClassName()
	ch, err := spatialInput(class, l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, l.rank+1)
	for i := 0; i < l.rank; i++ {
		if in[i] < 0 {
			out = append(out, -1)
			continue
		}
		n, err := backend.ConvTransposeOutputLength(in[i], l.kernelSize[i], l.strides[i], l.dilation[i], l.padding, l.outputPad(i))
		if err != nil {
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in), Msg: err.Error()}
		}
		out = append(out, n)
	}
	kshape := append(append([]int(nil), l.kernelSize...), l.filters, ch)
	if l.kernel, err = l.AddWeight(ctx, "kernel", kshape, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		if l.bias, err = l.AddWeight(ctx, "bias", []int{l.filters}, l.kb.biasSpec()); err != nil {
			return nil, err
		}
	}
	return l.FinishBuild(in, append(out, l.filters)), nil
}

// Forward computes the transposed convolution, adds the bias and applies
// the activation.
func (l *ConvTransposeLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, b, err := params(s, l.kernel, l.bias)
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	p := backend.ConvTransposeParams{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Relu: l.fusedRelu()}
	off := 2 - l.rank
	for i := 0; i < l.rank; i++ {
		before, after, extra, err := backend.ConvTransposePadding(xs[1+i], l.kernelSize[i], l.strides[i], l.dilation[i], l.padding, l.outputPad(i))
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
		a := off + i
		p.Strides[a], p.Dilation[a] = l.strides[i], l.dilation[i]
		p.Padding[2*a], p.Padding[2*a+1], p.OutputPadding[a] = before, after, extra
	}
	var out *G.Node
	if l.rank == 1 {
		out, err = backend.Conv1DTranspose(x, k, b, backend.Conv1DTransposeParams{Stride: p.Strides[1], Dilation: p.Dilation[1],
			Padding: [2]int{p.Padding[2], p.Padding[3]}, OutputPadding: p.OutputPadding[1], Relu: p.Relu})
	} else {
		out, err = backend.Conv2DTranspose(x, k, b, p)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return l.activate(s, out)
}

// ConvTransposeConfig is the serialisable configuration of
// Conv1DTranspose and Conv2DTranspose. OutputPadding is null for Keras's
// None.
type ConvTransposeConfig struct {
	BaseConfig
	Filters int `json:"filters"`
	convConfig
	OutputPadding []int `json:"output_padding"`
	kernelBiasConfig
}

// Config returns the layer's configuration.
func (l *ConvTransposeLayer) Config() any {
	return ConvTransposeConfig{BaseConfig: l.BaseConfig(), Filters: l.filters, convConfig: l.convConfig(),
		OutputPadding: l.outputPadding, kernelBiasConfig: l.kb.config()}
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		rank := rank
		class := fmt.Sprintf("Conv%dDTranspose", rank)
		classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
			var c ConvTransposeConfig
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
			var opts []ConvTransposeOption
			for _, o := range shared {
				opts = append(opts, o)
			}
			for _, o := range weights {
				opts = append(opts, o)
			}
			if c.OutputPadding != nil {
				opts = append(opts, OutputPadding(c.OutputPadding...))
			}
			return newConvTranspose(rank, c.Filters, c.KernelSize, opts), nil
		})
	}
}
