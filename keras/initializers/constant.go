package initializers

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// ConstantInitializer fills every element with one value: "zeros",
// "ones" or "constant".
type ConstantInitializer struct {
	name  string
	value float64
	err   error
}

// ConstantParams are Constant's parameters.
type ConstantParams struct {
	// Value fills every element (default 0, finite).
	Value float64 `json:"value"`
}

// Zeros returns an initializer that fills with 0 ("zeros"), Keras's bias
// default. It takes no options.
func Zeros() *ConstantInitializer { return &ConstantInitializer{name: "zeros"} }

// Ones returns an initializer that fills with 1 ("ones"). It takes no
// options.
func Ones() *ConstantInitializer { return &ConstantInitializer{name: "ones", value: 1} }

// Constant returns an initializer that fills with value ("constant";
// Keras's default value is 0). It takes no options.
func Constant(value float64) *ConstantInitializer {
	c := &ConstantInitializer{name: "constant", value: value}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		c.err = invalid("constant", "value", value, "must be finite")
	}
	return c
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

// Config returns the serialisable form.
func (c *ConstantInitializer) Config() Config {
	if c.name != "constant" {
		return Config{Name: c.name}
	}
	return Config{Name: c.name, Params: hparams.Diff(ConstantParams{Value: c.value}, ConstantParams{})}
}

// IdentityInitializer fills a matrix with gain times the identity.
type IdentityInitializer struct {
	p   IdentityParams
	err error
}

// IdentityParams are Identity's parameters.
type IdentityParams struct {
	// Gain multiplies the identity (default 1, finite).
	Gain float64 `json:"gain"`
}

var identityDefaults = IdentityParams{Gain: 1}

// Identity returns the identity initializer ("identity"): gain on the
// main diagonal of a two-axis weight (which need not be square), 0
// elsewhere. Options: see IdentityOption.
func Identity(opts ...IdentityOption) *IdentityInitializer {
	return newIdentity(build(identityDefaults, opts, IdentityOption.applyIdentity))
}

func newIdentity(p IdentityParams) *IdentityInitializer {
	return &IdentityInitializer{p: p, err: finite("identity", p)}
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
		v[r*shape[1]+r] = i.p.Gain
	}
	return v
}

// Params returns the parameters.
func (i *IdentityInitializer) Params() IdentityParams { return i.p }

// Config returns the serialisable form.
func (i *IdentityInitializer) Config() Config {
	return Config{Name: "identity", Params: hparams.Diff(i.p, identityDefaults)}
}
