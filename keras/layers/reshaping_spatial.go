package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// The layers that change the size of images and sequences without
// weights: ZeroPadding1D/2D, Cropping1D/2D and UpSampling1D/2D (Keras 3's
// keras/src/layers/reshaping/zero_padding2d.py, cropping2d.py,
// up_sampling2d.py and their 1-D twins).

// SpatialOption is an option of ZeroPadding2D and Cropping2D: DataFormat
// or a Common option.
type SpatialOption interface{ applySpatial(*Base, *string) }

func (c Common) applySpatial(b *Base, _ *string)           { c.ApplyTo(b) }
func (o DataFormatOption) applySpatial(_ *Base, f *string) { *f = o.f }

// PadCropLayer is ZeroPadding1D/2D or Cropping1D/2D.
type PadCropLayer struct {
	Base
	rank       int
	crop       bool
	amounts    [][2]int // per spatial axis: (before, after)
	dataFormat string
}

func (l *PadCropLayer) class() string {
	if l.crop {
		return fmt.Sprintf("Cropping%dD", l.rank)
	}
	return fmt.Sprintf("ZeroPadding%dD", l.rank)
}

func (l *PadCropLayer) keyword() string {
	if l.crop {
		return "cropping"
	}
	return "padding"
}

// ZeroPadding2D returns a layer that adds rows and columns of zeros
// around every image (batch, rows, cols, channels) (Keras:
// layer_zero_padding_2d / ZeroPadding2D). padding takes Keras's forms:
// nil or empty for Keras's default (1, 1); one value p for p rows at the
// top and bottom and p columns left and right; two values (rows, cols);
// or four values (top, bottom, left, right), each >= 0. Options:
// DataFormat ("channels_last") and the Common options.
func ZeroPadding2D(padding []int, opts ...SpatialOption) *PadCropLayer {
	return newPadCrop(2, false, padding, []int{1}, opts)
}

// ZeroPadding1D returns a layer that adds zeros before and after every
// sequence (batch, steps, channels) (Keras: layer_zero_padding_1d /
// ZeroPadding1D): padding nil or empty for Keras's default 1, one value
// for both ends, or (before, after), each >= 0. It takes the Common
// options.
func ZeroPadding1D(padding []int, opts ...Common) *PadCropLayer {
	return newPadCrop(1, false, padding, []int{1}, commonSpatial(opts))
}

// Cropping2D returns a layer that removes rows and columns from the
// borders of every image (Keras: layer_cropping_2d / Cropping2D).
// cropping takes ZeroPadding2D's forms, nil or empty for Keras's default
// (no cropping); at least one row and column must remain, else building
// fails with a ShapeError. Options: DataFormat and the Common options.
func Cropping2D(cropping []int, opts ...SpatialOption) *PadCropLayer {
	return newPadCrop(2, true, cropping, []int{0}, opts)
}

// Cropping1D returns a layer that removes steps from the start and the
// end of every sequence (Keras: layer_cropping_1d / Cropping1D):
// cropping nil or empty for Keras's default (1, 1), one value for both
// ends, or (start, end). It takes the Common options.
func Cropping1D(cropping []int, opts ...Common) *PadCropLayer {
	return newPadCrop(1, true, cropping, []int{1}, commonSpatial(opts))
}

func commonSpatial(opts []Common) []SpatialOption {
	out := make([]SpatialOption, len(opts))
	for i, o := range opts {
		out[i] = o
	}
	return out
}

