package backend

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/par"
)

// rnnTape holds what a Recurrent op's forward pass leaves for its
// gradient, plus its per-step scratch. Every per-step array is time-major
// by INPUT time step, row t*B + b: the rows of one step are contiguous
// (the step's products and gate kernels stream through memory), and all
// arrays line up row for row, so the weight gradients are single matrix
// products over all T*B rows.
type rnnTape[T Float] struct {
	xt    []T // (T*B, D): the input, time-major, times the shared input dropout mask
	gates []T // (T*B, G*U): the input projection, then the gates' outputs
	pre   []T // (T*B, G*U): the gates' inputs, only for gelu/silu
	hprev []T // (T*B, U): h before the step
	cprev []T // (T*B, U): LSTM c before the step
	actc  []T // (T*B, U): LSTM act(c after the step)
	cnew  []T // (T*B, U): LSTM c after the step, only for gelu/silu
	qh    []T // (T*B, U): GRU, the recurrent projection of the h gate plus its bias
	rh    []T // (T*B, U): GRU reset-before, r * h * recurrent dropout
	xm    []T // (T*B, D): the input times one gate's dropout mask (per-gate masks)
	h, c  []T // (B, U): the running states
	prev  []T // (B, U): the previous output (masked steps repeat it)
	hm    []T // (gates or 1, B, U): h times its recurrent dropout mask
	ready *rnnConfig
}

func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (tp *rnnTape[T]) ensure(c *rnnConfig) {
	if tp.ready == c {
		return
	}
	bt, u, gu := c.batch*c.steps, c.units, c.gu()
	tp.gates = grow(tp.gates, bt*gu)
	if c.act.needsInput() || (c.cell != SimpleRNNCell && c.ract.needsInput()) {
		tp.pre = grow(tp.pre, bt*gu)
	}
	tp.hprev = grow(tp.hprev, bt*u)
	switch c.cell {
	case LSTMCell:
		tp.cprev = grow(tp.cprev, bt*u)
		tp.actc = grow(tp.actc, bt*u)
		tp.c = grow(tp.c, c.batch*u)
		if c.act.needsInput() {
			tp.cnew = grow(tp.cnew, bt*u)
		}
	case GRUCell:
		tp.qh = grow(tp.qh, bt*u)
	case GRUResetBeforeCell:
		tp.rh = grow(tp.rh, bt*u)
	}
	tp.xt = grow(tp.xt, bt*c.features)
	if c.dropGates > 1 {
		tp.xm = grow(tp.xm, bt*c.features)
	}
	tp.h = grow(tp.h, c.batch*u)
	tp.prev = grow(tp.prev, c.batch*u)
	if c.rdropGates > 0 {
		tp.hm = grow(tp.hm, c.rdropGates*c.batch*u)
	}
	tp.ready = c
}

// rnnForward runs the recurrence for one batch and writes the output tape
// y (B, T+states, U).
func rnnForward[T Float](c *rnnConfig, tp *rnnTape[T], in rnnIn[T], y []T) error {
	tp.ensure(c)
	B, Tn, D, U, GU := c.batch, c.steps, c.features, c.units, c.gu()
	// The input projection of all steps: gates = x·W + b, one product
	// (one per gate when every gate has its own input dropout mask).
	// The recurrent products of the steps add into these rows (and, for
	// GRUCell, into qh, which starts as the h gate's recurrent bias).
	var bin, brz, bh []T
	if in.bias != nil {
		bin = in.bias[:GU] // GRUCell: row 0, the input bias
		if c.cell == GRUCell {
			brz, bh = in.bias[GU:GU+2*U], in.bias[GU+2*U:2*GU]
		}
	}
	for r := 0; r < B*Tn; r++ {
		row := tp.gates[r*GU : (r+1)*GU]
		if bin != nil {
			copy(row, bin)
		} else {
			clear(row)
		}
		if brz != nil {
			addFirst(row[:2*U], brz)
		}
		if c.cell == GRUCell {
			if bh != nil {
				copy(tp.qh[r*U:(r+1)*U], bh)
			} else {
				clear(tp.qh[r*U : (r+1)*U])
			}
		}
	}
	var shared []T
	if c.dropGates == 1 {
		shared = in.drop
	}
	toTimeMajor(tp.xt, in.x, shared, B, Tn, D)
	if c.dropGates <= 1 {
		gemmF(false, false, B*Tn, GU, D, 1, tp.xt, D, in.w, GU, 1, tp.gates, GU)
	} else {
		for g := 0; g < c.gates; g++ {
			maskRows(tp.xm, tp.xt, in.drop[g*B*D:(g+1)*B*D], B, Tn, D)
			gemmF(false, false, B*Tn, U, D, 1, tp.xm, D, in.w[g*U:], GU, 1, tp.gates[g*U:], GU)
		}
	}
	if in.h0 != nil {
		copy(tp.h, in.h0)
	} else {
		clear(tp.h)
	}
	if c.cell == LSTMCell {
		if in.c0 != nil {
			copy(tp.c, in.c0)
		} else {
			clear(tp.c)
		}
	}
	clear(tp.prev)
	return runRows(B, rnnWorkers(c), func(r0, r1 int) { rnnSteps(c, tp, in, y, r0, r1) })
}

