package layers_test

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// spatialCase is a layer of this family with an input shape, for the
// gradient checks and the float32 comparison. make returns a fresh layer
// each time (a layer is built once).
type spatialCase struct {
	name  string
	make  func() layers.Layer
	in    []int
	batch int
	mode  backend.Mode
	// noGrad lists weights that do not affect the output in mode (the
	// moving statistics in training).
	noGrad []int
}

var spatialCases = []spatialCase{
	{"conv2d_valid_relu", func() layers.Layer { return layers.Conv2D(3, [2]int{3, 2}, layers.Activation("relu")) }, []int{5, 4, 2}, 2, backend.Train, nil},
	{"conv2d_same_strides_sigmoid", func() layers.Layer {
		return layers.Conv2D(3, [2]int{3, 3}, layers.Padding("same"), layers.Strides(2, 1), layers.Activation("sigmoid"))
	}, []int{5, 4, 2}, 2, backend.Train, nil},
	{"conv2d_same_dilation", func() layers.Layer {
		return layers.Conv2D(2, [2]int{2, 3}, layers.Padding("same"), layers.DilationRate(2))
	}, []int{5, 5, 2}, 2, backend.Train, nil},
	{"conv2d_groups_no_bias", func() layers.Layer {
		return layers.Conv2D(4, [2]int{2, 2}, layers.Groups(2), layers.UseBias(false), layers.Activation("tanh"))
	}, []int{4, 4, 4}, 2, backend.Train, nil},
	{"conv2d_softmax", func() layers.Layer { return layers.Conv2D(3, [2]int{1, 1}, layers.Activation("softmax")) }, []int{2, 2, 2}, 2, backend.Train, nil},
	{"conv1d_causal_dilation_relu", func() layers.Layer {
		return layers.Conv1D(3, 3, layers.Padding("causal"), layers.DilationRate(2), layers.Activation("relu"))
	}, []int{7, 2}, 2, backend.Train, nil},
	{"conv1d_same_strides", func() layers.Layer { return layers.Conv1D(2, 3, layers.Padding("same"), layers.Strides(2)) }, []int{7, 3}, 2, backend.Train, nil},
	{"conv2d_transpose_valid_strides", func() layers.Layer { return layers.Conv2DTranspose(2, [2]int{3, 3}, layers.Strides(2)) }, []int{3, 2, 2}, 2, backend.Train, nil},
	{"conv2d_transpose_same_relu", func() layers.Layer {
		return layers.Conv2DTranspose(3, [2]int{3, 2}, layers.Strides(2, 1), layers.Padding("same"), layers.Activation("relu"))
	}, []int{3, 3, 2}, 2, backend.Train, nil},
	{"conv2d_transpose_output_padding", func() layers.Layer {
		return layers.Conv2DTranspose(2, [2]int{2, 2}, layers.Strides(3), layers.OutputPadding(2, 1))
	}, []int{2, 2, 2}, 1, backend.Train, nil},
	{"conv1d_transpose_same_dilation", func() layers.Layer {
		return layers.Conv1DTranspose(2, 3, layers.Padding("same"), layers.DilationRate(2))
	}, []int{5, 2}, 2, backend.Train, nil},
	{"depthwise_same_strides", func() layers.Layer {
		return layers.DepthwiseConv2D([2]int{3, 3}, layers.DepthMultiplier(2), layers.Strides(2), layers.Padding("same"))
	}, []int{5, 4, 2}, 2, backend.Train, nil},
	{"depthwise1d_relu", func() layers.Layer {
		return layers.DepthwiseConv1D(2, layers.DepthMultiplier(3), layers.Activation("relu"))
	}, []int{6, 2}, 2, backend.Train, nil},
	{"separable_valid_relu", func() layers.Layer {
		return layers.SeparableConv2D(3, [2]int{2, 2}, layers.DepthMultiplier(2), layers.Activation("relu"))
	}, []int{4, 4, 2}, 2, backend.Train, nil},
	{"separable_same_strides_no_bias", func() layers.Layer {
		return layers.SeparableConv2D(2, [2]int{3, 2}, layers.Strides(2), layers.Padding("same"), layers.UseBias(false))
	}, []int{5, 4, 3}, 2, backend.Train, nil},
	{"separable1d_dilation", func() layers.Layer {
		return layers.SeparableConv1D(2, 2, layers.DilationRate(2), layers.Padding("same"))
	}, []int{6, 2}, 2, backend.Train, nil},
	{"maxpool2d", func() layers.Layer { return layers.MaxPooling2D() }, []int{5, 4, 2}, 2, backend.Train, nil},
	{"maxpool2d_same_strides", func() layers.Layer {
		return layers.MaxPooling2D(layers.PoolSize(3), layers.Strides(2), layers.Padding("same"))
	}, []int{5, 4, 2}, 2, backend.Train, nil},
	{"avgpool2d_same", func() layers.Layer {
		return layers.AveragePooling2D(layers.PoolSize(3, 2), layers.Strides(2, 1), layers.Padding("same"))
	}, []int{5, 4, 2}, 2, backend.Train, nil},
	{"maxpool1d_same", func() layers.Layer { return layers.MaxPooling1D(layers.PoolSize(3), layers.Padding("same")) }, []int{7, 2}, 2, backend.Train, nil},
	{"avgpool1d", func() layers.Layer { return layers.AveragePooling1D(layers.Strides(1)) }, []int{5, 2}, 2, backend.Train, nil},
	{"global_avg2d_keepdims", func() layers.Layer { return layers.GlobalAveragePooling2D(layers.Keepdims(true)) }, []int{3, 4, 2}, 2, backend.Train, nil},
	{"global_max2d", func() layers.Layer { return layers.GlobalMaxPooling2D() }, []int{3, 4, 2}, 2, backend.Train, nil},
	{"global_avg1d", func() layers.Layer { return layers.GlobalAveragePooling1D() }, []int{5, 3}, 2, backend.Train, nil},
	{"global_max1d_keepdims", func() layers.Layer { return layers.GlobalMaxPooling1D(layers.Keepdims(true)) }, []int{5, 3}, 2, backend.Train, nil},
	{"zero_padding2d", func() layers.Layer { return layers.ZeroPadding2D([]int{1, 2, 0, 1}) }, []int{2, 3, 2}, 2, backend.Train, nil},
	{"zero_padding1d", func() layers.Layer { return layers.ZeroPadding1D(nil) }, []int{3, 2}, 2, backend.Train, nil},
	{"cropping2d", func() layers.Layer { return layers.Cropping2D([]int{1, 2}) }, []int{4, 5, 2}, 2, backend.Train, nil},
	{"cropping1d", func() layers.Layer { return layers.Cropping1D([]int{0, 2}) }, []int{5, 2}, 2, backend.Train, nil},
	{"upsampling2d_nearest", func() layers.Layer { return layers.UpSampling2D(layers.Size(2, 3)) }, []int{2, 2, 2}, 2, backend.Train, nil},
	{"upsampling2d_bilinear", func() layers.Layer {
		return layers.UpSampling2D(layers.Size(3, 2), layers.Interpolation("bilinear"))
	}, []int{2, 3, 2}, 2, backend.Train, nil},
	{"upsampling1d", func() layers.Layer { return layers.UpSampling1D(layers.Size(3)) }, []int{3, 2}, 2, backend.Train, nil},
	{"batchnorm_train", func() layers.Layer {
		return layers.BatchNormalization(layers.GammaInitializer("random_uniform"), layers.BetaInitializer("random_normal"))
	}, []int{3, 2, 3}, 3, backend.Train, []int{2, 3}},
	{"batchnorm_train_dense", func() layers.Layer { return layers.BatchNormalization() }, []int{4}, 5, backend.Train, []int{2, 3}},
	{"batchnorm_train_no_scale_no_center", func() layers.Layer {
		return layers.BatchNormalization(layers.Scale(false), layers.Center(false))
	}, []int{3, 2}, 3, backend.Train, []int{0, 1}},
	{"batchnorm_inference", func() layers.Layer {
		return layers.BatchNormalization(layers.MovingMeanInitializer("random_normal"), layers.MovingVarianceInitializer("ones"),
			layers.GammaInitializer("random_uniform"))
	}, []int{3, 2, 3}, 2, backend.Eval, []int{2, 3}},
	{"layernorm", func() layers.Layer {
		return layers.LayerNormalization(layers.GammaInitializer("random_uniform"), layers.BetaInitializer("random_normal"))
	}, []int{3, 5}, 2, backend.Train, nil},
	{"layernorm_no_center", func() layers.Layer { return layers.LayerNormalization(layers.Center(false)) }, []int{4}, 3, backend.Train, nil},
	{"spatial_dropout2d", func() layers.Layer { return layers.SpatialDropout2D(0.4, layers.Seed(2)) }, []int{3, 2, 4}, 3, backend.Train, nil},
	{"spatial_dropout1d", func() layers.Layer { return layers.SpatialDropout1D(0.3) }, []int{4, 5}, 3, backend.Train, nil},
	{"gaussian_noise", func() layers.Layer { return layers.GaussianNoise(0.5, layers.Seed(3)) }, []int{4, 3}, 2, backend.Train, nil},
	{"gaussian_dropout", func() layers.Layer { return layers.GaussianDropout(0.3) }, []int{4, 3}, 2, backend.Train, nil},
}

