package optimizers

import (
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"

	"github.com/gokeras/gokeras/keras/internal/names"
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

// Config is the serialisable form of an optimizer: its name and
// hyperparameters. A constant learning rate is Params["learning_rate"]; a
// schedule is Schedule.
type Config struct {
	Name     string             `json:"name"`
	Params   map[string]float64 `json:"params,omitempty"`
	Schedule *ScheduleConfig    `json:"learning_rate_schedule,omitempty"`
}

// Configurable is implemented by every optimizer here.
type Configurable interface {
	Config() Config
}

type factory struct {
	builtin func(opts ...Option) Optimizer
	custom  func(params map[string]float64) (Optimizer, error)
}

func builtin[T Optimizer](f func(opts ...Option) T) factory {
	return factory{builtin: func(opts ...Option) Optimizer { return f(opts...) }}
}

var registry = map[string]factory{
	"sgd":      builtin(SGD),
	"rmsprop":  builtin(RMSprop),
	"adam":     builtin(Adam),
	"adamw":    builtin(AdamW),
	"adagrad":  builtin(Adagrad),
	"adadelta": builtin(Adadelta),
	"adamax":   builtin(Adamax),
	"nadam":    builtin(Nadam),
	"ftrl":     builtin(Ftrl),
	"lion":     builtin(Lion),
}

// Register makes an optimizer available by name (for user-defined
// optimizers). It returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Optimizer, error)) error {
	name = strings.ToLower(name)
	if _, ok := registry[name]; ok {
		return errors.Errorf("optimizers: %q is already registered", name)
	}
	registry[name] = factory{custom: make}
	return nil
}

// Get returns a new optimizer with Keras 3 defaults for the given name
// (case-insensitive: "adam", "Adam"). An unknown name gives an error
// listing the known ones.
func Get(name string) (Optimizer, error) { return FromConfig(Config{Name: name}) }

// FromConfig builds an optimizer from its serialisable form. Invalid or
// unknown hyperparameters give an error naming them.
func FromConfig(c Config) (Optimizer, error) {
	f, ok := registry[strings.ToLower(c.Name)]
	if !ok {
		return nil, names.Unknown("optimizers", "optimizer", c.Name, Names())
	}
	if f.custom != nil {
		if c.Schedule != nil {
			return nil, errors.Errorf("optimizers: %s: a custom optimizer cannot be given a learning-rate schedule through its config", c.Name)
		}
		return f.custom(c.Params)
	}
	opts := make([]Option, 0, len(c.Params)+1)
	for k, v := range c.Params {
		k, v := k, v
		opts = append(opts, func(p *params) { p.set(k, v) })
	}
	if c.Schedule != nil {
		s, err := ScheduleFromConfig(*c.Schedule)
		if err != nil {
			return nil, err
		}
		opts = append(opts, LearningRate(s))
	}
	o := f.builtin(opts...)
	if e, ok := o.(interface{ Err() error }); ok && e.Err() != nil {
		return nil, e.Err()
	}
	return o, nil
}

// Names returns the known optimizer names, sorted.
func Names() []string { return names.Sorted(names.Keys(registry)) }

// Resolve turns a Keras name or an Optimizer into an Optimizer.
func Resolve(o interface{}) (Optimizer, error) {
	switch v := o.(type) {
	case string:
		return Get(v)
	case Optimizer:
		return v, nil
	case nil:
		return nil, errors.New("optimizers: no optimizer given")
	}
	return nil, errors.Errorf("optimizers: %T is neither a name nor an Optimizer", o)
}
