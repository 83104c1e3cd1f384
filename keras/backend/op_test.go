package backend_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

func unary(op func(*G.Node) (*G.Node, error)) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return op(in[0]) }
}

func binary(op func(a, b *G.Node) (*G.Node, error)) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return op(in[0], in[1]) }
}

// oneHotRows returns a (rows, cols) one-hot matrix for the given labels.
func oneHotRows(labels []int, cols int) *tensor.Dense {
	data := make([]float64, len(labels)*cols)
	for i, l := range labels {
		data[i*cols+l] = 1
	}
	return gradcheck.FromSlice(data, len(labels), cols)
}

func mm(ta, tb bool) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.MatMul(in[0], in[1], ta, tb) }
}

func TestOpGradients(t *testing.T) {
	logits := gradcheck.Rand(1, -3, 3, 4, 5)
	probs := gradcheck.Rand(2, 0.05, 0.95, 4, 5)
	binTargets := gradcheck.FromSlice([]float64{1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1}, 4, 5)
	soft := gradcheck.FromSlice([]float64{.2, .3, .1, .4, 0, 0, 0, 1, 0, 0, .5, .5, 0, 0, 0, .1, .1, .1, .1, .6}, 4, 5)
	cases := []struct {
		name   string
		f      gradcheck.Func
		inputs []*tensor.Dense
		noGrad []bool
	}{
		{"softmax", unary(backend.Softmax), []*tensor.Dense{logits}, nil},
		{"log_softmax", unary(backend.LogSoftmax), []*tensor.Dense{logits}, nil},
		{"softmax_rank3", unary(backend.Softmax), []*tensor.Dense{gradcheck.Rand(3, -2, 2, 2, 3, 4)}, nil},
		{"softmax_xent_onehot", binary(backend.SoftmaxCrossEntropy), []*tensor.Dense{logits, oneHotRows([]int{0, 3, 4, 1}, 5)}, []bool{false, true}},
		{"softmax_xent_soft", binary(backend.SoftmaxCrossEntropy), []*tensor.Dense{logits, soft}, []bool{false, true}},
		{"sigmoid_xent", binary(backend.SigmoidCrossEntropy), []*tensor.Dense{logits, binTargets}, []bool{false, true}},
		{"categorical_xent_probs", binary(backend.CategoricalCrossEntropy), []*tensor.Dense{probs, soft}, []bool{false, true}},
		{"binary_xent_probs", binary(backend.BinaryCrossEntropy), []*tensor.Dense{probs, binTargets}, []bool{false, true}},
		{"matmul", mm(false, false), []*tensor.Dense{gradcheck.Rand(4, -1, 1, 3, 4), gradcheck.Rand(5, -1, 1, 4, 2)}, nil},
		{"matmul_ta", mm(true, false), []*tensor.Dense{gradcheck.Rand(4, -1, 1, 4, 3), gradcheck.Rand(5, -1, 1, 4, 2)}, nil},
		{"matmul_tb", mm(false, true), []*tensor.Dense{gradcheck.Rand(4, -1, 1, 3, 4), gradcheck.Rand(5, -1, 1, 2, 4)}, nil},
		{"matmul_ta_tb", mm(true, true), []*tensor.Dense{gradcheck.Rand(4, -1, 1, 4, 3), gradcheck.Rand(5, -1, 1, 2, 4)}, nil},
		{"bias_add", binary(backend.BiasAdd), []*tensor.Dense{gradcheck.Rand(6, -1, 1, 3, 4), gradcheck.Rand(7, -1, 1, 4)}, nil},
		// relu is not differentiable at 0: keep inputs away from it.
		{"relu", unary(backend.Relu), []*tensor.Dense{gradcheck.FromSlice([]float64{-2, -0.5, 0.3, 1.5, -0.01, 0.02}, 2, 3)}, nil},
		{"elementwise_cube", unary(func(x *G.Node) (*G.Node, error) {
			return backend.Elementwise(x, backend.ElemFunc{Name: "cube", F: func(x float64) float64 { return x * x * x },
				DF: func(x, _ float64) float64 { return 3 * x * x }})
		}), []*tensor.Dense{logits}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if m, err := gradcheck.Check(c.f, c.inputs, gradcheck.Options{NoGrad: c.noGrad}); err != nil {
				t.Fatalf("%v (worst %+v)", err, m)
			}
		})
	}
}

