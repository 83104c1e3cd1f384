package layers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// PoolLayer is MaxPooling1D/2D or AveragePooling1D/2D: the maximum or the
// mean of every window, per channel (Keras 3's BasePooling,
// keras/src/layers/pooling/base_pooling.py).
type PoolLayer struct {
	Base
	rank       int
	mode       string // "max" or "average"
	poolSize   []int
	strides    []int
	padding    string
	dataFormat string

	rawPool, rawStrides []int
}

// PoolOption is an option of the pooling layers: PoolSize, Strides,
// Padding, DataFormat or a Common option.
type PoolOption interface{ applyPool(*PoolLayer) }

func (c Common) applyPool(l *PoolLayer)           { c.ApplyTo(&l.Base) }
func (o PoolSizeOption) applyPool(l *PoolLayer)   { l.rawPool = o.orEmpty() }
func (o StridesOption) applyPool(l *PoolLayer)    { l.rawStrides = o.orEmpty() }
func (o PaddingOption) applyPool(l *PoolLayer)    { l.padding = o.mode }
func (o DataFormatOption) applyPool(l *PoolLayer) { l.dataFormat = o.f }

// MaxPooling2D returns a layer that takes the maximum of every window of
// its images (batch, rows, cols, channels), per channel (Keras:
// layer_max_pooling_2d / MaxPooling2D). Options and defaults: PoolSize
// ((2, 2)), Strides (the pool size), Padding ("valid"), DataFormat
// ("channels_last") and the Common options. The output has, per axis of n
// cells with window k and stride s, floor((n-k)/s)+1 cells for "valid"
// (an error if the window is larger than the input) and ceil(n/s) for
// "same", whose padding cells never win. The gradient goes to the first
// maximal cell of each window.
func MaxPooling2D(opts ...PoolOption) *PoolLayer { return newPool(2, "max", opts) }

// MaxPooling1D is MaxPooling2D over the steps of sequences (batch, steps,
// channels) (Keras: layer_max_pooling_1d / MaxPooling1D; PoolSize default
// 2).
func MaxPooling1D(opts ...PoolOption) *PoolLayer { return newPool(1, "max", opts) }

// AveragePooling2D returns a layer that takes the mean of every window
// of its images, per channel (Keras: layer_average_pooling_2d /
// AveragePooling2D), with MaxPooling2D's options and output rule. With
// padding "same" a window at the border averages the cells inside the
// input only, as Keras with TensorFlow does.
func AveragePooling2D(opts ...PoolOption) *PoolLayer { return newPool(2, "average", opts) }

// AveragePooling1D is AveragePooling2D over the steps of sequences
// (Keras: layer_average_pooling_1d / AveragePooling1D).
func AveragePooling1D(opts ...PoolOption) *PoolLayer { return newPool(1, "average", opts) }

func (l *PoolLayer) class() string {
	if l.mode == "max" {
		return fmt.Sprintf("MaxPooling%dD", l.rank)
	}
	return fmt.Sprintf("AveragePooling%dD", l.rank)
}

func newPool(rank int, mode string, opts []PoolOption) *PoolLayer {
	l := &PoolLayer{rank: rank, mode: mode, padding: "valid", dataFormat: "channels_last"}
	class := l.class()
	l.Init(l, class)
	applyOptions(l, class, opts, func(o PoolOption) { o.applyPool(l) })
	var err error
	l.poolSize = repeat(2, rank)
	if l.rawPool != nil {
		if l.poolSize, err = tuple(class, "pool_size", l.rawPool, rank, 1); err != nil {
			l.Fail(err)
			l.poolSize = repeat(2, rank)
		}
	}
	// Keras: strides default to pool_size.
	l.strides = append([]int(nil), l.poolSize...)
	if l.rawStrides != nil {
		if l.strides, err = tuple(class, "strides", l.rawStrides, rank, 1); err != nil {
			l.Fail(err)
			l.strides = append([]int(nil), l.poolSize...)
		}
	}
	if err := checkPadding(class, l.padding, false); err != nil {
		l.Fail(err)
	}
	if err := checkDataFormat(class, l.dataFormat); err != nil {
		l.Fail(err)
	}
	return l
}

// ClassName returns "MaxPooling1D", "MaxPooling2D", "AveragePooling1D" or
// "AveragePooling2D".
func (l *PoolLayer) ClassName() string { return l.class() }

// PoolSize returns the window along each spatial axis.
func (l *PoolLayer) PoolSize() []int { return append([]int(nil), l.poolSize...) }

// Strides returns the strides along each spatial axis.
func (l *PoolLayer) Strides() []int { return append([]int(nil), l.strides...) }

// Padding returns the padding mode ("valid" or "same").
func (l *PoolLayer) Padding() string { return l.padding }

