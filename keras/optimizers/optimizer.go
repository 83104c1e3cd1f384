package optimizers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Optimizer updates trainable variables from their gradients.
type Optimizer interface {
	// Name returns the Keras name ("adam").
	Name() string
	// LearningRate returns the learning rate the next step will use: the
	// constant rate, or the schedule's value at Iterations().
	LearningRate() float64
	// SetLearningRate changes a constant learning rate (callbacks such as
	// ReduceLROnPlateau use it). It rejects rates that are negative, NaN
	// or infinite, and optimizers whose rate is a Schedule.
	SetLearningRate(lr float64) error
	// Iterations returns the number of steps applied so far.
	Iterations() int64
	// Apply performs one step: every trainable variable is updated in place
	// from its Grad buffer, then its constraint (if any) is applied.
	Apply(vars []*backend.Variable) error
}

// Config is the serialisable form of an optimizer:
//
//	{"name": "adam", "params": {"learning_rate": 0.001, "beta_1": 0.9, ...}}
//
// Params is the JSON of the optimizer's typed hyperparameters (AdamParams
// for "adam", ...) with Keras's keyword names, every one of them written.
// A learning-rate schedule is Schedule, and Params then has no
// learning_rate. FromConfig accepts params that name only some
// hyperparameters (the others keep their defaults), rejects unknown ones,
// and reads the 0/1 numbers that files written before the typed
// parameters stored for booleans (nesterov, centered, amsgrad).
type Config struct {
	// Name is the optimizer's Keras name.
	Name string `json:"name"`
	// Params holds the hyperparameters as a JSON object (nil: defaults).
	Params json.RawMessage `json:"params,omitempty"`
	// Schedule is the learning-rate schedule, or nil for a constant rate.
	Schedule *ScheduleConfig `json:"learning_rate_schedule,omitempty"`
}

// Configurable is implemented by every optimizer here.
type Configurable interface {
	Config() Config
}

// Factory builds an optimizer from its Config (for user-defined
// optimizers, see Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Optimizer, error)

var optimizerRegistry = registry.New[Factory]("optimizers", "optimizer")

// withErr is implemented by every built-in optimizer.
type withErr interface {
	Optimizer
	Err() error
}

// builtin registers a built-in optimizer: defaults gives its Keras 3
// hyperparameters and make builds it from decoded ones.
func builtin[P any, O withErr](name string, defaults func() P, make func(p P, b build) O) {
	optimizerRegistry.Builtin(name, func(c Config) (Optimizer, error) {
		p := defaults()
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "optimizers")
		}
		var b build
		if c.Schedule != nil {
			s, err := ScheduleFromConfig(*c.Schedule)
			if err != nil {
				return nil, err
			}
			b.schedule = s
		}
		o := make(p, b)
		if err := o.Err(); err != nil {
			return nil, err
		}
		return o, nil
	})
}

func init() {
	builtin("sgd", sgdDefaults, newSGD)
	builtin("rmsprop", rmspropDefaults, newRMSprop)
	builtin("adam", adamDefaults, func(p AdamParams, b build) *AdamOptimizer { return newAdam("adam", p, b) })
	builtin("adamw", adamwDefaults, func(p AdamParams, b build) *AdamWOptimizer { return &AdamWOptimizer{*newAdam("adamw", p, b)} })
	builtin("adagrad", adagradDefaults, newAdagrad)
	builtin("adadelta", adadeltaDefaults, newAdadelta)
	builtin("adamax", adamaxDefaults, newAdamax)
	builtin("nadam", nadamDefaults, newNadam)
	builtin("ftrl", ftrlDefaults, newFtrl)
	builtin("lion", lionDefaults, newLion)
}

// Register makes a user-defined optimizer available by name to Get,
// FromConfig and so to keras.Load. factory receives the Config (its name,
// the params JSON it was saved with, its schedule) and decodes the params
// itself. It returns an error when name is empty or already taken (names
// differing only in case or underscores count as the same).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "optimizers: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(optimizerRegistry, name); err == nil && name != "" {
		return errors.Errorf("optimizers: Register: optimizer %q is already registered (as %q)", name, found)
	}
	return optimizerRegistry.Register(name, factory)
}

// Get returns a new optimizer with Keras 3 defaults for the given name
// (case-insensitive: "adam", "Adam"). An unknown name gives a
// *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Optimizer, error) { return FromConfig(Config{Name: name}) }

// FromConfig builds an optimizer from its serialisable form. An unknown
// name gives a *kerrors.UnknownNameError; an unknown, mistyped or invalid
// hyperparameter a *kerrors.OptionError naming it.
func FromConfig(c Config) (Optimizer, error) {
	f, _, err := hparams.Lookup(optimizerRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known optimizer names, sorted.
func Names() []string { return optimizerRegistry.Names() }

// Resolve turns what keras.Optimizer accepts into an Optimizer: a Keras
// name (string, as for Get) or an Optimizer value, returned as it is. nil
// gives an error wrapping kerrors.ErrNil; any other type a
// *kerrors.OptionError.
func Resolve(spec interface{}) (Optimizer, error) {
	switch v := spec.(type) {
	case string:
		return Get(v)
	case Optimizer:
		return v, nil
	case nil:
		return nil, errors.Wrap(kerrors.ErrNil, "optimizers: Resolve: no optimizer given")
	}
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "optimizer", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string) or an optimizers.Optimizer"}, "optimizers")
}
