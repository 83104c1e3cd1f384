package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// TestSpatialConfigRoundTrip: every new layer's configuration survives
// FromConfig, options included.
func TestSpatialConfigRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		layers.Conv2D(8, [2]int{3, 2}, layers.Strides(2, 1), layers.Padding("SAME"), layers.Activation("relu"), layers.Name("c"),
			layers.InputShape(28, 28, 1), layers.KernelRegularizer("l2"), layers.BiasConstraint("non_neg"), layers.UseBias(true)),
		layers.Conv2D(4, [2]int{3, 3}, layers.DilationRate(2), layers.Groups(2), layers.UseBias(false), layers.KernelInitializer("he_normal")),
		layers.Conv1D(4, 5, layers.Padding("causal"), layers.DilationRate(4), layers.Activation("tanh"), layers.ActivityRegularizer("l1")),
		layers.Conv2DTranspose(3, [2]int{4, 4}, layers.Strides(2), layers.Padding("same"), layers.OutputPadding(1, 0), layers.Trainable(false)),
		layers.Conv1DTranspose(3, 2, layers.Strides(3)),
		layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(3), layers.DepthwiseInitializer("he_uniform"),
			layers.DepthwiseRegularizer(regularizers.L1L2(0.1, 0.2)), layers.DepthwiseConstraint("unit_norm"), layers.BiasRegularizer("l1")),
		layers.DepthwiseConv1D(3, layers.UseBias(false)),
		layers.SeparableConv2D(6, [2]int{3, 3}, layers.DepthMultiplier(2), layers.PointwiseInitializer("lecun_normal"),
			layers.PointwiseRegularizer("l2"), layers.PointwiseConstraint(constraints.MaxNorm()), layers.DepthwiseInitializer("ones")),
		layers.SeparableConv1D(2, 3, layers.Activation("elu")),
		layers.MaxPooling2D(layers.PoolSize(3), layers.Strides(1, 2), layers.Padding("same")),
		layers.MaxPooling1D(), layers.AveragePooling2D(), layers.AveragePooling1D(layers.PoolSize(4)),
		layers.GlobalAveragePooling2D(layers.Keepdims(true)), layers.GlobalMaxPooling2D(), layers.GlobalAveragePooling1D(), layers.GlobalMaxPooling1D(layers.Name("g")),
		layers.ZeroPadding2D([]int{1, 2, 3, 4}), layers.ZeroPadding2D(nil), layers.ZeroPadding1D([]int{2, 0}),
		layers.Cropping2D([]int{1, 2}), layers.Cropping2D(nil), layers.Cropping1D(nil),
		layers.UpSampling2D(layers.Size(2, 3), layers.Interpolation("bilinear")), layers.UpSampling1D(layers.Size(4)),
		layers.BatchNormalization(layers.Momentum(0.9), layers.Epsilon(1e-5), layers.Center(false), layers.GammaRegularizer("l2"),
			layers.MovingVarianceInitializer("zeros"), layers.Axis(3)),
		layers.LayerNormalization(layers.Scale(false), layers.Epsilon(1e-6), layers.BetaConstraint("non_neg")),
		layers.SpatialDropout2D(0.2, layers.Seed(3)), layers.SpatialDropout1D(0.1),
		layers.GaussianNoise(0.3, layers.Seed(4)), layers.GaussianDropout(0.25),
	} {
		if err := l.LayerBase().Err(); err != nil {
			t.Fatalf("%s: %v", l.ClassName(), err)
		}
		raw, err := json.Marshal(l.Config())
		if err != nil {
			t.Fatal(err)
		}
		back, err := layers.FromConfig(l.ClassName(), raw)
		if err != nil {
			t.Fatalf("%s: %v", l.ClassName(), err)
		}
		if err := back.LayerBase().Err(); err != nil {
			t.Fatalf("%s from %s: %v", l.ClassName(), raw, err)
		}
		raw2, _ := json.Marshal(back.Config())
		if string(raw) != string(raw2) {
			t.Errorf("%s: config %s came back as %s", l.ClassName(), raw, raw2)
		}
	}
}

