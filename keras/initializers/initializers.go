package initializers

import (
	"math"
	"math/rand"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/names"
)

// Initializer produces initial values for a weight of the given shape.
type Initializer interface {
	// Name returns the Keras name ("glorot_uniform").
	Name() string
	// Init returns prod(shape) values in row-major order, drawn from rng.
	Init(rng *rand.Rand, shape []int) []float64
}

// ShapeChecker is implemented by initializers that only fill some shapes
// (orthogonal needs two axes or more, identity exactly two). Layers call
// it before Init and report its error.
type ShapeChecker interface {
	CheckShape(shape []int) error
}

// Config is the serialisable form of an initializer.
type Config struct {
	Name         string             `json:"name"`
	Params       map[string]float64 `json:"params,omitempty"`
	Mode         string             `json:"mode,omitempty"`
	Distribution string             `json:"distribution,omitempty"`
	Seed         *int64             `json:"seed,omitempty"`
}

// Configurable is implemented by initializers with parameters.
type Configurable interface {
	Config() Config
}

// ConfigOf returns i's serialisable form.
func ConfigOf(i Initializer) Config {
	if c, ok := i.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: i.Name()}
}

type factory struct {
	builtin func(c Config) Initializer
	custom  func(params map[string]float64) (Initializer, error)
}

func noArgs[T Initializer](f func(opts ...Option) T) factory {
	return factory{builtin: func(c Config) Initializer { return f(c.options()...) }}
}

var registry = map[string]factory{
	"zeros":            noArgs(Zeros),
	"ones":             noArgs(Ones),
	"constant":         {builtin: func(c Config) Initializer { return Constant(c.Params["value"], c.options()...) }},
	"random_normal":    noArgs(RandomNormal),
	"random_uniform":   noArgs(RandomUniform),
	"truncated_normal": noArgs(TruncatedNormal),
	"variance_scaling": noArgs(VarianceScaling),
	"glorot_normal":    noArgs(GlorotNormal),
	"glorot_uniform":   noArgs(GlorotUniform),
	"he_normal":        noArgs(HeNormal),
	"he_uniform":       noArgs(HeUniform),
	"lecun_normal":     noArgs(LecunNormal),
	"lecun_uniform":    noArgs(LecunUniform),
	"orthogonal":       noArgs(Orthogonal),
	"identity":         noArgs(Identity),
}

// options turns a Config back into options (the value of "constant" is
// positional and skipped here).
func (c Config) options() []Option {
	var out []Option
	for k, v := range c.Params {
		if k == "value" && c.Name == "constant" {
			continue
		}
		k, v := k, v
		out = append(out, func(o *opts) { o.set(k, v) })
	}
	if c.Mode != "" {
		out = append(out, Mode(c.Mode))
	}
	if c.Distribution != "" {
		out = append(out, Distribution(c.Distribution))
	}
	if c.Seed != nil {
		out = append(out, Seed(*c.Seed))
	}
	return out
}

// key normalises a name so that Keras's function and class spellings
// ("glorot_uniform", "GlorotUniform") find the same entry.
func key(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "")
}

func lookup(name string) (factory, bool) {
	if f, ok := registry[name]; ok {
		return f, true
	}
	for n, f := range registry {
		if key(n) == key(name) {
			return f, true
		}
	}
	return factory{}, false
}

// Register makes an initializer available by name (for user-defined
// initializers). It returns an error if name is taken.
func Register(name string, make func(params map[string]float64) (Initializer, error)) error {
	if _, ok := lookup(name); ok {
		return errors.Errorf("initializers: %q is already registered", name)
	}
	registry[name] = factory{custom: make}
	return nil
}

