package activations

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Activation is an elementwise (or, for softmax, per-row) function applied
// to a layer's output.
type Activation interface {
	// Name returns the Keras name ("relu").
	Name() string
	// Apply adds the activation of x to x's graph.
	Apply(x *G.Node) (*G.Node, error)
}

// Config is the serialisable form of an activation:
//
//	{"name": "relu", "params": {"max_value": 6}}
//
// Params is the JSON of the activation's typed parameters (ReLUParams,
// GELUParams, ...) with Keras's keyword names, holding those that differ
// from the defaults; it is absent when all are defaults (and for
// activations without parameters). FromConfig rejects unknown keywords and
// still reads the 0/1 numbers that files written before the parameters
// were typed stored for approximate.
type Config struct {
	// Name is the activation's Keras name.
	Name string `json:"name"`
	// Params holds the non-default parameters as a JSON object (nil:
	// none).
	Params json.RawMessage `json:"params,omitempty"`
}

// Configurable is implemented by every activation of this package.
type Configurable interface {
	Config() Config
}

// ConfigOf returns a's serialisable form: its Config, or its name alone
// for an activation that has no Config method.
func ConfigOf(a Activation) Config {
	if c, ok := a.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: a.Name()}
}

// Factory builds an activation from its Config (for user-defined
// activations, see Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Activation, error)

var activationRegistry = registry.New[Factory]("activations", "activation")

// builtin registers a built-in activation: defaults are its parameters'
// defaults and make builds it from decoded ones.
func builtin[P any](name string, defaults P, make func(P) *Func) {
	activationRegistry.Builtin(name, func(c Config) (Activation, error) {
		p := defaults
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "activations")
		}
		f := make(p)
		if f.err != nil {
			return nil, f.err
		}
		return f, nil
	})
}

// none is the parameters of an activation that has none.
type none struct{}

func noParams(name string, construct func() *Func) {
	builtin(name, none{}, func(none) *Func { return construct() })
}

func init() {
	noParams("linear", Linear)
	builtin("relu", ReLUParams{}, newReLU)
	builtin("leaky_relu", leakyReLUDefaults, newLeakyReLU)
	noParams("relu6", ReLU6)
	builtin("elu", eluDefaults, newELU)
	noParams("selu", SELU)
	builtin("gelu", GELUParams{}, newGELU)
	noParams("silu", SiLU)
	noParams("softplus", Softplus)
	noParams("softsign", Softsign)
	noParams("sigmoid", Sigmoid)
	noParams("hard_sigmoid", HardSigmoid)
	noParams("hard_silu", HardSiLU)
	noParams("tanh", Tanh)
	noParams("softmax", Softmax)
	noParams("log_softmax", LogSoftmax)
	noParams("exponential", Exponential)
	noParams("mish", Mish)
	// Keras's alternative names.
	activationRegistry.Alias("swish", "silu")
	activationRegistry.Alias("hard_swish", "hard_silu")
}

// Register makes a user-defined activation available by name to Get,
// FromConfig and Resolve, and so to layers and keras.Load. factory
// receives the Config (the name, and the params JSON the activation was
// saved with) and decodes the params itself. It returns an error when name
// is empty or already taken (names differing only in case or underscores
// count as the same).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "activations: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(activationRegistry, name); err == nil && name != "" {
		return errors.Errorf("activations: Register: activation %q is already registered (as %q)", name, found)
	}
	return activationRegistry.Register(name, factory)
}

// Get returns the activation with the given Keras name or alias ("swish"
// is "silu", "hard_swish" is "hard_silu"), with Keras's default
// parameters. The empty string and "linear" give the identity. An unknown
// name gives a *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Activation, error) {
	if name == "" {
		return Linear(), nil
	}
	return FromConfig(Config{Name: name})
}

// FromConfig rebuilds an activation from its serialisable form. An unknown
// name gives a *kerrors.UnknownNameError; a parameter the activation does
// not take, of the wrong type or out of range a *kerrors.OptionError
// naming it.
func FromConfig(c Config) (Activation, error) {
	f, _, err := hparams.Lookup(activationRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known activation names and aliases, sorted.
func Names() []string { return activationRegistry.Names() }

// Resolve turns what layers.Activation accepts into an Activation: a
// Keras name (string, as for Get), an Activation value, or nil for linear.
// An Activation built with an invalid parameter (see Func.Err) gives that
// error here, which is how layers report it when they are built. Any other
// type gives a *kerrors.OptionError.
func Resolve(spec interface{}) (Activation, error) {
	switch v := spec.(type) {
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
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "activation", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string), an activations.Activation or nil"}, "activations")
}
