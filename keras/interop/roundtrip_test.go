package interop_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// testMLP is a small compiled Sequential model trained a few steps.
func testMLP(t *testing.T, seed int64) *keras.Model {
	t.Helper()
	m := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(5), layers.KernelRegularizer("l2")),
		layers.Dropout(0.25),
		layers.Dense(6, layers.Activation("tanh")),
		layers.Dense(3, layers.Activation("softmax")))
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.01))), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	x, y := data(seed, 24, 5, 3)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(8), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	return m
}

// testFunctional is a two-input, two-output model with every merge layer
// and a nested Sequential model.
func testFunctional(t *testing.T, withSubtract bool) *keras.Model {
	t.Helper()
	a := keras.Input([]int{4}, keras.InputName("a"))
	b := keras.Input([]int{3}, keras.InputName("b"))
	da := layers.Dense(5, layers.Activation("relu"), layers.Name("da")).Apply(a)
	db := layers.Dense(5, layers.Activation("tanh"), layers.Name("db")).Apply(b)
	inner := keras.Sequential(layers.Dense(5, layers.Activation("sigmoid"), layers.InputShape(5)))
	parts := []*keras.Tensor{
		layers.Add().Apply(da, db), layers.Multiply().Apply(da, db), layers.Average().Apply(da, db),
		layers.Maximum().Apply(da, db), layers.Minimum().Apply(da, db), inner.Apply(da),
	}
	if withSubtract {
		parts = append(parts, layers.Subtract().Apply(da, db))
	}
	cat := layers.Concatenate().Apply(parts...)
	r := layers.Reshape([]int{len(parts), 5}).Apply(layers.Activation("sigmoid").Apply(cat))
	cls := layers.Dense(2, layers.Activation("softmax"), layers.Name("cls")).Apply(layers.Flatten().Apply(r))
	cos := layers.Dot([]int{1}, layers.Normalize(true)).Apply(da, db)
	score := layers.Dense(1, layers.Name("score")).Apply(cos)
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{cls, score}, keras.ModelName("towers"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetSeed(3); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Loss(map[string]any{"cls": "categorical_crossentropy", "score": "mse"}),
		keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.05), optimizers.Momentum(0.9))),
		keras.OutputMetrics("cls", "accuracy"), keras.LossWeights(1, 0.5)); err != nil {
		t.Fatal(err)
	}
	return m
}

// data returns seeded inputs and one-hot targets.
func data(seed int64, n, in, classes int) (*tensor.Dense, *tensor.Dense) {
	s := uint64(seed)*2654435761 + 1
	next := func() float64 {
		s = s*6364136223846793005 + 1442695040888963407
		return float64(s>>11) / (1 << 53)
	}
	x := make([]float32, n*in)
	for i := range x {
		x[i] = float32(2*next() - 1)
	}
	y := make([]float32, n*classes)
	for i := 0; i < n; i++ {
		y[i*classes+int(next()*float64(classes))%classes] = 1
	}
	return tensor.New(tensor.WithShape(n, in), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(y))
}

// layerModel is a Sequential model of the convolution, pooling,
// spatial, normalization and noise layers, each with non-default options.
type layerModel struct {
	name string
	// tfjs is false for a model using a layer or an option TensorFlow.js
	// does not have; want is what the error of SaveTFJS names then.
	tfjs bool
	want string
	// in is one sample's shape.
	in     []int
	layers func() []layers.Layer
	// tfjsNames are weights a TensorFlow.js manifest must name as
	// tfjs-layers does.
	tfjsNames []string
}

