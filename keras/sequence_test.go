package keras_test

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// idsData returns n sequences of steps token ids in [1, vocab), each
// right-padded with zeros after a random length in [1, steps], and a
// binary label: whether token 1 occurs.
func idsData(n, steps, vocab int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]int64, n*steps)
	y := make([]float32, n)
	for i := 0; i < n; i++ {
		l := 1 + rng.Intn(steps)
		for j := 0; j < l; j++ {
			v := int64(1 + rng.Intn(vocab-1))
			x[i*steps+j] = v
			if v == 1 {
				y[i] = 1
			}
		}
	}
	return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(y))
}

// TestEmbeddingIndexChecks: Fit and Predict reject indices outside
// [0, input_dim) and non-integers before any run, naming the sample, the
// position and the layer.
func TestEmbeddingIndexChecks(t *testing.T) {
	ctx := context.Background()
	for _, declared := range []bool{false, true} {
		var opts []keras.InputOption
		if declared {
			opts = append(opts, keras.InputDtype(tensor.Int64))
		}
		in := keras.Input([]int{4}, opts...)
		h := layers.Embedding(10, 3, layers.Name("tokens")).Apply(in)
		out := layers.Dense(1).Apply(layers.LSTM(2).Apply(h))
		m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			bad  float64
			want string
		}{{10, "in [0, 10)"}, {-1, "in [0, 10)"}, {2.5, "integer"}} {
			x := tensor.New(tensor.WithShape(3, 4), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}))
			x.Data().([]float64)[6] = c.bad // sample 1, position 2
			y := tensor.New(tensor.WithShape(3, 1), tensor.WithBacking([]float64{0, 1, 0}))
			_, err := m.Fit(ctx, x, y, keras.Verbose(0))
			var de *keras.DataError
			if !errors.As(err, &de) || de.Row != 1 || de.Col != 2 {
				t.Fatalf("declared %v, index %v: Fit error %v, want a DataError at [1] position 2", declared, c.bad, err)
			}
			if !strings.Contains(err.Error(), c.want) || (!declared && !strings.Contains(err.Error(), "tokens")) {
				t.Errorf("declared %v: error %q should say %q and name the layer", declared, err, c.want)
			}
			if _, err := m.Predict(ctx, x, keras.Verbose(0)); !errors.As(err, &de) {
				t.Errorf("Predict: %v", err)
			}
		}
	}
}

// TestEmbeddingTooLargeForFloat32: a float32 model cannot index more than
// 2^24 rows exactly; building it fails, naming the layer and the fix.
func TestEmbeddingTooLargeForFloat32(t *testing.T) {
	m := keras.Sequential(layers.Embedding(1<<24+1, 1, layers.InputShape(3), layers.Name("big")), layers.Flatten(), layers.Dense(1))
	err := m.Compile(keras.Loss("mse"), keras.Optimizer("sgd"))
	var oe *keras.OptionError
	if !errors.As(err, &oe) || oe.Option != "input_dim" || !strings.Contains(err.Error(), "big") || !strings.Contains(err.Error(), "float64") {
		t.Fatalf("error %v, want an OptionError about input_dim naming the layer", err)
	}
}

