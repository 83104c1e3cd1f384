package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// Layer is one step of a model. Implementations embed Base, which provides
// every method but the four a layer defines for itself: ClassName, Build,
// Forward and Config.
type Layer interface {
	// ClassName returns the Keras class name ("Dense").
	ClassName() string
	// Build checks the layer's options against one sample's input shape
	// (without the batch axis; -1 for a dimension of any size), declares
	// its weights with Base.AddWeight and returns one sample's output
	// shape. It is called once; Base.StartBuild handles the repeats.
	Build(ctx *BuildContext, inputShape []int) ([]int, error)
	// Forward adds the layer's computation of x, (batch, input shape...)
	// with every dimension known, to s's graph. Weight penalties,
	// constraints and activity regularisation are applied by the model;
	// Forward is only the computation.
	Forward(s *backend.Scope, x *G.Node) (*G.Node, error)
	// Config returns the layer's serialisable configuration: a struct
	// that embeds BaseConfig and marshals to JSON.
	Config() any

	// Name returns the layer's name, unique within its model ("dense_1").
	// It is empty until the layer is given one or a model names it.
	Name() string
	// SetName renames the layer (and its weights).
	SetName(name string)
	// Variables returns the layer's weights in Keras's order (Dense:
	// kernel, bias).
	Variables() []*backend.Variable
	// DeclaredInputShape returns the input shape given with InputShape,
	// or nil.
	DeclaredInputShape() []int
	// LayerBase returns the embedded Base.
	LayerBase() *Base
}

// MultiLayer is a layer with several inputs or several outputs: the merge
// layers (Add, Concatenate, ...), recurrent layers returning their states,
// models used as layers. Models call BuildMulti and ForwardMulti instead
// of Build and Forward when a layer implements it.
type MultiLayer interface {
	Layer
	// BuildMulti is Build for a list of inputs; it returns one shape per
	// output.
	BuildMulti(ctx *BuildContext, inputShapes [][]int) ([][]int, error)
	// ForwardMulti is Forward for a list of inputs; it returns one node per
	// output.
	ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error)
}

// Check returns an error wrapping kerrors.ErrNil for a nil layer, a typed
// nil pointer, or a layer not made by its constructor (Init not called).
func Check(l Layer) error {
	if l == nil {
		return errors.Wrap(kerrors.ErrNil, "layers: nil layer")
	}
	if v := reflect.ValueOf(l); v.Kind() == reflect.Pointer && v.IsNil() {
		return errors.Wrapf(kerrors.ErrNil, "layers: nil %T", l)
	}
	if b := l.LayerBase(); b == nil || b.self == nil {
		return errors.Wrapf(kerrors.ErrNil, "layers: %T was not made by its constructor (Init was not called)", l)
	}
	return nil
}

// BuildContext carries what Build needs beyond the input shape. Models
// make one; tests of a single layer can use a zero BuildContext.
type BuildContext struct {
	// MaxParams, when > 0, bounds the number of values the weights
	// declared through this context may hold in total: loading a saved
	// model sets it from the file, so that a damaged configuration fails
	// with an error instead of exhausting memory.
	MaxParams int

	params int
}

// claim counts n more values against MaxParams.
func (c *BuildContext) claim(layer, name string, shape []int, n int) error {
	if c == nil || c.MaxParams <= 0 {
		return nil
	}
	if n > c.MaxParams-c.params {
		return errors.Wrapf(kerrors.ErrTooLarge, "layers: %s: %s of shape %v takes the model past %d values", layer, name, shape, c.MaxParams)
	}
	c.params += n
	return nil
}

// WeightSpec says how a weight is made, regularised and constrained (the
// arguments of Keras's add_weight). The zero value is a trainable weight
// initialised with glorot_uniform, without regularizer or constraint.
type WeightSpec struct {
	// Initializer fills the weight when the model is built (default
	// glorot_uniform, as Keras's add_weight).
	Initializer initializers.Initializer
	// Regularizer adds a penalty on the weight to the model's loss in
	// training and evaluation (default none).
	Regularizer regularizers.Regularizer
	// Constraint projects the weight after every optimizer update
	// (default none).
	Constraint constraints.Constraint
	// NonTrainable makes the weight state that optimizers do not update
	// (BatchNormalization's moving statistics); default trainable.
	NonTrainable bool
}

