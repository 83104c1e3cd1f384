package backend

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRunSync checks that running Gorgonia's loop on the calling goroutine
// computes what RunAll computes, and reports op errors the same way.
func TestRunSync(t *testing.T) {
	build := func() (G.VM, *G.Node, *G.Value) {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))))
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 2), G.WithName("w"),
			G.WithValue(tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1}))))
		y, err := MatMul(x, w, false, false)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Softmax(y)
		if err != nil {
			t.Fatal(err)
		}
		var v G.Value
		G.Read(s, &v)
		return G.NewTapeMachine(g), s, &v
	}
	vmA, _, a := build()
	if err := vmA.RunAll(); err != nil {
		t.Fatal(err)
	}
	vmB, _, b := build()
	errCh, done := make(chan error, 1), make(chan struct{}, 1)
	for i := 0; i < 3; i++ {
		vmB.Reset()
		if err := runSync(vmB, errCh, done); err != nil {
			t.Fatal(err)
		}
		da, db := (*a).Data().([]float64), (*b).Data().([]float64)
		for j := range da {
			if da[j] != db[j] {
				t.Fatalf("run %d: runSync gave %v, RunAll %v", i, db, da)
			}
		}
	}
	// An op error surfaces as an error.
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
	s, _ := Softmax(x)
	var v G.Value
	G.Read(s, &v)
	vm := G.NewTapeMachine(g)
	if err := runSync(vm, errCh, done); err == nil {
		t.Error("running a graph with an unbound input should fail")
	}
}