// TestMaskPropagation: a mask made by Embedding(mask_zero) reaches the
// recurrent layers through Dense and Dropout, so right- and left-padded
// sequences predict exactly what the unpadded ones do; Masking does the
// same for float inputs.
func TestMaskPropagation(t *testing.T) {
	ctx := context.Background()
	make := func(rnn layers.Layer) *keras.Model {
		in := keras.Input([]int{-1}, keras.InputDtype(tensor.Int64))
		h := layers.Embedding(20, 4, layers.MaskZero(true)).Apply(in)
		h = layers.Dense(5, layers.Activation("tanh")).Apply(h)
		h = layers.Dropout(0.3).Apply(h)
		out := layers.Dense(1).Apply(rnn.LayerBase().Apply(h))
		m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		_ = m.SetSeed(3)
		_ = m.SetDtype(tensor.Float64)
		return m
	}
	short := []float64{3, 7, 2, 9, 9, 1}
	ids := func(rows [][]float64) *tensor.Dense {
		var d []float64
		for _, r := range rows {
			d = append(d, r...)
		}
		return tensor.New(tensor.WithShape(len(rows), len(rows[0])), tensor.WithBacking(d))
	}
	unpadded := ids([][]float64{short[:3], short[3:]})
	right := ids([][]float64{{3, 7, 2, 0, 0}, {9, 9, 1, 0, 0}})
	left := ids([][]float64{{0, 0, 3, 7, 2}, {0, 0, 9, 9, 1}})
	for _, rnn := range []func() layers.Layer{
		func() layers.Layer { return layers.LSTM(3) },
		func() layers.Layer { return layers.GRU(3, layers.GoBackwards(true)) },
		func() layers.Layer { return layers.SimpleRNN(3) },
		func() layers.Layer { return layers.Bidirectional(layers.LSTM(3)) },
	} {
		m := make(rnn())
		want, err := m.Predict(ctx, unpadded, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		for name, x := range map[string]*tensor.Dense{"right": right, "left": left} {
			got, err := m.Predict(ctx, x, keras.Verbose(0))
			if err != nil {
				t.Fatal(err)
			}
			w, g := want.Data().([]float64), got.Data().([]float64)
			for i := range w {
				if math.Abs(w[i]-g[i]) > 1e-12 {
					t.Errorf("%s, %s-padded: %v, unpadded %v", m.Layers()[4].ClassName(), name, g, w)
					break
				}
			}
		}
	}
	// Masking on float inputs: all-zero steps are skipped.
	in := keras.Input([]int{-1, 2})
	out := layers.Dense(1).Apply(layers.LSTM(3).Apply(layers.Masking().Apply(in)))
	m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Predict(ctx, tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]float32{1, 2, 3, 4})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Predict(ctx, tensor.New(tensor.WithShape(1, 4, 2), tensor.WithBacking([]float32{1, 2, 0, 0, 3, 4, 0, 0})), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if a.Data().([]float32)[0] != b.Data().([]float32)[0] {
		t.Errorf("Masking: %v with zero steps, %v without", b.Data(), a.Data())
	}
}

// TestRecurrentFloat32MatchesFloat64: the same recurrent model in float32
// and float64 (same seed, so the same initial weights) predicts the same
// numbers to float32 precision, and trains in both.
func TestRecurrentFloat32MatchesFloat64(t *testing.T) {
	ctx := context.Background()
	x, y := idsData(64, 12, 30, 1)
	var preds [2][]float64
	for k, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := keras.Sequential(
			layers.Embedding(30, 8, layers.MaskZero(true), layers.InputShape(12)),
			layers.Bidirectional(layers.GRU(6, layers.ReturnSequences(true))),
			layers.LSTM(5, layers.InputDropout(0.1), layers.RecurrentDropout(0.1)),
			layers.Dense(1, layers.Activation("sigmoid")),
		)
		_ = m.SetSeed(9)
		_ = m.SetDtype(dt)
		if err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam")); err != nil {
			t.Fatal(err)
		}
		p, err := m.Predict(ctx, x, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		preds[k] = asFloat64s(p)
		if _, err := m.Fit(ctx, x, y, keras.Epochs(1), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range preds[0] {
		if math.Abs(preds[0][i]-preds[1][i]) > 1e-5 {
			t.Fatalf("prediction %d: float32 %v, float64 %v", i, preds[0][i], preds[1][i])
		}
	}
}

func asFloat64s(t tensor.Tensor) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// TestRecurrentLearns: an Embedding -> LSTM model learns whether a token
// occurs in a padded sequence (a task that needs the recurrence and the
// mask), from chance to well above it.
func TestRecurrentLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	ctx := context.Background()
	x, y := idsData(600, 10, 8, 2)
	m := keras.Sequential(
		layers.Embedding(8, 8, layers.MaskZero(true), layers.InputShape(10)),
		layers.LSTM(16),
		layers.Dense(1, layers.Activation("sigmoid")),
	)
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(ctx, x, y, keras.Epochs(15), keras.BatchSize(32), keras.ValidationSplit(0.2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := h.Get("val_accuracy")
	if last := acc[len(acc)-1]; last < 0.9 {
		t.Errorf("validation accuracy %.3f after 15 epochs (history %v)", last, acc)
	}
}

// TestEncoderDecoderStates: an LSTM's returned states start another LSTM
// (Keras's initial_state), the model trains, and a saved copy predicts
// bit for bit the same.
func TestEncoderDecoderStates(t *testing.T) {
	ctx := context.Background()
	enc := keras.Input([]int{6, 3}, keras.InputName("encoder"))
	dec := keras.Input([]int{4, 2}, keras.InputName("decoder"))
	outs := layers.LSTM(5, layers.ReturnState(true), layers.Name("enc")).ApplyAll(enc)
	if len(outs) != 3 {
		t.Fatalf("%d outputs", len(outs))
	}
	seq := layers.LSTM(5, layers.ReturnSequences(true), layers.Name("dec")).ApplyAll(dec, outs[1], outs[2])
	y := layers.TimeDistributed(layers.Dense(1), layers.Name("td")).Apply(seq[0])
	m, err := keras.NewModel([]*keras.Tensor{enc, dec}, []*keras.Tensor{y})
	if err != nil {
		t.Fatal(err)
	}
	_ = m.SetSeed(4)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	mk := func(shape ...int) *tensor.Dense {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	x := map[string]tensor.Tensor{"encoder": mk(16, 6, 3), "decoder": mk(16, 4, 2)}
	if _, err := m.Fit(ctx, x, mk(16, 4, 1), keras.Epochs(2), keras.BatchSize(8), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seq2seq.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	pa, err := m.Predict(ctx, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := l.Predict(ctx, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "predictions", pa, pb)
}

// TestEmbeddingIntegerDtypes: token ids given as int64, int32, uint16,
// uint8 or float32 data predict the same.
func TestEmbeddingIntegerDtypes(t *testing.T) {
	ctx := context.Background()
	m := keras.Sequential(layers.Embedding(50, 3, layers.InputShape(4)), layers.GRU(2), layers.Dense(1))
	_ = m.SetSeed(2)
	ids := []int{0, 7, 49, 3, 12, 12, 1, 30}
	var want []float64
	for i, x := range []tensor.Tensor{
		tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(convert[int64](ids))),
		tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(convert[int32](ids))),
		tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(convert[uint16](ids))),
		tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(convert[uint8](ids))),
		tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(convert[float32](ids))),
	} {
		p, err := m.Predict(ctx, x, keras.Verbose(0))
		if err != nil {
			t.Fatalf("%v: %v", x.Dtype(), err)
		}
		got := asFloat64s(p)
		if i == 0 {
			want = got
			continue
		}
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("%v ids predict %v, int64 ids %v", x.Dtype(), got, want)
			}
		}
	}
}