// TestKerasConfigForms: the configurations read Keras's own forms of the
// padding and size arguments.
func TestKerasConfigForms(t *testing.T) {
	for _, c := range []struct {
		class, config string
		want          string
	}{
		{"ZeroPadding2D", `{"name":"z","padding":[[1,2],[3,4]],"data_format":"channels_last"}`, "[[1 2] [3 4]]"},
		{"ZeroPadding2D", `{"name":"z","padding":2}`, "[[2 2] [2 2]]"},
		{"ZeroPadding2D", `{"name":"z","padding":[1,2]}`, "[[1 1] [2 2]]"},
		{"ZeroPadding1D", `{"name":"z","padding":[0,3]}`, "[[0 3]]"},
		{"Cropping1D", `{"name":"z","cropping":[1,1]}`, "[[1 1]]"},
		{"Cropping2D", `{"name":"z","cropping":[[0,1],[2,0]]}`, "[[0 1] [2 0]]"},
	} {
		l, err := layers.FromConfig(c.class, []byte(c.config))
		if err != nil {
			t.Fatalf("%s %s: %v", c.class, c.config, err)
		}
		if got := fmt.Sprint(l.(*layers.PadCropLayer).Amounts()); got != c.want {
			t.Errorf("%s %s: amounts %s, want %s", c.class, c.config, got, c.want)
		}
	}
	u, err := layers.FromConfig("UpSampling1D", []byte(`{"name":"u","size":3}`))
	if err != nil || !equalInts(u.(*layers.UpSamplingLayer).Size(), []int{3}) {
		t.Errorf("UpSampling1D size 3: %v %v", u, err)
	}
	if _, err := layers.FromConfig("LayerNormalization", []byte(`{"name":"n","rms_scaling":true}`)); err == nil {
		t.Error("rms_scaling=true was accepted")
	}
	if _, err := layers.FromConfig("BatchNormalization", []byte(`{"name":"n","synchronized":true}`)); err == nil {
		t.Error("synchronized=true was accepted")
	}
}

// TestPadCropUpsampleValues checks the weightless resizing layers on a
// small image by hand.
func TestPadCropUpsampleValues(t *testing.T) {
	// 2x2 image [[1 2] [3 4]], one channel.
	img := gradcheck.FromSlice([]float64{1, 2, 3, 4}, 1, 2, 2, 1)
	run := func(l layers.Layer) ([]float64, tensor.Shape) {
		build(t, l, "l", []int{2, 2, 1})
		out, shape, err := layertest.Forward(l, backend.Predict, img)
		if err != nil {
			t.Fatal(err)
		}
		return out, shape
	}
	out, shape := run(layers.ZeroPadding2D([]int{1, 0, 0, 1}))
	expect(t, "zero padding (1, 0, 0, 1)", out, shape, []float64{0, 0, 0, 1, 2, 0, 3, 4, 0}, []int{1, 3, 3, 1})
	out, shape = run(layers.Cropping2D([]int{1, 0, 0, 1}))
	expect(t, "cropping (1, 0, 0, 1)", out, shape, []float64{3}, []int{1, 1, 1, 1})
	out, shape = run(layers.UpSampling2D(layers.Size(1, 2)))
	expect(t, "nearest (1, 2)", out, shape, []float64{1, 1, 2, 2, 3, 3, 4, 4}, []int{1, 2, 4, 1})
	// Bilinear x2 along the columns of [1 2]: output j samples input
	// (j + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1]:
	// 1, 1.25, 1.75, 2.
	out, shape = run(layers.UpSampling2D(layers.Size(1, 2), layers.Interpolation("bilinear")))
	expect(t, "bilinear (1, 2)", out, shape, []float64{1, 1.25, 1.75, 2, 3, 3.25, 3.75, 4}, []int{1, 2, 4, 1})
	seq := gradcheck.FromSlice([]float64{1, 2, 3}, 1, 3, 1)
	u := layers.UpSampling1D()
	build(t, u, "u", []int{3, 1})
	out, shape, err := layertest.Forward(u, backend.Predict, seq)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "UpSampling1D", out, shape, []float64{1, 1, 2, 2, 3, 3}, []int{1, 6, 1})
	z := layers.ZeroPadding1D(nil)
	build(t, z, "z", []int{3, 1})
	out, shape, err = layertest.Forward(z, backend.Predict, seq)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "ZeroPadding1D", out, shape, []float64{0, 1, 2, 3, 0}, []int{1, 5, 1})
	c := layers.Cropping1D(nil)
	build(t, c, "c", []int{3, 1})
	out, shape, err = layertest.Forward(c, backend.Predict, seq)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "Cropping1D", out, shape, []float64{2}, []int{1, 1, 1})
}

