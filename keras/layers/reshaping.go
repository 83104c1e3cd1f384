package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// FlattenLayer turns each sample into a vector.
type FlattenLayer struct{ Base }

// Flatten returns a layer that flattens each sample (Keras: layer_flatten /
// Flatten): input (28, 28) gives (784). Every axis but the batch axis must
// have a known size. It takes the Common options.
func Flatten(opts ...Common) *FlattenLayer {
	l := &FlattenLayer{}
	l.Init(l, "Flatten", opts...)
	return l
}

// ClassName returns "Flatten".
func (l *FlattenLayer) ClassName() string { return "Flatten" }

// Build returns (prod(input shape)).
func (l *FlattenLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	for _, d := range in {
		if d < 1 {
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
				Msg: "Flatten needs every axis but the batch axis to have a known size"}
		}
	}
	return l.FinishBuild(in, []int{prod(in)}), nil
}

// Forward reshapes x to (batch, prod(input shape)), as a copy: an
// elementwise op that Gorgonia runs in place on a Reshape view would write
// into x (see backend.ReshapeCopy).
func (l *FlattenLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	if x.Dims() == 2 {
		return x, nil
	}
	s := x.Shape()
	return backend.Reshape(x, tensor.Shape{s[0], s.TotalSize() / s[0]})
}

// Config returns the layer's configuration.
func (l *FlattenLayer) Config() any { return l.BaseConfig() }

// ReshapeLayer gives each sample a new shape with the same number of
// values.
type ReshapeLayer struct {
	Base
	target []int
}

// Reshape returns a layer that reshapes each sample to target (Keras:
// layer_reshape / Reshape); one dimension may be -1 and is then inferred
// from the others. It takes the Common options.
func Reshape(target []int, opts ...Common) *ReshapeLayer {
	l := &ReshapeLayer{target: append([]int(nil), target...)}
	l.Init(l, "Reshape", opts...)
	unknown := 0
	for _, d := range target {
		switch {
		case d == -1:
			unknown++
		case d < 1:
			l.Fail(&kerrors.OptionError{Call: "Reshape", Option: "target_shape", Value: fmt.Sprint(target), Msg: "dimensions must be >= 1, or one -1"})
		}
	}
	if unknown > 1 || len(target) == 0 {
		l.Fail(&kerrors.OptionError{Call: "Reshape", Option: "target_shape", Value: fmt.Sprint(target), Msg: "needs at least one dimension and at most one -1"})
	}
	return l
}

// ClassName returns "Reshape".
func (l *ReshapeLayer) ClassName() string { return "Reshape" }

// Build resolves -1 and checks that the sizes match.
func (l *ReshapeLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	out := append([]int(nil), l.target...)
	known, unknownAt := 1, -1
	for i, d := range out {
		if d == -1 {
			unknownAt = i
		} else {
			known *= d
		}
	}
	for _, d := range in {
		if d < 1 {
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
				Msg: "Reshape needs every axis but the batch axis to have a known size"}
		}
	}
	n := prod(in)
	if unknownAt >= 0 {
		if n%known != 0 {
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in), Want: withBatch(l.target),
				Msg: fmt.Sprintf("%d values do not divide into the target shape", n)}
		}
		out[unknownAt] = n / known
	}
	if prod(out) != n {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in), Want: withBatch(out),
			Msg: fmt.Sprintf("cannot reshape %d values into %d", n, prod(out))}
	}
	return l.FinishBuild(in, out), nil
}

// Forward reshapes x to (batch, target...), as a copy (see Flatten).
func (l *ReshapeLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	shape := append(tensor.Shape{x.Shape()[0]}, l.OutputShape()...)
	return backend.Reshape(x, shape)
}

// ReshapeConfig is Reshape's serialisable configuration.
type ReshapeConfig struct {
	BaseConfig
	TargetShape []int `json:"target_shape"`
}

// Config returns the layer's configuration.
func (l *ReshapeLayer) Config() any {
	return ReshapeConfig{BaseConfig: l.BaseConfig(), TargetShape: l.target}
}

// InputLayer declares the model's input shape; it computes nothing.
type InputLayer struct {
	Base
	dtype tensor.Dtype
}

// Dtype returns the element type declared for the input's data (the zero
// Dtype: the model's float type).
func (l *InputLayer) Dtype() tensor.Dtype { return l.dtype }

// Input returns a layer that declares one sample's input shape, without
// the batch axis; -1 is a dimension of any size (Keras:
// keras.Input(shape=...) / layer_input). Putting it first in a Sequential
// model is the same as giving the first layer InputShape. Functional
// models use keras.Input, which returns the layer's output tensor.
func Input(shape ...int) *InputLayer {
	l := &InputLayer{}
	l.Init(l, "InputLayer", InputShape(shape...))
	l.SetSupportsMasking(true)
	return l
}

// ClassName returns "InputLayer".
func (l *InputLayer) ClassName() string { return "InputLayer" }

// Build returns the input shape.
func (l *InputLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	return l.FinishBuild(in, in), nil
}

// Forward returns x.
func (l *InputLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) { return x, nil }

// Config returns the layer's configuration.
func (l *InputLayer) Config() any { return l.BaseConfig() }

func init() {
	classes.Builtin("Flatten", func(raw json.RawMessage) (Layer, error) {
		var c BaseConfig
		if err := decode("Flatten", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Flatten config")
		}
		return Flatten(common...), nil
	})
	classes.Builtin("Reshape", func(raw json.RawMessage) (Layer, error) {
		var c ReshapeConfig
		if err := decode("Reshape", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Reshape config")
		}
		return Reshape(c.TargetShape, common...), nil
	})
	classes.Builtin("InputLayer", func(raw json.RawMessage) (Layer, error) {
		var c BaseConfig
		if err := decode("InputLayer", raw, &c); err != nil {
			return nil, err
		}
		l := Input(c.InputShape...)
		l.SetName(c.Name)
		return l, nil
	})
}
