package optimizers_test

import (
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// benchVars returns the weights of the Fashion-MNIST MLP (784-128-10,
// 101,770 float32 parameters) with random gradients.
func benchVars(b *testing.B, dt tensor.Dtype) ([]*backend.Variable, int) {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	var vars []*backend.Variable
	n := 0
	for i, shape := range [][]int{{784, 128}, {128}, {128, 10}, {10}} {
		v, err := backend.NewVariable(string(rune('a'+i)), dt, shape, true)
		if err != nil {
			b.Fatal(err)
		}
		w := make([]float64, v.Size())
		for j := range w {
			w[j] = rng.NormFloat64() * 0.05
		}
		if err := v.SetFloat64s(w); err != nil {
			b.Fatal(err)
		}
		switch g := v.Grad().Data().(type) {
		case []float32:
			for j := range g {
				g[j] = float32(rng.NormFloat64() * 0.01)
			}
		case []float64:
			for j := range g {
				g[j] = rng.NormFloat64() * 0.01
			}
		}
		vars = append(vars, v)
		n += v.Size()
	}
	return vars, n
}

func benchOptimizer(b *testing.B, o optimizers.Optimizer, dt tensor.Dtype) {
	vars, n := benchVars(b, dt)
	if err := o.Apply(vars); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := o.Apply(vars); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
}

func BenchmarkSGD(b *testing.B) { benchOptimizer(b, optimizers.SGD(), tensor.Float32) }
func BenchmarkSGDMomentum(b *testing.B) {
	benchOptimizer(b, optimizers.SGD(optimizers.Momentum(0.9)), tensor.Float32)
}
func BenchmarkRMSprop(b *testing.B) { benchOptimizer(b, optimizers.RMSprop(), tensor.Float32) }
func BenchmarkAdam(b *testing.B)    { benchOptimizer(b, optimizers.Adam(), tensor.Float32) }
func BenchmarkAdam64(b *testing.B)  { benchOptimizer(b, optimizers.Adam(), tensor.Float64) }

func BenchmarkAdamPortable(b *testing.B) {
	if !optimizers.SetPortable(true) {
		b.Skip("no assembly kernel here: BenchmarkAdam is the portable one")
	}
	defer optimizers.SetPortable(false)
	benchOptimizer(b, optimizers.Adam(), tensor.Float32)
}
func BenchmarkAdamW(b *testing.B)    { benchOptimizer(b, optimizers.AdamW(), tensor.Float32) }
func BenchmarkAdagrad(b *testing.B)  { benchOptimizer(b, optimizers.Adagrad(), tensor.Float32) }
func BenchmarkAdadelta(b *testing.B) { benchOptimizer(b, optimizers.Adadelta(), tensor.Float32) }
func BenchmarkAdamax(b *testing.B)   { benchOptimizer(b, optimizers.Adamax(), tensor.Float32) }
func BenchmarkNadam(b *testing.B)    { benchOptimizer(b, optimizers.Nadam(), tensor.Float32) }
func BenchmarkFtrl(b *testing.B)     { benchOptimizer(b, optimizers.Ftrl(), tensor.Float32) }
func BenchmarkLion(b *testing.B)     { benchOptimizer(b, optimizers.Lion(), tensor.Float32) }
