package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// splitElems is the number of elements per goroutine below which an
// element-wise op (relu, its gradient, bias addition, column sums) stays
// on one goroutine: handing work to the pool's waiting worker costs about
// a microsecond, and BenchmarkElementwiseSplit on a quiet 2-core AMD EPYC
// (docs/performance.md) has 2^15 elements a goroutine pay (relu of 2^16
// elements 2.0 us split against 2.9 us) and 2^13 lose (1.4 against 0.7).
var splitElems = 1 << 15

// BiasAdd returns x + b with b (u) added to every row of x (n, u). Its
// gradient is the upstream gradient for x and its column sums for b.
// Gorgonia's BroadcastAdd materialises the repeated bias every step.
func BiasAdd(x, b *G.Node) (*G.Node, error) {
	if x.Dims() != 2 || b.Dims() != 1 || x.Shape()[1] != b.Shape()[0] {
		return nil, errors.Errorf("backend: BiasAdd needs x (n, u) and b (u), got %v and %v", x.Shape(), b.Shape())
	}
	return G.ApplyOp(&biasAddOp{opBase: opBase{"bias_add", 2}, x: x, b: b}, x, b)
}

type biasAddOp struct {
	opBase
	x, b *G.Node // the inputs, so that Relu can fuse with the addition
	relu bool    // max(x + b, 0): the fused bias_relu op
	out  outBuf
}

func (op *biasAddOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *biasAddOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *biasAddOp) DiffWRT(int) []bool                                { return []bool{true, true} }

func (op *biasAddOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz := grad
	if op.relu {
		var err error
		if dz, err = G.ApplyOp(&reluGradOp{opBase: opBase{"relu_grad", 2}}, output, grad); err != nil {
			return nil, err
		}
	}
	db, err := G.ApplyOp(&colSumOp{opBase: opBase{"col_sum", 1}}, dz)
	return G.Nodes{dz, db}, err
}

func (op *biasAddOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x, b := in[0], in[1]
	out := op.out.get(x.Dtype(), x.Shape())
	cols := b.Shape().TotalSize()
	if cols == 0 {
		return out, nil
	}
	rows := x.Shape().TotalSize() / cols
	switch x.Dtype() {
	case tensor.Float32:
		biasRowsSplit(out.Float32s(), x.Float32s(), b.Float32s(), rows, op.relu, biasRows32)
	case tensor.Float64:
		biasRowsSplit(out.Float64s(), x.Float64s(), b.Float64s(), rows, op.relu, biasRows[float64])
	}
	return out, nil
}

// biasRowsSplit runs f (x + b row by row, relu or not) over the rows of x,
// in parts on several goroutines when there are enough elements.
func biasRowsSplit[T Float](dst, x, b []T, rows int, relu bool, f func(dst, x, b []T, relu bool)) {
	cols := len(b)
	w := workersForSize(rows*cols, splitElems)
	if w == 1 {
		f(dst[:rows*cols], x[:rows*cols], b, relu)
		return
	}
	fanOut(w, func(q int) {
		lo, hi := part(rows, w, q, 1)
		f(dst[lo*cols:hi*cols], x[lo*cols:hi*cols], b, relu)
	})
}

// biasRows writes x + b (then relu when asked) row by row.
func biasRows[T Float](dst, x, b []T, relu bool) {
	cols := len(b)
	for r := 0; r+cols <= len(x); r += cols {
		addRow(dst[r:r+cols], x[r:r+cols], b, relu)
	}
}

