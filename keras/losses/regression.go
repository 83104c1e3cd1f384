package losses

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Epsilon is Keras's fuzz factor (keras.config.epsilon(), 1e-7), used by
// mape, msle, poisson, kl_divergence and cosine_similarity as in Keras.
const Epsilon = backend.Epsilon

// newFunc returns a loss without parameters.
func newFunc(name string, persamp func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error)) *Func {
	return &Func{name: name, params: none{}, defaults: none{}, persamp: persamp}
}

// MeanSquaredError returns mean((y_pred - y_true)^2) over each sample's
// outputs ("mean_squared_error", alias "mse"). It takes no options.
func MeanSquaredError() *Func {
	return newFunc("mean_squared_error", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		d, err := G.Sub(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		sq, err := G.Square(d)
		if err != nil {
			return nil, err
		}
		return meanRows(sq)
	})
}

// MeanAbsoluteError returns mean(|y_pred - y_true|) over each sample's
// outputs ("mean_absolute_error", alias "mae"). It takes no options.
func MeanAbsoluteError() *Func {
	return newFunc("mean_absolute_error", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		d, err := G.Sub(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		a, err := G.Abs(d)
		if err != nil {
			return nil, err
		}
		return meanRows(a)
	})
}

// MeanAbsolutePercentageError returns
// 100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over each sample's
// outputs ("mean_absolute_percentage_error", alias "mape"). It takes no
// options.
func MeanAbsolutePercentageError() *Func {
	return newFunc("mean_absolute_percentage_error", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		d, err := G.Sub(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		a, err := G.Abs(d)
		if err != nil {
			return nil, err
		}
		// 100 / max(|t|, eps): a constant weight per element.
		w, err := elem(yTrue, "mape_weight", func(t float64) float64 {
			return 100 / math.Max(math.Abs(t), Epsilon)
		}, func(float64, float64) float64 { return 0 })
		if err != nil {
			return nil, err
		}
		aw, err := G.HadamardProd(a, w)
		if err != nil {
			return nil, err
		}
		return meanRows(aw)
	})
}

// log1pClip is log(max(x, eps) + 1), Keras's msle transform.
func log1pClip(x *G.Node) (*G.Node, error) {
	return elem(x, "log1p_max_eps", func(v float64) float64 { return math.Log1p(math.Max(v, Epsilon)) },
		func(v, _ float64) float64 {
			if v > Epsilon {
				return 1 / (1 + v)
			}
			return 0
		})
}

// MeanSquaredLogarithmicError returns
// mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))^2) over
// each sample's outputs ("mean_squared_logarithmic_error", alias "msle").
// .
func MeanSquaredLogarithmicError() *Func {
	return newFunc("mean_squared_logarithmic_error", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		lp, err := log1pClip(yPred)
		if err != nil {
			return nil, err
		}
		lt, err := log1pClip(yTrue)
		if err != nil {
			return nil, err
		}
		d, err := G.Sub(lp, lt)
		if err != nil {
			return nil, err
		}
		sq, err := G.Square(d)
		if err != nil {
			return nil, err
		}
		return meanRows(sq)
	})
}

// HuberParams are Huber's parameters.
type HuberParams struct {
	// Delta is where the loss turns from quadratic to linear (default 1,
	// finite and > 0).
	Delta float64 `json:"delta"`
}

var huberDefaults = HuberParams{Delta: 1}

// Huber returns the mean over each sample's outputs of the Huber loss of
// the error e = y_pred - y_true: e^2/2 where |e| <= delta and
// delta*|e| - delta^2/2 beyond ("huber"; Keras's class default name is
// "huber_loss"). Option: Delta (default 1, > 0).
func Huber(opts ...HuberOption) *Func {
	p := huberDefaults
	for _, o := range opts {
		if o != nil {
			o.applyHuber(&p)
		}
	}
	return newHuber(p)
}

func newHuber(p HuberParams) *Func {
	delta := p.Delta
	f := &Func{name: "huber", params: p, defaults: huberDefaults}
	if !(delta > 0) || math.IsInf(delta, 1) {
		f.err = invalid("huber", "delta", delta, "must be finite and > 0")
	}
	f.persamp = func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		d, err := G.Sub(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		h, err := elem(d, "huber(delta="+g(delta)+")", func(e float64) float64 {
			if a := math.Abs(e); a > delta {
				return delta*a - 0.5*delta*delta
			}
			return 0.5 * e * e
		}, func(e, _ float64) float64 {
			return math.Max(-delta, math.Min(delta, e))
		})
		if err != nil {
			return nil, err
		}
		return meanRows(h)
	}
	return f
}

// LogCosh returns mean(log(cosh(y_pred - y_true))) over each sample's
// outputs ("log_cosh"), computed as |e| + log1p(exp(-2|e|)) - log 2 so
// that large errors do not overflow. It takes no options.
func LogCosh() *Func {
	return newFunc("log_cosh", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		d, err := G.Sub(yPred, yTrue)
		if err != nil {
			return nil, err
		}
		lc, err := elem(d, "log_cosh", func(e float64) float64 {
			a := math.Abs(e)
			return a + math.Log1p(math.Exp(-2*a)) - math.Ln2
		}, func(e, _ float64) float64 { return math.Tanh(e) })
		if err != nil {
			return nil, err
		}
		return meanRows(lc)
	})
}

// invNorm is min(1/sqrt(s), 1/eps) for a sum of squares s: one over the
// L2 norm, with the norm floored at Epsilon as Keras's normalize does.
func invNorm(s *G.Node) (*G.Node, error) {
	return elem(s, "inv_l2_norm", func(v float64) float64 {
		if v > Epsilon*Epsilon {
			return 1 / math.Sqrt(v)
		}
		return 1 / Epsilon
	}, func(v, y float64) float64 {
		if v > Epsilon*Epsilon {
			return -0.5 * y / v
		}
		return 0
	})
}

// CosineSimilarity returns -sum(l2_normalize(y_true) * l2_normalize(y_pred))
// over each sample's outputs ("cosine_similarity"): -1 when they point the
// same way, 0 when orthogonal or when either is zero. Norms below 1e-7
// are taken as 1e-7, as in Keras. It takes no options (the axis is the
// last one).
func CosineSimilarity() *Func {
	return newFunc("cosine_similarity", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		p, err := rows(yPred)
		if err != nil {
			return nil, err
		}
		t, err := rows(yTrue)
		if err != nil {
			return nil, err
		}
		pt, err := G.HadamardProd(p, t)
		if err != nil {
			return nil, err
		}
		dot, err := G.Sum(pt, 1)
		if err != nil {
			return nil, err
		}
		var inv [2]*G.Node
		for i, x := range []*G.Node{p, t} {
			sq, err := G.Square(x)
			if err != nil {
				return nil, err
			}
			ss, err := G.Sum(sq, 1)
			if err != nil {
				return nil, err
			}
			if inv[i], err = invNorm(ss); err != nil {
				return nil, err
			}
		}
		c, err := G.HadamardProd(dot, inv[0])
		if err != nil {
			return nil, err
		}
		if c, err = G.HadamardProd(c, inv[1]); err != nil {
			return nil, err
		}
		return G.Neg(c)
	})
}
