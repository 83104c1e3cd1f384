package keras_test

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// ticketModel is the Keras functional-API guide's model in miniature:
// three inputs (title, body, tags), two outputs (priority, department).
func ticketModel(t testing.TB) *keras.Model {
	t.Helper()
	title := keras.Input([]int{10}, keras.InputName("title"))
	body := keras.Input([]int{20}, keras.InputName("body"))
	tags := keras.Input([]int{12}, keras.InputName("tags"))
	tf := layers.Dense(8, layers.Activation("relu")).Apply(title)
	bf := layers.Dense(8, layers.Activation("relu")).Apply(body)
	x := layers.Concatenate().Apply(tf, bf, tags)
	priority := layers.Dense(1, layers.Activation("sigmoid"), layers.Name("priority")).Apply(x)
	department := layers.Dense(4, layers.Activation("softmax"), layers.Name("department")).Apply(x)
	m, err := keras.NewModel([]*keras.Tensor{title, body, tags}, []*keras.Tensor{priority, department})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetSeed(5); err != nil {
		t.Fatal(err)
	}
	return m
}

func ticketData(n int, seed int64) (map[string]tensor.Tensor, map[string]tensor.Tensor) {
	rng := rand.New(rand.NewSource(seed))
	mk := func(w int) *tensor.Dense {
		d := make([]float32, n*w)
		for i := range d {
			d[i] = float32(rng.Float64())
		}
		return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(d))
	}
	title, body, tags := mk(10), mk(20), mk(12)
	pr := make([]float32, n)
	dep := make([]int64, n)
	td, bd, gd := title.Data().([]float32), body.Data().([]float32), tags.Data().([]float32)
	for i := 0; i < n; i++ {
		s := td[i*10] + bd[i*20] + gd[i*12]
		if s > 1.5 {
			pr[i] = 1
		}
		dep[i] = int64(int(4*td[i*10+1]) % 4)
	}
	return map[string]tensor.Tensor{"title": title, "body": body, "tags": tags},
		map[string]tensor.Tensor{"priority": tensor.New(tensor.WithShape(n), tensor.WithBacking(pr)), "department": tensor.New(tensor.WithShape(n), tensor.WithBacking(dep))}
}

