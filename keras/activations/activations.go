package activations

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Activation is an elementwise (or, for softmax, per-row) function applied
// to a layer's output.
type Activation interface {
	// Name returns the Keras name ("relu").
	Name() string
	// Apply adds the activation of x to x's graph.
	Apply(x *G.Node) (*G.Node, error)
}

// Config is the serialisable form of an activation: its Keras name and,
// for activations with parameters, their values.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Configurable is implemented by activations with parameters.
type Configurable interface {
	Config() Config
}

// ConfigOf returns a's serialisable form.
func ConfigOf(a Activation) Config {
	if c, ok := a.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: a.Name()}
}

var registry = map[string]func(params map[string]float64) (Activation, error){}

// Register makes an activation available by name to Get and FromConfig
// (for user-defined activations). It returns an error if name is taken.
func Register(name string, make func(params map[string]float64) (Activation, error)) error {
	if _, ok := registry[name]; ok {
		return errors.Errorf("activations: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

func register(name string, a Activation) {
	registry[name] = func(map[string]float64) (Activation, error) { return a, nil }
}

func init() {
	register("linear", Linear())
	register("relu", ReLU())
	register("sigmoid", Sigmoid())
	register("tanh", Tanh())
	register("softmax", Softmax())
}

// Get returns the activation with the given Keras name. The empty string
// and "linear" give the identity. An unknown name gives an error that
// lists the known ones.
func Get(name string) (Activation, error) {
	if name == "" {
		return Linear(), nil
	}
	return FromConfig(Config{Name: name})
}

// FromConfig rebuilds an activation from its serialisable form.
func FromConfig(c Config) (Activation, error) {
	make, ok := registry[c.Name]
	if !ok {
		return nil, errors.Errorf("activations: unknown activation %q (known: %s)", c.Name, strings.Join(Names(), ", "))
	}
	return make(c.Params)
}

// Names returns the known activation names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve turns a Keras name (string) or an Activation into an Activation.
// nil means linear.
func Resolve(a interface{}) (Activation, error) {
	switch v := a.(type) {
	case nil:
		return Linear(), nil
	case string:
		return Get(v)
	case Activation:
		return v, nil
	}
	return nil, errors.Errorf("activations: %T is neither a name nor an Activation", a)
}

type simple struct {
	name string
	f    func(*G.Node) (*G.Node, error)
}

func (s simple) Name() string                     { return s.name }
func (s simple) Apply(x *G.Node) (*G.Node, error) { return s.f(x) }

// Linear returns the identity activation ("linear"), Keras's default.
func Linear() Activation {
	return simple{"linear", func(x *G.Node) (*G.Node, error) { return x, nil }}
}

// ReLU returns max(x, 0) ("relu").
func ReLU() Activation { return simple{"relu", backend.Relu} }

// Sigmoid returns 1 / (1 + exp(-x)) ("sigmoid").
func Sigmoid() Activation { return simple{"sigmoid", G.Sigmoid} }

// Tanh returns the hyperbolic tangent ("tanh").
func Tanh() Activation { return simple{"tanh", G.Tanh} }

// Softmax returns exp(x) / sum(exp(x)) over the last axis ("softmax"),
// computed stably.
func Softmax() Activation { return simple{"softmax", backend.Softmax} }