func newPadCrop(rank int, crop bool, amounts, defaults []int, opts []SpatialOption) *PadCropLayer {
	l := &PadCropLayer{rank: rank, crop: crop, dataFormat: "channels_last"}
	class := l.class()
	l.Init(l, class)
	l.SetSupportsMasking(false)
	applyOptions(l, class, opts, func(o SpatialOption) { o.applySpatial(&l.Base, &l.dataFormat) })
	if len(amounts) == 0 {
		amounts = defaults
	}
	l.amounts = make([][2]int, rank)
	switch {
	case len(amounts) == 1:
		for i := range l.amounts {
			l.amounts[i] = [2]int{amounts[0], amounts[0]}
		}
	case len(amounts) == rank && rank == 2:
		l.amounts[0], l.amounts[1] = [2]int{amounts[0], amounts[0]}, [2]int{amounts[1], amounts[1]}
	case len(amounts) == 2*rank:
		for i := range l.amounts {
			l.amounts[i] = [2]int{amounts[2*i], amounts[2*i+1]}
		}
	default:
		want := map[int]string{1: "one value or (before, after)", 2: "one value, (rows, cols) or (top, bottom, left, right)"}[rank]
		l.Fail(&kerrors.OptionError{Call: class, Option: l.keyword(), Value: fmt.Sprint(amounts), Msg: "give " + want})
	}
	for _, a := range l.amounts {
		if a[0] < 0 || a[1] < 0 || a[0] > maxSpatial || a[1] > maxSpatial {
			l.Fail(&kerrors.OptionError{Call: class, Option: l.keyword(), Value: fmt.Sprint(amounts), Msg: "every amount must be >= 0"})
			break
		}
	}
	if err := checkDataFormat(class, l.dataFormat); err != nil {
		l.Fail(err)
	}
	return l
}

// ClassName returns "ZeroPadding1D", "ZeroPadding2D", "Cropping1D" or
// "Cropping2D".
func (l *PadCropLayer) ClassName() string { return l.class() }

// Amounts returns the cells added (padding) or removed (cropping) before
// and after each spatial axis.
func (l *PadCropLayer) Amounts() [][2]int { return append([][2]int(nil), l.amounts...) }

// Build checks the input and returns the padded or cropped shape.
func (l *PadCropLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	ch, err := spatialInput(l.class(), l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, l.rank+1)
	for i, a := range l.amounts {
		n := in[i]
		switch {
		case n < 0:
			out = append(out, -1)
		case l.crop && a[0]+a[1] >= n:
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
				Msg: fmt.Sprintf("cropping %v removes all %d cells of spatial axis %d", l.amounts[i], n, i+1)}
		case l.crop:
			out = append(out, n-a[0]-a[1])
		default:
			if n > maxSpatial-a[0]-a[1] {
				return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in), Msg: "padding makes the input too large"}
			}
			out = append(out, n+a[0]+a[1])
		}
	}
	return l.FinishBuild(in, append(out, ch)), nil
}

