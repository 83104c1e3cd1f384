package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GlobalAvgPool returns the mean of x over its spatial axes: x is (N, H,
// W, C) or (N, L, C), the result (N, C) (Keras's GlobalAveragePooling2D /
// 1D with keepdims false). One op over the (N, S, C) view: Gorgonia's
// reductions over two axes at once give wrong values and its
// GlobalAveragePool2D has no working gradient.
func GlobalAvgPool(x *G.Node) (out *G.Node, err error) {
	defer guard("GlobalAvgPool", &err)
	gg, err := newGlobalGeom("GlobalAvgPool", x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(newGlobalAvgOp(gg, false), x)
}

// GlobalMaxPool returns the maximum of x (N, H, W, C) or (N, L, C) over
// its spatial axes, (N, C). The gradient goes to the first maximal cell
// in scan order, recorded by the forward pass.
func GlobalMaxPool(x *G.Node) (out *G.Node, err error) {
	defer guard("GlobalMaxPool", &err)
	gg, err := newGlobalGeom("GlobalMaxPool", x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&globalMaxOp{opBase: opBase{fmt.Sprintf("global_max_pool(%v)", gg), 1}, gg: gg}, x)
}

// GlobalAvgPool1DMasked returns, for x (N, L, C) and a mask (N, L), the
// mean over the time steps whose mask is not zero: sum of the kept x /
// number of kept steps, (N, C), as Keras 3's GlobalAveragePooling1D does
// with a mask (it casts the mask to bool). A row whose mask is all zeros
// gives zeros and a zero gradient (Keras divides 0 by 0 and gives NaN).
// The mask is not differentiated.
func GlobalAvgPool1DMasked(x, mask *G.Node) (out *G.Node, err error) {
	defer guard("GlobalAvgPool1DMasked", &err)
	if err := checkSpatial("GlobalAvgPool1DMasked", "x", x, 3); err != nil {
		return nil, err
	}
	if mask == nil || mask.Dims() != 2 || mask.Shape()[0] != x.Shape()[0] || mask.Shape()[1] != x.Shape()[1] {
		ms := "nil"
		if mask != nil {
			ms = fmt.Sprint(mask.Shape())
		}
		return nil, errors.Errorf("backend: GlobalAvgPool1DMasked: mask has shape %s, want (%d, %d) for x %v", ms, x.Shape()[0], x.Shape()[1], x.Shape())
	}
	if mask.Dtype() != x.Dtype() {
		return nil, errors.Errorf("backend: GlobalAvgPool1DMasked: mask is %v, x %v", mask.Dtype(), x.Dtype())
	}
	gg, err := newGlobalGeom("GlobalAvgPool1DMasked", x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&maskedAvgOp{opBase: opBase{fmt.Sprintf("masked_global_avg_pool(%v)", gg), 2}, gg: gg}, x, mask)
}

// globalGeom is x viewed as (n, s, c).
type globalGeom struct {
	n, s, c int
	xs      tensor.Shape
}

func (g globalGeom) String() string { return fmt.Sprintf("x%v", g.xs) }

func newGlobalGeom(fn string, x *G.Node) (globalGeom, error) {
	if err := checkSpatial(fn, "x", x, 3, 4); err != nil {
		return globalGeom{}, err
	}
	xs := x.Shape()
	n, h, w, c := spatialDims(xs)
	return globalGeom{n: n, s: h * w, c: c, xs: xs}, nil
}

func (g globalGeom) yShape() tensor.Shape { return tensor.Shape{g.n, g.c} }

// globalAvgOp is the global mean (grad false, x -> (n, c)) or its
// gradient (grad true, dy (n, c) -> dx): each is the other's adjoint.
type globalAvgOp struct {
	opBase
	gg   globalGeom
	grad bool
	out  outBuf
}

func newGlobalAvgOp(gg globalGeom, grad bool) *globalAvgOp {
	name := fmt.Sprintf("global_avg_pool(%v)", gg)
	if grad {
		name += "_grad"
	}
	return &globalAvgOp{opBase: opBase{name, 1}, gg: gg, grad: grad}
}

func (op *globalAvgOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, y := G.TensorType{Dims: len(op.gg.xs), Of: a}, G.TensorType{Dims: 2, Of: a}
	if op.grad {
		return hm.NewFnType(y, x)
	}
	return hm.NewFnType(x, y)
}

func (op *globalAvgOp) shapes() (in, out tensor.Shape) {
	if op.grad {
		return op.gg.yShape(), op.gg.xs.Clone()
	}
	return op.gg.xs.Clone(), op.gg.yShape()
}

func (op *globalAvgOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.shapes()
	return out, nil
}
func (op *globalAvgOp) DiffWRT(int) []bool { return []bool{true} }

func (op *globalAvgOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(newGlobalAvgOp(op.gg, !op.grad), grad)
	return G.Nodes{d}, err
}

func (op *globalAvgOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	is, os := op.shapes()
	if !in[0].Shape().Eq(is) {
		return nil, opError(op, errors.Errorf("input %v, want %v", in[0].Shape(), is))
	}
	out := op.out.get(in[0].Dtype(), os)
	switch a := in[0].Data().(type) {
	case []float32:
		globalAvg(op.gg, a, out.Data().([]float32), nil, op.grad)
	case []float64:
		globalAvg(op.gg, a, out.Data().([]float64), nil, op.grad)
	}
	return out, nil
}

// globalAvg computes y (n, c) = masked mean of x (n, s, c) over s, or
// (grad) dx from dy. mask nil keeps every step; a row with nothing kept
// gives 0.
func globalAvg[T Float](g globalGeom, a, b, mask []T, grad bool) {
	w := workersFor(float64(g.n*g.s*g.c), g.n)
	parallel(w, func(q int) {
		n0, n1 := span(g.n, w, q)
		for n := n0; n < n1; n++ {
			var m []T
			kept := g.s
			if mask != nil {
				m = mask[n*g.s : (n+1)*g.s]
				kept = 0
				for _, v := range m {
					if v != 0 {
						kept++
					}
				}
			}
			var inv T
			if kept > 0 {
				inv = 1 / T(kept)
			}
			if grad {
				dy, dx := a[n*g.c:(n+1)*g.c], b[n*g.s*g.c:(n+1)*g.s*g.c]
				for s := 0; s < g.s; s++ {
					row := dx[s*g.c : (s+1)*g.c]
					if m != nil && m[s] == 0 {
						clear(row)
						continue
					}
					for ci, v := range dy {
						row[ci] = v * inv
					}
				}
				continue
			}
			x, y := a[n*g.s*g.c:(n+1)*g.s*g.c], b[n*g.c:(n+1)*g.c]
			clear(y)
			for s := 0; s < g.s; s++ {
				if m == nil || m[s] != 0 {
					addTo(y, x[s*g.c:(s+1)*g.c])
				}
			}
			for ci := range y {
				y[ci] *= inv
			}
		}
	})
}

// maskedAvgOp is GlobalAvgPool1DMasked: inputs (x, mask).
type maskedAvgOp struct {
	opBase
	gg  globalGeom
	out outBuf
}

func (op *maskedAvgOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *maskedAvgOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.gg.yShape(), nil }
func (op *maskedAvgOp) DiffWRT(int) []bool                             { return []bool{true, false} }

func (op *maskedAvgOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maskedAvgGradOp{opBase: opBase{op.name + "_grad", 2}, gg: op.gg}, inputs[1], grad)
	return G.Nodes{dx, nil}, err
}

func (op *maskedAvgOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	x, m := in[0], in[1]
	if !x.Shape().Eq(op.gg.xs) || !m.Shape().Eq(tensor.Shape{op.gg.n, op.gg.s}) {
		return nil, opError(op, errors.Errorf("inputs %v and %v, want %v and (%d, %d)", x.Shape(), m.Shape(), op.gg.xs, op.gg.n, op.gg.s))
	}
	out := op.out.get(x.Dtype(), op.gg.yShape())
	switch a := x.Data().(type) {
	case []float32:
		globalAvg(op.gg, a, out.Data().([]float32), m.Data().([]float32), false)
	case []float64:
		globalAvg(op.gg, a, out.Data().([]float64), m.Data().([]float64), false)
	}
	return out, nil
}

// maskedAvgGradOp: inputs (mask, dy), output dx.
type maskedAvgGradOp struct {
	opBase
	gg  globalGeom
	out outBuf
}

func (op *maskedAvgGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 3, Of: a})
}
func (op *maskedAvgGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.gg.xs.Clone(), nil
}

