package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// PoolParams are the options of MaxPool2D and AvgPool2D. Every field
// must be set (Keras's default strides equal the pool size; the layer
// passes them).
type PoolParams struct {
	// Size is the window (rows, columns), at least 1.
	Size [2]int
	// Strides is (rows, columns), at least 1.
	Strides [2]int
	// Padding is (top, bottom, left, right), each at least 0 and less
	// than the window on its axis, so that every window holds at least
	// one cell of the input. Padding cells are ignored: they never win a
	// max and are not counted by an average. SamePadding(n, size, stride,
	// 1) gives Keras's "same".
	Padding [4]int
}

// Pool1DParams are the options of MaxPool1D and AvgPool1D, over the time
// axis of (N, L, C): Padding is (left, right).
type Pool1DParams struct {
	Size    int    // window, at least 1
	Stride  int    // at least 1
	Padding [2]int // (left, right), each at least 0 and less than Size
}

func (p Pool1DParams) pool2D() PoolParams {
	return PoolParams{Size: [2]int{1, p.Size}, Strides: [2]int{1, p.Stride}, Padding: [4]int{0, 0, p.Padding[0], p.Padding[1]}}
}

// MaxPool2D returns the maximum of every window of x (N, H, W, C) per
// channel: (N, OH, OW, C) with OH = (H + top + bottom - ph)/sh + 1. The
// gradient goes to the cell that held the maximum; on ties to the first
// in scan order (row by row, then column by column), like TensorFlow's
// CPU kernel. The forward pass records those cells in a buffer it reuses,
// so the backward pass is one scatter. A NaN in a window makes its
// output NaN.
func MaxPool2D(x *G.Node, p PoolParams) (out *G.Node, err error) {
	defer guard("MaxPool2D", &err)
	g, err := newPoolGeom("MaxPool2D", x, p, 4)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&maxPoolOp{opBase: opBase{fmt.Sprintf("max_pool(%v)", &g), 1}, g: g}, x)
}

// MaxPool1D is MaxPool2D over the time axis of x (N, L, C).
func MaxPool1D(x *G.Node, p Pool1DParams) (out *G.Node, err error) {
	defer guard("MaxPool1D", &err)
	g, err := newPoolGeom("MaxPool1D", x, p.pool2D(), 3)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&maxPoolOp{opBase: opBase{fmt.Sprintf("max_pool(%v)", &g), 1}, g: g}, x)
}

// AvgPool2D returns the mean of every window of x (N, H, W, C) per
// channel, over the cells inside the input only: with "same" padding a
// window at the border is divided by the number of its cells that are
// not padding, as in TensorFlow and Keras (PyTorch's
// count_include_pad=False). The gradient spreads each output's upstream
// gradient evenly over those cells. Gorgonia's AveragePool2D (NCHW) has a
// wrong gradient; this op replaces it.
func AvgPool2D(x *G.Node, p PoolParams) (out *G.Node, err error) {
	defer guard("AvgPool2D", &err)
	g, err := newPoolGeom("AvgPool2D", x, p, 4)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(newAvgPoolOp(g, false), x)
}

// AvgPool1D is AvgPool2D over the time axis of x (N, L, C).
func AvgPool1D(x *G.Node, p Pool1DParams) (out *G.Node, err error) {
	defer guard("AvgPool1D", &err)
	g, err := newPoolGeom("AvgPool1D", x, p.pool2D(), 3)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(newAvgPoolOp(g, false), x)
}

