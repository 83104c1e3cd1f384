package regularizers

import (
	"fmt"
	"math"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"

	"github.com/gokeras/gokeras/keras/internal/names"
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

// Config is the serialisable form of a regularizer.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Configurable is implemented by regularizers with parameters.
type Configurable interface {
	Config() Config
}

// ConfigOf returns r's serialisable form.
func ConfigOf(r Regularizer) Config {
	if c, ok := r.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: r.Name()}
}

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
			r.err = errors.Errorf("regularizers: %s: %s must be a finite number >= 0, got %v", name, p.name, p.v)
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

// Config returns the factors.
func (r *L1L2Regularizer) Config() Config {
	p := map[string]float64{}
	if r.name != "l2" {
		p["l1"] = r.l1
	}
	if r.name != "l1" {
		p["l2"] = r.l2
	}
	return Config{Name: r.name, Params: p}
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

var registry = map[string]func(p map[string]float64) Regularizer{
	"l1": func(p map[string]float64) Regularizer { return L1(get(p, "l1", 0.01)) },
	"l2": func(p map[string]float64) Regularizer { return L2(get(p, "l2", 0.01)) },
	"l1_l2": func(p map[string]float64) Regularizer {
		return L1L2(get(p, "l1", 0.01), get(p, "l2", 0.01))
	},
}

func get(p map[string]float64, k string, def float64) float64 {
	if v, ok := p[k]; ok {
		return v
	}
	return def
}

var custom = map[string]func(params map[string]float64) (Regularizer, error){}

func key(name string) string { return strings.ReplaceAll(strings.ToLower(name), "_", "") }

// Register makes a regularizer available by name (for user-defined
// regularizers). It returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Regularizer, error)) error {
	for n := range registry {
		if key(n) == key(name) {
			return errors.Errorf("regularizers: %q is already registered", name)
		}
	}
	if _, ok := custom[name]; ok {
		return errors.Errorf("regularizers: %q is already registered", name)
	}
	custom[name] = make
	return nil
}

// Get returns the regularizer with the given Keras name and default
// factor 0.01 ("l2", or the class name "L2"), or an error listing the
// known names.
func Get(name string) (Regularizer, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a regularizer from its serialisable form. An unknown
// parameter or an invalid factor gives an error naming it.
func FromConfig(c Config) (Regularizer, error) {
	if make, ok := custom[c.Name]; ok {
		return make(c.Params)
	}
	for n, make := range registry {
		if key(n) != key(c.Name) {
			continue
		}
		for k := range c.Params {
			if (k != "l1" || n == "l2") && (k != "l2" || n == "l1") {
				return nil, errors.Errorf("regularizers: %s has no parameter %q", n, k)
			}
		}
		r := make(c.Params)
		if err := Err(r); err != nil {
			return nil, err
		}
		return r, nil
	}
	return nil, names.Unknown("regularizers", "regularizer", c.Name, Names())
}

// Names returns the known regularizer names, sorted.
func Names() []string { return names.Sorted(names.Keys(registry), names.Keys(custom)) }

// Resolve turns a Keras name or a Regularizer into a Regularizer. A
// Regularizer built with an invalid factor gives its error.
func Resolve(r interface{}) (Regularizer, error) {
	switch v := r.(type) {
	case string:
		return Get(v)
	case Regularizer:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Errorf("regularizers: %T is neither a name nor a Regularizer", r)
}

// Err returns the error a regularizer recorded at construction, or nil.
func Err(r Regularizer) error {
	if e, ok := r.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}
