// This file sorts after initializers_test.go on purpose: ExampleRegister
// adds "scaled_ones" to the process-wide registry, and the tests there
// expect the built-in names only.
package initializers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"

	"github.com/gokeras/gokeras/keras/initializers"
)

// scaledOnes is a user-defined initializer: every element is scale.
type scaledOnes struct {
	p scaledOnesParams
}

// scaledOnesParams are its parameters, with the JSON keys its config uses.
type scaledOnesParams struct {
	Scale float64 `json:"scale"`
}

func (s *scaledOnes) Name() string { return "scaled_ones" }

func (s *scaledOnes) Init(_ *rand.Rand, shape []int) []float64 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = s.p.Scale
	}
	return v
}

// Config makes the initializer savable with the layer that uses it.
func (s *scaledOnes) Config() initializers.Config {
	params, _ := json.Marshal(s.p)
	return initializers.Config{Name: "scaled_ones", Params: params}
}

func ExampleRegister() {
	err := initializers.Register("scaled_ones", func(c initializers.Config) (initializers.Initializer, error) {
		p := scaledOnesParams{Scale: 1} // the default
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("scaled_ones: %v", err)
			}
		}
		return &scaledOnes{p: p}, nil
	})
	fmt.Println(err)

	// A layer given the name (layers.KernelInitializer("scaled_ones")), or
	// a saved model naming it, finds it.
	i, err := initializers.FromConfig(initializers.Config{Name: "scaled_ones", Params: json.RawMessage(`{"scale": 0.5}`)})
	fmt.Println(i.Init(nil, []int{2, 2}), err)
	// Output:
	// <nil>
	// [0.5 0.5 0.5 0.5] <nil>
}
