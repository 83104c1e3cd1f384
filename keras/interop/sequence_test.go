package interop_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/hdf5"
	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/layers"
)

// The sequence models of the round-trip tables (roundtrip_test.go): every
// class of converters_embedding.go, converters_recurrent.go and
// converters_wrappers.go with options other than Keras's defaults.

func seeded(t *testing.T, m *keras.Model, seed int64) *keras.Model {
	t.Helper()
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(); err != nil {
		t.Fatal(err)
	}
	return m
}

// testSequence is a text model TensorFlow.js and Keras 3 both express:
// Embedding with mask_zero, Bidirectional LSTM (merge sum), TimeDistributed
// Dense, a backwards reset-before GRU, RepeatVector, SimpleRNN and Permute.
func testSequence(t *testing.T) *keras.Model {
	t.Helper()
	return seeded(t, keras.Sequential(
		layers.Embedding(20, 6, layers.MaskZero(true), layers.InputShape(7), layers.EmbeddingsRegularizer("l2"), layers.Name("emb"),
			layers.EmbeddingsInitializer("he_normal")),
		layers.Bidirectional(layers.LSTM(4, layers.ReturnSequences(true), layers.UnitForgetBias(false), layers.KernelRegularizer("l1"),
			layers.InputDropout(0.1), layers.RecurrentDropout(0.2), layers.RecurrentInitializer("glorot_normal")), layers.MergeMode("sum")),
		layers.TimeDistributed(layers.Dense(3, layers.Activation("tanh"), layers.KernelInitializer("he_normal"))),
		layers.GRU(3, layers.ResetAfter(false), layers.GoBackwards(true), layers.Activation("linear"), layers.KernelInitializer("he_normal")),
		layers.RepeatVector(2),
		layers.SimpleRNN(2, layers.ReturnSequences(true), layers.UseBias(false), layers.KernelInitializer("he_normal")),
		layers.Permute([]int{2, 1}),
		layers.Flatten(),
		layers.Dense(2, layers.Activation("softmax"), layers.KernelInitializer("he_normal"))), 11)
}

// testMasking masks float sequences for a Bidirectional GRU (concat) and
// a backwards LSTM.
func testMasking(t *testing.T) *keras.Model {
	t.Helper()
	return seeded(t, keras.Sequential(
		layers.Masking(layers.MaskValue(0.25), layers.InputShape(5, 3)),
		layers.Bidirectional(layers.GRU(3, layers.ResetAfter(false), layers.ReturnSequences(true), layers.KernelInitializer("he_normal"),
			layers.RecurrentRegularizer("l1"))),
		// TensorFlow.js applies a constraint when it loads a weight: the
		// weights here must meet theirs (ones are non-negative) for tfjs to
		// predict what gokeras does from the export.
		layers.LSTM(2, layers.GoBackwards(true), layers.BiasRegularizer("l2"), layers.BiasInitializer("ones"), layers.BiasConstraint("non_neg")),
		layers.Dense(1)), 12)
}

// testSequenceKeras3 uses what only Keras 3 files hold: a reset-after
// GRU, a given backward layer, seeds, zero_output_for_mask and Keras 3's
// hard sigmoid.
func testSequenceKeras3(t *testing.T) *keras.Model {
	t.Helper()
	return seeded(t, keras.Sequential(
		layers.Masking(layers.InputShape(5, 3)),
		layers.Bidirectional(layers.GRU(3, layers.ReturnSequences(true), layers.Seed(4), layers.InputDropout(0.1)),
			layers.BackwardLayer(layers.GRU(3, layers.GoBackwards(true), layers.ReturnSequences(true), layers.Activation("relu"), layers.Name("backward_gru"))),
			layers.MergeMode("mul")),
		layers.LSTM(3, layers.ZeroOutputForMask(true), layers.ReturnSequences(true), layers.RecurrentActivation("hard_sigmoid")),
		layers.TimeDistributed(layers.Dense(2, layers.UseBias(false))),
		layers.SimpleRNN(2, layers.GoBackwards(true), layers.Seed(9), layers.RecurrentDropout(0.3))), 13)
}

// testSequenceTFJS uses TensorFlow.js's hard sigmoid in LSTM and GRU
// gates.
func testSequenceTFJS(t *testing.T) *keras.Model {
	t.Helper()
	return seeded(t, keras.Sequential(
		layers.Embedding(9, 4, layers.InputShape(6)),
		layers.LSTM(5, layers.RecurrentActivation("keras2_hard_sigmoid"), layers.ReturnSequences(true)),
		layers.GRU(3, layers.ResetAfter(false), layers.RecurrentActivation("keras2_hard_sigmoid")),
		layers.Dense(2, layers.Activation("softmax"))), 14)
}

