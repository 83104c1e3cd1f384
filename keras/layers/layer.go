package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// Layer is one step of a model.
type Layer interface {
	// Name returns the layer's name, unique within its model ("dense_1").
	// It is empty until the model names the layer.
	Name() string
	// SetName renames the layer; models call it for unnamed layers.
	SetName(name string)
	// ClassName returns the Keras class name ("Dense").
	ClassName() string
	// DeclaredInputShape returns the input shape given with InputShape or
	// Input, or nil.
	DeclaredInputShape() []int
	// Build validates the layer's options, creates its weights for one
	// sample's input shape and returns one sample's output shape. A layer
	// is built once; Build on a built layer checks the shape.
	Build(ctx *BuildContext, inputShape []int) ([]int, error)
	// Forward adds the layer's computation of x (batch, inputShape...) to
	// s's graph.
	Forward(s *backend.Scope, x *G.Node) (*G.Node, error)
	// Variables returns the layer's weights in Keras's order (Dense:
	// kernel, bias).
	Variables() []*backend.Variable
	// Config returns the layer's serialisable configuration.
	Config() interface{}
}

// BuildContext carries what layers need to create weights.
type BuildContext struct {
	// Dtype is the model's element type (tensor.Float32 by default).
	Dtype tensor.Dtype
	// Rand is the model's initialisation stream, seeded from its seed.
	Rand *rand.Rand
	// MaxParams, when > 0, bounds the number of values NewVariable may
	// allocate in total: loading a saved model sets it to the number of
	// values in the file, so that a damaged configuration fails with an
	// error instead of exhausting memory.
	MaxParams int

	params int
}

// NewVariable creates a weight named "<layer>/<name>" of the context's
// dtype and fills it from init.
func (c *BuildContext) NewVariable(layer, name string, shape []int, init initializers.Initializer, trainable bool) (*backend.Variable, error) {
	if c.MaxParams > 0 {
		n := 1
		for _, d := range shape {
			if d < 1 {
				break // NewVariable reports the invalid shape
			}
			if n > c.MaxParams/d {
				n = c.MaxParams + 1
				break
			}
			n *= d
		}
		if n > c.MaxParams-c.params {
			return nil, errors.Errorf("layers: %s: %s of shape %v takes the model past %d values", layer, name, shape, c.MaxParams)
		}
		c.params += n
	}
	if sc, ok := init.(initializers.ShapeChecker); ok {
		if err := sc.CheckShape(shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s: %s", layer, name)
		}
	}
	v, err := backend.NewVariable(layer+"/"+name, c.Dtype, shape, trainable)
	if err != nil {
		return nil, err
	}
	if err := v.SetFloat64s(init.Init(c.Rand, shape)); err != nil {
		return nil, errors.Wrapf(err, "layers: %s: initialising %s with %s", layer, name, init.Name())
	}
	return v, nil
}

// Base holds what every layer shares: its name, declared input shape,
// weights, built state and the options it was given. Custom layers embed
// it.
type Base struct {
	name       string
	inputShape []int
	inShape    []int
	outShape   []int
	vars       []*backend.Variable
	opts       options
	err        error
}

// Name returns the layer's name.
func (b *Base) Name() string { return b.name }

// SetName renames the layer.
func (b *Base) SetName(name string) { b.name = name }

// DeclaredInputShape returns the input shape given with InputShape, or nil.
func (b *Base) DeclaredInputShape() []int { return b.inputShape }

// Variables returns the layer's weights.
func (b *Base) Variables() []*backend.Variable { return b.vars }

// Built reports whether Build has created the layer's weights.
func (b *Base) Built() bool { return b.outShape != nil }

// InputShape returns one sample's input shape once built.
func (b *Base) InputShape() []int { return b.inShape }

// OutputShape returns one sample's output shape once built.
func (b *Base) OutputShape() []int { return b.outShape }

// Init applies options, keeping the first error for Build to report.
// allowed lists the Keras keywords of the options the layer accepts beyond
// name and input_shape, which every layer accepts.
func (b *Base) Init(class string, opts []Option, allowed ...string) {
	for _, o := range opts {
		if o == nil {
			continue
		}
		o.apply(&b.opts)
	}
	b.name = b.opts.name
	b.inputShape = b.opts.inputShape
	allowed = append(allowed, "name", "input_shape")
	for _, kw := range b.opts.given {
		if !contains(allowed, kw) {
			b.Fail(errors.Errorf("layers: %s has no option %s (it has: %s)", class, kw, strings.Join(allowed, ", ")))
		}
	}
	if b.opts.err != nil {
		b.Fail(b.opts.err)
	}
	for _, d := range b.inputShape {
		if d < 1 {
			b.Fail(errors.Errorf("layers: %s: input_shape %v has a dimension < 1", class, b.inputShape))
		}
	}
}

