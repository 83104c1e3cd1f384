package layers_test

import (
	"fmt"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Keras's output-length formulas, written out here independently of the
// backend's helpers (keras/src/ops/operation_utils.py
// compute_conv_output_shape and compute_pooling_output_shape,
// keras/src/backend/common/backend_utils.py
// compute_conv_transpose_output_length). 0 means Keras rejects the
// shape (the output would be empty).
func kerasConvLen(n, k, s, d int, padding string) int {
	switch padding {
	case "same", "causal":
		return (n + s - 1) / s
	}
	span := d*(k-1) + 1
	if n < span {
		return 0
	}
	return (n-span)/s + 1
}

func kerasPoolLen(n, k, s int, padding string) int {
	if padding == "same" {
		return (n-1)/s + 1
	}
	if n < k {
		return 0
	}
	return (n-k)/s + 1
}

// op < 0 is Keras's output_padding=None.
func kerasTransposeLen(n, k, s, d int, padding string, op int) int {
	ke := k + (k-1)*(d-1)
	if op < 0 {
		if padding == "valid" {
			return n*s + max(ke-s, 0)
		}
		return n * s
	}
	pad := 0
	if padding == "same" {
		pad = ke / 2
	}
	return (n-1)*s + ke - 2*pad + op
}

// shapeCase builds l for one sample of shape in and checks its output
// shape, and the shape its forward pass really produces, against want
// (nil: building must fail with a ShapeError).
func shapeCase(t *testing.T, label string, l layers.Layer, in, want []int) {
	t.Helper()
	out, err := layertest.Build(l, "l", tensor.Float64, 1, in)
	if want == nil {
		var se *kerrors.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("%s on %v: error %v, want a ShapeError (the kernel does not fit)", label, in, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s on %v: %v", label, in, err)
		return
	}
	if !equalInts(out[0], want) {
		t.Errorf("%s on %v: built output %v, Keras's formula %v", label, in, out[0], want)
		return
	}
	x := gradcheck.Rand(3, -1, 1, append([]int{1}, in...)...)
	_, shape, err := layertest.Forward(l, backend.Predict, x)
	if err != nil {
		t.Errorf("%s on %v: forward: %v", label, in, err)
		return
	}
	if !equalInts(shape, append([]int{1}, want...)) {
		t.Errorf("%s on %v: forward output %v, built %v", label, in, shape, want)
	}
}

// strideDilation are the (stride, dilation) pairs of the table: Keras
// rejects both above 1.
var strideDilation = [][2]int{{1, 1}, {2, 1}, {3, 1}, {1, 2}, {1, 3}}

// TestConvOutputShapes checks, for every padding, stride and dilation
// over a range of sizes, that each convolution and pooling layer builds
// the output shape Keras's formulas give, and that its forward pass
// produces that shape; a kernel or pool larger than the input (padding
// "valid") must fail with a ShapeError.
func TestConvOutputShapes(t *testing.T) {
	cases := 0
	for n := 1; n <= 8; n++ {
		for k := 1; k <= 4; k++ {
			for _, sd := range strideDilation {
				s, d := sd[0], sd[1]
				m, k2 := 9-n, 5-k // the second axis gets other sizes
				for _, pad := range []string{"valid", "same", "causal"} {
					label := fmt.Sprintf("n=%d k=%d s=%d d=%d %s", n, k, s, d, pad)
					var want []int
					if L := kerasConvLen(n, k, s, d, pad); L > 0 {
						want = []int{L, 2}
					}
					shapeCase(t, "Conv1D "+label, layers.Conv1D(2, k, layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)), []int{n, 3}, want)
					cases++
					if pad == "causal" {
						continue
					}
					want = nil
					r, c := kerasConvLen(n, k, s, d, pad), kerasConvLen(m, k2, s, d, pad)
					if r > 0 && c > 0 {
						want = []int{r, c, 2}
					}
					shapeCase(t, "Conv2D "+label, layers.Conv2D(2, [2]int{k, k2}, layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)), []int{n, m, 2}, want)
					if want != nil {
						want[2] = 6
					}
					shapeCase(t, "DepthwiseConv2D "+label, layers.DepthwiseConv2D([2]int{k, k2}, layers.DepthMultiplier(3), layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)), []int{n, m, 2}, want)
					if want != nil {
						want[2] = 4
					}
					shapeCase(t, "SeparableConv2D "+label, layers.SeparableConv2D(4, [2]int{k, k2}, layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)), []int{n, m, 2}, want)
					want = nil
					if L := kerasConvLen(n, k, s, d, pad); L > 0 {
						want = []int{L, 2 * 2}
					}
					shapeCase(t, "DepthwiseConv1D "+label, layers.DepthwiseConv1D(k, layers.DepthMultiplier(2), layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)), []int{n, 2}, want)
					cases += 4
					if d == 1 {
						want = nil
						r, c := kerasPoolLen(n, k, s, pad), kerasPoolLen(m, k2, s, pad)
						if r > 0 && c > 0 {
							want = []int{r, c, 3}
						}
						shapeCase(t, "MaxPooling2D "+label, layers.MaxPooling2D(layers.PoolSize(k, k2), layers.Strides(s), layers.Padding(pad)), []int{n, m, 3}, want)
						shapeCase(t, "AveragePooling2D "+label, layers.AveragePooling2D(layers.PoolSize(k, k2), layers.Strides(s), layers.Padding(pad)), []int{n, m, 3}, want)
						want = nil
						if L := kerasPoolLen(n, k, s, pad); L > 0 {
							want = []int{L, 3}
						}
						shapeCase(t, "MaxPooling1D "+label, layers.MaxPooling1D(layers.PoolSize(k), layers.Strides(s), layers.Padding(pad)), []int{n, 3}, want)
						shapeCase(t, "AveragePooling1D "+label, layers.AveragePooling1D(layers.PoolSize(k), layers.Strides(s), layers.Padding(pad)), []int{n, 3}, want)
						cases += 4
					}
					for op := -1; op < s; op++ {
						opts := []layers.ConvTransposeOption{layers.Strides(s), layers.DilationRate(d), layers.Padding(pad)}
						if op >= 0 {
							opts = append(opts, layers.OutputPadding(op))
						}
						olabel := fmt.Sprintf("%s output_padding=%d", label, op)
						want := []int{kerasTransposeLen(n, k, s, d, pad, op), kerasTransposeLen(m, k2, s, d, pad, op), 2}
						if want[0] < 1 || want[1] < 1 {
							continue // Keras's formula gives an empty output; not a shape Keras builds
						}
						shapeCase(t, "Conv2DTranspose "+olabel, layers.Conv2DTranspose(2, [2]int{k, k2}, opts...), []int{n, m, 3}, want)
						shapeCase(t, "Conv1DTranspose "+olabel, layers.Conv1DTranspose(2, k, opts...), []int{n, 3}, []int{want[0], 2})
						cases += 2
					}
				}
			}
		}
	}
	t.Logf("%d shape cases", cases)
}