// newPoolGeom validates a pooling of x and returns it as a convGeom with
// f = c (a pooling window is a kernel that does not mix channels).
func newPoolGeom(fn string, x *G.Node, p PoolParams, rank int) (convGeom, error) {
	if err := checkSpatial(fn, "x", x, rank); err != nil {
		return convGeom{}, err
	}
	xs := x.Shape()
	g := convGeom{rank: rank, groups: 1, dh: 1, dw: 1}
	g.n, g.h, g.w, g.c = spatialDims(xs)
	g.f = g.c
	g.kh, g.kw = p.Size[0], p.Size[1]
	g.sh, g.sw = p.Strides[0], p.Strides[1]
	g.pt, g.pl = p.Padding[0], p.Padding[2]
	for i, s := range p.Size {
		if s < 1 || s > maxSpatialElems {
			return g, errors.Errorf("backend: %s: pool size %v must be at least 1", fn, p.Size)
		}
		if st := p.Strides[i]; st < 1 || st > maxSpatialElems {
			return g, errors.Errorf("backend: %s: strides %v must be at least 1", fn, p.Strides)
		}
		if p.Padding[2*i] < 0 || p.Padding[2*i+1] < 0 || p.Padding[2*i] >= s || p.Padding[2*i+1] >= s {
			return g, errors.Errorf("backend: %s: padding %v must be at least 0 and less than the pool size %v on its axis",
				fn, p.Padding, p.Size)
		}
	}
	if rank == 3 && (p.Size[0] != 1 || p.Strides[0] != 1 || p.Padding[0] != 0 || p.Padding[1] != 0) {
		return g, errors.Errorf("backend: %s: a rank-3 input has no row axis to pool (size %v, strides %v, padding %v)",
			fn, p.Size, p.Strides, p.Padding)
	}
	var err error
	if g.oh, err = outLen(g.h, g.kh, g.sh, 1, p.Padding[0], p.Padding[1]); err != nil {
		return g, errors.Errorf("backend: %s: pool size %v does not fit input %v padded by %v", fn, p.Size, xs, p.Padding)
	}
	if g.ow, err = outLen(g.w, g.kw, g.sw, 1, p.Padding[2], p.Padding[3]); err != nil {
		return g, errors.Errorf("backend: %s: pool size %v does not fit input %v padded by %v", fn, p.Size, xs, p.Padding)
	}
	return g, nil
}

// window returns the rows [i0, i1) and columns [j0, j1) of the input that
// output cell (oh, ow) covers, clipped to the image.
func (g *convGeom) window(oh, ow int) (i0, i1, j0, j1 int) {
	i0, j0 = oh*g.sh-g.pt, ow*g.sw-g.pl
	i1, j1 = min(i0+g.kh, g.h), min(j0+g.kw, g.w)
	return max(i0, 0), i1, max(j0, 0), j1
}

type maxPoolOp struct {
	opBase
	g   convGeom
	out outBuf
	arg []int32 // per output element, the index in x of its maximum
}

func (op *maxPoolOp) Type() hm.Type { return sameType(1) }
func (op *maxPoolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.g.yShape(), nil
}
func (op *maxPoolOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff: the gradient op takes the pooled output as an input only so
// that it runs after this op has recorded the maxima.
func (op *maxPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maxPoolGradOp{opBase: opBase{op.name + "_grad", 2}, fwd: op}, output, grad)
	return G.Nodes{dx}, err
}

func (op *maxPoolOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if !x.Shape().Eq(op.g.xShape()) {
		return nil, opError(op, errors.Errorf("input %v, want %v", x.Shape(), op.g.xShape()))
	}
	out := op.out.get(x.Dtype(), op.g.yShape())
	if n := op.g.rows() * op.g.c; len(op.arg) != n {
		op.arg = make([]int32, n)
	}
	switch xs := x.Data().(type) {
	case []float32:
		maxPoolForward(&op.g, xs, out.Data().([]float32), op.arg)
	case []float64:
		maxPoolForward(&op.g, xs, out.Data().([]float64), op.arg)
	}
	return out, nil
}

func maxPoolForward[T Float](g *convGeom, x, y []T, arg []int32) {
	rows, c := g.rows(), g.c
	w := workersFor(float64(rows)*float64(c)*float64(g.kh*g.kw), rows)
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		ohw := g.oh * g.ow
		for r := r0; r < r1; r++ {
			n, rem := r/ohw, r%ohw
			i0, i1, j0, j1 := g.window(rem/g.ow, rem%g.ow)
			yr, ar := y[r*c:(r+1)*c], arg[r*c:(r+1)*c]
			first := true
			for i := i0; i < i1; i++ {
				for j := j0; j < j1; j++ {
					o := ((n*g.h+i)*g.w + j) * c
					xr := x[o : o+c]
					if first {
						copy(yr, xr)
						for ci := range ar {
							ar[ci] = int32(o + ci)
						}
						first = false
						continue
					}
					maxInto(yr, ar, xr, int32(o))
				}
			}
		}
	})
}

// maxInto sets y[i] = max(y[i], x[i]) and, where x[i] > y[i], arg[i] =
// o + i, without branches: with random data the branch on x > y is
// mispredicted half the time and made W2's pooling four times slower.
func maxInto[T Float](y []T, arg []int32, x []T, o int32) {
	y, arg = y[:len(x)], arg[:len(x)]
	for i, v := range x {
		m := y[i]
		var gt int32
		if v > m {
			gt = 1
		}
		arg[i] += gt * (o + int32(i) - arg[i])
		y[i] = max(m, v)
	}
}