var layerModels = []layerModel{
	{name: "images", tfjs: true, in: []int{8, 8, 3}, layers: func() []layers.Layer {
		return []layers.Layer{
			layers.Conv2D(4, [2]int{3, 3}, layers.InputShape(8, 8, 3), layers.Padding("same"), layers.DilationRate(2),
				layers.Activation("relu"), layers.KernelRegularizer(regularizers.L1L2(0, 0.01)), layers.BiasInitializer("ones")),
			layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(2), layers.Padding("same"), layers.DepthwiseConstraint("max_norm")),
			layers.BatchNormalization(layers.Momentum(0.9), layers.Epsilon(1e-4), layers.Center(false)),
			layers.SeparableConv2D(6, [2]int{3, 3}, layers.DepthMultiplier(2), layers.Strides(2), layers.Padding("same"),
				layers.PointwiseInitializer("he_normal"), layers.Activation("sigmoid")),
			layers.Conv2DTranspose(3, [2]int{3, 3}, layers.Strides(2), layers.Padding("same"), layers.Activation("tanh")),
			layers.ZeroPadding2D([]int{1, 2, 0, 1}),
			layers.Cropping2D([]int{1, 0, 0, 1}),
			layers.UpSampling2D(layers.Size(1, 2)),
			layers.MaxPooling2D(layers.PoolSize(2), layers.Strides(1), layers.Padding("same")),
			layers.AveragePooling2D(layers.PoolSize(2, 4)),
			layers.GaussianNoise(0.1, layers.Seed(3)),
			layers.GaussianDropout(0.2),
			layers.LayerNormalization(layers.Epsilon(1e-5), layers.Scale(false)),
			layers.GlobalMaxPooling2D(),
			layers.Dense(2),
		}
	}, tfjsNames: []string{"conv2d/kernel", "depthwise_conv2d/depthwise_kernel", "depthwise_conv2d/bias", "batch_normalization/gamma",
		"batch_normalization/moving_mean", "batch_normalization/moving_variance", "separable_conv2d/depthwise_kernel",
		"separable_conv2d/pointwise_kernel", "conv2d_transpose/kernel", "layer_normalization/beta"}},
	{name: "sequences", tfjs: true, in: []int{10, 3}, layers: func() []layers.Layer {
		return []layers.Layer{
			layers.Conv1D(4, 3, layers.InputShape(10, 3), layers.Padding("causal"), layers.DilationRate(2), layers.Activation("tanh")),
			layers.MaxPooling1D(layers.PoolSize(2)),
			layers.AveragePooling1D(layers.PoolSize(2), layers.Strides(1), layers.Padding("same")),
			layers.SpatialDropout1D(0.2, layers.Seed(4)),
			layers.BatchNormalization(layers.Scale(false), layers.BetaRegularizer(regularizers.L1L2(0.01, 0))),
			layers.GlobalAveragePooling1D(),
			layers.Dense(2),
		}
	}},
	{name: "images_keras", want: "groups", in: []int{6, 6, 4}, layers: func() []layers.Layer {
		return []layers.Layer{
			layers.Conv2D(4, [2]int{3, 3}, layers.InputShape(6, 6, 4), layers.Groups(2), layers.UseBias(false), layers.Strides(2),
				layers.KernelRegularizer("l2")),
			layers.SpatialDropout2D(0.3, layers.Seed(1)),
			layers.UpSampling2D(layers.Size(3), layers.Interpolation("bilinear")),
			layers.DepthwiseConv2D([2]int{2, 2}, layers.DilationRate(2)),
			layers.GlobalAveragePooling2D(layers.Keepdims(true)),
			layers.Flatten(),
			layers.Dense(2),
		}
	}},
	{name: "sequences_keras", want: "ZeroPadding1D", in: []int{12, 4}, layers: func() []layers.Layer {
		return []layers.Layer{
			layers.Conv1D(5, 3, layers.InputShape(12, 4), layers.Padding("causal"), layers.DilationRate(2), layers.Activation("tanh")),
			layers.ZeroPadding1D([]int{1, 2}),
			layers.Cropping1D([]int{2, 1}),
			layers.UpSampling1D(layers.Size(2)),
			layers.DepthwiseConv1D(3, layers.DepthMultiplier(2), layers.UseBias(false)),
			layers.SeparableConv1D(4, 3, layers.Padding("same"), layers.DilationRate(2)),
			layers.Conv1DTranspose(3, 3, layers.Strides(2), layers.OutputPadding(1), layers.KernelConstraint("non_neg")),
			layers.MaxPooling1D(layers.PoolSize(3), layers.Strides(2)),
			layers.AveragePooling1D(layers.Padding("same")),
			layers.SpatialDropout1D(0.3),
			layers.LayerNormalization(layers.Center(false), layers.GammaInitializer("random_normal")),
			layers.GlobalMaxPooling1D(layers.Keepdims(true)),
			layers.Flatten(),
			layers.Dense(2),
		}
	}},
}

