package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/layers"
)

func ctx() *layers.BuildContext {
	return &layers.BuildContext{Dtype: tensor.Float64, Rand: rand.New(rand.NewSource(3))}
}

// layerFunc runs l on inputs[0] with every weight of l bound to the
// following inputs, so the check covers d/dx and d/dweights.
func layerFunc(l layers.Layer, mode backend.Mode) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s := backend.NewScope(g, mode, in[0].Shape()[0], tensor.Float64)
		for i, v := range l.Variables() {
			if err := s.Bind(v, in[1+i]); err != nil {
				return nil, err
			}
		}
		out, err := l.Forward(s, in[0])
		s.FillNoise(rand.New(rand.NewSource(9)))
		return out, err
	}
}

func inputsFor(l layers.Layer, x *tensor.Dense) []*tensor.Dense {
	in := []*tensor.Dense{x}
	for _, v := range l.Variables() {
		in = append(in, v.Value())
	}
	return in
}

func TestLayerGradients(t *testing.T) {
	cases := []struct {
		name  string
		layer layers.Layer
		in    []int // one sample
		batch int
	}{
		{"dense_linear", layers.Dense(3), []int{4}, 5},
		{"dense_relu", layers.Dense(3, layers.Activation("relu")), []int{4}, 5},
		{"dense_softmax", layers.Dense(3, layers.Activation("softmax")), []int{4}, 5},
		{"dense_tanh_no_bias", layers.Dense(2, layers.Activation("tanh"), layers.UseBias(false)), []int{3}, 2},
		{"dense_rank3", layers.Dense(2, layers.Activation("sigmoid")), []int{3, 4}, 2},
		{"flatten", layers.Flatten(), []int{2, 3}, 2},
		{"reshape", layers.Reshape([]int{3, -1}), []int{6}, 2},
		{"activation_sigmoid", layers.Activation("sigmoid"), []int{4}, 3},
		{"dropout_training", layers.Dropout(0.4, layers.Seed(1)), []int{6}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.layer.SetName(c.name)
			if _, err := c.layer.Build(ctx(), c.in); err != nil {
				t.Fatal(err)
			}
			x := gradcheck.Rand(5, -1.5, 1.5, append([]int{c.batch}, c.in...)...)
			if m, err := gradcheck.Check(layerFunc(c.layer, backend.Train), inputsFor(c.layer, x), gradcheck.Options{}); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

func TestDenseValues(t *testing.T) {
	l := layers.Dense(2, layers.Name("d"))
	if _, err := l.Build(ctx(), []int{3}); err != nil {
		t.Fatal(err)
	}
	k, b := l.Variables()[0], l.Variables()[1]
	if !equalInts(k.Shape(), []int{3, 2}) || !equalInts(b.Shape(), []int{2}) || k.Name() != "d/kernel" || b.Name() != "d/bias" {
		t.Fatalf("weights %v %v", k, b)
	}
	_ = k.SetFloat64s([]float64{1, 2, 3, 4, 5, 6})
	_ = b.SetFloat64s([]float64{0.5, -1})
	x := gradcheck.FromSlice([]float64{1, 0, -1, 2, 1, 0}, 2, 3)
	got, _, err := gradcheck.Forward(layerFunc(l, backend.Predict), inputsFor(l, x))
	if err != nil {
		t.Fatal(err)
	}
	// [1 0 -1]·[[1 2][3 4][5 6]] = [-4 -4], + bias = [-3.5 -5];
	// [2 1 0]·K = [5 8], + bias = [5.5 7].
	want := []float64{-3.5, -5, 5.5, 7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("dense = %v, want %v", got, want)
		}
	}
}

func TestDropoutBehaviour(t *testing.T) {
	l := layers.Dropout(0.25, layers.Name("drop"), layers.Seed(4))
	if _, err := l.Build(ctx(), []int{1000}); err != nil {
		t.Fatal(err)
	}
	x := gradcheck.FromSlice(ones(4000), 4, 1000)
	got, _, err := gradcheck.Forward(layerFunc(l, backend.Train), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, v := range got {
		switch {
		case v == 0:
			zeros++
		case math.Abs(v-1/0.75) > 1e-12:
			t.Fatalf("kept value %v, want 1/(1-rate) = %v", v, 1/0.75)
		}
	}
	if frac := float64(zeros) / 4000; math.Abs(frac-0.25) > 0.03 {
		t.Errorf("dropped %.3f of the inputs, want about 0.25", frac)
	}
	got, _, err = gradcheck.Forward(layerFunc(l, backend.Predict), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if v != 1 {
			t.Fatal("dropout changed its input at inference")
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		layer layers.Layer
		in    []int
		want  string
	}{
		{layers.Dense(0), []int{3}, "units must be >= 1, got 0"},
		{layers.Dense(4, layers.Activation("rleu")), []int{3}, `unknown activation "rleu" (known: elu, exponential, gelu`},
		{layers.Dense(4, layers.Activation(activations.ELU(activations.Alpha(math.NaN())))), []int{3}, "activations: elu: alpha = NaN: must be finite"},
		{layers.Dropout(1), []int{3}, "rate must be in [0, 1), got 1"},
		{layers.Dropout(0.5, layers.UseBias(false)), []int{3}, "Dropout has no option use_bias"},
		{layers.Reshape([]int{4, -1}), []int{6}, "cannot reshape [6] to [4 -1]"},
		{layers.Reshape([]int{-1, -1}), []int{6}, "at most one -1"},
		{layers.Dense(2, layers.KernelInitializer("glorot")), []int{3}, `unknown initializer "glorot"`},
		{layers.Flatten(layers.InputShape(0, 3)), []int{3}, "dimension < 1"},
	}
	for _, c := range cases {
		c.layer.SetName("l")
		_, err := c.layer.Build(ctx(), c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to contain %q", c.layer.ClassName(), err, c.want)
		}
	}
	l := layers.Dense(2)
	l.SetName("d")
	if _, err := l.Build(ctx(), []int{3}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Build(ctx(), []int{4}); err == nil {
		t.Error("rebuilding a layer for another input shape should fail")
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		layers.Dense(7, layers.Activation("softmax"), layers.UseBias(false), layers.Name("out"), layers.InputShape(5)),
		layers.Flatten(layers.InputShape(28, 28), layers.Name("f")),
		layers.Reshape([]int{2, -1}, layers.Name("r")),
		layers.Dropout(0.3, layers.Seed(5), layers.Name("dr")),
		layers.Activation("tanh", layers.Name("act")),
		layers.Activation(activations.ReLU(activations.MaxValue(6), activations.NegativeSlope(0.1)), layers.Name("relu6ish")),
		layers.Dense(3, layers.Activation(activations.GELU(activations.Approximate(true))), layers.Name("g"), layers.InputShape(2)),
		layers.Input(13),
	} {
		raw, err := json.Marshal(l.Config())
		if err != nil {
			t.Fatal(err)
		}
		back, err := layers.FromConfig(l.ClassName(), raw)
		if err != nil {
			t.Fatalf("%s: %v", l.ClassName(), err)
		}
		raw2, _ := json.Marshal(back.Config())
		if string(raw) != string(raw2) {
			t.Errorf("%s: config %s came back as %s", l.ClassName(), raw, raw2)
		}
	}
	if _, err := layers.FromConfig("MyLayer", []byte("{}")); err == nil || !strings.Contains(err.Error(), "unknown layer type MyLayer: register it with layers.Register") {
		t.Errorf("unknown class error = %v", err)
	}
}

func ExampleDense() {
	l := layers.Dense(64, layers.Activation("relu"), layers.InputShape(13))
	out, err := l.Build(&layers.BuildContext{Dtype: tensor.Float32, Rand: rand.New(rand.NewSource(1))}, l.DeclaredInputShape())
	fmt.Println(layers.ShapeString(out), err)
	for _, v := range l.Variables() {
		fmt.Println(v.Shape())
	}
	// Output:
	// (None, 64) <nil>
	// [13 64]
	// [64]
}

func ones(n int) []float64 {
	o := make([]float64, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

func equalInts(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
