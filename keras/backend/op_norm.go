package backend

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchMoments returns the per-channel mean and biased variance of x over
// every axis but the last: x of any rank >= 2 is viewed as (rows, C) with
// rows the product of the other axes (N*H*W for images), and the result
// is (2, C): row 0 the mean, row 1 the variance sum((x-mean)^2)/rows
// (Keras's BatchNormalization uses the biased batch variance both to
// normalise and to update its moving variance). Sums are accumulated in
// float64. Feed the result to BatchNormTrain and read it out (G.Read) to
// update the moving statistics: moving = moving*momentum + batch*(1 -
// momentum), Keras's momentum default 0.99. It is computed once per run
// however many ops read it. Its gradient with respect to x is defined (for
// graphs that use the moments elsewhere); BatchNormTrain's gradient
// already includes the paths through its moments.
func BatchMoments(x *G.Node) (out *G.Node, err error) {
	defer guard("BatchMoments", &err)
	ng, err := newNormGeom("BatchMoments", x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&momentsOp{opBase: opBase{fmt.Sprintf("batch_moments(%v)", x.Shape()), 1}, ng: ng, x: x}, x)
}

// BatchNormTrain returns gamma*(x-mean)/sqrt(var+epsilon) + beta per
// channel (the last axis of x), with mean and var the rows of moments,
// which must be BatchMoments(x): Keras's BatchNormalization in training.
// gamma and beta are (C). Its gradient is the full training-mode one:
// with respect to x through the normalisation and through the batch mean
// and variance, and with respect to gamma and beta; moments gets none
// (the dependence of the statistics on x is in x's gradient). Keras's
// epsilon default is 1e-3.
func BatchNormTrain(x, moments, gamma, beta *G.Node, epsilon float64) (out *G.Node, err error) {
	defer guard("BatchNormTrain", &err)
	ng, err := newNormGeom("BatchNormTrain", x)
	if err != nil {
		return nil, err
	}
	if moments == nil {
		return nil, errors.New("backend: BatchNormTrain: moments is nil")
	}
	mo, ok := moments.Op().(*momentsOp)
	if !ok || mo.x != x {
		return nil, errors.New("backend: BatchNormTrain: moments must be BatchMoments(x) of the same x")
	}
	if err := checkNormParams("BatchNormTrain", ng, epsilon, gamma, beta); err != nil {
		return nil, err
	}
	op := &bnOp{opBase: opBase{fmt.Sprintf("batch_norm_train(%v,eps=%g)", x.Shape(), epsilon), 4}, ng: ng, train: true, eps: epsilon}
	return G.ApplyOp(op, x, moments, gamma, beta)
}

// BatchNormInference returns gamma*(x-mean)/sqrt(variance+epsilon) + beta
// per channel (the last axis of x) with fixed statistics mean and
// variance (C), Keras's BatchNormalization at inference with the moving
// mean and variance. Its gradient is with respect to x, gamma and beta;
// the statistics are constants.
func BatchNormInference(x, mean, variance, gamma, beta *G.Node, epsilon float64) (out *G.Node, err error) {
	defer guard("BatchNormInference", &err)
	ng, err := newNormGeom("BatchNormInference", x)
	if err != nil {
		return nil, err
	}
	if err := checkNormParams("BatchNormInference", ng, epsilon, gamma, beta, mean, variance); err != nil {
		return nil, err
	}
	op := &bnOp{opBase: opBase{fmt.Sprintf("batch_norm_inference(%v,eps=%g)", x.Shape(), epsilon), 5}, ng: ng, eps: epsilon}
	return G.ApplyOp(op, x, mean, variance, gamma, beta)
}

