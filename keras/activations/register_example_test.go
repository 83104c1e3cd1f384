// This file sorts after activations_test.go on purpose: ExampleRegister
// adds "scaled_tanh" to the process-wide registry, and ExampleGet there
// prints the list of names from before.
package activations_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
)

// scaledTanh is a user-defined activation: scale * tanh(x).
type scaledTanh struct {
	p scaledTanhParams
}

// scaledTanhParams are its parameters, with the JSON keys its config uses.
type scaledTanhParams struct {
	Scale float64 `json:"scale"`
}

func (a *scaledTanh) Name() string { return "scaled_tanh" }

func (a *scaledTanh) Apply(x *G.Node) (*G.Node, error) {
	s := a.p.Scale
	return backend.Elementwise(x, backend.ElemFunc{
		Name: fmt.Sprintf("scaled_tanh(%g)", s),
		F:    func(v float64) float64 { return s * math.Tanh(v) },
		DF:   func(_, y float64) float64 { return s - y*y/s },
	})
}

// Config makes the activation savable with the layer that uses it.
func (a *scaledTanh) Config() activations.Config {
	params, _ := json.Marshal(a.p)
	return activations.Config{Name: "scaled_tanh", Params: params}
}

func ExampleRegister() {
	err := activations.Register("scaled_tanh", func(c activations.Config) (activations.Activation, error) {
		p := scaledTanhParams{Scale: 1} // the default
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("scaled_tanh: %v", err)
			}
		}
		return &scaledTanh{p: p}, nil
	})
	fmt.Println(err)

	// A layer given the name, or a saved model naming it, finds it.
	a, err := activations.Resolve("scaled_tanh")
	fmt.Println(a.Name(), err)
	a, err = activations.FromConfig(activations.Config{Name: "scaled_tanh", Params: json.RawMessage(`{"scale": 1.7}`)})
	fmt.Println(string(activations.ConfigOf(a).Params), err)
	// Output:
	// <nil>
	// scaled_tanh <nil>
	// {"scale":1.7} <nil>
}
