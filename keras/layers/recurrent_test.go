package layers_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// rightPadded is a (2, 5) mask: sample 0 keeps every step, sample 1 its
// first three.
var rightPadded = gradcheck.FromSlice([]float64{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 5)

// holes is a (2, 5) mask with masked steps in the middle and at the start.
var holes = gradcheck.FromSlice([]float64{1, 0, 1, 1, 0, 0, 1, 1, 0, 1}, 2, 5)

// TestRecurrentGradients gradient-checks SimpleRNN, LSTM and GRU (both
// reset conventions) in float64 through the layers, with and without
// masks, initial states, go_backwards, return_sequences, return_state and
// (in training) dropout, with respect to the input, the initial states
// and every weight.
func TestRecurrentGradients(t *testing.T) {
	cases := []struct {
		name   string
		layer  func() layers.Layer
		states int // initial states fed as inputs
		mask   *tensor.Dense
		mode   backend.Mode
	}{
		{"simple_rnn", func() layers.Layer { return layers.SimpleRNN(3) }, 0, nil, backend.Predict},
		{"simple_rnn_relu_seq_back_nobias", func() layers.Layer {
			return layers.SimpleRNN(3, layers.Activation("relu"), layers.ReturnSequences(true), layers.GoBackwards(true), layers.UseBias(false))
		}, 0, holes, backend.Predict},
		{"simple_rnn_dropout", func() layers.Layer {
			return layers.SimpleRNN(3, layers.InputDropout(0.3), layers.RecurrentDropout(0.4), layers.Seed(2), layers.ReturnState(true))
		}, 1, nil, backend.Train},
		{"lstm", func() layers.Layer { return layers.LSTM(3) }, 0, nil, backend.Predict},
		{"lstm_seq_state_mask", func() layers.Layer { return layers.LSTM(3, layers.ReturnSequences(true), layers.ReturnState(true)) }, 0, rightPadded, backend.Predict},
		{"lstm_back_states_mask", func() layers.Layer { return layers.LSTM(2, layers.GoBackwards(true), layers.ReturnState(true)) }, 2, holes, backend.Predict},
		{"lstm_dropout_per_gate", func() layers.Layer {
			return layers.LSTM(3, layers.InputDropout(0.25), layers.RecurrentDropout(0.3), layers.Seed(4), layers.ReturnSequences(true))
		}, 0, holes, backend.Train},
		{"lstm_dropout_shared", func() layers.Layer { return layers.LSTM(3, layers.InputDropout(0.5), layers.Seed(4)) }, 0, nil, backend.Train},
		{"lstm_zero_output", func() layers.Layer {
			return layers.LSTM(3, layers.ReturnSequences(true), layers.ZeroOutputForMask(true), layers.RecurrentActivation("hard_sigmoid"))
		}, 0, holes, backend.Predict},
		{"gru", func() layers.Layer { return layers.GRU(3) }, 0, nil, backend.Predict},
		{"gru_reset_before_seq_mask", func() layers.Layer {
			return layers.GRU(3, layers.ResetAfter(false), layers.ReturnSequences(true), layers.GoBackwards(true))
		}, 0, rightPadded, backend.Predict},
		{"gru_dropout_state", func() layers.Layer {
			return layers.GRU(2, layers.InputDropout(0.2), layers.RecurrentDropout(0.2), layers.Seed(8), layers.ReturnState(true))
		}, 1, holes, backend.Train},
		{"gru_nobias_silu", func() layers.Layer { return layers.GRU(3, layers.UseBias(false), layers.Activation("silu")) }, 0, nil, backend.Predict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := c.layer()
			shapes := [][]int{{5, 4}}
			inputs := []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 5, 4)}
			units := l.(*layers.RecurrentLayer).Units()
			for i := 0; i < c.states; i++ {
				shapes = append(shapes, []int{units})
				inputs = append(inputs, gradcheck.Rand(int64(10+i), -0.8, 0.8, 2, units))
			}
			buildSeq(t, l, c.name, shapes...)
			seqCheck{layer: l, mode: c.mode, inputs: inputs, mask: c.mask}.run(t)
		})
	}
}