// toTimeMajor writes x (B, T, n) as time-major rows dst[t*B+b], times the
// per-sample mask m (B, n) unless m is nil.
func toTimeMajor[T Float](dst, x, m []T, B, Tn, n int) {
	for b := 0; b < B; b++ {
		for t := 0; t < Tn; t++ {
			src, d := x[(b*Tn+t)*n:(b*Tn+t+1)*n], dst[(t*B+b)*n:(t*B+b+1)*n]
			if m == nil {
				copy(d, src)
			} else {
				mulInto(d, src, m[b*n:(b+1)*n])
			}
		}
	}
}

// fromTimeMajor is the inverse: dst (B, T, n) from time-major rows src,
// times m (B, n) unless m is nil.
func fromTimeMajor[T Float](dst, src, m []T, B, Tn, n int) {
	for b := 0; b < B; b++ {
		for t := 0; t < Tn; t++ {
			s, d := src[(t*B+b)*n:(t*B+b+1)*n], dst[(b*Tn+t)*n:(b*Tn+t+1)*n]
			if m == nil {
				copy(d, s)
			} else {
				mulInto(d, s, m[b*n:(b+1)*n])
			}
		}
	}
}

// maskRows writes time-major rows src times the per-sample mask m (B, n).
func maskRows[T Float](dst, src, m []T, B, Tn, n int) {
	for t := 0; t < Tn; t++ {
		for b := 0; b < B; b++ {
			o := (t*B + b) * n
			mulInto(dst[o:o+n], src[o:o+n], m[b*n:(b+1)*n])
		}
	}
}

// kept reports whether step t of sample b is processed (mask value != 0,
// Keras's cast to bool).
func kept[T Float](mask []T, b, Tn, t int) bool {
	return mask == nil || mask[b*Tn+t] != 0
}

// rdropRow returns the recurrent dropout mask of sample b for gate g, or
// nil without recurrent dropout.
func rdropRow[T Float](c *rnnConfig, rdrop []T, g, b int) []T {
	U := c.units
	switch c.rdropGates {
	case 0:
		return nil
	case 1:
		return rdrop[b*U : (b+1)*U]
	}
	o := (g*c.batch + b) * U
	return rdrop[o : o+U]
}

// maskState writes h*rm for rows [r0, r1) and the first ng gates into
// tp.hm when there is recurrent dropout.
func maskState[T Float](c *rnnConfig, tp *rnnTape[T], in rnnIn[T], r0, r1, ng int) {
	U, B := c.units, c.batch
	switch c.rdropGates {
	case 0:
	case 1:
		mulInto(tp.hm[r0*U:r1*U], tp.h[r0*U:r1*U], in.rdrop[r0*U:r1*U])
	default:
		for g := 0; g < ng; g++ {
			mulInto(tp.hm[(g*B+r0)*U:(g*B+r1)*U], tp.h[r0*U:r1*U], in.rdrop[(g*B+r0)*U:(g*B+r1)*U])
		}
	}
}

// recurrentInto adds (h*rm_g)·U_g for gates [g0, g1) and rows [r0, r1)
// into dst (row stride ldc, gate g0 at column 0): one product, or one per
// gate with per-gate dropout masks. maskState must have run.
func recurrentInto[T Float](c *rnnConfig, tp *rnnTape[T], in rnnIn[T], r0, r1, g0, g1 int, dst []T, ldc int) {
	U, GU, B, nb := c.units, c.gu(), c.batch, r1-r0
	switch c.rdropGates {
	case 0:
		gemmF(false, false, nb, (g1-g0)*U, U, 1, tp.h[r0*U:], U, in.u[g0*U:], GU, 1, dst, ldc)
	case 1:
		gemmF(false, false, nb, (g1-g0)*U, U, 1, tp.hm[r0*U:], U, in.u[g0*U:], GU, 1, dst, ldc)
	default:
		for g := g0; g < g1; g++ {
			gemmF(false, false, nb, U, U, 1, tp.hm[(g*B+r0)*U:], U, in.u[g*U:], GU, 1, dst[(g-g0)*U:], ldc)
		}
	}
}

