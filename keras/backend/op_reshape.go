package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape returns x with the shape to (the same elements in the same
// order; one dimension may be -1, inferred from the others). The result
// shares x's memory, like Gorgonia's Reshape, but its header is made once
// and reused while x's buffer stays the same, where Gorgonia's clones a
// tensor header (five allocations) on every run. Its gradient reshapes the
// upstream gradient back.
func Reshape(x *G.Node, to tensor.Shape) (*G.Node, error) {
	to = to.Clone()
	infer, known := -1, 1
	for i, d := range to {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 1:
			return nil, errors.Errorf("backend: Reshape: invalid target shape %v", to)
		default:
			known *= d
		}
	}
	total := x.Shape().TotalSize()
	if infer >= 0 {
		if known == 0 || total%known != 0 {
			return nil, errors.Errorf("backend: Reshape: cannot reshape %v to %v", x.Shape(), to)
		}
		to[infer] = total / known
	}
	if to.TotalSize() != total {
		return nil, errors.Errorf("backend: Reshape: %v has %d elements, %v %d", x.Shape(), total, to, to.TotalSize())
	}
	from := x.Shape().Clone()
	op := &reshapeOp{opBase: opBase{fmt.Sprintf("reshape(%v->%v)", from, to), 1}, from: from, to: to}
	return G.ApplyOp(op, x)
}

type reshapeOp struct {
	opBase
	from, to tensor.Shape
	// The last input and the view made of it.
	src  *tensor.Dense
	base uintptr
	view *tensor.Dense
}

// ReturnsPtr and OverwritesInput are those of Gorgonia's own reshape: the
// result aliases the input, and the compiler keeps the input alive while
// the result is.
func (op *reshapeOp) ReturnsPtr() bool     { return true }
func (op *reshapeOp) OverwritesInput() int { return 0 }

func (op *reshapeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.from), Of: a}, G.TensorType{Dims: len(op.to), Of: a})
}

func (op *reshapeOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }
func (op *reshapeOp) DiffWRT(int) []bool                             { return []bool{true} }

func (op *reshapeOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := Reshape(grad, op.from)
	return G.Nodes{dx}, err
}

func (op *reshapeOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if x.Shape().TotalSize() != op.to.TotalSize() {
		return nil, opError(op, errors.Errorf("input has shape %v", x.Shape()))
	}
	if x.IsView() {
		// A strided view has no memory of its own to share.
		x = x.Materialize().(*tensor.Dense)
	}
	base := x.Uintptr()
	// Another op may have reshaped the view in place (Gorgonia's own
	// reshape does, through UnsafeDo): reuse it only as it was made.
	if op.view != nil && op.src == x && op.base == base && op.view.Dtype() == x.Dtype() && exactShape(op.view.Shape(), op.to) {
		return op.view, nil
	}
	n := op.to.TotalSize()
	var v *tensor.Dense
	switch x.Dtype() {
	case tensor.Float32:
		v = tensor.New(tensor.WithShape(op.to.Clone()...), tensor.WithBacking(x.Float32s()[:n]))
	case tensor.Float64:
		v = tensor.New(tensor.WithShape(op.to.Clone()...), tensor.WithBacking(x.Float64s()[:n]))
	}
	op.src, op.base, op.view = x, base, v
	return v, nil
}

// exactShape reports whether a and b are the same dimensions (unlike
// Shape.Eq, (n) differs from (1, n)).
func exactShape(a, b tensor.Shape) bool {
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