// LayerNorm returns gamma*(x-mean)/sqrt(var+epsilon) + beta with the mean
// and biased variance of each row of x over its last axis (D), gamma and
// beta (D): Keras's LayerNormalization with axis -1 (epsilon default
// 1e-3). Its gradient is the full one with respect to x, gamma and beta.
func LayerNorm(x, gamma, beta *G.Node, epsilon float64) (out *G.Node, err error) {
	defer guard("LayerNorm", &err)
	ng, err := newNormGeom("LayerNorm", x)
	if err != nil {
		return nil, err
	}
	if err := checkNormParams("LayerNorm", ng, epsilon, gamma, beta); err != nil {
		return nil, err
	}
	op := &lnOp{opBase: opBase{fmt.Sprintf("layer_norm(%v,eps=%g)", x.Shape(), epsilon), 3}, ng: ng, eps: epsilon}
	return G.ApplyOp(op, x, gamma, beta)
}

// normGeom is x viewed as (rows, c).
type normGeom struct {
	rows, c int
	xs      tensor.Shape
	dt      tensor.Dtype
}

func newNormGeom(fn string, x *G.Node) (normGeom, error) {
	if x == nil {
		return normGeom{}, errors.Errorf("backend: %s: x is nil", fn)
	}
	if x.Dims() < 2 {
		return normGeom{}, errors.Errorf("backend: %s: x has shape %v, want rank 2 or more (channels last)", fn, x.Shape())
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return normGeom{}, errors.Wrapf(err, "backend: %s: x", fn)
	}
	if err := checkSizes(fn, "x", x.Shape()); err != nil {
		return normGeom{}, err
	}
	rows, c := rowsCols(x.Shape())
	return normGeom{rows: rows, c: c, xs: x.Shape(), dt: x.Dtype()}, nil
}

func checkNormParams(fn string, ng normGeom, eps float64, vecs ...*G.Node) error {
	if !(eps >= 0) || math.IsInf(eps, 0) {
		return errors.Errorf("backend: %s: epsilon %v must be finite and at least 0", fn, eps)
	}
	names := []string{"gamma", "beta", "mean", "variance"}
	for i, v := range vecs {
		if v == nil {
			return errors.Errorf("backend: %s: %s is nil", fn, names[i])
		}
		if v.Dims() != 1 || v.Shape()[0] != ng.c {
			return errors.Errorf("backend: %s: %s has shape %v, want (%d) for x %v", fn, names[i], v.Shape(), ng.c, ng.xs)
		}
		if v.Dtype() != ng.dt {
			return errors.Errorf("backend: %s: %s is %v, x %v", fn, names[i], v.Dtype(), ng.dt)
		}
	}
	return nil
}

// momentsOp computes (2, c): mean and biased variance per channel.
type momentsOp struct {
	opBase
	ng  normGeom
	x   *G.Node
	out outBuf
	acc [][]float64 // per worker: sums for c channels
}

func (op *momentsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.ng.xs), Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op *momentsOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{2, op.ng.c}, nil
}
func (op *momentsOp) DiffWRT(int) []bool { return []bool{true} }

func (op *momentsOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &momentsGradOp{opBase: opBase{op.name + "_grad", 3}, ng: op.ng}
	dx, err := G.ApplyOp(g, inputs[0], output, grad)
	return G.Nodes{dx}, err
}

func (op *momentsOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(op.ng.xs) {
		return nil, opError(op, errors.Errorf("input %v, want %v", in[0].Shape(), op.ng.xs))
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{2, op.ng.c})
	switch x := in[0].Data().(type) {
	case []float32:
		moments(op.ng, x, out.Data().([]float32), &op.acc)
	case []float64:
		moments(op.ng, x, out.Data().([]float64), &op.acc)
	}
	return out, nil
}

