package losses

import (
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// hingeMargin returns max(1 - t*p, 0) (squared when sq) per element, with
// t the targets read as -1/+1 labels (backend.HingeLabels).
func hingeMargin(yTrue, yPred *G.Node, sq bool) (*G.Node, error) {
	t, err := backend.HingeLabels(yTrue)
	if err != nil {
		return nil, err
	}
	tp, err := G.HadamardProd(t, yPred)
	if err != nil {
		return nil, err
	}
	if sq {
		return elem(tp, "squared_hinge_margin", func(v float64) float64 {
			m := math.Max(1-v, 0)
			return m * m
		}, func(v, _ float64) float64 { return -2 * math.Max(1-v, 0) })
	}
	return elem(tp, "hinge_margin", func(v float64) float64 { return math.Max(1-v, 0) },
		func(v, _ float64) float64 {
			if v < 1 {
				return -1
			}
			return 0
		})
}

// Hinge returns mean(max(1 - y_true * y_pred, 0)) over each sample's
// outputs ("hinge"). Targets are -1 or 1; when every target in the batch
// is 0 or 1 they are first mapped to -1 and 1, as Keras does. It takes no
// options.
func Hinge() *Func {
	return newFunc("hinge", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		m, err := hingeMargin(yTrue, yPred, false)
		if err != nil {
			return nil, err
		}
		return meanRows(m)
	})
}

// SquaredHinge returns mean(max(1 - y_true * y_pred, 0)^2) over each
// sample's outputs ("squared_hinge"), with targets read as in Hinge. It
// takes no options.
func SquaredHinge() *Func {
	return newFunc("squared_hinge", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		m, err := hingeMargin(yTrue, yPred, true)
		if err != nil {
			return nil, err
		}
		return meanRows(m)
	})
}

// CategoricalHinge returns max(neg - pos + 1, 0) per sample, with
// pos = sum(y_true * y_pred) and neg = max((1 - y_true) * y_pred)
// ("categorical_hinge"; one-hot targets). It takes no options.
func CategoricalHinge() *Func {
	return newFunc("categorical_hinge", func(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
		p, err := rows(yPred)
		if err != nil {
			return nil, err
		}
		t, err := rows(yTrue)
		if err != nil {
			return nil, err
		}
		tp, err := G.HadamardProd(t, p)
		if err != nil {
			return nil, err
		}
		pos, err := G.Sum(tp, 1)
		if err != nil {
			return nil, err
		}
		notT, err := elem(t, "one_minus", func(v float64) float64 { return 1 - v },
			func(float64, float64) float64 { return -1 })
		if err != nil {
			return nil, err
		}
		np, err := G.HadamardProd(notT, p)
		if err != nil {
			return nil, err
		}
		neg, err := G.Max(np, 1)
		if err != nil {
			return nil, err
		}
		d, err := G.Sub(neg, pos)
		if err != nil {
			return nil, err
		}
		return elem(d, "relu(x+1)", func(v float64) float64 { return math.Max(v+1, 0) },
			func(v, _ float64) float64 {
				if v+1 > 0 {
					return 1
				}
				return 0
			})
	})
}
