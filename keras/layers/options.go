package layers

import (
	"fmt"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// Options are named like Keras's keyword arguments and checked by the
// compiler: each layer constructor takes its own option type (DenseOption,
// DropoutOption, ...), and an option several layers take (Activation,
// UseBias, KernelInitializer, Seed, ...) is a type that implements each of
// their option interfaces. Layers whose only options are the ones every
// layer takes accept Common directly.
//
// A constructor never fails: an invalid value (an unknown initializer
// name, a negative rate) is kept and reported, with the layer's name,
// when the model is built.

// Common is an option every layer takes: Name, InputShape, Trainable,
// ActivityRegularizer. It satisfies every built-in layer's option
// interface. A user-defined layer applies it to its Base with ApplyTo (see
// the package example).
type Common struct {
	kw    string
	apply func(*Base)
}

// ApplyTo applies the option to b. A zero Common records an error.
func (c Common) ApplyTo(b *Base) {
	if c.apply == nil {
		b.Fail(errors.Wrap(kerrors.ErrNil, "layers: a zero Common option"))
		return
	}
	c.apply(b)
}

// Keyword returns the Keras keyword of the option ("name").
func (c Common) Keyword() string { return c.kw }

// Name sets the layer's name (Keras: name). Names must be unique within a
// model; unnamed layers are named after their class as Keras names them
// (dense, dense_1, conv2d, max_pooling2d, ...).
func Name(name string) Common {
	return Common{"name", func(b *Base) { b.SetName(name) }}
}

// InputShape declares one sample's input shape, without the batch axis
// (Keras: input_shape); -1 is a dimension of any size (Keras's None).
// Give it to a Sequential model's first layer.
func InputShape(dims ...int) Common {
	dims = append([]int(nil), dims...)
	return Common{"input_shape", func(b *Base) {
		if len(dims) == 0 {
			b.Fail(&kerrors.OptionError{Call: b.class, Option: "input_shape", Value: "()", Msg: "needs at least one dimension"})
			return
		}
		for _, d := range dims {
			if d < 1 && d != -1 {
				b.Fail(&kerrors.OptionError{Call: b.class, Option: "input_shape", Value: fmt.Sprint(dims), Msg: "dimensions must be >= 1, or -1 for any size"})
				return
			}
		}
		b.inputShape = dims
	}}
}

// Trainable freezes the layer when false (Keras: trainable; default
// true): optimizers leave its weights alone.
func Trainable(on bool) Common {
	return Common{"trainable", func(b *Base) { b.trainable = on }}
}

// ActivityRegularizer adds a penalty on the layer's output to the model's
// loss in training and evaluation (Keras: activity_regularizer; default
// none): a Keras name ("l1", "l2", "l1_l2", factor 0.01) or a
// regularizers.Regularizer. As in Keras 3 since 3.14 (keras-team/keras
// pull request 22021), the penalty is divided by the batch size, so its
// strength does not depend on it.
func ActivityRegularizer(r any) Common {
	reg, err := regularizers.Resolve(r)
	return Common{"activity_regularizer", func(b *Base) {
		if err != nil {
			b.Fail(errors.Wrap(err, "layers: activity_regularizer"))
			return
		}
		b.actReg = reg
	}}
}

// kernelBias holds the options of layers with a kernel and a bias (Dense,
// the convolutions, the recurrent layers).
type kernelBias struct {
	useBias    bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	kernelReg  regularizers.Regularizer
	biasReg    regularizers.Regularizer
	kernelCon  constraints.Constraint
	biasCon    constraints.Constraint
	err        error
}

func defaultKernelBias() kernelBias {
	return kernelBias{useBias: true, kernelInit: initializers.GlorotUniform(), biasInit: initializers.Zeros()}
}

// kernelSpec and biasSpec are the WeightSpecs the options describe.
func (k *kernelBias) kernelSpec() WeightSpec {
	return WeightSpec{Initializer: k.kernelInit, Regularizer: k.kernelReg, Constraint: k.kernelCon}
}

func (k *kernelBias) biasSpec() WeightSpec {
	return WeightSpec{Initializer: k.biasInit, Regularizer: k.biasReg, Constraint: k.biasCon}
}

// WeightOption is an option about a layer's kernel and bias (UseBias,
// KernelInitializer, BiasInitializer, KernelRegularizer, BiasRegularizer,
// KernelConstraint, BiasConstraint). Dense, the convolutional and the
// recurrent layers take it.
type WeightOption struct {
	kw  string
	set func(*kernelBias) error
}

func (o WeightOption) applyTo(k *kernelBias) {
	if o.set == nil {
		o.set = func(*kernelBias) error { return errors.Wrap(kerrors.ErrNil, "layers: a zero WeightOption") }
	}
	if err := o.set(k); err != nil && k.err == nil {
		k.err = errors.Wrap(err, "layers: "+o.kw)
	}
}

// UseBias says whether the layer adds a bias vector (Keras: use_bias;
// default true).
func UseBias(on bool) WeightOption {
	return WeightOption{"use_bias", func(k *kernelBias) error { k.useBias = on; return nil }}
}

// KernelInitializer sets how the kernel is initialised (Keras:
// kernel_initializer; default "glorot_uniform"): a Keras name or an
// initializers.Initializer; any other type is an error.
func KernelInitializer(init any) WeightOption {
	return WeightOption{"kernel_initializer", func(k *kernelBias) error {
		i, err := initializers.Resolve(init)
		k.kernelInit = i
		return err
	}}
}

// BiasInitializer sets how the bias is initialised (Keras:
// bias_initializer; default "zeros"): a Keras name or an
// initializers.Initializer.
func BiasInitializer(init any) WeightOption {
	return WeightOption{"bias_initializer", func(k *kernelBias) error {
		i, err := initializers.Resolve(init)
		k.biasInit = i
		return err
	}}
}

// KernelRegularizer adds a penalty on the kernel to the model's loss
// (Keras: kernel_regularizer; default none): a Keras name ("l1", "l2",
// "l1_l2", factor 0.01) or a regularizers.Regularizer. The penalty is part
// of the loss Fit and Evaluate report, as in Keras.
func KernelRegularizer(r any) WeightOption {
	return WeightOption{"kernel_regularizer", func(k *kernelBias) error {
		reg, err := regularizers.Resolve(r)
		k.kernelReg = reg
		return err
	}}
}

// BiasRegularizer adds a penalty on the bias to the model's loss (Keras:
// bias_regularizer; default none). See KernelRegularizer.
func BiasRegularizer(r any) WeightOption {
	return WeightOption{"bias_regularizer", func(k *kernelBias) error {
		reg, err := regularizers.Resolve(r)
		k.biasReg = reg
		return err
	}}
}

// KernelConstraint projects the kernel after every optimizer update
// (Keras: kernel_constraint; default none): a Keras name ("max_norm",
// "non_neg", "unit_norm", "min_max_norm", with their defaults) or a
// constraints.Constraint.
func KernelConstraint(c any) WeightOption {
	return WeightOption{"kernel_constraint", func(k *kernelBias) error {
		con, err := constraints.Resolve(c)
		k.kernelCon = con
		return err
	}}
}

// BiasConstraint projects the bias after every optimizer update (Keras:
// bias_constraint; default none). See KernelConstraint.
func BiasConstraint(c any) WeightOption {
	return WeightOption{"bias_constraint", func(k *kernelBias) error {
		con, err := constraints.Resolve(c)
		k.biasCon = con
		return err
	}}
}

// kernelBiasConfig is the serialisable form of kernelBias.
type kernelBiasConfig struct {
	UseBias           bool                 `json:"use_bias"`
	KernelInitializer initializers.Config  `json:"kernel_initializer"`
	BiasInitializer   initializers.Config  `json:"bias_initializer"`
	KernelRegularizer *regularizers.Config `json:"kernel_regularizer,omitempty"`
	BiasRegularizer   *regularizers.Config `json:"bias_regularizer,omitempty"`
	KernelConstraint  *constraints.Config  `json:"kernel_constraint,omitempty"`
	BiasConstraint    *constraints.Config  `json:"bias_constraint,omitempty"`
}

func (k *kernelBias) config() kernelBiasConfig {
	return kernelBiasConfig{
		UseBias:           k.useBias,
		KernelInitializer: initializers.ConfigOf(k.kernelInit),
		BiasInitializer:   initializers.ConfigOf(k.biasInit),
		KernelRegularizer: regularizerConfig(k.kernelReg),
		BiasRegularizer:   regularizerConfig(k.biasReg),
		KernelConstraint:  constraintConfig(k.kernelCon),
		BiasConstraint:    constraintConfig(k.biasCon),
	}
}

// options rebuilds the options of a kernelBiasConfig.
func (c kernelBiasConfig) options() ([]WeightOption, error) {
	ki, err := initializers.FromConfig(c.KernelInitializer)
	if err != nil {
		return nil, errors.Wrap(err, "kernel_initializer")
	}
	bi, err := initializers.FromConfig(c.BiasInitializer)
	if err != nil {
		return nil, errors.Wrap(err, "bias_initializer")
	}
	opts := []WeightOption{UseBias(c.UseBias), KernelInitializer(ki), BiasInitializer(bi)}
	return appendPenalties(opts,
		[]penaltyConfig[WeightOption]{
			{c.KernelRegularizer, nil, KernelRegularizer, "kernel_regularizer"},
			{c.BiasRegularizer, nil, BiasRegularizer, "bias_regularizer"},
			{nil, c.KernelConstraint, KernelConstraint, "kernel_constraint"},
			{nil, c.BiasConstraint, BiasConstraint, "bias_constraint"},
		})
}

// penaltyConfig is one saved regularizer or constraint setting of a
// layer (reg or con is set, or neither when the layer had none), with
// the option that applies it and its Keras key for errors.
type penaltyConfig[O any] struct {
	reg  *regularizers.Config
	con  *constraints.Config
	make func(any) O
	key  string
}

// appendPenalties rebuilds the regularizers and constraints of saved
// layer configurations and appends their options to opts.
func appendPenalties[O any](opts []O, ps []penaltyConfig[O]) ([]O, error) {
	for _, p := range ps {
		var v any
		var err error
		switch {
		case p.reg != nil:
			v, err = regularizers.FromConfig(*p.reg)
		case p.con != nil:
			v, err = constraints.FromConfig(*p.con)
		default:
			continue
		}
		if err != nil {
			return nil, errors.Wrap(err, p.key)
		}
		opts = append(opts, p.make(v))
	}
	return opts, nil
}

// SeedOption fixes the random stream of a layer that draws random numbers
// while training (Dropout, and the noise layers). Without it the stream
// comes from the model's seed.
type SeedOption struct{ seed int64 }

// Seed fixes a layer's own random stream (Keras: seed).
func Seed(seed int64) SeedOption { return SeedOption{seed} }

// nilOption is the error for a nil option.
// applyOptions applies each of a constructor's options with apply; a nil
// option fails the layer (an ErrNil error when it is built) instead of
// panicking.
func applyOptions[O any](l interface{ Fail(error) }, class string, opts []O, apply func(O)) {
	for _, o := range opts {
		if any(o) == nil {
			l.Fail(nilOption(class))
			continue
		}
		apply(o)
	}
}

func nilOption(class string) error {
	return errors.Wrapf(kerrors.ErrNil, "layers: %s: nil option", class)
}

func itoa(n int) string { return fmt.Sprint(n) }
