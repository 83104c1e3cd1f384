package regularizers

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Regularizer computes a penalty of a weight or activation tensor.
type Regularizer interface {
	// Name returns the Keras name ("l2").
	Name() string
	// Penalty adds the penalty of x (any shape) to x's graph and returns
	// it as a scalar node of x's dtype.
	Penalty(x *G.Node) (*G.Node, error)
	// Value returns the penalty of the values x, computed on the host.
	Value(x []float64) float64
}

// Config is the serialisable form of a regularizer:
//
//	{"name": "l2", "params": {"l2": 0.001}}
//
// Params is the JSON of the regularizer's typed parameters (L1Params,
// L2Params, L1L2Params) with Keras's keyword names, holding the factors
// that differ from Get's default, 0.01; it is absent when none does.
// FromConfig rejects unknown keywords.
type Config struct {
	// Name is the regularizer's Keras name.
	Name string `json:"name"`
	// Params holds the non-default factors as a JSON object (nil: none).
	Params json.RawMessage `json:"params,omitempty"`
}

// Configurable is implemented by every regularizer of this package.
type Configurable interface {
	Config() Config
}

// ConfigOf returns r's serialisable form: its Config, or its name alone
// for a regularizer that has no Config method.
func ConfigOf(r Regularizer) Config {
	if c, ok := r.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: r.Name()}
}

// L1Params are the parameters of L1.
type L1Params struct {
	// L1 is the factor of sum(|x|) (Get's default 0.01, finite, >= 0).
	L1 float64 `json:"l1"`
}

// L2Params are the parameters of L2.
type L2Params struct {
	// L2 is the factor of sum(x^2) (Get's default 0.01, finite, >= 0).
	L2 float64 `json:"l2"`
}

// L1L2Params are the parameters of L1L2.
type L1L2Params struct {
	// L1 is the factor of sum(|x|) (Get's default 0.01, finite, >= 0).
	L1 float64 `json:"l1"`
	// L2 is the factor of sum(x^2) (Get's default 0.01, finite, >= 0).
	L2 float64 `json:"l2"`
}

var (
	l1Defaults   = L1Params{L1: 0.01}
	l2Defaults   = L2Params{L2: 0.01}
	l1l2Defaults = L1L2Params{L1: 0.01, L2: 0.01}
)

// L1L2Regularizer is the penalty l1*sum(|x|) + l2*sum(x^2).
type L1L2Regularizer struct {
	name   string
	l1, l2 float64
	err    error
}

// L1 returns the penalty l1*sum(|x|) ("l1"; Keras's default factor, and
// Get("l1")'s, is 0.01). The factor must be a finite number >= 0; an
// invalid one is reported by Err and by the layer given it.
func L1(l1 float64) *L1L2Regularizer { return newL1L2("l1", l1, 0) }

// L2 returns the penalty l2*sum(x^2) ("l2"; Keras's default factor, and
// Get("l2")'s, is 0.01). There is no factor 1/2.
func L2(l2 float64) *L1L2Regularizer { return newL1L2("l2", 0, l2) }

// L1L2 returns the penalty l1*sum(|x|) + l2*sum(x^2) ("l1_l2";
// Get("l1_l2") uses 0.01 for both, as Keras's string identifier does).
func L1L2(l1, l2 float64) *L1L2Regularizer { return newL1L2("l1_l2", l1, l2) }

func newL1L2(name string, l1, l2 float64) *L1L2Regularizer {
	r := &L1L2Regularizer{name: name, l1: l1, l2: l2}
	for _, p := range []struct {
		name string
		v    float64
	}{{"l1", l1}, {"l2", l2}} {
		if r.err == nil && (p.v < 0 || math.IsNaN(p.v) || math.IsInf(p.v, 0)) {
			r.err = errors.Wrap(hparams.Invalid(name, p.name, p.v, "must be a finite number >= 0"), "regularizers")
		}
	}
	return r
}

// Name returns "l1", "l2" or "l1_l2".
func (r *L1L2Regularizer) Name() string { return r.name }

// L1 returns the L1 factor.
func (r *L1L2Regularizer) L1() float64 { return r.l1 }

// L2 returns the L2 factor.
func (r *L1L2Regularizer) L2() float64 { return r.l2 }

// Err returns the error found in the factors, or nil.
func (r *L1L2Regularizer) Err() error { return r.err }

