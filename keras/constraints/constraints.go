package constraints

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"

	"github.com/gokeras/gokeras/keras/internal/names"
)

// epsilon is Keras's backend.epsilon().
const epsilon = 1e-7

// Constraint projects a weight in place. It satisfies backend.Constraint,
// so it can be attached to a variable.
type Constraint interface {
	backend.Constraint
	// Name returns the Keras name ("max_norm").
	Name() string
	// CheckShape reports whether the constraint can apply to a weight of
	// this shape (its axes exist). Layers call it at build time.
	CheckShape(shape []int) error
	// Project applies the constraint to w, a weight of the given shape in
	// row-major order, in place.
	Project(shape []int, w []float64)
}

// Config is the serialisable form of a constraint.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
	Axis   []int              `json:"axis,omitempty"`
}

// Option sets an optional parameter of a constraint, named like Keras's
// keyword. A constraint given an option it does not have records an error
// (see Err), which layers report at build time.
type Option func(*opts)

type opts struct {
	values map[string]float64
	given  []string
	axis   []int
}

func (o *opts) set(k string, v float64) {
	if o.values == nil {
		o.values = map[string]float64{}
	}
	o.values[k] = v
	o.given = append(o.given, k)
}

func (o *opts) get(k string, def float64) float64 {
	if v, ok := o.values[k]; ok {
		return v
	}
	return def
}

// MaxValue sets the largest allowed norm of MaxNorm (default 2) and
// MinMaxNorm (default 1).
func MaxValue(v float64) Option { return func(o *opts) { o.set("max_value", v) } }

// MinValue sets MinMaxNorm's smallest allowed norm (default 0).
func MinValue(v float64) Option { return func(o *opts) { o.set("min_value", v) } }

// Rate sets how far MinMaxNorm moves a norm into [min_value, max_value] per
// step: the new norm is rate*clip(norm) + (1-rate)*norm (default 1, in
// [0, 1]).
func Rate(r float64) Option { return func(o *opts) { o.set("rate", r) } }

// Axis sets the axes the norms are taken over (default 0; negative axes
// count from the end). For a Conv2D kernel (kh, kw, in, out) use
// Axis(0, 1, 2) to constrain each filter.
func Axis(axes ...int) Option {
	return func(o *opts) { o.axis = append([]int(nil), axes...); o.given = append(o.given, "axis") }
}

func collect(name string, options []Option, allowed ...string) (opts, error) {
	var o opts
	for _, f := range options {
		if f != nil {
			f(&o)
		}
	}
	for _, g := range o.given {
		ok := false
		for _, a := range allowed {
			ok = ok || a == g
		}
		if !ok {
			has := "no options"
			if len(allowed) > 0 {
				has = "it has: " + strings.Join(allowed, ", ")
			}
			return o, errors.Errorf("constraints: %s has no option %q (%s)", name, g, has)
		}
	}
	for k, v := range o.values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return o, errors.Errorf("constraints: %s: %s = %v", name, k, v)
		}
	}
	if o.axis == nil {
		o.axis = []int{0}
	}
	return o, nil
}

// NormConstraint rescales each vector along the given axes so that its L2
// norm lies in [min, max] (max_norm, unit_norm, min_max_norm).
type NormConstraint struct {
	name           string
	min, max, rate float64
	axis           []int
	err            error
}

// MaxNorm returns Keras's MaxNorm ("max_norm"): each vector along the axes
// whose norm exceeds max_value is scaled down to it (w *= clip(n, 0,
// max)/(eps + n)). Options: MaxValue (default 2, >= 0), Axis (default 0).
func MaxNorm(opts ...Option) *NormConstraint {
	o, err := collect("max_norm", opts, "max_value", "axis")
	c := &NormConstraint{name: "max_norm", min: 0, max: o.get("max_value", 2), rate: 1, axis: o.axis, err: err}
	if c.err == nil && c.max < 0 {
		c.err = errors.Errorf("constraints: max_norm: max_value must be >= 0, got %v", c.max)
	}
	return c
}

// UnitNorm returns Keras's UnitNorm ("unit_norm"): each vector along the
// axes is divided by (eps + its norm). Options: Axis (default 0).
func UnitNorm(opts ...Option) *NormConstraint {
	o, err := collect("unit_norm", opts, "axis")
	return &NormConstraint{name: "unit_norm", axis: o.axis, err: err}
}