func (op *maskedAvgGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	m, dy := in[0], in[1]
	if !dy.Shape().Eq(op.gg.yShape()) || !m.Shape().Eq(tensor.Shape{op.gg.n, op.gg.s}) {
		return nil, opError(op, errors.Errorf("inputs %v and %v", m.Shape(), dy.Shape()))
	}
	out := op.out.get(dy.Dtype(), op.gg.xs)
	switch a := dy.Data().(type) {
	case []float32:
		globalAvg(op.gg, a, out.Data().([]float32), m.Data().([]float32), true)
	case []float64:
		globalAvg(op.gg, a, out.Data().([]float64), m.Data().([]float64), true)
	}
	return out, nil
}

// globalMaxOp records, per (n, c), the index in x of the first maximum.
type globalMaxOp struct {
	opBase
	gg  globalGeom
	out outBuf
	arg []int32
}

func (op *globalMaxOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.gg.xs), Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *globalMaxOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.gg.yShape(), nil }
func (op *globalMaxOp) DiffWRT(int) []bool                             { return []bool{true} }

func (op *globalMaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&globalMaxGradOp{opBase: opBase{op.name + "_grad", 2}, fwd: op}, output, grad)
	return G.Nodes{dx}, err
}

func (op *globalMaxOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if !x.Shape().Eq(op.gg.xs) {
		return nil, opError(op, errors.Errorf("input %v, want %v", x.Shape(), op.gg.xs))
	}
	out := op.out.get(x.Dtype(), op.gg.yShape())
	if len(op.arg) != op.gg.n*op.gg.c {
		op.arg = make([]int32, op.gg.n*op.gg.c)
	}
	switch a := x.Data().(type) {
	case []float32:
		globalMax(op.gg, a, out.Data().([]float32), op.arg)
	case []float64:
		globalMax(op.gg, a, out.Data().([]float64), op.arg)
	}
	return out, nil
}