// moments writes the mean into out[:c] and the biased variance into
// out[c:], two passes over x split by rows, each worker summing into its
// own float64 accumulators.
func moments[T Float](ng normGeom, x, out []T, acc *[][]float64) {
	rows, c := ng.rows, ng.c
	w := workersFor(float64(rows*c), rows)
	for len(*acc) < w {
		*acc = append(*acc, make([]float64, c))
	}
	mean, variance := out[:c], out[c:]
	pass := func(centre bool) {
		parallel(w, func(q int) {
			s := (*acc)[q]
			clear(s)
			r0, r1 := span(rows, w, q)
			for r := r0; r < r1; r++ {
				xr := x[r*c : (r+1)*c]
				if centre {
					for j, v := range xr {
						d := float64(v - mean[j])
						s[j] += d * d
					}
				} else {
					for j, v := range xr {
						s[j] += float64(v)
					}
				}
			}
		})
		dst := mean
		if centre {
			dst = variance
		}
		for j := range dst {
			t := 0.0
			for q := 0; q < w; q++ {
				t += (*acc)[q][j]
			}
			dst[j] = T(t / float64(rows))
		}
	}
	pass(false)
	pass(true)
}

// momentsGradOp: inputs (x, moments, dmoments) -> dx = dmean/rows +
// 2*dvar*(x-mean)/rows.
type momentsGradOp struct {
	opBase
	ng  normGeom
	out outBuf
}

func (op *momentsGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, m := G.TensorType{Dims: len(op.ng.xs), Of: a}, G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(x, m, m, x)
}
func (op *momentsGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.ng.xs.Clone(), nil
}

func (op *momentsGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), op.ng.xs)
	switch x := in[0].Data().(type) {
	case []float32:
		momentsGrad(op.ng, x, in[1].Data().([]float32), in[2].Data().([]float32), out.Data().([]float32))
	case []float64:
		momentsGrad(op.ng, x, in[1].Data().([]float64), in[2].Data().([]float64), out.Data().([]float64))
	}
	return out, nil
}

func momentsGrad[T Float](ng normGeom, x, m, dm, dx []T) {
	c := ng.c
	inv := 1 / T(ng.rows)
	mean, dmean, dvar := m[:c], dm[:c], dm[c:]
	for r := 0; r < ng.rows; r++ {
		xr, dr := x[r*c:(r+1)*c], dx[r*c:(r+1)*c]
		for j, v := range xr {
			dr[j] = (dmean[j] + 2*dvar[j]*(v-mean[j])) * inv
		}
	}
}

// bnOp normalises x with batch statistics (train: inputs x, moments,
// gamma, beta) or fixed ones (inference: x, mean, variance, gamma, beta).
type bnOp struct {
	opBase
	ng    normGeom
	train bool
	eps   float64
	out   outBuf
	s     normScratch
}

func (op *bnOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, v := G.TensorType{Dims: len(op.ng.xs), Of: a}, G.TensorType{Dims: 1, Of: a}
	if op.train {
		return hm.NewFnType(x, G.TensorType{Dims: 2, Of: a}, v, v, x)
	}
	return hm.NewFnType(x, v, v, v, v, x)
}
func (op *bnOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.ng.xs.Clone(), nil }
func (op *bnOp) DiffWRT(n int) []bool {
	if op.train {
		return []bool{true, false, true, true}
	}
	return []bool{true, false, false, true, true}
}

// statInputs returns the nodes that hold the statistics.
func (op *bnOp) statInputs(inputs G.Nodes) G.Nodes {
	if op.train {
		return inputs[1:2]
	}
	return inputs[1:3]
}

func (op *bnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, stats := inputs[0], op.statInputs(inputs)
	gamma := inputs[len(inputs)-2]
	so := &bnGradStatsOp{opBase: opBase{op.name + "_grad_stats", 2 + len(stats)}, bn: op}
	gs, err := G.ApplyOp(so, append(append(G.Nodes{x}, stats...), grad)...)
	if err != nil {
		return nil, err
	}
	dgamma, err := G.ApplyOp(newRowOp(op.name, op.ng.c, 0), gs)
	if err != nil {
		return nil, err
	}
	dbeta, err := G.ApplyOp(newRowOp(op.name, op.ng.c, 1), gs)
	if err != nil {
		return nil, err
	}
	xo := &bnGradXOp{opBase: opBase{op.name + "_grad_x", 4 + len(stats)}, bn: op}
	dx, err := G.ApplyOp(xo, append(append(G.Nodes{x}, stats...), gamma, grad, gs)...)
	if err != nil {
		return nil, err
	}
	if op.train {
		return G.Nodes{dx, nil, dgamma, dbeta}, nil
	}
	return G.Nodes{dx, nil, nil, dgamma, dbeta}, nil
}

