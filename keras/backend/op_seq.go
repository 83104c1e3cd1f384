package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Masking returns x with every step whose features all equal maskValue
// set to zero: out = x * any(x != maskValue, last axis), Keras's Masking
// layer (keras/src/layers/core/masking.py). x is (batch, ..., features)
// with rank >= 2. The gradient passes where the step is kept and is zero
// where it is masked. A NaN maskValue masks nothing (NaN != NaN, as in
// numpy and Keras). MaskingMask gives the mask itself for the layers
// downstream.
func Masking(x *G.Node, maskValue float64) (*G.Node, error) {
	if err := checkMaskingInput(x); err != nil {
		return nil, errors.Wrap(err, "backend: Masking")
	}
	return G.ApplyOp(&maskingOp{opBase: opBase{fmt.Sprintf("masking(%v)", maskValue), 1}, value: maskValue, dims: x.Dims()}, x)
}

// MaskingMask returns any(x != maskValue) over the last axis of x as 0/1
// values of x's dtype, shape x.shape[:-1]: (batch, timesteps) for a
// sequence, what Recurrent takes as its Mask. It has no gradient.
func MaskingMask(x *G.Node, maskValue float64) (*G.Node, error) {
	if err := checkMaskingInput(x); err != nil {
		return nil, errors.Wrap(err, "backend: MaskingMask")
	}
	return G.ApplyOp(&maskingOp{opBase: opBase{fmt.Sprintf("masking_mask(%v)", maskValue), 1}, value: maskValue, maskOnly: true, dims: x.Dims()}, x)
}

func checkMaskingInput(x *G.Node) error {
	if x == nil {
		return errors.New("nil input")
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return err
	}
	if x.Dims() < 2 || x.Shape().TotalSize() < 1 {
		return errors.Errorf("input must be (batch, ..., features), got shape %v", x.Shape())
	}
	return nil
}

type maskingOp struct {
	opBase
	value    float64
	maskOnly bool
	dims     int
	out      outBuf
}

func (op *maskingOp) Type() hm.Type {
	if op.maskOnly {
		return fnType([]int{op.dims}, op.dims-1)
	}
	return sameType(1)
}

func (op *maskingOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil || !op.maskOnly {
		return s, err
	}
	return s[:len(s)-1].Clone(), nil
}

func (op *maskingOp) DiffWRT(int) []bool { return []bool{!op.maskOnly} }

func (op *maskingOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.maskOnly {
		return nil, errors.New("backend: MaskingMask: a mask is not differentiable")
	}
	g := &maskingGradOp{opBase: opBase{op.name + "_grad", 2}, value: op.value}
	dx, err := G.ApplyOp(g, inputs[0], grad)
	return G.Nodes{dx}, err
}

func (op *maskingOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	shape, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(x.Dtype(), shape)
	switch xs := x.Data().(type) {
	case []float32:
		maskSteps(out.Data().([]float32), xs, xs, x.Shape()[x.Dims()-1], float32(op.value), op.maskOnly)
	case []float64:
		maskSteps(out.Data().([]float64), xs, xs, x.Shape()[x.Dims()-1], op.value, op.maskOnly)
	}
	return out, nil
}

// maskSteps: for each step (row of f features) of x, kept = any(x != v).
// With maskOnly dst[step] = kept; otherwise dst's row is src's row where
// kept and zero elsewhere.
func maskSteps[T Float](dst, x, src []T, f int, v T, maskOnly bool) {
	for r := 0; r*f < len(x); r++ {
		row := x[r*f : (r+1)*f]
		keep := false
		for _, e := range row {
			if e != v {
				keep = true
				break
			}
		}
		switch {
		case maskOnly && keep:
			dst[r] = 1
		case maskOnly:
			dst[r] = 0
		case keep:
			copy(dst[r*f:(r+1)*f], src[r*f:(r+1)*f])
		default:
			clear(dst[r*f : (r+1)*f])
		}
	}
}

type maskingGradOp struct {
	opBase
	value float64
	out   outBuf
}

