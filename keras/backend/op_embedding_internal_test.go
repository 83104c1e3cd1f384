package backend

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestEmbeddingSparseZeroing checks when the table gradient's buffer is
// re-zeroed only at the rows the previous run touched: in a program like
// the engine's (the gradient leaves through G.Read), yes; when the table
// has a second use whose gradient Gorgonia adds to the embedding's (in
// place, possibly), no.
func TestEmbeddingSparseZeroing(t *testing.T) {
	for _, tied := range []bool{false, true} {
		g := G.NewGraph()
		table := G.NewMatrix(g, tensor.Float32, G.WithShape(10, 4), G.WithName("table"),
			G.WithValue(tensor.New(tensor.WithShape(10, 4), tensor.Of(tensor.Float32))))
		ids := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("ids"),
			G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 3, 2, 9}))))
		out, err := Embedding(ids, table, "emb")
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Sum(out)
		if err != nil {
			t.Fatal(err)
		}
		if tied {
			s, err := G.Sum(table)
			if err != nil {
				t.Fatal(err)
			}
			if cost, err = G.Add(cost, s); err != nil {
				t.Fatal(err)
			}
		}
		grads, err := G.Grad(cost, table)
		if err != nil {
			t.Fatal(err)
		}
		var gv G.Value = tensor.New(tensor.WithShape(10, 4), tensor.Of(tensor.Float32))
		read := G.Read(grads[0], &gv)
		prog, locMap, err := G.CompileFunction(g, G.Nodes{ids, table}, G.Nodes{read})
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap))
		for i := 0; i < 2; i++ {
			vm.Reset()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
		}
		vm.Close()
		gop := out.Op().(*embeddingOp).grad
		if gop == nil || !gop.checked {
			t.Fatal("gradient op did not run")
		}
		if gop.sparse == tied {
			t.Errorf("tied=%v: sparse zeroing %v", tied, gop.sparse)
		}
		if want := []float32{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}; !tied {
			got := gv.Data().([]float32)[:12]
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("gradient rows 0-2 = %v, want %v", got, want)
				}
			}
		}
	}
}
