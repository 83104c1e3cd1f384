package optimizers_test

import (
	"math"
	"math/rand"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// TestSplitUpdatesAreExact: an update of a variable large enough to run
// on several goroutines gives the same bits as on one, over several steps,
// for every optimizer whose update splits, in both dtypes.
func TestSplitUpdatesAreExact(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one core: nothing splits")
	}
	defer backend.SetMaxWorkers(0)
	makers := map[string]func() optimizers.Optimizer{
		"adam":     func() optimizers.Optimizer { return optimizers.Adam() },
		"adamw":    func() optimizers.Optimizer { return optimizers.AdamW() },
		"rmsprop":  func() optimizers.Optimizer { return optimizers.RMSprop() },
		"adagrad":  func() optimizers.Optimizer { return optimizers.Adagrad() },
		"sgd":      func() optimizers.Optimizer { return optimizers.SGD() },
		"momentum": func() optimizers.Optimizer { return optimizers.SGD(optimizers.Momentum(0.9)) },
		"nesterov": func() optimizers.Optimizer {
			return optimizers.SGD(optimizers.Momentum(0.9), optimizers.Nesterov(true))
		},
	}
	for name, mk := range makers {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			var results [2][]float64
			for i, workers := range []int{1, 2} {
				backend.SetMaxWorkers(workers)
				rng := rand.New(rand.NewSource(2))
				v, err := backend.NewVariable("w", dt, []int{300, 331}, true)
				if err != nil {
					t.Fatal(err)
				}
				w := make([]float64, v.Size())
				for j := range w {
					w[j] = rng.NormFloat64()
				}
				_ = v.SetFloat64s(w)
				o := mk()
				for step := 0; step < 3; step++ {
					g := v.Grad()
					for j := 0; j < v.Size(); j++ {
						x := rng.NormFloat64() * 1e-3
						if j%7 == 0 {
							x = 0
						}
						if dt == tensor.Float32 {
							g.Data().([]float32)[j] = float32(x)
						} else {
							g.Data().([]float64)[j] = x
						}
					}
					if err := o.Apply([]*backend.Variable{v}); err != nil {
						t.Fatal(err)
					}
				}
				results[i] = v.Float64s()
			}
			for j := range results[0] {
				if math.Float64bits(results[0][j]) != math.Float64bits(results[1][j]) {
					t.Fatalf("%s %v: weight %d is %v on one goroutine, %v split", name, dt, j, results[0][j], results[1][j])
				}
			}
		}
	}
}
