package layers_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// TestPenaltyConfigRoundTrip checks that Dense's regularizers and
// constraints survive FromConfig.
func TestPenaltyConfigRoundTrip(t *testing.T) {
	d := layers.Dense(4, layers.InputShape(3), layers.Name("d"),
		layers.KernelRegularizer(regularizers.L1L2(0.1, 0.2)), layers.BiasRegularizer("l1"),
		layers.ActivityRegularizer("l2"), layers.KernelConstraint(constraints.UnitNorm(constraints.Axis(1))),
		layers.BiasConstraint("non_neg"))
	raw, err := json.Marshal(d.Config())
	if err != nil {
		t.Fatal(err)
	}
	back, err := layers.FromConfig("Dense", raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := json.Marshal(back.Config())
	if string(raw) != string(raw2) {
		t.Errorf("round trip:\n%s\n%s", raw, raw2)
	}
	plain, _ := json.Marshal(layers.Dense(4, layers.Name("d")).Config())
	var m map[string]interface{}
	if err := json.Unmarshal(plain, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["kernel_regularizer"]; ok {
		t.Errorf("an unregularized Dense config has kernel_regularizer: %s", plain)
	}
}

func ExampleKernelRegularizer() {
	d := layers.Dense(4, layers.InputShape(3),
		layers.KernelRegularizer("l2"), layers.ActivityRegularizer(regularizers.L1(1e-4)),
		layers.KernelConstraint(constraints.MaxNorm(constraints.MaxValue(3))))
	c := d.Config().(layers.DenseConfig)
	fmt.Println(c.KernelRegularizer.Name, string(c.ActivityRegularizer.Params), c.KernelConstraint.Name, string(c.KernelConstraint.Params))
	// Output: l2 {"l1":0.0001} max_norm {"max_value":3}
}
