package backend

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

type convCase struct {
	name      string
	xs, ks    []int
	p         ConvParams
	depthwise bool
}

func cp(s, d [2]int, pad [4]int, groups int) ConvParams {
	return ConvParams{Strides: s, Dilation: d, Padding: pad, Groups: groups}
}

var one = [2]int{1, 1}

// convCases cover odd sizes, strides 1/2/3, dilation 2, "same" padding
// with odd totals, groups 1 and more, non-square kernels, batch 1 and 3,
// the pointwise (pure GEMM) path and the direct depthwise path.
var convCases = []convCase{
	{"3x3_valid", []int{1, 5, 5, 1}, []int{3, 3, 1, 1}, cp(one, one, [4]int{}, 1), false},
	{"2x3_same_odd_stride21", []int{3, 5, 7, 2}, []int{2, 3, 2, 3}, cp([2]int{2, 1}, one, [4]int{0, 1, 1, 1}, 1), false},
	{"3x3_stride3_valid", []int{2, 8, 7, 3}, []int{3, 3, 3, 2}, cp([2]int{3, 3}, one, [4]int{}, 1), false},
	{"3x2_dilation2_same", []int{1, 7, 6, 2}, []int{3, 2, 2, 3}, cp(one, [2]int{2, 2}, [4]int{2, 2, 0, 1}, 1), false},
	{"dilation_21", []int{3, 6, 5, 2}, []int{2, 2, 2, 2}, cp(one, [2]int{2, 1}, [4]int{}, 1), false},
	{"groups2_stride2_pad", []int{3, 6, 5, 4}, []int{3, 3, 2, 6}, cp([2]int{2, 2}, one, [4]int{1, 1, 1, 1}, 2), false},
	{"groups3_cg1", []int{2, 5, 5, 3}, []int{2, 2, 1, 6}, cp(one, one, [4]int{0, 1, 0, 1}, 3), false},
	{"pointwise", []int{3, 4, 3, 5}, []int{1, 1, 5, 4}, cp(one, one, [4]int{}, 1), false},
	{"pointwise_groups", []int{2, 3, 3, 4}, []int{1, 1, 2, 6}, cp(one, one, [4]int{}, 2), false},
	{"1x1_stride2", []int{2, 5, 5, 3}, []int{1, 1, 3, 2}, cp([2]int{2, 2}, one, [4]int{}, 1), false},
	{"padding_beyond_kernel", []int{1, 3, 4, 2}, []int{2, 2, 2, 2}, cp(one, one, [4]int{3, 2, 0, 3}, 1), false},
	{"conv1d_causal_stride2", []int{3, 9, 3}, []int{3, 3, 4}, cp([2]int{1, 2}, one, [4]int{0, 0, 2, 0}, 1), false},
	{"conv1d_dilation2_groups", []int{2, 10, 4}, []int{3, 2, 2}, cp(one, [2]int{1, 2}, [4]int{0, 0, 2, 2}, 2), false},
	{"depthwise_m2_same", []int{2, 5, 6, 3}, []int{3, 2, 3, 2}, cp(one, one, [4]int{1, 1, 0, 1}, 1), true},
	{"depthwise_m1_stride2", []int{3, 7, 5, 2}, []int{3, 3, 2, 1}, cp([2]int{2, 2}, one, [4]int{1, 1, 1, 1}, 1), true},
	{"depthwise_dilation2", []int{1, 7, 7, 2}, []int{2, 3, 2, 2}, cp(one, [2]int{2, 2}, [4]int{}, 1), true},
	{"depthwise1d", []int{2, 8, 3}, []int{3, 3, 2}, cp(one, one, [4]int{0, 0, 1, 1}, 1), true},
}

// build applies the case to in: x, kernel and, when given, a bias.
func (c convCase) build(in G.Nodes) (*G.Node, error) {
	var bias *G.Node
	if len(in) > 2 {
		bias = in[2]
	}
	if len(c.xs) == 3 {
		p := Conv1DParams{Stride: c.p.Strides[1], Dilation: c.p.Dilation[1], Padding: [2]int{c.p.Padding[2], c.p.Padding[3]}, Groups: c.p.Groups, Relu: c.p.Relu}
		if c.depthwise {
			return DepthwiseConv1D(in[0], in[1], bias, p)
		}
		return Conv1D(in[0], in[1], bias, p)
	}
	if c.depthwise {
		return DepthwiseConv2D(in[0], in[1], bias, c.p)
	}
	return Conv2D(in[0], in[1], bias, c.p)
}

