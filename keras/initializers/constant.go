package initializers

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
)

// ConstantInitializer fills every element with one value: "zeros",
// "ones" or "constant".
type ConstantInitializer struct {
	name  string
	value float64
	err   error
}

// Zeros returns an initializer that fills with 0 ("zeros"), Keras's bias
// default. It takes no options.
func Zeros(opts ...Option) *ConstantInitializer { return newConstant("zeros", 0, opts) }

// Ones returns an initializer that fills with 1 ("ones"). It takes no
// options.
func Ones(opts ...Option) *ConstantInitializer { return newConstant("ones", 1, opts) }

// Constant returns an initializer that fills with value ("constant";
// Keras's default value is 0). It takes no options.
func Constant(value float64, opts ...Option) *ConstantInitializer {
	return newConstant("constant", value, opts)
}

func newConstant(name string, value float64, options []Option) *ConstantInitializer {
	_, err := collect(name, options)
	if err == nil && (math.IsNaN(value) || math.IsInf(value, 0)) {
		err = errors.Errorf("initializers: constant: value = %v", value)
	}
	return &ConstantInitializer{name: name, value: value, err: err}
}

// Name returns "zeros", "ones" or "constant".
func (c *ConstantInitializer) Name() string { return c.name }

// Err returns the error found in the options, or nil.
func (c *ConstantInitializer) Err() error { return c.err }

// Init returns prod(shape) copies of the value; rng is not used.
func (c *ConstantInitializer) Init(_ *rand.Rand, shape []int) []float64 {
	v := make([]float64, size(shape))
	if c.value != 0 {
		for i := range v {
			v[i] = c.value
		}
	}
	return v
}

// Config returns the initializer's parameters.
func (c *ConstantInitializer) Config() Config {
	if c.name != "constant" {
		return Config{Name: c.name}
	}
	return Config{Name: c.name, Params: map[string]float64{"value": c.value}}
}

// IdentityInitializer fills a matrix with gain times the identity.
type IdentityInitializer struct {
	gain float64
	err  error
}

// Identity returns the identity initializer ("identity"): gain on the
// main diagonal of a two-axis weight (which need not be square), 0
// elsewhere. Options: Gain (default 1).
func Identity(opts ...Option) *IdentityInitializer {
	o, err := collect("identity", opts, "gain")
	return &IdentityInitializer{gain: o.get("gain", 1), err: err}
}

// Name returns "identity".
func (*IdentityInitializer) Name() string { return "identity" }

// Err returns the error found in the options, or nil.
func (i *IdentityInitializer) Err() error { return i.err }

// CheckShape accepts two-axis shapes only.
func (*IdentityInitializer) CheckShape(shape []int) error {
	if len(shape) != 2 {
		return errors.Errorf("initializers: identity fills two-axis weights only, got shape %v", shape)
	}
	return nil
}

// Init returns gain*eye(rows, cols); for a shape that is not two-axis it
// returns zeros (CheckShape reports the problem).
func (i *IdentityInitializer) Init(_ *rand.Rand, shape []int) []float64 {
	v := make([]float64, size(shape))
	if len(shape) != 2 {
		return v
	}
	for r := 0; r < shape[0] && r < shape[1]; r++ {
		v[r*shape[1]+r] = i.gain
	}
	return v
}

// Config returns the initializer's parameters.
func (i *IdentityInitializer) Config() Config {
	return Config{Name: "identity", Params: map[string]float64{"gain": i.gain}}
}