// Forward pads or crops x.
func (l *PadCropLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	var out *G.Node
	var err error
	switch {
	case l.rank == 1 && l.crop:
		out, err = backend.Cropping1D(x, l.amounts[0])
	case l.rank == 1:
		out, err = backend.ZeroPadding1D(x, l.amounts[0])
	case l.crop:
		out, err = backend.Cropping2D(x, [4]int{l.amounts[0][0], l.amounts[0][1], l.amounts[1][0], l.amounts[1][1]})
	default:
		out, err = backend.ZeroPadding2D(x, [4]int{l.amounts[0][0], l.amounts[0][1], l.amounts[1][0], l.amounts[1][1]})
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// PadCropConfig is the serialisable configuration of ZeroPadding1D/2D
// and Cropping1D/2D, in Keras's form: "padding" (or "cropping") is
// [before, after] for 1-D layers and [[top, bottom], [left, right]] for
// 2-D ones.
type PadCropConfig struct {
	BaseConfig
	Padding    json.RawMessage `json:"padding,omitempty"`
	Cropping   json.RawMessage `json:"cropping,omitempty"`
	DataFormat string          `json:"data_format,omitempty"`
}

// Config returns the layer's configuration.
func (l *PadCropLayer) Config() any {
	var amounts any = l.amounts
	if l.rank == 1 {
		amounts = l.amounts[0]
	}
	raw, _ := json.Marshal(amounts) // [][2]int and [2]int always marshal
	c := PadCropConfig{BaseConfig: l.BaseConfig()}
	if l.crop {
		c.Cropping = raw
	} else {
		c.Padding = raw
	}
	if l.rank == 2 {
		c.DataFormat = l.dataFormat
	}
	return c
}

// padCropAmounts reads a Keras padding or cropping value: an int, a pair
// or (2-D) a pair of pairs, as the flat list ZeroPadding2D takes.
func padCropAmounts(raw json.RawMessage, rank int) ([]int, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return []int{n}, nil
	}
	var flat []int
	if json.Unmarshal(raw, &flat) == nil {
		return flat, nil
	}
	var pairs [][]int
	if err := json.Unmarshal(raw, &pairs); err != nil || rank != 2 || len(pairs) != 2 {
		return nil, errors.Errorf("cannot read %s as a padding or cropping amount", raw)
	}
	var out []int
	for _, p := range pairs {
		switch len(p) {
		case 1:
			out = append(out, p[0], p[0])
		case 2:
			out = append(out, p[0], p[1])
		default:
			return nil, errors.Errorf("cannot read %s as a padding or cropping amount", raw)
		}
	}
	return out, nil
}

// UpSamplingLayer is UpSampling1D or UpSampling2D: every cell repeated
// (or, in 2-D, bilinearly interpolated) size times along each spatial
// axis.
type UpSamplingLayer struct {
	Base
	rank          int
	size          []int
	interpolation string
	dataFormat    string
	rawSize       []int
}

// UpSamplingOption is an option of UpSampling1D and UpSampling2D: Size,
// Interpolation and DataFormat (UpSampling2D only) or a Common option.
type UpSamplingOption interface{ applyUpSampling(*UpSamplingLayer) }

func (c Common) applyUpSampling(l *UpSamplingLayer)     { c.ApplyTo(&l.Base) }
func (o SizeOption) applyUpSampling(l *UpSamplingLayer) { l.rawSize = o.orEmpty() }
func (o DataFormatOption) applyUpSampling(l *UpSamplingLayer) {
	if l.rank == 1 {
		l.Fail(&kerrors.OptionError{Call: l.class(), Option: "data_format", Value: o.f, Msg: "UpSampling1D has no data_format"})
		return
	}
	l.dataFormat = o.f
}
func (o InterpolationOption) applyUpSampling(l *UpSamplingLayer) {
	if l.rank == 1 {
		l.Fail(&kerrors.OptionError{Call: l.class(), Option: "interpolation", Value: string(o), Msg: "UpSampling1D repeats steps; it has no interpolation"})
		return
	}
	l.interpolation = string(o)
}

// UpSampling2D returns a layer that enlarges images (batch, rows, cols,
// channels) to (batch, rows*size[0], cols*size[1], channels) (Keras:
// layer_upsampling_2d / UpSampling2D). Options and defaults: Size ((2,
// 2)), Interpolation ("nearest", repeating rows and columns; or
// "bilinear"), DataFormat ("channels_last") and the Common options.
func UpSampling2D(opts ...UpSamplingOption) *UpSamplingLayer { return newUpSampling(2, opts) }

// UpSampling1D returns a layer that repeats every step of sequences
// (batch, steps, channels) size times (Keras: layer_upsampling_1d /
// UpSampling1D; Size default 2). It takes Size and the Common options.
func UpSampling1D(opts ...UpSamplingOption) *UpSamplingLayer { return newUpSampling(1, opts) }

func (l *UpSamplingLayer) class() string { return fmt.Sprintf("UpSampling%dD", l.rank) }

func newUpSampling(rank int, opts []UpSamplingOption) *UpSamplingLayer {
	l := &UpSamplingLayer{rank: rank, interpolation: "nearest", dataFormat: "channels_last"}
	class := l.class()
	l.Init(l, class)
	applyOptions(l, class, opts, func(o UpSamplingOption) { o.applyUpSampling(l) })
	l.size = repeat(2, rank)
	if l.rawSize != nil {
		var err error
		if l.size, err = tuple(class, "size", l.rawSize, rank, 1); err != nil {
			l.Fail(err)
			l.size = repeat(2, rank)
		}
	}
	switch l.interpolation {
	case "nearest", "bilinear":
	case "bicubic", "lanczos3", "lanczos5":
		l.Fail(&kerrors.OptionError{Call: class, Option: "interpolation", Value: l.interpolation, Msg: `gokeras supports "nearest" and "bilinear" only`})
	default:
		l.Fail(&kerrors.OptionError{Call: class, Option: "interpolation", Value: l.interpolation, Msg: `must be "nearest" or "bilinear"`})
	}
	if err := checkDataFormat(class, l.dataFormat); err != nil {
		l.Fail(err)
	}
	return l
}

// ClassName returns "UpSampling1D" or "UpSampling2D".
func (l *UpSamplingLayer) ClassName() string { return l.class() }

// Size returns the upsampling factor along each spatial axis.
func (l *UpSamplingLayer) Size() []int { return append([]int(nil), l.size...) }

// Interpolation returns "nearest" or "bilinear".
func (l *UpSamplingLayer) Interpolation() string { return l.interpolation }

// Build checks the input and returns the enlarged shape.
func (l *UpSamplingLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	ch, err := spatialInput(l.class(), l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, l.rank+1)
	for i, f := range l.size {
		switch n := in[i]; {
		case n < 0:
			out = append(out, -1)
		case n > maxSpatial/f:
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in), Msg: fmt.Sprintf("size %v makes the input too large", l.size)}
		default:
			out = append(out, n*f)
		}
	}
	return l.FinishBuild(in, append(out, ch)), nil
}