// TestMaskedGlobalAveragePooling1D: with a mask, the mean is over the
// unmasked steps; a fully masked row gives zeros; GlobalMaxPooling1D
// ignores the mask.
func TestMaskedGlobalAveragePooling1D(t *testing.T) {
	// Two sequences of 3 steps, 2 channels.
	x := []float64{1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}
	mask := []float64{1, 0, 1, 0, 0, 0}
	run := func(l layers.Layer) []float64 {
		build(t, l, "l", []int{3, 2})
		g := G.NewGraph()
		s := backend.NewScope(g, backend.Predict, 2, tensor.Float64)
		xn := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 2), G.WithName("x"), G.WithValue(gradcheck.FromSlice(x, 2, 3, 2)))
		mn := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("m"), G.WithValue(gradcheck.FromSlice(mask, 2, 3)))
		s.SetMask(xn, mn)
		out, err := l.Forward(s, xn)
		if err != nil {
			t.Fatal(err)
		}
		var v G.Value
		G.Read(out, &v)
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return backend.ToFloat64s(v.Data())
	}
	// Row 0 keeps steps 0 and 2: (1+3)/2, (10+30)/2; row 1 keeps none.
	if got := run(layers.GlobalAveragePooling1D()); fmt.Sprint(got) != "[2 20 0 0]" {
		t.Errorf("masked mean = %v, want [2 20 0 0]", got)
	}
	if got := run(layers.GlobalMaxPooling1D()); fmt.Sprint(got) != "[3 30 6 60]" {
		t.Errorf("max with a mask = %v, want [3 30 6 60] (the mask is ignored)", got)
	}
	if layers.GlobalAveragePooling1D().SupportsMasking() {
		t.Error("GlobalAveragePooling1D passes its mask on; Keras's compute_mask returns None")
	}
}

// TestBatchNormModes: training normalises with the batch's statistics,
// inference with the moving ones; a frozen layer runs in inference mode.
func TestBatchNormModes(t *testing.T) {
	x := gradcheck.Rand(4, -2, 3, 8, 3)
	for _, frozen := range []bool{false, true} {
		opts := []layers.BatchNormOption{}
		if frozen {
			opts = append(opts, layers.Trainable(false))
		}
		bn := layers.BatchNormalization(opts...)
		build(t, bn, "bn", []int{3})
		setWeights(t, bn, []float64{2, 1, 0.5}, []float64{0, 1, -1}, []float64{0.1, 0.2, 0.3}, []float64{4, 9, 16})
		train, _, err := layertest.Forward(bn, backend.Train, x)
		if err != nil {
			t.Fatal(err)
		}
		infer, _, err := layertest.Forward(bn, backend.Predict, x)
		if err != nil {
			t.Fatal(err)
		}
		xs := x.Data().([]float64)
		gamma, beta, mm, mv := []float64{2, 1, 0.5}, []float64{0, 1, -1}, []float64{0.1, 0.2, 0.3}, []float64{4, 9, 16}
		for c := 0; c < 3; c++ {
			var mean, v float64
			for r := 0; r < 8; r++ {
				mean += xs[r*3+c] / 8
			}
			for r := 0; r < 8; r++ {
				v += (xs[r*3+c] - mean) * (xs[r*3+c] - mean) / 8
			}
			if frozen {
				mean, v = mm[c], mv[c]
			}
			for r := 0; r < 8; r++ {
				want := gamma[c]*(xs[r*3+c]-mean)/math.Sqrt(v+1e-3) + beta[c]
				if math.Abs(train[r*3+c]-want) > 1e-12 {
					t.Fatalf("frozen=%v: training output %v, want %v", frozen, train[r*3+c], want)
				}
				wantInf := gamma[c]*(xs[r*3+c]-mm[c])/math.Sqrt(mv[c]+1e-3) + beta[c]
				if math.Abs(infer[r*3+c]-wantInf) > 1e-12 {
					t.Fatalf("inference output %v, want %v", infer[r*3+c], wantInf)
				}
			}
		}
	}
}

