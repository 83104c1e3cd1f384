package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReshapeCopy returns x with a new shape of the same size, copied into a
// buffer the op reuses every run. Gorgonia's Reshape returns a view of x:
// an elementwise op that the tape machine runs in place on that view (a
// HadamardProd whose result is not needed for a gradient, say) writes into
// x itself, which may still be live (another layer's output the backward
// pass reads). Layers that reshape around arbitrary other layers
// (TimeDistributed) use this instead. Its gradient is the upstream
// gradient reshaped back, the same way.
func ReshapeCopy(x *G.Node, shape tensor.Shape) (*G.Node, error) {
	if x == nil {
		return nil, errors.New("backend: ReshapeCopy: nil input")
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return nil, errors.Wrap(err, "backend: ReshapeCopy")
	}
	if len(shape) == 0 || shape.TotalSize() != x.Shape().TotalSize() {
		return nil, errors.Errorf("backend: ReshapeCopy: cannot reshape %v (%d values) to %v", x.Shape(), x.Shape().TotalSize(), shape)
	}
	for _, d := range shape {
		if d < 1 {
			return nil, errors.Errorf("backend: ReshapeCopy: shape %v has a dimension < 1", shape)
		}
	}
	op := &reshapeCopyOp{opBase: opBase{fmt.Sprintf("reshape_copy%v->%v", x.Shape(), shape), 1},
		from: x.Shape().Clone(), to: shape.Clone(), inDims: x.Dims()}
	return G.ApplyOp(op, x)
}

type reshapeCopyOp struct {
	opBase
	from, to tensor.Shape
	inDims   int
	out      outBuf
}

func (op *reshapeCopyOp) Type() hm.Type { return fnType([]int{op.inDims}, len(op.to)) }

func (op *reshapeCopyOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.to.Clone(), nil }

func (op *reshapeCopyOp) DiffWRT(int) []bool { return []bool{true} }

func (op *reshapeCopyOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	back := &reshapeCopyOp{opBase: opBase{op.name + "_grad", 1}, from: op.to.Clone(), to: op.from.Clone(), inDims: len(op.to)}
	d, err := G.ApplyOp(back, grad)
	return G.Nodes{d}, err
}

func (op *reshapeCopyOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	if x.Shape().TotalSize() != op.to.TotalSize() {
		return nil, opError(op, errors.Errorf("input has shape %v, the graph was built for %v", x.Shape(), op.from))
	}
	if x.IsView() {
		m, ok := x.Materialize().(*tensor.Dense)
		if !ok {
			return nil, opError(op, errors.New("cannot materialise the input view"))
		}
		x = m
	}
	out := op.out.get(x.Dtype(), op.to)
	switch d := out.Data().(type) {
	case []float32:
		copy(d, x.Data().([]float32))
	case []float64:
		copy(d, x.Data().([]float64))
	}
	return out, nil
}