// meanInvStd returns the mean and 1/sqrt(var+eps) per channel from the
// statistics inputs, into scratch of 2c values.
func meanInvStd[T Float](train bool, stats []*tensor.Dense, eps float64, scratch []T) (mean, inv []T) {
	c := len(scratch) / 2
	mean, inv = scratch[:c], scratch[c:]
	var v []T
	if train {
		m := stats[0].Data().([]T)
		copy(mean, m[:c])
		v = m[c:]
	} else {
		copy(mean, stats[0].Data().([]T))
		v = stats[1].Data().([]T)
	}
	for j := range inv {
		inv[j] = T(1 / math.Sqrt(float64(v[j])+eps))
	}
	return mean, inv
}

type normScratch struct {
	f32 []float32
	f64 []float64
}

func scratchOf[T Float](s *normScratch, n int) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		if len(s.f32) < n {
			s.f32 = make([]float32, n)
		}
		return any(s.f32[:n]).([]T)
	}
	if len(s.f64) < n {
		s.f64 = make([]float64, n)
	}
	return any(s.f64[:n]).([]T)
}

func (op *bnOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if err := op.checkInputs(in); err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(in[0].Dtype(), op.ng.xs)
	k := len(in)
	switch x := in[0].Data().(type) {
	case []float32:
		bnForward(op, x, in[1:k-2], in[k-2].Data().([]float32), in[k-1].Data().([]float32), out.Data().([]float32))
	case []float64:
		bnForward(op, x, in[1:k-2], in[k-2].Data().([]float64), in[k-1].Data().([]float64), out.Data().([]float64))
	}
	return out, nil
}

func (op *bnOp) checkInputs(in []*tensor.Dense) error {
	if !in[0].Shape().Eq(op.ng.xs) {
		return errors.Errorf("input %v, want %v", in[0].Shape(), op.ng.xs)
	}
	for i, t := range in[1:] {
		want := op.ng.c
		if op.train && i == 0 {
			want = 2 * op.ng.c
		}
		if t.Shape().TotalSize() != want {
			return errors.Errorf("input %d has shape %v, want %d values", i+1, t.Shape(), want)
		}
	}
	return nil
}

func bnForward[T Float](op *bnOp, x []T, stats []*tensor.Dense, gamma, beta, y []T) {
	c := op.ng.c
	buf := scratchOf[T](&op.s, 4*c)
	mean, inv := meanInvStd(op.train, stats, op.eps, buf[:2*c])
	// Per channel y = x*scale + shift with scale = gamma*inv and shift =
	// beta - mean*scale.
	scale, shift := buf[2*c:3*c], buf[3*c:]
	for j := range scale {
		scale[j] = gamma[j] * inv[j]
		shift[j] = beta[j] - mean[j]*scale[j]
	}
	rows := op.ng.rows
	w := workersFor(float64(rows*c), rows)
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		for r := r0; r < r1; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			for j, v := range xr {
				yr[j] = v*scale[j] + shift[j]
			}
		}
	})
}

// bnGradStatsOp: inputs (x, stats..., dy) -> (2, c): sum(dy*xhat) (the
// gradient of gamma) and sum(dy) (of beta).
type bnGradStatsOp struct {
	opBase
	bn  *bnOp
	out outBuf
	acc [][]float64
	s   normScratch
}