// TestBidirectionalGradients gradient-checks Bidirectional with every
// merge mode, masks, return_state and initial states.
func TestBidirectionalGradients(t *testing.T) {
	cases := []struct {
		name   string
		layer  func() layers.Layer
		states int
		mask   *tensor.Dense
		mode   backend.Mode
	}{
		{"lstm_concat_seq_mask", func() layers.Layer {
			return layers.Bidirectional(layers.LSTM(3, layers.ReturnSequences(true)))
		}, 0, rightPadded, backend.Predict},
		{"gru_sum", func() layers.Layer { return layers.Bidirectional(layers.GRU(3), layers.MergeMode("sum")) }, 0, holes, backend.Predict},
		{"simple_rnn_mul_seq", func() layers.Layer {
			return layers.Bidirectional(layers.SimpleRNN(3, layers.ReturnSequences(true)), layers.MergeMode("mul"))
		}, 0, nil, backend.Predict},
		{"lstm_ave_state_initial", func() layers.Layer {
			return layers.Bidirectional(layers.LSTM(2, layers.ReturnState(true)), layers.MergeMode("ave"))
		}, 4, holes, backend.Predict},
		{"gru_none_seq", func() layers.Layer {
			return layers.Bidirectional(layers.GRU(2, layers.ReturnSequences(true)), layers.MergeMode("none"))
		}, 0, holes, backend.Predict},
		{"lstm_dropout_backward_layer", func() layers.Layer {
			return layers.Bidirectional(layers.LSTM(2, layers.InputDropout(0.3), layers.Seed(1)),
				layers.BackwardLayer(layers.LSTM(2, layers.GoBackwards(true), layers.Activation("relu"), layers.RecurrentDropout(0.3), layers.Seed(2))))
		}, 0, nil, backend.Train},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := c.layer()
			shapes := [][]int{{5, 4}}
			inputs := []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 5, 4)}
			units := l.(*layers.BidirectionalLayer).ForwardLayer().Units()
			for i := 0; i < c.states; i++ {
				shapes = append(shapes, []int{units})
				inputs = append(inputs, gradcheck.Rand(int64(10+i), -0.8, 0.8, 2, units))
			}
			buildSeq(t, l, c.name, shapes...)
			seqCheck{layer: l, mode: c.mode, inputs: inputs, mask: c.mask}.run(t)
		})
	}
}

// TestSequenceLayerGradients gradient-checks Embedding (with respect to
// its table; the indices have none), TimeDistributed, RepeatVector,
// Permute and Masking.
func TestSequenceLayerGradients(t *testing.T) {
	ids := gradcheck.FromSlice([]float64{3, 1, 0, 3, 5, 5, 2, 0, 1, 3, 3, 3}, 3, 4) // repeated ids accumulate
	cases := []struct {
		name   string
		layer  layers.Layer
		in     []int
		x      *tensor.Dense
		noGrad bool
		mode   backend.Mode
	}{
		{"embedding", layers.Embedding(6, 3), []int{4}, ids, true, backend.Predict},
		{"embedding_mask_zero_l2", layers.Embedding(6, 2, layers.MaskZero(true), layers.EmbeddingsRegularizer("l2")), []int{4}, ids, true, backend.Train},
		{"time_distributed_dense", layers.TimeDistributed(layers.Dense(3, layers.Activation("tanh"))), []int{5, 4}, gradcheck.Rand(2, -1, 1, 2, 5, 4), false, backend.Predict},
		{"time_distributed_lstm", layers.TimeDistributed(layers.LSTM(2)), []int{3, 4, 2}, gradcheck.Rand(2, -1, 1, 2, 3, 4, 2), false, backend.Predict},
		{"time_distributed_dropout", layers.TimeDistributed(layers.Dropout(0.4, layers.Seed(3))), []int{3, 4}, gradcheck.Rand(2, -1, 1, 2, 3, 4), false, backend.Train},
		{"repeat_vector", layers.RepeatVector(3), []int{4}, gradcheck.Rand(3, -1, 1, 2, 4), false, backend.Predict},
		{"permute", layers.Permute([]int{3, 1, 2}), []int{2, 3, 4}, gradcheck.Rand(4, -1, 1, 2, 2, 3, 4), false, backend.Predict},
		{"masking_nothing_masked", layers.Masking(), []int{3, 4}, gradcheck.Rand(5, 0.5, 1, 2, 3, 4), false, backend.Predict},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buildSeq(t, c.layer, c.name, c.in)
			seqCheck{layer: c.layer, mode: c.mode, inputs: []*tensor.Dense{c.x}, noGrad: []bool{c.noGrad}}.run(t)
		})
	}
}

