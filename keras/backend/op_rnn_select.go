package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rnnSelectOp copies rows [from, from+n) of axis 1 of a (batch, rows,
// units) tape into (batch, n, units), reversed when flip is set, or into
// (batch, units) when squeeze is set (n = 1).
type rnnSelectOp struct {
	opBase
	from, n       int
	flip, squeeze bool
	out           outBuf
}

func (op *rnnSelectOp) Type() hm.Type {
	if op.squeeze {
		return fnType([]int{3}, 2)
	}
	return fnType([]int{3}, 3)
}

func (op *rnnSelectOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	if len(s) != 3 || op.from < 0 || op.from+op.n > s[1] {
		return nil, errors.Errorf("%s: cannot take rows [%d, %d) of %v", op.name, op.from, op.from+op.n, s)
	}
	if op.squeeze {
		return tensor.Shape{s[0], s[2]}, nil
	}
	return tensor.Shape{s[0], op.n, s[2]}, nil
}

func (op *rnnSelectOp) DiffWRT(int) []bool { return []bool{true} }

func (op *rnnSelectOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	s := inputs[0].Shape()
	g := &rnnSelectGradOp{opBase: opBase{op.name + "_grad", 1}, sel: op, shape: s.Clone()}
	d, err := G.ApplyOp(g, grad)
	if err != nil {
		return nil, err
	}
	g.node = d
	return G.Nodes{d}, nil
}

func (op *rnnSelectOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape()
	shape, err := op.InferShape(s)
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(in[0].Dtype(), shape)
	switch src := in[0].Data().(type) {
	case []float32:
		selectRows(out.Data().([]float32), src, s[0], s[1], s[2], op.from, op.n, op.flip, false)
	case []float64:
		selectRows(out.Data().([]float64), src, s[0], s[1], s[2], op.from, op.n, op.flip, false)
	}
	return out, nil
}

// selectRows copies between a (batch, rows, u) tape and a (batch, n, u)
// block starting at row from (reversed with flip); scatter copies the
// block back into a zeroed tape instead.
func selectRows[T Float](blk, tape []T, batch, rows, u, from, n int, flip, scatter bool) {
	for b := 0; b < batch; b++ {
		for k := 0; k < n; k++ {
			r := from + k
			if flip {
				r = from + n - 1 - k
			}
			t := tape[(b*rows+r)*u : (b*rows+r+1)*u]
			x := blk[(b*n+k)*u : (b*n+k+1)*u]
			if scatter {
				copy(t, x)
			} else {
				copy(x, t)
			}
		}
	}
}

// rnnSelectGradOp is the gradient of rnnSelectOp: the upstream gradient
// placed at the selected rows of an otherwise zero tape gradient. When
// nothing else can write into its buffer (readOnlyOutput), the other rows
// stay zero from run to run and only the first run clears them.
type rnnSelectGradOp struct {
	opBase
	sel     *rnnSelectOp
	shape   tensor.Shape
	node    *G.Node
	out     outBuf
	checked bool
	keep    bool
	last    *tensor.Dense
}

func (op *rnnSelectGradOp) Type() hm.Type {
	if op.sel.squeeze {
		return fnType([]int{2}, 3)
	}
	return fnType([]int{3}, 3)
}

func (op *rnnSelectGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.shape.Clone(), nil
}

func (op *rnnSelectGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	s, sel := op.shape, op.sel
	want := tensor.Shape{s[0], sel.n, s[2]}
	if sel.squeeze {
		want = tensor.Shape{s[0], s[2]}
	}
	if !in[0].Shape().Eq(want) {
		return nil, opError(op, errors.Errorf("gradient has shape %v, want %v", in[0].Shape(), want))
	}
	if !op.checked {
		op.keep, op.checked = readOnlyOutput(op.node), true
	}
	out := op.out.get(in[0].Dtype(), s)
	zero := !op.keep || out != op.last
	op.last = out
	switch g := in[0].Data().(type) {
	case []float32:
		d := out.Data().([]float32)
		if zero {
			clear(d)
		}
		selectRows(g, d, s[0], s[1], s[2], sel.from, sel.n, sel.flip, true)
	case []float64:
		d := out.Data().([]float64)
		if zero {
			clear(d)
		}
		selectRows(g, d, s[0], s[1], s[2], sel.from, sel.n, sel.flip, true)
	}
	return out, nil
}

// readOnlyOutput reports whether the value of node, an op's output that the
// op keeps from run to run, is only ever read until the op's next run, so
// that what the op left in it is still there: no consumer may overwrite
// it in place (G.Read copies it out; ops must not overwrite their inputs),
// and no op that calls an external library may produce a value of its
// shape and dtype (Gorgonia's tape machine lets such an op write into a
// register's old buffer when shape and dtype match). Checked once, at the
// first run.
func readOnlyOutput(node *G.Node) bool {
	if node == nil || node.Graph() == nil {
		return false
	}
	g := node.Graph()
	shape := node.Shape()
	for _, n := range g.AllNodes() {
		if n.Op() != nil && n.Op().CallsExtern() && n.Shape().Eq(shape) && n.Dims() == node.Dims() && n.Dtype() == node.Dtype() {
			return false
		}
	}
	to := g.To(node.ID())
	for to.Next() {
		n, ok := to.Node().(*G.Node)
		if !ok || n.Op() == nil {
			return false
		}
		// Arity 0 with an input: a statement (G.Read copies the value).
		if n.Op().OverwritesInput() >= 0 && n.Op().Arity() != 0 {
			return false
		}
	}
	return true
}