func mulInto[T Float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

// rnnSteps runs all T steps for the samples [r0, r1). Samples are
// independent, so disjoint row ranges may run concurrently: every buffer
// row written here belongs to one sample.
func rnnSteps[T Float](c *rnnConfig, tp *rnnTape[T], in rnnIn[T], y []T, r0, r1 int) {
	Tn, B, U, GU := c.steps, c.batch, c.units, c.gu()
	R := c.tapeRows()
	for s := 0; s < Tn; s++ {
		t := c.tin(s)
		t0 := t*B + r0 // the first row of this step (rows t*B+b)
		// The recurrent products, added straight into the gates' rows.
		switch c.cell {
		case SimpleRNNCell, LSTMCell:
			maskState(c, tp, in, r0, r1, c.gates)
			recurrentInto(c, tp, in, r0, r1, 0, c.gates, tp.gates[t0*GU:], GU)
		case GRUCell:
			maskState(c, tp, in, r0, r1, 3)
			recurrentInto(c, tp, in, r0, r1, 0, 2, tp.gates[t0*GU:], GU)
			recurrentInto(c, tp, in, r0, r1, 2, 3, tp.qh[t0*U:], U)
		case GRUResetBeforeCell:
			maskState(c, tp, in, r0, r1, 2) // the h gate's mask is applied in r*h*rm
			recurrentInto(c, tp, in, r0, r1, 0, 2, tp.gates[t0*GU:], GU)
		}
		for b := r0; b < r1; b++ {
			row := t*B + b
			hb := tp.h[b*U : (b+1)*U]
			copy(tp.hprev[row*U:(row+1)*U], hb)
			if c.cell == LSTMCell {
				copy(tp.cprev[row*U:(row+1)*U], tp.c[b*U:(b+1)*U])
			}
			if !kept(in.mask, b, Tn, t) {
				if c.cell == GRUResetBeforeCell {
					clear(tp.rh[row*U : (row+1)*U])
				}
				continue
			}
			z := tp.gates[row*GU : (row+1)*GU]
			var pre []T
			if tp.pre != nil {
				pre = tp.pre[row*GU : (row+1)*GU]
			}
			switch c.cell {
			case SimpleRNNCell:
				if pre != nil {
					copy(pre, z)
				}
				actForward(c.act, z)
				copy(hb, z)
			case LSTMCell:
				var cn []T
				if tp.cnew != nil {
					cn = tp.cnew[row*U : (row+1)*U]
				}
				lstmStep(c, z, pre, hb, tp.c[b*U:(b+1)*U], tp.actc[row*U:(row+1)*U], cn)
			case GRUCell:
				gruStep(c, z, pre, hb, tp.qh[row*U:(row+1)*U])
			case GRUResetBeforeCell:
				if pre != nil {
					copy(pre[:2*U], z[:2*U])
				}
				actForward(c.ract, z[:2*U])
				r, rh := z[U:2*U], tp.rh[row*U:(row+1)*U]
				mulInto(rh, r, hb)
				if m := rdropRow(c, in.rdrop, 2, b); m != nil {
					for j, v := range m {
						rh[j] *= v
					}
				}
			}
		}
		if c.cell == GRUResetBeforeCell {
			// hh's input += (r*h*rm)·U_h for the rows of this step, then the
			// candidate and the new state.
			gemmF(false, false, r1-r0, U, U, 1, tp.rh[t0*U:], U, in.u[2*U:], GU, 1, tp.gates[t0*GU+2*U:], GU)
			for b := r0; b < r1; b++ {
				if !kept(in.mask, b, Tn, t) {
					continue
				}
				row := t*B + b
				z := tp.gates[row*GU : (row+1)*GU]
				hh := z[2*U:]
				if tp.pre != nil {
					copy(tp.pre[row*GU+2*U:(row+1)*GU], hh)
				}
				actForward(c.act, hh)
				mixGRU(tp.h[b*U:(b+1)*U], z[:U], hh)
			}
		}
		for b := r0; b < r1; b++ {
			o := y[(b*R+s)*U : (b*R+s+1)*U]
			pb := tp.prev[b*U : (b+1)*U]
			if kept(in.mask, b, Tn, t) {
				copy(o, tp.h[b*U:(b+1)*U])
				copy(pb, o)
			} else if c.zof {
				clear(o)
			} else {
				copy(o, pb)
			}
		}
	}
	for b := r0; b < r1; b++ {
		copy(y[(b*R+Tn)*U:(b*R+Tn+1)*U], tp.h[b*U:(b+1)*U])
		if c.cell == LSTMCell {
			copy(y[(b*R+Tn+1)*U:(b*R+Tn+2)*U], tp.c[b*U:(b+1)*U])
		}
	}
}

func addFirst[T Float](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// lstmStep: z (4U) holds x·W + b + h·U. Gates i, f, c, o (Keras's
// order); c' = f*c + i*act(zc); h' = o*act(c').
func lstmStep[T Float](c *rnnConfig, z, pre, h, cs, actc, cnew []T) {
	U := c.units
	if pre != nil {
		copy(pre, z)
	}
	actForward(c.ract, z[:2*U])
	actForward(c.act, z[2*U:3*U])
	actForward(c.ract, z[3*U:])
	i, f, g, o := z[:U], z[U:2*U], z[2*U:3*U], z[3*U:4*U]
	cs, actc = cs[:U], actc[:U]
	for j := range cs {
		v := f[j]*cs[j] + i[j]*g[j]
		cs[j] = v
		actc[j] = v
	}
	if cnew != nil {
		copy(cnew, actc)
	}
	actForward(c.act, actc)
	h = h[:U]
	for j := range h {
		h[j] = o[j] * actc[j]
	}
}

// gruStep (reset_after=True): z (3U) holds x·W + b_in + (h·U + b_rec) for
// the z and r gates and x·W_h + b_in_h for the h gate, qh = h·U_h +
// b_rec_h. z = ract(.), r = ract(.), hh = act(x_h + r*qh),
// h' = z*h + (1-z)*hh.
func gruStep[T Float](c *rnnConfig, z, pre, h, qh []T) {
	U := c.units
	if pre != nil {
		copy(pre[:2*U], z[:2*U])
	}
	actForward(c.ract, z[:2*U])
	r, hh := z[U:2*U], z[2*U:3*U]
	for j, v := range qh {
		hh[j] += r[j] * v
	}
	if pre != nil {
		copy(pre[2*U:], hh)
	}
	actForward(c.act, hh)
	mixGRU(h, z[:U], hh)
}

// mixGRU sets h = z*h + (1-z)*hh.
func mixGRU[T Float](h, z, hh []T) {
	z, hh = z[:len(h)], hh[:len(h)]
	for j, v := range h {
		h[j] = z[j]*v + (1-z[j])*hh[j]
	}
}

// rnnParallelWork is the least recurrent work per run (B*T*G*U*U
// multiply-adds of the per-step products) for which the samples are split
// between two goroutines. Starting and joining the second goroutine costs
// a few microseconds; 2^22 multiply-adds take about 100 µs on one core,
// so below it the split cannot pay. W5 (B=32, T=100, LSTM with 64 units)
// is 52M; BenchmarkEmbeddingRecurrent measures one worker against two.
const rnnParallelWork = 1 << 22

// rnnWorkersSet, when positive, fixes the number of goroutines of every
// run regardless of its size (tests and benchmarks set it with
// SetRNNWorkers); 0 means: two when SetMaxWorkers allows, splitting is not
// paused (keras/internal/par) and the work reaches rnnParallelWork, else
// one.
var rnnWorkersSet = 0

func rnnWorkers(c *rnnConfig) int {
	if rnnWorkersSet > 0 {
		return max(1, min(rnnWorkersSet, c.batch))
	}
	work := float64(c.batch) * float64(c.steps) * float64(c.gu()) * float64(c.units)
	if par.MaxWorkers() < 2 || par.Paused() || c.batch < 2 || work < rnnParallelWork {
		return 1
	}
	return 2
}

// runRows runs f over [0, n) split into w contiguous ranges, concurrently
// on keras/internal/par's pool, and turns a panic in any of them into an
// error.
func runRows(n, w int, f func(r0, r1 int)) error {
	call := func(r0, r1 int) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = errors.Errorf("panic in rows [%d, %d): %v", r0, r1, p)
			}
		}()
		f(r0, r1)
		return nil
	}
	if w <= 1 {
		return call(0, n)
	}
	errs := make([]error, w)
	par.Run(w, func(k int) {
		r0, r1 := n*k/w, n*(k+1)/w
		if k == w-1 {
			r1 = n
		}
		errs[k] = call(r0, r1)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
