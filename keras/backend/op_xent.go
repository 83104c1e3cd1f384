package backend

import (
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/vmath"
)

// Epsilon is the fuzz factor Keras uses to keep probabilities away from 0
// and 1 before taking logarithms (keras.config.epsilon(), 1e-7).
const Epsilon = 1e-7

// The four cross-entropies, each computed per row of a (rows, classes)
// matrix and returning a (rows) vector.
type xentKind int

const (
	// softmaxLogits: sum_j t_j * (logsumexp(z) - z_j).
	softmaxLogits xentKind = iota
	// sigmoidLogits: mean_j max(z,0) - z*t + log1p(exp(-|z|)).
	sigmoidLogits
	// categoricalProbs: p normalised to sum 1 and clipped to
	// [eps, 1-eps], then -sum_j t_j log p_j (Keras's formula).
	categoricalProbs
	// binaryProbs: p clipped to [eps, 1-eps], then
	// mean_j -(t log p + (1-t) log(1-p)).
	binaryProbs
)

var xentNames = [...]string{"softmax_xent_logits", "sigmoid_xent_logits", "categorical_xent", "binary_xent"}

// SoftmaxCrossEntropy returns, for each row of the (rows, classes) logits z
// and targets t, sum_j t_j * (logsumexp(z) - z_j): the categorical
// cross-entropy of softmax(z), computed without ever forming a
// probability, so it is finite for any finite logits. Its gradient is
// softmax(z)*sum(t) - t. t gets no gradient.
func SoftmaxCrossEntropy(z, t *G.Node) (*G.Node, error) { return xent(softmaxLogits, z, t) }

// SigmoidCrossEntropy returns, for each row, the mean over columns of the
// binary cross-entropy of sigmoid(z) against t, in the stable form
// max(z,0) - z*t + log1p(exp(-|z|)). Its gradient is (sigmoid(z)-t)/cols.
func SigmoidCrossEntropy(z, t *G.Node) (*G.Node, error) { return xent(sigmoidLogits, z, t) }

// CategoricalCrossEntropy returns, for each row of probabilities p, Keras's
// categorical cross-entropy: p is divided by its row sum, clipped to
// [Epsilon, 1-Epsilon], and -sum_j t_j log p_j is returned.
func CategoricalCrossEntropy(p, t *G.Node) (*G.Node, error) { return xent(categoricalProbs, p, t) }

// BinaryCrossEntropy returns, for each row of probabilities p, the mean
// over columns of -(t log p + (1-t) log(1-p)) with p clipped to
// [Epsilon, 1-Epsilon] (Keras's formula).
func BinaryCrossEntropy(p, t *G.Node) (*G.Node, error) { return xent(binaryProbs, p, t) }

func xent(kind xentKind, z, t *G.Node) (*G.Node, error) {
	if z.Dims() != 2 || !z.Shape().Eq(t.Shape()) || t.Dims() != 2 {
		return nil, errors.Errorf("backend: %s: predictions %v and targets %v must be matrices of one shape", xentNames[kind], z.Shape(), t.Shape())
	}
	return G.ApplyOp(&xentOp{opBase: opBase{xentNames[kind], 2}, kind: kind}, z, t)
}

type xentOp struct {
	opBase
	kind   xentKind
	out    outBuf
	rows32 xentRows[float32]
	rows64 xentRows[float64]
	// lse holds the rows' log-sum-exps from the last Do of a softmax
	// cross-entropy whose rows fit expBlock, for its gradient op, which
	// runs after it in the same program (its last input is this op's
	// output) and would compute the same values again.
	lse []float64
}

func (op *xentOp) Type() hm.Type { return rowLossType(2) }
func (op *xentOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := firstShape(in...)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0]}, nil
}
func (op *xentOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *xentOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &xentGradOp{opBase: opBase{op.name + "_grad", 3}, kind: op.kind}
	in := G.Nodes{inputs[0], inputs[1], grad}
	if op.kind == softmaxLogits {
		// The loss itself is an input only to order the two ops: the
		// gradient reads the log-sum-exps the loss left in op.lse.
		g.arity, g.fwd = 4, op
		in = append(in, output)
	}
	dz, err := G.ApplyOp(g, in...)
	return G.Nodes{dz, nil}, err
}