func (op *maskingGradOp) Type() hm.Type                                     { return sameType(2) }
func (op *maskingGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }

func (op *maskingGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x, g := in[0], in[1]
	if !x.Shape().Eq(g.Shape()) {
		return nil, opError(op, errors.Errorf("gradient %v for input %v", g.Shape(), x.Shape()))
	}
	out := op.out.get(x.Dtype(), x.Shape())
	f := x.Shape()[x.Dims()-1]
	switch xs := x.Data().(type) {
	case []float32:
		maskSteps(out.Data().([]float32), xs, g.Data().([]float32), f, float32(op.value), false)
	case []float64:
		maskSteps(out.Data().([]float64), xs, g.Data().([]float64), f, op.value, false)
	}
	return out, nil
}

// RepeatVector returns x (batch, features) repeated n times along a new
// axis 1: (batch, n, features), Keras's RepeatVector. Its gradient sums
// the n copies.
func RepeatVector(x *G.Node, n int) (*G.Node, error) {
	if x == nil || x.Dims() != 2 {
		return nil, errors.Errorf("backend: RepeatVector: input must be (batch, features), got %v", shapeOf(x))
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return nil, errors.Wrap(err, "backend: RepeatVector")
	}
	if n < 1 || float64(n)*float64(x.Shape().TotalSize()) > maxRNNElems {
		return nil, errors.Errorf("backend: RepeatVector: n must be >= 1 and the output under 2^31 elements, got n=%d for %v", n, x.Shape())
	}
	return G.ApplyOp(&repeatOp{opBase: opBase{fmt.Sprintf("repeat_vector(%d)", n), 1}, n: n}, x)
}

type repeatOp struct {
	opBase
	n   int
	sum bool // the gradient: (batch, n, f) summed over axis 1
	out outBuf
}

func (op *repeatOp) Type() hm.Type {
	if op.sum {
		return fnType([]int{3}, 2)
	}
	return fnType([]int{2}, 3)
}

func (op *repeatOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	if op.sum {
		return tensor.Shape{s[0], s[2]}, nil
	}
	return tensor.Shape{s[0], op.n, s[1]}, nil
}

func (op *repeatOp) DiffWRT(int) []bool { return []bool{true} }

func (op *repeatOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&repeatOp{opBase: opBase{op.name + "_grad", 1}, n: op.n, sum: true}, grad)
	return G.Nodes{d}, err
}

func (op *repeatOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	shape, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(x.Dtype(), shape)
	b, f := shape[0], shape[len(shape)-1]
	switch xs := x.Data().(type) {
	case []float32:
		repeatRows(out.Data().([]float32), xs, b, op.n, f, op.sum)
	case []float64:
		repeatRows(out.Data().([]float64), xs, b, op.n, f, op.sum)
	}
	return out, nil
}

func repeatRows[T Float](dst, x []T, b, n, f int, sum bool) {
	for i := 0; i < b; i++ {
		if sum {
			d := dst[i*f : (i+1)*f]
			copy(d, x[i*n*f:i*n*f+f])
			for k := 1; k < n; k++ {
				addTo(d, x[(i*n+k)*f:(i*n+k+1)*f])
			}
			continue
		}
		for k := 0; k < n; k++ {
			copy(dst[(i*n+k)*f:(i*n+k+1)*f], x[i*f:(i+1)*f])
		}
	}
}

// Permute reorders the non-batch axes of x as Keras's Permute layer does:
// dims is a permutation of 1..rank-1 (1-based, the batch axis stays
// first), so Permute(x, []int{2, 1}) turns (batch, a, b) into
// (batch, b, a). The output is written into a buffer reused every run;
// the gradient is the inverse permutation. Gorgonia's Transpose gives the
// same values but materialises a new tensor every run.
func Permute(x *G.Node, dims []int) (*G.Node, error) {
	if x == nil || x.Dims() < 2 {
		return nil, errors.Errorf("backend: Permute: input must have a batch axis and at least one more, got %v", shapeOf(x))
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return nil, errors.Wrap(err, "backend: Permute")
	}
	r := x.Dims()
	if len(dims) != r-1 {
		return nil, errors.Errorf("backend: Permute: dims %v must be a permutation of 1..%d for input %v", dims, r-1, x.Shape())
	}
	perm := make([]int, r) // output axis i reads input axis perm[i]
	seen := make([]bool, r)
	for i, d := range dims {
		if d < 1 || d >= r || seen[d] {
			return nil, errors.Errorf("backend: Permute: dims %v must be a permutation of 1..%d for input %v", dims, r-1, x.Shape())
		}
		seen[d] = true
		perm[i+1] = d
	}
	return G.ApplyOp(&permuteOp{opBase: opBase{fmt.Sprintf("permute%v", dims), 1}, perm: perm}, x)
}

