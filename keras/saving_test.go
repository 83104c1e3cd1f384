package keras_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// tableData returns n samples of the given input shape and targets of
// width out, seeded.
func tableData(n int, in []int, out int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	size := 1
	for _, d := range in {
		size *= d
	}
	x := make([]float64, n*size)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]float64, n*out)
	for i := 0; i < n; i++ {
		for j := 0; j < out; j++ {
			y[i*out+j] = math.Sin(x[i*size+j%size]) + 0.1*float64(j)
		}
	}
	return tensor.New(tensor.WithShape(append([]int{n}, in...)...), tensor.WithBacking(x)),
		tensor.New(tensor.WithShape(n, out), tensor.WithBacking(y))
}

// sameBits fails unless a and b hold bit-identical values.
func sameBits(t *testing.T, what string, a, b tensor.Tensor) {
	t.Helper()
	if !a.Shape().Eq(b.Shape()) || a.Dtype() != b.Dtype() {
		t.Fatalf("%s: %v %v vs %v %v", what, a.Shape(), a.Dtype(), b.Shape(), b.Dtype())
	}
	switch da := a.Data().(type) {
	case []float32:
		db := b.Data().([]float32)
		for i := range da {
			if math.Float32bits(da[i]) != math.Float32bits(db[i]) {
				t.Fatalf("%s[%d]: %v vs %v", what, i, da[i], db[i])
			}
		}
	case []float64:
		db := b.Data().([]float64)
		for i := range da {
			if math.Float64bits(da[i]) != math.Float64bits(db[i]) {
				t.Fatalf("%s[%d]: %v vs %v", what, i, da[i], db[i])
			}
		}
	default:
		t.Fatalf("%s: unexpected data %T", what, da)
	}
}

func sameWeights(t *testing.T, what string, a, b *keras.Model) {
	t.Helper()
	wa, err := a.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	wb, err := b.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	if len(wa) != len(wb) {
		t.Fatalf("%s: %d vs %d weights", what, len(wa), len(wb))
	}
	for i := range wa {
		sameBits(t, fmt.Sprintf("%s: weight %d", what, i), wa[i], wb[i])
	}
}

// roundTripCase is a model built from every layer class in some
// configuration; inShape and out describe its data.
type roundTripCase struct {
	name    string
	inShape []int
	out     int
	layers  func() []layers.Layer
	// graph, when set, makes a functional model instead of a Sequential
	// one of layers; layers then lists the layer classes it uses.
	graph func() (in, out *keras.Tensor)
}

// roundTripData makes the data of the cases that cannot take tableData's
// (token ids for an Embedding), by case name.
var roundTripData = map[string]func(n int, seed int64) (x, y *tensor.Dense){
	"embedding_rnn": func(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
		x, _ := idsData(n, 6, 20, seed)
		_, y := tableData(n, []int{6}, 2, seed)
		return x, y
	},
}

// caseData returns n samples of a case's data.
func caseData(c roundTripCase, n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	if f := roundTripData[c.name]; f != nil {
		return f(n, seed)
	}
	return tableData(n, c.inShape, c.out, seed)
}