// Base holds what every layer shares: its name, declared input shape,
// weights and their policy, built state, the options every layer takes
// and the nodes it was applied at. Layers embed it.
type Base struct {
	self       Layer
	class      string
	name       string
	inputShape []int
	trainable  bool
	actReg     regularizers.Regularizer
	masking    bool

	built     bool
	inShapes  [][]int
	outShapes [][]int
	vars      []*backend.Variable
	specs     []WeightSpec
	local     []string // each weight's name within the layer
	err       error
	nodes     []*Node
}

// Init records the layer and its class and applies the options every layer
// takes. Constructors call it first, with the layer itself:
//
//	l := &DenseLayer{units: units}
//	l.Init(l, "Dense", common...)
//
// where common are the Common options among the constructor's options.
func (b *Base) Init(self Layer, class string, common ...Common) {
	b.self, b.class, b.trainable = self, class, true
	for _, c := range common {
		c.ApplyTo(b)
	}
}

// LayerBase returns b.
func (b *Base) LayerBase() *Base { return b }

// Self returns the layer that embeds b (set by Init).
func (b *Base) Self() Layer { return b.self }

// Name returns the layer's name.
func (b *Base) Name() string { return b.name }

// SetName renames the layer and its weights ("<layer>/<weight>").
func (b *Base) SetName(name string) {
	b.name = name
	for i, v := range b.vars {
		v.SetName(name + "/" + b.local[i])
	}
}

// DeclaredInputShape returns the input shape given with InputShape, or nil.
func (b *Base) DeclaredInputShape() []int { return b.inputShape }

// Variables returns the layer's weights in the order they were added.
func (b *Base) Variables() []*backend.Variable { return b.vars }

// WeightNames returns each weight's name within the layer ("kernel",
// "bias"), in the order of Variables.
func (b *Base) WeightNames() []string { return append([]string(nil), b.local...) }

// WeightSpecs returns how each weight is initialised, regularised and
// constrained, in the order of Variables.
func (b *Base) WeightSpecs() []WeightSpec { return b.specs }

// Built reports whether Build has run.
func (b *Base) Built() bool { return b.built }

// InputShape returns one sample's (first) input shape once built.
func (b *Base) InputShape() []int {
	if len(b.inShapes) == 0 {
		return nil
	}
	return b.inShapes[0]
}

// OutputShape returns one sample's (first) output shape once built.
func (b *Base) OutputShape() []int {
	if len(b.outShapes) == 0 {
		return nil
	}
	return b.outShapes[0]
}

// InputShapes returns every input's shape once built.
func (b *Base) InputShapes() [][]int { return b.inShapes }

// OutputShapes returns every output's shape once built.
func (b *Base) OutputShapes() [][]int { return b.outShapes }

// Trainable reports whether the optimizers update the layer's trainable
// weights (Keras: layer.trainable; default true).
func (b *Base) Trainable() bool { return b.trainable }

// SetTrainable freezes (false) or unfreezes the layer's weights (Keras:
// layer.trainable = False). Weights declared non-trainable stay so.
// Compile the model again afterwards, as in Keras.
func (b *Base) SetTrainable(on bool) {
	b.trainable = on
	for i, v := range b.vars {
		v.SetTrainable(on && !b.specs[i].NonTrainable)
	}
}

// ActivityRegularizer returns the regularizer applied to the layer's
// output (nil when none).
func (b *Base) ActivityRegularizer() regularizers.Regularizer { return b.actReg }

// SupportsMasking reports whether the layer passes its input's mask on
// to its output unchanged (Keras: supports_masking): element-wise layers
// such as Dense, Dropout and Activation do.
func (b *Base) SupportsMasking() bool { return b.masking }

// SetSupportsMasking declares whether the layer passes masks through.
func (b *Base) SetSupportsMasking(on bool) { b.masking = on }

// Fail records err (the first one wins) for Build to report: a
// constructor never fails, it keeps the first invalid argument.
func (b *Base) Fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Err returns the first recorded error, or nil.
func (b *Base) Err() error { return b.err }

// StartBuild returns the error recorded by the constructor, wrapped with
// the layer's name, or, for a built layer, checks that the input shape is
// unchanged. It reports done=true when the layer is already built.
func (b *Base) StartBuild(inputShape []int) (done bool, err error) {
	return b.StartBuildMulti([][]int{inputShape})
}

