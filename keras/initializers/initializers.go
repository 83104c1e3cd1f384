package initializers

import (
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Initializer produces initial values for a weight of the given shape.
type Initializer interface {
	// Name returns the Keras name ("glorot_uniform").
	Name() string
	// Init returns prod(shape) values in row-major order, drawn from rng.
	Init(rng *rand.Rand, shape []int) []float64
}

// Config is the serialisable form of an initializer.
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
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

var registry = map[string]func(params map[string]float64) (Initializer, error){
	"zeros":          func(map[string]float64) (Initializer, error) { return Zeros(), nil },
	"glorot_uniform": func(map[string]float64) (Initializer, error) { return GlorotUniform(), nil },
}

// Register makes an initializer available by name (for user-defined
// initializers). It returns an error if name is taken.
func Register(name string, make func(params map[string]float64) (Initializer, error)) error {
	if _, ok := registry[name]; ok {
		return errors.Errorf("initializers: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns the initializer with the given Keras name, or an error that
// lists the known names.
func Get(name string) (Initializer, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds an initializer from its serialisable form.
func FromConfig(c Config) (Initializer, error) {
	make, ok := registry[c.Name]
	if !ok {
		return nil, errors.Errorf("initializers: unknown initializer %q (known: %s)", c.Name, strings.Join(Names(), ", "))
	}
	return make(c.Params)
}

// Names returns the known initializer names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve turns a Keras name or an Initializer into an Initializer.
func Resolve(i interface{}) (Initializer, error) {
	switch v := i.(type) {
	case string:
		return Get(v)
	case Initializer:
		return v, nil
	}
	return nil, errors.Errorf("initializers: %T is neither a name nor an Initializer", i)
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

type zeros struct{}

// Zeros returns an initializer that fills with 0 ("zeros"), Keras's bias
// default.
func Zeros() Initializer { return zeros{} }

func (zeros) Name() string                             { return "zeros" }
func (zeros) Init(_ *rand.Rand, shape []int) []float64 { return make([]float64, size(shape)) }

type glorotUniform struct{}

// GlorotUniform returns the Glorot (Xavier) uniform initializer
// ("glorot_uniform"), Keras's kernel default: U(-limit, limit) with
// limit = sqrt(6 / (fan_in + fan_out)).
func GlorotUniform() Initializer { return glorotUniform{} }

func (glorotUniform) Name() string { return "glorot_uniform" }
func (glorotUniform) Init(rng *rand.Rand, shape []int) []float64 {
	in, out := Fans(shape)
	limit := math.Sqrt(6 / (in + out))
	v := make([]float64, size(shape))
	for i := range v {
		v[i] = (2*rng.Float64() - 1) * limit
	}
	return v
}
