package backend

import (
	"math"

	"github.com/pkg/errors"
)

// rnnAct is an activation applied inside a recurrent cell. The fused gate
// kernels apply one to a whole block of gates with one call, so no
// function value is called per element.
type rnnAct int

const (
	actTanh rnnAct = iota
	actSigmoid
	actRelu
	actLinear
	actHardSigmoid
	actGelu
	actSilu
	// actKeras2HardSigmoid is Keras 2's and TensorFlow.js's hard sigmoid,
	// clip(0.2x + 0.5, 0, 1), the default recurrent_activation of
	// TensorFlow.js's LSTM and GRU (named "keras2_hard_sigmoid" so that it
	// is not mistaken for Keras 3's).
	actKeras2HardSigmoid
)

var rnnActNames = [...]string{"tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "gelu", "silu", "keras2_hard_sigmoid"}

func (a rnnAct) String() string { return rnnActNames[a] }

// parseRNNAct resolves a Keras activation name. "" gives def; "swish" is
// Keras 3's alias of "silu" (keras/src/activations/activations.py).
func parseRNNAct(name string, def rnnAct) (rnnAct, error) {
	switch name {
	case "":
		return def, nil
	case "swish":
		return actSilu, nil
	}
	for i, n := range rnnActNames {
		if n == name {
			return rnnAct(i), nil
		}
	}
	return 0, errors.Errorf("unknown activation %q (want one of tanh, sigmoid, relu, linear, hard_sigmoid, gelu, silu, keras2_hard_sigmoid)", name)
}

// needsInput reports whether the derivative of a needs the activation's
// input; for the others it follows from the output alone, so the tape keeps
// only outputs.
func (a rnnAct) needsInput() bool { return a == actGelu || a == actSilu }

// actForward applies a to v in place.
func actForward[T Float](a rnnAct, v []T) {
	switch s := any(v).(type) {
	case []float32:
		actForward32(a, s)
	case []float64:
		actForward64(a, s)
	}
}

// actScaleGrad multiplies g by a'(x) in place, where y = a(x) is the
// output and x the input (x is read only when a.needsInput()).
func actScaleGrad[T Float](a rnnAct, g, y, x []T) {
	y = y[:len(g)]
	switch a {
	case actTanh:
		for i, v := range y {
			g[i] *= 1 - v*v
		}
	case actSigmoid:
		for i, v := range y {
			g[i] *= v * (1 - v)
		}
	case actRelu:
		for i, v := range y {
			if v <= 0 {
				g[i] = 0
			}
		}
	case actLinear:
	case actHardSigmoid:
		// Keras 3: clip(x/6 + 1/2, 0, 1); slope 1/6 strictly inside.
		for i, v := range y {
			if v > 0 && v < 1 {
				g[i] *= 1.0 / 6
			} else {
				g[i] = 0
			}
		}
	case actKeras2HardSigmoid:
		// clip(0.2x + 0.5, 0, 1); slope 0.2 strictly inside.
		for i, v := range y {
			if v > 0 && v < 1 {
				g[i] *= 0.2
			} else {
				g[i] = 0
			}
		}
	case actGelu:
		x = x[:len(g)]
		for i, v := range x {
			g[i] *= T(geluGrad(float64(v)))
		}
	case actSilu:
		x = x[:len(g)]
		for i, v := range x {
			s := 1 / (1 + math.Exp(-float64(v)))
			g[i] *= T(s * (1 + float64(v)*(1-s)))
		}
	}
}

func actForward64(a rnnAct, v []float64) {
	switch a {
	case actTanh:
		for i, x := range v {
			v[i] = math.Tanh(x)
		}
	case actSigmoid:
		for i, x := range v {
			v[i] = sigmoid64(x)
		}
	case actRelu:
		for i, x := range v {
			if x < 0 {
				v[i] = 0
			}
		}
	case actLinear:
	case actHardSigmoid:
		for i, x := range v {
			v[i] = hardSigmoid(x)
		}
	case actKeras2HardSigmoid:
		for i, x := range v {
			v[i] = keras2HardSigmoid(x)
		}
	case actGelu:
		for i, x := range v {
			v[i] = gelu(x)
		}
	case actSilu:
		for i, x := range v {
			v[i] = x * sigmoid64(x)
		}
	}
}

func actForward32(a rnnAct, v []float32) {
	switch a {
	case actTanh:
		tanhSlice32(v)
	case actSigmoid:
		sigmoidSlice32(v)
	case actRelu:
		for i, x := range v {
			if x < 0 {
				v[i] = 0
			}
		}
	case actLinear:
	case actHardSigmoid:
		for i, x := range v {
			v[i] = float32(hardSigmoid(float64(x)))
		}
	case actKeras2HardSigmoid:
		for i, x := range v {
			v[i] = float32(keras2HardSigmoid(float64(x)))
		}
	case actGelu:
		for i, x := range v {
			v[i] = float32(gelu(float64(x)))
		}
	case actSilu:
		for i, x := range v {
			v[i] = x * sigmoid32(x)
		}
	}
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// hardSigmoid is Keras 3's hard_sigmoid: 0 for x <= -3, 1 for x >= 3,
// x/6 + 1/2 between (keras/src/activations/activations.py; the same as
// relu6(x+3)/6, not Keras 2's 0.2x + 0.5).
func hardSigmoid(x float64) float64 {
	return math.Max(0, math.Min(1, x/6+0.5))
}

// keras2HardSigmoid is Keras 2's and TensorFlow.js's hard_sigmoid: 0 for
// x <= -2.5, 1 for x >= 2.5, 0.2x + 0.5 between (tf.keras 2's
// backend.hard_sigmoid, tfjs's HardSigmoid activation).
func keras2HardSigmoid(x float64) float64 {
	return math.Max(0, math.Min(1, 0.2*x+0.5))
}

// gelu is the exact Gaussian error linear unit, Keras 3's default
// (activations.gelu has approximate=False): x * Phi(x).
func gelu(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }

// geluGrad is Phi(x) + x*phi(x).
func geluGrad(x float64) float64 {
	return 0.5*(1+math.Erf(x/math.Sqrt2)) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
}

// The float32 kernels' constants. The scalar code below and the AVX2
// kernels (op_rnn_act_amd64.s, which read them from actConsts) do the
// same float32 operations in the same order, with no fused multiply-add
// (the explicit float32 conversions forbid the compiler to fuse), so both
// give identical bits.
const (
	expHi  = 88
	expLo  = -87
	log2e  = 1.44269504088896341
	magic  = 12582912 // 1.5 * 2^23: adding and subtracting it rounds to an integer
	ln2Hi  = 0.693359375
	ln2Lo  = -2.12194440e-4
	sigLo  = -88
	tanhT1 = 0.25
	tanhT2 = 9
)

// expf32 returns e^x for float32 x clamped to [-87, 88] (enough for the
// activations here: outside it sigmoid and tanh are saturated to float32
// precision). Cody-Waite range reduction x = n*ln2 + r, |r| <= ln2/2, with
// ln2 split into 0.693359375 (exact in float32) and -2.12194440e-4; e^r
// by its Taylor series to r^7 (truncation error below 1e-8 relative);
// 2^n by building the exponent bits. About 1 ulp, measured in
// TestExpf32Accuracy.
func expf32(x float32) float32 {
	if x > expHi {
		x = expHi
	} else if x < expLo {
		x = expLo
	}
	n := float32(x*log2e) + magic
	n -= magic
	r := x - float32(n*ln2Hi)
	r -= float32(n * ln2Lo)
	p := float32(1.0 / 5040)
	p = float32(p*r) + 1.0/720
	p = float32(p*r) + 1.0/120
	p = float32(p*r) + 1.0/24
	p = float32(p*r) + 1.0/6
	p = float32(p*r) + 0.5
	p = float32(float32(float32(p*r)*r)+r) + 1
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

// sigmoid32 is 1/(1+e^-x) in float32; below -88 (where e^-x would need
// clamping) it is flushed to 0, less than 7e-39 away from the true value.
func sigmoid32(x float32) float32 {
	if x < sigLo {
		return 0
	}
	return 1 / (1 + expf32(-x))
}

// tanh32 is tanh in float32: its Taylor series to x^11 for |x| < 1/4
// (relative error below 1e-9 there), 1 - 2/(e^{2|x|}+1) with the sign of
// x above, and +-1 from 9 on (tanh(9) rounds to 1 in float32).
func tanh32(x float32) float32 {
	a := math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
	if a < tanhT1 {
		z := x * x
		p := float32(-1382.0 / 155925)
		p = float32(p*z) + 62.0/2835
		p = float32(p*z) + -17.0/315
		p = float32(p*z) + 2.0/15
		p = float32(p*z) + -1.0/3
		return x + float32(float32(x*z)*p)
	}
	var y float32 = 1
	if !(a >= tanhT2) { // NaN stays NaN
		y = 1 - 2/(expf32(a+a)+1)
	}
	return math.Float32frombits(math.Float32bits(y) | math.Float32bits(x)&(1<<31))
}

// actConsts holds each constant the AVX2 kernels need eight times (one
// ymm register), in the order op_rnn_act_amd64.s indexes them.
var actConsts = func() (c [25][8]float32) {
	vals := [...]float32{expHi, expLo, log2e, magic, ln2Hi, ln2Lo,
		1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1,
		math.Float32frombits(127), sigLo,
		math.Float32frombits(1<<31 - 1), math.Float32frombits(1 << 31), tanhT1, tanhT2, 2,
		-1382.0 / 155925, 62.0 / 2835, -17.0 / 315, 2.0 / 15, -1.0 / 3}
	for i, v := range vals {
		for j := range c[i] {
			c[i][j] = v
		}
	}
	return c
}()

func sigmoidScalar(v []float32) {
	for i, x := range v {
		v[i] = sigmoid32(x)
	}
}

func tanhScalar(v []float32) {
	for i, x := range v {
		v[i] = tanh32(x)
	}
}