// StartBuildMulti is StartBuild for layers with several inputs.
func (b *Base) StartBuildMulti(inputShapes [][]int) (done bool, err error) {
	if b.err != nil {
		return false, errors.Wrapf(b.err, "layer %s", b.name)
	}
	if b.built {
		if !sameShapes(b.inShapes, inputShapes) {
			return false, &kerrors.ShapeError{Where: "layers: " + b.name, Arg: "input",
				Got: withBatch(first(inputShapes)), Want: withBatch(first(b.inShapes)),
				Msg: "the layer was built for another input shape (a layer shared between models must get the same shapes)"}
		}
		return true, nil
	}
	return false, nil
}

// FinishBuild records the built shapes. Build returns its result.
func (b *Base) FinishBuild(in, out []int) []int {
	return b.FinishBuildMulti([][]int{in}, [][]int{out})[0]
}

// FinishBuildMulti is FinishBuild for layers with several inputs or
// outputs.
func (b *Base) FinishBuildMulti(in, out [][]int) [][]int {
	b.inShapes = cloneShapes(in)
	b.outShapes = cloneShapes(out)
	b.built = true
	return cloneShapes(out)
}

// AddWeight declares a weight of the layer (Keras: add_weight): it is
// named "<layer>/<name>", allocated and initialised by the model (in the
// model's dtype, from the model's seed, in the order the weights were
// added), and the model applies its regularizer and constraint. Call it
// from Build.
func (b *Base) AddWeight(ctx *BuildContext, name string, shape []int, spec WeightSpec) (*backend.Variable, error) {
	if spec.Initializer == nil {
		spec.Initializer = initializers.GlorotUniform()
	}
	for _, d := range shape {
		if d < 1 {
			return nil, &kerrors.ShapeError{Where: "layers: " + b.name, Arg: name, Got: shape,
				Msg: "every dimension of a weight must be known and >= 1"}
		}
	}
	v, err := backend.DeclareVariable(b.name+"/"+name, shape, !spec.NonTrainable && b.trainable)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", b.name)
	}
	if err := ctx.claim(b.name, name, shape, v.Size()); err != nil {
		return nil, err
	}
	if sc, ok := spec.Initializer.(initializers.ShapeChecker); ok {
		if err := sc.CheckShape(shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s: %s", b.name, name)
		}
	}
	if spec.Constraint != nil {
		if err := spec.Constraint.CheckShape(shape); err != nil {
			return nil, errors.Wrapf(err, "layers: %s: %s constraint", b.name, name)
		}
		v.SetConstraint(spec.Constraint)
	}
	if spec.Regularizer != nil {
		v.SetRegularizer(penalty{spec.Regularizer})
	}
	b.vars = append(b.vars, v)
	b.specs = append(b.specs, spec)
	b.local = append(b.local, name)
	return v, nil
}

// penalty adapts a regularizer to backend.Regularizer.
type penalty struct{ r regularizers.Regularizer }

func (p penalty) Penalty(x *G.Node) (*G.Node, error) { return p.r.Penalty(x) }

// InitWeights allocates and initialises, in dtype dt and from rng, every
// weight of the layer that has no values yet, in the order they were
// added. Models call it for each layer in order; call it yourself to use
// a layer outside a model.
func (b *Base) InitWeights(dt tensor.Dtype, rng *rand.Rand) error {
	for i, v := range b.vars {
		if v.Materialized() {
			if v.Dtype() != dt {
				return errors.Errorf("layers: %s: weight %s is %v (the layer is used by a %v model) and cannot be %v", b.name, b.local[i], v.Dtype(), v.Dtype(), dt)
			}
			continue
		}
		init := b.specs[i].Initializer
		if err := v.Materialize(dt, init.Init(rng, v.Shape())); err != nil {
			return errors.Wrapf(err, "layers: %s: initialising %s with %s", b.name, b.local[i], init.Name())
		}
	}
	return nil
}

// ShapeString formats one sample's shape the way Keras prints it, with the
// batch axis as None: (None, 28, 28).
func ShapeString(shape []int) string { return kerrors.FormatShape(withBatch(shape)) }

func withBatch(shape []int) []int { return append([]int{-1}, shape...) }

func first(s [][]int) []int {
	if len(s) == 0 {
		return nil
	}
	return s[0]
}

func cloneShapes(s [][]int) [][]int {
	out := make([][]int, len(s))
	for i, x := range s {
		out[i] = append([]int(nil), x...)
	}
	return out
}

