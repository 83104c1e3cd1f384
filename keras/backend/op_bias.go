package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BiasAdd returns x + b with b (u) added to every row of x (n, u). Its
// gradient is the upstream gradient for x and its column sums for b.
// Gorgonia's BroadcastAdd materialises the repeated bias every step.
func BiasAdd(x, b *G.Node) (*G.Node, error) {
	if x.Dims() != 2 || b.Dims() != 1 || x.Shape()[1] != b.Shape()[0] {
		return nil, errors.Errorf("backend: BiasAdd needs x (n, u) and b (u), got %v and %v", x.Shape(), b.Shape())
	}
	return G.ApplyOp(&biasAddOp{opBase: opBase{"bias_add", 2}}, x, b)
}

type biasAddOp struct {
	opBase
	out outBuf
}

func (op *biasAddOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *biasAddOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *biasAddOp) DiffWRT(int) []bool                                { return []bool{true, true} }

func (op *biasAddOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	db, err := G.ApplyOp(&colSumOp{opBase: opBase{"col_sum", 1}}, grad)
	return G.Nodes{grad, db}, err
}

func (op *biasAddOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x, b := in[0], in[1]
	out := op.out.get(x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		addRows(out.Data().([]float32), xs, b.Data().([]float32))
	case []float64:
		addRows(out.Data().([]float64), xs, b.Data().([]float64))
	}
	return out, nil
}

func addRows[T Float](dst, x, b []T) {
	u := len(b)
	for r := 0; r+u <= len(x); r += u {
		d, s := dst[r:r+u], x[r:r+u]
		for j, bj := range b {
			d[j] = s[j] + bj
		}
	}
}

// colSumOp sums a matrix (n, u) over its rows, giving (u).
type colSumOp struct {
	opBase
	out outBuf
}

func (op *colSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[1]}, nil
}

func (op *colSumOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	u := x.Shape()[1]
	out := op.out.get(x.Dtype(), tensor.Shape{u})
	switch xs := x.Data().(type) {
	case []float32:
		sumRows(out.Data().([]float32), xs)
	case []float64:
		sumRows(out.Data().([]float64), xs)
	}
	return out, nil
}

func sumRows[T Float](dst, x []T) {
	clear(dst)
	u := len(dst)
	for r := 0; r+u <= len(x); r += u {
		for j, v := range x[r : r+u] {
			dst[j] += v
		}
	}
}

// Relu returns max(x, 0). Its gradient is the upstream gradient where the
// output is positive and 0 elsewhere (0 at x = 0, as in TensorFlow). One op
// instead of Gorgonia's three (compare, cast, multiply).
func Relu(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(&reluOp{opBase: opBase{"relu", 1}}, x)
}

type reluOp struct {
	opBase
	out outBuf
}

func (op *reluOp) Type() hm.Type                                     { return sameType(1) }
func (op *reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *reluOp) DiffWRT(int) []bool                                { return []bool{true} }

func (op *reluOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&reluGradOp{opBase: opBase{"relu_grad", 2}}, output, grad)
	return G.Nodes{dx}, err
}

func (op *reluOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	switch xs := x.Data().(type) {
	case []float32:
		relu(out.Data().([]float32), xs)
	case []float64:
		relu(out.Data().([]float64), xs)
	}
	return out, nil
}

func relu[T Float](dst, x []T) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

// reluGradOp passes the upstream gradient where the relu's output is > 0.
type reluGradOp struct {
	opBase
	out outBuf
}

func (op *reluGradOp) Type() hm.Type                                     { return sameType(2) }
func (op *reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }

func (op *reluGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	y, g := in[0], in[1]
	out := op.out.get(y.Dtype(), y.Shape())
	switch ys := y.Data().(type) {
	case []float32:
		reluGrad(out.Data().([]float32), ys, g.Data().([]float32))
	case []float64:
		reluGrad(out.Data().([]float64), ys, g.Data().([]float64))
	}
	return out, nil
}

func reluGrad[T Float](dst, y, g []T) {
	dst, g = dst[:len(y)], g[:len(y)]
	for i, v := range y {
		if v > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}
