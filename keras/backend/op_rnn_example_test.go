package backend_test

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// constNode is a float64 input node holding data.
func constNode(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	v := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(v))
}

// An LSTM layer over a batch of two sequences of three steps, the second
// sequence right-padded (its last step masked): the views give what the
// Keras layer returns for return_sequences and return_state.
func ExampleRecurrent() {
	g := G.NewGraph()
	const units = 2
	x := constNode(g, "x", []float64{
		1, 0, 0.5, -1, 0, 1, // sample 0: 3 steps of 2 features
		0.2, 0.2, -0.3, 0.7, 9, 9, // sample 1: its last step is padding
	}, 2, 3, 2)
	fill := func(n int, v float64) []float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = v * float64(i%5-2)
		}
		return d
	}
	kernel := constNode(g, "lstm/kernel", fill(2*4*units, 0.1), 2, 4*units)
	recurrent := constNode(g, "lstm/recurrent_kernel", fill(units*4*units, 0.05), units, 4*units)
	bias := constNode(g, "lstm/bias", []float64{0, 0, 1, 1, 0, 0, 0, 0}, 4*units) // forget gate bias 1
	mask := constNode(g, "mask", []float64{1, 1, 1, 1, 1, 0}, 2, 3)

	r, err := backend.Recurrent(backend.RNNSpec{Cell: backend.LSTMCell, Units: units, Name: "lstm"},
		backend.RNNInputs{X: x, Kernel: kernel, RecurrentKernel: recurrent, Bias: bias, Mask: mask})
	if err != nil {
		fmt.Println(err)
		return
	}
	seq, _ := r.Sequence()    // return_sequences=True
	last, _ := r.LastOutput() // return_sequences=False
	states, _ := r.States()   // return_state=True: [h, c]
	var vs, vl, vh G.Value
	G.Read(seq, &vs)
	G.Read(last, &vl)
	G.Read(states[0], &vh)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sequence", seq.Shape(), "last", last.Shape(), "states", len(states), states[1].Shape())
	s := vs.Data().([]float64)
	fmt.Printf("sample 1, steps 2 and 3 (masked, repeats step 2): %.4f %.4f\n", s[8:10], s[10:12])
	fmt.Printf("last output equals final h: %v\n", fmt.Sprint(vl.Data()) == fmt.Sprint(vh.Data()))
	// Output:
	// sequence (2, 3, 2) last (2, 2) states 2 (2, 2)
	// sample 1, steps 2 and 3 (masked, repeats step 2): [-0.0095 0.0289] [-0.0095 0.0289]
	// last output equals final h: true
}

// Token ids carried as floats index an embedding table; EmbeddingMask is
// Keras's mask_zero mask. An id outside the table fails the run with the
// layer's name and the id's position.
func ExampleEmbedding() {
	g := G.NewGraph()
	ids := constNode(g, "ids", []float64{3, 1, 0, 7}, 2, 2)
	table := constNode(g, "embedding/embeddings", []float64{0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 4, 2)
	out, err := backend.Embedding(ids, table, "embedding")
	if err != nil {
		fmt.Println(err)
		return
	}
	mask, _ := backend.EmbeddingMask(ids, tensor.Float64)
	var vm G.Value
	G.Read(mask, &vm)
	m := G.NewTapeMachine(g)
	defer m.Close()
	fmt.Println(out.Shape())
	if err := m.RunAll(); err != nil {
		// Gorgonia's machine prefixes the op's message with the failing
		// instruction.
		msg := err.Error()
		fmt.Println(msg[strings.Index(msg, "backend: Embedding"):])
	}
	// Output:
	// (2, 2, 2)
	// backend: Embedding "embedding": id 7 at (batch row 1, time step 1) is out of range [0, 4)
}

// The sequence helpers the Keras layers Masking, RepeatVector, Permute and
// Bidirectional need.
func ExampleMasking() {
	g := G.NewGraph()
	// (1, 3, 2): the second step is all zeros, Keras's padding.
	x := constNode(g, "x", []float64{1, 2, 0, 0, 3, 0}, 1, 3, 2)
	out, _ := backend.Masking(x, 0)
	mask, _ := backend.MaskingMask(x, 0)
	rep, _ := backend.RepeatVector(constNode(g, "v", []float64{1, 2}, 1, 2), 3)
	perm, _ := backend.Permute(x, []int{2, 1})
	sum, _ := backend.Merge(backend.MergeSum, x, x)
	cat, _ := backend.Merge(backend.MergeConcat, x, x)
	vals := make([]G.Value, 6)
	for i, n := range []*G.Node{out, mask, rep, perm, sum, cat} {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	for i, name := range []string{"masked", "mask", "repeated", "permuted", "sum", "concat"} {
		fmt.Println(name, vals[i].Shape(), vals[i].Data())
	}
	// Output:
	// masked (1, 3, 2) [1 2 0 0 3 0]
	// mask (1, 3) [1 0 1]
	// repeated (1, 3, 2) [1 2 1 2 1 2]
	// permuted (1, 2, 3) [1 0 3 2 0 0]
	// sum (1, 3, 2) [2 4 0 0 6 0]
	// concat (1, 3, 4) [1 2 1 2 0 0 0 0 3 0 3 0]
}