// Get returns the initializer with the given Keras name and its defaults
// ("he_normal", or the class name "HeNormal"), or an error that lists the
// known names.
func Get(name string) (Initializer, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds an initializer from its serialisable form. Invalid
// parameters give an error naming them.
func FromConfig(c Config) (Initializer, error) {
	f, ok := lookup(c.Name)
	if !ok {
		return nil, names.Unknown("initializers", "initializer", c.Name, Names())
	}
	if f.custom != nil {
		return f.custom(c.Params)
	}
	i := f.builtin(c)
	if err := Err(i); err != nil {
		return nil, err
	}
	return i, nil
}

// Names returns the known initializer names, sorted.
func Names() []string { return names.Sorted(names.Keys(registry)) }

// Resolve turns a Keras name or an Initializer into an Initializer. An
// Initializer built with invalid options gives its error.
func Resolve(i interface{}) (Initializer, error) {
	switch v := i.(type) {
	case string:
		return Get(v)
	case Initializer:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Errorf("initializers: %T is neither a name nor an Initializer", i)
}

// Err returns the error an initializer recorded at construction (an
// invalid option), or nil.
func Err(i Initializer) error {
	if e, ok := i.(interface{ Err() error }); ok {
		return e.Err()
	}
	return nil
}

// Fans returns Keras's fan_in and fan_out for a weight shape.
func Fans(shape []int) (fanIn, fanOut float64) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return float64(shape[0]), float64(shape[0])
	case 2:
		return float64(shape[0]), float64(shape[1])
	}
	receptive := 1
	for _, d := range shape[:len(shape)-2] {
		receptive *= d
	}
	return float64(shape[len(shape)-2] * receptive), float64(shape[len(shape)-1] * receptive)
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Option sets an optional parameter of an initializer, named like Keras's
// keyword. An initializer given an option it does not have records an
// error (see Err), which layers report at build time.
type Option func(*opts)

type opts struct {
	values       map[string]float64
	order        []string
	mode         *string
	distribution *string
	seed         *int64
}

func (o *opts) set(k string, v float64) {
	if o.values == nil {
		o.values = map[string]float64{}
	}
	if _, ok := o.values[k]; !ok {
		o.order = append(o.order, k)
	}
	o.values[k] = v
}

// Mean sets the mean of RandomNormal and TruncatedNormal (default 0).
func Mean(m float64) Option { return func(o *opts) { o.set("mean", m) } }

// Stddev sets the standard deviation of RandomNormal and TruncatedNormal
// (default 0.05, >= 0); TruncatedNormal's is before truncation.
func Stddev(s float64) Option { return func(o *opts) { o.set("stddev", s) } }

// Minval sets RandomUniform's lower bound, inclusive (default -0.05).
func Minval(v float64) Option { return func(o *opts) { o.set("minval", v) } }

// Maxval sets RandomUniform's upper bound, exclusive (default 0.05).
func Maxval(v float64) Option { return func(o *opts) { o.set("maxval", v) } }

// Gain sets the factor Orthogonal and Identity multiply by (default 1).
func Gain(g float64) Option { return func(o *opts) { o.set("gain", g) } }

// Scale sets VarianceScaling's scale (default 1, > 0).
func Scale(s float64) Option { return func(o *opts) { o.set("scale", s) } }

// Mode sets which fan VarianceScaling divides by: "fan_in" (default),
// "fan_out" or "fan_avg".
func Mode(m string) Option { return func(o *opts) { o.mode = &m } }

// Distribution sets VarianceScaling's distribution: "truncated_normal"
// (default; "normal" is accepted for it), "untruncated_normal" or
// "uniform".
func Distribution(d string) Option { return func(o *opts) { o.distribution = &d } }

// Seed makes a random initializer draw from its own stream seeded with
// seed instead of the model's: every call then returns the same values.
func Seed(seed int64) Option { return func(o *opts) { o.seed = &seed } }

// collect applies options and checks that every one given is allowed
// (names of the float parameters, plus "mode", "distribution", "seed").
func collect(name string, options []Option, allowed ...string) (opts, error) {
	var o opts
	for _, f := range options {
		if f != nil {
			f(&o)
		}
	}
	given := append([]string(nil), o.order...)
	if o.mode != nil {
		given = append(given, "mode")
	}
	if o.distribution != nil {
		given = append(given, "distribution")
	}
	if o.seed != nil {
		given = append(given, "seed")
	}
	for _, g := range given {
		ok := false
		for _, a := range allowed {
			ok = ok || a == g
		}
		if !ok {
			has := "no options"
			if len(allowed) > 0 {
				has = "it has: " + strings.Join(allowed, ", ")
			}
			return o, errors.Errorf("initializers: %s has no option %q (%s)", name, g, has)
		}
	}
	for _, k := range o.order {
		if v := o.values[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return o, errors.Errorf("initializers: %s: %s = %v", name, k, v)
		}
	}
	return o, nil
}

func (o *opts) get(k string, def float64) float64 {
	if v, ok := o.values[k]; ok {
		return v
	}
	return def
}

// seeded is embedded by the random initializers: it picks the stream.
type seeded struct {
	seed *int64
}

// stream returns the seed's own stream, or rng (a stream seeded with 0 if
// rng is nil).
func (s seeded) stream(rng *rand.Rand) *rand.Rand {
	if s.seed != nil {
		return rand.New(rand.NewSource(*s.seed))
	}
	if rng == nil {
		return rand.New(rand.NewSource(0))
	}
	return rng
}