func (op *bnGradStatsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: len(op.bn.ng.xs), Of: a}
	if op.bn.train {
		return hm.NewFnType(x, G.TensorType{Dims: 2, Of: a}, x, G.TensorType{Dims: 2, Of: a})
	}
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(x, v, v, x, G.TensorType{Dims: 2, Of: a})
}
func (op *bnGradStatsOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{2, op.bn.ng.c}, nil
}

func (op *bnGradStatsOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{2, op.bn.ng.c})
	k := len(in)
	switch x := in[0].Data().(type) {
	case []float32:
		bnGradStats(op, x, in[1:k-1], in[k-1].Data().([]float32), out.Data().([]float32))
	case []float64:
		bnGradStats(op, x, in[1:k-1], in[k-1].Data().([]float64), out.Data().([]float64))
	}
	return out, nil
}

func bnGradStats[T Float](op *bnGradStatsOp, x []T, stats []*tensor.Dense, dy, out []T) {
	c, rows := op.bn.ng.c, op.bn.ng.rows
	mean, inv := meanInvStd(op.bn.train, stats, op.bn.eps, scratchOf[T](&op.s, 2*c))
	w := workersFor(float64(rows*c), rows)
	for len(op.acc) < w {
		op.acc = append(op.acc, make([]float64, 2*c))
	}
	parallel(w, func(q int) {
		a := op.acc[q]
		clear(a)
		sxh, sdy := a[:c], a[c:]
		r0, r1 := span(rows, w, q)
		for r := r0; r < r1; r++ {
			xr, dr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c]
			for j, v := range xr {
				d := float64(dr[j])
				sxh[j] += d * float64((v-mean[j])*inv[j])
				sdy[j] += d
			}
		}
	})
	for j := 0; j < 2*c; j++ {
		t := 0.0
		for q := 0; q < w; q++ {
			t += op.acc[q][j]
		}
		out[j] = T(t)
	}
}

// bnGradXOp: inputs (x, stats..., gamma, dy, gradStats) -> dx. With batch
// statistics, for xhat = (x-mean)*inv over R rows,
//
//	dx = gamma*inv * (dy - sum(dy)/R - xhat*sum(dy*xhat)/R),
//
// the derivative through the normalisation, the mean and the variance;
// with fixed statistics dx = gamma*inv*dy.
type bnGradXOp struct {
	opBase
	bn  *bnOp
	out outBuf
	s   normScratch
}

func (op *bnGradXOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, v, m := G.TensorType{Dims: len(op.bn.ng.xs), Of: a}, G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 2, Of: a}
	if op.bn.train {
		return hm.NewFnType(x, m, v, x, m, x)
	}
	return hm.NewFnType(x, v, v, v, x, m, x)
}
func (op *bnGradXOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.bn.ng.xs.Clone(), nil }

func (op *bnGradXOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), op.bn.ng.xs)
	k := len(in)
	switch x := in[0].Data().(type) {
	case []float32:
		bnGradX(op, x, in[1:k-3], in[k-3].Data().([]float32), in[k-2].Data().([]float32), in[k-1].Data().([]float32), out.Data().([]float32))
	case []float64:
		bnGradX(op, x, in[1:k-3], in[k-3].Data().([]float64), in[k-2].Data().([]float64), in[k-1].Data().([]float64), out.Data().([]float64))
	}
	return out, nil
}