// maxPoolGradOp scatters the upstream gradient to the recorded maxima.
type maxPoolGradOp struct {
	opBase
	fwd *maxPoolOp
	out outBuf
}

func (op *maxPoolGradOp) Type() hm.Type { return sameType(2) }
func (op *maxPoolGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.g.xShape(), nil
}

func (op *maxPoolGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	g := &op.fwd.g
	dy := in[1]
	if !dy.Shape().Eq(g.yShape()) || len(op.fwd.arg) != dy.Shape().TotalSize() {
		return nil, opError(op, errors.Errorf("gradient %v, want %v after the forward pass", dy.Shape(), g.yShape()))
	}
	out := op.out.get(dy.Dtype(), g.xShape())
	switch d := dy.Data().(type) {
	case []float32:
		maxPoolBackward(g, d, out.Data().([]float32), op.fwd.arg)
	case []float64:
		maxPoolBackward(g, d, out.Data().([]float64), op.fwd.arg)
	}
	return out, nil
}

func maxPoolBackward[T Float](g *convGeom, dy, dx []T, arg []int32) {
	img, per := g.h*g.w*g.c, g.oh*g.ow*g.c
	w := workersFor(float64(len(dx)), g.n)
	parallel(w, func(q int) {
		n0, n1 := span(g.n, w, q)
		clear(dx[n0*img : n1*img])
		for o := n0 * per; o < n1*per; o++ {
			dx[arg[o]] += dy[o]
		}
	})
}

// avgPoolOp is average pooling (grad false) or its gradient (grad true,
// input dy, output shaped like x). Both are linear and each is the
// other's adjoint, so each one's gradient is the other.
type avgPoolOp struct {
	opBase
	g    convGeom
	grad bool
	out  outBuf
}

func newAvgPoolOp(g convGeom, grad bool) *avgPoolOp {
	name := fmt.Sprintf("avg_pool(%v)", &g)
	if grad {
		name += "_grad"
	}
	return &avgPoolOp{opBase: opBase{name, 1}, g: g, grad: grad}
}

func (op *avgPoolOp) Type() hm.Type { return sameType(1) }
func (op *avgPoolOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.grad {
		return op.g.xShape(), nil
	}
	return op.g.yShape(), nil
}
func (op *avgPoolOp) DiffWRT(int) []bool { return []bool{true} }

func (op *avgPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(newAvgPoolOp(op.g, !op.grad), grad)
	return G.Nodes{d}, err
}

func (op *avgPoolOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	is, os := op.g.xShape(), op.g.yShape()
	if op.grad {
		is, os = os, is
	}
	a := in[0]
	if !a.Shape().Eq(is) {
		return nil, opError(op, errors.Errorf("input %v, want %v", a.Shape(), is))
	}
	out := op.out.get(a.Dtype(), os)
	switch d := a.Data().(type) {
	case []float32:
		avgPool(&op.g, d, out.Data().([]float32), op.grad)
	case []float64:
		avgPool(&op.g, d, out.Data().([]float64), op.grad)
	}
	return out, nil
}

// avgPool computes y = avg(x) (grad false) or dx from dy (grad true, a
// holds dy and b is dx), split by images.
func avgPool[T Float](g *convGeom, a, b []T, grad bool) {
	c, ohw, img := g.c, g.oh*g.ow, g.h*g.w*g.c
	w := workersFor(float64(g.rows())*float64(c)*float64(g.kh*g.kw), g.n)
	parallel(w, func(q int) {
		n0, n1 := span(g.n, w, q)
		if grad {
			clear(b[n0*img : n1*img])
		}
		for r := n0 * ohw; r < n1*ohw; r++ {
			n, rem := r/ohw, r%ohw
			i0, i1, j0, j1 := g.window(rem/g.ow, rem%g.ow)
			inv := 1 / T((i1-i0)*(j1-j0))
			if !grad {
				yr := b[r*c : (r+1)*c]
				clear(yr)
				for i := i0; i < i1; i++ {
					o := ((n*g.h+i)*g.w + j0) * c
					for j := j0; j < j1; j, o = j+1, o+c {
						addTo(yr, a[o:o+c])
					}
				}
				for ci := range yr {
					yr[ci] *= inv
				}
				continue
			}
			dr := a[r*c : (r+1)*c]
			for i := i0; i < i1; i++ {
				o := ((n*g.h+i)*g.w + j0) * c
				for j := j0; j < j1; j, o = j+1, o+c {
					xr := b[o : o+c]
					for ci, v := range dr {
						xr[ci] += v * inv
					}
				}
			}
		}
	})
}
