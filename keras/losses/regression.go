package losses

import (
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

type meanSquaredError struct{}

// MeanSquaredError returns mean((y_pred - y_true)^2) over each sample's
// outputs ("mean_squared_error", alias "mse").
func MeanSquaredError() Loss { return meanSquaredError{} }

func (meanSquaredError) Name() string { return "mean_squared_error" }
func (l meanSquaredError) PerSample(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	if err := checkSameShape(l.Name(), yTrue, yPred); err != nil {
		return nil, err
	}
	d, err := G.Sub(yPred, yTrue)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return meanRows(sq)
}

type meanAbsoluteError struct{}

// MeanAbsoluteError returns mean(|y_pred - y_true|) over each sample's
// outputs ("mean_absolute_error", alias "mae").
func MeanAbsoluteError() Loss { return meanAbsoluteError{} }

func (meanAbsoluteError) Name() string { return "mean_absolute_error" }
func (l meanAbsoluteError) PerSample(_ *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	if err := checkSameShape(l.Name(), yTrue, yPred); err != nil {
		return nil, err
	}
	d, err := G.Sub(yPred, yTrue)
	if err != nil {
		return nil, err
	}
	a, err := G.Abs(d)
	if err != nil {
		return nil, err
	}
	return meanRows(a)
}