// MinMaxNorm returns Keras's MinMaxNorm ("min_max_norm"): each vector's
// norm n becomes rate*clip(n, min_value, max_value) + (1-rate)*n
// (w *= that/(eps + n)). Options: MinValue (default 0), MaxValue
// (default 1), Rate (default 1), Axis (default 0).
func MinMaxNorm(opts ...Option) *NormConstraint {
	o, err := collect("min_max_norm", opts, "min_value", "max_value", "rate", "axis")
	c := &NormConstraint{name: "min_max_norm", min: o.get("min_value", 0), max: o.get("max_value", 1),
		rate: o.get("rate", 1), axis: o.axis, err: err}
	switch {
	case c.err != nil:
	case c.min < 0 || c.min > c.max:
		c.err = errors.Errorf("constraints: min_max_norm: need 0 <= min_value <= max_value, got min_value %v, max_value %v", c.min, c.max)
	case c.rate < 0 || c.rate > 1:
		c.err = errors.Errorf("constraints: min_max_norm: rate must be in [0, 1], got %v", c.rate)
	}
	return c
}

// Name returns the Keras name.
func (c *NormConstraint) Name() string { return c.name }

// Err returns the error found in the options, or nil.
func (c *NormConstraint) Err() error { return c.err }

// CheckShape checks that every axis exists in shape.
func (c *NormConstraint) CheckShape(shape []int) error {
	if c.err != nil {
		return c.err
	}
	_, err := reduced(shape, c.axis)
	return errors.Wrapf(err, "constraints: %s", c.name)
}

// Config returns the constraint's parameters.
func (c *NormConstraint) Config() Config {
	p := map[string]float64{}
	switch c.name {
	case "max_norm":
		p["max_value"] = c.max
	case "min_max_norm":
		p["min_value"], p["max_value"], p["rate"] = c.min, c.max, c.rate
	}
	return Config{Name: c.name, Params: p, Axis: append([]int(nil), c.axis...)}
}

// reduced returns which axes of shape are reduced.
func reduced(shape, axes []int) ([]bool, error) {
	red := make([]bool, len(shape))
	for _, a := range axes {
		b := a
		if b < 0 {
			b += len(shape)
		}
		if b < 0 || b >= len(shape) {
			return nil, errors.Errorf("axis %d does not exist in shape %v", a, shape)
		}
		red[b] = true
	}
	return red, nil
}

// Project rescales w in place.
func (c *NormConstraint) Project(shape []int, w []float64) { projectNorm(c, shape, w) }

// Constrain applies the constraint to v's value in place.
func (c *NormConstraint) Constrain(v *backend.Variable) {
	switch d := v.Value().Data().(type) {
	case []float32:
		projectNorm(c, v.Shape(), d)
	case []float64:
		projectNorm(c, v.Shape(), d)
	}
}

// projectNorm computes the norm of every vector along the reduced axes
// (accumulating in float64) and rescales it.
func projectNorm[T backend.Float](c *NormConstraint, shape []int, w []T) {
	if c.err != nil {
		return
	}
	red, err := reduced(shape, c.axis)
	if err != nil {
		return
	}
	// Each element's kept index: its coordinates on the kept axes, in
	// row-major order over those axes.
	kept := 1
	strides := make([]int, len(shape))
	for a := len(shape) - 1; a >= 0; a-- {
		if !red[a] {
			strides[a] = kept
			kept *= shape[a]
		}
	}
	coord := make([]int, len(shape))
	index := func(visit func(i, k int)) {
		for i := range coord {
			coord[i] = 0
		}
		k := 0
		for i := range w {
			visit(i, k)
			for a := len(shape) - 1; a >= 0; a-- {
				coord[a]++
				k += strides[a]
				if coord[a] < shape[a] {
					break
				}
				k -= strides[a] * shape[a]
				coord[a] = 0
			}
		}
	}
	sq := make([]float64, kept)
	index(func(i, k int) { sq[k] += float64(w[i]) * float64(w[i]) })
	scale := sq
	for k, s := range sq {
		n := math.Sqrt(s)
		var want float64
		switch c.name {
		case "unit_norm":
			want = 1
		default:
			want = c.rate*math.Max(c.min, math.Min(c.max, n)) + (1-c.rate)*n
		}
		scale[k] = want / (epsilon + n)
	}
	index(func(i, k int) { w[i] = T(float64(w[i]) * scale[k]) })
}

// NonNegConstraint sets negative weights to 0.
type NonNegConstraint struct{ err error }