// build returns the model trained two epochs, so that every weight
// (BatchNormalization's moving statistics too) has moved from its initial
// value, and inputs to predict.
func (lm layerModel) build(t *testing.T) (*keras.Model, keras.Data) {
	t.Helper()
	m := keras.Sequential(lm.layers()...)
	if err := m.SetSeed(11); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.01)))); err != nil {
		t.Fatal(err)
	}
	x := samples(3, 8, lm.in)
	_, y := data(5, 8, 1, 2)
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(4), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	return m, samples(4, 3, lm.in)
}

// samples returns n seeded samples of the given shape in [-1, 1).
func samples(seed int64, n int, shape []int) *tensor.Dense {
	size := n
	for _, d := range shape {
		size *= d
	}
	x, _ := data(seed, 1, size, 1)
	return tensor.New(tensor.WithShape(append([]int{n}, shape...)...), tensor.WithBacking(x.Data()))
}

// sameConfigs checks that every layer of a has a namesake in b with the
// same configuration (but the input_shape a Sequential model's first
// layer carries, which Keras files hold as an InputLayer).
func sameConfigs(t *testing.T, a, b *keras.Model) {
	t.Helper()
	count := func(m *keras.Model) int {
		n := 0
		for _, l := range m.Layers() {
			if _, ok := l.(*layers.InputLayer); !ok {
				n++
			}
		}
		return n
	}
	if na, nb := count(a), count(b); na != nb {
		t.Errorf("%d layers besides inputs, want %d", nb, na)
	}
	for _, la := range a.Layers() {
		lb, err := b.GetLayer(la.Name())
		if err != nil {
			t.Fatal(err)
		}
		ca, cb := configMap(t, la), configMap(t, lb)
		if la.ClassName() != lb.ClassName() || !reflect.DeepEqual(ca, cb) {
			t.Errorf("layer %s: %s %v, want %s %v", la.Name(), lb.ClassName(), cb, la.ClassName(), ca)
		}
	}
}

func configMap(t *testing.T, l layers.Layer) map[string]any {
	t.Helper()
	raw, err := json.Marshal(l.Config())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "input_shape")
	return m
}

func sameWeights(t *testing.T, a, b *keras.Model) {
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
		t.Fatalf("%d weights, want %d", len(wb), len(wa))
	}
	for i := range wa {
		fa, fb := toFloats(wa[i]), toFloats(wb[i])
		if !wa[i].Shape().Eq(wb[i].Shape()) || len(fa) != len(fb) {
			t.Fatalf("weight %d: shape %v, want %v", i, wb[i].Shape(), wa[i].Shape())
		}
		for j := range fa {
			if math.Float64bits(fa[j]) != math.Float64bits(fb[j]) {
				t.Fatalf("weight %d value %d: %v, want %v (bit for bit)", i, j, fb[j], fa[j])
			}
		}
	}
}

