package backend

import (
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Maximum returns the element-wise maximum of a and b, which must have the
// same shape. The gradient goes to a where a >= b, else to b (ties to the
// first input, as TensorFlow's Maximum gradient).
func Maximum(a, b *G.Node) (*G.Node, error) { return pairwise(a, b, true) }

// Minimum returns the element-wise minimum of a and b (same shape); the
// gradient goes to a where a <= b, else to b.
func Minimum(a, b *G.Node) (*G.Node, error) { return pairwise(a, b, false) }

func pairwise(a, b *G.Node, max bool) (*G.Node, error) {
	if !a.Shape().Eq(b.Shape()) || a.Dims() != b.Dims() {
		return nil, errors.Errorf("backend: %s needs inputs of one shape, got %v and %v", pairName(max), a.Shape(), b.Shape())
	}
	return G.ApplyOp(&pairOp{opBase: opBase{pairName(max), 2}, max: max}, a, b)
}

func pairName(max bool) string {
	if max {
		return "maximum"
	}
	return "minimum"
}

type pairOp struct {
	opBase
	max bool
	out outBuf
}

func (op *pairOp) Type() hm.Type                                     { return sameType(2) }
func (op *pairOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *pairOp) DiffWRT(int) []bool                                { return []bool{true, true} }

// first reports whether a wins against b.
func (op *pairOp) first(a, b float64) bool {
	if op.max {
		return a >= b
	}
	return a <= b
}

func (op *pairOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	da, err := G.ApplyOp(&pairGradOp{opBase: opBase{op.name + "_grad_a", 3}, pair: op, toFirst: true}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&pairGradOp{opBase: opBase{op.name + "_grad_b", 3}, pair: op, toFirst: false}, inputs[0], inputs[1], grad)
	return G.Nodes{da, db}, err
}

func (op *pairOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), in[0].Shape())
	switch in[0].Dtype() {
	case tensor.Float32:
		a := in[0].Float32s()
		pairInto(op, out.Float32s(), a, in[1].Float32s())
	case tensor.Float64:
		a := in[0].Float64s()
		pairInto(op, out.Float64s(), a, in[1].Float64s())
	}
	return out, nil
}

func pairInto[T Float](op *pairOp, dst, a, b []T) {
	for i := range dst {
		if op.first(float64(a[i]), float64(b[i])) {
			dst[i] = a[i]
		} else {
			dst[i] = b[i]
		}
	}
}

// pairGradOp routes the upstream gradient to one input of a pairOp.
type pairGradOp struct {
	opBase
	pair    *pairOp
	toFirst bool
	out     outBuf
}

func (op *pairGradOp) Type() hm.Type                                     { return sameType(3) }
func (op *pairGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }

func (op *pairGradOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), in[0].Shape())
	switch in[0].Dtype() {
	case tensor.Float32:
		a := in[0].Float32s()
		routeGrad(op, out.Float32s(), a, in[1].Float32s(), in[2].Float32s())
	case tensor.Float64:
		a := in[0].Float64s()
		routeGrad(op, out.Float64s(), a, in[1].Float64s(), in[2].Float64s())
	}
	return out, nil
}

func routeGrad[T Float](op *pairGradOp, dst, a, b, g []T) {
	for i := range dst {
		if op.pair.first(float64(a[i]), float64(b[i])) == op.toFirst {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}

// L2Normalize divides each row of x (rows, d) by its L2 norm along the
// last axis, x / sqrt(max(sum(x²), 1e-12)) as Keras's ops.normalize does.
// The gradient is exact, including rows whose norm is clamped.
func L2Normalize(x *G.Node) (*G.Node, error) {
	if x.Dims() < 1 {
		return nil, errors.Errorf("backend: L2Normalize needs a tensor with an axis, got %v", x.Shape())
	}
	return G.ApplyOp(&l2NormOp{opBase: opBase{"l2_normalize", 1}}, x)
}

const l2NormFloor = 1e-12

type l2NormOp struct {
	opBase
	out outBuf
}

func (op *l2NormOp) Type() hm.Type                                     { return sameType(1) }
func (op *l2NormOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *l2NormOp) DiffWRT(int) []bool                                { return []bool{true} }

func (op *l2NormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&l2NormGradOp{opBase: opBase{"l2_normalize_grad", 2}}, inputs[0], grad)
	return G.Nodes{dx}, err
}

func (op *l2NormOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	_, d := rowsCols(x.Shape())
	switch x.Dtype() {
	case tensor.Float32:
		xs := x.Float32s()
		l2Rows(out.Float32s(), xs, nil, d)
	case tensor.Float64:
		xs := x.Float64s()
		l2Rows(out.Float64s(), xs, nil, d)
	}
	return out, nil
}

// l2Rows writes x/‖x‖ per row into dst, or, given the upstream gradient g,
// the gradient of that with respect to x.
func l2Rows[T Float](dst, x, g []T, d int) {
	for r := 0; r+d <= len(x); r += d {
		row := x[r : r+d]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		clamped := ss < l2NormFloor
		n := math.Sqrt(math.Max(ss, l2NormFloor))
		if g == nil {
			for j, v := range row {
				dst[r+j] = T(float64(v) / n)
			}
			continue
		}
		gr := g[r : r+d]
		if clamped {
			// The norm is the constant floor: the function is x/c.
			for j := range row {
				dst[r+j] = T(float64(gr[j]) / n)
			}
			continue
		}
		// d(x/n)/dx = (I - x xᵀ/n²)/n: g·that = g/n - x (g·x)/n³.
		var gx float64
		for j, v := range row {
			gx += float64(gr[j]) * float64(v)
		}
		for j, v := range row {
			dst[r+j] = T(float64(gr[j])/n - float64(v)*gx/(n*n*n))
		}
	}
}

type l2NormGradOp struct {
	opBase
	out outBuf
}

func (op *l2NormGradOp) Type() hm.Type                                     { return sameType(2) }
func (op *l2NormGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }

func (op *l2NormGradOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	_, d := rowsCols(x.Shape())
	switch x.Dtype() {
	case tensor.Float32:
		xs := x.Float32s()
		l2Rows(out.Float32s(), xs, in[1].Float32s(), d)
	case tensor.Float64:
		xs := x.Float64s()
		l2Rows(out.Float64s(), xs, in[1].Float64s(), d)
	}
	return out, nil
}

// RowDot returns the dot product of each row of a and b, (n, d) each, as
// (n, 1).
func RowDot(a, b *G.Node) (*G.Node, error) {
	if a.Dims() != 2 || !a.Shape().Eq(b.Shape()) || b.Dims() != 2 {
		return nil, errors.Errorf("backend: RowDot needs two (n, d) matrices of one shape, got %v and %v", a.Shape(), b.Shape())
	}
	p, err := G.HadamardProd(a, b)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(p, 1)
	if err != nil {
		return nil, err
	}
	return G.Reshape(s, tensor.Shape{a.Shape()[0], 1})
}