func TestSoftmaxValues(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 2, 3, 1000, 1000, -1000}, 2, 3)
	got, _, err := gradcheck.Forward(unary(backend.Softmax), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	// softmax(1,2,3) worked by hand: e^k / (e + e^2 + e^3).
	den := math.E + math.Exp(2) + math.Exp(3)
	want := []float64{math.E / den, math.Exp(2) / den, math.Exp(3) / den, 0.5, 0.5, 0}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("softmax[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	got, _, err = gradcheck.Forward(unary(backend.LogSoftmax), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	wantLog := []float64{1 - math.Log(den), 2 - math.Log(den), 3 - math.Log(den), -math.Ln2, -math.Ln2, -2000 - math.Ln2}
	for i := range wantLog {
		if math.Abs(got[i]-wantLog[i]) > 1e-9 {
			t.Errorf("log_softmax[%d] = %v, want %v", i, got[i], wantLog[i])
		}
	}
}

// TestSoftmaxAndLogSoftmaxDoNotMerge guards against Gorgonia's #569: its own
// SoftMax and LogSoftMax of one node share a hash and collapse into one.
func TestSoftmaxAndLogSoftmaxDoNotMerge(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 2, 3}, 1, 3)
	f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s, err := backend.Softmax(in[0])
		if err != nil {
			return nil, err
		}
		ls, err := backend.LogSoftmax(in[0])
		if err != nil {
			return nil, err
		}
		return G.Sub(s, ls)
	}
	got, _, err := gradcheck.Forward(f, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	den := math.E + math.Exp(2) + math.Exp(3)
	for j, v := range got {
		k := float64(j + 1)
		want := math.Exp(k)/den - (k - math.Log(den))
		if math.Abs(v-want) > 1e-12 {
			t.Errorf("softmax-log_softmax[%d] = %v, want %v", j, v, want)
		}
	}
}

func TestCrossEntropyValuesAreStable(t *testing.T) {
	// Extreme logits must give finite, exact losses.
	z := gradcheck.FromSlice([]float64{1e4, -1e4, 0, -1e4, 1e4, 0}, 2, 3)
	y := oneHotRows([]int{1, 1}, 3)
	got, _, err := gradcheck.Forward(binary(backend.SoftmaxCrossEntropy), []*tensor.Dense{z, y})
	if err != nil {
		t.Fatal(err)
	}
	// Row 0: logsumexp = 1e4, target logit -1e4: loss 2e4. Row 1: loss 0.
	if got[0] != 2e4 || got[1] != 0 {
		t.Errorf("softmax xent = %v, want [2e4 0]", got)
	}
	zb := gradcheck.FromSlice([]float64{1e4, -1e4}, 1, 2)
	yb := gradcheck.FromSlice([]float64{0, 0}, 1, 2)
	got, _, err = gradcheck.Forward(binary(backend.SigmoidCrossEntropy), []*tensor.Dense{zb, yb})
	if err != nil {
		t.Fatal(err)
	}
	// mean(1e4 - 0 + log1p(e^-1e4), 0 + log1p(e^-1e4)) = 5000.
	if got[0] != 5000 {
		t.Errorf("sigmoid xent = %v, want 5000", got)
	}
	// Probabilities of exactly 0 and 1 are clipped to 1e-7, as in Keras.
	p := gradcheck.FromSlice([]float64{0, 1}, 1, 2)
	got, _, err = gradcheck.Forward(binary(backend.BinaryCrossEntropy), []*tensor.Dense{p, gradcheck.FromSlice([]float64{1, 0}, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if want := -math.Log(1e-7); math.Abs(got[0]-want) > 1e-9 {
		t.Errorf("binary xent of (0,1) vs (1,0) = %v, want %v", got[0], want)
	}
}

func TestMatMulValues(t *testing.T) {
	a := gradcheck.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	b := gradcheck.FromSlice([]float64{7, 8, 9, 10, 11, 12}, 3, 2)
	got, shape, err := gradcheck.Forward(mm(false, false), []*tensor.Dense{a, b})
	if err != nil {
		t.Fatal(err)
	}
	// [1 2 3; 4 5 6]·[7 8; 9 10; 11 12] worked by hand.
	want := []float64{58, 64, 139, 154}
	if !shape.Eq(tensor.Shape{2, 2}) {
		t.Fatalf("shape %v", shape)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("matmul = %v, want %v", got, want)
			break
		}
	}
	// aᵀ·aᵀᵀ = aᵀ·a: (3,2)·(2,3) = (3,3); entry (0,0) = 1*1+4*4 = 17.
	got, shape, err = gradcheck.Forward(mm(true, false), []*tensor.Dense{a, a})
	if err != nil || !shape.Eq(tensor.Shape{3, 3}) || got[0] != 17 || got[8] != 45 {
		t.Errorf("aᵀ·a = %v %v %v", got, shape, err)
	}
	if _, err := backend.MatMul(G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 3), G.WithName("a")),
		G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 3), G.WithName("b")), false, false); err == nil {
		t.Error("MatMul (2,3)·(2,3) should fail")
	}
}

