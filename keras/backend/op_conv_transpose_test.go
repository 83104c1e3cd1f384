package backend

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

type convTCase struct {
	name   string
	xs, ks []int // x (N, H, W, C), kernel (kh, kw, F, C); rank 3 for 1D
	p      ConvTransposeParams
}

var convTCases = []convTCase{
	{"3x3_stride1_valid", []int{1, 3, 3, 1}, []int{3, 3, 1, 1}, ConvTransposeParams{Strides: one, Dilation: one}},
	{"3x3_stride2_same", []int{2, 3, 4, 2}, []int{3, 3, 3, 2}, ConvTransposeParams{Strides: [2]int{2, 2}, Dilation: one, Padding: [4]int{0, 1, 0, 1}}},
	{"2x3_stride21_outpad", []int{3, 4, 3, 3}, []int{2, 3, 2, 3}, ConvTransposeParams{Strides: [2]int{2, 1}, Dilation: one, Padding: [4]int{1, 0, 1, 1}, OutputPadding: [2]int{1, 0}}},
	{"stride3_valid_outpad2", []int{1, 2, 3, 2}, []int{2, 2, 2, 2}, ConvTransposeParams{Strides: [2]int{3, 3}, Dilation: one, OutputPadding: [2]int{2, 1}}},
	{"dilation2", []int{2, 4, 3, 2}, []int{3, 2, 2, 2}, ConvTransposeParams{Strides: one, Dilation: [2]int{2, 2}, Padding: [4]int{2, 2, 1, 0}}},
	{"1d_stride2", []int{2, 5, 3}, []int{3, 2, 3}, ConvTransposeParams{Strides: [2]int{1, 2}, Dilation: one, Padding: [4]int{0, 0, 1, 0}, OutputPadding: [2]int{0, 1}}},
}

func (c convTCase) build(in G.Nodes) (*G.Node, error) {
	var bias *G.Node
	if len(in) > 2 {
		bias = in[2]
	}
	if len(c.xs) == 3 {
		return Conv1DTranspose(in[0], in[1], bias, Conv1DTransposeParams{Stride: c.p.Strides[1], Dilation: c.p.Dilation[1],
			Padding: [2]int{c.p.Padding[2], c.p.Padding[3]}, OutputPadding: c.p.OutputPadding[1], Relu: c.p.Relu})
	}
	return Conv2DTranspose(in[0], in[1], bias, c.p)
}

// naiveConvTranspose scatters every input cell times the kernel into the
// full output and keeps the window [crop, crop+out) of it; it returns the
// gradients for the output weights r too.
func naiveConvTranspose(xs, ks []int, p ConvTransposeParams, x, k, r []float64) (y []float64, ys []int, dx, dk []float64) {
	if len(xs) == 3 {
		xs = []int{xs[0], 1, xs[1], xs[2]}
		ks = []int{1, ks[0], ks[1], ks[2]}
	}
	n, h, w, c := xs[0], xs[1], xs[2], xs[3]
	kh, kw, f := ks[0], ks[1], ks[2]
	oh := (h-1)*p.Strides[0] + p.Dilation[0]*(kh-1) + 1 - p.Padding[0] - p.Padding[1] + p.OutputPadding[0]
	ow := (w-1)*p.Strides[1] + p.Dilation[1]*(kw-1) + 1 - p.Padding[2] - p.Padding[3] + p.OutputPadding[1]
	y = make([]float64, n*oh*ow*f)
	dx, dk = make([]float64, len(x)), make([]float64, len(k))
	for b := 0; b < n; b++ {
		for ih := 0; ih < h; ih++ {
			for iw := 0; iw < w; iw++ {
				for i := 0; i < kh; i++ {
					for j := 0; j < kw; j++ {
						yh := ih*p.Strides[0] + i*p.Dilation[0] - p.Padding[0]
						yw := iw*p.Strides[1] + j*p.Dilation[1] - p.Padding[2]
						if yh < 0 || yh >= oh || yw < 0 || yw >= ow {
							continue
						}
						for cc := 0; cc < c; cc++ {
							xi := ((b*h+ih)*w+iw)*c + cc
							for o := 0; o < f; o++ {
								yi := ((b*oh+yh)*ow+yw)*f + o
								ki := ((i*kw+j)*f+o)*c + cc
								y[yi] += x[xi] * k[ki]
								if r != nil {
									dx[xi] += r[yi] * k[ki]
									dk[ki] += r[yi] * x[xi]
								}
							}
						}
					}
				}
			}
		}
	}
	return y, []int{n, oh, ow, f}, dx, dk
}