func convert[T int64 | int32 | uint16 | uint8 | float32](v []int) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// TestTimeDistributedSoftmaxLoss: a per-step softmax through
// TimeDistributed trains with categorical cross-entropy computed from its
// logits (the activation's input passes through the wrapper), and the
// model learns the task.
func TestTimeDistributedSoftmaxLoss(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3))
	n, steps := 64, 5
	x := make([]float32, n*steps*3)
	y := make([]float32, n*steps*3)
	for i := 0; i < n*steps; i++ {
		k := rng.Intn(3)
		x[i*3+k] = 1
		y[i*3+(k+1)%3] = 1 // the next class of each step's one-hot input
	}
	xt := tensor.New(tensor.WithShape(n, steps, 3), tensor.WithBacking(x))
	yt := tensor.New(tensor.WithShape(n, steps, 3), tensor.WithBacking(y))
	m := keras.Sequential(
		layers.SimpleRNN(8, layers.ReturnSequences(true), layers.InputShape(steps, 3)),
		layers.TimeDistributed(layers.Dense(3, layers.Activation("softmax"))),
	)
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.05))), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(ctx, xt, yt, keras.Epochs(30), keras.BatchSize(16), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	s, err := m.Evaluate(ctx, xt, yt, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if s["accuracy"] < 0.99 || s["loss"] > 0.1 || math.IsNaN(s["loss"]) {
		t.Errorf("per-step classification: %v", s)
	}
}