var roundTripCases = []roundTripCase{
	{"dense", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)),
			layers.Dense(5, layers.Activation("tanh"), layers.UseBias(false), layers.KernelInitializer("glorot_uniform")),
			layers.Dense(2, layers.Activation("sigmoid"), layers.BiasInitializer("zeros"), layers.Name("out")),
		}
	}, nil},
	{"input_flatten_reshape", []int{2, 3}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Input(2, 3),
			layers.Dense(4, layers.Activation("relu")), // on (2, 3): per row
			layers.Flatten(),
			layers.Reshape([]int{2, -1}),
			layers.Flatten(),
			layers.Dense(2),
		}
	}, nil},
	{"activation", []int{4}, 3, func() []layers.Layer {
		return []layers.Layer{
			layers.Dense(6, layers.InputShape(4)),
			layers.Activation("relu"),
			layers.Dense(3),
			layers.Activation("softmax", layers.Name("probs")),
		}
	}, nil},
	{"dropout", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Dense(16, layers.Activation("relu"), layers.InputShape(3)),
			layers.Dropout(0.3),
			layers.Dense(8, layers.Activation("relu")),
			layers.Dropout(0.25, layers.Seed(7), layers.Name("seeded_dropout")),
			layers.Dense(2),
		}
	}, nil},
	{"merge", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{layers.Add(), layers.Subtract(), layers.Multiply(), layers.Average(), layers.Maximum(),
			layers.Minimum(), layers.Concatenate(), layers.Dot([]int{1})}
	}, func() (*keras.Tensor, *keras.Tensor) {
		in := keras.Input([]int{3})
		a := layers.Dense(4, layers.Activation("tanh")).Apply(in)
		b := layers.Dense(4).Apply(in)
		merged := []*keras.Tensor{
			layers.Add().Apply(a, b, a), layers.Subtract().Apply(a, b), layers.Multiply().Apply(a, b),
			layers.Average().Apply(a, b), layers.Maximum().Apply(a, b), layers.Minimum().Apply(a, b),
			layers.Dot([]int{1}, layers.Normalize(true)).Apply(a, b),
		}
		all := layers.Concatenate(layers.Name("all")).Apply(merged...)
		return in, layers.Dense(2, layers.Name("out")).Apply(all)
	}},
	{"lambda", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{layers.Lambda(halve, layers.FunctionName("roundtrip_halve"))}
	}, func() (*keras.Tensor, *keras.Tensor) {
		in := keras.Input([]int{3})
		h := layers.Dense(4, layers.Activation("tanh")).Apply(in)
		return in, layers.Dense(2).Apply(layers.Lambda(halve, layers.FunctionName("roundtrip_halve")).Apply(h))
	}},
	{"nested", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{keras.Sequential(layers.Dense(2, layers.InputShape(3))).AsLayer(), nestedFunctional().AsLayer()}
	}, func() (*keras.Tensor, *keras.Tensor) {
		in := keras.Input([]int{3})
		inner := keras.Sequential(layers.Dense(5, layers.Activation("relu"), layers.InputShape(3)), layers.Dropout(0.2, layers.Seed(3)), layers.Dense(4))
		inner.SetName("inner_seq")
		h := inner.Apply(in)
		f := nestedFunctional()
		return in, layers.Dense(2).Apply(f.Apply(h))
	}},
	{"conv2d", []int{6, 6, 2}, 3, func() []layers.Layer {
		return []layers.Layer{
			layers.Conv2D(4, [2]int{3, 3}, layers.Activation("relu"), layers.Padding("same"), layers.InputShape(6, 6, 2)),
			layers.BatchNormalization(),
			layers.SpatialDropout2D(0.2, layers.Seed(3)),
			layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(2), layers.Padding("same")),
			layers.SeparableConv2D(4, [2]int{3, 3}, layers.Activation("tanh")),
			layers.ZeroPadding2D([]int{1}),
			layers.Cropping2D([]int{1, 0, 0, 1}),
			layers.MaxPooling2D(layers.Padding("same")),
			layers.UpSampling2D(layers.Interpolation("bilinear")),
			layers.Conv2DTranspose(3, [2]int{2, 2}, layers.Strides(2)),
			layers.AveragePooling2D(layers.PoolSize(4)),
			layers.GaussianNoise(0.1),
			layers.GaussianDropout(0.1, layers.Seed(5)),
			layers.LayerNormalization(),
			layers.GlobalAveragePooling2D(),
			layers.Dense(3),
		}
	}, nil},
	{"conv1d", []int{10, 3}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Conv1D(4, 3, layers.Padding("causal"), layers.DilationRate(2), layers.Activation("relu"), layers.InputShape(10, 3)),
			layers.SpatialDropout1D(0.2),
			layers.DepthwiseConv1D(2, layers.Padding("same")),
			layers.SeparableConv1D(4, 3, layers.Padding("same")),
			layers.ZeroPadding1D(nil),
			layers.Cropping1D(nil),
			layers.MaxPooling1D(),
			layers.UpSampling1D(),
			layers.Conv1DTranspose(3, 3, layers.Strides(2)),
			layers.AveragePooling1D(layers.PoolSize(3)),
			layers.BatchNormalization(layers.Momentum(0.9), layers.Scale(false)),
			layers.LayerNormalization(layers.Center(false)),
			layers.GlobalMaxPooling1D(),
			layers.Dense(2),
		}
	}, nil},
	{"global_pooling", []int{4, 4, 3}, 2, func() []layers.Layer {
		return []layers.Layer{layers.GlobalMaxPooling2D(), layers.GlobalAveragePooling1D()}
	}, func() (*keras.Tensor, *keras.Tensor) {
		in := keras.Input([]int{4, 4, 3})
		a := layers.Conv2D(3, [2]int{2, 2}).Apply(in)
		g1 := layers.GlobalMaxPooling2D().Apply(a)
		g2 := layers.GlobalAveragePooling1D(layers.Keepdims(true)).Apply(layers.Reshape([]int{9, 3}).Apply(a))
		return in, layers.Dense(2).Apply(layers.Concatenate().Apply(g1, layers.Flatten().Apply(g2)))
	}},
	{"embedding_rnn", []int{6}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Embedding(20, 4, layers.MaskZero(true), layers.InputShape(6)),
			layers.LSTM(5, layers.ReturnSequences(true), layers.InputDropout(0.2), layers.RecurrentDropout(0.1), layers.Seed(3)),
			layers.GRU(4, layers.ReturnSequences(true), layers.GoBackwards(true), layers.InputDropout(0.1)),
			layers.SimpleRNN(3, layers.RecurrentRegularizer("l2")),
			layers.Dense(2),
		}
	}, nil},
	{"sequence_wrappers", []int{3}, 2, func() []layers.Layer {
		return []layers.Layer{
			layers.Dense(4, layers.InputShape(3)),
			layers.RepeatVector(5),
			layers.Masking(layers.MaskValue(0.5)),
			layers.Bidirectional(layers.GRU(3, layers.ResetAfter(false), layers.ReturnSequences(true), layers.Seed(5), layers.InputDropout(0.2)), layers.MergeMode("sum")),
			layers.TimeDistributed(layers.Dense(2, layers.Activation("tanh"))),
			layers.Permute([]int{2, 1}),
			layers.Bidirectional(layers.LSTM(2), layers.BackwardLayer(layers.LSTM(2, layers.GoBackwards(true), layers.Activation("relu"), layers.Name("back")))),
			layers.Dense(2),
		}
	}, nil},
	{"recurrent_states", []int{4, 3}, 2, func() []layers.Layer {
		return []layers.Layer{layers.LSTM(1), layers.Bidirectional(layers.GRU(1)), layers.TimeDistributed(layers.Dense(1))}
	}, func() (*keras.Tensor, *keras.Tensor) {
		in := keras.Input([]int{4, 3})
		enc := layers.LSTM(3, layers.ReturnState(true), layers.ReturnSequences(true)).ApplyAll(in)
		bi := layers.Bidirectional(layers.GRU(3, layers.ReturnState(true)), layers.MergeMode("none")).ApplyAll(enc[0])
		dec := layers.LSTM(3).ApplyAll(in, enc[1], enc[2])
		return in, layers.Dense(2).Apply(layers.Concatenate().Apply(bi[0], bi[1], bi[2], bi[3], dec[0]))
	}},
}

