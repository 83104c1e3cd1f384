package interop_test

import (
	"testing"

	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// TestKerasOptimizerState: the optimizer state a Keras 3 file holds
// (iterations, learning rate, Adam's interleaved momentum/velocity, SGD's
// momentums) becomes gokeras's, variable by variable.
func TestKerasOptimizerState(t *testing.T) {
	var exp struct {
		Models map[string]struct {
			Optimizer struct {
				Iterations   int64   `json:"iterations"`
				LearningRate float64 `json:"learning_rate"`
				Slots        []array `json:"slots"`
			} `json:"optimizer"`
		} `json:"models"`
	}
	readJSON(t, "testdata/keras/expected.json", &exp)
	for _, c := range []struct {
		file, name, opt string
		perVar          int
	}{{"sequential.keras", "sequential", "adam", 2}, {"functional.keras", "functional", "sgd", 1}} {
		t.Run(c.name, func(t *testing.T) {
			m, err := interop.LoadModel("testdata/keras/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			if m.Optimizer().Name() != c.opt {
				t.Fatalf("optimizer %s, want %s", m.Optimizer().Name(), c.opt)
			}
			st, err := optimizers.StateOf(m.Optimizer(), m.Variables()...)
			if err != nil {
				t.Fatal(err)
			}
			want := exp.Models[c.name].Optimizer
			if st.Iterations != want.Iterations || st.LearningRate != want.LearningRate {
				t.Fatalf("iterations %d, lr %v; want %d, %v", st.Iterations, st.LearningRate, want.Iterations, want.LearningRate)
			}
			vars := m.Variables()
			if len(want.Slots) != c.perVar*len(vars) {
				t.Fatalf("%d slots in the fixture for %d variables", len(want.Slots), len(vars))
			}
			for i, v := range vars {
				bufs := st.Slots[v.Name()]
				for k := 0; k < c.perVar; k++ {
					// Keras interleaves Adam's kinds per variable; the
					// fixture lists them in the file's order.
					w := want.Slots[i*c.perVar+k]
					if c.perVar == 1 {
						w = want.Slots[i]
					}
					for j, x := range w.Data {
						if float32(bufs[k][j]) != float32(x) {
							t.Fatalf("%s slot %d value %d: %v, want %v", v.Name(), k, j, bufs[k][j], x)
						}
					}
				}
			}
		})
	}
}