// outChannels is the number of output channels of the case.
func (c convCase) outChannels() int {
	k := c.ks[len(c.ks)-1]
	if c.depthwise {
		return k * c.xs[len(c.xs)-1]
	}
	return k
}

func (c convCase) inputs() []*tensor.Dense {
	return []*tensor.Dense{randTensor(11, c.xs...), randTensor(12, c.ks...)}
}

func (c convCase) inputsWithBias() []*tensor.Dense {
	return append(c.inputs(), randTensor(13, c.outChannels()))
}

// TestConvMatchesDefinition compares every case, without and with a
// bias, with naiveConv: the output and the gradients for a random output
// weighting, with the default blocking and with one-row blocks on several
// goroutines, in float64 (tight) and float32 (loose).
func TestConvMatchesDefinition(t *testing.T) {
	for _, c := range convCases {
		for _, v := range []struct {
			suffix     string
			bias, relu bool
		}{{"", false, false}, {"_bias", true, false}, {"_bias_relu", true, true}, {"_relu", false, true}} {
			t.Run(c.name+v.suffix, func(t *testing.T) {
				c := c
				c.p.Relu = v.relu
				testConvCase(t, c, v.bias)
			})
		}
	}
}

func testConvCase(t *testing.T, c convCase, withBias bool) {
	in := c.inputs()
	if withBias {
		in = c.inputsWithBias()
	}
	var r []float64
	var want, wantDx, wantDk, wantDb []float64
	run := func(dt tensor.Dtype, tol float64, label string) {
		got, shape, grads := evalGraph(t, dt, c.build, in, nil, 5)
		if r == nil {
			r = f64s(gradcheck.Rand(5, -1, 1, shape...))
			f := c.outChannels()
			pre, _, _, _ := naiveConv(c.xs, c.ks, c.p, c.depthwise, f64s(in[0]), f64s(in[1]), nil)
			if withBias {
				for i := range pre {
					pre[i] += f64s(in[2])[i%f]
				}
			}
			// The output weighting seen before the activation.
			rp := append([]float64(nil), r...)
			for i := range pre {
				if c.p.Relu && pre[i] <= 0 {
					pre[i], rp[i] = 0, 0
				}
			}
			want = pre
			_, _, wantDx, wantDk = naiveConv(c.xs, c.ks, c.p, c.depthwise, f64s(in[0]), f64s(in[1]), rp)
			wantDb = make([]float64, f)
			for i := range rp {
				wantDb[i%f] += rp[i]
			}
		}
		assertClose(t, label+" output", got, want, tol, tol)
		assertClose(t, label+" dx", grads[0], wantDx, tol, tol)
		assertClose(t, label+" dkernel", grads[1], wantDk, tol, tol)
		if withBias {
			assertClose(t, label+" dbias", grads[2], wantDb, tol, tol)
		}
	}
	run(tensor.Float64, 1e-12, "float64")
	run(tensor.Float32, 2e-5, "float32")
	withForcedSplit(func() {
		run(tensor.Float64, 1e-12, "float64 split")
		run(tensor.Float32, 2e-5, "float32 split")
	})
}

// TestConvGradients checks every case against finite differences, every
// other one with a bias, every third with the fused relu.
func TestConvGradients(t *testing.T) {
	for i, c := range convCases {
		t.Run(c.name, func(t *testing.T) {
			in := c.inputs()
			if i%2 == 1 {
				in = c.inputsWithBias()
			}
			c.p.Relu = i%3 == 2
			if m, err := gradcheck.Check(builder(c.build).check(), in, gradcheck.Options{}); err != nil {
				t.Fatalf("%v (worst %+v)", err, m)
			}
		})
	}
}