func TestFunctionalMultiInputMultiOutput(t *testing.T) {
	ctx := context.Background()
	m := ticketModel(t)
	err := m.Compile(keras.Optimizer("adam"),
		keras.Loss(map[string]any{"priority": "binary_crossentropy", "department": "sparse_categorical_crossentropy"}),
		keras.LossWeightsByName(map[string]float64{"priority": 1, "department": 0.2}),
		keras.OutputMetrics("department", "accuracy"))
	if err != nil {
		t.Fatal(err)
	}
	x, y := ticketData(200, 1)
	h, err := m.Fit(ctx, x, y, keras.Epochs(3), keras.BatchSize(32), keras.ValidationSplit(0.2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"loss", "priority_loss", "department_loss", "department_accuracy", "val_loss", "val_priority_loss", "val_department_loss", "val_department_accuracy"}
	if got := h.Keys(); !equalStrings(got, want) {
		t.Errorf("history keys %v, want %v", got, want)
	}
	// The total is the loss-weighted sum of the outputs' losses.
	for e := 0; e < 3; e++ {
		vl, _ := h.Get("val_loss")
		vp, _ := h.Get("val_priority_loss")
		vd, _ := h.Get("val_department_loss")
		if d := vl[e] - (vp[e] + 0.2*vd[e]); math.Abs(d) > 1e-5 {
			t.Errorf("epoch %d: val_loss %v != priority %v + 0.2 * department %v", e, vl[e], vp[e], vd[e])
		}
	}
	// Data by position gives the same scores as by name.
	scoresByName, err := m.Evaluate(ctx, x, y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	scoresByPos, err := m.Evaluate(ctx, []tensor.Tensor{x["title"], x["body"], x["tags"]}, []tensor.Tensor{y["priority"], y["department"]}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range scoresByName {
		if scoresByPos[k] != v {
			t.Errorf("score %s: %v by name, %v by position", k, v, scoresByPos[k])
		}
	}
	outs, err := m.PredictAll(ctx, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || !outs[0].Shape().Eq(tensor.Shape{200, 1}) || !outs[1].Shape().Eq(tensor.Shape{200, 4}) {
		t.Fatalf("PredictAll shapes %v", outs)
	}
	if _, err := m.Predict(ctx, x, keras.Verbose(0)); err == nil {
		t.Error("Predict on a model with two outputs should point to PredictAll")
	}
	// Save and load: bit-identical predictions, and training resumes
	// identically.
	path := filepath.Join(t.TempDir(), "ticket.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	lo, err := l.PredictAll(ctx, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for k := range outs {
		sameBits(t, "loaded functional model's output", outs[k], lo[k])
	}
	for _, mm := range []*keras.Model{m, l} {
		if _, err := mm.Fit(ctx, x, y, keras.Epochs(5), keras.InitialEpoch(3), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	sameWeights(t, "functional model resumed after loading", m, l)
}

func equalStrings(a, b []string) bool {
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

// TestSharedLayerIsOneSetOfWeights: a layer applied to two inputs has one
// set of weights, and both applications train it.
func TestSharedLayerIsOneSetOfWeights(t *testing.T) {
	a := keras.Input([]int{3})
	b := keras.Input([]int{3})
	shared := layers.Dense(2, layers.Name("shared"))
	out := layers.Subtract().Apply(shared.Apply(a), shared.Apply(b))
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := m.CountParams(); n != 8 {
		t.Errorf("%d parameters, want 8 (one kernel 3x2 and one bias)", n)
	}
	// shared(a) - shared(b) = (a-b)·K: the bias cancels, and the model
	// learns K from differences.
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	xa, y := regression(64, 3)
	xb := tensor.New(tensor.WithShape(64, 3), tensor.WithBacking(make([]float64, 64*3)))
	y2 := tensor.New(tensor.WithShape(64, 2), tensor.WithBacking(append(append([]float64(nil), y.Data().([]float64)...), y.Data().([]float64)...)))
	before, _ := m.GetWeights()
	if _, err := m.Fit(context.Background(), []tensor.Tensor{xa, xb}, y2, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	after, _ := m.GetWeights()
	if len(after) != 2 || sameData(before[0], after[0]) {
		t.Error("the shared kernel did not train")
	}
	// Summary lists the shared layer once, connected to both inputs.
	var s stringsBuilder
	if err := m.Summary(&s); err != nil {
		t.Fatal(err)
	}
	if c := countLines(s.String(), "shared (Dense)"); c != 1 {
		t.Errorf("the shared layer is listed %d times:\n%s", c, s.String())
	}
	if !containsAll(s.String(), "input_layer[0][0]", "input_layer_1[0][0]", "shared[0][0]", "shared[1][0]", "Connected to") {
		t.Errorf("summary:\n%s", s.String())
	}
}

// TestNestedModels: a model is a layer of another; its weights are shared.
func TestNestedModels(t *testing.T) {
	enc := keras.Sequential(layers.Dense(4, layers.Activation("tanh"), layers.InputShape(3)), layers.Dense(2))
	enc.SetName("encoder")
	a, b := keras.Input([]int{3}), keras.Input([]int{3})
	d := layers.Subtract().Apply(enc.Apply(a), enc.Apply(b))
	out := layers.Dense(1).Apply(d)
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := m.CountParams(); n != 3*4+4+4*2+2+2+1 {
		t.Errorf("%d parameters", n)
	}
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	xa, y := regression(40, 4)
	xb, _ := regression(40, 5)
	if _, err := m.Fit(context.Background(), []tensor.Tensor{xa, xb}, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	// The encoder's own predictions use the trained shared weights.
	p1, err := enc.Predict(context.Background(), xa, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := keras.NewModel([]*keras.Tensor{a}, []*keras.Tensor{enc.AsLayer().LayerBase().Nodes()[0].Outputs()[0]})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := sub.Predict(context.Background(), xa, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "encoder alone vs inside the model", p1, p2)
	path := filepath.Join(t.TempDir(), "nested.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	pm, _ := m.Predict(context.Background(), []tensor.Tensor{xa, xb}, keras.Verbose(0))
	pl, err := l.Predict(context.Background(), []tensor.Tensor{xa, xb}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "loaded nested model", pm, pl)
}

// TestSequentialEqualsFunctional: the same layers as a Sequential model
// and as a functional one give identical weights and history.
func TestSequentialEqualsFunctional(t *testing.T) {
	ctx := context.Background()
	x, y := regression(100, 6)
	seq := regressionModel(t, 6)
	in := keras.Input([]int{3})
	h := layers.Dense(8, layers.Activation("relu")).Apply(in)
	h = layers.Dropout(0.1).Apply(h)
	out := layers.Dense(1).Apply(h)
	fn, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
	if err != nil {
		t.Fatal(err)
	}
	_ = fn.SetSeed(6)
	if err := fn.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	// regressionModel uses Adam(0.01): compile both alike.
	if err := seq.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	hs, err := seq.Fit(ctx, x, y, keras.Epochs(4), keras.BatchSize(16), keras.ValidationSplit(0.2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	hf, err := fn.Fit(ctx, x, y, keras.Epochs(4), keras.BatchSize(16), keras.ValidationSplit(0.2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "Sequential vs functional", seq, fn)
	for _, k := range hs.Keys() {
		a, _ := hs.Get(k)
		b, _ := hf.Get(k)
		for e := range a {
			if math.Float64bits(a[e]) != math.Float64bits(b[e]) {
				t.Errorf("%s[%d]: %v vs %v", k, e, a[e], b[e])
			}
		}
	}
}

// TestFeatureExtraction: a model from an intermediate layer's output.
func TestFeatureExtraction(t *testing.T) {
	m := ticketModel(t)
	x, _ := ticketData(5, 2)
	if _, err := m.GetLayer("concatenate"); err != nil {
		t.Fatal(err)
	}
	c, _ := m.GetLayer("concatenate")
	fe, err := keras.NewModel(m.Inputs(), []*keras.Tensor{c.LayerBase().Output()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := fe.Predict(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Shape().Eq(tensor.Shape{5, 28}) {
		t.Errorf("features shape %v, want (5, 28)", f.Shape())
	}
	_, err = m.GetLayer("nope")
	var ue *keras.UnknownNameError
	if !errors.As(err, &ue) || len(ue.Known) != len(m.Layers()) {
		t.Errorf("GetLayer of an unknown name: %v", err)
	}
}

// TestGraphErrors: errors are caught when the model is made, naming the
// layers.
func TestGraphErrors(t *testing.T) {
	a, b := keras.Input([]int{3}), keras.Input([]int{4})
	other := keras.Input([]int{3})
	ha := layers.Dense(2).Apply(a)
	cases := map[string]func() error{
		"unused input": func() error {
			_, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{ha})
			return err
		},
		"output not reachable": func() error {
			_, err := keras.NewModel([]*keras.Tensor{other}, []*keras.Tensor{ha})
			return err
		},
		"incompatible merge": func() error {
			_, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{layers.Add().Apply(a, b)})
			var se *keras.ShapeError
			if !errors.As(err, &se) {
				return errors.Errorf("not a ShapeError: %v", err)
			}
			return err
		},
		"duplicate names": func() error {
			x := layers.Dense(2, layers.Name("d")).Apply(a)
			y := layers.Dense(2, layers.Name("d")).Apply(x)
			_, err := keras.NewModel([]*keras.Tensor{a}, []*keras.Tensor{y})
			return err
		},
		"duplicate output names": func() error {
			_, err := keras.NewModel([]*keras.Tensor{a}, []*keras.Tensor{ha, ha})
			return err
		},
		"nil tensor": func() error {
			_, err := keras.NewModel([]*keras.Tensor{a}, []*keras.Tensor{nil})
			return err
		},
		"a layer applied to a wrong shape twice": func() error {
			d := layers.Dense(2)
			d.Apply(a)
			_, err := keras.NewModel([]*keras.Tensor{b}, []*keras.Tensor{d.Apply(b)})
			return err
		},
	}
	for name, f := range cases {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	m := ticketModel(t)
	if err := m.Compile(keras.Loss(map[string]any{"priority": "mse", "dept": "mse"})); err == nil {
		t.Error("a loss for an unknown output should fail")
	}
	if err := m.Compile(keras.Loss([]any{"mse"})); err == nil {
		t.Error("one loss in a list for two outputs should fail")
	}
	if err := m.Compile(keras.Loss("mse")); err != nil {
		t.Fatal(err)
	}
	x, y := ticketData(10, 3)
	delete(x, "tags")
	if _, err := m.Fit(context.Background(), x, y, keras.Verbose(0)); !errors.Is(err, keras.ErrNil) {
		t.Errorf("a missing input: %v", err)
	}
	x["tagz"] = x["title"]
	if _, err := m.Fit(context.Background(), x, y, keras.Verbose(0)); err == nil {
		t.Error("an unknown input name should fail")
	}
}

// TestMergeGradients gradient-checks every merge layer (float64).
func TestMergeGradients(t *testing.T) {
	cases := []struct {
		layer layers.Layer
		in    [][]int
	}{
		{layers.Add(), [][]int{{3, 2}, {3, 2}, {3, 2}}},
		{layers.Subtract(), [][]int{{4}, {4}}},
		{layers.Multiply(), [][]int{{4}, {4}, {4}}},
		{layers.Average(), [][]int{{2, 3}, {2, 3}}},
		{layers.Maximum(), [][]int{{5}, {5}, {5}}},
		{layers.Minimum(), [][]int{{5}, {5}}},
		{layers.Concatenate(), [][]int{{2, 3}, {2, 4}}},
		{layers.Concatenate(layers.Axis(1)), [][]int{{2, 3}, {1, 3}}},
		{layers.Dot([]int{1}), [][]int{{4}, {4}}},
		{layers.Dot([]int{1}, layers.Normalize(true)), [][]int{{4}, {4}}},
		{layers.Dot([]int{2}), [][]int{{3, 4}, {2, 4}}},
		{layers.Dot([]int{1, 1}, layers.Normalize(true)), [][]int{{3, 4}, {3, 2}}},
	}
	for i, c := range cases {
		if _, err := layertest.Build(c.layer, "merge", tensor.Float64, 1, c.in...); err != nil {
			t.Fatalf("case %d (%s): %v", i, c.layer.ClassName(), err)
		}
		var xs []*tensor.Dense
		for j, s := range c.in {
			xs = append(xs, gradcheck.Rand(int64(10*i+j), -2, 2, append([]int{3}, s...)...))
		}
		if m, err := layertest.Check(c.layer, backend.Train, gradcheck.Options{}, xs...); err != nil {
			t.Errorf("case %d (%s): %v (worst %+v)", i, c.layer.ClassName(), err, m)
		}
	}
}

// TestEagerCall: a layer runs on concrete tensors outside a model.
func TestEagerCall(t *testing.T) {
	d := layers.Dense(2, layers.KernelInitializer("ones"), layers.BiasInitializer("ones"))
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 0, 0, 1}))
	out, err := keras.Call(d, x)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Data().([]float64); !equalFloats(got, []float64{7, 7, 2, 2}) {
		t.Errorf("Dense(ones) of %v = %v", x.Data(), got)
	}
	if len(d.LayerBase().Nodes()) != 0 {
		t.Error("an eager call left a node on the layer")
	}
	if _, err := keras.Call(d, tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(make([]float64, 8)))); err == nil {
		t.Error("calling a built layer on another shape should fail")
	}
	sum, err := keras.Call(layers.Add(), x, x)
	if err != nil || !equalFloats(sum[0].Data().([]float64), []float64{2, 4, 6, 0, 0, 2}) {
		t.Errorf("Add eagerly: %v %v", sum, err)
	}
}

func equalFloats(a, b []float64) bool {
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

type stringsBuilder = bytesBuffer

func sameData(a, b *tensor.Dense) bool {
	return equalFloats(backend.ToFloat64s(a.Data()), backend.ToFloat64s(b.Data()))
}

func countLines(s, sub string) int {
	n := 0
	for _, line := range splitLines(s) {
		if containsAll(line, sub) {
			n++
		}
	}
	return n
}