// Build checks the input and returns the pooled shape.
func (l *PoolLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	class := l.class()
	ch, err := spatialInput(class, l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, l.rank+1)
	for i := 0; i < l.rank; i++ {
		n := in[i]
		switch {
		case n < 0:
			out = append(out, -1)
		case l.padding == "same":
			out = append(out, (n+l.strides[i]-1)/l.strides[i])
		case n < l.poolSize[i]:
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
				Msg: fmt.Sprintf("%s's pool_size %v is larger than the input's %d cells on spatial axis %d (padding \"valid\")", class, l.poolSize, n, i+1)}
		default:
			out = append(out, (n-l.poolSize[i])/l.strides[i]+1)
		}
	}
	return l.FinishBuild(in, append(out, ch)), nil
}

// Forward pools x.
func (l *PoolLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	xs := x.Shape()
	p := backend.PoolParams{Size: [2]int{1, 1}, Strides: [2]int{1, 1}}
	off := 2 - l.rank
	for i := 0; i < l.rank; i++ {
		a := off + i
		p.Size[a], p.Strides[a] = l.poolSize[i], l.strides[i]
		if l.padding == "same" {
			before, after, err := backend.SamePadding(xs[1+i], l.poolSize[i], l.strides[i], 1)
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s", l.name)
			}
			p.Padding[2*a], p.Padding[2*a+1] = before, after
		}
	}
	var out *G.Node
	var err error
	p1 := backend.Pool1DParams{Size: p.Size[1], Stride: p.Strides[1], Padding: [2]int{p.Padding[2], p.Padding[3]}}
	switch {
	case l.mode == "max" && l.rank == 1:
		out, err = backend.MaxPool1D(x, p1)
	case l.mode == "max":
		out, err = backend.MaxPool2D(x, p)
	case l.rank == 1:
		out, err = backend.AvgPool1D(x, p1)
	default:
		out, err = backend.AvgPool2D(x, p)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// PoolConfig is the serialisable configuration of the pooling layers
// (Keras's get_config keys).
type PoolConfig struct {
	BaseConfig
	PoolSize   []int  `json:"pool_size"`
	Padding    string `json:"padding"`
	Strides    []int  `json:"strides"`
	DataFormat string `json:"data_format"`
}

// Config returns the layer's configuration.
func (l *PoolLayer) Config() any {
	return PoolConfig{BaseConfig: l.BaseConfig(), PoolSize: l.poolSize, Padding: l.padding, Strides: l.strides, DataFormat: l.dataFormat}
}

// GlobalPoolLayer is GlobalMaxPooling1D/2D or GlobalAveragePooling1D/2D:
// the maximum or mean over every spatial position, per channel (Keras 3's
// BaseGlobalPooling).
type GlobalPoolLayer struct {
	Base
	rank       int
	mode       string
	keepdims   bool
	dataFormat string
}

// GlobalPoolOption is an option of the global pooling layers: Keepdims,
// DataFormat or a Common option.
type GlobalPoolOption interface{ applyGlobalPool(*GlobalPoolLayer) }

func (c Common) applyGlobalPool(l *GlobalPoolLayer)           { c.ApplyTo(&l.Base) }
func (o KeepdimsOption) applyGlobalPool(l *GlobalPoolLayer)   { l.keepdims = bool(o) }
func (o DataFormatOption) applyGlobalPool(l *GlobalPoolLayer) { l.dataFormat = o.f }

// GlobalAveragePooling2D returns a layer that averages its images
// (batch, rows, cols, channels) over rows and cols, giving (batch,
// channels), or (batch, 1, 1, channels) with Keepdims(true) (Keras:
// layer_global_average_pooling_2d / GlobalAveragePooling2D). Options:
// Keepdims (false), DataFormat ("channels_last") and the Common options.
func GlobalAveragePooling2D(opts ...GlobalPoolOption) *GlobalPoolLayer {
	return newGlobalPool(2, "average", opts)
}

// GlobalAveragePooling1D returns a layer that averages sequences (batch,
// steps, channels) over their steps (Keras: layer_global_average_pooling_1d
// / GlobalAveragePooling1D), with GlobalAveragePooling2D's options. When
// the input carries a mask (an Embedding with mask_zero before it), the
// mean is over the unmasked steps only, as in Keras 3; a sequence with
// every step masked gives zeros (Keras divides 0 by 0). The mask does not
// go further.
func GlobalAveragePooling1D(opts ...GlobalPoolOption) *GlobalPoolLayer {
	return newGlobalPool(1, "average", opts)
}

// GlobalMaxPooling2D returns a layer that takes the maximum of its images
// over rows and cols, per channel (Keras: layer_global_max_pooling_2d /
// GlobalMaxPooling2D), with GlobalAveragePooling2D's options.
func GlobalMaxPooling2D(opts ...GlobalPoolOption) *GlobalPoolLayer {
	return newGlobalPool(2, "max", opts)
}

// GlobalMaxPooling1D returns a layer that takes the maximum of sequences
// over their steps, per channel (Keras: layer_global_max_pooling_1d /
// GlobalMaxPooling1D). As in Keras 3 it ignores masks.
func GlobalMaxPooling1D(opts ...GlobalPoolOption) *GlobalPoolLayer {
	return newGlobalPool(1, "max", opts)
}

func (l *GlobalPoolLayer) class() string {
	if l.mode == "max" {
		return fmt.Sprintf("GlobalMaxPooling%dD", l.rank)
	}
	return fmt.Sprintf("GlobalAveragePooling%dD", l.rank)
}

func newGlobalPool(rank int, mode string, opts []GlobalPoolOption) *GlobalPoolLayer {
	l := &GlobalPoolLayer{rank: rank, mode: mode, dataFormat: "channels_last"}
	class := l.class()
	l.Init(l, class)
	applyOptions(l, class, opts, func(o GlobalPoolOption) { o.applyGlobalPool(l) })
	if err := checkDataFormat(class, l.dataFormat); err != nil {
		l.Fail(err)
	}
	return l
}

// ClassName returns "GlobalMaxPooling1D", "GlobalMaxPooling2D",
// "GlobalAveragePooling1D" or "GlobalAveragePooling2D".
func (l *GlobalPoolLayer) ClassName() string { return l.class() }

// Keepdims reports whether the pooled axes are kept with size 1.
func (l *GlobalPoolLayer) Keepdims() bool { return l.keepdims }

// Build checks the input and returns (channels), or (1, 1, channels)
// with Keepdims.
func (l *GlobalPoolLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	ch, err := spatialInput(l.class(), l.name, in, l.rank)
	if err != nil {
		return nil, err
	}
	out := []int{ch}
	if l.keepdims {
		out = append(repeat(1, l.rank), ch)
	}
	return l.FinishBuild(in, out), nil
}

// Forward pools x over its spatial axes, using x's mask for
// GlobalAveragePooling1D.
func (l *GlobalPoolLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	var out *G.Node
	var err error
	switch {
	case l.mode == "max":
		out, err = backend.GlobalMaxPool(x)
	case l.rank == 1 && s.Mask(x) != nil:
		mask := s.Mask(x)
		if mask.Dtype() != x.Dtype() || mask.Dims() != 2 {
			return nil, errors.Errorf("layers: %s: the input's mask is %v %v, want (batch, steps) of %v", l.name, mask.Dtype(), mask.Shape(), x.Dtype())
		}
		out, err = backend.GlobalAvgPool1DMasked(x, mask)
	default:
		out, err = backend.GlobalAvgPool(x)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if l.keepdims {
		shape := append(tensor.Shape{x.Shape()[0]}, l.OutputShape()...)
		if out, err = G.Reshape(out, shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	return out, nil
}

// GlobalPoolConfig is the serialisable configuration of the global
// pooling layers.
type GlobalPoolConfig struct {
	BaseConfig
	DataFormat string `json:"data_format"`
	Keepdims   bool   `json:"keepdims"`
}

// Config returns the layer's configuration.
func (l *GlobalPoolLayer) Config() any {
	return GlobalPoolConfig{BaseConfig: l.BaseConfig(), DataFormat: l.dataFormat, Keepdims: l.keepdims}
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		for _, mode := range []string{"max", "average"} {
			rank, mode := rank, mode
			class := (&PoolLayer{rank: rank, mode: mode}).class()
			classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
				var c PoolConfig
				if err := decode(class, raw, &c); err != nil {
					return nil, err
				}
				common, err := c.BaseConfig.Common()
				if err != nil {
					return nil, errors.Wrapf(err, "layers: %s config", class)
				}
				var opts []PoolOption
				for _, o := range common {
					opts = append(opts, o)
				}
				if c.PoolSize != nil {
					opts = append(opts, PoolSize(c.PoolSize...))
				}
				if c.Strides != nil {
					opts = append(opts, Strides(c.Strides...))
				}
				if c.Padding != "" {
					opts = append(opts, Padding(strings.ToLower(c.Padding)))
				}
				if c.DataFormat != "" {
					opts = append(opts, DataFormat(c.DataFormat))
				}
				return newPool(rank, mode, opts), nil
			})
			gclass := (&GlobalPoolLayer{rank: rank, mode: mode}).class()
			classes.Builtin(gclass, func(raw json.RawMessage) (Layer, error) {
				var c GlobalPoolConfig
				if err := decode(gclass, raw, &c); err != nil {
					return nil, err
				}
				common, err := c.BaseConfig.Common()
				if err != nil {
					return nil, errors.Wrapf(err, "layers: %s config", gclass)
				}
				opts := []GlobalPoolOption{Keepdims(c.Keepdims)}
				for _, o := range common {
					opts = append(opts, o)
				}
				if c.DataFormat != "" {
					opts = append(opts, DataFormat(c.DataFormat))
				}
				return newGlobalPool(rank, mode, opts), nil
			})
		}
	}
}
