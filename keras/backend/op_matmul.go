package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gemm"
)

// MatMul returns op(a)·op(b) for matrices a and b, where op transposes
// when transA / transB is set. It writes into a buffer it reuses every
// run, and its gradient is two more MatMuls. Gorgonia's own Mul allocates
// and zeroes its output every step.
//
// The product is computed by gokeras's own GEMM (AVX-512 or AVX2+FMA
// assembly kernels chosen at run time, no cgo), unless a BLAS has been
// registered with gonum's blas32.Use (float32) or blas64.Use (float64),
// e.g. OpenBLAS through gonum.org/v1/netlib: a registered BLAS is always
// called. On CPUs without AVX2 and FMA gonum's default BLAS is used.
func MatMul(a, b *G.Node, transA, transB bool) (*G.Node, error) {
	if a.Dims() != 2 || b.Dims() != 2 {
		return nil, errors.Errorf("backend: MatMul needs matrices, got %v and %v", a.Shape(), b.Shape())
	}
	op := &matMulOp{opBase: opBase{fmt.Sprintf("matmul(%v,%v)", transA, transB), 2}, ta: transA, tb: transB}
	if _, err := op.InferShape(a.Shape(), b.Shape()); err != nil {
		return nil, errors.Wrap(err, "backend: MatMul")
	}
	return G.ApplyOp(op, a, b)
}

type matMulOp struct {
	opBase
	ta, tb bool
	out    outBuf
}

func (op *matMulOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(m, m, m)
}

// dims returns (m, k) of op(a) and (k, n) of op(b).
func (op *matMulOp) dims(a, b tensor.Shape) (m, k, kb, n int) {
	m, k = a[0], a[1]
	if op.ta {
		m, k = k, m
	}
	kb, n = b[0], b[1]
	if op.tb {
		kb, n = n, kb
	}
	return
}

func (op *matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, errors.New("matmul needs two inputs")
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(a) != 2 || len(b) != 2 {
		return nil, errors.Errorf("matmul needs two matrix shapes, got %v and %v", in[0], in[1])
	}
	m, k, kb, n := op.dims(a, b)
	if k != kb {
		return nil, errors.Errorf("matmul: inner dimensions differ: %v%s · %v%s", a, tstr(op.ta), b, tstr(op.tb))
	}
	return tensor.Shape{m, n}, nil
}

func tstr(t bool) string {
	if t {
		return "ᵀ"
	}
	return ""
}

func (op *matMulOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff: for C = op(A)·op(B) with upstream G,
//
//	A·B:   dA = G·Bᵀ   dB = Aᵀ·G
//	Aᵀ·B:  dA = B·Gᵀ   dB = A·G
//	A·Bᵀ:  dA = G·B    dB = Gᵀ·A
//	Aᵀ·Bᵀ: dA = Bᵀ·Gᵀ  dB = Gᵀ·Aᵀ
func (op *matMulOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	a, b := inputs[0], inputs[1]
	var da, db *G.Node
	var err error
	mm := func(x, y *G.Node, tx, ty bool) *G.Node {
		if err != nil {
			return nil
		}
		var n *G.Node
		n, err = MatMul(x, y, tx, ty)
		return n
	}
	switch {
	case !op.ta && !op.tb:
		da, db = mm(grad, b, false, true), mm(a, grad, true, false)
	case op.ta && !op.tb:
		da, db = mm(b, grad, false, true), mm(a, grad, false, false)
	case !op.ta && op.tb:
		da, db = mm(grad, b, false, false), mm(grad, a, true, false)
	default:
		da, db = mm(b, grad, true, true), mm(grad, a, true, true)
	}
	return G.Nodes{da, db}, err
}

func (op *matMulOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	as, bs := a.Shape(), b.Shape()
	if len(as) != 2 || len(bs) != 2 {
		return nil, opError(op, errors.Errorf("matmul needs two matrices, got %v and %v", as, bs))
	}
	m, k, kb, n := op.dims(as, bs)
	if k != kb {
		return nil, opError(op, errors.Errorf("matmul: inner dimensions differ: %v%s · %v%s", as, tstr(op.ta), bs, tstr(op.tb)))
	}
	out := op.out.getMat(a.Dtype(), m, n)
	ta, tb := blas.NoTrans, blas.NoTrans
	if op.ta {
		ta = blas.Trans
	}
	if op.tb {
		tb = blas.Trans
	}
	lda, ldb := as[1], bs[1]
	switch a.Dtype() {
	case tensor.Float32:
		ad, bd, cd := a.Float32s(), b.Float32s(), out.Float32s()
		if impl := blas32.Implementation(); !ownGEMM(impl) {
			impl.Sgemm(ta, tb, m, n, k, 1, ad, lda, bd, ldb, 0, cd, n)
			break
		}
		gemm.Sgemm(op.ta, op.tb, m, n, k, 1, ad, lda, bd, ldb, 0, cd, n)
	case tensor.Float64:
		ad, bd, cd := a.Float64s(), b.Float64s(), out.Float64s()
		if impl := blas64.Implementation(); !ownGEMM(impl) {
			impl.Dgemm(ta, tb, m, n, k, 1, ad, lda, bd, ldb, 0, cd, n)
			break
		}
		gemm.Dgemm(op.ta, op.tb, m, n, k, 1, ad, lda, bd, ldb, 0, cd, n)
	}
	return out, nil
}

// ownGEMM reports whether MatMul should use package gemm rather than the
// BLAS that gonum holds: only while that is gonum's default (nothing was
// registered with blas32.Use / blas64.Use) and gemm has an assembly
// kernel for this CPU.
func ownGEMM(registered any) bool {
	_, isDefault := registered.(gonum.Implementation)
	return isDefault && gemm.Accelerated()
}