// addRow writes x + b, or max(x + b, 0) with relu, into dst.
func addRow[T Float](dst, x, b []T, relu bool) {
	dst, x = dst[:len(b)], x[:len(b)]
	for j, bj := range b {
		v := x[j] + bj
		if relu && !(v > 0) {
			v = 0
		}
		dst[j] = v
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
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	rows, cols := x.Shape()[0], x.Shape()[1]
	out := op.out.getVec(x.Dtype(), cols)
	switch x.Dtype() {
	case tensor.Float32:
		colSumsSplit(out.Float32s(), x.Float32s(), rows, cols, colSums32)
	case tensor.Float64:
		colSumsSplit(out.Float64s(), x.Float64s(), rows, cols, colSums[float64])
	}
	return out, nil
}

// colSumsSplit sums the columns of x (rows, cols) into dst with f, blocks
// of columns on several goroutines when the matrix is large. Each column
// is summed in row order either way.
func colSumsSplit[T Float](dst, x []T, rows, cols int, f func(dst, x []T, rows, cols, lo, hi int)) {
	w := min(workersForSize(rows*cols, splitElems), cols/8)
	if w <= 1 {
		f(dst, x, rows, cols, 0, cols)
		return
	}
	fanOut(w, func(q int) {
		lo, hi := part(cols, w, q, 8)
		f(dst, x, rows, cols, lo, hi)
	})
}

// colSums writes the sums of columns lo..hi-1 of x (rows, cols) into
// dst[lo:hi], adding in row order starting from 0.
func colSums[T Float](dst, x []T, rows, cols, lo, hi int) {
	d := dst[lo:hi]
	clear(d)
	for r := 0; r < rows; r++ {
		for j, v := range x[r*cols+lo : r*cols+hi] {
			d[j] += v
		}
	}
}

// Relu returns max(x, 0). Its gradient is the upstream gradient where the
// output is positive and 0 elsewhere (0 at x = 0, as in TensorFlow). One op
// instead of Gorgonia's three (compare, cast, multiply). Applied to the
// result of BiasAdd it becomes one fused op, max(x + b, 0), which reads
// and writes the activations once instead of twice (same values, same
// gradients).
func Relu(x *G.Node) (*G.Node, error) {
	if ba, ok := x.Op().(*biasAddOp); ok && !ba.relu && ba.x != nil {
		return G.ApplyOp(&biasAddOp{opBase: opBase{"bias_relu", 2}, x: ba.x, b: ba.b, relu: true}, ba.x, ba.b)
	}
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
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	n := x.Shape().TotalSize()
	switch x.Dtype() {
	case tensor.Float32:
		split2(out.Float32s()[:n], x.Float32s()[:n], relu32)
	case tensor.Float64:
		split2(out.Float64s()[:n], x.Float64s()[:n], relu[float64])
	}
	return out, nil
}

// split2 runs f(dst, x) over parts of the slices (each a multiple of 8
// elements but the last), on several goroutines when they are long.
func split2[T Float](dst, x []T, f func(dst, x []T)) {
	w := workersForSize(len(x), splitElems)
	if w == 1 {
		f(dst, x)
		return
	}
	fanOut(w, func(q int) {
		lo, hi := part(len(x), w, q, 8)
		f(dst[lo:hi], x[lo:hi])
	})
}

// split3 is split2 for f(dst, a, b).
func split3[T Float](dst, a, b []T, f func(dst, a, b []T)) {
	w := workersForSize(len(a), splitElems)
	if w == 1 {
		f(dst, a, b)
		return
	}
	fanOut(w, func(q int) {
		lo, hi := part(len(a), w, q, 8)
		f(dst[lo:hi], a[lo:hi], b[lo:hi])
	})
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
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	y, g := in[0], in[1]
	out := op.out.get(y.Dtype(), y.Shape())
	n := y.Shape().TotalSize()
	switch y.Dtype() {
	case tensor.Float32:
		split3(out.Float32s()[:n], y.Float32s()[:n], g.Float32s()[:n], reluGrad32)
	case tensor.Float64:
		split3(out.Float64s()[:n], y.Float64s()[:n], g.Float64s()[:n], reluGrad[float64])
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

// addRows writes x + b with b added to every row of x (the convolution
// ops' bias epilogue calls it), float32 through the AVX kernel (one
// addition per element either way, so the same bits).
//
//lint:ignore U1000 the convolution ops (op_conv_kernels.go) call it
func addRows[T Float](dst, x, b []T) {
	if d, ok := any(dst).([]float32); ok {
		biasRows32(d, any(x).([]float32), any(b).([]float32), false)
		return
	}
	biasRows(dst, x, b, false)
}
