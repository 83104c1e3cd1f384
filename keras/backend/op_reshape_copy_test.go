package backend_test

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// TestReshapeCopy: values and gradient of ReshapeCopy, and the reason it
// exists: an elementwise op the tape machine runs in place on Gorgonia's
// Reshape view writes into the reshaped tensor, on ReshapeCopy's output
// it does not.
func TestReshapeCopy(t *testing.T) {
	x := gradcheck.Rand(1, -1, 1, 2, 3, 4)
	got, shape, err := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		return backend.ReshapeCopy(in[0], tensor.Shape{6, 4})
	}, []*tensor.Dense{x})
	if err != nil || !shape.Eq(tensor.Shape{6, 4}) || !equal(got, x.Data().([]float64)) {
		t.Fatalf("ReshapeCopy = %v %v, %v", got, shape, err)
	}
	if m, err := gradcheck.Check(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		r, err := backend.ReshapeCopy(in[0], tensor.Shape{2, 12})
		if err != nil {
			return nil, err
		}
		return G.Tanh(r)
	}, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
		t.Errorf("gradient: %v (%+v)", err, m)
	}
	for _, viaCopy := range []bool{false, true} {
		g := G.NewGraph()
		xv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
		xn := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"), G.WithValue(xv))
		mn := G.NewTensor(g, tensor.Float64, 1, G.WithShape(6), G.WithName("m"),
			G.WithValue(tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{2, 2, 2, 2, 2, 2}))))
		var r *G.Node
		if viaCopy {
			r, err = backend.ReshapeCopy(xn, tensor.Shape{6})
		} else {
			r, err = G.Reshape(xn, tensor.Shape{6})
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := G.HadamardProd(r, mn); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Close()
		changed := !equal(xv.Data().([]float64), []float64{1, 2, 3, 4, 5, 6})
		if changed == viaCopy {
			t.Errorf("via ReshapeCopy %v: the input changed: %v (Gorgonia's behaviour may have changed)", viaCopy, changed)
		}
	}
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("x"))
	if _, err := backend.ReshapeCopy(xn, tensor.Shape{4}); err == nil {
		t.Error("a reshape to another size must fail")
	}
}