// lcg is a small seeded generator for test data.
func lcg(seed int64) func() float64 {
	s := uint64(seed)*2654435761 + 1
	return func() float64 {
		s = s*6364136223846793005 + 1442695040888963407
		return float64(s>>11) / (1 << 53)
	}
}

// indices returns (n, steps) token ids below vocab, with trailing zeros
// (padding) in every other row.
func indices(seed int64, n, steps, vocab int) *tensor.Dense {
	next := lcg(seed)
	x := make([]float32, n*steps)
	for i := 0; i < n; i++ {
		for j := 0; j < steps; j++ {
			if i%2 == 1 && j >= steps-2 {
				continue
			}
			x[i*steps+j] = float32(int(next()*float64(vocab-1)) + 1)
		}
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(x))
}

// sequences returns (n, steps, features) values in [-1, 1), with some
// steps all 0.25 and some all 0 (Masking's values).
func sequences(seed int64, n, steps, features int) *tensor.Dense {
	next := lcg(seed)
	x := make([]float32, n*steps*features)
	for i := range x {
		x[i] = float32(2*next() - 1)
	}
	for i := 0; i < n; i++ {
		fill := float32(0.25)
		if i%2 == 1 {
			fill = 0
		}
		step := (i + 1) % steps
		for k := 0; k < features; k++ {
			x[(i*steps+step)*features+k] = fill
		}
	}
	return tensor.New(tensor.WithShape(n, steps, features), tensor.WithBacking(x))
}