func bnGradX[T Float](op *bnGradXOp, x []T, stats []*tensor.Dense, gamma, dy, gs, dx []T) {
	c, rows := op.bn.ng.c, op.bn.ng.rows
	buf := scratchOf[T](&op.s, 5*c)
	mean, inv := meanInvStd(op.bn.train, stats, op.bn.eps, buf[:2*c])
	// dx = a*dy + b*x + d per channel: a = gamma*inv; with batch
	// statistics b = -a*inv*sum(dy*xhat)/R, d = -a*sum(dy)/R - b*mean.
	a, b, d := buf[2*c:3*c], buf[3*c:4*c], buf[4*c:]
	clear(b)
	clear(d)
	for j := range a {
		a[j] = gamma[j] * inv[j]
		if op.bn.train {
			b[j] = -a[j] * inv[j] * gs[j] / T(rows)
			d[j] = -a[j]*gs[c+j]/T(rows) - b[j]*mean[j]
		}
	}
	w := workersFor(float64(rows*c), rows)
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		for r := r0; r < r1; r++ {
			xr, dr, or := x[r*c:(r+1)*c], dy[r*c:(r+1)*c], dx[r*c:(r+1)*c]
			for j, v := range xr {
				or[j] = a[j]*dr[j] + b[j]*v + d[j]
			}
		}
	})
}

// rowOp copies row i of a (2, c) matrix into a vector (c).
type rowOp struct {
	opBase
	c, i int
	out  outBuf
}

func newRowOp(name string, c, i int) *rowOp {
	return &rowOp{opBase: opBase{fmt.Sprintf("%s_row%d", name, i), 1}, c: c, i: i}
}

func (op *rowOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *rowOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.Shape{op.c}, nil }

func (op *rowOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{op.c})
	switch m := in[0].Data().(type) {
	case []float32:
		copy(out.Data().([]float32), m[op.i*op.c:(op.i+1)*op.c])
	case []float64:
		copy(out.Data().([]float64), m[op.i*op.c:(op.i+1)*op.c])
	}
	return out, nil
}

// lnOp is layer normalisation over the last axis: inputs (x, gamma, beta).
type lnOp struct {
	opBase
	ng  normGeom
	eps float64
	out outBuf
}

func (op *lnOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x, v := G.TensorType{Dims: len(op.ng.xs), Of: a}, G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(x, v, v, x)
}
func (op *lnOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.ng.xs.Clone(), nil }
func (op *lnOp) DiffWRT(int) []bool                             { return []bool{true, true, true} }

func (op *lnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, gamma := inputs[0], inputs[1]
	gs, err := G.ApplyOp(&lnGradOp{opBase: opBase{op.name + "_grad_params", 2}, ln: op, params: true}, x, grad)
	if err != nil {
		return nil, err
	}
	dgamma, err := G.ApplyOp(newRowOp(op.name, op.ng.c, 0), gs)
	if err != nil {
		return nil, err
	}
	dbeta, err := G.ApplyOp(newRowOp(op.name, op.ng.c, 1), gs)
	if err != nil {
		return nil, err
	}
	dx, err := G.ApplyOp(&lnGradOp{opBase: opBase{op.name + "_grad_x", 3}, ln: op}, x, gamma, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dgamma, dbeta}, nil
}

func (op *lnOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(op.ng.xs) || in[1].Shape().TotalSize() != op.ng.c || in[2].Shape().TotalSize() != op.ng.c {
		return nil, opError(op, errors.Errorf("inputs %v, %v, %v", in[0].Shape(), in[1].Shape(), in[2].Shape()))
	}
	out := op.out.get(in[0].Dtype(), op.ng.xs)
	switch x := in[0].Data().(type) {
	case []float32:
		layerNorm(op.ng, op.eps, x, in[1].Data().([]float32), in[2].Data().([]float32), nil, out.Data().([]float32), 0, nil)
	case []float64:
		layerNorm(op.ng, op.eps, x, in[1].Data().([]float64), in[2].Data().([]float64), nil, out.Data().([]float64), 0, nil)
	}
	return out, nil
}

// lnGradOp is the x gradient (inputs x, gamma, dy) or, with params, the
// (2, D) gradient of gamma and beta (inputs x, dy).
type lnGradOp struct {
	opBase
	ln     *lnOp
	params bool
	out    outBuf
	acc    []float64
}