// NonNeg returns Keras's NonNeg ("non_neg"): w = max(w, 0). It takes no
// options.
func NonNeg(options ...Option) *NonNegConstraint {
	var o opts
	for _, f := range options {
		if f != nil {
			f(&o)
		}
	}
	var err error
	if len(o.given) > 0 {
		err = errors.Errorf("constraints: non_neg has no option %q (no options)", o.given[0])
	}
	return &NonNegConstraint{err: err}
}

// Name returns "non_neg".
func (*NonNegConstraint) Name() string { return "non_neg" }

// Err returns the error found in the options, or nil.
func (c *NonNegConstraint) Err() error { return c.err }

// CheckShape accepts every shape.
func (c *NonNegConstraint) CheckShape([]int) error { return c.err }

// Project sets negative values of w to 0.
func (*NonNegConstraint) Project(_ []int, w []float64) { clampNeg(w) }

// Constrain sets v's negative values to 0 in place.
func (*NonNegConstraint) Constrain(v *backend.Variable) {
	switch d := v.Value().Data().(type) {
	case []float32:
		clampNeg(d)
	case []float64:
		clampNeg(d)
	}
}

func clampNeg[T backend.Float](w []T) {
	for i, x := range w {
		if x < 0 {
			w[i] = 0
		}
	}
}

// Config returns {Name: "non_neg"}.
func (*NonNegConstraint) Config() Config { return Config{Name: "non_neg"} }

// Configurable is implemented by every constraint here.
type Configurable interface {
	Config() Config
}

// ConfigOf returns c's serialisable form.
func ConfigOf(c Constraint) Config {
	if cc, ok := c.(Configurable); ok {
		return cc.Config()
	}
	return Config{Name: c.Name()}
}

var registry = map[string]func(c Config) Constraint{
	"max_norm":     func(c Config) Constraint { return MaxNorm(c.options()...) },
	"unit_norm":    func(c Config) Constraint { return UnitNorm(c.options()...) },
	"min_max_norm": func(c Config) Constraint { return MinMaxNorm(c.options()...) },
	"non_neg":      func(c Config) Constraint { return NonNeg(c.options()...) },
}

var custom = map[string]func(params map[string]float64) (Constraint, error){}

func (c Config) options() []Option {
	var out []Option
	keys := make([]string, 0, len(c.Params))
	for k := range c.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		k, v := k, c.Params[k]
		out = append(out, func(o *opts) { o.set(k, v) })
	}
	if len(c.Axis) > 0 {
		out = append(out, Axis(c.Axis...))
	}
	return out
}

func key(name string) string { return strings.ReplaceAll(strings.ToLower(name), "_", "") }

// Register makes a constraint available by name (for user-defined
// constraints). It returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Constraint, error)) error {
	for n := range registry {
		if key(n) == key(name) {
			return errors.Errorf("constraints: %q is already registered", name)
		}
	}
	if _, ok := custom[name]; ok {
		return errors.Errorf("constraints: %q is already registered", name)
	}
	custom[name] = make
	return nil
}

// Get returns the constraint with the given Keras name and its defaults
// ("max_norm", or the class name "MaxNorm"), or an error listing the
// known names.
func Get(name string) (Constraint, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a constraint from its serialisable form.
func FromConfig(c Config) (Constraint, error) {
	if make, ok := custom[c.Name]; ok {
		return make(c.Params)
	}
	for n, make := range registry {
		if key(n) == key(c.Name) {
			con := make(c)
			if err := Err(con); err != nil {
				return nil, err
			}
			return con, nil
		}
	}
	return nil, names.Unknown("constraints", "constraint", c.Name, Names())
}

// Names returns the known constraint names, sorted.
func Names() []string { return names.Sorted(names.Keys(registry), names.Keys(custom)) }

// Resolve turns a Keras name or a Constraint into a Constraint. A
// Constraint built with an invalid option gives its error.
func Resolve(c interface{}) (Constraint, error) {
	switch v := c.(type) {
	case string:
		return Get(v)
	case Constraint:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Errorf("constraints: %T is neither a name nor a Constraint", c)
}

// Err returns the error a constraint recorded at construction, or nil.
func Err(c Constraint) error {
	if e, ok := c.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}

// String describes the constraint ("max_norm(min=0, max=2, rate=1, axis=[0])").
func (c *NormConstraint) String() string {
	return fmt.Sprintf("%s(min=%v, max=%v, rate=%v, axis=%v)", c.name, c.min, c.max, c.rate, c.axis)
}
