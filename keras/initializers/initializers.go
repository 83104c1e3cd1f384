package initializers

import (
	"encoding/json"
	"fmt"
	"math/rand"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
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

// Config is the serialisable form of an initializer:
//
//	{"name": "variance_scaling", "params": {"scale": 2, "mode": "fan_avg", "seed": 3}}
//
// Params is the JSON of the initializer's typed parameters (NormalParams,
// VarianceScalingParams, ...) with Keras's keyword names, holding those
// that differ from the defaults; it is absent when all are defaults. Seed
// is a parameter like the others. Decoding also reads the form written
// before the parameters were typed, with mode, distribution and seed
// beside params instead of inside.
type Config struct {
	// Name is the initializer's Keras name.
	Name string `json:"name"`
	// Params holds the non-default parameters as a JSON object (nil:
	// none).
	Params json.RawMessage `json:"params,omitempty"`
}

// UnmarshalJSON decodes a Config, moving the top-level mode, distribution
// and seed of older files into Params.
func (c *Config) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name         string          `json:"name"`
		Params       json.RawMessage `json:"params"`
		Mode         json.RawMessage `json:"mode"`
		Distribution json.RawMessage `json:"distribution"`
		Seed         json.RawMessage `json:"seed"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	params, err := mergeLegacy(raw.Params, map[string]json.RawMessage{"mode": raw.Mode, "distribution": raw.Distribution, "seed": raw.Seed})
	if err != nil {
		return err
	}
	c.Name, c.Params = raw.Name, params
	return nil
}

// mergeLegacy adds the legacy top-level values to the params object
// (params win), or returns params unchanged when there are none.
func mergeLegacy(params json.RawMessage, legacy map[string]json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	for k, v := range legacy {
		if len(v) > 0 && string(v) != "null" {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return params, nil
	}
	if !hparams.Empty(params) {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		for k, v := range p {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Configurable is implemented by every initializer of this package.
type Configurable interface {
	Config() Config
}

// ConfigOf returns i's serialisable form: its Config, or its name alone
// for an initializer that has no Config method.
func ConfigOf(i Initializer) Config {
	if c, ok := i.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: i.Name()}
}

// Factory builds an initializer from its Config (for user-defined
// initializers, see Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Initializer, error)

var initializerRegistry = registry.New[Factory]("initializers", "initializer")

// builtin registers a built-in initializer: defaults are its parameters'
// defaults and make builds it from decoded ones.
func builtin[P any, I Initializer](name string, defaults P, make func(P) I) {
	initializerRegistry.Builtin(name, func(c Config) (Initializer, error) {
		p := defaults
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "initializers")
		}
		i := make(p)
		if err := Err(i); err != nil {
			return nil, err
		}
		return i, nil
	})
}

// none is the parameters of an initializer that has none.
type none struct{}

func init() {
	builtin("zeros", none{}, func(none) *ConstantInitializer { return Zeros() })
	builtin("ones", none{}, func(none) *ConstantInitializer { return Ones() })
	builtin("constant", ConstantParams{}, func(p ConstantParams) *ConstantInitializer { return Constant(p.Value) })
	builtin("random_normal", normalDefaults, func(p NormalParams) *RandomInitializer { return newNormal("random_normal", p) })
	builtin("truncated_normal", normalDefaults, func(p NormalParams) *RandomInitializer { return newNormal("truncated_normal", p) })
	builtin("random_uniform", uniformDefaults, newUniform)
	builtin("variance_scaling", varianceScalingDefaults, newVarianceScaling)
	for _, n := range namedScalings {
		n := n
		builtin(n.name, SeedParams{}, func(p SeedParams) *VarianceScalingInitializer { return n.make(p) })
	}
	builtin("orthogonal", orthogonalDefaults, newOrthogonal)
	builtin("identity", identityDefaults, newIdentity)
}

// Register makes a user-defined initializer available by name to Get,
// FromConfig and Resolve, and so to layers and keras.Load. factory
// receives the Config (the name, and the params JSON the initializer was
// saved with) and decodes the params itself. It returns an error when
// name is empty or already taken (names differing only in case or
// underscores count as the same, so "GlorotUniform" is taken).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "initializers: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(initializerRegistry, name); err == nil && name != "" {
		return errors.Errorf("initializers: Register: initializer %q is already registered (as %q)", name, found)
	}
	return initializerRegistry.Register(name, factory)
}

// Get returns the initializer with the given Keras name and its defaults
// ("he_normal", or the class name "HeNormal"). An unknown name gives a
// *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Initializer, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds an initializer from its serialisable form. An
// unknown name gives a *kerrors.UnknownNameError; a parameter the
// initializer does not take, of the wrong type or out of range a
// *kerrors.OptionError naming it.
func FromConfig(c Config) (Initializer, error) {
	f, _, err := hparams.Lookup(initializerRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known initializer names, sorted.
func Names() []string { return initializerRegistry.Names() }

// Resolve turns what the layers' initializer options accept into an
// Initializer: a Keras name (string, as for Get) or an Initializer value.
// An Initializer built with invalid options gives its error. Any other
// type, nil included, gives a *kerrors.OptionError.
func Resolve(spec interface{}) (Initializer, error) {
	switch v := spec.(type) {
	case string:
		return Get(v)
	case Initializer:
		if err := Err(v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "initializer", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string) or an initializers.Initializer"}, "initializers")
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

// RandomNormalOption is an option of RandomNormal: Mean, Stddev and Seed.
type RandomNormalOption interface{ applyRandomNormal(*NormalParams) }

// TruncatedNormalOption is an option of TruncatedNormal: Mean, Stddev and
// Seed.
type TruncatedNormalOption interface{ applyTruncatedNormal(*NormalParams) }

// RandomUniformOption is an option of RandomUniform: Minval, Maxval and
// Seed.
type RandomUniformOption interface{ applyRandomUniform(*UniformParams) }

// VarianceScalingOption is an option of VarianceScaling: Scale, Mode,
// Distribution and Seed.
type VarianceScalingOption interface {
	applyVarianceScaling(*VarianceScalingParams)
}

// GlorotUniformOption is an option of GlorotUniform: Seed.
type GlorotUniformOption interface{ applyGlorotUniform(*SeedParams) }

// GlorotNormalOption is an option of GlorotNormal: Seed.
type GlorotNormalOption interface{ applyGlorotNormal(*SeedParams) }

// HeUniformOption is an option of HeUniform: Seed.
type HeUniformOption interface{ applyHeUniform(*SeedParams) }

// HeNormalOption is an option of HeNormal: Seed.
type HeNormalOption interface{ applyHeNormal(*SeedParams) }

// LecunUniformOption is an option of LecunUniform: Seed.
type LecunUniformOption interface{ applyLecunUniform(*SeedParams) }

// LecunNormalOption is an option of LecunNormal: Seed.
type LecunNormalOption interface{ applyLecunNormal(*SeedParams) }

// OrthogonalOption is an option of Orthogonal: Gain and Seed.
type OrthogonalOption interface{ applyOrthogonal(*OrthogonalParams) }

// IdentityOption is an option of Identity: Gain.
type IdentityOption interface{ applyIdentity(*IdentityParams) }

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

// SeedOption is the option Seed returns; every random initializer takes
// it.
type SeedOption int64

func (o SeedOption) seed() *int64 { s := int64(o); return &s }

func (o SeedOption) applyRandomNormal(p *NormalParams)             { p.Seed = o.seed() }
func (o SeedOption) applyTruncatedNormal(p *NormalParams)          { p.Seed = o.seed() }
func (o SeedOption) applyRandomUniform(p *UniformParams)           { p.Seed = o.seed() }
func (o SeedOption) applyVarianceScaling(p *VarianceScalingParams) { p.Seed = o.seed() }
func (o SeedOption) applyGlorotUniform(p *SeedParams)              { p.Seed = o.seed() }
func (o SeedOption) applyGlorotNormal(p *SeedParams)               { p.Seed = o.seed() }
func (o SeedOption) applyHeUniform(p *SeedParams)                  { p.Seed = o.seed() }
func (o SeedOption) applyHeNormal(p *SeedParams)                   { p.Seed = o.seed() }
func (o SeedOption) applyLecunUniform(p *SeedParams)               { p.Seed = o.seed() }
func (o SeedOption) applyLecunNormal(p *SeedParams)                { p.Seed = o.seed() }
func (o SeedOption) applyOrthogonal(p *OrthogonalParams)           { p.Seed = o.seed() }

// Seed makes a random initializer draw from its own stream seeded with
// seed instead of the model's: every call then returns the same values
// ("seed"; default none).
func Seed(seed int64) SeedOption { return SeedOption(seed) }

// MeanOption is the option Mean returns; RandomNormal and TruncatedNormal
// take it.
type MeanOption float64

func (o MeanOption) applyRandomNormal(p *NormalParams)    { p.Mean = float64(o) }
func (o MeanOption) applyTruncatedNormal(p *NormalParams) { p.Mean = float64(o) }

// Mean sets the mean of RandomNormal and TruncatedNormal (default 0).
func Mean(m float64) MeanOption { return MeanOption(m) }

// StddevOption is the option Stddev returns; RandomNormal and
// TruncatedNormal take it.
type StddevOption float64

func (o StddevOption) applyRandomNormal(p *NormalParams)    { p.Stddev = float64(o) }
func (o StddevOption) applyTruncatedNormal(p *NormalParams) { p.Stddev = float64(o) }

// Stddev sets the standard deviation of RandomNormal and TruncatedNormal
// (default 0.05, >= 0); TruncatedNormal's is before truncation.
func Stddev(s float64) StddevOption { return StddevOption(s) }

type uniformOption func(*UniformParams)

func (o uniformOption) applyRandomUniform(p *UniformParams) { o(p) }

// Minval sets RandomUniform's lower bound, inclusive (default -0.05).
func Minval(v float64) RandomUniformOption {
	return uniformOption(func(p *UniformParams) { p.Minval = v })
}

// Maxval sets RandomUniform's upper bound, exclusive (default 0.05).
func Maxval(v float64) RandomUniformOption {
	return uniformOption(func(p *UniformParams) { p.Maxval = v })
}

// GainOption is the option Gain returns; Orthogonal and Identity take it.
type GainOption float64

func (o GainOption) applyOrthogonal(p *OrthogonalParams) { p.Gain = float64(o) }
func (o GainOption) applyIdentity(p *IdentityParams)     { p.Gain = float64(o) }

// Gain sets the factor Orthogonal and Identity multiply by (default 1).
func Gain(g float64) GainOption { return GainOption(g) }

type scalingOption func(*VarianceScalingParams)

func (o scalingOption) applyVarianceScaling(p *VarianceScalingParams) { o(p) }

// Scale sets VarianceScaling's scale (default 1, > 0).
func Scale(s float64) VarianceScalingOption {
	return scalingOption(func(p *VarianceScalingParams) { p.Scale = s })
}

// Mode sets which fan VarianceScaling divides by: "fan_in" (default),
// "fan_out" or "fan_avg".
func Mode(m string) VarianceScalingOption {
	return scalingOption(func(p *VarianceScalingParams) { p.Mode = m })
}

// Distribution sets VarianceScaling's distribution: "truncated_normal"
// (default; "normal" is accepted for it), "untruncated_normal" or
// "uniform".
func Distribution(d string) VarianceScalingOption {
	return scalingOption(func(p *VarianceScalingParams) { p.Distribution = d })
}

// invalid returns the error for a parameter out of range.
func invalid(name, key string, v any, msg string) error {
	return errors.Wrap(hparams.Invalid(name, key, v, msg), "initializers")
}

// finite returns the error for the first parameter of p that is NaN or
// infinite.
func finite(name string, p any) error {
	if err := hparams.CheckFinite(name, p); err != nil {
		return errors.Wrap(err, "initializers")
	}
	return nil
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