func (op *xentOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	z, t := in[0], in[1]
	rows, cols := rowsCols(z.Shape())
	out := op.out.get(z.Dtype(), tensor.Shape{rows})
	var lse []float64
	if op.kind == softmaxLogits && cols <= expBlock {
		if cap(op.lse) < rows {
			op.lse = make([]float64, rows)
		}
		op.lse = op.lse[:rows]
		lse = op.lse
	} else {
		op.lse = op.lse[:0]
	}
	switch z.Dtype() {
	case tensor.Float32:
		op.rows32.do(op.kind, false, out.Float32s(), z.Float32s(), t.Float32s(), nil, lse, rows, cols)
	case tensor.Float64:
		op.rows64.do(op.kind, false, out.Float64s(), z.Float64s(), t.Float64s(), nil, lse, rows, cols)
	}
	return out, nil
}

type xentGradOp struct {
	opBase
	kind   xentKind
	out    outBuf
	rows32 xentRows[float32]
	rows64 xentRows[float64]
	fwd    *xentOp // the loss op, a fourth input, whose lse this op reads (nil: none)
}

func (op *xentGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m, v := G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}
	if op.arity == 4 {
		return hm.NewFnType(m, m, v, v, m)
	}
	return hm.NewFnType(m, m, v, m)
}
func (op *xentGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}

func (op *xentGradOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	z, t, g := in[0], in[1], in[2]
	rows, cols := rowsCols(z.Shape())
	out := op.out.get(z.Dtype(), z.Shape())
	var lse []float64 // the loss's, when it has them for these rows
	if op.fwd != nil && len(op.fwd.lse) == rows {
		lse = op.fwd.lse
	}
	switch z.Dtype() {
	case tensor.Float32:
		op.rows32.do(op.kind, true, out.Float32s(), z.Float32s(), t.Float32s(), g.Float32s(), lse, rows, cols)
	case tensor.Float64:
		op.rows64.do(op.kind, true, out.Float64s(), z.Float64s(), t.Float64s(), g.Float64s(), lse, rows, cols)
	}
	return out, nil
}

// lossSplitElems is the number of elements per goroutine below which a
// cross-entropy or a softmax stays on one goroutine. Each element costs
// one to three exponentials (3 ns each in vmath.Exp, 13-20 in math.Exp),
// so 2^11 of them are 6-20 us, against the microsecond a split costs on
// the pool. The W1 loss at batch 512 (5,120 logits) is split in two; at
// batch 32 it is not.
const lossSplitElems = 1 << 11

// expBlock is the most exponentials a row loop gathers for one vmath.Exp
// call (a 4 KiB float64 array on the goroutine's stack; the cross-entropy
// keeps a second for the rows' log-sum-exps): as many whole rows as fit.
// Rows longer than that are computed one exponential at a time.
const expBlock = 512

// xentRows splits a cross-entropy or its gradient over blocks of rows on
// the pool. Each row is computed by one goroutine exactly as on one, so
// the result does not change. An op keeps one per dtype and reuses it, so
// that a split allocates nothing (the fixed budget of a training step).
type xentRows[T Float] struct {
	kind          xentKind
	grad          bool
	out, z, t, g  []T
	lse           []float64
	rows, cols, w int
	part          func(q int) // j.run, bound once
}

// do computes out (the per-row losses, or with grad the logits' gradient
// for upstream gradient g). lse (nil: none) is for a softmax
// cross-entropy's rows' log-sum-exps: the forward stores them there, the
// gradient reads them instead of computing them again.
func (j *xentRows[T]) do(kind xentKind, grad bool, out, z, t, g []T, lse []float64, rows, cols int) {
	w := min(rows, workersForSize(rows*cols, lossSplitElems))
	if w <= 1 {
		xentBlock(kind, grad, out, z, t, g, lse, rows, cols)
		return
	}
	if j.part == nil {
		j.part = j.run
	}
	j.kind, j.grad, j.out, j.z, j.t, j.g, j.lse, j.rows, j.cols, j.w = kind, grad, out, z, t, g, lse, rows, cols, w
	fanOut(w, j.part)
	j.out, j.z, j.t, j.g, j.lse = nil, nil, nil, nil, nil
}