// TestConvShapes checks output shapes against Keras's rules.
func TestConvShapes(t *testing.T) {
	cases := []struct {
		c    convCase
		want tensor.Shape
	}{
		{convCases[0], tensor.Shape{1, 3, 3, 1}},
		{convCases[1], tensor.Shape{3, 3, 7, 3}}, // same: ceil(5/2)=3, 7
		{convCases[2], tensor.Shape{2, 2, 2, 2}},
		{convCases[11], tensor.Shape{3, 5, 4}}, // causal stride 2: ceil(9/2)
		{convCases[13], tensor.Shape{2, 5, 6, 6}},
	}
	for _, tc := range cases {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float64, len(tc.c.xs), G.WithShape(tc.c.xs...), G.WithName("x"))
		k := G.NewTensor(g, tensor.Float64, len(tc.c.ks), G.WithShape(tc.c.ks...), G.WithName("k"))
		y, err := tc.c.build(G.Nodes{x, k})
		if err != nil {
			t.Fatalf("%s: %v", tc.c.name, err)
		}
		if !y.Shape().Eq(tc.want) || y.Dims() != len(tc.want) {
			t.Errorf("%s: shape %v, want %v", tc.c.name, y.Shape(), tc.want)
		}
	}
}

// TestConvByHand is a 1x3x3x1 input and a 2x2 kernel worked by hand:
//
//	x = 1 2 3    k = 1 0    y = 1*1+5*2 = 11   2+6*2 = 14
//	    4 5 6        0 2        4+8*2   = 20   5+9*2 = 23
//	    7 8 9
//
// and the gradients of sum(y): dk[i][j] = sum of the 2x2 window of x at
// offset (i, j) = 12 16 / 24 28; dx = how many windows use each cell times
// the kernel tap: 1 1 0 / 1 3 2 / 0 2 2.
func TestConvByHand(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1)
	k := gradcheck.FromSlice([]float64{1, 0, 0, 2}, 2, 2, 1, 1)
	f := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		return Conv2D(in[0], in[1], nil, cp(one, one, [4]int{}, 1))
	}
	got, shape, err := gradcheck.Forward(f, []*tensor.Dense{x, k})
	if err != nil {
		t.Fatal(err)
	}
	if !shape.Eq(tensor.Shape{1, 2, 2, 1}) || !equalF(got, []float64{11, 14, 20, 23}) {
		t.Errorf("conv = %v %v, want (1,2,2,1) [11 14 20 23]", shape, got)
	}
	grads, err := gradcheck.Gradient(f, []*tensor.Dense{x, k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 1, 0, 1, 3, 2, 0, 2, 2}; !equalF(grads[0], want) {
		t.Errorf("dx = %v, want %v", grads[0], want)
	}
	if want := []float64{12, 16, 24, 28}; !equalF(grads[1], want) {
		t.Errorf("dk = %v, want %v", grads[1], want)
	}
}

func equalF(a, b []float64) bool {
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

// TestConvSecondOrder differentiates the kernel-gradient op (built
// directly), whose gradient is made of the other two convolution ops.
func TestConvSecondOrder(t *testing.T) {
	for _, c := range []convCase{convCases[1], convCases[5], convCases[13]} {
		t.Run(c.name, func(t *testing.T) {
			g, err := newConvGeom("test", c.xs, c.ks, c.p, c.depthwise)
			if err != nil {
				t.Fatal(err)
			}
			f := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
				return G.ApplyOp(newConvOp(convKernGrad, g), in[0], in[1])
			}
			in := []*tensor.Dense{randTensor(3, c.xs...), randTensor(4, g.yShape()...)}
			if m, err := gradcheck.Check(f, in, gradcheck.Options{}); err != nil {
				t.Fatalf("%v (worst %+v)", err, m)
			}
		})
	}
}

