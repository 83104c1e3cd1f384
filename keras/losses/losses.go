package losses

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// Loss is a training objective.
type Loss interface {
	// Name returns the canonical Keras name ("mean_squared_error").
	Name() string
	// PerSample returns the loss of each row of yPred against yTrue, a
	// vector as long as the batch.
	PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error)
}

// SparseTargets is implemented by losses whose targets are class indices
// (shape (N) or (N, 1)). The model turns each index into a one-hot row
// before it reaches PerSample, and checks that every index is an integer in
// [0, classes).
type SparseTargets interface {
	SparseTargets() bool
}

// Config is the serialisable form of a loss.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Configurable is implemented by losses with options.
type Configurable interface {
	Config() Config
}

// ConfigOf returns l's serialisable form.
func ConfigOf(l Loss) Config {
	if c, ok := l.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: l.Name()}
}

var registry = map[string]func(params map[string]float64) (Loss, error){}

var aliases = map[string]string{
	"mse": "mean_squared_error",
	"mae": "mean_absolute_error",
}

func init() {
	registry["mean_squared_error"] = func(map[string]float64) (Loss, error) { return MeanSquaredError(), nil }
	registry["mean_absolute_error"] = func(map[string]float64) (Loss, error) { return MeanAbsoluteError(), nil }
	registry["binary_crossentropy"] = func(p map[string]float64) (Loss, error) {
		return BinaryCrossentropy(FromLogits(p["from_logits"] != 0)), nil
	}
	registry["categorical_crossentropy"] = func(p map[string]float64) (Loss, error) {
		return CategoricalCrossentropy(FromLogits(p["from_logits"] != 0)), nil
	}
	registry["sparse_categorical_crossentropy"] = func(p map[string]float64) (Loss, error) {
		return SparseCategoricalCrossentropy(FromLogits(p["from_logits"] != 0)), nil
	}
}

// Register makes a loss available by name (for user-defined losses). It
// returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Loss, error)) error {
	if _, ok := registry[name]; ok {
		return errors.Errorf("losses: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns the loss with the given Keras name or alias ("mse",
// "mae"). An unknown name gives an error listing the known ones.
func Get(name string) (Loss, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a loss from its serialisable form.
func FromConfig(c Config) (Loss, error) {
	name := c.Name
	if full, ok := aliases[name]; ok {
		name = full
	}
	make, ok := registry[name]
	if !ok {
		return nil, errors.Errorf("losses: unknown loss %q (known: %s)", c.Name, strings.Join(Names(), ", "))
	}
	return make(c.Params)
}

// Names returns the known loss names and aliases, sorted.
func Names() []string {
	names := make([]string, 0, len(registry)+len(aliases))
	for n := range registry {
		names = append(names, n)
	}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
}

// Resolve turns a Keras name or a Loss into a Loss.
func Resolve(l interface{}) (Loss, error) {
	switch v := l.(type) {
	case string:
		return Get(v)
	case Loss:
		return v, nil
	case nil:
		return nil, errors.New("losses: no loss given")
	}
	return nil, errors.Errorf("losses: %T is neither a name nor a Loss", l)
}

// Option configures a loss.
type Option func(*options)

type options struct {
	fromLogits bool
}

// FromLogits says whether the model's output is logits (true) or
// probabilities (false, the default). When the output comes straight from
// a softmax or sigmoid activation the loss uses the logits either way.
func FromLogits(b bool) Option { return func(o *options) { o.fromLogits = b } }

func apply(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// rows reshapes a (batch, ...) node to (batch, rest) so per-row ops apply.
func rows(n *G.Node) (*G.Node, error) {
	s := n.Shape()
	if n.Dims() == 2 {
		return n, nil
	}
	rest := 1
	for _, d := range s[1:] {
		rest *= d
	}
	return G.Reshape(n, tensor.Shape{s[0], rest})
}

// meanRows averages a (batch, ...) node over everything but the batch axis.
func meanRows(n *G.Node) (*G.Node, error) {
	r, err := rows(n)
	if err != nil {
		return nil, err
	}
	return G.Mean(r, 1)
}

func checkSameShape(name string, yTrue, yPred *G.Node) error {
	if !yTrue.Shape().Eq(yPred.Shape()) || yTrue.Dims() != yPred.Dims() {
		return errors.Errorf("losses: %s: targets have shape %v, predictions %v", name, yTrue.Shape(), yPred.Shape())
	}
	return nil
}