// TestDefaultPoolStrides: pooling strides default to the pool size, as in
// Keras.
func TestDefaultPoolStrides(t *testing.T) {
	p := layers.MaxPooling2D(layers.PoolSize(3, 2))
	if !equalInts(p.Strides(), []int{3, 2}) || !equalInts(layers.MaxPooling2D().PoolSize(), []int{2, 2}) || !equalInts(layers.AveragePooling1D().Strides(), []int{2}) {
		t.Errorf("strides %v, default pool %v", p.Strides(), layers.MaxPooling2D().PoolSize())
	}
	shapeCase(t, "MaxPooling2D default", layers.MaxPooling2D(), []int{28, 28, 1}, []int{14, 14, 1})
	shapeCase(t, "MaxPooling2D (3,2)", p, []int{10, 9, 1}, []int{3, 4, 1})
}

// TestConvHandWorked checks convolutions worked out by hand.
func TestConvHandWorked(t *testing.T) {
	// One 3x3 image, one channel:
	//   1 2 3
	//   4 5 6
	//   7 8 9
	// kernel (2, 2, 1, 1) [[1, 0], [-1, 2]], bias 0.5, padding "valid":
	//   out[0][0] = 1*1 + 2*0 + 4*-1 + 5*2 + 0.5 = 7.5
	//   out[0][1] = 2 - 5 + 12 + 0.5 = 9.5
	//   out[1][0] = 4 - 7 + 16 + 0.5 = 13.5
	//   out[1][1] = 5 - 8 + 18 + 0.5 = 15.5
	img := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	c := layers.Conv2D(1, [2]int{2, 2})
	build(t, c, "c", []int{3, 3, 1})
	setWeights(t, c, []float64{1, 0, -1, 2}, []float64{0.5})
	got, shape, err := layertest.Forward(c, backend.Predict, gradcheck.FromSlice(img, 1, 3, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "valid 2x2", got, shape, []float64{7.5, 9.5, 13.5, 15.5}, []int{1, 2, 2, 1})

	// "same" with strides 2 and a 3x3 kernel of ones on the 3x3 image:
	// ceil(3/2) = 2 outputs per axis, total padding (2-1)*2 + 3 - 3 = 2,
	// one cell before and one after. Windows centred on (0,0), (0,2),
	// (2,0), (2,2): 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24,
	// 5+6+8+9 = 28; bias -20 and relu give 0, 0, 4, 8.
	c2 := layers.Conv2D(1, [2]int{3, 3}, layers.Padding("same"), layers.Strides(2), layers.Activation("relu"))
	build(t, c2, "c2", []int{3, 3, 1})
	setWeights(t, c2, ones(9), []float64{-20})
	got, shape, err = layertest.Forward(c2, backend.Predict, gradcheck.FromSlice(img, 1, 3, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "same strides 2 relu", got, shape, []float64{0, 0, 4, 8}, []int{1, 2, 2, 1})

	// Two channels in, two filters out, 1x1 kernel: a per-pixel matrix
	// product. Pixel (1, 2) -> (1*1 + 2*3, 1*2 + 2*4) = (7, 10);
	// pixel (3, 4) -> (15, 22).
	c3 := layers.Conv2D(2, [2]int{1, 1}, layers.UseBias(false))
	build(t, c3, "c3", []int{1, 2, 2})
	setWeights(t, c3, []float64{1, 2, 3, 4})
	got, shape, err = layertest.Forward(c3, backend.Predict, gradcheck.FromSlice([]float64{1, 2, 3, 4}, 1, 1, 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "1x1", got, shape, []float64{7, 10, 15, 22}, []int{1, 1, 2, 2})

	// Conv1D causal, kernel 2 [1, 10], dilation 2 on [1 2 3 4]: two zeros
	// before; out[t] = x[t-2]*1 + x[t]*10 = 10, 20, 31, 42.
	c4 := layers.Conv1D(1, 2, layers.Padding("causal"), layers.DilationRate(2), layers.UseBias(false))
	build(t, c4, "c4", []int{4, 1})
	setWeights(t, c4, []float64{1, 10})
	got, shape, err = layertest.Forward(c4, backend.Predict, gradcheck.FromSlice([]float64{1, 2, 3, 4}, 1, 4, 1))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "causal", got, shape, []float64{10, 20, 31, 42}, []int{1, 4, 1})

	// Conv2DTranspose, strides 2, kernel 2x2 [[1, 2], [3, 4]], one
	// channel, on the 1x2 image [1 10], padding "valid": each input cell
	// stamps value*kernel into its own 2x2 block: [[1 2 10 20] [3 4 30 40]].
	c5 := layers.Conv2DTranspose(1, [2]int{2, 2}, layers.Strides(2), layers.UseBias(false))
	build(t, c5, "c5", []int{1, 2, 1})
	setWeights(t, c5, []float64{1, 2, 3, 4})
	got, shape, err = layertest.Forward(c5, backend.Predict, gradcheck.FromSlice([]float64{1, 10}, 1, 1, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, "transpose", got, shape, []float64{1, 2, 10, 20, 3, 4, 30, 40}, []int{1, 2, 4, 1})
}

// setWeights sets a built float64 layer's weights in order.
func setWeights(t *testing.T, l layers.Layer, values ...[]float64) {
	t.Helper()
	vars := l.Variables()
	if len(vars) != len(values) {
		t.Fatalf("%s has %d weights, %d given", l.Name(), len(vars), len(values))
	}
	for i, v := range vars {
		if err := v.SetFloat64s(values[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func expect(t *testing.T, what string, got []float64, shape tensor.Shape, want []float64, wantShape []int) {
	t.Helper()
	if !equalInts(shape, wantShape) {
		t.Fatalf("%s: shape %v, want %v", what, shape, wantShape)
	}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}

// TestConvWeights: weight names, shapes and order as in Keras.
func TestConvWeights(t *testing.T) {
	cases := []struct {
		l     layers.Layer
		in    []int
		names string
		shape string
	}{
		{layers.Conv2D(8, [2]int{3, 2}), []int{9, 9, 4}, "[kernel bias]", "[[3 2 4 8] [8]]"},
		{layers.Conv2D(8, [2]int{3, 3}, layers.Groups(2), layers.UseBias(false)), []int{9, 9, 4}, "[kernel]", "[[3 3 2 8]]"},
		{layers.Conv1D(5, 3), []int{10, 2}, "[kernel bias]", "[[3 2 5] [5]]"},
		{layers.Conv2DTranspose(6, [2]int{3, 3}), []int{4, 4, 2}, "[kernel bias]", "[[3 3 6 2] [6]]"},
		{layers.Conv1DTranspose(6, 3), []int{4, 2}, "[kernel bias]", "[[3 6 2] [6]]"},
		{layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(2)), []int{5, 5, 3}, "[kernel bias]", "[[3 3 3 2] [6]]"},
		{layers.DepthwiseConv1D(3), []int{5, 3}, "[kernel bias]", "[[3 3 1] [3]]"},
		{layers.SeparableConv2D(7, [2]int{3, 3}, layers.DepthMultiplier(2)), []int{5, 5, 3}, "[depthwise_kernel pointwise_kernel bias]", "[[3 3 3 2] [1 1 6 7] [7]]"},
		{layers.SeparableConv1D(7, 2), []int{5, 3}, "[depthwise_kernel pointwise_kernel bias]", "[[2 3 1] [1 3 7] [7]]"},
		{layers.BatchNormalization(), []int{4, 4, 3}, "[gamma beta moving_mean moving_variance]", "[[3] [3] [3] [3]]"},
		{layers.BatchNormalization(layers.Scale(false)), []int{3}, "[beta moving_mean moving_variance]", "[[3] [3] [3]]"},
		{layers.LayerNormalization(layers.Center(false)), []int{2, 5}, "[gamma]", "[[5]]"},
	}
	for _, c := range cases {
		build(t, c.l, "l", c.in)
		var shapes [][]int
		for _, v := range c.l.Variables() {
			shapes = append(shapes, v.Shape())
		}
		if names := fmt.Sprint(c.l.LayerBase().WeightNames()); names != c.names || fmt.Sprint(shapes) != c.shape {
			t.Errorf("%s: weights %s %v, want %s %s", c.l.ClassName(), names, shapes, c.names, c.shape)
		}
	}
	bn := layers.BatchNormalization()
	build(t, bn, "bn", []int{3})
	for i, v := range bn.Variables() {
		if v.Trainable() != (i < 2) {
			t.Errorf("BatchNormalization weight %d trainable = %v", i, v.Trainable())
		}
	}
}

// TestConvBuildErrors: bad arguments and inputs give errors naming the
// layer and the argument at build time, never a panic.
func TestConvBuildErrors(t *testing.T) {
	option := func(kw string) func(error) bool {
		return func(err error) bool {
			var oe *kerrors.OptionError
			return errors.As(err, &oe) && oe.Option == kw
		}
	}
	shape := func(err error) bool { var se *kerrors.ShapeError; return errors.As(err, &se) }
	cases := []struct {
		l    layers.Layer
		in   []int
		want func(error) bool
	}{
		{layers.Conv2D(0, [2]int{3, 3}), []int{8, 8, 1}, option("filters")},
		{layers.Conv2D(-4, [2]int{3, 3}), []int{8, 8, 1}, option("filters")},
		{layers.Conv2D(4, [2]int{0, 3}), []int{8, 8, 1}, option("kernel_size")},
		{layers.Conv1D(4, -1), []int{8, 1}, option("kernel_size")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Strides(0)), []int{8, 8, 1}, option("strides")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Strides(-1, 1)), []int{8, 8, 1}, option("strides")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Strides(1, 2, 3)), []int{8, 8, 1}, option("strides")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Strides()), []int{8, 8, 1}, option("strides")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Strides(2), layers.DilationRate(1, 2)), []int{8, 8, 1}, option("strides")},
		{layers.Conv1D(4, 3, layers.Strides(2), layers.DilationRate(2)), []int{8, 1}, option("strides")},
		{layers.DepthwiseConv2D([2]int{3, 3}, layers.Strides(2), layers.DilationRate(2)), []int{8, 8, 1}, option("strides")},
		{layers.Conv2DTranspose(4, [2]int{3, 3}, layers.Strides(2), layers.DilationRate(2)), []int{8, 8, 1}, option("strides")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.DilationRate(0)), []int{8, 8, 1}, option("dilation_rate")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Padding("full")), []int{8, 8, 1}, option("padding")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Padding("causal")), []int{8, 8, 1}, option("padding")},
		{layers.DepthwiseConv1D(3, layers.Padding("causal")), []int{8, 1}, option("padding")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.DataFormat("channels_first")), []int{1, 8, 8}, option("data_format")},
		{layers.MaxPooling2D(layers.DataFormat("channels_first")), []int{1, 8, 8}, option("data_format")},
		{layers.Conv2D(6, [2]int{3, 3}, layers.Groups(4)), []int{8, 8, 4}, option("groups")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Groups(0)), []int{8, 8, 4}, option("groups")},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Groups(4)), []int{8, 8, 6}, shape},
		{layers.Conv2D(4, [2]int{3, 3}), []int{28, 28}, shape},
		{layers.Conv2D(4, [2]int{3, 3}), []int{784}, shape},
		{layers.Conv2D(4, [2]int{3, 3}), []int{8, 8, -1}, shape},
		{layers.Conv1D(4, 3), []int{8, 8, 1}, shape},
		{layers.Conv2D(4, [2]int{5, 5}), []int{4, 8, 1}, shape},
		{layers.Conv2D(4, [2]int{3, 3}, layers.DilationRate(3)), []int{6, 8, 1}, shape},
		{layers.Conv1D(4, 9), []int{8, 1}, shape},
		{layers.SeparableConv2D(4, [2]int{9, 1}), []int{8, 8, 1}, shape},
		{layers.DepthwiseConv2D([2]int{3, 9}), []int{8, 8, 1}, shape},
		{layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(0)), []int{8, 8, 1}, option("depth_multiplier")},
		{layers.DepthwiseConv2D([2]int{3, 3}, layers.KernelInitializer("zeros")), []int{8, 8, 1}, option("kernel_initializer")},
		{layers.SeparableConv2D(2, [2]int{3, 3}, layers.KernelRegularizer("l2")), []int{8, 8, 1}, option("kernel_regularizer")},
		{layers.Conv2DTranspose(4, [2]int{3, 3}, layers.Strides(2), layers.OutputPadding(2)), []int{8, 8, 1}, option("output_padding")},
		{layers.Conv2DTranspose(4, [2]int{3, 3}, layers.OutputPadding(-1)), []int{8, 8, 1}, option("output_padding")},
		{layers.Conv2DTranspose(4, [2]int{3, 3}), []int{8, 8}, shape},
		{layers.MaxPooling2D(layers.PoolSize(3)), []int{2, 8, 1}, shape},
		{layers.MaxPooling2D(layers.PoolSize(0)), []int{8, 8, 1}, option("pool_size")},
		{layers.AveragePooling1D(layers.PoolSize(2), layers.Strides(-2)), []int{8, 1}, option("strides")},
		{layers.MaxPooling1D(layers.Padding("causal")), []int{8, 1}, option("padding")},
		{layers.MaxPooling2D(), []int{8, 8}, shape},
		{layers.GlobalAveragePooling2D(), []int{8, 3}, shape},
		{layers.GlobalMaxPooling1D(), []int{8, 8, 3}, shape},
		{layers.ZeroPadding2D([]int{-1}), []int{8, 8, 3}, option("padding")},
		{layers.ZeroPadding2D([]int{1, 2, 3}), []int{8, 8, 3}, option("padding")},
		{layers.Cropping2D([]int{4, 4, 0, 0}), []int{8, 8, 3}, shape},
		{layers.Cropping1D([]int{3}), []int{6, 3}, shape},
		{layers.UpSampling2D(layers.Size(0)), []int{8, 8, 3}, option("size")},
		{layers.UpSampling2D(layers.Interpolation("bicubic")), []int{8, 8, 3}, option("interpolation")},
		{layers.UpSampling1D(layers.Interpolation("bilinear")), []int{8, 3}, option("interpolation")},
		{layers.UpSampling2D(), []int{8, 3}, shape},
		{layers.BatchNormalization(layers.Momentum(1.5)), []int{3}, option("momentum")},
		{layers.BatchNormalization(layers.Epsilon(-1)), []int{3}, option("epsilon")},
		{layers.BatchNormalization(layers.Axis(1)), []int{4, 3}, option("axis")},
		{layers.BatchNormalization(), []int{-1}, shape},
		{layers.LayerNormalization(layers.Axis(-2)), []int{4, 3}, option("axis")},
		{layers.LayerNormalization(layers.GammaInitializer("nope")), []int{3}, func(err error) bool {
			var ue *kerrors.UnknownNameError
			return errors.As(err, &ue) && ue.Name == "nope"
		}},
		{layers.SpatialDropout2D(1), []int{4, 4, 3}, option("rate")},
		{layers.SpatialDropout2D(0.1), []int{4, 3}, shape},
		{layers.SpatialDropout1D(0.1, layers.DataFormat("channels_last")), []int{4, 3}, option("data_format")},
		{layers.GaussianNoise(-0.1), []int{3}, option("stddev")},
		{layers.GaussianDropout(1), []int{3}, option("rate")},
		{layers.Conv2D(4, [2]int{3, 3}, nil), []int{8, 8, 1}, func(err error) bool { return errors.Is(err, kerrors.ErrNil) }},
		{layers.Conv2D(4, [2]int{3, 3}, layers.Activation("rleu")), []int{8, 8, 1}, func(err error) bool {
			var ue *kerrors.UnknownNameError
			return errors.As(err, &ue) && ue.Name == "rleu"
		}},
		{layers.Conv2D(1<<20, [2]int{1 << 12, 1 << 12}), []int{1 << 12, 1 << 12, 1}, func(err error) bool { return err != nil }},
	}
	for i, c := range cases {
		_, err := layertest.Build(c.l, "lay", tensor.Float64, 1, c.in)
		if err == nil || !c.want(err) {
			t.Errorf("case %d (%s on %v): error = %v", i, c.l.ClassName(), c.in, err)
			continue
		}
		if msg := err.Error(); !contains(msg, "lay") {
			t.Errorf("case %d (%s): the error does not name the layer: %v", i, c.l.ClassName(), err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
