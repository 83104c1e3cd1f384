package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// DenseLayer is a fully connected layer: activation(x · kernel + bias).
type DenseLayer struct {
	Base
	units      int
	activation activations.Activation
	useBias    bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	kernelReg  regularizers.Regularizer
	biasReg    regularizers.Regularizer
	actReg     regularizers.Regularizer
	kernelCon  constraints.Constraint
	biasCon    constraints.Constraint
	kernel     *backend.Variable
	bias       *backend.Variable
}

// Dense returns a fully connected layer with the given number of units
// (Keras: layer_dense / Dense). Options: Activation (default linear),
// UseBias (default true), KernelInitializer (default "glorot_uniform"),
// BiasInitializer (default "zeros"), KernelRegularizer, BiasRegularizer,
// ActivityRegularizer, KernelConstraint, BiasConstraint (default none),
// InputShape, Name. It applies to the
// last axis of its input: an input (..., d) gives (..., units). Weights
// (Keras order): kernel (d, units), bias (units).
func Dense(units int, opts ...Option) *DenseLayer {
	l := &DenseLayer{units: units, useBias: true}
	l.Init("Dense", opts, "activation", "use_bias", "kernel_initializer", "bias_initializer",
		"kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint")
	if units < 1 {
		l.Fail(errors.Errorf("layers: Dense: units must be >= 1, got %d", units))
	}
	o := &l.opts
	l.activation = o.activation
	if l.activation == nil {
		l.activation = activations.Linear()
	}
	if o.useBias != nil {
		l.useBias = *o.useBias
	}
	l.kernelInit, l.biasInit = o.kernelInit, o.biasInit
	l.kernelReg, l.biasReg, l.actReg = o.kernelReg, o.biasReg, o.actReg
	l.kernelCon, l.biasCon = o.kernelCon, o.biasCon
	if l.kernelInit == nil {
		l.kernelInit = initializers.GlorotUniform()
	}
	if l.biasInit == nil {
		l.biasInit = initializers.Zeros()
	}
	return l
}

// ClassName returns "Dense".
func (l *DenseLayer) ClassName() string { return "Dense" }

// Units returns the number of output units.
func (l *DenseLayer) Units() int { return l.units }

// Activation returns the layer's activation.
func (l *DenseLayer) Activation() activations.Activation { return l.activation }

// Build creates the kernel (d, units) and bias (units) for input (..., d).
func (l *DenseLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) == 0 {
		return nil, errors.Errorf("layers: %s: Dense needs an input with at least one axis", l.name)
	}
	d := in[len(in)-1]
	var err error
	if l.kernel, err = ctx.NewVariable(l.name, "kernel", []int{d, l.units}, l.kernelInit, true); err != nil {
		return nil, err
	}
	if err := attachConstraint(l.name, "kernel_constraint", l.kernel, l.kernelCon); err != nil {
		return nil, err
	}
	vars := []*backend.Variable{l.kernel}
	if l.useBias {
		if l.bias, err = ctx.NewVariable(l.name, "bias", []int{l.units}, l.biasInit, true); err != nil {
			return nil, err
		}
		if err := attachConstraint(l.name, "bias_constraint", l.bias, l.biasCon); err != nil {
			return nil, err
		}
		vars = append(vars, l.bias)
	}
	out := append(append([]int(nil), in[:len(in)-1]...), l.units)
	return l.FinishBuild(in, out, vars...), nil
}

// Forward computes activation(x · kernel + bias) and, in training and
// evaluation graphs, adds the regularizers' penalties to the loss.
func (l *DenseLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, err := s.Param(l.kernel)
	if err != nil {
		return nil, err
	}
	if err := addPenalty(s, l.name, "kernel_regularizer", l.kernelReg, k); err != nil {
		return nil, err
	}
	shape := x.Shape().Clone()
	d := shape[len(shape)-1]
	rows := shape.TotalSize() / d
	x2 := x
	if x.Dims() != 2 {
		if x2, err = G.Reshape(x, tensor.Shape{rows, d}); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	h, err := backend.MatMul(x2, k, false, false)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s: x·kernel", l.name)
	}
	if l.useBias {
		b, err := s.Param(l.bias)
		if err != nil {
			return nil, err
		}
		if err := addPenalty(s, l.name, "bias_regularizer", l.biasReg, b); err != nil {
			return nil, err
		}
		if h, err = backend.BiasAdd(h, b); err != nil {
			return nil, errors.Wrapf(err, "layers: %s: +bias", l.name)
		}
	}
	if x.Dims() != 2 {
		shape[len(shape)-1] = l.units
		if h, err = G.Reshape(h, shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	out, err := applyActivation(s, l.name, l.activation, h)
	if err != nil {
		return nil, err
	}
	if err := addPenalty(s, l.name, "activity_regularizer", l.actReg, out); err != nil {
		return nil, err
	}
	return out, nil
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
	Units             int                 `json:"units"`
	Activation        activations.Config  `json:"activation"`
	UseBias           bool                `json:"use_bias"`
	KernelInitializer initializers.Config `json:"kernel_initializer"`
	BiasInitializer   initializers.Config `json:"bias_initializer"`
	// The regularizers and constraints are nil when not set.
	KernelRegularizer   *regularizers.Config `json:"kernel_regularizer,omitempty"`
	BiasRegularizer     *regularizers.Config `json:"bias_regularizer,omitempty"`
	ActivityRegularizer *regularizers.Config `json:"activity_regularizer,omitempty"`
	KernelConstraint    *constraints.Config  `json:"kernel_constraint,omitempty"`
	BiasConstraint      *constraints.Config  `json:"bias_constraint,omitempty"`
}

// Config returns the layer's configuration.
func (l *DenseLayer) Config() interface{} {
	return DenseConfig{
		BaseConfig:        l.baseConfig(),
		Units:             l.units,
		Activation:        activations.ConfigOf(l.activation),
		UseBias:           l.useBias,
		KernelInitializer: initializers.ConfigOf(l.kernelInit),
		BiasInitializer:   initializers.ConfigOf(l.biasInit),

		KernelRegularizer:   regularizerConfig(l.kernelReg),
		BiasRegularizer:     regularizerConfig(l.biasReg),
		ActivityRegularizer: regularizerConfig(l.actReg),
		KernelConstraint:    constraintConfig(l.kernelCon),
		BiasConstraint:      constraintConfig(l.biasCon),
	}
}

func init() {
	registry["Dense"] = func(raw json.RawMessage) (Layer, error) {
		var c DenseConfig
		if err := decode("Dense", raw, &c); err != nil {
			return nil, err
		}
		act, err := activations.FromConfig(c.Activation)
		if err != nil {
			return nil, err
		}
		ki, err := initializers.FromConfig(c.KernelInitializer)
		if err != nil {
			return nil, err
		}
		bi, err := initializers.FromConfig(c.BiasInitializer)
		if err != nil {
			return nil, err
		}
		opts := append(c.BaseConfig.options(), activationOption{act}, UseBias(c.UseBias), KernelInitializer(ki), BiasInitializer(bi))
		more, err := penaltyOptions(c.KernelRegularizer, c.BiasRegularizer, c.ActivityRegularizer, c.KernelConstraint, c.BiasConstraint)
		if err != nil {
			return nil, err
		}
		return Dense(c.Units, append(opts, more...)...), nil
	}
}
