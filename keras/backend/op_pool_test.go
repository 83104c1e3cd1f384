package backend

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

type poolCase struct {
	name string
	xs   []int
	p    PoolParams
}

func pp(size, strides [2]int, pad [4]int) PoolParams {
	return PoolParams{Size: size, Strides: strides, Padding: pad}
}

var poolCases = []poolCase{
	{"2x2", []int{1, 4, 4, 1}, pp([2]int{2, 2}, [2]int{2, 2}, [4]int{})},
	{"2x2_odd_valid", []int{3, 5, 7, 2}, pp([2]int{2, 2}, [2]int{2, 2}, [4]int{})},
	{"3x3_stride2_same_odd", []int{2, 6, 5, 3}, pp([2]int{3, 3}, [2]int{2, 2}, [4]int{0, 1, 1, 1})},
	{"3x2_stride1_same", []int{1, 5, 4, 2}, pp([2]int{3, 2}, one, [4]int{1, 1, 0, 1})},
	{"2x3_stride3", []int{3, 7, 8, 1}, pp([2]int{2, 3}, [2]int{3, 3}, [4]int{})},
	{"overlap_stride1", []int{2, 4, 5, 3}, pp([2]int{2, 2}, one, [4]int{})},
	{"pool1d_same", []int{2, 7, 3}, pp([2]int{1, 3}, [2]int{1, 2}, [4]int{0, 0, 1, 1})},
	{"pool1d_valid", []int{3, 9, 2}, pp([2]int{1, 2}, [2]int{1, 2}, [4]int{})},
}

func (c poolCase) build(max bool) builder {
	return func(in G.Nodes) (*G.Node, error) {
		if len(c.xs) == 3 {
			p := Pool1DParams{Size: c.p.Size[1], Stride: c.p.Strides[1], Padding: [2]int{c.p.Padding[2], c.p.Padding[3]}}
			if max {
				return MaxPool1D(in[0], p)
			}
			return AvgPool1D(in[0], p)
		}
		if max {
			return MaxPool2D(in[0], c.p)
		}
		return AvgPool2D(in[0], c.p)
	}
}

// naivePool is the definition: per output cell and channel, the max (first
// in scan order on ties) or the mean of the window's cells inside the
// image; and the gradients for the output weights dy.
func naivePool(xs []int, p PoolParams, max bool, x, dy []float64) (y, dx []float64) {
	if len(xs) == 3 {
		xs = []int{xs[0], 1, xs[1], xs[2]}
	}
	n, h, w, c := xs[0], xs[1], xs[2], xs[3]
	oh := (h+p.Padding[0]+p.Padding[1]-p.Size[0])/p.Strides[0] + 1
	ow := (w+p.Padding[2]+p.Padding[3]-p.Size[1])/p.Strides[1] + 1
	y = make([]float64, n*oh*ow*c)
	dx = make([]float64, len(x))
	for b := 0; b < n; b++ {
		for r := 0; r < oh; r++ {
			for s := 0; s < ow; s++ {
				for ch := 0; ch < c; ch++ {
					yi := ((b*oh+r)*ow+s)*c + ch
					best, bi, sum, cnt := math.Inf(-1), -1, 0.0, 0
					var cells []int
					for i := 0; i < p.Size[0]; i++ {
						for j := 0; j < p.Size[1]; j++ {
							ih, iw := r*p.Strides[0]+i-p.Padding[0], s*p.Strides[1]+j-p.Padding[2]
							if ih < 0 || ih >= h || iw < 0 || iw >= w {
								continue
							}
							xi := ((b*h+ih)*w+iw)*c + ch
							cells = append(cells, xi)
							sum += x[xi]
							cnt++
							if x[xi] > best {
								best, bi = x[xi], xi
							}
						}
					}
					if max {
						y[yi] = best
						dx[bi] += dy[yi]
						continue
					}
					y[yi] = sum / float64(cnt)
					for _, xi := range cells {
						dx[xi] += dy[yi] / float64(cnt)
					}
				}
			}
		}
	}
	return y, dx
}