func samePredictions(t *testing.T, a, b *keras.Model, xs keras.Data) {
	t.Helper()
	pa, err := a.PredictAll(context.Background(), xs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.PredictAll(context.Background(), xs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for k := range pa {
		fa, fb := toFloats(pa[k]), toFloats(pb[k])
		for i := range fa {
			if math.Float64bits(fa[i]) != math.Float64bits(fb[i]) {
				t.Fatalf("output %d value %d: %v, want %v", k, i, fb[i], fa[i])
			}
		}
	}
}

// TestRoundTripKeras: gokeras -> .keras -> gokeras gives the same
// weights, predictions, compile settings and optimizer state, bit for bit.
func TestRoundTripKeras(t *testing.T) {
	dir := t.TempDir()
	t.Run("sequential", func(t *testing.T) {
		m := testMLP(t, 7)
		path := filepath.Join(dir, "mlp.keras")
		if err := interop.SaveKeras(m, path); err != nil {
			t.Fatal(err)
		}
		back, err := interop.LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, m, back)
		x, _ := data(9, 6, 5, 3)
		samePredictions(t, m, back, x)
		st1, err := optimizers.StateOf(m.Optimizer(), m.Variables()...)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := optimizers.StateOf(back.Optimizer(), back.Variables()...)
		if err != nil {
			t.Fatal(err)
		}
		if st1.Iterations != st2.Iterations || st1.LearningRate != st2.LearningRate || len(st2.Slots) != len(st1.Slots) {
			t.Fatalf("optimizer state: %d/%v/%d slots, want %d/%v/%d", st2.Iterations, st2.LearningRate, len(st2.Slots), st1.Iterations, st1.LearningRate, len(st1.Slots))
		}
		vs1, vs2 := m.Variables(), back.Variables()
		for i, v := range vs1 {
			a, b := st1.Slots[v.Name()], st2.Slots[vs2[i].Name()]
			for k := range a {
				for j := range a[k] {
					if float32(a[k][j]) != float32(b[k][j]) {
						t.Fatalf("slot %d of %s differs", k, v.Name())
					}
				}
			}
		}
		if got, want := back.MetricNames(), m.MetricNames(); len(got) != len(want) || got[0] != want[0] {
			t.Errorf("metrics %v, want %v", got, want)
		}
	})
	t.Run("functional", func(t *testing.T) {
		m := testFunctional(t, true)
		path := filepath.Join(dir, "towers.keras")
		if err := interop.SaveKeras(m, path); err != nil {
			t.Fatal(err)
		}
		back, err := interop.LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, m, back)
		a, _ := data(1, 5, 4, 2)
		b, _ := data(2, 5, 3, 2)
		samePredictions(t, m, back, []tensor.Tensor{a, b})
		s, ok := back.CompileSettings()
		if !ok || len(s.Losses) != 2 || s.LossWeights[1] != 0.5 || s.OutputMetrics["cls"][0] != "accuracy" {
			t.Errorf("compile settings %+v", s)
		}
	})
	t.Run("weights", func(t *testing.T) {
		m := testMLP(t, 8)
		path := filepath.Join(dir, "mlp.weights.h5")
		if err := interop.SaveKerasWeights(m, path); err != nil {
			t.Fatal(err)
		}
		other := testMLP(t, 99)
		if err := interop.LoadWeights(other, path); err != nil {
			t.Fatal(err)
		}
		sameWeights(t, m, other)
	})
	for _, lm := range layerModels {
		t.Run(lm.name, func(t *testing.T) {
			m, xs := lm.build(t)
			throughKeras(t, filepath.Join(dir, lm.name+".keras"), m, xs)
		})
	}
	t.Run("float64", func(t *testing.T) {
		m := keras.Sequential(layers.Dense(3, layers.InputShape(2)))
		if err := m.SetDtype(tensor.Float64); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "f64.keras")
		if err := interop.SaveKeras(m, path); err != nil {
			t.Fatal(err)
		}
		back, err := interop.LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		if back.Dtype() != tensor.Float64 {
			t.Fatalf("dtype %v", back.Dtype())
		}
		sameWeights(t, m, back)
	})
}

// roundTripCase is a model the round-trip tests save and load back, with
// the formats it is written to.
type roundTripCase struct {
	name        string
	model       func() *keras.Model
	xs          func() keras.Data
	keras, tfjs bool
}

// roundTripCases are the models of the round-trip tables. TestRoundTripKeras
// covers the MLP and the functional model in more detail itself.
func roundTripCases(t *testing.T) []roundTripCase {
	return []roundTripCase{
		{"mlp", func() *keras.Model { return testMLP(t, 5) }, func() keras.Data { x, _ := data(4, 3, 5, 3); return x }, false, true},
		{"functional", func() *keras.Model { return testFunctional(t, false) }, func() keras.Data {
			a, _ := data(1, 5, 4, 2)
			b, _ := data(2, 5, 3, 2)
			return []tensor.Tensor{a, b}
		}, false, true},
		{"sequence", func() *keras.Model { return testSequence(t) }, func() keras.Data { return indices(3, 4, 7, 20) }, true, true},
		{"masking", func() *keras.Model { return testMasking(t) }, func() keras.Data { return sequences(5, 4, 5, 3) }, true, true},
		{"sequence_keras3", func() *keras.Model { return testSequenceKeras3(t) }, func() keras.Data { return sequences(6, 4, 5, 3) }, true, false},
		{"sequence_tfjs", func() *keras.Model { return testSequenceTFJS(t) }, func() keras.Data { return indices(7, 4, 6, 9) }, false, true},
	}
}

// TestRoundTripKerasTable: the table's models through .keras, bit for bit.
func TestRoundTripKerasTable(t *testing.T) {
	dir := t.TempDir()
	for _, c := range roundTripCases(t) {
		if !c.keras {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			throughKeras(t, filepath.Join(dir, c.name+".keras"), c.model(), c.xs())
		})
	}
}