// TestNoiseLayers: the noise layers change their input in training only,
// with the statistics Keras's definitions give; seeded layers repeat and
// their stream position is saved and restored.
func TestNoiseLayers(t *testing.T) {
	const n, h, w, c = 40, 3, 4, 50
	x := gradcheck.FromSlice(ones(n*h*w*c), n, h, w, c)
	sd := layers.SpatialDropout2D(0.3, layers.Seed(5))
	build(t, sd, "sd", []int{h, w, c})
	out, _, err := layertest.Forward(sd, backend.Train, x)
	if err != nil {
		t.Fatal(err)
	}
	dropped := 0
	for i := 0; i < n; i++ {
		for ch := 0; ch < c; ch++ {
			first := out[(i*h*w)*c+ch]
			if first != 0 && math.Abs(first-1/0.7) > 1e-12 {
				t.Fatalf("kept value %v, want 1/(1-rate)", first)
			}
			for p := 1; p < h*w; p++ {
				if out[(i*h*w+p)*c+ch] != first {
					t.Fatalf("sample %d channel %d: the feature map is not dropped as a whole", i, ch)
				}
			}
			if first == 0 {
				dropped++
			}
		}
	}
	if frac := float64(dropped) / (n * c); math.Abs(frac-0.3) > 0.04 {
		t.Errorf("dropped %.3f of the feature maps, want about 0.3", frac)
	}

	seq := gradcheck.FromSlice(ones(20*6*30), 20, 6, 30)
	sd1 := layers.SpatialDropout1D(0.5, layers.Seed(1))
	build(t, sd1, "sd1", []int{6, 30})
	out, _, err = layertest.Forward(sd1, backend.Train, seq)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		for ch := 0; ch < 30; ch++ {
			for p := 1; p < 6; p++ {
				if out[(i*6+p)*30+ch] != out[(i*6)*30+ch] {
					t.Fatal("SpatialDropout1D does not drop whole channels")
				}
			}
		}
	}

	big := gradcheck.FromSlice(ones(20000), 200, 100)
	for _, tc := range []struct {
		l        layers.Layer
		mean, sd float64
	}{
		{layers.GaussianNoise(0.5, layers.Seed(2)), 1, 0.5},
		{layers.GaussianDropout(0.2, layers.Seed(3)), 1, math.Sqrt(0.2 / 0.8)},
	} {
		build(t, tc.l, "g", []int{100})
		out, _, err := layertest.Forward(tc.l, backend.Train, big)
		if err != nil {
			t.Fatal(err)
		}
		var m, v float64
		for _, o := range out {
			m += o / float64(len(out))
		}
		for _, o := range out {
			v += (o - m) * (o - m) / float64(len(out))
		}
		if math.Abs(m-tc.mean) > 0.02 || math.Abs(math.Sqrt(v)-tc.sd) > 0.02 {
			t.Errorf("%s: mean %.4f sd %.4f, want %.4f and %.4f", tc.l.ClassName(), m, math.Sqrt(v), tc.mean, tc.sd)
		}
		inf, _, err := layertest.Forward(tc.l, backend.Predict, big)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range inf {
			if o != 1 {
				t.Fatalf("%s changed its input at inference", tc.l.ClassName())
			}
		}
	}

	// A seeded layer's stream: save its position, draw, restore, draw
	// again: the same noise.
	g := layers.GaussianNoise(0.1, layers.Seed(9))
	build(t, g, "g", []int{5})
	state, err := g.LayerState()
	if err != nil || len(state) == 0 {
		t.Fatalf("state %v %v", state, err)
	}
	in := gradcheck.FromSlice(ones(10), 2, 5)
	a, _, _ := layertest.Forward(g, backend.Train, in)
	if err := g.SetLayerState(state); err != nil {
		t.Fatal(err)
	}
	b, _, _ := layertest.Forward(g, backend.Train, in)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("after restoring the stream: %v, then %v", a, b)
	}
	c2, _, _ := layertest.Forward(g, backend.Train, in)
	if fmt.Sprint(c2) == fmt.Sprint(b) {
		t.Error("the stream did not move on")
	}
	if err := layers.GaussianNoise(0.1).SetLayerState(state); err == nil {
		t.Error("an unseeded layer accepted a stream state")
	}
	// Unseeded layers draw from the model's generator.
	u := layers.GaussianDropout(0.5)
	build(t, u, "u", []int{5})
	r1, _ := noiseRun(t, u, in, 1)
	r2, _ := noiseRun(t, u, in, 1)
	r3, _ := noiseRun(t, u, in, 2)
	if fmt.Sprint(r1) != fmt.Sprint(r2) || fmt.Sprint(r1) == fmt.Sprint(r3) {
		t.Error("an unseeded layer's noise does not follow the model's generator")
	}
}