func TestConvTransposeMatchesDefinition(t *testing.T) {
	for i, c := range convTCases {
		c.p.Relu = i%2 == 1
		t.Run(c.name, func(t *testing.T) {
			f := c.ks[len(c.ks)-2]
			in := []*tensor.Dense{randTensor(41, c.xs...), randTensor(42, c.ks...), randTensor(43, f)}
			var want, wantDx, wantDk, wantDb []float64
			run := func(dt tensor.Dtype, tol float64, label string) {
				got, shape, grads := evalGraph(t, dt, c.build, in, nil, 7)
				if want == nil {
					var ys []int
					r := f64s(gradcheck.Rand(7, -1, 1, shape...))
					want, ys, wantDx, wantDk = naiveConvTranspose(c.xs, c.ks, c.p, f64s(in[0]), f64s(in[1]), r)
					if shape.TotalSize() != ys[0]*ys[1]*ys[2]*ys[3] || shape[len(shape)-1] != ys[3] {
						t.Fatalf("shape %v, want %v", shape, ys)
					}
					for i := range want {
						want[i] += f64s(in[2])[i%f]
					}
					if c.p.Relu {
						rp := append([]float64(nil), r...)
						for i := range want {
							if want[i] <= 0 {
								want[i], rp[i] = 0, 0
							}
						}
						_, _, wantDx, wantDk = naiveConvTranspose(c.xs, c.ks, c.p, f64s(in[0]), f64s(in[1]), rp)
						r = rp
					}
					wantDb = make([]float64, f)
					for i := range r {
						wantDb[i%f] += r[i]
					}
				}
				assertClose(t, label+" output", got, want, tol, tol)
				assertClose(t, label+" dx", grads[0], wantDx, tol, tol)
				assertClose(t, label+" dkernel", grads[1], wantDk, tol, tol)
				assertClose(t, label+" dbias", grads[2], wantDb, tol, tol)
			}
			run(tensor.Float64, 1e-12, "float64")
			run(tensor.Float32, 2e-5, "float32")
			withForcedSplit(func() { run(tensor.Float64, 1e-12, "float64 split") })
			if m, err := gradcheck.Check(builder(c.build).check(), in, gradcheck.Options{}); err != nil {
				t.Fatalf("gradcheck: %v (worst %+v)", err, m)
			}
		})
	}
}

// TestConvTransposeIsConvGradient: Conv2DTranspose(dy, k) equals the
// gradient of sum(Conv2D(x, k) * dy) with respect to x, with the forward
// kernel (kh, kw, C, F) read by the transposed convolution as (kh, kw,
// F', C') = mapping F channels back to C, the same padding, and output
// padding for the row that the forward stride dropped (8+2-3 is odd).
func TestConvTransposeIsConvGradient(t *testing.T) {
	x, k := randTensor(51, 2, 8, 6, 3), randTensor(52, 3, 3, 3, 4)
	p := cp([2]int{2, 2}, one, [4]int{1, 1, 0, 1}, 1)
	conv := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return Conv2D(in[0], in[1], nil, p) }
	_, ys, err := gradcheck.Forward(conv, []*tensor.Dense{x, k})
	if err != nil {
		t.Fatal(err)
	}
	dy := randTensor(53, ys...)
	weighted := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		y, err := Conv2D(in[0], in[1], nil, p)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(y, in[2])
	}
	grads, err := gradcheck.Gradient(weighted, []*tensor.Dense{x, k, dy}, []bool{false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	ct := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		return Conv2DTranspose(in[0], in[1], nil, ConvTransposeParams{Strides: p.Strides, Dilation: p.Dilation,
			Padding: p.Padding, OutputPadding: [2]int{1, 0}})
	}
	got, shape, err := gradcheck.Forward(ct, []*tensor.Dense{dy, k})
	if err != nil {
		t.Fatal(err)
	}
	if !shape.Eq(x.Shape()) {
		t.Fatalf("transposed shape %v, want %v", shape, x.Shape())
	}
	assertClose(t, "transposed conv vs conv gradient", got, grads[0], 1e-12, 1e-12)
}

