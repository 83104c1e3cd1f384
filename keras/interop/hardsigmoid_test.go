package interop

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// TestKeras2HardSigmoidGradient checks the activation's gradient against
// finite differences (float64) and its values in float32 against float64.
func TestKeras2HardSigmoidGradient(t *testing.T) {
	f := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return keras2HardSigmoid{}.Apply(in[0]) }
	x := gradcheck.Rand(7, -4, 4, 5, 7)
	if m, err := gradcheck.Check(f, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
		t.Fatalf("%v (%+v)", err, m)
	}
	out, _, err := gradcheck.Forward(f, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x.Data().([]float64) {
		want := math.Min(math.Max(0.2*v+0.5, 0), 1)
		if math.Abs(out[i]-want) > 1e-15 {
			t.Fatalf("f(%v) = %v, want %v", v, out[i], want)
		}
		if got := float64(float32(math.Min(math.Max(0.2*float64(float32(v))+0.5, 0), 1))); math.Abs(got-want) > 1e-6 {
			t.Fatalf("float32 f(%v) = %v, want %v", v, got, want)
		}
	}
}