func sameShapes(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameInts(a[i], b[i]) {
			return false
		}
	}
	return true
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

var (
	snakeWords = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	nonWord    = regexp.MustCompile(`\W+`)
)

// DefaultName returns the name prefix Keras gives unnamed layers of a
// class (keras.src.utils.naming.to_snake_case): Dense -> dense, Conv2D ->
// conv2d, MaxPooling2D -> max_pooling2d, BatchNormalization ->
// batch_normalization, Conv2DTranspose -> conv2d_transpose.
func DefaultName(class string) string {
	s := nonWord.ReplaceAllString(class, "")
	s = snakeWords.ReplaceAllString(s, "${1}_${2}")
	s = snakeCaseLower(s)
	return s
}

// snakeCaseLower inserts "_" between a lower-case letter and an upper-case
// one and lowercases: Keras's second rule matches ([a-z])([A-Z]) only, so
// "2D" stays joined.
func snakeCaseLower(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if i > 0 && c >= 'A' && c <= 'Z' && r[i-1] >= 'a' && r[i-1] <= 'z' {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return strings.ToLower(b.String())
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

// Factory rebuilds a layer from its JSON configuration (the JSON form of
// its Config()).
type Factory func(config json.RawMessage) (Layer, error)

var classes = registry.New[Factory]("layers", "layer class")

// Register makes a layer class available to FromConfig, so that saved
// models using it can be loaded (for user-defined layers). It returns an
// error if the class name is taken. It is safe for concurrent use.
func Register(className string, f Factory) error {
	if f == nil {
		return errors.Wrap(kerrors.ErrNil, "layers: Register: factory")
	}
	return classes.Register(className, f)
}

// Names returns the registered layer class names, sorted.
func Names() []string { return classes.Names() }

// FromConfig rebuilds a layer of the given class from its JSON
// configuration. An unknown class gives a *kerrors.UnknownNameError
// naming layers.Register; a factory's panic becomes an error.
func FromConfig(className string, config json.RawMessage) (l Layer, err error) {
	f, err := classes.Get(className)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, kerrors.Recovered("layers: the factory of "+className, r)
		}
	}()
	l, err = f(config)
	if err == nil && l == nil {
		err = errors.Errorf("layers: the factory of %s returned no layer", className)
	}
	return l, err
}

// BaseConfig holds the configuration every layer shares.
type BaseConfig struct {
	Name       string `json:"name"`
	InputShape []int  `json:"input_shape,omitempty"`
	// Trainable is false for a frozen layer (nil or true: trainable).
	Trainable *bool `json:"trainable,omitempty"`
	// ActivityRegularizer is the output penalty (nil: none).
	ActivityRegularizer *regularizers.Config `json:"activity_regularizer,omitempty"`
}

// BaseConfig returns the configuration every layer shares.
func (b *Base) BaseConfig() BaseConfig {
	c := BaseConfig{Name: b.name, InputShape: b.inputShape, ActivityRegularizer: regularizerConfig(b.actReg)}
	if !b.trainable {
		f := false
		c.Trainable = &f
	}
	return c
}

// Common returns the options that rebuild c.
func (c BaseConfig) Common() ([]Common, error) {
	opts := []Common{Name(c.Name)}
	if len(c.InputShape) > 0 {
		opts = append(opts, InputShape(c.InputShape...))
	}
	if c.Trainable != nil && !*c.Trainable {
		opts = append(opts, Trainable(false))
	}
	if c.ActivityRegularizer != nil {
		r, err := regularizers.FromConfig(*c.ActivityRegularizer)
		if err != nil {
			return nil, errors.Wrap(err, "activity_regularizer")
		}
		opts = append(opts, ActivityRegularizer(r))
	}
	return opts, nil
}

func decode(class string, raw json.RawMessage, into any) error {
	if err := json.Unmarshal(raw, into); err != nil {
		return errors.Wrapf(err, "layers: %s config", class)
	}
	return nil
}

func regularizerConfig(r regularizers.Regularizer) *regularizers.Config {
	if r == nil {
		return nil
	}
	c := regularizers.ConfigOf(r)
	return &c
}

func constraintConfig(c constraints.Constraint) *constraints.Config {
	if c == nil {
		return nil
	}
	cc := constraints.ConfigOf(c)
	return &cc
}

// String describes the layer for debugging.
func (b *Base) String() string { return fmt.Sprintf("%s(%s)", b.class, b.name) }
