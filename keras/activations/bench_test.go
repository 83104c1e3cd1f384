package activations_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// benchApply times forward and backward of f on a (256, 128) float32
// input, as one training step of a layer would run it.
func benchApply(b *testing.B, f func(*G.Node) (*G.Node, error)) {
	g := G.NewGraph()
	data := gradcheck.Rand(1, -3, 3, 256, 128).Data().([]float64)
	f32 := make([]float32, len(data))
	for i, v := range data {
		f32[i] = float32(v)
	}
	x := G.NewTensor(g, tensor.Float32, 2, G.WithShape(256, 128), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(256, 128), tensor.WithBacking(f32))))
	y, err := f(x)
	if err != nil {
		b.Fatal(err)
	}
	s, err := G.Sum(y)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Grad(s, x); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkActivations(b *testing.B) {
	for _, name := range []string{"relu", "sigmoid", "tanh", "elu", "gelu", "silu", "softmax"} {
		a, _ := activations.Get(name)
		b.Run(name, func(b *testing.B) { benchApply(b, a.Apply) })
	}
	// Gorgonia's own ops, for comparison.
	b.Run("gorgonia_sigmoid", func(b *testing.B) { benchApply(b, G.Sigmoid) })
	b.Run("gorgonia_tanh", func(b *testing.B) { benchApply(b, G.Tanh) })
}
