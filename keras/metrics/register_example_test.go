// This file sorts after metrics_test.go and vocabulary_test.go on purpose:
// ExampleRegister adds "max_error" to the process-wide registry, and the
// tests and ExampleGet there expect the built-in names only.
package metrics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/gokeras/gokeras/keras/metrics"
)

func ExampleRegister() {
	// A user-defined metric: the mean over the samples of each row's
	// largest absolute error, in units of scale. Its parameters have the
	// JSON keys its config uses.
	type maxErrorParams struct {
		Name  string  `json:"name"`
		Scale float64 `json:"scale"`
	}
	err := metrics.Register("max_error", func(c metrics.Config) (metrics.Metric, error) {
		p := maxErrorParams{Name: c.Name, Scale: 1} // the defaults
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("max_error: %v", err)
			}
		}
		return metrics.NewMean(p.Name, false, func(t, y []float64) float64 {
			var m float64
			for j := range y {
				m = math.Max(m, math.Abs(y[j]-t[j]))
			}
			return m / p.Scale
		}), nil
	})
	fmt.Println(err)

	m, err := metrics.FromConfig(metrics.Config{Name: "max_error", Params: json.RawMessage(`{"name": "maxerr", "scale": 2}`)})
	if err != nil {
		panic(err)
	}
	_ = m.Update(metrics.Batch{Rows: 2, YTrue: []float64{0, 1, 2, 3}, YPred: []float64{1, 1, 2, 7}})
	fmt.Println(m.Name(), m.Result())
	// Output:
	// <nil>
	// maxerr 1.25
}

func ExampleConfigOf() {
	m := metrics.AUC(metrics.Curve("PR"), metrics.Name("pr_auc"))
	raw, _ := json.Marshal(metrics.ConfigOf(m))
	fmt.Println(string(raw))
	back, err := metrics.FromConfig(metrics.ConfigOf(m))
	fmt.Println(back.Name(), err)
	// Output:
	// {"name":"auc","params":{"name":"pr_auc","curve":"PR"}}
	// pr_auc <nil>
}
