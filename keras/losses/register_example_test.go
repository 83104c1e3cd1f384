// This file sorts after losses_test.go on purpose: ExampleRegister adds
// "scaled_mse" to the process-wide registry, and ExampleGet there prints
// the list of names from before.
package losses_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/losses"
)

// scaledMSE is a user-defined loss: scale * mean((y_pred - y_true)^2).
type scaledMSE struct {
	p scaledMSEParams
}

// scaledMSEParams are its parameters, with the JSON keys its config uses.
type scaledMSEParams struct {
	Scale float64 `json:"scale"`
}

func (l *scaledMSE) Name() string { return "scaled_mse" }

func (l *scaledMSE) PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	mse, err := losses.MeanSquaredError().PerSample(s, yTrue, yPred)
	if err != nil {
		return nil, err
	}
	return G.Mul(mse, G.NewConstant(l.p.Scale))
}

// Config makes the loss savable: keras.Save writes it and Load rebuilds
// it through the registered factory.
func (l *scaledMSE) Config() losses.Config {
	params, _ := json.Marshal(l.p)
	return losses.Config{Name: "scaled_mse", Params: params}
}

func ExampleRegister() {
	err := losses.Register("scaled_mse", func(c losses.Config) (losses.Loss, error) {
		p := scaledMSEParams{Scale: 1} // the default
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("scaled_mse: %v", err)
			}
		}
		return &scaledMSE{p: p}, nil
	})
	fmt.Println(err)

	l, err := losses.FromConfig(losses.Config{Name: "scaled_mse", Params: json.RawMessage(`{"scale": 2}`)})
	fmt.Println(l.Name(), string(losses.ConfigOf(l).Params), err)
	_, err = losses.Get("scaled_mse")
	fmt.Println(err)
	// Output:
	// <nil>
	// scaled_mse {"scale":2} <nil>
	// <nil>
}