// halve is a Lambda function registered for the "lambda" round-trip case.
func halve(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	y, err := G.Mul(xs[0], s.Scalar(0.5))
	return []*G.Node{y}, err
}

func init() {
	if err := layers.RegisterLambda("roundtrip_halve", halve, nil); err != nil {
		panic(err)
	}
}

// nestedFunctional is a small functional model used inside another.
func nestedFunctional() *keras.Model {
	in := keras.Input([]int{4})
	out := layers.Add().Apply(layers.Dense(4, layers.Name("d")).Apply(in), in)
	m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out}, keras.ModelName("inner_fn"))
	if err != nil {
		panic(err)
	}
	return m
}

// TestRoundTripCoversEveryLayerClass makes sure a new layer class gets a
// save/load round-trip case.
func TestRoundTripCoversEveryLayerClass(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range roundTripCases {
		for _, l := range c.layers() {
			covered[l.ClassName()] = true
		}
	}
	covered["Scale"] = true // registered by TestCustomLayerNeedsRegistering, which round-trips it
	for _, name := range layers.Names() {
		if !covered[name] {
			t.Errorf("layer class %s has no save/load round-trip case in roundTripCases", name)
		}
	}
}

// caseModel makes a case's model, not yet built.
func caseModel(t *testing.T, c roundTripCase) *keras.Model {
	t.Helper()
	if c.graph == nil {
		return keras.Sequential(c.layers()...)
	}
	in, out := c.graph()
	m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func buildCase(t *testing.T, c roundTripCase, dt tensor.Dtype, seed int64, opt optimizers.Optimizer) *keras.Model {
	t.Helper()
	m := caseModel(t, c)
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if err := m.SetDtype(dt); err != nil {
		t.Fatal(err)
	}
	if opt == nil {
		opt = optimizers.Adam(optimizers.LearningRate(0.01))
	}
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(opt), keras.Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSaveLoadRoundTrip: for every layer class and both dtypes, a trained
// model saved and loaded predicts bit for bit like the original, has the
// same configuration (names, Dropout rates and seeds), and keeps training
// bit for bit like the original.
func TestSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, c := range roundTripCases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(c.name+"_"+dt.String(), func(t *testing.T) {
				x, y := caseData(c, 40, 5)
				m := buildCase(t, c, dt, 21, nil)
				if _, err := m.Fit(ctx, x, y, keras.Epochs(2), keras.BatchSize(8), keras.Verbose(0)); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(t.TempDir(), "model.gokeras")
				if err := m.Save(path); err != nil {
					t.Fatal(err)
				}
				l, err := keras.LoadModel(path)
				if err != nil {
					t.Fatal(err)
				}
				ja, _ := m.ToJSON()
				jb, _ := l.ToJSON()
				if string(ja) != string(jb) {
					t.Fatalf("configs differ:\n%s\n%s", ja, jb)
				}
				if l.Seed() != 21 || l.Dtype() != dt || l.Name() != m.Name() {
					t.Fatalf("seed %d dtype %v name %s", l.Seed(), l.Dtype(), l.Name())
				}
				if strings.Join(l.MetricNames(), ",") != "mae" || l.LossFunction().Name() != m.LossFunction().Name() {
					t.Fatalf("compile config: %v %s", l.MetricNames(), l.LossFunction().Name())
				}
				if l.Optimizer().Iterations() != m.Optimizer().Iterations() || l.Optimizer().LearningRate() != m.Optimizer().LearningRate() {
					t.Fatalf("optimizer: %d %v, want %d %v", l.Optimizer().Iterations(), l.Optimizer().LearningRate(), m.Optimizer().Iterations(), m.Optimizer().LearningRate())
				}
				for i, la := range m.Layers() {
					lb := l.Layers()[i]
					ca, _ := json.Marshal(la.Config())
					cb, _ := json.Marshal(lb.Config())
					if string(ca) != string(cb) || la.Name() != lb.Name() || la.ClassName() != lb.ClassName() {
						t.Fatalf("layer %d: %s vs %s", i, ca, cb)
					}
				}
				sameWeights(t, "loaded", m, l)
				pa, err := m.Predict(ctx, x, keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				pb, err := l.Predict(ctx, x, keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				sameBits(t, "predictions", pa, pb)
				ha, err := m.Fit(ctx, x, y, keras.Epochs(4), keras.InitialEpoch(2), keras.BatchSize(8), keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				hb, err := l.Fit(ctx, x, y, keras.Epochs(4), keras.InitialEpoch(2), keras.BatchSize(8), keras.Verbose(0))
				if err != nil {
					t.Fatal(err)
				}
				sameWeights(t, "trained on after loading", m, l)
				la, _ := ha.Get("loss")
				lb, _ := hb.Get("loss")
				if fmt.Sprint(la) != fmt.Sprint(lb) {
					t.Fatalf("losses %v vs %v", la, lb)
				}
			})
		}
	}
}

// TestResumeFromSavedModel: train 3 epochs, save, load, train 2 more
// equals 5 epochs in one go, bit for bit, for each optimizer, with
// dropout drawn from the model's seed and from a layer's own seed.
func TestResumeFromSavedModel(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[3] // dropout: both kinds of random stream
	opts := map[string]func() optimizers.Optimizer{
		"adam":         func() optimizers.Optimizer { return optimizers.Adam(optimizers.LearningRate(0.01)) },
		"adam_amsgrad": func() optimizers.Optimizer { return optimizers.Adam(optimizers.Amsgrad(true)) },
		"rmsprop_centered": func() optimizers.Optimizer {
			return optimizers.RMSprop(optimizers.Centered(true), optimizers.Momentum(0.5))
		},
		"sgd_nesterov": func() optimizers.Optimizer {
			return optimizers.SGD(optimizers.Momentum(0.9), optimizers.Nesterov(true))
		},
		"sgd": func() optimizers.Optimizer { return optimizers.SGD() },
	}
	for name, newOpt := range opts {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(name+"_"+dt.String(), func(t *testing.T) {
				x, y := tableData(50, c.inShape, c.out, 8)
				fit := func(m *keras.Model, opts ...keras.FitOption) *keras.History {
					h, err := m.Fit(ctx, x, y, append(opts, keras.BatchSize(16), keras.Verbose(0), keras.ValidationSplit(0.2))...)
					if err != nil {
						t.Fatal(err)
					}
					return h
				}
				whole := buildCase(t, c, dt, 99, newOpt())
				hw := fit(whole, keras.Epochs(5))

				first := buildCase(t, c, dt, 99, newOpt())
				fit(first, keras.Epochs(3))
				path := filepath.Join(t.TempDir(), "ckpt.gokeras")
				if err := first.Save(path); err != nil {
					t.Fatal(err)
				}
				resumed, err := keras.LoadModel(path)
				if err != nil {
					t.Fatal(err)
				}
				hr := fit(resumed, keras.Epochs(5), keras.InitialEpoch(3))
				sameWeights(t, "resumed vs uninterrupted", whole, resumed)
				if resumed.Optimizer().Iterations() != whole.Optimizer().Iterations() {
					t.Fatalf("iterations %d vs %d", resumed.Optimizer().Iterations(), whole.Optimizer().Iterations())
				}
				for _, key := range []string{"loss", "val_loss", "mae"} {
					a, _ := hw.Get(key)
					b, _ := hr.Get(key)
					if len(a) != 5 || fmt.Sprint(a[3:]) != fmt.Sprint(b) {
						t.Fatalf("%s: epochs 4-5 %v uninterrupted, %v resumed", key, a, b)
					}
				}
			})
		}
	}
}

func TestSaveWeightsLoadWeights(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[0]
	x, y := tableData(30, c.inShape, c.out, 3)
	a := buildCase(t, c, tensor.Float32, 1, nil)
	if _, err := a.Fit(ctx, x, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	wpath := filepath.Join(dir, "w.gokeras")
	if err := a.SaveWeights(wpath); err != nil {
		t.Fatal(err)
	}
	// A model of the same architecture with other weights and other
	// layer names (built separately: dense_3 ...) takes them.
	b := keras.Sequential(c.layers()...)
	_ = b.SetSeed(2)
	if err := b.LoadWeights(wpath); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "LoadWeights", a, b)
	pa, _ := a.Predict(ctx, x, keras.Verbose(0))
	pb, _ := b.Predict(ctx, x, keras.Verbose(0))
	sameBits(t, "predictions", pa, pb)

	// LoadModel refuses a weights-only file and says what to do.
	if _, err := keras.LoadModel(wpath); err == nil || !strings.Contains(err.Error(), "weights only") || !strings.Contains(err.Error(), "LoadWeights") {
		t.Errorf("LoadModel of a weights file: %v", err)
	}
	// LoadWeights also reads a file written by Save.
	full := filepath.Join(dir, "full.gokeras")
	if err := a.Save(full); err != nil {
		t.Fatal(err)
	}
	d := keras.Sequential(c.layers()...)
	if err := d.LoadWeights(full); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "LoadWeights from Save", a, d)
}