func (j *xentRows[T]) run(q int) {
	lo, hi := part(j.rows, j.w, q, 1)
	c := j.cols
	out, g := j.out[lo:hi], []T(nil) // per-row losses
	if j.grad {
		out, g = j.out[lo*c:hi*c], j.g[lo:hi] // the logits' gradient
	}
	var lse []float64
	if j.lse != nil {
		lse = j.lse[lo:hi]
	}
	xentBlock(j.kind, j.grad, out, j.z[lo*c:hi*c], j.t[lo*c:hi*c], g, lse, hi-lo, c)
}

// xentBlock runs xentForward, or with grad xentBackward, over rows.
func xentBlock[T Float](kind xentKind, grad bool, out, z, t, g []T, lse []float64, rows, cols int) {
	if grad {
		xentBackward(kind, out, z, t, g, lse, rows, cols)
		return
	}
	xentForward(kind, out, z, t, lse, rows, cols)
}

// xentForward sets loss[r] to the cross-entropy of row r, and for a
// softmax cross-entropy of rows of at most expBlock logits lse[r] (when
// lse is not nil) to the row's log-sum-exp.
func xentForward[T Float](kind xentKind, loss, z, t []T, lse []float64, rows, cols int) {
	if kind == softmaxLogits && cols <= expBlock {
		softmaxXentForward(loss, z, t, lse, rows, cols)
		return
	}
	xentForwardScalar(kind, loss, z, t, rows, cols)
}

// xentForwardScalar is xentForward one exponential at a time.
func xentForwardScalar[T Float](kind xentKind, loss, z, t []T, rows, cols int) {
	for r := 0; r < rows; r++ {
		zr, tr := z[r*cols:(r+1)*cols], t[r*cols:(r+1)*cols]
		var l float64
		switch kind {
		case softmaxLogits:
			lse := logSumExp(zr)
			for j, tj := range tr {
				if tj != 0 {
					l += float64(tj) * (lse - float64(zr[j]))
				}
			}
		case sigmoidLogits:
			for j, zj := range zr {
				x := float64(zj)
				l += math.Max(x, 0) - x*float64(tr[j]) + math.Log1p(math.Exp(-math.Abs(x)))
			}
			l /= float64(cols)
		case categoricalProbs:
			s := rowSum(zr)
			for j, tj := range tr {
				if tj != 0 {
					l -= float64(tj) * math.Log(clipProb(float64(zr[j])/s))
				}
			}
		case binaryProbs:
			for j, pj := range zr {
				p, y := clipProb(float64(pj)), float64(tr[j])
				l -= y*math.Log(p) + (1-y)*math.Log(1-p)
			}
			l /= float64(cols)
		}
		loss[r] = T(l)
	}
}

// xentBackward sets dz to the gradient of the cross-entropies with
// respect to z, for the upstream gradient g (one value per row); lse (nil:
// none) holds the rows' log-sum-exps from xentForward.
func xentBackward[T Float](kind xentKind, dz, z, t, g []T, lse []float64, rows, cols int) {
	if kind == softmaxLogits && cols <= expBlock {
		softmaxXentBackward(dz, z, t, g, lse, rows, cols)
		return
	}
	xentBackwardScalar(kind, dz, z, t, g, rows, cols)
}

// xentBackwardScalar is xentBackward one exponential at a time.
func xentBackwardScalar[T Float](kind xentKind, dz, z, t, g []T, rows, cols int) {
	for r := 0; r < rows; r++ {
		zr, tr, dr := z[r*cols:(r+1)*cols], t[r*cols:(r+1)*cols], dz[r*cols:(r+1)*cols]
		gr := float64(g[r])
		switch kind {
		case softmaxLogits:
			lse := logSumExp(zr)
			st := rowSum(tr)
			for j := range dr {
				dr[j] = T(gr * (math.Exp(float64(zr[j])-lse)*st - float64(tr[j])))
			}
		case sigmoidLogits:
			k := gr / float64(cols)
			for j := range dr {
				dr[j] = T(k * (sigmoid(float64(zr[j])) - float64(tr[j])))
			}
		case categoricalProbs:
			// L = -sum t_j log clip(q_j), q = p/s; dL/dp_i = (a_i - sum_j a_j q_j)/s
			// with a_j = dL/dq_j = -t_j/q_j inside the clip range, 0 outside.
			s := rowSum(zr)
			var aq float64
			for j := range dr {
				q := float64(zr[j]) / s
				a := 0.0
				if q > Epsilon && q < 1-Epsilon {
					a = -float64(tr[j]) / q
				}
				dr[j] = T(a)
				aq += a * q
			}
			for j := range dr {
				dr[j] = T(gr * (float64(dr[j]) - aq) / s)
			}
		case binaryProbs:
			k := gr / float64(cols)
			for j := range dr {
				p, y := float64(zr[j]), float64(tr[j])
				if p <= Epsilon || p >= 1-Epsilon {
					dr[j] = 0
					continue
				}
				dr[j] = T(k * ((1-y)/(1-p) - y/p))
			}
		}
	}
}

