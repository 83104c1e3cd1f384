package activations

import (
	"sort"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/internal/names"
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
// for activations with parameters, the values that differ from Keras's
// defaults (booleans are stored as 0 or 1).
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

// aliases maps Keras's alternative names to the canonical ones.
var aliases = map[string]string{
	"swish":      "silu",
	"hard_swish": "hard_silu",
}

// Register makes an activation available by name to Get and FromConfig
// (for user-defined activations). It returns an error if name is taken.
func Register(name string, make func(params map[string]float64) (Activation, error)) error {
	if _, ok := registry[name]; ok || aliases[name] != "" || name == "" {
		return errors.Errorf("activations: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// builtin registers a constructor taking options under its Keras name.
func builtin(name string, construct func(opts ...Option) *Func) {
	registry[name] = func(params map[string]float64) (Activation, error) {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		opts := make([]Option, len(keys))
		for i, k := range keys {
			opts[i] = Option{key: k, value: params[k]}
		}
		f := construct(opts...)
		if f.err != nil {
			return nil, f.err
		}
		return f, nil
	}
}

func init() {
	builtin("linear", Linear)
	builtin("relu", ReLU)
	builtin("leaky_relu", LeakyReLU)
	builtin("relu6", ReLU6)
	builtin("elu", ELU)
	builtin("selu", SELU)
	builtin("gelu", GELU)
	builtin("silu", SiLU)
	builtin("softplus", Softplus)
	builtin("softsign", Softsign)
	builtin("sigmoid", Sigmoid)
	builtin("hard_sigmoid", HardSigmoid)
	builtin("hard_silu", HardSiLU)
	builtin("tanh", Tanh)
	builtin("softmax", Softmax)
	builtin("log_softmax", LogSoftmax)
	builtin("exponential", Exponential)
	builtin("mish", Mish)
}

// Get returns the activation with the given Keras name or alias ("swish"
// is "silu", "hard_swish" is "hard_silu"), with Keras's default
// parameters. The empty string and "linear" give the identity. An unknown
// name gives an error that lists the known ones.
func Get(name string) (Activation, error) {
	if name == "" {
		return Linear(), nil
	}
	return FromConfig(Config{Name: name})
}

// FromConfig rebuilds an activation from its serialisable form. An unknown
// name, an unknown parameter or an invalid value gives an error.
func FromConfig(c Config) (Activation, error) {
	name := c.Name
	if full, ok := aliases[name]; ok {
		name = full
	}
	make, ok := registry[name]
	if !ok {
		return nil, names.Unknown("activations", "activation", c.Name, Names())
	}
	return make(c.Params)
}

// Names returns the known activation names and aliases, sorted.
func Names() []string { return names.Sorted(names.Keys(registry), names.Keys(aliases)) }

// Resolve turns a Keras name (string) or an Activation into an Activation.
// nil means linear. An Activation built with an invalid parameter (see
// Func.Err) gives that error here, which is how layers report it when they
// are built.
func Resolve(a interface{}) (Activation, error) {
	switch v := a.(type) {
	case nil:
		return Linear(), nil
	case string:
		return Get(v)
	case Activation:
		if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		return v, nil
	}
	return nil, errors.Errorf("activations: %T is neither a name nor an Activation", a)
}