type permuteOp struct {
	opBase
	perm []int
	out  outBuf
}

func (op *permuteOp) Type() hm.Type { return fnType([]int{len(op.perm)}, len(op.perm)) }

func (op *permuteOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	if len(s) != len(op.perm) {
		return nil, errors.Errorf("%s: input %v has rank %d, want %d", op.name, s, len(s), len(op.perm))
	}
	out := make(tensor.Shape, len(s))
	for i, p := range op.perm {
		out[i] = s[p]
	}
	return out, nil
}

func (op *permuteOp) DiffWRT(int) []bool { return []bool{true} }

func (op *permuteOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	inv := make([]int, len(op.perm))
	for i, p := range op.perm {
		inv[p] = i
	}
	d, err := G.ApplyOp(&permuteOp{opBase: opBase{op.name + "_grad", 1}, perm: inv}, grad)
	return G.Nodes{d}, err
}

func (op *permuteOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	shape, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(x.Dtype(), shape)
	switch xs := x.Data().(type) {
	case []float32:
		permuteInto(out.Data().([]float32), xs, x.Shape(), op.perm)
	case []float64:
		permuteInto(out.Data().([]float64), xs, x.Shape(), op.perm)
	}
	return out, nil
}

// permuteInto writes dst[i0, i1, ...] = src[j] where output axis k runs
// over input axis perm[k]. The innermost output axis is copied as a
// strided run.
func permuteInto[T Float](dst, src []T, shape tensor.Shape, perm []int) {
	r := len(shape)
	inStride := make([]int, r)
	st := 1
	for k := r - 1; k >= 0; k-- {
		inStride[k] = st
		st *= shape[k]
	}
	outShape := make([]int, r)
	stride := make([]int, r) // input stride of each output axis
	for k, p := range perm {
		outShape[k] = shape[p]
		stride[k] = inStride[p]
	}
	inner, innerStride := outShape[r-1], stride[r-1]
	idx := make([]int, r-1)
	off := 0
	for o := 0; o < len(dst); o += inner {
		d := dst[o : o+inner]
		for j := range d {
			d[j] = src[off+j*innerStride]
		}
		// Advance the outer output index (odometer) and the input offset.
		for k := r - 2; k >= 0; k-- {
			idx[k]++
			off += stride[k]
			if idx[k] < outShape[k] {
				break
			}
			off -= stride[k] * outShape[k]
			idx[k] = 0
		}
	}
}

// MergeMode is how Bidirectional combines its forward and backward
// outputs (Keras's merge_mode).
type MergeMode string

const (
	// MergeConcat concatenates along the last axis (Keras's default).
	MergeConcat MergeMode = "concat"
	// MergeSum adds the two outputs.
	MergeSum MergeMode = "sum"
	// MergeMul multiplies them elementwise.
	MergeMul MergeMode = "mul"
	// MergeAve averages them: (a + b) / 2.
	MergeAve MergeMode = "ave"
)

