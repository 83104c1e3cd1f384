package layers

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// MaskingLayer masks the time steps whose features all equal a value.
type MaskingLayer struct {
	Base
	value float64
}

// MaskingOption is an option of Masking: Common or MaskValue.
type MaskingOption interface{ applyMasking(*MaskingLayer) }

func (c Common) applyMasking(l *MaskingLayer) { c.ApplyTo(&l.Base) }

// MaskValueOption sets the value Masking looks for.
type MaskValueOption float64

// MaskValue sets the value that marks a padded step (Keras: mask_value;
// default 0).
func MaskValue(v float64) MaskValueOption { return MaskValueOption(v) }

func (o MaskValueOption) applyMasking(l *MaskingLayer) { l.value = float64(o) }

// Masking returns a layer that masks every time step whose features all
// equal the mask value (Keras: layer_masking / Masking): the step's
// output is zeros and the layers downstream that use masks (the recurrent
// layers, GlobalAveragePooling1D) skip it. Input (timesteps, ...,
// features); the mask has one value per step, (timesteps, ...). A NaN
// mask value masks nothing (NaN equals nothing, as in Keras). Options:
// MaskValue (default 0) and the Common options.
func Masking(opts ...MaskingOption) *MaskingLayer {
	l := &MaskingLayer{}
	l.Init(l, "Masking")
	l.SetSupportsMasking(true)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Masking"))
			continue
		}
		o.applyMasking(l)
	}
	if math.IsInf(l.value, 0) {
		l.Fail(&kerrors.OptionError{Call: "Masking", Option: "mask_value", Value: fmt.Sprint(l.value), Msg: "must be finite (or NaN, which masks nothing)"})
	}
	return l
}

// ClassName returns "Masking".
func (l *MaskingLayer) ClassName() string { return "Masking" }

// MaskValue returns the value that marks a padded step.
func (l *MaskingLayer) MaskValue() float64 { return l.value }

// Build returns the input shape, which must have a time axis.
func (l *MaskingLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) < 2 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: "Masking needs inputs (batch, timesteps, ..., features)"}
	}
	return l.FinishBuild(in, in), nil
}

// Forward zeroes the masked steps and records the mask.
func (l *MaskingLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	out, err := backend.Masking(x, l.value)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	mask, err := backend.MaskingMask(x, l.value)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	s.SetMask(out, mask)
	return out, nil
}

// MaskingConfig is Masking's serialisable configuration. A NaN mask value
// is stored as null.
type MaskingConfig struct {
	BaseConfig
	MaskValue *float64 `json:"mask_value"`
}

// Config returns the layer's configuration.
func (l *MaskingLayer) Config() any {
	c := MaskingConfig{BaseConfig: l.BaseConfig()}
	if !math.IsNaN(l.value) {
		v := l.value
		c.MaskValue = &v
	}
	return c
}

// RepeatVectorLayer repeats its input vector along a new time axis.
type RepeatVectorLayer struct {
	Base
	n int
}

// RepeatVector returns a layer that repeats each sample's vector n times
// (Keras: layer_repeat_vector / RepeatVector): input (features) gives (n,
// features). The gradient sums the copies. It takes the Common options.
func RepeatVector(n int, opts ...Common) *RepeatVectorLayer {
	l := &RepeatVectorLayer{n: n}
	l.Init(l, "RepeatVector", opts...)
	if n < 1 || n > 1<<24 {
		l.Fail(&kerrors.OptionError{Call: "RepeatVector", Option: "n", Value: itoa(n), Msg: "must be >= 1 and <= 2^24"})
	}
	return l
}

// ClassName returns "RepeatVector".
func (l *RepeatVectorLayer) ClassName() string { return "RepeatVector" }

// N returns the number of repetitions.
func (l *RepeatVectorLayer) N() int { return l.n }

// Build checks the input is one vector per sample and returns (n,
// features).
func (l *RepeatVectorLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) != 1 || in[0] < 1 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: "RepeatVector needs inputs (batch, features) with a known number of features"}
	}
	return l.FinishBuild(in, []int{l.n, in[0]}), nil
}

// Forward repeats x.
func (l *RepeatVectorLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	out, err := backend.RepeatVector(x, l.n)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// RepeatVectorConfig is RepeatVector's serialisable configuration.
type RepeatVectorConfig struct {
	BaseConfig
	N int `json:"n"`
}

// Config returns the layer's configuration.
func (l *RepeatVectorLayer) Config() any {
	return RepeatVectorConfig{BaseConfig: l.BaseConfig(), N: l.n}
}

// PermuteLayer reorders the axes of each sample.
type PermuteLayer struct {
	Base
	dims []int
}

// Permute returns a layer that reorders the axes of each sample (Keras:
// layer_permute / Permute): dims is a permutation of 1..rank, counted
// without the batch axis from 1, so Permute([]int{2, 1}) turns (10, 64)
// into (64, 10). It takes the Common options.
func Permute(dims []int, opts ...Common) *PermuteLayer {
	l := &PermuteLayer{dims: append([]int(nil), dims...)}
	l.Init(l, "Permute", opts...)
	seen := make([]bool, len(dims)+1)
	for _, d := range dims {
		if d < 1 || d > len(dims) || seen[d] {
			l.Fail(&kerrors.OptionError{Call: "Permute", Option: "dims", Value: fmt.Sprint(dims),
				Msg: fmt.Sprintf("must be a permutation of 1..%d (the batch axis is not counted)", len(dims))})
			break
		}
		seen[d] = true
	}
	if len(dims) == 0 {
		l.Fail(&kerrors.OptionError{Call: "Permute", Option: "dims", Value: "[]", Msg: "needs at least one axis"})
	}
	return l
}

// ClassName returns "Permute".
func (l *PermuteLayer) ClassName() string { return "Permute" }

// Dims returns the permutation (1-based, without the batch axis).
func (l *PermuteLayer) Dims() []int { return append([]int(nil), l.dims...) }

// Build checks the input's rank and returns the permuted shape.
func (l *PermuteLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) != len(l.dims) {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: fmt.Sprintf("Permute%v needs samples of rank %d", l.dims, len(l.dims))}
	}
	out := make([]int, len(in))
	for i, d := range l.dims {
		out[i] = in[d-1]
	}
	return l.FinishBuild(in, out), nil
}

// Forward permutes x.
func (l *PermuteLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	out, err := backend.Permute(x, l.dims)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// PermuteConfig is Permute's serialisable configuration.
type PermuteConfig struct {
	BaseConfig
	Dims []int `json:"dims"`
}

// Config returns the layer's configuration.
func (l *PermuteLayer) Config() any { return PermuteConfig{BaseConfig: l.BaseConfig(), Dims: l.Dims()} }

func init() {
	classes.Builtin("Masking", func(raw json.RawMessage) (Layer, error) {
		var c MaskingConfig
		if err := decode("Masking", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Masking config")
		}
		v := math.NaN()
		if c.MaskValue != nil {
			v = *c.MaskValue
		}
		opts := []MaskingOption{MaskValue(v)}
		for _, o := range common {
			opts = append(opts, o)
		}
		return Masking(opts...), nil
	})
	classes.Builtin("RepeatVector", func(raw json.RawMessage) (Layer, error) {
		var c RepeatVectorConfig
		if err := decode("RepeatVector", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: RepeatVector config")
		}
		return RepeatVector(c.N, common...), nil
	})
	classes.Builtin("Permute", func(raw json.RawMessage) (Layer, error) {
		var c PermuteConfig
		if err := decode("Permute", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Permute config")
		}
		return Permute(c.Dims, common...), nil
	})
}
