package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// DenseLayer is a fully connected layer: activation(x · kernel + bias).
type DenseLayer struct {
	Base
	units      int
	activation activations.Activation
	kb         kernelBias
	kernel     *backend.Variable
	bias       *backend.Variable
}

// DenseOption is an option of Dense: Common, Activation or a WeightOption.
type DenseOption interface{ applyDense(*DenseLayer) }

func (c Common) applyDense(l *DenseLayer)       { c.ApplyTo(&l.Base) }
func (o WeightOption) applyDense(l *DenseLayer) { o.applyTo(&l.kb) }

// Dense returns a fully connected layer with the given number of units
// (Keras: layer_dense / Dense). Options: Activation (default linear),
// UseBias (default true), KernelInitializer (default "glorot_uniform"),
// BiasInitializer (default "zeros"), KernelRegularizer, BiasRegularizer,
// KernelConstraint, BiasConstraint (default none) and the Common options.
// It applies to the last axis of its input: an input (..., d) gives (...,
// units). Weights (Keras order): kernel (d, units), bias (units).
func Dense(units int, opts ...DenseOption) *DenseLayer {
	l := &DenseLayer{units: units, activation: activations.Linear(), kb: defaultKernelBias()}
	l.Init(l, "Dense")
	l.SetSupportsMasking(true)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Dense"))
			continue
		}
		o.applyDense(l)
	}
	if l.kb.err != nil {
		l.Fail(l.kb.err)
	}
	if units < 1 || units > backend.MaxVariableSize {
		l.Fail(&kerrors.OptionError{Call: "Dense", Option: "units", Value: itoa(units), Msg: "must be >= 1 and <= 2^32"})
	}
	return l
}

// ClassName returns "Dense".
func (l *DenseLayer) ClassName() string { return "Dense" }

// Units returns the number of output units.
func (l *DenseLayer) Units() int { return l.units }

// Activation returns the layer's activation.
func (l *DenseLayer) Activation() activations.Activation { return l.activation }

// Build declares the kernel (d, units) and bias (units) for input (..., d).
func (l *DenseLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) == 0 || in[len(in)-1] < 1 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: "Dense needs an input whose last axis has a known size"}
	}
	d := in[len(in)-1]
	var err error
	if l.kernel, err = l.AddWeight(ctx, "kernel", []int{d, l.units}, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		if l.bias, err = l.AddWeight(ctx, "bias", []int{l.units}, l.kb.biasSpec()); err != nil {
			return nil, err
		}
	}
	out := append(append([]int(nil), in[:len(in)-1]...), l.units)
	return l.FinishBuild(in, out), nil
}

// Forward computes activation(x · kernel + bias).
func (l *DenseLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, err := s.Param(l.kernel)
	if err != nil {
		return nil, err
	}
	shape := x.Shape().Clone()
	d := shape[len(shape)-1]
	rows := shape.TotalSize() / d
	x2 := x
	if x.Dims() != 2 {
		if x2, err = backend.Reshape(x, tensor.Shape{rows, d}); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	h, err := backend.MatMul(x2, k, false, false)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s: x·kernel", l.name)
	}
	if l.kb.useBias {
		b, err := s.Param(l.bias)
		if err != nil {
			return nil, err
		}
		if h, err = backend.BiasAdd(h, b); err != nil {
			return nil, errors.Wrapf(err, "layers: %s: +bias", l.name)
		}
	}
	if x.Dims() != 2 {
		shape[len(shape)-1] = l.units
		if h, err = backend.Reshape(h, shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	return applyActivation(s, l.name, l.activation, h)
}

// applyActivation applies act and records its input for the losses.
func applyActivation(s *backend.Scope, layer string, act activations.Activation, x *G.Node) (*G.Node, error) {
	if act.Name() == "linear" {
		return x, nil
	}
	out, err := act.Apply(x)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s: activation %s", layer, act.Name())
	}
	s.MarkActivation(out, x, act.Name())
	return out, nil
}

// DenseConfig is Dense's serialisable configuration.
type DenseConfig struct {
	BaseConfig
	Units      int                `json:"units"`
	Activation activations.Config `json:"activation"`
	kernelBiasConfig
}

// Config returns the layer's configuration.
func (l *DenseLayer) Config() any {
	return DenseConfig{BaseConfig: l.BaseConfig(), Units: l.units,
		Activation: activations.ConfigOf(l.activation), kernelBiasConfig: l.kb.config()}
}

func init() {
	classes.Builtin("Dense", func(raw json.RawMessage) (Layer, error) {
		var c DenseConfig
		if err := decode("Dense", raw, &c); err != nil {
			return nil, err
		}
		act, err := activations.FromConfig(c.Activation)
		if err != nil {
			return nil, errors.Wrap(err, "layers: Dense config: activation")
		}
		opts, err := denseOptions(c.BaseConfig, c.kernelBiasConfig)
		if err != nil {
			return nil, errors.Wrap(err, "layers: Dense config")
		}
		return Dense(c.Units, append(opts, activationOption{act})...), nil
	})
}

// denseOptions turns the shared parts of a configuration into options.
func denseOptions(bc BaseConfig, kc kernelBiasConfig) ([]DenseOption, error) {
	common, err := bc.Common()
	if err != nil {
		return nil, err
	}
	weights, err := kc.options()
	if err != nil {
		return nil, err
	}
	var opts []DenseOption
	for _, c := range common {
		opts = append(opts, c)
	}
	for _, w := range weights {
		opts = append(opts, w)
	}
	return opts, nil
}
