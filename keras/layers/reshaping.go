package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// FlattenLayer turns each sample into a vector.
type FlattenLayer struct{ Base }

// Flatten returns a layer that flattens each sample (Keras: layer_flatten /
// Flatten): input (28, 28) gives (784). Options: InputShape, Name.
func Flatten(opts ...Option) *FlattenLayer {
	l := &FlattenLayer{}
	l.Init("Flatten", opts)
	return l
}

// ClassName returns "Flatten".
func (l *FlattenLayer) ClassName() string { return "Flatten" }

// Build returns (prod(input shape)).
func (l *FlattenLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	return l.FinishBuild(in, []int{prod(in)}), nil
}

// Forward reshapes x to (batch, prod(input shape)).
func (l *FlattenLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	if x.Dims() == 2 {
		return x, nil
	}
	s := x.Shape()
	return G.Reshape(x, tensor.Shape{s[0], s.TotalSize() / s[0]})
}

// Config returns the layer's configuration.
func (l *FlattenLayer) Config() interface{} { return l.baseConfig() }

// ReshapeLayer gives each sample a new shape with the same number of
// values.
type ReshapeLayer struct {
	Base
	target []int
}

// Reshape returns a layer that reshapes each sample to target (Keras:
// layer_reshape / Reshape); one dimension may be -1 and is then inferred.
// Options: InputShape, Name.
func Reshape(target []int, opts ...Option) *ReshapeLayer {
	l := &ReshapeLayer{target: append([]int(nil), target...)}
	l.Init("Reshape", opts)
	unknown := 0
	for _, d := range target {
		switch {
		case d == -1:
			unknown++
		case d < 1:
			l.Fail(errors.Errorf("layers: Reshape: invalid target shape %v", target))
		}
	}
	if unknown > 1 || len(target) == 0 {
		l.Fail(errors.Errorf("layers: Reshape: invalid target shape %v (at most one -1)", target))
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
	n := prod(in)
	if unknownAt >= 0 {
		if n%known != 0 {
			return nil, errors.Errorf("layers: %s: cannot reshape %v to %v", l.name, in, l.target)
		}
		out[unknownAt] = n / known
	}
	if prod(out) != n {
		return nil, errors.Errorf("layers: %s: cannot reshape %v (%d values) to %v (%d values)", l.name, in, n, out, prod(out))
	}
	return l.FinishBuild(in, out), nil
}

// Forward reshapes x to (batch, target...).
func (l *ReshapeLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) {
	shape := append(tensor.Shape{x.Shape()[0]}, l.OutputShape()...)
	return G.Reshape(x, shape)
}

// ReshapeConfig is Reshape's serialisable configuration.
type ReshapeConfig struct {
	BaseConfig
	TargetShape []int `json:"target_shape"`
}

// Config returns the layer's configuration.
func (l *ReshapeLayer) Config() interface{} {
	return ReshapeConfig{BaseConfig: l.baseConfig(), TargetShape: l.target}
}

// InputLayer declares the model's input shape; it computes nothing.
type InputLayer struct{ Base }

// Input returns a layer that declares one sample's input shape, without
// the batch axis (Keras: keras.Input(shape=...) / layer_input). Putting it
// first in a Sequential model is the same as giving the first layer
// InputShape.
func Input(shape ...int) *InputLayer {
	l := &InputLayer{}
	l.Init("InputLayer", []Option{InputShape(shape...)})
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
func (l *InputLayer) Config() interface{} { return l.baseConfig() }

func init() {
	registry["Flatten"] = func(raw json.RawMessage) (Layer, error) {
		var c BaseConfig
		if err := decode("Flatten", raw, &c); err != nil {
			return nil, err
		}
		return Flatten(c.options()...), nil
	}
	registry["Reshape"] = func(raw json.RawMessage) (Layer, error) {
		var c ReshapeConfig
		if err := decode("Reshape", raw, &c); err != nil {
			return nil, err
		}
		return Reshape(c.TargetShape, c.BaseConfig.options()...), nil
	}
	registry["InputLayer"] = func(raw json.RawMessage) (Layer, error) {
		var c BaseConfig
		if err := decode("InputLayer", raw, &c); err != nil {
			return nil, err
		}
		l := Input(c.InputShape...)
		l.SetName(c.Name)
		return l, nil
	}
}
