package activations

import (
	"encoding/json"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// Func is a built-in activation: its Keras name, its typed parameters and
// the graph function it applies. The constructors (ReLU, ELU, GELU, ...)
// return one; Get builds one with Keras's defaults.
//
// A constructor never fails: a value out of range is remembered and
// reported by Err, by Apply, and by Resolve and FromConfig, so a layer
// given a bad activation fails when it is built and Compile reports it.
type Func struct {
	name     string
	params   any // the typed parameters (none{} for an activation without)
	defaults any
	apply    func(x *G.Node) (*G.Node, error)
	err      error
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

// Err returns the first invalid parameter value the activation was built
// with (a *kerrors.OptionError), or nil.
func (f *Func) Err() error { return f.err }

// Config returns the serialisable form: the name and the parameters that
// differ from Keras's defaults.
func (f *Func) Config() Config {
	return Config{Name: f.name, Params: hparams.Diff(f.params, f.defaults)}
}

// String returns the name with its non-default parameters in JSON
// notation, "relu(max_value=6,negative_slope=0.1)".
func (f *Func) String() string {
	var m map[string]json.RawMessage
	if d := hparams.Diff(f.params, f.defaults); d == nil || json.Unmarshal(d, &m) != nil {
		return f.name
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + string(m[k])
	}
	return f.name + "(" + strings.Join(parts, ",") + ")"
}

// ReLUOption is an option of ReLU: NegativeSlope, MaxValue and Threshold.
type ReLUOption interface{ applyReLU(*ReLUParams) }

// LeakyReLUOption is an option of LeakyReLU: NegativeSlope.
type LeakyReLUOption interface{ applyLeakyReLU(*LeakyReLUParams) }

// ELUOption is an option of ELU: Alpha.
type ELUOption interface{ applyELU(*ELUParams) }

// GELUOption is an option of GELU: Approximate.
type GELUOption interface{ applyGELU(*GELUParams) }

// NegativeSlopeOption is the option NegativeSlope returns; ReLU and
// LeakyReLU take it.
type NegativeSlopeOption float64

func (o NegativeSlopeOption) applyReLU(p *ReLUParams)           { p.NegativeSlope = float64(o) }
func (o NegativeSlopeOption) applyLeakyReLU(p *LeakyReLUParams) { p.NegativeSlope = float64(o) }

// NegativeSlope sets the slope for inputs below the threshold
// ("negative_slope"): ReLU (default 0) and LeakyReLU (default 0.2). It
// must be finite and >= 0.
func NegativeSlope(v float64) NegativeSlopeOption { return NegativeSlopeOption(v) }

type reluOption func(*ReLUParams)

func (o reluOption) applyReLU(p *ReLUParams) { o(p) }

// MaxValue sets the largest value ReLU returns ("max_value"; default none,
// no upper bound). It must be finite and >= 0.
func MaxValue(v float64) ReLUOption { return reluOption(func(p *ReLUParams) { p.MaxValue = &v }) }

// Threshold sets the input value below which ReLU damps its input
// ("threshold"; default 0, finite).
func Threshold(v float64) ReLUOption { return reluOption(func(p *ReLUParams) { p.Threshold = v }) }

type alphaOption float64

func (o alphaOption) applyELU(p *ELUParams) { p.Alpha = float64(o) }

// Alpha sets ELU's scale for negative inputs ("alpha"; default 1, finite).
func Alpha(v float64) ELUOption { return alphaOption(v) }

type approximateOption bool

func (o approximateOption) applyGELU(p *GELUParams) { p.Approximate = bool(o) }

// Approximate makes GELU use the tanh approximation instead of the exact
// erf form ("approximate"; default false, as in Keras 3).
func Approximate(on bool) GELUOption { return approximateOption(on) }

// invalid returns the error for a parameter out of range.
func invalid(name, key string, v any, msg string) error {
	return errors.Wrap(hparams.Invalid(name, key, v, msg), "activations")
}

// nonNegative checks that v is finite and >= 0.
func nonNegative(name, key string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return invalid(name, key, v, "must be finite and >= 0")
	}
	return nil
}

// finite checks that v is finite.
func finite(name, key string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(name, key, v, "must be finite")
	}
	return nil
}

// simple returns an activation without parameters.
func simple(name string, apply func(x *G.Node) (*G.Node, error)) *Func {
	return &Func{name: name, params: none{}, defaults: none{}, apply: apply}
}

// elementwise returns an activation without parameters that applies the
// scalar function f to every element with backend.Elementwise. label
// names the function (it is the op's identity in the graph).
func elementwise(name, label string, f func(x float64) float64, df func(x, y float64) float64) *Func {
	return simple(name, elementwiseApply(label, f, df))
}

// elementwiseApply applies f with backend.Elementwise; label must name the
// function and every parameter it closes over.
func elementwiseApply(label string, f func(x float64) float64, df func(x, y float64) float64) func(x *G.Node) (*G.Node, error) {
	ef := backend.ElemFunc{Name: label, F: f, DF: df}
	return func(x *G.Node) (*G.Node, error) { return backend.Elementwise(x, ef) }
}
