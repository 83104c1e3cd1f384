// This file sorts after constraints_test.go on purpose: ExampleRegister
// adds "clip" to the process-wide registry, and the tests there expect the
// built-in names only.
package constraints_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
)

// clip is a user-defined constraint: every weight is clipped to [-c, c].
type clip struct {
	p clipParams
}

// clipParams are its parameters, with the JSON keys its config uses.
type clipParams struct {
	C float64 `json:"c"`
}

func (k *clip) Name() string             { return "clip" }
func (k *clip) CheckShape(_ []int) error { return nil }
func (k *clip) Constrain(v *backend.Variable) {
	w := v.Float64s()
	k.Project(v.Shape(), w)
	_ = v.SetFloat64s(w)
}
func (k *clip) Project(_ []int, w []float64) {
	for i := range w {
		w[i] = math.Max(-k.p.C, math.Min(k.p.C, w[i]))
	}
}

// Config makes the constraint savable with the layer that uses it.
func (k *clip) Config() constraints.Config {
	params, _ := json.Marshal(k.p)
	return constraints.Config{Name: "clip", Params: params}
}

func ExampleRegister() {
	err := constraints.Register("clip", func(c constraints.Config) (constraints.Constraint, error) {
		p := clipParams{C: 1} // the default
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("clip: %v", err)
			}
		}
		return &clip{p: p}, nil
	})
	fmt.Println(err)

	c, err := constraints.FromConfig(constraints.Config{Name: "clip", Params: json.RawMessage(`{"c": 0.5}`)})
	w := []float64{-2, 0.25, 3}
	c.Project([]int{3}, w)
	fmt.Println(w, err)
	// Output:
	// <nil>
	// [-0.5 0.25 0.5] <nil>
}