// TestSequenceKerasLayout checks the weights file of a .keras archive
// against Keras 3's layout: a recurrent layer's weights in its cell, a
// Bidirectional's in forward_layer/cell and backward_layer/cell, a
// TimeDistributed's under layer, an Embedding's in its own vars.
func TestSequenceKerasLayout(t *testing.T) {
	m := testSequence(t)
	path := filepath.Join(t.TempDir(), "seq.keras")
	if err := interop.SaveKeras(m, path); err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open(member(t, path, "model.weights.h5"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"layers/embedding/vars/0":                         {20, 6},
		"layers/bidirectional/forward_layer/cell/vars/0":  {6, 16},
		"layers/bidirectional/forward_layer/cell/vars/1":  {4, 16},
		"layers/bidirectional/forward_layer/cell/vars/2":  {16},
		"layers/bidirectional/backward_layer/cell/vars/2": {16},
		"layers/time_distributed/layer/vars/0":            {4, 3},
		"layers/time_distributed/layer/vars/1":            {3},
		"layers/gru/cell/vars/0":                          {3, 9},
		"layers/gru/cell/vars/2":                          {9},
		"layers/simple_rnn/cell/vars/1":                   {2, 2},
		"layers/dense/vars/1":                             {2},
		"layers/bidirectional/forward_layer/vars":         nil,
		"layers/bidirectional/vars":                       nil,
		"layers/gru/vars":                                 nil,
		"layers/time_distributed/vars":                    nil,
		"layers/bidirectional/backward_layer/cell/vars":   nil,
		"layers/bidirectional/backward_layer/vars":        nil,
		"layers/simple_rnn/cell/vars":                     nil,
		"layers/repeat_vector/vars":                       nil,
		"layers/permute/vars":                             nil,
	}
	for p, shape := range want {
		if shape == nil {
			if _, err := f.Root().Group(p); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			continue
		}
		ds, err := f.Root().Dataset(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got := ds.Shape(); !equalShape(tensor.Shape(got), shape) {
			t.Errorf("%s: shape %v, want %v", p, got, shape)
		}
	}
	// Every vars group is named after its object, as saving_lib names it.
	for p, want := range map[string]string{"layers/gru/cell/vars": "gru_cell", "layers/bidirectional/forward_layer/vars": "forward_lstm",
		"layers/bidirectional/backward_layer/cell/vars": "lstm_cell", "layers/time_distributed/layer/vars": "dense",
		"layers/simple_rnn/cell/vars": "simple_rnn_cell", "layers/embedding/vars": "emb"} {
		g, err := f.Root().Group(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		a, err := g.Attr("name")
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if got, err := a.String(); err != nil || got != want {
			t.Errorf("%s: name %q (%v), want %q", p, got, err, want)
		}
	}
	if g, err := f.Root().Group("layers/gru/vars"); err == nil {
		if links, _ := g.Children(); len(links) != 0 {
			t.Errorf("layers/gru/vars holds %d entries, want none (the cell owns the weights)", len(links))
		}
	}
	cfg := string(member(t, path, "config.json"))
	for _, s := range []string{`"class_name": "Bidirectional"`, `"merge_mode": "sum"`, `"name": "forward_lstm"`, `"name": "backward_lstm"`,
		`"go_backwards": true`, `"reset_after": false`, `"mask_zero": true`, `"dims": [2, 1]`, `"n": 2`} {
		if !strings.Contains(cfg, s) {
			t.Errorf("config.json has no %s", s)
		}
	}
}

// TestSequenceTFJSNames checks the weight names and the Bidirectional
// config a TensorFlow.js file gets: tfjs's own (the layer as given, the
// weights below "<bidirectional>/forward_<name>/").
func TestSequenceTFJSNames(t *testing.T) {
	m := testSequence(t)
	dir := filepath.Join(t.TempDir(), "seq")
	if err := interop.SaveTFJS(m, dir); err != nil {
		t.Fatal(err)
	}
	js := string(mustRead(t, filepath.Join(dir, "model.json")))
	for _, s := range []string{`"bidirectional/forward_lstm/kernel"`, `"bidirectional/backward_lstm/recurrent_kernel"`,
		`"time_distributed/kernel"`, `"gru/bias"`, `"emb/embeddings"`, `"name": "lstm"`, `"input_length": 7`, `"activation": "linear"`} {
		if !strings.Contains(js, s) {
			t.Errorf("model.json has no %s", s)
		}
	}
	if !strings.Contains(js, `"reset_after": false`) {
		t.Error("model.json has no reset_after false (tfjs 4 writes it for its GRU)")
	}
	for _, s := range []string{`"backward_layer"`, `"reset_after": true`, `"zero_output_for_mask"`, `"time_major"`} {
		if strings.Contains(js, s) {
			t.Errorf("model.json has %s, which TensorFlow.js does not write", s)
		}
	}
}

// TestKeras2HardSigmoidGokerasFormat: the tfjs LSTM fixture (hard_sigmoid
// gates, Keras 2's) saved in gokeras's own format loads back with the
// same activation and predictions.
func TestKeras2HardSigmoidGokerasFormat(t *testing.T) {
	m, err := interop.LoadModel("testdata/tfjs/lstm")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lstm.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range back.Layers() {
		if c, ok := l.Config().(layers.RecurrentConfig); ok {
			found = true
			if c.RecurrentActivation == nil || c.RecurrentActivation.Name != "keras2_hard_sigmoid" {
				t.Errorf("recurrent_activation %+v, want keras2_hard_sigmoid", c.RecurrentActivation)
			}
		}
	}
	if !found {
		t.Fatal("no recurrent layer")
	}
	sameWeights(t, m, back)
	samePredictions(t, m, back, indices(2, 3, 7, 20))
}

// TestKeras2HardSigmoidLSTMValues: an LSTM whose gates are all 0.2x + 0.5
// computes the closed form: with zero kernels and biases b, every gate is
// clip(0.2b + 0.5, 0, 1).
func TestKeras2HardSigmoidLSTMValues(t *testing.T) {
	cfg := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
		{"class_name": "LSTM", "config": {"name": "l", "units": 1, "activation": "linear", "recurrent_activation": "hard_sigmoid",
		 "kernel_initializer": {"class_name": "Zeros", "config": {}}, "recurrent_initializer": {"class_name": "Zeros", "config": {}},
		 "bias_initializer": {"class_name": "Constant", "config": {"value": 1.0}}, "unit_forget_bias": false,
		 "batch_input_shape": [null, 2, 1]}}]}, "keras_version": "tfjs-layers 4.22.0"}`
	m, err := interop.ModelFromJSON([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.PredictAll(context.Background(), tensor.New(tensor.WithShape(1, 2, 1), tensor.WithBacking([]float32{3, -4})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	// Gates 0.7 (Keras 3's would be 1/6 + 1/2); g = 1 (linear); c1 = 0.7,
	// h1 = 0.49; c2 = 0.7*0.7 + 0.7 = 1.19, h2 = 0.7*1.19.
	want := 0.7 * (0.7*0.7 + 0.7)
	if got := toFloats(out[0])[0]; math.Abs(got-want) > 1e-6 {
		t.Fatalf("h = %v, want %v", got, want)
	}
}

// TestKerasSequenceFixtures loads sequence models written with h5py in
// Keras 3's and Keras 2's layouts (testdata/keras/make_seq_fixtures.py)
// and compares predictions with numpy's, masks included.
func TestKerasSequenceFixtures(t *testing.T) {
	var exp struct {
		Models map[string]reference `json:"models"`
	}
	readJSON(t, "testdata/keras/expected_seq.json", &exp)
	for _, c := range []struct{ name, file string }{
		{"seq_keras3", "seq_keras3.keras"},
		{"keras2_seq", "keras2_seq.h5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := interop.LoadModel(filepath.Join("testdata", "keras", c.file))
			if err != nil {
				t.Fatal(err)
			}
			ref, ok := exp.Models[c.name]
			if !ok {
				t.Fatalf("expected_seq.json has no %s", c.name)
			}
			checkClose(t, predictAll(t, m, ref.Inputs), ref.Outputs, 1e-5)
		})
	}
}