// TestCrossDtypeWeights: float32 weights load exactly into a float64
// model; float64 weights load into a float32 model rounded to nearest.
func TestCrossDtypeWeights(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[0]
	x, _ := tableData(10, c.inShape, c.out, 3)
	dir := t.TempDir()
	for _, tc := range []struct{ from, to tensor.Dtype }{{tensor.Float32, tensor.Float64}, {tensor.Float64, tensor.Float32}} {
		src := buildCase(t, c, tc.from, 4, nil)
		path := filepath.Join(dir, tc.from.String()+".gokeras")
		if err := src.SaveWeights(path); err != nil {
			t.Fatal(err)
		}
		dst := keras.Sequential(c.layers()...)
		_ = dst.SetDtype(tc.to)
		if err := dst.LoadWeights(path); err != nil {
			t.Fatalf("%v -> %v: %v", tc.from, tc.to, err)
		}
		ws, _ := src.GetWeights()
		wd, _ := dst.GetWeights()
		for i := range ws {
			for j := 0; j < ws[i].Shape().TotalSize(); j++ {
				var sv, dv float64
				switch d := ws[i].Data().(type) {
				case []float32:
					sv = float64(d[j])
				case []float64:
					sv = float64(float32(d[j])) // the rounding documented for float64 -> float32
				}
				switch d := wd[i].Data().(type) {
				case []float32:
					dv = float64(d[j])
				case []float64:
					dv = d[j]
				}
				if sv != dv {
					t.Fatalf("%v -> %v: weight %d[%d] = %v, want %v", tc.from, tc.to, i, j, dv, sv)
				}
			}
		}
		ps, _ := src.Predict(ctx, x, keras.Verbose(0))
		pd, _ := dst.Predict(ctx, x, keras.Verbose(0))
		for i := 0; i < ps.Shape().TotalSize(); i++ {
			a, _ := ps.At(i/c.out, i%c.out)
			b, _ := pd.At(i/c.out, i%c.out)
			if math.Abs(toF64(a)-toF64(b)) > 1e-5 {
				t.Fatalf("%v -> %v: prediction %d: %v vs %v", tc.from, tc.to, i, a, b)
			}
		}
	}
}