// TestSpatialLayerGradients checks every layer of this family against
// finite differences in float64, with respect to its input and every
// weight.
func TestSpatialLayerGradients(t *testing.T) {
	for _, c := range spatialCases {
		t.Run(c.name, func(t *testing.T) {
			l := c.make()
			build(t, l, c.name, c.in)
			x := gradcheck.Rand(5, -1.5, 1.5, append([]int{c.batch}, c.in...)...)
			opt := gradcheck.Options{NoGrad: make([]bool, 1+len(l.Variables()))}
			for _, i := range c.noGrad {
				opt.NoGrad[1+i] = true
			}
			if m, err := layertest.Check(l, c.mode, opt, x); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

// TestSpatialFloat32MatchesFloat64 runs every layer of the family in
// float32 and in float64 from the same weights and input, and compares
// the outputs and the gradients of a weighted sum of the output with
// respect to the input and the trainable weights.
func TestSpatialFloat32MatchesFloat64(t *testing.T) {
	for _, c := range spatialCases {
		t.Run(c.name, func(t *testing.T) {
			x := gradcheck.Rand(8, -1.5, 1.5, append([]int{c.batch}, c.in...)...)
			var outs [2][]float64
			var grads [2][][]float64
			for i, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				l := c.make()
				if _, err := layertest.Build(l, c.name, dt, 3, c.in); err != nil {
					t.Fatal(err)
				}
				outs[i], grads[i] = runDtype(t, l, dt, c.mode, x)
			}
			closeTo(t, "output", outs[1], outs[0], 2e-5)
			if len(grads[0]) != len(grads[1]) {
				t.Fatalf("%d vs %d gradients", len(grads[0]), len(grads[1]))
			}
			for i := range grads[0] {
				closeTo(t, "gradient "+itoa(i), grads[1][i], grads[0][i], 2e-5)
			}
		})
	}
}

// runDtype runs l's forward pass on x (converted to dt) in mode and
// returns the output and the gradients of sum(out * r), for a fixed r,
// with respect to x and the layer's trainable weights.
func runDtype(t *testing.T, l layers.Layer, dt tensor.Dtype, mode backend.Mode, x *tensor.Dense) ([]float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	s := backend.NewScope(g, mode, x.Shape()[0], dt)
	xv := convert(x, dt)
	xn := G.NewTensor(g, dt, xv.Dims(), G.WithShape(xv.Shape().Clone()...), G.WithName("x"), G.WithValue(xv))
	out, err := l.Forward(s, xn)
	if err != nil {
		t.Fatal(err)
	}
	r := gradcheck.Rand(11, -1, 1, out.Shape().Clone()...)
	rv := convert(r, dt)
	rn := G.NewTensor(g, dt, rv.Dims(), G.WithShape(rv.Shape().Clone()...), G.WithName("r"), G.WithValue(rv))
	cost, err := G.HadamardProd(out, rn)
	if err != nil {
		t.Fatal(err)
	}
	for cost.Dims() > 0 {
		if cost, err = G.Sum(cost, 0); err != nil {
			t.Fatal(err)
		}
	}
	wrt := G.Nodes{xn}
	for _, v := range l.Variables() {
		if !v.Trainable() {
			continue
		}
		n, err := s.Param(v)
		if err != nil {
			t.Fatal(err)
		}
		wrt = append(wrt, n)
	}
	gs, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	var outV G.Value
	G.Read(out, &outV)
	gv := make([]G.Value, len(gs))
	for i, gn := range gs {
		G.Read(gn, &gv[i])
	}
	s.FillNoise(rand.New(rand.NewSource(9)))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(gv))
	for i, v := range gv {
		res[i] = backend.ToFloat64s(v.Data())
	}
	return backend.ToFloat64s(outV.Data()), res
}

func convert(x *tensor.Dense, dt tensor.Dtype) *tensor.Dense {
	d := x.Data().([]float64)
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(append([]float64(nil), d...)))
	}
	f := make([]float32, len(d))
	for i, v := range d {
		f[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(x.Shape().Clone()...), tensor.WithBacking(f))
}

// closeTo fails unless every got[i] is within tol of want[i], relative to
// the largest |want| (at least 1).
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 1.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*scale) {
			t.Fatalf("%s[%d] = %.9g, want %.9g (difference %.3g, tolerance %.3g)", what, i, got[i], want[i], d, tol*scale)
		}
	}
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
