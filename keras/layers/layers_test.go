package layers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

func build(t *testing.T, l layers.Layer, name string, in ...[]int) {
	t.Helper()
	if _, err := layertest.Build(l, name, tensor.Float64, 3, in...); err != nil {
		t.Fatal(err)
	}
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
			build(t, c.layer, c.name, c.in)
			x := gradcheck.Rand(5, -1.5, 1.5, append([]int{c.batch}, c.in...)...)
			if m, err := layertest.Check(c.layer, backend.Train, gradcheck.Options{}, x); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

func TestDenseValues(t *testing.T) {
	l := layers.Dense(2, layers.Name("d"))
	build(t, l, "", []int{3})
	k, b := l.Variables()[0], l.Variables()[1]
	if !equalInts(k.Shape(), []int{3, 2}) || !equalInts(b.Shape(), []int{2}) || k.Name() != "d/kernel" || b.Name() != "d/bias" {
		t.Fatalf("weights %v %v", k, b)
	}
	_ = k.SetFloat64s([]float64{1, 2, 3, 4, 5, 6})
	_ = b.SetFloat64s([]float64{0.5, -1})
	x := gradcheck.FromSlice([]float64{1, 0, -1, 2, 1, 0}, 2, 3)
	got, _, err := layertest.Forward(l, backend.Predict, x)
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
	build(t, l, "", []int{1000})
	x := gradcheck.FromSlice(ones(4000), 4, 1000)
	got, _, err := layertest.Forward(l, backend.Train, x)
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
	got, _, err = layertest.Forward(l, backend.Predict, x)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if v != 1 {
			t.Fatal("dropout changed its input at inference")
		}
	}
}

// TestBuildErrors: invalid arguments are reported when the layer is
// built, as typed errors naming the argument.
func TestBuildErrors(t *testing.T) {
	option := func(kw string) func(error) bool {
		return func(err error) bool {
			var oe *kerrors.OptionError
			return errors.As(err, &oe) && oe.Option == kw
		}
	}
	shape := func(err error) bool { var se *kerrors.ShapeError; return errors.As(err, &se) }
	unknown := func(name string) func(error) bool {
		return func(err error) bool {
			var ue *kerrors.UnknownNameError
			return errors.As(err, &ue) && ue.Name == name && len(ue.Known) > 10
		}
	}
	cases := []struct {
		layer layers.Layer
		in    []int
		want  func(error) bool
	}{
		{layers.Dense(0), []int{3}, option("units")},
		{layers.Dense(1 << 40), []int{3}, func(err error) bool { return err != nil }},
		{layers.Dense(4, layers.Activation("rleu")), []int{3}, unknown("rleu")},
		{layers.Dense(4, layers.Activation(activations.ELU(activations.Alpha(math.NaN())))), []int{3}, func(err error) bool { return err != nil }},
		{layers.Dropout(1), []int{3}, option("rate")},
		{layers.Dropout(math.NaN()), []int{3}, option("rate")},
		{layers.Reshape([]int{4, -1}), []int{6}, shape},
		{layers.Reshape([]int{-1, -1}), []int{6}, option("target_shape")},
		{layers.Dense(2, layers.KernelInitializer("glorot")), []int{3}, unknown("glorot")},
		{layers.Dense(2, layers.KernelInitializer(42)), []int{3}, func(err error) bool { return err != nil }},
		{layers.Flatten(layers.InputShape(0, 3)), []int{3}, option("input_shape")},
		{layers.Dense(2, nil), []int{3}, func(err error) bool { return errors.Is(err, kerrors.ErrNil) }},
		{layers.Dense(2, layers.Common{}), []int{3}, func(err error) bool { return errors.Is(err, kerrors.ErrNil) }},
		{layers.Dense(2), []int{-1}, shape},
		{layers.Flatten(), []int{-1, 3}, shape},
	}
	for i, c := range cases {
		_, err := layertest.Build(c.layer, "l", tensor.Float64, 1, c.in)
		if err == nil || !c.want(err) {
			t.Errorf("case %d (%s): error = %v", i, c.layer.ClassName(), err)
		}
	}
	l := layers.Dense(2)
	build(t, l, "d", []int{3})
	if _, err := layertest.Build(l, "d", tensor.Float64, 1, []int{4}); !shape(err) {
		t.Errorf("rebuilding a layer for another input shape: %v, want a ShapeError", err)
	}
}

// TestDefaultNames: the names Keras 3 gives unnamed layers
// (keras.src.utils.naming.to_snake_case).
func TestDefaultNames(t *testing.T) {
	for class, want := range map[string]string{
		"Dense": "dense", "Conv2D": "conv2d", "Conv1D": "conv1d", "MaxPooling2D": "max_pooling2d",
		"BatchNormalization": "batch_normalization", "Conv2DTranspose": "conv2d_transpose",
		"GlobalAveragePooling1D": "global_average_pooling1d", "InputLayer": "input_layer",
		"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn", "TextVectorization": "text_vectorization",
		"DepthwiseConv2D": "depthwise_conv2d", "UpSampling2D": "up_sampling2d", "ZeroPadding2D": "zero_padding2d",
	} {
		if got := layers.DefaultName(class); got != want {
			t.Errorf("DefaultName(%s) = %s, want %s", class, got, want)
		}
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, l := range []layers.Layer{
		layers.Dense(7, layers.Activation("softmax"), layers.UseBias(false), layers.Name("out"), layers.InputShape(5)),
		layers.Dense(3, layers.KernelRegularizer("l2"), layers.ActivityRegularizer("l1"), layers.Trainable(false), layers.Name("reg")),
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
	_, err := layers.FromConfig("MyLayer", []byte("{}"))
	var ue *kerrors.UnknownNameError
	if !errors.As(err, &ue) || ue.Name != "MyLayer" || ue.Hint != "register it with layers.Register" {
		t.Errorf("unknown class error = %v", err)
	}
}

func ExampleDense() {
	l := layers.Dense(64, layers.Activation("relu"), layers.InputShape(13))
	out, err := l.Build(&layers.BuildContext{}, l.DeclaredInputShape())
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