func (op *lnGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: len(op.ln.ng.xs), Of: a}
	if op.params {
		return hm.NewFnType(x, x, G.TensorType{Dims: 2, Of: a})
	}
	return hm.NewFnType(x, G.TensorType{Dims: 1, Of: a}, x, x)
}
func (op *lnGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if op.params {
		return tensor.Shape{2, op.ln.ng.c}, nil
	}
	return op.ln.ng.xs.Clone(), nil
}

func (op *lnGradOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	ng := op.ln.ng
	shape, mode := ng.xs, 1
	if op.params {
		shape, mode = tensor.Shape{2, ng.c}, 2
	}
	out := op.out.get(in[0].Dtype(), shape)
	if op.params && len(op.acc) != 2*ng.c {
		op.acc = make([]float64, 2*ng.c)
	}
	switch x := in[0].Data().(type) {
	case []float32:
		if op.params {
			layerNorm(ng, op.ln.eps, x, nil, nil, in[1].Data().([]float32), out.Data().([]float32), mode, op.acc)
		} else {
			layerNorm(ng, op.ln.eps, x, in[1].Data().([]float32), nil, in[2].Data().([]float32), out.Data().([]float32), mode, nil)
		}
	case []float64:
		if op.params {
			layerNorm(ng, op.ln.eps, x, nil, nil, in[1].Data().([]float64), out.Data().([]float64), mode, op.acc)
		} else {
			layerNorm(ng, op.ln.eps, x, in[1].Data().([]float64), nil, in[2].Data().([]float64), out.Data().([]float64), mode, nil)
		}
	}
	return out, nil
}

// layerNorm walks the rows of x, computing each row's mean and
// 1/sqrt(var+eps) (two passes, float64 sums), and then, by mode:
// 0 out = gamma*xhat + beta; 1 out = dx = inv*(g - mean(g) - xhat*mean(g*xhat))
// with g = dy*gamma; 2 out (2, D) = [sum over rows of dy*xhat; of dy],
// summed in acc (2D float64) on one goroutine.
func layerNorm[T Float](ng normGeom, eps float64, x, gamma, beta, dy, out []T, mode int, acc []float64) {
	d, rows := ng.c, ng.rows
	if mode == 2 {
		clear(acc)
	}
	row := func(r int) {
		xr := x[r*d : (r+1)*d]
		var s float64
		for _, v := range xr {
			s += float64(v)
		}
		mean := s / float64(d)
		var ss float64
		for _, v := range xr {
			dv := float64(v) - mean
			ss += dv * dv
		}
		inv := 1 / math.Sqrt(ss/float64(d)+eps)
		m, iv := T(mean), T(inv)
		switch mode {
		case 0:
			yr := out[r*d : (r+1)*d]
			for j, v := range xr {
				yr[j] = gamma[j]*((v-m)*iv) + beta[j]
			}
		case 1:
			dr, or := dy[r*d:(r+1)*d], out[r*d:(r+1)*d]
			var sg, sgx float64
			for j, v := range xr {
				g := float64(dr[j] * gamma[j])
				sg += g
				sgx += g * (float64(v) - mean) * inv
			}
			mg, mgx := sg/float64(d), sgx/float64(d)
			for j, v := range xr {
				xh := (float64(v) - mean) * inv
				or[j] = T(inv * (float64(dr[j]*gamma[j]) - mg - xh*mgx))
			}
		case 2:
			dr := dy[r*d : (r+1)*d]
			for j, v := range xr {
				acc[j] += float64(dr[j]) * (float64(v) - mean) * inv
				acc[d+j] += float64(dr[j])
			}
		}
	}
	if mode == 2 {
		for r := 0; r < rows; r++ {
			row(r)
		}
		for j, v := range acc {
			out[j] = T(v)
		}
		return
	}
	w := workersFor(float64(rows*d)*3, rows)
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		for r := r0; r < r1; r++ {
			row(r)
		}
	})
}
