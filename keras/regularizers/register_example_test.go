// This file sorts after regularizers_test.go on purpose: ExampleRegister
// adds "l2_scaled" to the process-wide registry, and the tests there
// expect the built-in names only.
package regularizers_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gokeras/gokeras/keras/regularizers"
)

func ExampleRegister() {
	// "l2_scaled" is L2 with the factor given per 1000 weights, saved as
	// {"name": "l2_scaled", "params": {"per_thousand": ...}}. A factory
	// may return any Regularizer, a built-in one included.
	type params struct {
		PerThousand float64 `json:"per_thousand"`
	}
	err := regularizers.Register("l2_scaled", func(c regularizers.Config) (regularizers.Regularizer, error) {
		p := params{PerThousand: 1} // the default
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("l2_scaled: %v", err)
			}
		}
		return regularizers.L2(p.PerThousand / 1000), nil
	})
	fmt.Println(err)

	r, err := regularizers.FromConfig(regularizers.Config{Name: "l2_scaled", Params: json.RawMessage(`{"per_thousand": 5}`)})
	fmt.Println(r.Name(), r.Value([]float64{1, 2}), err)
	// Output:
	// <nil>
	// l2 0.025 <nil>
}