// Fail records err (the first one wins) for Build to report.
func (b *Base) Fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Err returns the first recorded error, or nil.
func (b *Base) Err() error { return b.err }

// StartBuild returns the recorded error, wrapped with the layer's name,
// or, for a built layer, checks that the input shape is unchanged. It
// reports done=true when the layer is already built.
func (b *Base) StartBuild(inputShape []int) (done bool, err error) {
	if b.err != nil {
		return false, errors.Wrapf(b.err, "layer %s", b.name)
	}
	if b.outShape != nil {
		if !sameInts(b.inShape, inputShape) {
			return false, errors.Errorf("layers: layer %s was built for input %v, now given %v", b.name, ShapeString(b.inShape), ShapeString(inputShape))
		}
		return true, nil
	}
	return false, nil
}

// FinishBuild records the built shapes and weights.
func (b *Base) FinishBuild(in, out []int, vars ...*backend.Variable) []int {
	b.inShape = append([]int(nil), in...)
	b.outShape = append([]int(nil), out...)
	b.vars = vars
	return b.outShape
}

// Option configures a layer. The same options serve every layer, named
// like Keras's keyword arguments; a layer reports at build time any option
// it does not have.
type Option interface {
	apply(*options)
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	given      []string
	err        error
	name       string
	inputShape []int
	activation activations.Activation
	useBias    *bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	seed       *int64
	kernelReg  regularizers.Regularizer
	biasReg    regularizers.Regularizer
	actReg     regularizers.Regularizer
	kernelCon  constraints.Constraint
	biasCon    constraints.Constraint
}

func (o *options) mark(kw string) {
	if !contains(o.given, kw) {
		o.given = append(o.given, kw)
	}
}

func (o *options) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Name sets the layer's name (Keras: name). Names must be unique within a
// model; unnamed layers are named after their class (dense, dense_1, ...).
func Name(name string) Option {
	return optionFunc(func(o *options) { o.mark("name"); o.name = name })
}

// InputShape declares one sample's input shape, without the batch axis
// (Keras: input_shape). Give it to a model's first layer.
func InputShape(dims ...int) Option {
	return optionFunc(func(o *options) {
		o.mark("input_shape")
		o.inputShape = append([]int(nil), dims...)
		if len(dims) == 0 {
			o.fail(errors.New("layers: InputShape needs at least one dimension"))
		}
	})
}

// UseBias says whether the layer adds a bias vector (Keras: use_bias;
// default true).
func UseBias(b bool) Option {
	return optionFunc(func(o *options) { o.mark("use_bias"); o.useBias = &b })
}

// KernelInitializer sets how the kernel is initialised: a Keras name
// ("glorot_uniform", the default) or an initializers.Initializer (Keras:
// kernel_initializer).
func KernelInitializer(init interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("kernel_initializer")
		i, err := initializers.Resolve(init)
		if err != nil {
			o.fail(errors.Wrap(err, "layers: kernel_initializer"))
		}
		o.kernelInit = i
	})
}

// BiasInitializer sets how the bias is initialised: a Keras name ("zeros",
// the default) or an initializers.Initializer (Keras: bias_initializer).
func BiasInitializer(init interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("bias_initializer")
		i, err := initializers.Resolve(init)
		if err != nil {
			o.fail(errors.Wrap(err, "layers: bias_initializer"))
		}
		o.biasInit = i
	})
}

// KernelRegularizer adds a penalty on the kernel to the model's loss: a
// Keras name ("l1", "l2", "l1_l2", with factor 0.01) or a
// regularizers.Regularizer (Keras: kernel_regularizer; default none). The
// penalty is part of the loss Fit and Evaluate report, as in Keras.
func KernelRegularizer(r interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("kernel_regularizer")
		o.kernelReg = resolveRegularizer(o, "kernel_regularizer", r)
	})
}

// BiasRegularizer adds a penalty on the bias to the model's loss (Keras:
// bias_regularizer; default none). See KernelRegularizer.
func BiasRegularizer(r interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("bias_regularizer")
		o.biasReg = resolveRegularizer(o, "bias_regularizer", r)
	})
}

// ActivityRegularizer adds a penalty on the layer's output (after its
// activation, summed over the whole batch as in Keras 3) to the model's
// loss (Keras: activity_regularizer; default none). See
// KernelRegularizer.
func ActivityRegularizer(r interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("activity_regularizer")
		o.actReg = resolveRegularizer(o, "activity_regularizer", r)
	})
}

