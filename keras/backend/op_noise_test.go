package backend_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// TestNoiseOps checks MulNoise and AddNoise: their values, their
// gradients with respect to x against finite differences (the noise is
// not differentiated), float32 against float64, that a run reuses the
// output buffer, and that mismatched inputs are errors.
func TestNoiseOps(t *testing.T) {
	x := gradcheck.Rand(1, -2, 2, 3, 4, 2)
	noise := gradcheck.Rand(2, -1, 1, 3, 4, 2)
	for name, op := range map[string]func(a, b *G.Node) (*G.Node, error){"mul": backend.MulNoise, "add": backend.AddNoise} {
		if m, err := gradcheck.Check(binary(op), []*tensor.Dense{x, noise}, gradcheck.Options{NoGrad: []bool{false, true}}); err != nil {
			t.Errorf("%s: %v (worst %+v)", name, err, m)
		}
		got, _, err := gradcheck.Forward(binary(op), []*tensor.Dense{x, noise})
		if err != nil {
			t.Fatal(err)
		}
		xs, ns := x.Data().([]float64), noise.Data().([]float64)
		for i := range xs {
			want := xs[i] + ns[i]
			if name == "mul" {
				want = xs[i] * ns[i]
			}
			if got[i] != want {
				t.Fatalf("%s[%d] = %v, want %v", name, i, got[i], want)
			}
		}
		// float32, twice through one graph: same values, same buffer.
		g := G.NewGraph()
		x32 := tensor.New(tensor.WithShape(3, 4, 2), tensor.WithBacking(toF32(xs)))
		n32 := tensor.New(tensor.WithShape(3, 4, 2), tensor.WithBacking(toF32(ns)))
		a := G.NewTensor(g, tensor.Float32, 3, G.WithShape(3, 4, 2), G.WithName("a"), G.WithValue(x32))
		b := G.NewTensor(g, tensor.Float32, 3, G.WithShape(3, 4, 2), G.WithName("b"), G.WithValue(n32))
		out, err := op(a, b)
		if err != nil {
			t.Fatal(err)
		}
		var v1, v2 G.Value
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		v1 = out.Value()
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		v2 = out.Value()
		vm.Close()
		if v1.(*tensor.Dense) != v2.(*tensor.Dense) {
			t.Errorf("%s: the output buffer was not reused", name)
		}
		for i, f := range v2.Data().([]float32) {
			if d := float64(f) - got[i]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%s float32[%d] = %v, float64 %v", name, i, f, got[i])
			}
		}
		bad := G.NewTensor(g, tensor.Float32, 2, G.WithShape(3, 8), G.WithName("bad"))
		if _, err := op(a, bad); err == nil {
			t.Errorf("%s: shapes (3, 4, 2) and (3, 8) accepted", name)
		}
		if _, err := op(a, nil); err == nil {
			t.Errorf("%s: nil noise accepted", name)
		}
		f64 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(3, 4, 2), G.WithName("f64"))
		if _, err := op(a, f64); err == nil {
			t.Errorf("%s: mixed dtypes accepted", name)
		}
	}
}

func toF32(d []float64) []float32 {
	out := make([]float32, len(d))
	for i, v := range d {
		out[i] = float32(v)
	}
	return out
}
