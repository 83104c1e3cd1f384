package backend

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

type spatialCase struct {
	name string
	xs   []int
	f    func(x *G.Node) (*G.Node, error)
	want func(xs []int, x []float64) ([]float64, []int) // the definition
}

// padDef pads (positive) or crops (negative) the rows and columns.
func padDef(a [4]int) func(xs []int, x []float64) ([]float64, []int) {
	return func(xs []int, x []float64) ([]float64, []int) {
		n, h, w, c := spatialDims(tensor.Shape(xs))
		oh, ow := h+a[0]+a[1], w+a[2]+a[3]
		y := make([]float64, n*oh*ow*c)
		for b := 0; b < n; b++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					ih, iw := i-a[0], j-a[2]
					if ih < 0 || ih >= h || iw < 0 || iw >= w {
						continue
					}
					for k := 0; k < c; k++ {
						y[((b*oh+i)*ow+j)*c+k] = x[((b*h+ih)*w+iw)*c+k]
					}
				}
			}
		}
		return y, []int{n, oh, ow, c}
	}
}

// upDef is nearest or bilinear upsampling written the way PyTorch's
// interpolate(align_corners=False) computes it: source coordinate
// (i+0.5)/a - 0.5 clamped at 0, the next index clamped at the border.
func upDef(a, b int, bilinear bool) func(xs []int, x []float64) ([]float64, []int) {
	return func(xs []int, x []float64) ([]float64, []int) {
		n, h, w, c := spatialDims(tensor.Shape(xs))
		oh, ow := h*a, w*b
		src := func(i, scale, in int) (int, int, float64) {
			if !bilinear {
				return i / scale, i / scale, 0
			}
			s := math.Max((float64(i)+0.5)/float64(scale)-0.5, 0)
			lo := int(s)
			return lo, min(lo+1, in-1), s - float64(lo)
		}
		y := make([]float64, n*oh*ow*c)
		for bb := 0; bb < n; bb++ {
			for i := 0; i < oh; i++ {
				i0, i1, fy := src(i, a, h)
				for j := 0; j < ow; j++ {
					j0, j1, fx := src(j, b, w)
					for k := 0; k < c; k++ {
						at := func(r, s int) float64 { return x[((bb*h+r)*w+s)*c+k] }
						y[((bb*oh+i)*ow+j)*c+k] = (1-fy)*((1-fx)*at(i0, j0)+fx*at(i0, j1)) + fy*((1-fx)*at(i1, j0)+fx*at(i1, j1))
					}
				}
			}
		}
		return y, []int{n, oh, ow, c}
	}
}

var spatialCases = []spatialCase{
	{"zero_padding2d", []int{2, 3, 4, 2}, func(x *G.Node) (*G.Node, error) { return ZeroPadding2D(x, [4]int{1, 2, 0, 3}) }, padDef([4]int{1, 2, 0, 3})},
	{"cropping2d", []int{2, 6, 5, 3}, func(x *G.Node) (*G.Node, error) { return Cropping2D(x, [4]int{1, 2, 2, 0}) }, padDef([4]int{-1, -2, -2, 0})},
	{"zero_padding1d", []int{3, 4, 2}, func(x *G.Node) (*G.Node, error) { return ZeroPadding1D(x, [2]int{2, 1}) }, padDef([4]int{0, 0, 2, 1})},
	{"cropping1d", []int{3, 6, 2}, func(x *G.Node) (*G.Node, error) { return Cropping1D(x, [2]int{1, 3}) }, padDef([4]int{0, 0, -1, -3})},
	{"upsampling2d_nearest", []int{2, 3, 2, 3}, func(x *G.Node) (*G.Node, error) { return UpSampling2D(x, [2]int{2, 3}, false) }, upDef(2, 3, false)},
	{"upsampling2d_bilinear", []int{2, 3, 4, 2}, func(x *G.Node) (*G.Node, error) { return UpSampling2D(x, [2]int{2, 3}, true) }, upDef(2, 3, true)},
	{"upsampling2d_bilinear_1x1", []int{1, 1, 2, 1}, func(x *G.Node) (*G.Node, error) { return UpSampling2D(x, [2]int{3, 2}, true) }, upDef(3, 2, true)},
	{"upsampling1d", []int{2, 3, 2}, func(x *G.Node) (*G.Node, error) { return UpSampling1D(x, 3) }, upDef(1, 3, false)},
}

func TestSpatialOps(t *testing.T) {
	for _, c := range spatialCases {
		t.Run(c.name, func(t *testing.T) {
			in := []*tensor.Dense{randTensor(61, c.xs...)}
			want, ws := c.want(c.xs, f64s(in[0]))
			b := builder(func(in G.Nodes) (*G.Node, error) { return c.f(in[0]) })
			got, shape, _ := evalGraph(t, tensor.Float64, b, in, nil, 1)
			if shape.TotalSize() != ws[0]*ws[1]*ws[2]*ws[3] || shape[0] != ws[0] || shape[len(shape)-1] != ws[3] || shape[len(shape)-2] != ws[2] {
				t.Fatalf("shape %v, want %v", shape, ws)
			}
			assertClose(t, "output", got, want, 1e-15, 1e-14)
			got32, _, _ := evalGraph(t, tensor.Float32, b, in, nil, 1)
			assertClose(t, "float32 output", got32, want, 1e-6, 1e-6)
			if m, err := gradcheck.Check(b.check(), in, gradcheck.Options{}); err != nil {
				t.Fatalf("gradcheck: %v (worst %+v)", err, m)
			}
		})
	}
}

// TestUpSamplingBilinearByHand: a row (0, 4) upsampled 2x in width samples
// source columns -0.25, 0.25, 0.75, 1.25 -> 0, 1, 3, 4 (clamped ends).
func TestUpSamplingBilinearByHand(t *testing.T) {
	x := gradcheck.FromSlice([]float64{0, 4}, 1, 1, 2, 1)
	got, _, err := gradcheck.Forward(func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		return UpSampling2D(in[0], [2]int{1, 2}, true)
	}, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 1, 3, 4}; !equalF(got, want) {
		t.Errorf("bilinear = %v, want %v", got, want)
	}
}

func TestSpatialBadInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 3, 4, 2), G.WithName("x"))
	x3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(1, 3, 2), G.WithName("x3"))
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"negative padding", second(ZeroPadding2D(x, [4]int{0, -1, 0, 0})), "must not be negative"},
		{"crop everything", second(Cropping2D(x, [4]int{2, 1, 0, 0})), "leaves nothing"},
		{"crop 1d", second(Cropping1D(x3, [2]int{2, 1})), "leaves nothing"},
		{"negative crop", second(Cropping1D(x3, [2]int{-1, 0})), "must not be negative"},
		{"zero size", second(UpSampling2D(x, [2]int{0, 2}, false)), "size [0 2] must be at least 1"},
		{"rank", second(UpSampling1D(x, 2)), "want rank [3]"},
		{"rank 2d", second(ZeroPadding2D(x3, [4]int{})), "want rank [4]"},
		{"huge", second(UpSampling2D(x, [2]int{1 << 30, 1 << 30}, true)), "too large"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second(_ *G.Node, err error) error { return err }