// TestConvTransposePadding checks the Keras 3 output length rule (worked
// by hand from compute_conv_transpose_output_shape) and that
// Conv1DTranspose with ConvTransposePadding's amounts produces it.
func TestConvTransposePadding(t *testing.T) {
	cases := []struct {
		n, k, s, d int
		padding    string
		op         int
		want       int
	}{
		{5, 3, 2, 1, "same", -1, 10},
		{5, 3, 2, 1, "valid", -1, 11}, // 4*2 + 3 + (max(3,2)-3)
		{5, 2, 3, 1, "valid", -1, 15}, // 4*3 + 2 + (3-2)
		{4, 3, 2, 1, "same", 1, 8},    // 3*2 + 3%2 + 1
		{4, 4, 2, 1, "same", -1, 8},   // n*s
		{4, 4, 2, 1, "same", 0, 6},    // 3*2 + 0 + 0
		{3, 3, 1, 1, "same", -1, 3},   //
		{3, 3, 1, 2, "same", -1, 3},   // ke = 5
		{3, 3, 1, 2, "valid", -1, 7},  // 2 + 5
		{6, 5, 3, 1, "same", 0, 16},   // 5*3 + 1
		{6, 5, 3, 1, "valid", 2, 22},  // 5*3 + 5 + 2
		{2, 1, 2, 1, "same", -1, 4},   // k < s: an extra cell
		{7, 2, 1, 3, "valid", -1, 10}, // 6 + 4
	}
	for _, c := range cases {
		got, err := ConvTransposeOutputLength(c.n, c.k, c.s, c.d, c.padding, c.op)
		if err != nil || got != c.want {
			t.Errorf("ConvTransposeOutputLength%v = %d, %v; want %d", c, got, err, c.want)
			continue
		}
		before, after, extra, err := ConvTransposePadding(c.n, c.k, c.s, c.d, c.padding, c.op)
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(1, c.n, 2), G.WithName("x"))
		k := G.NewTensor(g, tensor.Float64, 3, G.WithShape(c.k, 3, 2), G.WithName("k"))
		y, err := Conv1DTranspose(x, k, nil, Conv1DTransposeParams{Stride: c.s, Dilation: c.d, Padding: [2]int{before, after}, OutputPadding: extra})
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if !y.Shape().Eq(tensor.Shape{1, c.want, 3}) {
			t.Errorf("%v: Conv1DTranspose shape %v, want (1, %d, 3)", c, y.Shape(), c.want)
		}
		// "same" without output padding is the adjoint of the "same"
		// convolution of the n*s input: the same cells before.
		if c.padding == "same" && c.op < 0 {
			sb, _, _ := SamePadding(c.n*c.s, c.k, c.s, c.d)
			if sb != before {
				t.Errorf("%v: crop before %d, same padding before %d", c, before, sb)
			}
		}
	}
	for _, bad := range []struct {
		n, k, s, d int
		padding    string
		op         int
		want       string
	}{
		{5, 3, 2, 1, "same", 2, "less than the stride"},
		{5, 3, 2, 1, "full", -1, "not one of"},
		{0, 3, 2, 1, "same", -1, "at least 1"},
		{5, 0, 2, 1, "valid", -1, "kernel size"},
	} {
		if _, err := ConvTransposeOutputLength(bad.n, bad.k, bad.s, bad.d, bad.padding, bad.op); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v: error %v, want %q", bad, err, bad.want)
		}
	}
}

func TestConvTransposeBadInput(t *testing.T) {
	cases := []struct {
		name   string
		xs, ks []int
		p      ConvTransposeParams
		want   string
	}{
		{"channels", []int{1, 3, 3, 2}, []int{3, 3, 4, 3}, ConvTransposeParams{Strides: one, Dilation: one}, "needs 3 input channels"},
		{"output padding >= stride", []int{1, 3, 3, 2}, []int{3, 3, 4, 2}, ConvTransposeParams{Strides: [2]int{2, 2}, Dilation: one, OutputPadding: [2]int{2, 0}}, "less than the strides"},
		{"crop everything", []int{1, 1, 1, 2}, []int{1, 1, 4, 2}, ConvTransposeParams{Strides: one, Dilation: one, Padding: [4]int{1, 0, 0, 0}}, "crops the whole output"},
		{"zero stride", []int{1, 3, 3, 2}, []int{3, 3, 4, 2}, ConvTransposeParams{Dilation: one}, "strides"},
		{"stride and dilation", []int{1, 3, 3, 2}, []int{3, 3, 4, 2}, ConvTransposeParams{Strides: [2]int{2, 2}, Dilation: [2]int{2, 1}}, "together with dilation"},
		{"rank", []int{1, 3, 3, 2}, []int{3, 4, 2}, ConvTransposeParams{Strides: one, Dilation: one}, "want rank [4]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			x := G.NewTensor(g, tensor.Float64, len(c.xs), G.WithShape(c.xs...), G.WithName("x"))
			k := G.NewTensor(g, tensor.Float64, len(c.ks), G.WithShape(c.ks...), G.WithName("k"))
			if _, err := Conv2DTranspose(x, k, nil, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
