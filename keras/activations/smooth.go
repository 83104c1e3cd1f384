package activations

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// sigmoid is 1/(1+exp(-x)) without overflow for any x.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1+exp(x)) without overflow for any x.
func softplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// Sigmoid returns 1 / (1 + exp(-x)) ("sigmoid"), computed without
// overflow. Followed by binary cross-entropy, the loss is computed from
// the sigmoid's input. It takes no options.
func Sigmoid() *Func {
	return elementwise("sigmoid", "sigmoid", sigmoid,
		func(_, y float64) float64 { return y * (1 - y) })
}

// Tanh returns the hyperbolic tangent ("tanh"). It takes no options.
func Tanh() *Func {
	return elementwise("tanh", "tanh", math.Tanh,
		func(_, y float64) float64 { return 1 - y*y })
}

// Softplus returns log(exp(x) + 1) ("softplus"), computed without
// overflow. It takes no options.
func Softplus() *Func {
	return elementwise("softplus", "softplus", softplus,
		func(x, _ float64) float64 { return sigmoid(x) })
}

// Softsign returns x / (|x| + 1) ("softsign"). It takes no options.
func Softsign() *Func {
	return elementwise("softsign", "softsign",
		func(x float64) float64 { return x / (math.Abs(x) + 1) },
		func(x, _ float64) float64 {
			d := math.Abs(x) + 1
			return 1 / (d * d)
		})
}

// SiLU returns x * sigmoid(x) ("silu", alias "swish"). It takes no
// options.
func SiLU() *Func {
	return elementwise("silu", "silu",
		func(x float64) float64 { return x * sigmoid(x) },
		func(x, _ float64) float64 {
			s := sigmoid(x)
			return s * (1 + x*(1-s))
		})
}

// Constants of GELU's tanh approximation: sqrt(2/pi) and the cubic
// coefficient.
const (
	geluC = 0.7978845608028654
	geluK = 0.044715
)

// GELUParams are GELU's parameters.
type GELUParams struct {
	// Approximate uses the tanh approximation (default false).
	Approximate bool `json:"approximate"`
}

// GELU returns the Gaussian error linear unit ("gelu"):
// 0.5 * x * (1 + erf(x / sqrt(2))), or with Approximate(true)
// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). Approximate
// defaults to false, as in Keras 3. Options: see GELUOption.
func GELU(opts ...GELUOption) *Func {
	var p GELUParams
	for _, o := range opts {
		if o != nil {
			o.applyGELU(&p)
		}
	}
	return newGELU(p)
}

func newGELU(p GELUParams) *Func {
	f := &Func{name: "gelu", params: p, defaults: GELUParams{}}
	if p.Approximate {
		f.apply = elementwiseApply("gelu(approximate=true)",
			func(x float64) float64 {
				return 0.5 * x * (1 + math.Tanh(geluC*(x+geluK*x*x*x)))
			},
			func(x, _ float64) float64 {
				t := math.Tanh(geluC * (x + geluK*x*x*x))
				return 0.5*(1+t) + 0.5*x*(1-t*t)*geluC*(1+3*geluK*x*x)
			})
		return f
	}
	f.apply = elementwiseApply("gelu(approximate=false)",
		func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) },
		func(x, _ float64) float64 {
			return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
		})
	return f
}

// Mish returns x * tanh(softplus(x)) ("mish"). It takes no options.
func Mish() *Func {
	return elementwise("mish", "mish",
		func(x float64) float64 { return x * math.Tanh(softplus(x)) },
		func(x, _ float64) float64 {
			t := math.Tanh(softplus(x))
			return t + x*(1-t*t)*sigmoid(x)
		})
}

// Exponential returns exp(x) ("exponential"). It takes no options.
func Exponential() *Func {
	return elementwise("exponential", "exponential", math.Exp,
		func(_, y float64) float64 { return y })
}

// HardSigmoid returns Keras 3's hard sigmoid ("hard_sigmoid"):
// relu6(x + 3) / 6, that is 0 for x <= -3, 1 for x >= 3 and x/6 + 0.5
// between. (Keras 2 used 0.2x + 0.5 clipped to [0, 1].) It takes no
// options.
func HardSigmoid() *Func {
	return elementwise("hard_sigmoid", "hard_sigmoid",
		func(x float64) float64 { return math.Min(math.Max(x+3, 0), 6) / 6 },
		func(x, _ float64) float64 {
			if x > -3 && x < 3 {
				return 1.0 / 6
			}
			return 0
		})
}

// HardSiLU returns x * hard_sigmoid(x) ("hard_silu", alias
// "hard_swish"): 0 for x <= -3, x for x >= 3 and x(x+3)/6 between. It
// takes no options.
func HardSiLU() *Func {
	return elementwise("hard_silu", "hard_silu",
		func(x float64) float64 { return x * math.Min(math.Max(x+3, 0), 6) / 6 },
		func(x, _ float64) float64 {
			switch {
			case x <= -3:
				return 0
			case x >= 3:
				return 1
			}
			return (2*x + 3) / 6
		})
}

// Softmax returns exp(x) / sum(exp(x)) over the last axis ("softmax";
// Keras's default axis -1, the only one supported), computed with the
// row maximum subtracted. Followed by categorical cross-entropy, the loss
// is computed from the softmax's input. It takes no options.
func Softmax() *Func { return simple("softmax", backend.Softmax) }

// LogSoftmax returns x - log(sum(exp(x))) over the last axis
// ("log_softmax"; axis -1 only), computed stably. It takes no options.
func LogSoftmax() *Func { return simple("log_softmax", backend.LogSoftmax) }