// Merge combines two outputs of one shape (batch, ..., units) as
// Bidirectional's merge_mode does: concat gives (batch, ..., 2*units) with
// a's units first, the others a's shape. One op with a reused output
// buffer and exact gradients. (Gorgonia's own Concat, Add, HadamardProd
// and Mul give the same values and gradients, each allocating its result
// every run.)
func Merge(mode MergeMode, a, b *G.Node) (*G.Node, error) {
	switch mode {
	case MergeConcat, MergeSum, MergeMul, MergeAve:
	default:
		return nil, errors.Errorf("backend: Merge: unknown merge mode %q (want concat, sum, mul or ave)", mode)
	}
	if a == nil || b == nil || !a.Shape().Eq(b.Shape()) || a.Dims() != b.Dims() || a.Dims() < 1 || a.IsScalar() {
		return nil, errors.Errorf("backend: Merge %s: inputs must be tensors of one shape, got %v and %v", mode, shapeOf(a), shapeOf(b))
	}
	if a.Dtype() != b.Dtype() {
		return nil, errors.Errorf("backend: Merge %s: inputs are %v and %v", mode, a.Dtype(), b.Dtype())
	}
	if err := checkFloatDtype(a.Dtype()); err != nil {
		return nil, errors.Wrapf(err, "backend: Merge %s", mode)
	}
	return G.ApplyOp(&mergeOp{opBase: opBase{"merge_" + string(mode), 2}, mode: mode, grad: -1}, a, b)
}

// mergeOp is a merge (grad < 0), or the gradient of one input of a merge
// (grad 0 or 1; inputs a, b and the upstream gradient).
type mergeOp struct {
	opBase
	mode MergeMode
	grad int
	out  outBuf
}

func (op *mergeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	if op.grad >= 0 {
		return hm.NewFnType(a, a, a, a)
	}
	return hm.NewFnType(a, a, a)
}

func (op *mergeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	if op.mode == MergeConcat && op.grad < 0 {
		s[len(s)-1] *= 2
	}
	return s, nil
}

func (op *mergeOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *mergeOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, 2)
	for i := range res {
		g := &mergeOp{opBase: opBase{fmt.Sprintf("%s_grad%d", op.name, i), 3}, mode: op.mode, grad: i}
		d, err := G.ApplyOp(g, inputs[0], inputs[1], grad)
		if err != nil {
			return nil, err
		}
		res[i] = d
	}
	return res, nil
}

func (op *mergeOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if !a.Shape().Eq(b.Shape()) {
		return nil, opError(op, errors.Errorf("inputs %v and %v differ", a.Shape(), b.Shape()))
	}
	shape, err := op.InferShape(a.Shape())
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(a.Dtype(), shape)
	u := a.Shape()[a.Dims()-1]
	switch av := a.Data().(type) {
	case []float32:
		var g []float32
		if op.grad >= 0 {
			g = in[2].Data().([]float32)
		}
		mergeKernel(op.mode, op.grad, out.Data().([]float32), av, b.Data().([]float32), g, u)
	case []float64:
		var g []float64
		if op.grad >= 0 {
			g = in[2].Data().([]float64)
		}
		mergeKernel(op.mode, op.grad, out.Data().([]float64), av, b.Data().([]float64), g, u)
	}
	return out, nil
}

func mergeKernel[T Float](mode MergeMode, grad int, dst, a, b, g []T, u int) {
	other := a
	if grad == 0 {
		other = b
	}
	switch {
	case mode == MergeConcat && grad < 0:
		for r := 0; r*u < len(a); r++ {
			copy(dst[2*r*u:], a[r*u:(r+1)*u])
			copy(dst[(2*r+1)*u:], b[r*u:(r+1)*u])
		}
	case mode == MergeConcat:
		for r := 0; r*u < len(a); r++ {
			copy(dst[r*u:(r+1)*u], g[(2*r+grad)*u:(2*r+grad+1)*u])
		}
	case grad < 0:
		for i := range dst {
			switch mode {
			case MergeSum:
				dst[i] = a[i] + b[i]
			case MergeMul:
				dst[i] = a[i] * b[i]
			case MergeAve:
				dst[i] = (a[i] + b[i]) / 2
			}
		}
	default:
		for i := range dst {
			switch mode {
			case MergeSum:
				dst[i] = g[i]
			case MergeMul:
				dst[i] = g[i] * other[i]
			case MergeAve:
				dst[i] = g[i] / 2
			}
		}
	}
}