// TestMaskingZeroesMaskedSteps: Masking's output and gradient are zero at
// the steps whose features all equal the mask value, and pass through at
// the others; the mask it records is any(x != value).
func TestMaskingZeroesMaskedSteps(t *testing.T) {
	l := layers.Masking(layers.MaskValue(-1))
	buildSeq(t, l, "masking", []int{3, 2})
	x := gradcheck.FromSlice([]float64{1, 2, -1, -1, -1, 0, -1, -1, 4, 5, 6, 7}, 2, 3, 2)
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
	got, _, err := gradcheck.Forward(f, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2, 0, 0, -1, 0, 0, 0, 4, 5, 6, 7}
	if !sameFloats(got, want) {
		t.Errorf("output %v, want %v", got, want)
	}
	if m := mask.Data().([]float64); !sameFloats(m, []float64{1, 0, 1, 0, 1, 1}) {
		t.Errorf("mask %v", m)
	}
	grads, err := gradcheck.Gradient(f, []*tensor.Dense{x}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(grads[0], []float64{1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1}) {
		t.Errorf("gradient %v", grads[0])
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRecurrentWeights: the weights have Keras's names, shapes, order and
// initial values (orthogonal recurrent kernels, LSTM's forget-gate bias
// of ones, GRU's (2, 3*units) bias with reset_after).
func TestRecurrentWeights(t *testing.T) {
	cases := []struct {
		layer  *layers.RecurrentLayer
		shapes [][]int
	}{
		{layers.SimpleRNN(4), [][]int{{3, 4}, {4, 4}, {4}}},
		{layers.LSTM(4), [][]int{{3, 16}, {4, 16}, {16}}},
		{layers.GRU(4), [][]int{{3, 12}, {4, 12}, {2, 12}}},
		{layers.GRU(4, layers.ResetAfter(false)), [][]int{{3, 12}, {4, 12}, {12}}},
		{layers.LSTM(4, layers.UseBias(false)), [][]int{{3, 16}, {4, 16}}},
	}
	for _, c := range cases {
		l := c.layer
		buildSeq(t, l, "rnn", []int{-1, 3})
		vars := l.Variables()
		if len(vars) != len(c.shapes) {
			t.Fatalf("%s: %d weights", l.ClassName(), len(vars))
		}
		for i, v := range vars {
			if !equalInts(v.Shape(), c.shapes[i]) || v.Name() != "rnn/"+[]string{"kernel", "recurrent_kernel", "bias"}[i] {
				t.Errorf("%s weight %d: %s %v, want %v", l.ClassName(), i, v.Name(), v.Shape(), c.shapes[i])
			}
		}
		// The recurrent kernel (u, g*u) has orthonormal rows.
		u := l.Units()
		r := vars[1].Value().Data().([]float64)
		gu := len(r) / u
		for i := 0; i < u; i++ {
			for j := 0; j < u; j++ {
				dot := 0.0
				for k := 0; k < gu; k++ {
					dot += r[i*gu+k] * r[j*gu+k]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-9 {
					t.Fatalf("%s: recurrent kernel rows %d, %d: dot %v", l.ClassName(), i, j, dot)
				}
			}
		}
		if len(vars) == 3 {
			b := vars[2].Value().Data().([]float64)
			for i, v := range b {
				want := 0.0
				if l.ClassName() == "LSTM" && i >= u && i < 2*u {
					want = 1
				}
				if v != want {
					t.Fatalf("%s: bias %v", l.ClassName(), b)
				}
			}
		}
	}
	// unit_forget_bias=False leaves the bias to its initializer.
	l := layers.LSTM(2, layers.UnitForgetBias(false), layers.BiasInitializer("ones"))
	buildSeq(t, l, "lstm", []int{4, 3})
	if b := l.Variables()[2].Value().Data().([]float64); !sameFloats(b, ones(8)) {
		t.Errorf("bias %v", b)
	}
}

// TestRecurrentShapes: output shapes for return_sequences, return_state,
// Bidirectional's merge modes and the wrappers.
func TestRecurrentShapes(t *testing.T) {
	cases := []struct {
		layer layers.Layer
		in    [][]int
		want  string
	}{
		{layers.LSTM(4), [][]int{{-1, 3}}, "[[4]]"},
		{layers.LSTM(4, layers.ReturnSequences(true)), [][]int{{-1, 3}}, "[[-1 4]]"},
		{layers.LSTM(4, layers.ReturnState(true)), [][]int{{7, 3}}, "[[4] [4] [4]]"},
		{layers.GRU(4, layers.ReturnState(true), layers.ReturnSequences(true)), [][]int{{7, 3}}, "[[7 4] [4]]"},
		{layers.SimpleRNN(2), [][]int{{7, 3}, {2}}, "[[2]]"},
		{layers.Bidirectional(layers.LSTM(4, layers.ReturnSequences(true))), [][]int{{7, 3}}, "[[7 8]]"},
		{layers.Bidirectional(layers.GRU(4), layers.MergeMode("sum")), [][]int{{7, 3}}, "[[4]]"},
		{layers.Bidirectional(layers.GRU(4, layers.ReturnState(true)), layers.MergeMode("none")), [][]int{{7, 3}}, "[[4] [4] [4] [4]]"},
		{layers.Bidirectional(layers.LSTM(4, layers.ReturnState(true))), [][]int{{7, 3}}, "[[8] [4] [4] [4] [4]]"},
		{layers.TimeDistributed(layers.Dense(5)), [][]int{{7, 3}}, "[[7 5]]"},
		{layers.TimeDistributed(layers.Flatten()), [][]int{{-1, 3, 2}}, "[[-1 6]]"},
		{layers.RepeatVector(6), [][]int{{3}}, "[[6 3]]"},
		{layers.Permute([]int{2, 1}), [][]int{{10, 64}}, "[[64 10]]"},
		{layers.Embedding(100, 8), [][]int{{-1}}, "[[-1 8]]"},
		{layers.Embedding(100, 8), [][]int{{5, 2}}, "[[5 2 8]]"},
		{layers.Masking(), [][]int{{5, 2}}, "[[5 2]]"},
	}
	for i, c := range cases {
		out := buildSeq(t, c.layer, "l", c.in...)
		if got := fmt.Sprint(out); got != c.want {
			t.Errorf("case %d (%s): shapes %s, want %s", i, c.layer.ClassName(), got, c.want)
		}
	}
}

// TestRecurrentBuildErrors: invalid arguments and inputs are reported as
// typed errors naming the argument, never a panic.
func TestRecurrentBuildErrors(t *testing.T) {
	option := func(kw string) func(error) bool {
		return func(err error) bool {
			var oe *kerrors.OptionError
			return errors.As(err, &oe) && oe.Option == kw
		}
	}
	shape := func(err error) bool { var se *kerrors.ShapeError; return errors.As(err, &se) }
	anyErr := func(err error) bool { return err != nil }
	cases := []struct {
		layer layers.Layer
		in    [][]int
		want  func(error) bool
	}{
		{layers.LSTM(0), [][]int{{5, 3}}, option("units")},
		{layers.LSTM(3), [][]int{{3}}, shape}, // a table, not a sequence
		{layers.GRU(3), [][]int{{5, -1}}, shape},
		{layers.SimpleRNN(3, layers.RecurrentActivation("sigmoid")), [][]int{{5, 3}}, option("recurrent_activation")},
		{layers.GRU(3, layers.UnitForgetBias(false)), [][]int{{5, 3}}, option("unit_forget_bias")},
		{layers.LSTM(3, layers.ResetAfter(false)), [][]int{{5, 3}}, option("reset_after")},
		{layers.LSTM(3, layers.InputDropout(1)), [][]int{{5, 3}}, option("dropout")},
		{layers.LSTM(3, layers.RecurrentDropout(-0.1)), [][]int{{5, 3}}, option("recurrent_dropout")},
		{layers.LSTM(3, layers.Activation("softmax")), [][]int{{5, 3}}, option("activation")},
		{layers.LSTM(3, layers.RecurrentActivation("elu")), [][]int{{5, 3}}, option("recurrent_activation")},
		{layers.LSTM(3, layers.RecurrentInitializer("glorot")), [][]int{{5, 3}}, anyErr},
		{layers.LSTM(3, nil), [][]int{{5, 3}}, func(err error) bool { return errors.Is(err, kerrors.ErrNil) }},
		{layers.LSTM(3), [][]int{{5, 3}, {3}}, anyErr},       // LSTM needs h and c
		{layers.LSTM(3), [][]int{{5, 3}, {4}, {3}}, shape},   // wrong state size
		{layers.Bidirectional(nil), [][]int{{5, 3}}, anyErr}, // nil layer
		{layers.Bidirectional(layers.LSTM(3), layers.MergeMode("max")), [][]int{{5, 3}}, option("merge_mode")},
		{layers.Bidirectional(layers.LSTM(3), layers.BackwardLayer(layers.LSTM(3))), [][]int{{5, 3}}, option("backward_layer")},
		{layers.Bidirectional(layers.LSTM(3), layers.BackwardLayer(layers.LSTM(3, layers.GoBackwards(true), layers.ReturnSequences(true)))), [][]int{{5, 3}}, option("backward_layer")},
		{layers.Bidirectional(layers.LSTM(3, layers.ActivityRegularizer("l2"))), [][]int{{5, 3}}, option("layer")},
		{layers.Bidirectional(layers.LSTM(3)), [][]int{{5, 3}, {3}}, anyErr},
		{layers.TimeDistributed(layers.Dense(2)), [][]int{{3}}, shape},
		{layers.TimeDistributed(nil), [][]int{{3, 3}}, anyErr},
		{layers.RepeatVector(0), [][]int{{3}}, option("n")},
		{layers.RepeatVector(2), [][]int{{3, 2}}, shape},
		{layers.Permute([]int{1, 1}), [][]int{{3, 2}}, option("dims")},
		{layers.Permute([]int{2, 1}), [][]int{{3, 2, 1}}, shape},
		{layers.Masking(layers.MaskValue(math.Inf(1))), [][]int{{3, 2}}, option("mask_value")},
		{layers.Masking(), [][]int{{3}}, shape},
		{layers.Embedding(0, 4), [][]int{{3}}, option("input_dim")},
		{layers.Embedding(10, 0), [][]int{{3}}, option("output_dim")},
		{layers.Embedding(10, 4, layers.EmbeddingsInitializer("nope")), [][]int{{3}}, anyErr},
	}
	for i, c := range cases {
		_, err := layertest.Build(c.layer, "l", tensor.Float64, 1, c.in...)
		if err == nil || !c.want(err) {
			t.Errorf("case %d (%s): error = %v", i, c.layer.ClassName(), err)
		}
	}
}
