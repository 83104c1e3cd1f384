package optimizers

import (
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
)

// Optimizer updates trainable variables from their gradients.
type Optimizer interface {
	// Name returns the Keras name ("adam").
	Name() string
	// LearningRate returns the current learning rate.
	LearningRate() float64
	// SetLearningRate changes the learning rate (callbacks such as
	// ReduceLROnPlateau use it). It rejects rates that are negative, NaN
	// or infinite.
	SetLearningRate(lr float64) error
	// Iterations returns the number of steps applied so far.
	Iterations() int64
	// Apply performs one step: every trainable variable is updated in place
	// from its Grad buffer.
	Apply(vars []*backend.Variable) error
}

// Config is the serialisable form of an optimizer: its name and
// hyperparameters.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Configurable is implemented by every optimizer here.
type Configurable interface {
	Config() Config
}

var registry = map[string]func(params map[string]float64) (Optimizer, error){
	"sgd":     func(p map[string]float64) (Optimizer, error) { return sgdFromParams(p) },
	"rmsprop": func(p map[string]float64) (Optimizer, error) { return rmspropFromParams(p) },
	"adam":    func(p map[string]float64) (Optimizer, error) { return adamFromParams(p) },
}

// Register makes an optimizer available by name (for user-defined
// optimizers). It returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Optimizer, error)) error {
	if _, ok := registry[name]; ok {
		return errors.Errorf("optimizers: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns a new optimizer with Keras 3 defaults for the given name
// (case-insensitive: "adam", "Adam"). An unknown name gives an error
// listing the known ones.
func Get(name string) (Optimizer, error) { return FromConfig(Config{Name: name}) }

// FromConfig builds an optimizer from its serialisable form.
func FromConfig(c Config) (Optimizer, error) {
	make, ok := registry[strings.ToLower(c.Name)]
	if !ok {
		return nil, errors.Errorf("optimizers: unknown optimizer %q (known: %s)", c.Name, strings.Join(Names(), ", "))
	}
	return make(c.Params)
}

// Names returns the known optimizer names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

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

// Option sets a hyperparameter. Options that an optimizer does not have
// are reported as errors when it is built (see Err).
type Option func(*params)

type params struct {
	values map[string]float64
}

func (p *params) set(name string, v float64) { p.values[name] = v }

// LearningRate sets the learning rate (Keras: learning_rate).
func LearningRate(lr float64) Option { return func(p *params) { p.set("learning_rate", lr) } }

// Momentum sets the momentum of SGD (default 0) or RMSprop (default 0).
func Momentum(m float64) Option { return func(p *params) { p.set("momentum", m) } }

// Nesterov turns on Nesterov momentum for SGD (default false).
func Nesterov(b bool) Option { return func(p *params) { p.set("nesterov", boolf(b)) } }

// Rho sets RMSprop's discount factor for the moving average of squared
// gradients (default 0.9).
func Rho(r float64) Option { return func(p *params) { p.set("rho", r) } }

// Centered makes RMSprop normalise by the estimated variance of the
// gradient instead of its second moment (default false).
func Centered(b bool) Option { return func(p *params) { p.set("centered", boolf(b)) } }

// Beta1 sets Adam's decay rate for the first moment (default 0.9).
func Beta1(b float64) Option { return func(p *params) { p.set("beta_1", b) } }

// Beta2 sets Adam's decay rate for the second moment (default 0.999).
func Beta2(b float64) Option { return func(p *params) { p.set("beta_2", b) } }

// Epsilon sets the small constant added for numerical stability
// (default 1e-7, Keras's value; Gorgonia's solvers use 1e-8).
func Epsilon(e float64) Option { return func(p *params) { p.set("epsilon", e) } }

// Amsgrad turns on Adam's AMSGrad variant (default false).
func Amsgrad(b bool) Option { return func(p *params) { p.set("amsgrad", boolf(b)) } }

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// collect applies opts over defaults and checks that every option given is
// one the optimizer has.
func collect(name string, defaults map[string]float64, opts []Option) (map[string]float64, error) {
	p := &params{values: map[string]float64{}}
	for _, o := range opts {
		o(p)
	}
	return merge(name, defaults, p.values)
}

func merge(name string, defaults, given map[string]float64) (map[string]float64, error) {
	out := make(map[string]float64, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range given {
		if _, ok := defaults[k]; !ok {
			known := make([]string, 0, len(defaults))
			for d := range defaults {
				known = append(known, d)
			}
			sort.Strings(known)
			return nil, errors.Errorf("optimizers: %s has no option %q (it has: %s)", name, k, strings.Join(known, ", "))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.Errorf("optimizers: %s: %s = %v", name, k, v)
		}
		out[k] = v
	}
	if lr := out["learning_rate"]; lr < 0 {
		return nil, errors.Errorf("optimizers: %s: learning_rate must be >= 0, got %v", name, lr)
	}
	return out, nil
}

func inUnit(name, param string, v float64, closedTop bool) error {
	if v < 0 || v > 1 || (v == 1 && !closedTop) {
		r := "[0, 1)"
		if closedTop {
			r = "[0, 1]"
		}
		return errors.Errorf("optimizers: %s: %s must be in %s, got %v", name, param, r, v)
	}
	return nil
}

// base holds what every optimizer shares: the learning rate, the step
// count, the per-variable slots and the error from construction.
type base struct {
	name  string
	lr    float64
	iters int64
	err   error
	slots map[*backend.Variable][]slot
}

// slot is one per-variable state buffer, in the variable's dtype.
type slot struct {
	f32 []float32
	f64 []float64
}

func (b *base) Name() string          { return b.name }
func (b *base) LearningRate() float64 { return b.lr }
func (b *base) Iterations() int64     { return b.iters }

// Err returns the error found while building the optimizer (an invalid
// hyperparameter), or nil. Compile reports it.
func (b *base) Err() error { return b.err }

func (b *base) SetLearningRate(lr float64) error {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return errors.Errorf("optimizers: %s: invalid learning rate %v", b.name, lr)
	}
	b.lr = lr
	return nil
}

// slotsFor returns n state buffers for v, allocating them on first use.
func (b *base) slotsFor(v *backend.Variable, n int) []slot {
	if b.slots == nil {
		b.slots = map[*backend.Variable][]slot{}
	}
	if s, ok := b.slots[v]; ok {
		return s
	}
	s := make([]slot, n)
	for i := range s {
		switch v.Value().Data().(type) {
		case []float32:
			s[i].f32 = make([]float32, v.Size())
		case []float64:
			s[i].f64 = make([]float64, v.Size())
		}
	}
	b.slots[v] = s
	return s
}

// Slots returns copies of v's state buffers as float64 (for saving and
// tests), or nil before the first step.
func (b *base) Slots(v *backend.Variable) [][]float64 {
	s, ok := b.slots[v]
	if !ok {
		return nil
	}
	out := make([][]float64, len(s))
	for i, sl := range s {
		if sl.f32 != nil {
			out[i] = backend.ToFloat64s(sl.f32)
		} else {
			out[i] = backend.ToFloat64s(sl.f64)
		}
	}
	return out
}

// forEach runs update32 or update64 over every trainable variable.
func (b *base) forEach(vars []*backend.Variable, nslots int,
	update32 func(w, g []float32, s []slot), update64 func(w, g []float64, s []slot)) error {
	if b.err != nil {
		return b.err
	}
	for _, v := range vars {
		if !v.Trainable() {
			continue
		}
		s := b.slotsFor(v, nslots)
		switch w := v.Value().Data().(type) {
		case []float32:
			update32(w, v.Grad().Data().([]float32), s)
		case []float64:
			update64(w, v.Grad().Data().([]float64), s)
		default:
			return errors.Errorf("optimizers: %s: variable %s has unsupported type %T", b.name, v.Name(), w)
		}
	}
	b.iters++
	return nil
}