func TestPoolMatchesDefinition(t *testing.T) {
	for _, c := range poolCases {
		for _, max := range []bool{true, false} {
			name := c.name + map[bool]string{true: "_max", false: "_avg"}[max]
			t.Run(name, func(t *testing.T) {
				in := []*tensor.Dense{randTensor(21, c.xs...)}
				var want, wantDx []float64
				run := func(dt tensor.Dtype, tol float64, label string) {
					got, shape, grads := evalGraph(t, dt, c.build(max), in, nil, 6)
					if want == nil {
						want, wantDx = naivePool(c.xs, c.p, max, f64s(in[0]), f64s(gradcheck.Rand(6, -1, 1, shape...)))
					}
					assertClose(t, label+" output", got, want, tol, tol)
					assertClose(t, label+" dx", grads[0], wantDx, tol, tol)
				}
				run(tensor.Float64, 1e-13, "float64")
				run(tensor.Float32, 1e-6, "float32")
				withForcedSplit(func() { run(tensor.Float64, 1e-13, "float64 split") })
			})
		}
	}
}

func TestPoolGradients(t *testing.T) {
	for _, c := range poolCases {
		for _, max := range []bool{true, false} {
			name := c.name + map[bool]string{true: "_max", false: "_avg"}[max]
			t.Run(name, func(t *testing.T) {
				in := []*tensor.Dense{randTensor(22, c.xs...)}
				if m, err := gradcheck.Check(c.build(max).check(), in, gradcheck.Options{}); err != nil {
					t.Fatalf("%v (worst %+v)", err, m)
				}
			})
		}
	}
}

// TestPoolByHand: a 1x3x3x1 input with "same" 2x2 pooling, stride 2,
// padding (0, 1, 0, 1): windows {1 2 4 5}, {3 6}, {7 8}, {9}.
func TestPoolByHand(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1)
	p := pp([2]int{2, 2}, [2]int{2, 2}, [4]int{0, 1, 0, 1})
	avg, _, err := gradcheck.Forward(poolCase{xs: []int{1, 3, 3, 1}, p: p}.build(false).check(), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{3, 4.5, 7.5, 9}; !equalF(avg, want) {
		t.Errorf("avg = %v, want %v", avg, want)
	}
	mx, _, err := gradcheck.Forward(poolCase{xs: []int{1, 3, 3, 1}, p: p}.build(true).check(), []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{5, 6, 8, 9}; !equalF(mx, want) {
		t.Errorf("max = %v, want %v", mx, want)
	}
	// Ties: all equal, the gradient goes to the first cell of each window.
	ties := gradcheck.FromSlice([]float64{1, 1, 1, 1}, 1, 2, 2, 1)
	grads, err := gradcheck.Gradient(poolCase{xs: []int{1, 2, 2, 1}, p: pp([2]int{2, 2}, [2]int{2, 2}, [4]int{})}.build(true).check(),
		[]*tensor.Dense{ties}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 0, 0, 0}; !equalF(grads[0], want) {
		t.Errorf("max pool gradient on ties = %v, want %v", grads[0], want)
	}
}

func TestPoolBadInput(t *testing.T) {
	cases := []struct {
		name string
		xs   []int
		p    PoolParams
		want string
	}{
		{"pool larger than input", []int{1, 2, 2, 1}, pp([2]int{3, 3}, one, [4]int{}), "does not fit"},
		{"zero size", []int{1, 4, 4, 1}, pp([2]int{0, 2}, one, [4]int{}), "pool size"},
		{"zero stride", []int{1, 4, 4, 1}, pp([2]int{2, 2}, [2]int{2, 0}, [4]int{}), "strides"},
		{"padding as large as the window", []int{1, 4, 4, 1}, pp([2]int{2, 2}, one, [4]int{2, 0, 0, 0}), "less than the pool size"},
		{"negative padding", []int{1, 4, 4, 1}, pp([2]int{2, 2}, one, [4]int{0, 0, -1, 0}), "padding"},
		{"rank", []int{4, 4, 1}, pp([2]int{2, 2}, one, [4]int{}), "want rank [4]"},
		{"zero batch", []int{0, 4, 4, 1}, pp([2]int{2, 2}, one, [4]int{}), "at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := G.NewGraph()
			x := G.NewTensor(g, tensor.Float64, len(c.xs), G.WithShape(c.xs...), G.WithName("x"))
			for _, f := range []func(*G.Node, PoolParams) (*G.Node, error){MaxPool2D, AvgPool2D} {
				if _, err := f(x, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v, want one containing %q", err, c.want)
				}
			}
		})
	}
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(1, 4, 2), G.WithName("x"))
	if _, err := MaxPool1D(x, Pool1DParams{Size: 5, Stride: 1}); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("MaxPool1D too large: %v", err)
	}
	if _, err := AvgPool1D(nil, Pool1DParams{Size: 1, Stride: 1}); err == nil {
		t.Error("AvgPool1D(nil) gave no error")
	}
}