func TestBiasAddAndReluValues(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, -2, 3, -4}, 2, 2)
	b := gradcheck.FromSlice([]float64{10, 1}, 2)
	got, _, err := gradcheck.Forward(binary(backend.BiasAdd), []*tensor.Dense{x, b})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{11, -1, 13, -3}; !equal(got, want) {
		t.Errorf("bias_add = %v, want %v", got, want)
	}
	got, _, err = gradcheck.Forward(unary(backend.Relu), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 0, 3, 0}; !equal(got, want) {
		t.Errorf("relu = %v, want %v", got, want)
	}
}

func equal(a, b []float64) bool {
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

func TestHingeLabels(t *testing.T) {
	cases := []struct {
		in, want []float64
	}{
		{[]float64{0, 1, 1, 0}, []float64{-1, 1, 1, -1}},   // all 0/1: mapped
		{[]float64{-1, 1, 1, -1}, []float64{-1, 1, 1, -1}}, // already -1/1
		{[]float64{0, 1, 2, 0}, []float64{0, 1, 2, 0}},     // not binary: unchanged
	}
	for _, c := range cases {
		got, _, err := gradcheck.Forward(unary(backend.HingeLabels), []*tensor.Dense{gradcheck.FromSlice(c.in, 2, 2)})
		if err != nil {
			t.Fatal(err)
		}
		if !equal(got, c.want) {
			t.Errorf("HingeLabels(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	// Targets feed the loss but are not differentiated: the gradient of
	// sum(labels * x) with respect to x is the labels.
	f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		l, err := backend.HingeLabels(in[1])
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(in[0], l)
	}
	grads, err := gradcheck.Gradient(f, []*tensor.Dense{gradcheck.FromSlice([]float64{3, 4}, 1, 2), gradcheck.FromSlice([]float64{1, 0}, 1, 2)}, []bool{false, true})
	if err != nil || !equal(grads[0], []float64{1, -1}) {
		t.Errorf("gradient through hinge labels = %v, %v", grads, err)
	}
}

// TestBiasReluGradient checks the gradient of the fused op that Relu of a
// BiasAdd becomes, with respect to x and b.
func TestBiasReluGradient(t *testing.T) {
	f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		h, err := backend.BiasAdd(in[0], in[1])
		if err != nil {
			return nil, err
		}
		return backend.Relu(h)
	}
	// Keep x + b away from 0, where relu has no derivative.
	x := gradcheck.FromSlice([]float64{-2, -0.5, 0.3, 1.5, -0.11, 0.72, 0.9, -1.3}, 2, 4)
	b := gradcheck.FromSlice([]float64{0.1, 0.2, -0.4, 0.35}, 4)
	if m, err := gradcheck.Check(f, []*tensor.Dense{x, b}, gradcheck.Options{}); err != nil {
		t.Fatalf("%v (worst %+v)", err, m)
	}
}

// TestReshape checks Reshape's gradient, its values (a view of the input)
// and that a run after the input changed sees the new values.
func TestReshape(t *testing.T) {
	f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		r, err := backend.Reshape(in[0], tensor.Shape{3, -1})
		if err != nil {
			return nil, err
		}
		// Something that depends on the layout: a product with a matrix.
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("w"),
			G.WithValue(gradcheck.Rand(3, -1, 1, 4, 2)))
		return backend.MatMul(r, w, false, false)
	}
	x := gradcheck.Rand(8, -1, 1, 2, 3, 2)
	if m, err := gradcheck.Check(f, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
		t.Fatalf("%v (worst %+v)", err, m)
	}
	for _, bad := range []tensor.Shape{{5, -1}, {-1, -1}, {2, 0, 6}, {7}} {
		g := G.NewGraph()
		n := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 2), G.WithName("x"))
		if _, err := backend.Reshape(n, bad); err == nil {
			t.Errorf("Reshape to %v of a (2, 3, 2) tensor: no error", bad)
		}
	}
	g := G.NewGraph()
	xv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	xn := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"), G.WithValue(xv))
	r, err := backend.Reshape(xn, tensor.Shape{3, 2})
	if err != nil {
		t.Fatal(err)
	}
	var out G.Value
	G.Read(r, &out)
	vm := G.NewTapeMachine(g)
	for run, want := range [][]float32{{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12}} {
		copy(xv.Data().([]float32), want)
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := out.(*tensor.Dense)
		if !got.Shape().Eq(tensor.Shape{3, 2}) || got.Dims() != 2 {
			t.Fatalf("run %d: shape %v", run, got.Shape())
		}
		for i, v := range got.Data().([]float32) {
			if v != want[i] {
				t.Fatalf("run %d: reshaped values %v, want %v", run, got.Data(), want)
			}
		}
	}
}
