package activations

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Linear returns the identity activation ("linear"), Keras's default. It
// takes no options.
func Linear(opts ...Option) *Func {
	_, given, err := collect("linear", opts)
	return &Func{name: "linear", params: given, err: err, apply: func(x *G.Node) (*G.Node, error) { return x, nil }}
}

// ReLU returns the rectified linear unit ("relu"). With Keras 3's defaults
// (NegativeSlope 0, no MaxValue, Threshold 0) it is max(x, 0). In general
// it is min(x, max_value) for x > threshold and
// negative_slope * (x - threshold) below, exactly as keras.activations.relu
// computes it (including its behaviour for a negative threshold together
// with a max_value: the result is then clipped to [0, max_value] above the
// threshold). Options: NegativeSlope (>= 0), MaxValue (>= 0), Threshold.
func ReLU(opts ...Option) *Func {
	vals, given, err := collect("relu", opts,
		param{"negative_slope", 0, nonNegative},
		param{"max_value", math.NaN(), nonNegative},
		param{"threshold", 0, finite})
	a, m, th := vals["negative_slope"], vals["max_value"], vals["threshold"]
	clip := !math.IsNaN(m)
	if !clip && a == 0 && th == 0 {
		// The common case: the allocation-free ReLU op.
		return &Func{name: "relu", params: given, err: err, apply: backend.Relu}
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
	return elementwise("relu", given, err, label, f, df)
}

// LeakyReLU returns x for x >= 0 and negative_slope * x below
// ("leaky_relu"). NegativeSlope defaults to 0.2, Keras 3's default for
// the activation function (the LeakyReLU layer's default is 0.3).
func LeakyReLU(opts ...Option) *Func {
	vals, given, err := collect("leaky_relu", opts, param{"negative_slope", 0.2, nonNegative})
	a := vals["negative_slope"]
	return elementwise("leaky_relu", given, err, fmt.Sprintf("leaky_relu(negative_slope=%g)", a),
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
		})
}

// ReLU6 returns min(max(x, 0), 6) ("relu6"). It takes no options.
func ReLU6(opts ...Option) *Func {
	_, given, err := collect("relu6", opts)
	return elementwise("relu6", given, err, "relu6",
		func(x float64) float64 { return math.Min(math.Max(x, 0), 6) },
		func(x, _ float64) float64 {
			if x > 0 && x < 6 {
				return 1
			}
			return 0
		})
}

// ELU returns the exponential linear unit ("elu"): x for x > 0 and
// alpha * (exp(x) - 1) below. Alpha defaults to 1.
func ELU(opts ...Option) *Func {
	vals, given, err := collect("elu", opts, param{"alpha", 1, finite})
	a := vals["alpha"]
	return elementwise("elu", given, err, fmt.Sprintf("elu(alpha=%g)", a),
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
		})
}

// SELU's fixed constants (Klambauer et al., 2017), as in Keras.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// SELU returns the scaled exponential linear unit ("selu"):
// scale * x for x > 0 and scale * alpha * (exp(x) - 1) below, with
// alpha = 1.67326324 and scale = 1.05070098. It takes no options.
func SELU(opts ...Option) *Func {
	_, given, err := collect("selu", opts)
	return elementwise("selu", given, err, "selu",
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
