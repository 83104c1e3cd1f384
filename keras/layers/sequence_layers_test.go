package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// TestEmbeddingValuesAndRunErrors: Embedding returns table rows, its mask
// is ids != 0, and a run with an index outside the table fails naming the
// layer, the index and its position.
func TestEmbeddingValuesAndRunErrors(t *testing.T) {
	l := layers.Embedding(4, 2, layers.MaskZero(true), layers.Name("words"))
	buildSeq(t, l, "", []int{3})
	if err := l.Variables()[0].SetFloat64s([]float64{0, 0, 1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	var mask G.Value
	f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s := backend.NewScope(g, backend.Predict, 2, tensor.Float64)
		out, err := l.Forward(s, in[0])
		if err != nil {
			return nil, err
		}
		G.Read(s.Mask(out), &mask)
		return out, nil
	}
	got, shape, err := gradcheck.Forward(f, []*tensor.Dense{gradcheck.FromSlice([]float64{3, 0, 1, 2, 2, 0}, 2, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(got, []float64{5, 6, 0, 0, 1, 2, 3, 4, 3, 4, 0, 0}) || !equalInts(shape, []int{2, 3, 2}) {
		t.Errorf("lookup %v %v", got, shape)
	}
	if !sameFloats(mask.Data().([]float64), []float64{1, 0, 1, 1, 1, 0}) {
		t.Errorf("mask %v", mask.Data())
	}
	for _, c := range []struct {
		ids  []float64
		want string
	}{
		{[]float64{1, 2, 3, 0, 4, 1}, `"words": id 4 at (batch row 1, time step 1) is out of range [0, 4)`},
		{[]float64{1, -2, 3, 0, 1, 1}, `id -2 at (batch row 0, time step 1)`},
		{[]float64{1, 2, 3, 0.5, 1, 1}, `id 0.5 at (batch row 1, time step 0) is not an integer`},
	} {
		_, _, err := layertest.Forward(l, backend.Predict, gradcheck.FromSlice(c.ids, 2, 3))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ids %v: error %v, want %q", c.ids, err, c.want)
		}
	}
}

// TestRecurrentRejectsBadMask: a mask whose shape is not (batch, steps)
// is an error naming the layer, not a panic.
func TestRecurrentRejectsBadMask(t *testing.T) {
	l := layers.GRU(2, layers.Name("gru"))
	buildSeq(t, l, "", []int{5, 4})
	c := seqCheck{layer: l, mode: backend.Predict, inputs: []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 5, 4)},
		mask: gradcheck.Rand(2, 0, 1, 2, 4)}
	if _, _, err := c.forward(); err == nil || !strings.Contains(err.Error(), "gru") || !strings.Contains(err.Error(), "mask") {
		t.Errorf("error %v", err)
	}
}

// TestSequenceConfigRoundTrip: every new layer's configuration survives
// JSON and FromConfig unchanged, with Keras's keywords.
func TestSequenceConfigRoundTrip(t *testing.T) {
	for _, c := range []struct {
		l    layers.Layer
		keys []string // Keras keywords that must appear
	}{
		{layers.Embedding(100, 8, layers.MaskZero(true), layers.EmbeddingsRegularizer("l2"), layers.Name("e")),
			[]string{`"input_dim":100`, `"output_dim":8`, `"mask_zero":true`, `"embeddings_initializer":{"name":"random_uniform"}`}},
		{layers.LSTM(4, layers.ReturnSequences(true), layers.GoBackwards(true), layers.InputDropout(0.2), layers.Seed(3), layers.Name("l")),
			[]string{`"units":4`, `"unit_forget_bias":true`, `"recurrent_initializer":{"name":"orthogonal"}`, `"recurrent_activation":{"name":"sigmoid"}`, `"dropout":0.2`, `"seed":3`, `"return_sequences":true`, `"go_backwards":true`}},
		{layers.GRU(3, layers.ResetAfter(false), layers.ReturnState(true), layers.RecurrentConstraint("max_norm"), layers.Name("g")),
			[]string{`"reset_after":false`, `"return_state":true`, `"recurrent_constraint"`}},
		{layers.SimpleRNN(2, layers.Activation("relu"), layers.UseBias(false), layers.Name("s")),
			[]string{`"activation":{"name":"relu"}`, `"use_bias":false`}},
		{layers.Bidirectional(layers.LSTM(3, layers.Name("enc")), layers.MergeMode("ave"), layers.Name("b")),
			[]string{`"merge_mode":"ave"`, `"class_name":"LSTM"`, `"name":"forward_enc"`, `"name":"backward_enc"`}},
		{layers.Bidirectional(layers.GRU(3), layers.MergeMode("none"), layers.Name("b2")), []string{`"merge_mode":null`, `"name":"forward_gru"`}},
		{layers.TimeDistributed(layers.Dense(3, layers.Name("d")), layers.Name("td")), []string{`"layer":{"class_name":"Dense"`}},
		{layers.Masking(layers.MaskValue(-1), layers.Name("m")), []string{`"mask_value":-1`}},
		{layers.Masking(layers.MaskValue(math.NaN()), layers.Name("m2")), []string{`"mask_value":null`}},
		{layers.RepeatVector(7, layers.Name("r")), []string{`"n":7`}},
		{layers.Permute([]int{2, 1}, layers.Name("p")), []string{`"dims":[2,1]`}},
	} {
		raw, err := json.Marshal(c.l.Config())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range c.keys {
			if !strings.Contains(string(raw), k) {
				t.Errorf("%s config %s lacks %s", c.l.ClassName(), raw, k)
			}
		}
		back, err := layers.FromConfig(c.l.ClassName(), raw)
		if err != nil {
			t.Fatalf("%s: %v", c.l.ClassName(), err)
		}
		raw2, _ := json.Marshal(back.Config())
		if string(raw) != string(raw2) {
			t.Errorf("%s: config %s came back as %s", c.l.ClassName(), raw, raw2)
		}
	}
}

// TestBidirectionalWeightsAndState: Bidirectional's weights are the
// forward layer's then the backward layer's, named under the wrapper; a
// seeded layer's two random streams are saved and restored together.
func TestBidirectionalWeightsAndState(t *testing.T) {
	l := layers.Bidirectional(layers.LSTM(2, layers.Seed(5), layers.InputDropout(0.5)), layers.Name("bi"))
	buildSeq(t, l, "", []int{3, 4})
	var names []string
	for _, v := range l.Variables() {
		names = append(names, v.Name())
	}
	want := "bi/forward_lstm/kernel bi/forward_lstm/recurrent_kernel bi/forward_lstm/bias bi/backward_lstm/kernel bi/backward_lstm/recurrent_kernel bi/backward_lstm/bias"
	if strings.Join(names, " ") != want {
		t.Errorf("weights %v", names)
	}
	if !l.BackwardLayer().GoesBackwards() || l.ForwardLayer().GoesBackwards() {
		t.Error("directions")
	}
	st, err := l.LayerState()
	if err != nil || st == nil {
		t.Fatalf("state %v %v", st, err)
	}
	x := gradcheck.Rand(1, -1, 1, 2, 3, 4)
	run := func() []float64 {
		out, _, err := seqCheck{layer: l, mode: backend.Train, inputs: []*tensor.Dense{x}}.forward()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := run()
	if err := l.SetLayerState(st); err != nil {
		t.Fatal(err)
	}
	if b := run(); !sameFloats(a, b) {
		t.Error("restoring the state did not repeat the dropout masks")
	}
	if c := run(); sameFloats(a, c) {
		t.Error("the streams did not move on")
	}
	if err := l.SetLayerState([]byte("{")); err == nil {
		t.Error("a damaged state must fail")
	}
}

// A text classifier's layers: token ids -> Embedding -> a bidirectional
// LSTM over the padded sequence -> a probability.
func ExampleBidirectional() {
	emb := layers.Embedding(10000, 16, layers.MaskZero(true), layers.InputShape(-1))
	rnn := layers.Bidirectional(layers.LSTM(32), layers.Name("bidirectional"))
	out := layers.Dense(1, layers.Activation("sigmoid"))
	shape := emb.DeclaredInputShape()
	for _, l := range []layers.Layer{emb, rnn, out} {
		var err error
		if ml, ok := l.(layers.MultiLayer); ok {
			var s [][]int
			s, err = ml.BuildMulti(&layers.BuildContext{}, [][]int{shape})
			shape = s[0]
		} else {
			shape, err = l.Build(&layers.BuildContext{}, shape)
		}
		fmt.Println(l.ClassName(), layers.ShapeString(shape), err)
	}
	for _, v := range rnn.Variables() {
		fmt.Println(v.Name(), v.Shape())
	}
	// Output:
	// Embedding (None, None, 16) <nil>
	// Bidirectional (None, 64) <nil>
	// Dense (None, 1) <nil>
	// bidirectional/forward_lstm/kernel [16 128]
	// bidirectional/forward_lstm/recurrent_kernel [32 128]
	// bidirectional/forward_lstm/bias [128]
	// bidirectional/backward_lstm/kernel [16 128]
	// bidirectional/backward_lstm/recurrent_kernel [32 128]
	// bidirectional/backward_lstm/bias [128]
}

// An LSTM returning its sequence and final states, applied to a symbolic
// input: three output tensors.
func ExampleLSTM() {
	in := layers.NewInput(layers.Input(10, 8), tensor.Dtype{})
	outs := layers.LSTM(4, layers.ReturnSequences(true), layers.ReturnState(true)).ApplyAll(in)
	for _, o := range outs {
		fmt.Println(layers.ShapeString(o.Shape()))
	}
	// Output:
	// (None, 10, 4)
	// (None, 4)
	// (None, 4)
}

// TestReshapeThenDropoutGradient: Dense(tanh) -> Flatten -> Dropout in
// training. With Gorgonia's Reshape view between them, the dropout's
// product ran in place on the view, overwrote the tanh output its
// gradient needs, and the gradients were 14% off; Flatten and Reshape copy
// now.
func TestReshapeThenDropoutGradient(t *testing.T) {
	for _, reshape := range []layers.Layer{layers.Flatten(), layers.Reshape([]int{12})} {
		d := layers.Dense(4, layers.Activation("tanh"))
		buildSeq(t, d, "d", []int{3, 2})
		buildSeq(t, reshape, "r", []int{3, 4})
		dr := layers.Dropout(0.5, layers.Seed(1))
		buildSeq(t, dr, "dr", []int{12})
		f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			s := backend.NewScope(g, backend.Train, 2, tensor.Float64)
			for i, v := range d.Variables() {
				if err := s.Bind(v, in[1+i]); err != nil {
					return nil, err
				}
			}
			h, err := d.Forward(s, in[0])
			if err != nil {
				return nil, err
			}
			if h, err = reshape.Forward(s, h); err != nil {
				return nil, err
			}
			h, err = dr.Forward(s, h)
			s.FillNoise(nil)
			return h, err
		}
		in := []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 3, 2), d.Variables()[0].Value(), d.Variables()[1].Value()}
		if m, err := gradcheck.Check(f, in, gradcheck.Options{}); err != nil {
			t.Errorf("%s: %v %+v", reshape.ClassName(), err, m)
		}
	}
}
