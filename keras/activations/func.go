package activations

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Func is a built-in activation: its Keras name, the parameters it was
// given and the graph function it applies. The constructors (ReLU, ELU,
// GELU, ...) return one; Get builds one with Keras's defaults.
//
// A constructor never fails: an invalid or unknown option is remembered
// and reported by Err, by Apply, and by Resolve and FromConfig, so a layer
// given a bad activation fails when it is built and Compile reports it.
type Func struct {
	name   string
	params map[string]float64 // options that differ from the defaults, for Config
	apply  func(x *G.Node) (*G.Node, error)
	err    error
}

// Name returns the Keras name ("relu"). Aliases give the canonical name:
// "swish" is "silu".
func (f *Func) Name() string { return f.name }

// Apply adds the activation of x to x's graph. It returns Err if the
// activation was built with an invalid option.
func (f *Func) Apply(x *G.Node) (*G.Node, error) {
	if f.err != nil {
		return nil, f.err
	}
	out, err := f.apply(x)
	if err != nil {
		return nil, errors.Wrapf(err, "activations: %s", f.name)
	}
	return out, nil
}

// Err returns the first invalid option the activation was built with (a
// parameter it does not take, or a value out of range), or nil.
func (f *Func) Err() error { return f.err }

// Param returns the value of the named parameter ("negative_slope") if it
// was given with a value other than Keras's default.
func (f *Func) Param(key string) (float64, bool) {
	v, ok := f.params[key]
	return v, ok
}

// Config returns the serialisable form: the name and the parameters that
// differ from Keras's defaults.
func (f *Func) Config() Config {
	c := Config{Name: f.name}
	if len(f.params) > 0 {
		c.Params = make(map[string]float64, len(f.params))
		for k, v := range f.params {
			c.Params[k] = v
		}
	}
	return c
}

// String returns the name with its non-default parameters,
// "relu(max_value=6)".
func (f *Func) String() string {
	if len(f.params) == 0 {
		return f.name
	}
	keys := make([]string, 0, len(f.params))
	for k := range f.params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%g", k, f.params[k])
	}
	return f.name + "(" + strings.Join(parts, ",") + ")"
}

// Option sets one parameter of an activation, named like the Keras
// keyword. Each constructor lists the options it takes; any other gives an
// error (see Func.Err).
type Option struct {
	key   string
	value float64
}

// NegativeSlope sets the slope for inputs below the threshold
// ("negative_slope"): ReLU (default 0) and LeakyReLU (default 0.2). It
// must be >= 0.
func NegativeSlope(v float64) Option { return Option{"negative_slope", v} }

// MaxValue sets the largest value ReLU returns ("max_value"; default none,
// no upper bound). It must be >= 0.
func MaxValue(v float64) Option { return Option{"max_value", v} }

// Threshold sets the input value below which ReLU damps its input
// ("threshold"; default 0).
func Threshold(v float64) Option { return Option{"threshold", v} }

// Alpha sets ELU's scale for negative inputs ("alpha"; default 1).
func Alpha(v float64) Option { return Option{"alpha", v} }

// Approximate makes GELU use the tanh approximation instead of the exact
// erf form ("approximate"; default false, as in Keras 3).
func Approximate(b bool) Option {
	v := 0.0
	if b {
		v = 1
	}
	return Option{"approximate", v}
}

// param declares an option a constructor takes.
type param struct {
	key string
	def float64 // default when not given; NaN means "none" (max_value)
	// check returns a description of the constraint the value breaks,
	// or "".
	check func(v float64) string
}

func nonNegative(v float64) string {
	if !(v >= 0) || math.IsInf(v, 1) {
		return "must be finite and >= 0"
	}
	return ""
}

func finite(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "must be finite"
	}
	return ""
}

func boolean(v float64) string {
	if v != 0 && v != 1 {
		return "must be 0 or 1 (false or true)"
	}
	return ""
}

// collect checks opts against the parameters name takes and returns the
// value of each (its default when not given), the values that differ from
// the defaults, and the first error.
func collect(name string, opts []Option, takes ...param) (vals, given map[string]float64, err error) {
	vals = make(map[string]float64, len(takes))
	for _, p := range takes {
		vals[p.key] = p.def
	}
	for _, o := range opts {
		var spec *param
		for i := range takes {
			if takes[i].key == o.key {
				spec = &takes[i]
			}
		}
		if spec == nil {
			if err == nil {
				err = errors.Errorf("activations: %s has no option %s (it takes %s)", name, o.key, keyList(takes))
			}
			continue
		}
		if msg := spec.check(o.value); msg != "" && err == nil {
			err = errors.Errorf("activations: %s: %s %s, got %v", name, o.key, msg, o.value)
		}
		vals[o.key] = o.value
		if o.value != spec.def {
			if given == nil {
				given = map[string]float64{}
			}
			given[o.key] = o.value
		}
	}
	return vals, given, err
}

func keyList(takes []param) string {
	if len(takes) == 0 {
		return "none"
	}
	keys := make([]string, len(takes))
	for i, p := range takes {
		keys[i] = p.key
	}
	return strings.Join(keys, ", ")
}

// elementwise returns a Func that applies the scalar function f to every
// element with backend.Elementwise. label names the function and every
// parameter it closes over (it is the op's identity in the graph).
func elementwise(name string, given map[string]float64, err error, label string, f func(x float64) float64, df func(x, y float64) float64) *Func {
	ef := backend.ElemFunc{Name: label, F: f, DF: df}
	return &Func{name: name, params: given, err: err, apply: func(x *G.Node) (*G.Node, error) {
		return backend.Elementwise(x, ef)
	}}
}