// TestConvBadInput: every bad argument gives an error naming it, no panic.
func TestConvBadInput(t *testing.T) {
	valid := cp(one, one, [4]int{}, 1)
	cases := []struct {
		name   string
		xs, ks []int
		dt     tensor.Dtype
		p      ConvParams
		fn     string // "2d", "1d", "dw"
		want   string
	}{
		{"kernel larger than input", []int{1, 2, 2, 1}, []int{3, 3, 1, 1}, tensor.Float64, valid, "2d", "does not fit"},
		{"kernel larger with dilation", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp(one, [2]int{2, 2}, [4]int{}, 1), "2d", "does not fit"},
		{"channels", []int{1, 4, 4, 3}, []int{3, 3, 4, 8}, tensor.Float64, valid, "2d", "kernel (3, 3, 4, 8) does not fit input"},
		{"groups do not divide", []int{1, 4, 4, 3}, []int{3, 3, 1, 4}, tensor.Float64, cp(one, one, [4]int{}, 2), "2d", "groups 2 must divide"},
		{"groups vs filters", []int{1, 4, 4, 4}, []int{3, 3, 2, 3}, tensor.Float64, cp(one, one, [4]int{}, 2), "2d", "groups 2 must divide"},
		{"zero stride", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp([2]int{0, 1}, one, [4]int{}, 1), "2d", "strides"},
		{"negative stride", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp([2]int{1, -2}, one, [4]int{}, 1), "2d", "strides"},
		{"zero dilation", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp(one, [2]int{1, 0}, [4]int{}, 1), "2d", "dilation"},
		{"negative padding", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp(one, one, [4]int{0, -1, 0, 0}, 1), "2d", "padding"},
		{"zero groups", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp(one, one, [4]int{}, 0), "2d", "groups 0"},
		{"stride with dilation", []int{1, 9, 9, 1}, []int{3, 3, 1, 1}, tensor.Float64, cp([2]int{2, 1}, [2]int{1, 2}, [4]int{}, 1), "2d", "together with dilation"},
		{"rank of x", []int{4, 4, 1}, []int{3, 3, 1, 1}, tensor.Float64, valid, "2d", "x has shape (4, 4, 1), want rank [4]"},
		{"rank of kernel", []int{1, 4, 4, 1}, []int{3, 1, 1}, tensor.Float64, valid, "2d", "kernel has shape (3, 1, 1), want rank [4]"},
		{"int dtype", []int{1, 4, 4, 1}, []int{3, 3, 1, 1}, tensor.Int, valid, "2d", "not supported"},
		{"too large", []int{1 << 20, 1 << 12, 1, 1}, []int{1, 1, 1, 1}, tensor.Float64, valid, "2d", "more than"},
		{"conv1d row stride", []int{1, 5, 1}, []int{3, 1, 1}, tensor.Float64, cp(one, one, [4]int{}, 1), "1d", ""},
		{"depthwise channels", []int{1, 4, 4, 3}, []int{3, 3, 2, 1}, tensor.Float64, valid, "dw", "needs 2 input channels"},
		{"depthwise groups", []int{1, 4, 4, 2}, []int{3, 3, 2, 1}, tensor.Float64, cp(one, one, [4]int{}, 2), "dw", "groups 2 must be 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			x := G.NewTensor(g, c.dt, len(c.xs), G.WithShape(c.xs...), G.WithName("x"))
			k := G.NewTensor(g, c.dt, len(c.ks), G.WithShape(c.ks...), G.WithName("k"))
			var err error
			switch c.fn {
			case "1d":
				_, err = Conv1D(x, k, nil, Conv1DParams{Stride: 1, Dilation: 1, Groups: 1})
				if err != nil {
					t.Fatalf("valid Conv1D: %v", err)
				}
				_, err = Conv1D(x, k, nil, Conv1DParams{Stride: 0, Dilation: 1, Groups: 1})
				c.want = "strides"
			case "dw":
				_, err = DepthwiseConv2D(x, k, nil, c.p)
			default:
				_, err = Conv2D(x, k, nil, c.p)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "backend: ") {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := Conv2D(nil, nil, nil, valid); err == nil || !strings.Contains(err.Error(), "x is nil") {
		t.Errorf("nil x: %v", err)
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 4, 4, 1), G.WithName("x"))
	k := G.NewTensor(g, tensor.Float32, 4, G.WithShape(3, 3, 1, 1), G.WithName("k"))
	if _, err := Conv2D(x, k, nil, valid); err == nil || !strings.Contains(err.Error(), "x is float64, kernel float32") {
		t.Errorf("mixed dtypes: %v", err)
	}
	k64 := G.NewTensor(g, tensor.Float64, 4, G.WithShape(3, 3, 1, 2), G.WithName("k64"))
	b3 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("b3"))
	if _, err := Conv2D(x, k64, b3, valid); err == nil || !strings.Contains(err.Error(), "bias has shape (3), want (2)") {
		t.Errorf("bias shape: %v", err)
	}
	b2 := G.NewTensor(g, tensor.Float32, 1, G.WithShape(2), G.WithName("b2"))
	if _, err := Conv2D(x, k64, b2, valid); err == nil || !strings.Contains(err.Error(), "bias is float32") {
		t.Errorf("bias dtype: %v", err)
	}
}
