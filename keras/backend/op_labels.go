package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// HingeLabels returns the targets t as -1/+1 labels, the way Keras's hinge
// losses read them: when every element of t is 0 or 1, 2t - 1; otherwise t
// unchanged (taken to be -1/+1 already). The decision covers the whole
// tensor, that is the whole batch, as in Keras. Targets are constants: no
// gradient flows back to t.
func HingeLabels(t *G.Node) (*G.Node, error) {
	return G.ApplyOp(&hingeLabelsOp{opBase: opBase{"hinge_labels", 1}}, t)
}

type hingeLabelsOp struct {
	opBase
	out outBuf
}

func (op *hingeLabelsOp) Type() hm.Type { return sameType(1) }
func (op *hingeLabelsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}
func (op *hingeLabelsOp) DiffWRT(int) []bool { return []bool{false} }
func (op *hingeLabelsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("backend: hinge_labels: targets are not differentiable")
}

func (op *hingeLabelsOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	t := in[0]
	out := op.out.get(t.Dtype(), t.Shape())
	switch t.Dtype() {
	case tensor.Float32:
		ts := t.Float32s()
		hingeLabels(out.Float32s(), ts)
	case tensor.Float64:
		ts := t.Float64s()
		hingeLabels(out.Float64s(), ts)
	}
	return out, nil
}

func hingeLabels[T Float](dst, t []T) {
	binary := true
	for _, v := range t {
		if v != 0 && v != 1 {
			binary = false
			break
		}
	}
	if !binary {
		copy(dst, t)
		return
	}
	for i, v := range t {
		dst[i] = 2*v - 1
	}
}