// Forward enlarges x.
func (l *UpSamplingLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	var out *G.Node
	var err error
	if l.rank == 1 {
		out, err = backend.UpSampling1D(x, l.size[0])
	} else {
		out, err = backend.UpSampling2D(x, [2]int{l.size[0], l.size[1]}, l.interpolation == "bilinear")
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// UpSamplingConfig is the serialisable configuration of UpSampling1D
// (size is one number, as in Keras) and UpSampling2D.
type UpSamplingConfig struct {
	BaseConfig
	Size          json.RawMessage `json:"size"`
	DataFormat    string          `json:"data_format,omitempty"`
	Interpolation string          `json:"interpolation,omitempty"`
}

// Config returns the layer's configuration.
func (l *UpSamplingLayer) Config() any {
	var size any = l.size
	c := UpSamplingConfig{BaseConfig: l.BaseConfig()}
	if l.rank == 1 {
		size = l.size[0]
	} else {
		c.DataFormat, c.Interpolation = l.dataFormat, l.interpolation
	}
	c.Size, _ = json.Marshal(size) // ints always marshal
	return c
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		for _, crop := range []bool{false, true} {
			rank, crop := rank, crop
			probe := &PadCropLayer{rank: rank, crop: crop}
			class := probe.class()
			classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
				var c PadCropConfig
				if err := decode(class, raw, &c); err != nil {
					return nil, err
				}
				common, err := c.BaseConfig.Common()
				if err != nil {
					return nil, errors.Wrapf(err, "layers: %s config", class)
				}
				opts := commonSpatial(common)
				if c.DataFormat != "" {
					opts = append(opts, DataFormat(c.DataFormat))
				}
				amounts := c.Padding
				if crop {
					amounts = c.Cropping
				}
				flat, err := padCropAmounts(amounts, rank)
				if err != nil {
					return nil, errors.Wrapf(err, "layers: %s config: %s", class, probe.keyword())
				}
				defaults := []int{1}
				if crop && rank == 2 {
					defaults = []int{0}
				}
				return newPadCrop(rank, crop, flat, defaults, opts), nil
			})
		}
		rank := rank
		uclass := fmt.Sprintf("UpSampling%dD", rank)
		classes.Builtin(uclass, func(raw json.RawMessage) (Layer, error) {
			var c UpSamplingConfig
			if err := decode(uclass, raw, &c); err != nil {
				return nil, err
			}
			common, err := c.BaseConfig.Common()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", uclass)
			}
			var opts []UpSamplingOption
			for _, o := range common {
				opts = append(opts, o)
			}
			if len(c.Size) > 0 {
				size, err := padCropAmounts(c.Size, 1)
				if err != nil {
					return nil, errors.Wrapf(err, "layers: %s config: size", uclass)
				}
				opts = append(opts, Size(size...))
			}
			if rank == 2 {
				if c.DataFormat != "" {
					opts = append(opts, DataFormat(c.DataFormat))
				}
				if c.Interpolation != "" {
					opts = append(opts, Interpolation(c.Interpolation))
				}
			}
			return newUpSampling(rank, opts), nil
		})
	}
}
