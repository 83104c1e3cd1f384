package activations

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Linear returns the identity activation ("linear"), Keras's default. It
// takes no options.
func Linear() *Func {
	return simple("linear", func(x *G.Node) (*G.Node, error) { return x, nil })
}

// ReLUParams are ReLU's parameters.
type ReLUParams struct {
	// NegativeSlope is the slope below the threshold (default 0, finite,
	// >= 0).
	NegativeSlope float64 `json:"negative_slope"`
	// MaxValue is the largest output (nil, the default: no bound; finite,
	// >= 0).
	MaxValue *float64 `json:"max_value"`
	// Threshold is where the slope changes (default 0, finite).
	Threshold float64 `json:"threshold"`
}

// ReLU returns the rectified linear unit ("relu"). With Keras 3's defaults
// (NegativeSlope 0, no MaxValue, Threshold 0) it is max(x, 0). In general
// it is min(x, max_value) for x > threshold and
// negative_slope * (x - threshold) below, exactly as keras.activations.relu
// computes it (including its behaviour for a negative threshold together
// with a max_value: the result is then clipped to [0, max_value] above the
// threshold). Options: see ReLUOption.
func ReLU(opts ...ReLUOption) *Func {
	var p ReLUParams
	for _, o := range opts {
		if o != nil {
			o.applyReLU(&p)
		}
	}
	return newReLU(p)
}

func newReLU(p ReLUParams) *Func {
	if p.MaxValue != nil {
		m := *p.MaxValue
		p.MaxValue = &m
	}
	a, th := p.NegativeSlope, p.Threshold
	m, clip := math.NaN(), p.MaxValue != nil
	var err error
	if clip {
		m = *p.MaxValue
		err = nonNegative("relu", "max_value", m)
	}
	if err = firstErr(nonNegative("relu", "negative_slope", a), err, finite("relu", "threshold", th)); err != nil {
		return &Func{name: "relu", params: p, defaults: ReLUParams{}, err: err, apply: backend.Relu}
	}
	if !clip && a == 0 && th == 0 {
		// The common case: the allocation-free ReLU op.
		return &Func{name: "relu", params: p, defaults: ReLUParams{}, apply: backend.Relu}
	}
	label := fmt.Sprintf("relu(negative_slope=%g,max_value=%g,threshold=%g)", a, m, th)
	f := func(x float64) float64 {
		pos := x
		if x <= th {
			pos = 0
		}
		if th == 0 && x < 0 {
			pos = 0
		}
		if clip {
			pos = math.Min(math.Max(pos, 0), m)
		}
		if a != 0 && x < th {
			pos -= a * (th - x)
		}
		return pos
	}
	df := func(x, _ float64) float64 {
		d, pos := 0.0, 0.0
		if x > th && (th != 0 || x > 0) {
			d, pos = 1, x
		}
		if clip && (pos < 0 || pos > m) {
			d = 0
		}
		if a != 0 && x < th {
			d += a
		}
		return d
	}
	return &Func{name: "relu", params: p, defaults: ReLUParams{}, apply: elementwiseApply(label, f, df)}
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// LeakyReLUParams are LeakyReLU's parameters.
type LeakyReLUParams struct {
	// NegativeSlope is the slope for x < 0 (default 0.2, finite, >= 0).
	NegativeSlope float64 `json:"negative_slope"`
}

var leakyReLUDefaults = LeakyReLUParams{NegativeSlope: 0.2}

// LeakyReLU returns x for x >= 0 and negative_slope * x below
// ("leaky_relu"). NegativeSlope defaults to 0.2, Keras 3's default for
// the activation function (the LeakyReLU layer's default is 0.3).
// Options: see LeakyReLUOption.
func LeakyReLU(opts ...LeakyReLUOption) *Func {
	p := leakyReLUDefaults
	for _, o := range opts {
		if o != nil {
			o.applyLeakyReLU(&p)
		}
	}
	return newLeakyReLU(p)
}

func newLeakyReLU(p LeakyReLUParams) *Func {
	a := p.NegativeSlope
	return &Func{name: "leaky_relu", params: p, defaults: leakyReLUDefaults, err: nonNegative("leaky_relu", "negative_slope", a),
		apply: elementwiseApply(fmt.Sprintf("leaky_relu(negative_slope=%g)", a),
			func(x float64) float64 {
				if x >= 0 {
					return x
				}
				return a * x
			},
			func(x, _ float64) float64 {
				if x >= 0 {
					return 1
				}
				return a
			})}
}

// ReLU6 returns min(max(x, 0), 6) ("relu6"). It takes no options.
func ReLU6() *Func {
	return elementwise("relu6", "relu6",
		func(x float64) float64 { return math.Min(math.Max(x, 0), 6) },
		func(x, _ float64) float64 {
			if x > 0 && x < 6 {
				return 1
			}
			return 0
		})
}

// ELUParams are ELU's parameters.
type ELUParams struct {
	// Alpha scales negative inputs (default 1, finite).
	Alpha float64 `json:"alpha"`
}

var eluDefaults = ELUParams{Alpha: 1}

// ELU returns the exponential linear unit ("elu"): x for x > 0 and
// alpha * (exp(x) - 1) below. Alpha defaults to 1. Options: see
// ELUOption.
func ELU(opts ...ELUOption) *Func {
	p := eluDefaults
	for _, o := range opts {
		if o != nil {
			o.applyELU(&p)
		}
	}
	return newELU(p)
}

func newELU(p ELUParams) *Func {
	a := p.Alpha
	return &Func{name: "elu", params: p, defaults: eluDefaults, err: finite("elu", "alpha", a),
		apply: elementwiseApply(fmt.Sprintf("elu(alpha=%g)", a),
			func(x float64) float64 {
				if x > 0 {
					return x
				}
				return a * math.Expm1(x)
			},
			func(x, _ float64) float64 {
				if x > 0 {
					return 1
				}
				return a * math.Exp(x)
			})}
}

// SELU's fixed constants (Klambauer et al., 2017), as in Keras.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// SELU returns the scaled exponential linear unit ("selu"):
// scale * x for x > 0 and scale * alpha * (exp(x) - 1) below, with
// alpha = 1.67326324 and scale = 1.05070098. It takes no options.
func SELU() *Func {
	return elementwise("selu", "selu",
		func(x float64) float64 {
			if x > 0 {
				return seluScale * x
			}
			return seluScale * seluAlpha * math.Expm1(x)
		},
		func(x, _ float64) float64 {
			if x > 0 {
				return seluScale
			}
			return seluScale * seluAlpha * math.Exp(x)
		})
}
