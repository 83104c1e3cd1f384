package layers

import (
	"fmt"
	"strings"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// The options of the convolution, pooling and image-resizing layers,
// named like Keras's keyword arguments. Each is a type that implements
// the option interface of every layer family that takes it (ConvOption,
// ConvTransposeOption, DepthwiseConvOption, SeparableConvOption,
// PoolOption, GlobalPoolOption, SpatialOption, UpSamplingOption,
// NoiseOption), so the compiler rejects an option given to a layer that
// has no such argument. A tuple option (Strides, DilationRate, PoolSize,
// OutputPadding, Size) takes one value for every spatial axis or a single
// value used for all of them, as Keras's int-or-tuple arguments do; a
// wrong count or value is reported, naming the layer and the argument,
// when the model is built.

// StridesOption sets the step between two windows of a convolution or a
// pooling, in cells per spatial axis.
type StridesOption struct{ s []int }

// Strides sets the step between two windows along each spatial axis
// (Keras: strides): one value for all axes or one per axis, each >= 1.
// Convolutions default to 1; pooling layers default to their pool size.
// Keras rejects strides > 1 together with a dilation rate > 1, and so do
// the convolutions here.
func Strides(s ...int) StridesOption { return StridesOption{append([]int(nil), s...)} }

// PaddingOption sets how a convolution or a pooling treats the borders.
type PaddingOption struct{ mode string }

// Padding sets the border mode (Keras: padding; default "valid"):
// "valid" slides the window over the input only, "same" pads with zeros
// (ignored cells for pooling) so that the output has ceil(n/stride) cells
// per axis, the odd cell of padding going after (TensorFlow's rule), and
// "causal" (Conv1D only) pads dilation*(kernel-1) cells before the
// sequence so that output t sees only inputs up to t. Case does not
// matter, as in Keras.
func Padding(mode string) PaddingOption { return PaddingOption{strings.ToLower(mode)} }

// DilationRateOption sets the spacing of a convolution kernel's taps.
type DilationRateOption struct{ d []int }

// DilationRate sets the spacing of the kernel taps along each spatial axis
// (Keras: dilation_rate; default 1, a dense kernel): one value for all
// axes or one per axis, each >= 1. A kernel of k taps with dilation d
// spans d*(k-1)+1 cells.
func DilationRate(d ...int) DilationRateOption { return DilationRateOption{append([]int(nil), d...)} }

// DataFormatOption sets the axis order of images and sequences.
type DataFormatOption struct{ f string }

// DataFormat sets the axis order (Keras: data_format; default
// "channels_last", which is also Keras's default when keras.json does not
// say otherwise): "channels_last" is (batch, rows, cols, channels) for
// images and (batch, steps, channels) for sequences. gokeras computes in
// channels_last only; "channels_first" is reported as an error when the
// model is built (transpose the data to channels last instead).
func DataFormat(f string) DataFormatOption { return DataFormatOption{strings.ToLower(f)} }

// GroupsOption splits a convolution's channels into groups.
type GroupsOption struct{ g int }

// Groups splits the input channels and the filters of Conv1D or Conv2D
// into g groups convolved separately, each filter seeing the channels of
// its group only (Keras: groups; default 1). g must divide both the
// filters and the input channels.
func Groups(g int) GroupsOption { return GroupsOption{g} }

// OutputPaddingOption sets the extra cells of a transposed convolution's
// output.
type OutputPaddingOption struct{ p []int }

// OutputPadding sets the cells added after the output of Conv1DTranspose
// or Conv2DTranspose along each spatial axis (Keras: output_padding;
// default None, which lets Keras's rule infer the output length): one
// value for all axes or one per axis, each >= 0 and less than the stride
// on its axis.
func OutputPadding(p ...int) OutputPaddingOption {
	return OutputPaddingOption{append([]int(nil), p...)}
}

// DepthMultiplierOption sets how many filters a depthwise convolution
// applies to each input channel.
type DepthMultiplierOption struct{ m int }

// DepthMultiplier sets the number of output channels per input channel of
// DepthwiseConv1D/2D and SeparableConv1D/2D (Keras: depth_multiplier;
// default 1, >= 1).
func DepthMultiplier(m int) DepthMultiplierOption { return DepthMultiplierOption{m} }

// PoolSizeOption sets a pooling window.
type PoolSizeOption struct{ p []int }

// PoolSize sets the pooling window along each spatial axis (Keras:
// pool_size; default 2 for every axis): one value for all axes or one per
// axis, each >= 1.
func PoolSize(p ...int) PoolSizeOption { return PoolSizeOption{append([]int(nil), p...)} }

// KeepdimsOption says whether global pooling keeps the pooled axes.
type KeepdimsOption bool

// Keepdims makes a global pooling layer keep its spatial axes with size 1
// (Keras: keepdims; default false): (rows, cols, channels) pools to (1, 1,
// channels) instead of (channels).
func Keepdims(on bool) KeepdimsOption { return KeepdimsOption(on) }

// SizeOption sets an upsampling factor.
type SizeOption struct{ s []int }

// Size sets the upsampling factor of UpSampling1D (one value; default 2)
// or UpSampling2D (one value for both axes or (rows, cols); default (2,
// 2)), each >= 1 (Keras: size).
func Size(s ...int) SizeOption { return SizeOption{append([]int(nil), s...)} }

// InterpolationOption sets how UpSampling2D fills the new cells.
type InterpolationOption string

// Interpolation sets UpSampling2D's interpolation (Keras: interpolation;
// default "nearest", which repeats rows and columns): "nearest" or
// "bilinear" (TensorFlow's half-pixel rule without antialiasing, as
// Keras 3's ops.image.resize). Keras's "bicubic", "lanczos3" and
// "lanczos5" are reported as errors when the model is built.
func Interpolation(name string) InterpolationOption {
	return InterpolationOption(strings.ToLower(name))
}

// tuple expands a Keras int-or-tuple argument to rank values, each at
// least min: a single value is used for every axis.
func tuple(call, kw string, vals []int, rank, min int) ([]int, error) {
	if len(vals) != 1 && len(vals) != rank {
		return nil, &kerrors.OptionError{Call: call, Option: kw, Value: fmt.Sprint(vals),
			Msg: fmt.Sprintf("give one value, or one per spatial axis (%d)", rank)}
	}
	out := make([]int, rank)
	for i := range out {
		v := vals[0]
		if len(vals) == rank {
			v = vals[i]
		}
		if v < min || v > maxSpatial {
			return nil, &kerrors.OptionError{Call: call, Option: kw, Value: fmt.Sprint(vals),
				Msg: fmt.Sprintf("every value must be >= %d and <= %d", min, maxSpatial)}
		}
		out[i] = v
	}
	return out, nil
}

// maxSpatial bounds sizes along one spatial axis (kernel sizes, strides,
// padding amounts), as the backend's ops do: 2^31-1.
const maxSpatial = 1<<31 - 1

// repeat returns n copies of v.
func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// checkDataFormat accepts "channels_last" only.
func checkDataFormat(call, f string) error {
	switch f {
	case "channels_last":
		return nil
	case "channels_first":
		return &kerrors.OptionError{Call: call, Option: "data_format", Value: f,
			Msg: "gokeras computes in channels_last (batch, ..., channels) only; transpose the data to channels last"}
	}
	return &kerrors.OptionError{Call: call, Option: "data_format", Value: f, Msg: `must be "channels_last" (or Keras's "channels_first", which gokeras does not support)`}
}

// checkPadding accepts "valid" and "same", and "causal" when allowed.
func checkPadding(call, mode string, causal bool) error {
	switch {
	case mode == "valid" || mode == "same":
		return nil
	case mode == "causal" && causal:
		return nil
	case mode == "causal":
		return &kerrors.OptionError{Call: call, Option: "padding", Value: mode, Msg: `"causal" is for Conv1D only; use "valid" or "same"`}
	}
	want := `"valid" or "same"`
	if causal {
		want = `"valid", "same" or "causal"`
	}
	return &kerrors.OptionError{Call: call, Option: "padding", Value: fmt.Sprintf("%q", mode), Msg: "must be " + want}
}

// spatialInput checks that one sample's shape has rank spatial axes and a
// known channel axis: (steps, channels) or (rows, cols, channels).
func spatialInput(class, layer string, in []int, rank int) (channels int, err error) {
	axes := map[int]string{1: "(steps, channels)", 2: "(rows, cols, channels)"}[rank]
	if len(in) != rank+1 {
		msg := fmt.Sprintf("%s takes %s per sample, channels last: a %d-D input (batch, %s)", class, axes, rank+2, axes[1:len(axes)-1])
		if len(in) == rank {
			msg += fmt.Sprintf("; give one-channel data the shape %s", ShapeString(append(append([]int(nil), in...), 1)))
		}
		return 0, &kerrors.ShapeError{Where: "layers: " + layer, Arg: "input", Got: withBatch(in), Msg: msg}
	}
	for i, d := range in[:rank] {
		if d == 0 || d < -1 {
			return 0, &kerrors.ShapeError{Where: "layers: " + layer, Arg: "input", Got: withBatch(in),
				Msg: fmt.Sprintf("spatial axis %d has size %d", i+1, d)}
		}
	}
	c := in[rank]
	if c < 1 {
		return 0, &kerrors.ShapeError{Where: "layers: " + layer, Arg: "input", Got: withBatch(in),
			Msg: class + " needs a known number of channels (the last axis)"}
	}
	return c, nil
}