func globalMax[T Float](g globalGeom, x, y []T, arg []int32) {
	for n := 0; n < g.n; n++ {
		yr, ar := y[n*g.c:(n+1)*g.c], arg[n*g.c:(n+1)*g.c]
		base := n * g.s * g.c
		copy(yr, x[base:base+g.c])
		for ci := range ar {
			ar[ci] = int32(base + ci)
		}
		for s := 1; s < g.s; s++ {
			o := base + s*g.c
			maxInto(yr, ar, x[o:o+g.c], int32(o))
		}
	}
}

type globalMaxGradOp struct {
	opBase
	fwd *globalMaxOp
	out outBuf
}

func (op *globalMaxGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	y := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(y, y, G.TensorType{Dims: len(op.fwd.gg.xs), Of: a})
}
func (op *globalMaxGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.fwd.gg.xs.Clone(), nil
}

func (op *globalMaxGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	dy := in[1]
	if !dy.Shape().Eq(op.fwd.gg.yShape()) || len(op.fwd.arg) != dy.Shape().TotalSize() {
		return nil, opError(op, errors.Errorf("gradient %v, want %v after the forward pass", dy.Shape(), op.fwd.gg.yShape()))
	}
	out := op.out.get(dy.Dtype(), op.fwd.gg.xs)
	switch a := dy.Data().(type) {
	case []float32:
		scatter(a, out.Data().([]float32), op.fwd.arg)
	case []float64:
		scatter(a, out.Data().([]float64), op.fwd.arg)
	}
	return out, nil
}

// scatter sets dx to zero and adds dy[o] at dx[arg[o]].
func scatter[T Float](dy, dx []T, arg []int32) {
	clear(dx)
	for o, v := range dy {
		dx[arg[o]] += v
	}
}