// noiseRun runs l in training with the noise filled from seed.
func noiseRun(t *testing.T, l layers.Layer, x *tensor.Dense, seed int64) ([]float64, error) {
	t.Helper()
	g := G.NewGraph()
	s := backend.NewScope(g, backend.Train, x.Shape()[0], tensor.Float64)
	xn := G.NewTensor(g, tensor.Float64, x.Dims(), G.WithShape(x.Shape().Clone()...), G.WithName("x"), G.WithValue(x))
	out, err := l.Forward(s, xn)
	if err != nil {
		t.Fatal(err)
	}
	s.FillNoise(rand.New(rand.NewSource(seed)))
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return backend.ToFloat64s(v.Data()), nil
}

func ExampleConv2D() {
	l := layers.Conv2D(32, [2]int{3, 3}, layers.Activation("relu"), layers.InputShape(28, 28, 1))
	out, err := l.Build(&layers.BuildContext{}, l.DeclaredInputShape())
	fmt.Println(layers.ShapeString(out), err)
	for i, v := range l.Variables() {
		fmt.Println(l.WeightNames()[i], v.Shape())
	}
	// Output:
	// (None, 26, 26, 32) <nil>
	// kernel [3 3 1 32]
	// bias [32]
}

func ExampleMaxPooling2D() {
	l := layers.MaxPooling2D(layers.PoolSize(2, 2), layers.Padding("same"))
	out, err := l.Build(&layers.BuildContext{}, []int{7, 7, 64})
	fmt.Println(layers.ShapeString(out), err, l.Strides())
	// Output: (None, 4, 4, 64) <nil> [2 2]
}

func ExampleBatchNormalization() {
	l := layers.BatchNormalization(layers.Momentum(0.9))
	_, err := l.Build(&layers.BuildContext{}, []int{10, 10, 16})
	fmt.Println(err)
	for i, v := range l.Variables() {
		fmt.Println(l.WeightNames()[i], v.Shape(), v.Trainable())
	}
	// Output:
	// <nil>
	// gamma [16] true
	// beta [16] true
	// moving_mean [16] false
	// moving_variance [16] false
}

func ExampleZeroPadding2D() {
	l := layers.ZeroPadding2D([]int{1, 2}) // 1 row above and below, 2 columns left and right
	out, err := l.Build(&layers.BuildContext{}, []int{28, 28, 3})
	fmt.Println(layers.ShapeString(out), err, l.Amounts())
	// Output: (None, 30, 32, 3) <nil> [[1 1] [2 2]]
}
