package backend

import (
	"fmt"
	"hash"
	"hash/fnv"
	"io"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// opBase carries the parts of Gorgonia's Op interface that every custom op
// here shares: a name that includes all parameters (it is the op's hash, so
// two ops with different parameters never merge), no in-place tricks, no
// cgo.
type opBase struct {
	name  string
	arity int
}

func (o opBase) Arity() int            { return o.arity }
func (o opBase) ReturnsPtr() bool      { return false }
func (o opBase) CallsExtern() bool     { return false }
func (o opBase) OverwritesInput() int  { return -1 }
func (o opBase) String() string        { return o.name }
func (o opBase) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, "gokeras."+o.name) }
func (o opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}

// sameType is the type of an op whose inputs and output all share one type.
func sameType(arity int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, arity+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}

// rowLossType is the type of an op taking arity matrices of one dtype and
// returning a vector (one loss per row).
func rowLossType(arity int) hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	ts := make([]hm.Type, arity+1)
	for i := 0; i < arity; i++ {
		ts[i] = m
	}
	ts[arity] = G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(ts...)
}

func firstShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) == 0 {
		return nil, errors.New("no inputs")
	}
	s, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, errors.Errorf("input 0 has no shape (%T)", inputs[0])
	}
	return s.Clone(), nil
}

// dense returns the *tensor.Dense behind a Value.
func dense(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, errors.Errorf("expected a dense tensor, got %T", v)
	}
	return d, nil
}

// denses checks the arity and returns the inputs as dense tensors of one
// float dtype. The ops here use densesInto; the convolution ops call it.
//
//lint:ignore U1000 the convolution ops (op_conv_params.go's plainDenses) call it
func denses(op G.Op, inputs []G.Value) ([]*tensor.Dense, error) {
	return densesInto(make([]*tensor.Dense, 0, len(inputs)), op, inputs)
}

// inputBuf holds an op's inputs on the caller's stack (no op here takes
// more than four), so that a run allocates nothing for them.
type inputBuf [4]*tensor.Dense

// densesInto is denses appending to buf: with buf[:0] of an inputBuf on
// the stack it allocates nothing.
func densesInto(buf []*tensor.Dense, op G.Op, inputs []G.Value) ([]*tensor.Dense, error) {
	if len(inputs) != op.Arity() {
		return nil, errors.Errorf("%v: got %d inputs, want %d", op, len(inputs), op.Arity())
	}
	out := buf[:0]
	for _, v := range inputs {
		d, err := dense(v)
		if err != nil {
			return nil, errors.Wrapf(err, "%v: input %d", op, len(out))
		}
		out = append(out, d)
	}
	for i, d := range out {
		if i > 0 && d.Dtype() != out[0].Dtype() {
			return nil, errors.Errorf("%v: input %d is %v, input 0 is %v", op, i, d.Dtype(), out[0].Dtype())
		}
	}
	if err := checkFloatDtype(out[0].Dtype()); err != nil {
		return nil, errors.Wrapf(err, "%v", op)
	}
	return out, nil
}

// like allocates a zeroed tensor with the given shape and dtype.
func like(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape.Clone()...), tensor.Of(dt))
}

// rowsCols views a shape as (rows, cols) with cols the last axis.
func rowsCols(s tensor.Shape) (int, int) {
	if len(s) == 0 {
		return 1, 1
	}
	cols := s[len(s)-1]
	if cols == 0 {
		return 0, 0
	}
	return s.TotalSize() / cols, cols
}

func opError(op fmt.Stringer, err error) error {
	return errors.Wrapf(err, "backend: op %v", op)
}

// outBuf is an op's output buffer, allocated on the first run and reused
// by every later run of the same graph, so a step allocates nothing.
//
// Reusing is safe with Gorgonia's tape machine: an op here never
// implements UsePreallocDoer or overwrites its inputs, so the machine
// only ever gets this buffer back from Do; another op may write into it
// only after the machine's liveness analysis has found the value dead
// for the rest of the run; and results are copied out with G.Read.
type outBuf struct{ t *tensor.Dense }

// getVec is get for the shape (n), without building the shape.
func (o *outBuf) getVec(dt tensor.Dtype, n int) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || o.t.Dims() != 1 || o.t.Shape()[0] != n {
		o.t = like(dt, tensor.Shape{n})
	}
	return o.t
}

// getMat is get for the shape (r, c), without building the shape.
func (o *outBuf) getMat(dt tensor.Dtype, r, c int) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || o.t.Dims() != 2 || o.t.Shape()[0] != r || o.t.Shape()[1] != c {
		o.t = like(dt, tensor.Shape{r, c})
	}
	return o.t
}

func (o *outBuf) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if o.t == nil || o.t.Dtype() != dt || !o.t.Shape().Eq(shape) || o.t.Dims() != len(shape) {
		o.t = like(dt, shape)
	}
	return o.t
}