// throughKeras saves m to a .keras file at path, loads it back and checks
// the configurations, weights and predictions on xs, bit for bit.
func throughKeras(t *testing.T, path string, m *keras.Model, xs keras.Data) {
	t.Helper()
	if err := interop.SaveKeras(m, path); err != nil {
		t.Fatal(err)
	}
	back, err := interop.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	sameConfigs(t, m, back)
	sameWeights(t, m, back)
	samePredictions(t, m, back, xs)
}

// TestRoundTripTFJS: gokeras -> TensorFlow.js -> gokeras, bit for bit.
func TestRoundTripTFJS(t *testing.T) {
	dir := t.TempDir()
	type tfjsCase struct {
		name  string
		model func() (*keras.Model, keras.Data)
		// configs: compare the layers' configurations too (TensorFlow.js
		// writes every regularizer as L1L2, so testMLP's l2 comes back
		// as the same penalty under another name).
		configs bool
		names   []string
	}
	var cases []tfjsCase
	for _, rc := range roundTripCases(t) {
		if rc.tfjs {
			rc := rc
			cases = append(cases, tfjsCase{rc.name, func() (*keras.Model, keras.Data) { return rc.model(), rc.xs() }, false, nil})
		}
	}
	for _, lm := range layerModels {
		if lm.tfjs {
			lm := lm
			cases = append(cases, tfjsCase{lm.name, func() (*keras.Model, keras.Data) { return lm.build(t) }, true, lm.tfjsNames})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, xs := c.model()
			out := filepath.Join(dir, c.name)
			if err := interop.SaveTFJS(m, out, interop.TFJSShardSize(100), interop.TFJSWithoutTrainingConfig()); err != nil {
				t.Fatal(err)
			}
			manifest := string(mustRead(t, filepath.Join(out, "model.json")))
			for _, n := range c.names {
				if !contains(manifest, `"`+n+`"`) {
					t.Errorf("model.json names no weight %s", n)
				}
			}
			back, err := interop.LoadModel(out)
			if err != nil {
				t.Fatal(err)
			}
			if c.configs {
				sameConfigs(t, m, back)
			}
			sameWeights(t, m, back)
			samePredictions(t, m, back, xs)
		})
	}
	// Layers and options TensorFlow.js does not have are errors naming
	// them.
	for _, lm := range layerModels {
		if lm.tfjs {
			continue
		}
		t.Run(lm.name, func(t *testing.T) {
			m, _ := lm.build(t)
			err := interop.SaveTFJS(m, filepath.Join(dir, lm.name))
			if err == nil || !contains(err.Error(), lm.want) {
				t.Fatalf("err = %v, want one naming %s", err, lm.want)
			}
		})
	}
	t.Run("subtract", func(t *testing.T) {
		err := interop.SaveTFJS(testFunctional(t, true), filepath.Join(dir, "sub"))
		if err == nil || !contains(err.Error(), "Subtract") {
			t.Fatalf("err = %v, want one naming Subtract", err)
		}
	})
	t.Run("loss_weights", func(t *testing.T) {
		err := interop.SaveTFJS(testFunctional(t, false), filepath.Join(dir, "lw"))
		if err == nil || !contains(err.Error(), "loss_weights") {
			t.Fatalf("err = %v, want one naming loss_weights", err)
		}
	})
	t.Run("quantized", func(t *testing.T) {
		m := testMLP(t, 6)
		for _, q := range []string{"float16", "uint8", "uint16"} {
			out := filepath.Join(dir, "q_"+q)
			if err := interop.SaveTFJS(m, out, interop.TFJSQuantize(q)); err != nil {
				t.Fatal(err)
			}
			back, err := interop.LoadModel(out)
			if err != nil {
				t.Fatal(err)
			}
			wa, _ := m.GetWeights()
			wb, _ := back.GetWeights()
			tol := map[string]float64{"float16": 1e-3, "uint8": 1e-2, "uint16": 1e-4}[q]
			for i := range wa {
				fa, fb := toFloats(wa[i]), toFloats(wb[i])
				for j := range fa {
					if d := math.Abs(fa[j] - fb[j]); d > tol*math.Max(1, math.Abs(fa[j])) {
						t.Fatalf("%s: weight %d value %d: %v, want %v", q, i, j, fb[j], fa[j])
					}
				}
			}
		}
	})
}

func contains(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
