package backend

import (
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/vmath"
)

// Softmax returns exp(x) / sum(exp(x)) over the last axis of x, computed
// with the row maximum subtracted so that no exponential overflows.
//
// Gorgonia has its own SoftMax, but its hash ignores whether it computes
// the softmax or the log-softmax, so a graph that holds both silently
// merges them (upstream issue #569); this op and LogSoftmax never merge.
func Softmax(x *G.Node) (*G.Node, error) { return G.ApplyOp(newSoftmaxOp(false), x) }

// LogSoftmax returns x - log(sum(exp(x))) over the last axis of x, the
// numerically stable log of Softmax.
func LogSoftmax(x *G.Node) (*G.Node, error) { return G.ApplyOp(newSoftmaxOp(true), x) }

type softmaxOp struct {
	opBase
	log     bool
	out     outBuf
	split32 softmaxSplit[float32]
	split64 softmaxSplit[float64]
}

func newSoftmaxOp(log bool) *softmaxOp {
	name := "softmax"
	if log {
		name = "log_softmax"
	}
	return &softmaxOp{opBase: opBase{name, 1}, log: log}
}

func (op *softmaxOp) Type() hm.Type { return sameType(1) }
func (op *softmaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}
func (op *softmaxOp) DiffWRT(int) []bool { return []bool{true} }

func (op *softmaxOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &softmaxGradOp{opBase: opBase{op.name + "_grad", 2}, log: op.log}
	dx, err := G.ApplyOp(g, output, grad)
	return G.Nodes{dx}, err
}

func (op *softmaxOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	rows, cols := rowsCols(x.Shape())
	switch x.Dtype() {
	case tensor.Float32:
		op.split32.do(out.Float32s(), x.Float32s(), rows, cols, op.log)
	case tensor.Float64:
		op.split64.do(out.Float64s(), x.Float64s(), rows, cols, op.log)
	}
	return out, nil
}

// softmaxSplit runs softmaxRows over blocks of rows on several goroutines
// when there are enough elements (lossSplitElems); rows are independent,
// so the result is the same. The op keeps one per dtype and reuses it, so
// that a split allocates nothing.
type softmaxSplit[T Float] struct {
	dst, src      []T
	rows, cols, w int
	log           bool
	part          func(q int) // s.run, bound once
}

func (s *softmaxSplit[T]) do(dst, src []T, rows, cols int, log bool) {
	w := min(rows, workersForSize(rows*cols, lossSplitElems))
	if w <= 1 {
		softmaxRows(dst, src, rows, cols, log)
		return
	}
	if s.part == nil {
		s.part = s.run
	}
	s.dst, s.src, s.rows, s.cols, s.w, s.log = dst, src, rows, cols, w, log
	fanOut(w, s.part)
	s.dst, s.src = nil, nil
}

func (s *softmaxSplit[T]) run(q int) {
	lo, hi := part(s.rows, s.w, q, 1)
	c := s.cols
	softmaxRows(s.dst[lo*c:hi*c], s.src[lo*c:hi*c], hi-lo, c, s.log)
}

// softmaxGradOp computes dx from the op's output y and the upstream
// gradient dy: y*(dy - sum(dy*y)) for softmax, dy - exp(y)*sum(dy) for
// log-softmax.
type softmaxGradOp struct {
	opBase
	log bool
	out outBuf
}

func (op *softmaxGradOp) Type() hm.Type { return sameType(2) }
func (op *softmaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}

func (op *softmaxGradOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	y, dy := in[0], in[1]
	out := op.out.get(y.Dtype(), y.Shape())
	rows, cols := rowsCols(y.Shape())
	switch y.Dtype() {
	case tensor.Float32:
		ys := y.Float32s()
		softmaxGradRows(out.Float32s(), ys, dy.Float32s(), rows, cols, op.log)
	case tensor.Float64:
		ys := y.Float64s()
		softmaxGradRows(out.Float64s(), ys, dy.Float64s(), rows, cols, op.log)
	}
	return out, nil
}

// softmaxRows computes the softmax (or log-softmax) of each row of src
// into dst: the exponentials of up to expBlock values at a time in one
// vmath.Exp call, which returns exactly math.Exp's values, so the result
// is softmaxRowsScalar's bit for bit. Rows longer than expBlock take
// softmaxRowsScalar itself.
func softmaxRows[T Float](dst, src []T, rows, cols int, log bool) {
	if cols > expBlock {
		softmaxRowsScalar(dst, src, rows, cols, log)
		return
	}
	var e [expBlock]float64
	per := expBlock / cols
	for r0 := 0; r0 < rows; r0 += per {
		r1 := min(rows, r0+per)
		es := e[:(r1-r0)*cols]
		for r := r0; r < r1; r++ {
			x, a := src[r*cols:(r+1)*cols], es[(r-r0)*cols:]
			m := rowMax(x)
			for j, v := range x {
				a[j] = float64(v - m)
			}
		}
		vmath.Exp(es, es)
		for r := r0; r < r1; r++ {
			x, y, er := src[r*cols:(r+1)*cols], dst[r*cols:(r+1)*cols], es[(r-r0)*cols:(r-r0+1)*cols]
			var s float64
			for j, v := range er {
				y[j] = T(v)
				s += v
			}
			var m T // only the log-softmax needs the row maximum again
			if log {
				m = rowMax(x)
			}
			softmaxFinish(y, x, m, s, log)
		}
	}
}

// softmaxRowsScalar is softmaxRows one exponential at a time.
func softmaxRowsScalar[T Float](dst, src []T, rows, cols int, log bool) {
	for r := 0; r < rows; r++ {
		x := src[r*cols : (r+1)*cols]
		y := dst[r*cols : (r+1)*cols]
		m := rowMax(x)
		var s float64
		for j, v := range x {
			e := math.Exp(float64(v - m))
			y[j] = T(e)
			s += e
		}
		softmaxFinish(y, x, m, s, log)
	}
}

// softmaxFinish turns a row's exponentials y = exp(x - m), whose sum is
// s, into the softmax (y / s) or the log-softmax (x - m - log s; m is
// read only then).
func softmaxFinish[T Float](y, x []T, m T, s float64, log bool) {
	if log {
		ls := m + T(math.Log(s))
		for j, v := range x {
			y[j] = v - ls
		}
		return
	}
	inv := 1 / s
	for j := range y {
		y[j] = T(float64(y[j]) * inv)
	}
}

// rowMax returns the maximum of x as the row loops compute it: x[0],
// replaced by every later value greater than the one kept.
func rowMax[T Float](x []T) T {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

func softmaxGradRows[T Float](dx, y, dy []T, rows, cols int, log bool) {
	for r := 0; r < rows; r++ {
		yr := y[r*cols : (r+1)*cols]
		gr := dy[r*cols : (r+1)*cols]
		xr := dx[r*cols : (r+1)*cols]
		var s float64
		if log {
			for _, g := range gr {
				s += float64(g)
			}
			for j := range xr {
				xr[j] = gr[j] - T(math.Exp(float64(yr[j]))*s)
			}
			continue
		}
		for j := range gr {
			s += float64(gr[j]) * float64(yr[j])
		}
		for j := range xr {
			xr[j] = T(float64(yr[j]) * (float64(gr[j]) - s))
		}
	}
}
