package constraints

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
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

// Config is the serialisable form of a constraint:
//
//	{"name": "max_norm", "params": {"max_value": 3, "axis": [0, 1, 2]}}
//
// Params is the JSON of the constraint's typed parameters (MaxNormParams,
// UnitNormParams, MinMaxNormParams) with Keras's keyword names, holding
// those that differ from the defaults; it is absent when all are
// defaults. Decoding also reads the form written before the parameters
// were typed, with axis beside params instead of inside.
type Config struct {
	// Name is the constraint's Keras name.
	Name string `json:"name"`
	// Params holds the non-default parameters as a JSON object (nil:
	// none).
	Params json.RawMessage `json:"params,omitempty"`
}

// UnmarshalJSON decodes a Config, moving the top-level axis of older files
// into Params.
func (c *Config) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name   string          `json:"name"`
		Params json.RawMessage `json:"params"`
		Axis   json.RawMessage `json:"axis"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	c.Name, c.Params = raw.Name, raw.Params
	if len(raw.Axis) == 0 || string(raw.Axis) == "null" {
		return nil
	}
	m := map[string]json.RawMessage{}
	if !hparams.Empty(raw.Params) {
		if err := json.Unmarshal(raw.Params, &m); err != nil {
			return err
		}
	}
	if _, ok := m["axis"]; !ok {
		m["axis"] = raw.Axis
	}
	params, err := json.Marshal(m)
	c.Params = params
	return err
}

// MaxNormParams are MaxNorm's parameters.
type MaxNormParams struct {
	// MaxValue is the largest allowed norm (default 2, finite, >= 0).
	MaxValue float64 `json:"max_value"`
	// Axis lists the axes the norms are taken over (default [0]).
	Axis []int `json:"axis"`
}

// UnitNormParams are UnitNorm's parameters.
type UnitNormParams struct {
	// Axis lists the axes the norms are taken over (default [0]).
	Axis []int `json:"axis"`
}

// MinMaxNormParams are MinMaxNorm's parameters.
type MinMaxNormParams struct {
	// MinValue is the smallest allowed norm (default 0, in [0, max_value]).
	MinValue float64 `json:"min_value"`
	// MaxValue is the largest allowed norm (default 1, finite).
	MaxValue float64 `json:"max_value"`
	// Rate is how far a norm moves into [min_value, max_value] per step
	// (default 1, in [0, 1]).
	Rate float64 `json:"rate"`
	// Axis lists the axes the norms are taken over (default [0]).
	Axis []int `json:"axis"`
}

var (
	maxNormDefaults    = MaxNormParams{MaxValue: 2, Axis: []int{0}}
	unitNormDefaults   = UnitNormParams{Axis: []int{0}}
	minMaxNormDefaults = MinMaxNormParams{MaxValue: 1, Rate: 1, Axis: []int{0}}
)

// MaxNormOption is an option of MaxNorm: MaxValue and Axis.
type MaxNormOption interface{ applyMaxNorm(*MaxNormParams) }

// UnitNormOption is an option of UnitNorm: Axis.
type UnitNormOption interface{ applyUnitNorm(*UnitNormParams) }

// MinMaxNormOption is an option of MinMaxNorm: MinValue, MaxValue, Rate
// and Axis.
type MinMaxNormOption interface{ applyMinMaxNorm(*MinMaxNormParams) }

// build applies opts to the defaults p; apply is the option interface's
// method.
func build[P, O any](p P, opts []O, apply func(O, *P)) P {
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &p)
		}
	}
	return p
}

// MaxValueOption is the option MaxValue returns; MaxNorm and MinMaxNorm
// take it.
type MaxValueOption float64

func (o MaxValueOption) applyMaxNorm(p *MaxNormParams)       { p.MaxValue = float64(o) }
func (o MaxValueOption) applyMinMaxNorm(p *MinMaxNormParams) { p.MaxValue = float64(o) }

// MaxValue sets the largest allowed norm of MaxNorm (default 2) and
// MinMaxNorm (default 1).
func MaxValue(v float64) MaxValueOption { return MaxValueOption(v) }

type minMaxOption func(*MinMaxNormParams)

func (o minMaxOption) applyMinMaxNorm(p *MinMaxNormParams) { o(p) }

// MinValue sets MinMaxNorm's smallest allowed norm (default 0).
func MinValue(v float64) MinMaxNormOption {
	return minMaxOption(func(p *MinMaxNormParams) { p.MinValue = v })
}

// Rate sets how far MinMaxNorm moves a norm into [min_value, max_value] per
// step: the new norm is rate*clip(norm) + (1-rate)*norm (default 1, in
// [0, 1]).
func Rate(r float64) MinMaxNormOption {
	return minMaxOption(func(p *MinMaxNormParams) { p.Rate = r })
}

// AxisOption is the option Axis returns; MaxNorm, UnitNorm and MinMaxNorm
// take it.
type AxisOption []int

func (o AxisOption) axes() []int {
	if len(o) == 0 {
		return []int{0}
	}
	return append([]int(nil), o...)
}

func (o AxisOption) applyMaxNorm(p *MaxNormParams)       { p.Axis = o.axes() }
func (o AxisOption) applyUnitNorm(p *UnitNormParams)     { p.Axis = o.axes() }
func (o AxisOption) applyMinMaxNorm(p *MinMaxNormParams) { p.Axis = o.axes() }

// Axis sets the axes the norms are taken over (default 0; none given
// means the default; negative axes count from the end). For a Conv2D
// kernel (kh, kw, in, out) use Axis(0, 1, 2) to constrain each filter.
func Axis(axes ...int) AxisOption { return AxisOption(append([]int(nil), axes...)) }

// invalid returns the error for a parameter out of range.
func invalid(name, key string, v any, msg string) error {
	return errors.Wrap(hparams.Invalid(name, key, v, msg), "constraints")
}

// axesOf returns a copy of axes, or [0] when there are none.
func axesOf(axes []int) []int { return AxisOption(axes).axes() }

// NormConstraint rescales each vector along the given axes so that its L2
// norm lies in [min, max] (max_norm, unit_norm, min_max_norm).
type NormConstraint struct {
	name             string
	min, max, rate   float64
	axis             []int
	err              error
	params, defaults any
}

// MaxNorm returns Keras's MaxNorm ("max_norm"): each vector along the axes
// whose norm exceeds max_value is scaled down to it (w *= clip(n, 0,
// max)/(eps + n)). Options: see MaxNormOption.
func MaxNorm(opts ...MaxNormOption) *NormConstraint {
	return newMaxNorm(build(maxNormDefaults, opts, MaxNormOption.applyMaxNorm))
}

func newMaxNorm(p MaxNormParams) *NormConstraint {
	p.Axis = axesOf(p.Axis)
	c := &NormConstraint{name: "max_norm", min: 0, max: p.MaxValue, rate: 1, axis: p.Axis, params: p, defaults: maxNormDefaults}
	c.err = finite("max_norm", p)
	if c.err == nil && c.max < 0 {
		c.err = invalid("max_norm", "max_value", c.max, "must be >= 0")
	}
	return c
}

// UnitNorm returns Keras's UnitNorm ("unit_norm"): each vector along the
// axes is divided by (eps + its norm). Options: see UnitNormOption.
func UnitNorm(opts ...UnitNormOption) *NormConstraint {
	return newUnitNorm(build(unitNormDefaults, opts, UnitNormOption.applyUnitNorm))
}

func newUnitNorm(p UnitNormParams) *NormConstraint {
	p.Axis = axesOf(p.Axis)
	return &NormConstraint{name: "unit_norm", axis: p.Axis, params: p, defaults: unitNormDefaults}
}

// MinMaxNorm returns Keras's MinMaxNorm ("min_max_norm"): each vector's
// norm n becomes rate*clip(n, min_value, max_value) + (1-rate)*n
// (w *= that/(eps + n)). Options: see MinMaxNormOption.
func MinMaxNorm(opts ...MinMaxNormOption) *NormConstraint {
	return newMinMaxNorm(build(minMaxNormDefaults, opts, MinMaxNormOption.applyMinMaxNorm))
}

func newMinMaxNorm(p MinMaxNormParams) *NormConstraint {
	p.Axis = axesOf(p.Axis)
	c := &NormConstraint{name: "min_max_norm", min: p.MinValue, max: p.MaxValue, rate: p.Rate, axis: p.Axis,
		params: p, defaults: minMaxNormDefaults}
	c.err = finite("min_max_norm", p)
	switch {
	case c.err != nil:
	case c.min < 0 || c.min > c.max:
		c.err = invalid("min_max_norm", "min_value", c.min, "must be in [0, max_value] (max_value "+fmt.Sprint(c.max)+")")
	case c.rate < 0 || c.rate > 1:
		c.err = invalid("min_max_norm", "rate", c.rate, "must be in [0, 1]")
	}
	return c
}

// finite returns the error for the first parameter of p that is NaN or
// infinite.
func finite(name string, p any) error {
	if err := hparams.CheckFinite(name, p); err != nil {
		return errors.Wrap(err, "constraints")
	}
	return nil
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

// Config returns the serialisable form.
func (c *NormConstraint) Config() Config {
	return Config{Name: c.name, Params: hparams.Diff(c.params, c.defaults)}
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
type NonNegConstraint struct{}

// NonNeg returns Keras's NonNeg ("non_neg"): w = max(w, 0). It takes no
// options.
func NonNeg() *NonNegConstraint { return &NonNegConstraint{} }

// Name returns "non_neg".
func (*NonNegConstraint) Name() string { return "non_neg" }

// Err returns nil: NonNeg has no options to get wrong.
func (*NonNegConstraint) Err() error { return nil }

// CheckShape accepts every shape.
func (*NonNegConstraint) CheckShape([]int) error { return nil }

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

// Config returns {"name": "non_neg"}.
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

// Factory builds a constraint from its Config (for user-defined
// constraints, see Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Constraint, error)

var constraintRegistry = registry.New[Factory]("constraints", "constraint")

// builtin registers a built-in constraint: defaults are its parameters'
// defaults and make builds it from decoded ones.
func builtin[P any, C Constraint](name string, defaults P, make func(P) C) {
	constraintRegistry.Builtin(name, func(c Config) (Constraint, error) {
		p := defaults
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "constraints")
		}
		con := make(p)
		if err := Err(con); err != nil {
			return nil, err
		}
		return con, nil
	})
}

// none is the parameters of a constraint that has none.
type none struct{}

func init() {
	builtin("max_norm", maxNormDefaults, newMaxNorm)
	builtin("unit_norm", unitNormDefaults, newUnitNorm)
	builtin("min_max_norm", minMaxNormDefaults, newMinMaxNorm)
	builtin("non_neg", none{}, func(none) *NonNegConstraint { return NonNeg() })
}

// Register makes a user-defined constraint available by name to Get,
// FromConfig and Resolve, and so to layers and keras.Load. factory
// receives the Config (the name, and the params JSON the constraint was
// saved with) and decodes the params itself. It returns an error when
// name is empty or already taken (names differing only in case or
// underscores count as the same, so "MaxNorm" is taken).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "constraints: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(constraintRegistry, name); err == nil && name != "" {
		return errors.Errorf("constraints: Register: constraint %q is already registered (as %q)", name, found)
	}
	return constraintRegistry.Register(name, factory)
}

// Get returns the constraint with the given Keras name and its defaults
// ("max_norm", or the class name "MaxNorm"). An unknown name gives a
// *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Constraint, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a constraint from its serialisable form. An unknown
// name gives a *kerrors.UnknownNameError; a parameter the constraint does
// not take, of the wrong type or out of range a *kerrors.OptionError
// naming it.
func FromConfig(c Config) (Constraint, error) {
	f, _, err := hparams.Lookup(constraintRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known constraint names, sorted.
func Names() []string { return constraintRegistry.Names() }

// Resolve turns what the layers' constraint options accept into a
// Constraint: a Keras name (string, as for Get) or a Constraint value. A
// Constraint built with an invalid option gives its error. Any other
// type, nil included, gives a *kerrors.OptionError.
func Resolve(spec interface{}) (Constraint, error) {
	switch v := spec.(type) {
	case string:
		return Get(v)
	case Constraint:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "constraint", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string) or a constraints.Constraint"}, "constraints")
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