// Global pooling.

func TestGlobalPool(t *testing.T) {
	shapes := [][]int{{3, 4, 5, 2}, {2, 7, 3}, {1, 1, 1, 4}}
	for _, xs := range shapes {
		in := []*tensor.Dense{randTensor(31, xs...)}
		n, c := xs[0], xs[len(xs)-1]
		s := 1
		for _, d := range xs[1 : len(xs)-1] {
			s *= d
		}
		x := f64s(in[0])
		for _, max := range []bool{false, true} {
			b := builder(func(in G.Nodes) (*G.Node, error) {
				if max {
					return GlobalMaxPool(in[0])
				}
				return GlobalAvgPool(in[0])
			})
			got, shape, grads := evalGraph(t, tensor.Float64, b, in, nil, 8)
			if !shape.Eq(tensor.Shape{n, c}) {
				t.Fatalf("%v: shape %v", xs, shape)
			}
			r := f64s(gradcheck.Rand(8, -1, 1, n, c))
			want, wantDx := make([]float64, n*c), make([]float64, len(x))
			for b := 0; b < n; b++ {
				for ch := 0; ch < c; ch++ {
					best, bi, sum := math.Inf(-1), 0, 0.0
					for k := 0; k < s; k++ {
						i := (b*s+k)*c + ch
						sum += x[i]
						if x[i] > best {
							best, bi = x[i], i
						}
					}
					if max {
						want[b*c+ch] = best
						wantDx[bi] = r[b*c+ch]
						continue
					}
					want[b*c+ch] = sum / float64(s)
					for k := 0; k < s; k++ {
						wantDx[(b*s+k)*c+ch] = r[b*c+ch] / float64(s)
					}
				}
			}
			assertClose(t, "global pool", got, want, 1e-14, 1e-14)
			assertClose(t, "global pool dx", grads[0], wantDx, 1e-14, 1e-14)
			if m, err := gradcheck.Check(b.check(), in, gradcheck.Options{}); err != nil {
				t.Fatalf("%v max=%v: %v (worst %+v)", xs, max, err, m)
			}
			got32, _, _ := evalGraph(t, tensor.Float32, b, in, nil, 8)
			assertClose(t, "global pool float32", got32, want, 1e-6, 1e-6)
		}
	}
}

func TestGlobalAvgPool1DMasked(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}, 2, 3, 2)
	mask := gradcheck.FromSlice([]float64{1, 0, 1, 0, 0, 0}, 2, 3)
	b := builder(func(in G.Nodes) (*G.Node, error) { return GlobalAvgPool1DMasked(in[0], in[1]) })
	got, _, grads := evalGraph(t, tensor.Float64, b, []*tensor.Dense{x, mask}, []bool{false, true}, 9)
	// Row 0 keeps steps 0 and 2: (1+3)/2, (10+30)/2. Row 1 keeps nothing: 0.
	if want := []float64{2, 20, 0, 0}; !equalF(got, want) {
		t.Errorf("masked mean = %v, want %v", got, want)
	}
	r := f64s(gradcheck.Rand(9, -1, 1, 2, 2))
	wantDx := []float64{r[0] / 2, r[1] / 2, 0, 0, r[0] / 2, r[1] / 2, 0, 0, 0, 0, 0, 0}
	assertClose(t, "masked dx", grads[0], wantDx, 1e-15, 0)
	in := []*tensor.Dense{randTensor(32, 3, 5, 4), gradcheck.FromSlice([]float64{1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, 3, 5)}
	if m, err := gradcheck.Check(b.check(), in, gradcheck.Options{NoGrad: []bool{false, true}}); err != nil {
		t.Fatalf("%v (worst %+v)", err, m)
	}
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 2), G.WithName("x"))
	mn := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 4), G.WithName("m"))
	if _, err := GlobalAvgPool1DMasked(xn, mn); err == nil || !strings.Contains(err.Error(), "mask has shape (2, 4), want (2, 3)") {
		t.Errorf("bad mask: %v", err)
	}
	if _, err := GlobalAvgPool(G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("v"))); err == nil {
		t.Error("GlobalAvgPool of a matrix gave no error")
	}
}