// softmaxXentForward is xentForward's softmaxLogits case for rows of at
// most expBlock logits, its exponentials taken expBlock at a time with
// vmath.Exp: the same operations in the same order, so the same bits. It
// keeps the rows' log-sum-exps in keep (nil: nowhere).
func softmaxXentForward[T Float](loss, z, t []T, keep []float64, rows, cols int) {
	var e, lse [expBlock]float64
	per := expBlock / cols
	for r0 := 0; r0 < rows; r0 += per {
		r1 := min(rows, r0+per)
		logSumExps(lse[:r1-r0], e[:], z, r0, r1, cols)
		if keep != nil {
			copy(keep[r0:r1], lse[:r1-r0])
		}
		for r := r0; r < r1; r++ {
			zr, tr := z[r*cols:(r+1)*cols], t[r*cols:(r+1)*cols]
			l, ls := 0.0, lse[r-r0]
			for j, tj := range tr {
				if tj != 0 {
					l += float64(tj) * (ls - float64(zr[j]))
				}
			}
			loss[r] = T(l)
		}
	}
}

// softmaxXentBackward is xentBackward's softmaxLogits case for rows of at
// most expBlock logits, with vmath.Exp as in softmaxXentForward. With
// known (the forward's log-sum-exps of these rows; nil: none) it reads
// them rather than computing them again, which gives the same bits.
func softmaxXentBackward[T Float](dz, z, t, g []T, known []float64, rows, cols int) {
	var e, lse [expBlock]float64
	per := expBlock / cols
	for r0 := 0; r0 < rows; r0 += per {
		r1 := min(rows, r0+per)
		if known != nil {
			copy(lse[:r1-r0], known[r0:r1])
		} else {
			logSumExps(lse[:r1-r0], e[:], z, r0, r1, cols)
		}
		es := e[:(r1-r0)*cols]
		for r := r0; r < r1; r++ {
			a, ls := es[(r-r0)*cols:], lse[r-r0]
			for j, v := range z[r*cols : (r+1)*cols] {
				a[j] = float64(v) - ls
			}
		}
		vmath.Exp(es, es)
		for r := r0; r < r1; r++ {
			tr, dr, er := t[r*cols:(r+1)*cols], dz[r*cols:(r+1)*cols], es[(r-r0)*cols:]
			gr, st := float64(g[r]), rowSum(tr)
			for j := range dr {
				dr[j] = T(gr * (er[j]*st - float64(tr[j])))
			}
		}
	}
}

// logSumExps sets lse[r-r0] to logSumExp of each row r0..r1-1 of the
// (rows, cols) matrix z, with one vmath.Exp call over e (scratch of at
// least (r1-r0)*cols values).
func logSumExps[T Float](lse, e []float64, z []T, r0, r1, cols int) {
	es := e[:(r1-r0)*cols]
	for r := r0; r < r1; r++ {
		zr, a := z[r*cols:(r+1)*cols], es[(r-r0)*cols:]
		m := float64(rowMax(zr))
		for j, v := range zr {
			a[j] = float64(v) - m
		}
		lse[r-r0] = m
	}
	vmath.Exp(es, es)
	for i := range lse {
		var s float64
		for _, v := range es[i*cols : (i+1)*cols] {
			s += v
		}
		lse[i] += math.Log(s)
	}
}

func logSumExp[T Float](x []T) float64 {
	m := float64(x[0])
	for _, v := range x[1:] {
		if float64(v) > m {
			m = float64(v)
		}
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

func rowSum[T Float](x []T) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

func clipProb(p float64) float64 {
	switch {
	case p < Epsilon || p != p:
		return Epsilon
	case p > 1-Epsilon:
		return 1 - Epsilon
	}
	return p
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