// Config returns the serialisable form.
func (r *L1L2Regularizer) Config() Config {
	var params json.RawMessage
	switch r.name {
	case "l1":
		params = hparams.Diff(L1Params{L1: r.l1}, l1Defaults)
	case "l2":
		params = hparams.Diff(L2Params{L2: r.l2}, l2Defaults)
	default:
		params = hparams.Diff(L1L2Params{L1: r.l1, L2: r.l2}, l1l2Defaults)
	}
	return Config{Name: r.name, Params: params}
}

// Value returns l1*sum(|x|) + l2*sum(x^2).
func (r *L1L2Regularizer) Value(x []float64) float64 {
	var a, s float64
	for _, v := range x {
		a += math.Abs(v)
		s += v * v
	}
	return r.l1*a + r.l2*s
}

// Penalty adds l1*sum(|x|) + l2*sum(x^2) to x's graph. It is built from
// backend.Elementwise and single-axis sums: Gorgonia's own Abs and Square
// may run in place and would overwrite the weight or activation.
func (r *L1L2Regularizer) Penalty(x *G.Node) (*G.Node, error) {
	if r.err != nil {
		return nil, r.err
	}
	l1, l2 := r.l1, r.l2
	y, err := backend.Elementwise(x, backend.ElemFunc{
		Name: fmt.Sprintf("l1_l2_penalty(l1=%v,l2=%v)", l1, l2),
		F:    func(v float64) float64 { return l1*math.Abs(v) + l2*v*v },
		DF: func(v, _ float64) float64 {
			d := 2 * l2 * v
			switch {
			case v > 0:
				d += l1
			case v < 0:
				d -= l1
			}
			return d
		},
	})
	if err != nil {
		return nil, errors.Wrapf(err, "regularizers: %s", r.name)
	}
	for y.Dims() > 0 {
		if y, err = G.Sum(y, 0); err != nil {
			return nil, errors.Wrapf(err, "regularizers: %s: summing the penalty", r.name)
		}
	}
	return y, nil
}

// Factory builds a regularizer from its Config (for user-defined
// regularizers, see Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Regularizer, error)

var regularizerRegistry = registry.New[Factory]("regularizers", "regularizer")

// builtin registers a built-in regularizer: defaults are its factors'
// defaults and make builds it from decoded ones.
func builtin[P any](name string, defaults P, make func(P) *L1L2Regularizer) {
	regularizerRegistry.Builtin(name, func(c Config) (Regularizer, error) {
		p := defaults
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "regularizers")
		}
		r := make(p)
		if r.err != nil {
			return nil, r.err
		}
		return r, nil
	})
}

func init() {
	builtin("l1", l1Defaults, func(p L1Params) *L1L2Regularizer { return L1(p.L1) })
	builtin("l2", l2Defaults, func(p L2Params) *L1L2Regularizer { return L2(p.L2) })
	builtin("l1_l2", l1l2Defaults, func(p L1L2Params) *L1L2Regularizer { return L1L2(p.L1, p.L2) })
}

// Register makes a user-defined regularizer available by name to Get,
// FromConfig and Resolve, and so to layers and keras.Load. factory
// receives the Config (the name, and the params JSON the regularizer was
// saved with) and decodes the params itself. It returns an error when
// name is empty or already taken (names differing only in case or
// underscores count as the same, so "L1L2" is taken).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "regularizers: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(regularizerRegistry, name); err == nil && name != "" {
		return errors.Errorf("regularizers: Register: regularizer %q is already registered (as %q)", name, found)
	}
	return regularizerRegistry.Register(name, factory)
}

// Get returns the regularizer with the given Keras name and default
// factor 0.01 ("l2", or the class name "L2"). An unknown name gives a
// *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Regularizer, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a regularizer from its serialisable form. An unknown
// name gives a *kerrors.UnknownNameError; a parameter the regularizer does
// not take, of the wrong type or out of range a *kerrors.OptionError
// naming it.
func FromConfig(c Config) (Regularizer, error) {
	f, _, err := hparams.Lookup(regularizerRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known regularizer names, sorted.
func Names() []string { return regularizerRegistry.Names() }

// Resolve turns what the layers' regularizer options accept into a
// Regularizer: a Keras name (string, as for Get) or a Regularizer value.
// A Regularizer built with an invalid factor gives its error. Any other
// type, nil included, gives a *kerrors.OptionError.
func Resolve(spec interface{}) (Regularizer, error) {
	switch v := spec.(type) {
	case string:
		return Get(v)
	case Regularizer:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "regularizer", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string) or a regularizers.Regularizer"}, "regularizers")
}

// Err returns the error a regularizer recorded at construction, or nil.
func Err(r Regularizer) error {
	if e, ok := r.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}