func resolveRegularizer(o *options, kw string, r interface{}) regularizers.Regularizer {
	reg, err := regularizers.Resolve(r)
	if err != nil {
		o.fail(errors.Wrap(err, "layers: "+kw))
	}
	return reg
}

// KernelConstraint projects the kernel after every optimizer update: a
// Keras name ("max_norm", "non_neg", "unit_norm", "min_max_norm", with
// their defaults) or a constraints.Constraint (Keras: kernel_constraint;
// default none).
func KernelConstraint(c interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("kernel_constraint")
		o.kernelCon = resolveConstraint(o, "kernel_constraint", c)
	})
}

// BiasConstraint projects the bias after every optimizer update (Keras:
// bias_constraint; default none). See KernelConstraint.
func BiasConstraint(c interface{}) Option {
	return optionFunc(func(o *options) {
		o.mark("bias_constraint")
		o.biasCon = resolveConstraint(o, "bias_constraint", c)
	})
}

func resolveConstraint(o *options, kw string, c interface{}) constraints.Constraint {
	con, err := constraints.Resolve(c)
	if err != nil {
		o.fail(errors.Wrap(err, "layers: "+kw))
	}
	return con
}

// attachConstraint checks that c fits v's shape and attaches it.
func attachConstraint(layer, kw string, v *backend.Variable, c constraints.Constraint) error {
	if c == nil {
		return nil
	}
	if err := c.CheckShape(v.Shape()); err != nil {
		return errors.Wrapf(err, "layers: %s: %s", layer, kw)
	}
	v.SetConstraint(c)
	return nil
}

// addPenalty adds r's penalty of x to the loss of train and eval graphs.
func addPenalty(s *backend.Scope, layer, kw string, r regularizers.Regularizer, x *G.Node) error {
	if r == nil || s.Mode() == backend.Predict {
		return nil
	}
	p, err := r.Penalty(x)
	if err != nil {
		return errors.Wrapf(err, "layers: %s: %s", layer, kw)
	}
	return s.AddLoss(p)
}

// Seed fixes the random stream of a layer that draws random numbers while
// training (Dropout). By default the stream comes from the model's seed.
func Seed(seed int64) Option {
	return optionFunc(func(o *options) { o.mark("seed"); o.seed = &seed })
}

// ShapeString formats one sample's shape the way Keras prints it, with the
// batch axis as None: (None, 28, 28).
func ShapeString(shape []int) string {
	parts := []string{"None"}
	for _, d := range shape {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Stateful is implemented by layers that keep state outside their weights
// which decides what training does next, such as the random stream of a
// Dropout layer given its own Seed. Saved models store this state so that
// training resumes exactly where it stopped.
type Stateful interface {
	// LayerState returns a snapshot of the state.
	LayerState() ([]byte, error)
	// SetLayerState restores a snapshot taken by LayerState. On error
	// nothing changes.
	SetLayerState(state []byte) error
}

// Factory rebuilds a layer from its JSON configuration.
type Factory func(config json.RawMessage) (Layer, error)

var registry = map[string]Factory{}

// Register makes a layer class available to FromConfig (for user-defined
// layers, so that saved models using them can be loaded). It returns an
// error if the class name is taken.
func Register(className string, f Factory) error {
	if _, ok := registry[className]; ok {
		return errors.Errorf("layers: class %q is already registered", className)
	}
	registry[className] = f
	return nil
}

// Names returns the registered layer class names, sorted.
func Names() []string {
	known := make([]string, 0, len(registry))
	for k := range registry {
		known = append(known, k)
	}
	sort.Strings(known)
	return known
}

// FromConfig rebuilds a layer of the given class from its JSON
// configuration (the JSON form of its Config()).
func FromConfig(className string, config json.RawMessage) (Layer, error) {
	f, ok := registry[className]
	if !ok {
		return nil, errors.Errorf("layers: unknown layer type %s: register it with layers.Register (known: %s)", className, strings.Join(Names(), ", "))
	}
	return f(config)
}

// BaseConfig holds the configuration every layer shares.
type BaseConfig struct {
	Name       string `json:"name"`
	InputShape []int  `json:"input_shape,omitempty"`
}

func (b *Base) baseConfig() BaseConfig {
	return BaseConfig{Name: b.name, InputShape: b.inputShape}
}

func (c BaseConfig) options() []Option {
	opts := []Option{Name(c.Name)}
	if len(c.InputShape) > 0 {
		opts = append(opts, InputShape(c.InputShape...))
	}
	return opts
}

func decode(class string, raw json.RawMessage, into interface{}) error {
	if err := json.Unmarshal(raw, into); err != nil {
		return errors.Wrapf(err, "layers: %s config", class)
	}
	return nil
}
