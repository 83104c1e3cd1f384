package losses

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// clipUnit clips to [eps, 1]; the gradient is 1 inside and 0 outside.
func clipUnit(x *G.Node) (*G.Node, error) {
	return elem(x, "clip(1e-07,1)", func(v float64) float64 { return math.Min(math.Max(v, Epsilon), 1) },
		func(v, _ float64) float64 {
			if v > Epsilon && v < 1 {
				return 1
			}
			return 0
		})
}

// KLDivergence returns sum(t * log(t / p)) over each sample's outputs
// with t = clip(y_true, 1e-7, 1) and p = clip(y_pred, 1e-7, 1)
// ("kl_divergence", alias "kld"). It takes no options.
func KLDivergence() *Func {
	return newFunc("kl_divergence", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		t, err := clipUnit(yTrue)
		if err != nil {
			return nil, err
		}
		p, err := clipUnit(yPred)
		if err != nil {
			return nil, err
		}
		lt, err := G.Log(t)
		if err != nil {
			return nil, err
		}
		lp, err := G.Log(p)
		if err != nil {
			return nil, err
		}
		d, err := G.Sub(lt, lp)
		if err != nil {
			return nil, err
		}
		kl, err := G.HadamardProd(t, d)
		if err != nil {
			return nil, err
		}
		return sumRows(kl)
	})
}

// Poisson returns mean(y_pred - y_true * log(y_pred + 1e-7)) over each
// sample's outputs ("poisson"). It takes no options.
func Poisson() *Func {
	return newFunc("poisson", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		lp, err := elem(yPred, "log(x+1e-07)", func(v float64) float64 { return math.Log(v + Epsilon) },
			func(v, _ float64) float64 { return 1 / (v + Epsilon) })
		if err != nil {
			return nil, err
		}
		tl, err := G.HadamardProd(yTrue, lp)
		if err != nil {
			return nil, err
		}
		d, err := G.Sub(yPred, tl)
		if err != nil {
			return nil, err
		}
		return meanRows(d)
	})
}
