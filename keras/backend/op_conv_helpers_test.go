package backend

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// builder builds the function under test from its input nodes.
type builder func(in G.Nodes) (*G.Node, error)

func (b builder) check() gradcheck.Func {
	return func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return b(in) }
}

// evalGraph runs b on inputs converted to dt and returns its output and
// the gradients of sum(out * r) with respect to every input whose noGrad
// flag is unset (all in float64). r is a fixed random weighting of the
// output's shape, so the gradients test the whole Jacobian.
func evalGraph(t testing.TB, dt tensor.Dtype, b builder, inputs []*tensor.Dense, noGrad []bool, rSeed int64) ([]float64, tensor.Shape, [][]float64) {
	t.Helper()
	return evalGraphWith(t, dt, b, inputs, noGrad, func(s tensor.Shape) *tensor.Dense { return gradcheck.Rand(rSeed, -1, 1, s...) })
}

// evalGraphWith is evalGraph with the output weighting made by weights
// from the output's shape.
func evalGraphWith(t testing.TB, dt tensor.Dtype, b builder, inputs []*tensor.Dense, noGrad []bool, weights func(tensor.Shape) *tensor.Dense) ([]float64, tensor.Shape, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	for i, in := range inputs {
		nodes[i] = G.NewTensor(g, dt, in.Dims(), G.WithShape(in.Shape().Clone()...), G.WithName(fmt.Sprintf("in%d", i)),
			G.WithValue(toDtype(in, dt)))
	}
	out, err := b(nodes)
	if err != nil {
		t.Fatalf("building: %v", err)
	}
	var outVal G.Value
	G.Read(out, &outVal)
	r := weights(out.Shape())
	rn := G.NewTensor(g, dt, out.Dims(), G.WithShape(out.Shape().Clone()...), G.WithName("weights"), G.WithValue(toDtype(r, dt)))
	prod, err := G.HadamardProd(out, rn)
	if err != nil {
		t.Fatal(err)
	}
	cost := prod
	for cost.Dims() > 0 {
		if cost, err = G.Sum(cost, 0); err != nil {
			t.Fatal(err)
		}
	}
	var wrt G.Nodes
	var idx []int
	for i, n := range nodes {
		if i < len(noGrad) && noGrad[i] {
			continue
		}
		wrt = append(wrt, n)
		idx = append(idx, i)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatalf("Grad: %v", err)
	}
	vals := make([]G.Value, len(grads))
	for i, gn := range grads {
		G.Read(gn, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("running: %v", err)
	}
	res := make([][]float64, len(inputs))
	for k, i := range idx {
		res[i] = ToFloat64s(vals[k].Data())
	}
	return ToFloat64s(outVal.Data()), out.Shape(), res
}

func toDtype(d *tensor.Dense, dt tensor.Dtype) *tensor.Dense {
	src := ToFloat64s(d.Data())
	if dt == tensor.Float32 {
		data := make([]float32, len(src))
		for i, v := range src {
			data[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(data))
	}
	return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(src))
}

// closeTo reports the first index where got and want differ by more than
// atol + rtol*|want|, or -1.
func closeTo(got, want []float64, atol, rtol float64) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > atol+rtol*math.Abs(want[i]) || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			return i, false
		}
	}
	return -1, true
}

func assertClose(t testing.TB, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	if i, ok := closeTo(got, want, atol, rtol); !ok {
		t.Fatalf("%s[%d] = %.12g, want %.12g", what, i, got[i], want[i])
	}
}

// withForcedSplit runs f with tiny blocks of the patch matrix and the
// parallel path switched on for every size, then restores the tuning.
func withForcedSplit(f func()) {
	cb, pw := convChunkBytes, convParallelWork
	convChunkBytes, convParallelWork = 1, 0
	defer func() { convChunkBytes, convParallelWork = cb, pw }()
	f()
}

func randTensor(seed int64, shape ...int) *tensor.Dense { return gradcheck.Rand(seed, -1, 1, shape...) }

func f64s(d *tensor.Dense) []float64 { return d.Data().([]float64) }

// naiveConv is the definition of a (grouped or depthwise) convolution in
// NHWC, written as plainly as possible: loops over every output cell,
// filter and tap. It also returns the gradients for the output weights dy.
func naiveConv(xs, ks []int, p ConvParams, depthwise bool, x, k, dy []float64) (y []float64, ys []int, dx, dk []float64) {
	if len(xs) == 3 {
		xs = []int{xs[0], 1, xs[1], xs[2]}
		ks = []int{1, ks[0], ks[1], ks[2]}
	}
	n, h, w, c := xs[0], xs[1], xs[2], xs[3]
	kh, kw, kout := ks[0], ks[1], ks[3]
	groups, f := p.Groups, kout
	if depthwise {
		groups, f = c, c*kout
	}
	cg, fg := c/groups, f/groups
	oh := (h+p.Padding[0]+p.Padding[1]-p.Dilation[0]*(kh-1)-1)/p.Strides[0] + 1
	ow := (w+p.Padding[2]+p.Padding[3]-p.Dilation[1]*(kw-1)-1)/p.Strides[1] + 1
	y = make([]float64, n*oh*ow*f)
	dx = make([]float64, len(x))
	dk = make([]float64, len(k))
	for b := 0; b < n; b++ {
		for r := 0; r < oh; r++ {
			for s := 0; s < ow; s++ {
				for o := 0; o < f; o++ {
					gi := o / fg
					yi := ((b*oh+r)*ow+s)*f + o
					for i := 0; i < kh; i++ {
						for j := 0; j < kw; j++ {
							ih := r*p.Strides[0] + i*p.Dilation[0] - p.Padding[0]
							iw := s*p.Strides[1] + j*p.Dilation[1] - p.Padding[2]
							if ih < 0 || ih >= h || iw < 0 || iw >= w {
								continue
							}
							for cc := 0; cc < cg; cc++ {
								xi := ((b*h+ih)*w+iw)*c + gi*cg + cc
								ki := ((i*kw+j)*cg+cc)*f + o
								y[yi] += x[xi] * k[ki]
								if dy != nil {
									dx[xi] += dy[yi] * k[ki]
									dk[ki] += dy[yi] * x[xi]
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