func toF64(v interface{}) float64 {
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

func TestToJSONAndModelFromJSON(t *testing.T) {
	ctx := context.Background()
	for _, c := range roundTripCases {
		m := caseModel(t, c)
		_ = m.SetSeed(11)
		_ = m.SetDtype(tensor.Float64)
		js, err := m.ToJSON()
		if err != nil {
			t.Fatal(err)
		}
		n, err := keras.ModelFromJSON(js)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, js)
		}
		js2, _ := n.ToJSON()
		if string(js) != string(js2) {
			t.Fatalf("%s: JSON changed:\n%s\n%s", c.name, js, js2)
		}
		// Same seed: same initial weights, same predictions.
		sameWeights(t, c.name, m, n)
		x, _ := caseData(c, 5, 1)
		pa, _ := m.Predict(ctx, x, keras.Verbose(0))
		pb, _ := n.Predict(ctx, x, keras.Verbose(0))
		sameBits(t, c.name, pa, pb)
	}
	if _, err := keras.ModelFromJSON([]byte(`{"class_name": "Sequential", "config": {}, "keras_version": "3.0"}`)); err == nil {
		t.Error("a Keras JSON should be refused")
	}
}

// TestLoadState restores weights and training state into an existing
// compiled model, after which it trains on like the saved one.
func TestLoadState(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[3]
	x, y := tableData(40, c.inShape, c.out, 2)
	a := buildCase(t, c, tensor.Float32, 5, nil)
	if _, err := a.Fit(ctx, x, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.gokeras")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b := buildCase(t, c, tensor.Float32, 5, nil)
	if err := b.LoadState(path); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "LoadState", a, b)
	for _, m := range []*keras.Model{a, b} {
		if _, err := m.Fit(ctx, x, y, keras.Epochs(3), keras.InitialEpoch(2), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	sameWeights(t, "after training on", a, b)

	// Another optimizer: refused, nothing changed.
	s := buildCase(t, c, tensor.Float32, 6, optimizers.SGD(optimizers.Momentum(0.9)))
	before, _ := s.GetWeights()
	if err := s.LoadState(path); err == nil || !strings.Contains(err.Error(), `"adam"`) {
		t.Errorf("LoadState into an SGD model: %v", err)
	}
	after, _ := s.GetWeights()
	for i := range before {
		sameBits(t, "weights after a refused LoadState", before[i], after[i])
	}
	if s.Optimizer().Iterations() != 0 {
		t.Error("a refused LoadState changed the optimizer")
	}
	// A weights-only file has no state.
	wpath := filepath.Join(t.TempDir(), "w.gokeras")
	_ = a.SaveWeights(wpath)
	if err := b.LoadState(wpath); err == nil || !strings.Contains(err.Error(), "no training state") {
		t.Errorf("LoadState of a weights file: %v", err)
	}
}

// TestSaveIsAtomic: a save that cannot complete leaves the old file and
// no temporary file behind.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gokeras")
	m := buildCase(t, roundTripCases[0], tensor.Float32, 1, nil)
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	// A model that cannot be built fails before anything is written.
	bad := keras.Sequential(layers.Dense(-1, layers.InputShape(2)))
	if err := bad.Save(path); err == nil {
		t.Fatal("saving an unbuildable model should fail")
	}
	// A layer whose config cannot be encoded fails mid-way.
	odd := keras.Sequential(&oddLayer{Base: layers.Base{}}, layers.Dense(1))
	if err := odd.Save(path); err == nil || !strings.Contains(err.Error(), "m.gokeras") {
		t.Fatalf("saving a layer with an unencodable config: %v", err)
	}
	now, _ := os.ReadFile(path)
	if string(now) != string(old) {
		t.Fatal("a failed save changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	// Saving into a missing folder is an error naming the path.
	if err := m.Save(filepath.Join(dir, "no", "such", "m.gokeras")); err == nil || !strings.Contains(err.Error(), "no/such") {
		t.Errorf("save into a missing folder: %v", err)
	}
}

// oddLayer is a pass-through layer whose config cannot be encoded.
type oddLayer struct{ layers.Base }

func (l *oddLayer) ClassName() string         { return "OddLayer" }
func (l *oddLayer) DeclaredInputShape() []int { return []int{2} }
func (l *oddLayer) Build(_ *layers.BuildContext, in []int) ([]int, error) {
	return l.FinishBuild(in, in), nil
}
func (l *oddLayer) Forward(_ *backend.Scope, x *G.Node) (*G.Node, error) { return x, nil }
func (l *oddLayer) Config() interface{}                                  { return math.Inf(1) }

// checkpointer saves the model at the end of every epoch, as
// ModelCheckpoint does.
type checkpointer struct {
	keras.CallbackBase
	dir string
}

func (c *checkpointer) OnEpochEnd(epoch int, _ keras.Logs) error {
	return c.Model().Save(filepath.Join(c.dir, fmt.Sprintf("epoch%d.gokeras", epoch+1)))
}

// TestCheckpointFromCallbackResumes: a file saved from a callback during
// Fit resumes exactly; saving concurrently from another goroutine while
// the model trains is safe (run with -race).
func TestCheckpointFromCallbackResumes(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[3]
	x, y := tableData(40, c.inShape, c.out, 6)
	dir := t.TempDir()
	m := buildCase(t, c, tensor.Float32, 12, nil)
	cb := &checkpointer{dir: dir}
	done := make(chan struct{})
	saved := make(chan int)
	go func() {
		n := 0
		defer func() { saved <- n }()
		// At least one save, however soon Fit ends: the goroutine may
		// first run after the last epoch on a busy machine.
		for {
			if err := m.Save(filepath.Join(dir, "concurrent.gokeras")); err != nil {
				t.Error(err)
				return
			}
			n++
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	if _, err := m.Fit(ctx, x, y, keras.Epochs(5), keras.BatchSize(8), keras.Verbose(0), keras.Callbacks(cb)); err != nil {
		t.Fatal(err)
	}
	close(done)
	t.Logf("%d concurrent saves during Fit", <-saved)
	if _, err := keras.LoadModel(filepath.Join(dir, "concurrent.gokeras")); err != nil {
		t.Fatal(err)
	}
	r, err := keras.LoadModel(filepath.Join(dir, "epoch2.gokeras"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Fit(ctx, x, y, keras.Epochs(5), keras.InitialEpoch(2), keras.BatchSize(8), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "resumed from a checkpoint saved by a callback", m, r)
}

// TestLoadStateMatchesByPosition: like LoadWeights, LoadState takes a
// file saved from a model whose layers have other names.
func TestLoadStateMatchesByPosition(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[3]
	x, y := tableData(30, c.inShape, c.out, 4)
	a := buildCase(t, c, tensor.Float32, 8, nil)
	if _, err := a.Fit(ctx, x, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.gokeras")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b := keras.Sequential(
		layers.Dense(16, layers.Activation("relu"), layers.InputShape(3), layers.Name("h1")),
		layers.Dropout(0.3, layers.Name("d1")),
		layers.Dense(8, layers.Activation("relu"), layers.Name("h2")),
		layers.Dropout(0.25, layers.Seed(7), layers.Name("d2")),
		layers.Dense(2, layers.Name("out")),
	)
	_ = b.SetSeed(8)
	if err := b.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.01))), keras.Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	if err := b.LoadState(path); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*keras.Model{a, b} {
		if _, err := m.Fit(ctx, x, y, keras.Epochs(4), keras.InitialEpoch(2), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	sameWeights(t, "renamed model after LoadState", a, b)
}

// TestSaveUncompiled: a model saved before Compile loads uncompiled.
func TestSaveUncompiled(t *testing.T) {
	ctx := context.Background()
	c := roundTripCases[1]
	m := keras.Sequential(c.layers()...)
	path := filepath.Join(t.TempDir(), "u.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Optimizer() != nil || l.Seed() != m.Seed() {
		t.Fatalf("optimizer %v, seed %d vs %d", l.Optimizer(), l.Seed(), m.Seed())
	}
	x, _ := tableData(4, c.inShape, c.out, 1)
	pa, _ := m.Predict(ctx, x, keras.Verbose(0))
	pb, _ := l.Predict(ctx, x, keras.Verbose(0))
	sameBits(t, "uncompiled", pa, pb)
	if err := l.LoadState(path); err == nil || !strings.Contains(err.Error(), "not compiled") {
		t.Errorf("LoadState into an uncompiled model: %v", err)
	}
}

// benchModel is an MNIST-size MLP (784-512-512-10, 669,706 parameters)
// compiled with Adam, after one step so that it has slots.
func benchModel(b *testing.B) *keras.Model {
	m := keras.Sequential(
		layers.Dense(512, layers.Activation("relu"), layers.InputShape(784)),
		layers.Dense(512, layers.Activation("relu")),
		layers.Dense(10, layers.Activation("softmax")),
	)
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer("adam")); err != nil {
		b.Fatal(err)
	}
	x, y := tableData(32, []int{784}, 10, 1)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(1), keras.Verbose(0)); err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkSave(b *testing.B) {
	m := benchModel(b)
	path := filepath.Join(b.TempDir(), "bench.gokeras")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Save(path); err != nil {
			b.Fatal(err)
		}
	}
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
}

func BenchmarkLoadModel(b *testing.B) {
	m := benchModel(b)
	path := filepath.Join(b.TempDir(), "bench.gokeras")
	if err := m.Save(path); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := keras.LoadModel(path); err != nil {
			b.Fatal(err)
		}
	}
}
