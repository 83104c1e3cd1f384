package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gemm"
)

// gemmF is C = alpha*op(A)*op(B) + beta*C for row-major matrices with
// leading dimensions, by the same rule as MatMul: gokeras's own GEMM
// unless a BLAS was registered with gonum's blas32/blas64.Use.
func gemmF[T Float](tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	switch av := any(a).(type) {
	case []float32:
		bv, cv := any(b).([]float32), any(c).([]float32)
		if impl := blas32.Implementation(); !ownGEMM(impl) {
			impl.Sgemm(tr(tA), tr(tB), m, n, k, float32(alpha), av, lda, bv, ldb, float32(beta), cv, ldc)
			return
		}
		gemm.Sgemm(tA, tB, m, n, k, float32(alpha), av, lda, bv, ldb, float32(beta), cv, ldc)
	case []float64:
		bv, cv := any(b).([]float64), any(c).([]float64)
		if impl := blas64.Implementation(); !ownGEMM(impl) {
			impl.Dgemm(tr(tA), tr(tB), m, n, k, float64(alpha), av, lda, bv, ldb, float64(beta), cv, ldc)
			return
		}
		gemm.Dgemm(tA, tB, m, n, k, float64(alpha), av, lda, bv, ldb, float64(beta), cv, ldc)
	}
}

// rnnGrad holds the backward pass's carries and scratch.
type rnnGrad[T Float] struct {
	dq           []T // (T*B, G*U): GRUCell, gradient of the recurrent projection
	dh, dc, dpo  []T // (B, U): gradients of h, c and of the previous output
	dhr          []T // (gates or 1, B, U): the recurrent products
	dhd, drh, tm []T // (B, U): GRU direct path, GRU reset-before dL/d(r*h), LSTM scratch
	ut           []T // (G*U, U): the recurrent kernel transposed, so the per-step products read it in place
	ones         []T // (T*B): ones, to sum rows with a product
	ready        *rnnConfig
}

func (g *rnnGrad[T]) ensure(c *rnnConfig) {
	if g.ready == c {
		return
	}
	bu := c.batch * c.units
	if c.cell == GRUCell {
		g.dq = grow(g.dq, c.batch*c.steps*c.gu())
	}
	g.dh, g.dc, g.dpo = grow(g.dh, bu), grow(g.dc, bu), grow(g.dpo, bu)
	g.dhr = grow(g.dhr, max(1, c.rdropGates)*bu)
	g.dhd, g.drh, g.tm = grow(g.dhd, bu), grow(g.drh, bu), grow(g.tm, bu)
	g.ut = grow(g.ut, c.gu()*c.units)
	g.ones = grow(g.ones, c.batch*c.steps)
	for i := range g.ones {
		g.ones[i] = 1
	}
	g.ready = c
}

// rnnBackward runs backpropagation through time: from the tape gradient
// dy (B, T+states, U) it writes dp (T*B, G*U, time-major like the tape),
// the gradient of the gates' inputs (zero rows at masked steps), and
// leaves the gradients of the initial states in g.dh and g.dc.
func rnnBackward[T Float](c *rnnConfig, tp *rnnTape[T], g *rnnGrad[T], in rnnIn[T], dy, dp []T) error {
	g.ensure(c)
	B, Tn, U, R := c.batch, c.steps, c.units, c.tapeRows()
	for b := 0; b < B; b++ {
		copy(g.dh[b*U:(b+1)*U], dy[(b*R+Tn)*U:(b*R+Tn+1)*U])
		if c.cell == LSTMCell {
			copy(g.dc[b*U:(b+1)*U], dy[(b*R+Tn+1)*U:(b*R+Tn+2)*U])
		}
	}
	clear(g.dpo)
	// Uᵀ once per run: a transposed B would be repacked by every step's
	// product.
	GU := c.gu()
	for i := 0; i < U; i++ {
		for j, v := range in.u[i*GU : (i+1)*GU] {
			g.ut[j*U+i] = v
		}
	}
	return runRows(B, rnnWorkers(c), func(r0, r1 int) { rnnBackSteps(c, tp, g, in, dy, dp, r0, r1) })
}

func rnnBackSteps[T Float](c *rnnConfig, tp *rnnTape[T], g *rnnGrad[T], in rnnIn[T], dy, dp []T, r0, r1 int) {
	B, Tn, U, GU, R := c.batch, c.steps, c.units, c.gu(), c.tapeRows()
	nb := r1 - r0
	dq := dp
	if c.cell == GRUCell {
		dq = g.dq
	}
	ng := c.gates
	if c.cell == GRUResetBeforeCell {
		ng = 2
	}
	for s := Tn - 1; s >= 0; s-- {
		t := c.tin(s)
		for b := r0; b < r1; b++ {
			row := t*B + b
			dpr := dp[row*GU : (row+1)*GU]
			dyr := dy[(b*R+s)*U : (b*R+s+1)*U]
			dpo := g.dpo[b*U : (b+1)*U]
			if !kept(in.mask, b, Tn, t) {
				clear(dpr)
				if c.cell == GRUCell {
					clear(dq[row*GU : (row+1)*GU])
				}
				if !c.zof {
					// The output repeated the previous output.
					addFirst(dpo, dyr)
				}
				continue
			}
			dh := g.dh[b*U : (b+1)*U]
			for j := range dh {
				dh[j] += dyr[j] + dpo[j]
			}
			clear(dpo)
			z := tp.gates[row*GU : (row+1)*GU]
			var pre []T
			if tp.pre != nil {
				pre = tp.pre[row*GU : (row+1)*GU]
			}
			switch c.cell {
			case SimpleRNNCell:
				copy(dpr, dh)
				actScaleGrad(c.act, dpr, z, pre)
			case LSTMCell:
				var cn []T
				if tp.cnew != nil {
					cn = tp.cnew[row*U : (row+1)*U]
				}
				lstmBack(c, z, pre, dpr, dh, g.dc[b*U:(b+1)*U], g.tm[b*U:(b+1)*U],
					tp.actc[row*U:(row+1)*U], cn, tp.cprev[row*U:(row+1)*U])
			case GRUCell:
				gruBack(c, z, pre, dpr, dq[row*GU:(row+1)*GU], dh, g.dhd[b*U:(b+1)*U],
					tp.hprev[row*U:(row+1)*U], tp.qh[row*U:(row+1)*U])
			case GRUResetBeforeCell:
				gruBeforeBack1(c, z, pre, dpr, dh, g.dhd[b*U:(b+1)*U], tp.hprev[row*U:(row+1)*U])
			}
		}
		t0 := t*B + r0
		if c.cell == GRUResetBeforeCell {
			// d(r*h*rm) = dL/dhh_in · U_hᵀ, then the reset gate's gradient.
			gemmF(false, false, nb, U, U, 1, dp[t0*GU+2*U:], GU, g.ut[2*U*U:], U, 0, g.drh[r0*U:], U)
			for b := r0; b < r1; b++ {
				if !kept(in.mask, b, Tn, t) {
					continue
				}
				row := t*B + b
				var pre []T
				if tp.pre != nil {
					pre = tp.pre[row*GU+U : row*GU+2*U]
				}
				gruBeforeBack2(tp.gates[row*GU+U:row*GU+2*U], pre, c.ract, dp[row*GU+U:row*GU+2*U],
					g.drh[b*U:(b+1)*U], g.dhd[b*U:(b+1)*U], tp.hprev[row*U:(row+1)*U], rdropRow(c, in.rdrop, 2, b))
			}
		}
		// dh_prev = Σ_g (dq_g·U_gᵀ) * rm_g over the gates with a recurrent
		// product.
		if c.rdropGates <= 1 {
			gemmF(false, false, nb, U, ng*U, 1, dq[t0*GU:], GU, g.ut, U, 0, g.dhr[r0*U:], U)
		} else {
			for k := 0; k < ng; k++ {
				gemmF(false, false, nb, U, U, 1, dq[t0*GU+k*U:], GU, g.ut[k*U*U:], U, 0, g.dhr[(k*B+r0)*U:], U)
			}
		}
		for b := r0; b < r1; b++ {
			if !kept(in.mask, b, Tn, t) {
				continue // states carried over: their gradients too
			}
			dh := g.dh[b*U : (b+1)*U]
			switch c.rdropGates {
			case 0:
				copy(dh, g.dhr[b*U:(b+1)*U])
			case 1:
				mulInto(dh, g.dhr[b*U:(b+1)*U], in.rdrop[b*U:(b+1)*U])
			default:
				clear(dh)
				for k := 0; k < ng; k++ {
					hr, m := g.dhr[(k*B+b)*U:(k*B+b+1)*U], rdropRow(c, in.rdrop, k, b)
					for j := range dh {
						dh[j] += hr[j] * m[j]
					}
				}
			}
			if c.cell == GRUCell || c.cell == GRUResetBeforeCell {
				addFirst(dh, g.dhd[b*U:(b+1)*U])
			}
		}
	}
}

// lstmBack: with dh the gradient of h' = o*act(c') and dc that of c',
// writes dz (4U) for the gates' inputs and leaves dL/dc in dc.
func lstmBack[T Float](c *rnnConfig, z, pre, dz, dh, dc, tm, actc, cnew, cprev []T) {
	U := c.units
	i, f, gg, o := z[:U], z[U:2*U], z[2*U:3*U], z[3*U:4*U]
	tm, dh, dc, actc, cprev = tm[:U], dh[:U], dc[:U], actc[:U], cprev[:U]
	di, df, dg, do := dz[:U], dz[U:2*U], dz[2*U:3*U], dz[3*U:4*U]
	if c.act == actTanh && c.ract == actSigmoid {
		lstmBackDefault(z, dz, actc, cprev, dh, dc, U)
		return
	}
	for j := range tm {
		tm[j] = dh[j] * o[j]
	}
	actScaleGrad(c.act, tm, actc, cnew)
	for j := range tm {
		d := dc[j] + tm[j]
		do[j] = dh[j] * actc[j]
		di[j] = d * gg[j]
		dg[j] = d * i[j]
		df[j] = d * cprev[j]
		dc[j] = d * f[j]
	}
	var pif, pg, po []T
	if pre != nil {
		pif, pg, po = pre[:2*U], pre[2*U:3*U], pre[3*U:]
	}
	actScaleGrad(c.ract, dz[:2*U], z[:2*U], pif)
	actScaleGrad(c.act, dg, gg, pg)
	actScaleGrad(c.ract, do, o, po)
}

// lstmBackDefault is lstmBack for Keras's default activations (tanh,
// sigmoid) in one pass, the derivatives from the outputs (tanh' = 1-y²,
// sigmoid' = y(1-y)); float32 runs the AVX2 kernel where there is one.
func lstmBackDefault[T Float](z, dz, actc, cprev, dh, dc []T, u int) {
	j0 := 0
	if z32, ok := any(z).([]float32); ok {
		j0 = lstmBackHead32(z32, any(dz).([]float32), any(actc).([]float32), any(cprev).([]float32),
			any(dh).([]float32), any(dc).([]float32), u)
	}
	lstmBackLoop(z, dz, actc, cprev, dh, dc, j0, u)
}

// lstmBackLoop does elements [j0, u) of lstmBackDefault. The kernel does
// the same operations in the same order; the conversions keep the
// compiler from fusing a multiply and an add (which would change the
// bits).
func lstmBackLoop[T Float](z, dz, actc, cprev, dh, dc []T, j0, u int) {
	i, f, gg, o := z[:u], z[u:2*u], z[2*u:3*u], z[3*u:4*u]
	di, df, dg, do := dz[:u], dz[u:2*u], dz[2*u:3*u], dz[3*u:4*u]
	actc, cprev, dh, dc = actc[:u], cprev[:u], dh[:u], dc[:u]
	for j := j0; j < u; j++ {
		dhj, ij, fj, gj, oj, ac := dh[j], i[j], f[j], gg[j], o[j], actc[j]
		d := dc[j] + T(T(dhj*oj)*(1-T(ac*ac)))
		do[j] = T(dhj*ac) * T(oj*(1-oj))
		di[j] = T(d*gj) * T(ij*(1-ij))
		dg[j] = T(d*ij) * (1 - T(gj*gj))
		df[j] = T(d*cprev[j]) * T(fj*(1-fj))
		dc[j] = d * fj
	}
}

// gruBackDefault is gruBack for the default activations in one pass.
func gruBackDefault[T Float](z, dz, dq, dh, dhd, hprev, qh []T, u int) {
	j0 := 0
	if z32, ok := any(z).([]float32); ok {
		j0 = gruBackHead32(z32, any(dz).([]float32), any(dq).([]float32), any(dh).([]float32),
			any(dhd).([]float32), any(hprev).([]float32), any(qh).([]float32), u)
	}
	gruBackLoop(z, dz, dq, dh, dhd, hprev, qh, j0, u)
}

// gruBackLoop does elements [j0, u) of gruBackDefault, in the kernel's
// order.
func gruBackLoop[T Float](z, dz, dq, dh, dhd, hprev, qh []T, j0, u int) {
	zz, r, hh := z[:u], z[u:2*u], z[2*u:3*u]
	dzz, dr, dhh := dz[:u], dz[u:2*u], dz[2*u:3*u]
	dqz, dqr, dqh := dq[:u], dq[u:2*u], dq[2*u:3*u]
	dh, dhd, hprev, qh = dh[:u], dhd[:u], hprev[:u], qh[:u]
	for j := j0; j < u; j++ {
		d, zj, rj, hj := dh[j], zz[j], r[j], hh[j]
		a := T(d*(1-zj)) * (1 - T(hj*hj))
		dz := T(d*(hprev[j]-hj)) * T(zj*(1-zj))
		drr := T(a*qh[j]) * T(rj*(1-rj))
		dzz[j], dr[j], dhh[j] = dz, drr, a
		dqz[j], dqr[j], dqh[j] = dz, drr, a*rj
		dhd[j] = d * zj
	}
}

// gruBack (reset_after=True): writes dz (3U) for the gates' inputs, dq
// (3U) for the recurrent projection, and the direct path dL/dh * z.
func gruBack[T Float](c *rnnConfig, z, pre, dz, dq, dh, dhd, hprev, qh []T) {
	U := c.units
	zz, r, hh := z[:U], z[U:2*U], z[2*U:3*U]
	dzz, dr, dhh := dz[:U], dz[U:2*U], dz[2*U:3*U]
	dh, dhd, hprev, qh = dh[:U], dhd[:U], hprev[:U], qh[:U]
	if c.act == actTanh && c.ract == actSigmoid {
		gruBackDefault(z, dz, dq, dh, dhd, hprev, qh, U)
		return
	}
	dqh := dq[2*U : 3*U]
	for j, d := range dh {
		dzz[j] = d * (hprev[j] - hh[j])
		dhh[j] = d * (1 - zz[j])
		dhd[j] = d * zz[j]
	}
	var pzr, ph []T
	if pre != nil {
		pzr, ph = pre[:2*U], pre[2*U:]
	}
	actScaleGrad(c.act, dhh, hh, ph)
	for j, d := range dhh {
		dqh[j] = d * r[j]
		dr[j] = d * qh[j]
	}
	actScaleGrad(c.ract, dz[:2*U], z[:2*U], pzr)
	copy(dq[:2*U], dz[:2*U])
}

// gruBeforeBack1 (reset_after=False): the update gate's and the
// candidate's input gradients and the direct path; the reset gate's needs
// the product computed after it (gruBeforeBack2).
func gruBeforeBack1[T Float](c *rnnConfig, z, pre, dz, dh, dhd, hprev []T) {
	U := c.units
	zz, hh := z[:U], z[2*U:3*U]
	dzz, dhh := dz[:U], dz[2*U:3*U]
	dh, dhd, hprev = dh[:U], dhd[:U], hprev[:U]
	for j, d := range dh {
		dzz[j] = d * (hprev[j] - hh[j])
		dhh[j] = d * (1 - zz[j])
		dhd[j] = d * zz[j]
	}
	var pz, ph []T
	if pre != nil {
		pz, ph = pre[:U], pre[2*U:]
	}
	actScaleGrad(c.act, dhh, hh, ph)
	actScaleGrad(c.ract, dzz, zz, pz)
}

// gruBeforeBack2: with drh = dL/d(r*h*rm), the reset gate's input
// gradient and the state's share through r*h*rm.
func gruBeforeBack2[T Float](r, pre []T, ract rnnAct, dr, drh, dhd, hprev, rm []T) {
	for j, d := range drh {
		x, y := d*hprev[j], d*r[j]
		if rm != nil {
			x *= rm[j]
			y *= rm[j]
		}
		dr[j] = x
		dhd[j] += y
	}
	actScaleGrad(ract, dr, r, pre)
}

// rnnBPTTOp runs backpropagation through time for one rnnOp. Inputs: the
// forward op's inputs, its output tape and the tape's gradient. Output:
// the gradient of the gates' inputs (B, T, G*U); the weight and input
// gradients are taken from it by rnnPartOps.
type rnnBPTTOp struct {
	opBase
	fwd *rnnOp
	out outBuf
	g32 *rnnGrad[float32]
	g64 *rnnGrad[float64]
}

func (op *rnnBPTTOp) Type() hm.Type {
	return fnType(append(append([]int{}, op.fwd.cfg.dims...), 3, 3), 3)
}

func (op *rnnBPTTOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	c := op.fwd.cfg
	return tensor.Shape{c.steps, c.batch, c.gu()}, nil
}

func (op *rnnBPTTOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	c := op.fwd.cfg
	n := len(c.shapes)
	if err := c.checkInputs(in[:n]); err != nil {
		return nil, opError(op, err)
	}
	want := tensor.Shape{c.batch, c.tapeRows(), c.units}
	if s := in[n+1].Shape(); !s.Eq(want) {
		return nil, opError(op, errors.Errorf("tape gradient has shape %v, want %v", s, want))
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{c.steps, c.batch, c.gu()})
	switch in[0].Dtype() {
	case tensor.Float32:
		if op.fwd.tape32 == nil || op.fwd.tape32.ready != c {
			return nil, opError(op, errors.New("the forward op has not run"))
		}
		if op.g32 == nil {
			op.g32 = &rnnGrad[float32]{}
		}
		err = rnnBackward(c, op.fwd.tape32, op.g32, rnnValues[float32](c, in), in[n+1].Data().([]float32), out.Data().([]float32))
	case tensor.Float64:
		if op.fwd.tape64 == nil || op.fwd.tape64.ready != c {
			return nil, opError(op, errors.New("the forward op has not run"))
		}
		if op.g64 == nil {
			op.g64 = &rnnGrad[float64]{}
		}
		err = rnnBackward(c, op.fwd.tape64, op.g64, rnnValues[float64](c, in), in[n+1].Data().([]float64), out.Data().([]float64))
	}
	if err != nil {
		return nil, opError(op, err)
	}
	return out, nil
}

// rnnPart names one gradient a rnnPartOp takes from the BPTT results.
type rnnPart int

const (
	partX rnnPart = iota
	partKernel
	partRecurrentKernel
	partBias
	partH0
	partC0
)

var rnnPartNames = [...]string{"x", "kernel", "recurrent_kernel", "bias", "h0", "c0"}

func (p rnnPart) String() string { return rnnPartNames[p] }

// rnnPartOp computes one input's gradient from the BPTT op's output (its
// input 0) and the forward op's inputs (the rest). Each is a separate
// node, so gradients nobody asks for (that of a model input, say) are
// never computed by a compiled program.
type rnnPartOp struct {
	opBase
	kind rnnPart
	bptt *rnnBPTTOp
	out  outBuf
	s32  []float32
	s64  []float64
}

func (op *rnnPartOp) input() int {
	c := op.bptt.fwd.cfg
	return [...]int{0, 1, 2, c.iBias, c.iH0, c.iC0}[op.kind]
}

func (op *rnnPartOp) Type() hm.Type {
	c := op.bptt.fwd.cfg
	return fnType(append([]int{3}, c.dims...), c.dims[op.input()])
}

func (op *rnnPartOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.bptt.fwd.cfg.shapes[op.input()].Clone(), nil
}

func (op *rnnPartOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	c := op.bptt.fwd.cfg
	if err := c.checkInputs(in[1:]); err != nil {
		return nil, opError(op, err)
	}
	if want := (tensor.Shape{c.steps, c.batch, c.gu()}); !in[0].Shape().Eq(want) {
		return nil, opError(op, errors.Errorf("gates' gradient has shape %v, want %v", in[0].Shape(), want))
	}
	out := op.out.get(in[0].Dtype(), c.shapes[op.input()])
	switch in[0].Dtype() {
	case tensor.Float32:
		if op.bptt.g32 == nil || op.bptt.g32.ready != c {
			return nil, opError(op, errors.New("backpropagation has not run"))
		}
		op.s32 = rnnPartGrad(op.kind, c, op.bptt.fwd.tape32, op.bptt.g32, rnnValues[float32](c, in[1:]),
			in[0].Data().([]float32), out.Data().([]float32), op.s32)
	case tensor.Float64:
		if op.bptt.g64 == nil || op.bptt.g64.ready != c {
			return nil, opError(op, errors.New("backpropagation has not run"))
		}
		op.s64 = rnnPartGrad(op.kind, c, op.bptt.fwd.tape64, op.bptt.g64, rnnValues[float64](c, in[1:]),
			in[0].Data().([]float64), out.Data().([]float64), op.s64)
	}
	return out, nil
}

// rnnPartGrad writes one input's gradient into out; scratch is reused
// (and returned, grown if needed).
func rnnPartGrad[T Float](kind rnnPart, c *rnnConfig, tp *rnnTape[T], g *rnnGrad[T], in rnnIn[T], dp, out, scratch []T) []T {
	B, Tn, D, U, GU := c.batch, c.steps, c.features, c.units, c.gu()
	BT := B * Tn
	switch kind {
	case partX:
		// dx = (dp·Wᵀ)*m, time-major, then back to (B, T, D).
		scratch = grow(scratch, 2*BT*D)
		dxt, tmp := scratch[:BT*D], scratch[BT*D:]
		switch c.dropGates {
		case 0:
			gemmF(false, true, BT, D, GU, 1, dp, GU, in.w, GU, 0, dxt, D)
			fromTimeMajor(out, dxt, nil, B, Tn, D)
		case 1:
			gemmF(false, true, BT, D, GU, 1, dp, GU, in.w, GU, 0, dxt, D)
			fromTimeMajor(out, dxt, in.drop, B, Tn, D)
		default:
			clear(dxt)
			for k := 0; k < c.gates; k++ {
				gemmF(false, true, BT, D, U, 1, dp[k*U:], GU, in.w[k*U:], GU, 0, tmp, D)
				maskRows(tmp, tmp, in.drop[k*B*D:(k+1)*B*D], B, Tn, D)
				addFirst(dxt, tmp)
			}
			fromTimeMajor(out, dxt, nil, B, Tn, D)
		}
	case partKernel:
		if c.dropGates <= 1 {
			// tp.xt already carries a shared mask.
			gemmF(true, false, D, GU, BT, 1, tp.xt, D, dp, GU, 0, out, GU)
			break
		}
		scratch = grow(scratch, BT*D)
		for k := 0; k < c.gates; k++ {
			maskRows(scratch, tp.xt, in.drop[k*B*D:(k+1)*B*D], B, Tn, D)
			gemmF(true, false, D, U, BT, 1, scratch, D, dp[k*U:], GU, 0, out[k*U:], GU)
		}
	case partRecurrentKernel:
		dq := dp
		if c.cell == GRUCell {
			dq = g.dq
		}
		ng := c.gates
		if c.cell == GRUResetBeforeCell {
			ng = 2
			gemmF(true, false, U, U, BT, 1, tp.rh, U, dp[2*U:], GU, 0, out[2*U:], GU)
		}
		switch c.rdropGates {
		case 0:
			gemmF(true, false, U, ng*U, BT, 1, tp.hprev, U, dq, GU, 0, out, GU)
		case 1:
			scratch = grow(scratch, BT*U)
			maskRows(scratch, tp.hprev, in.rdrop, B, Tn, U)
			gemmF(true, false, U, ng*U, BT, 1, scratch, U, dq, GU, 0, out, GU)
		default:
			scratch = grow(scratch, BT*U)
			for k := 0; k < ng; k++ {
				maskRows(scratch, tp.hprev, in.rdrop[k*B*U:(k+1)*B*U], B, Tn, U)
				gemmF(true, false, U, U, BT, 1, scratch, U, dq[k*U:], GU, 0, out[k*U:], GU)
			}
		}
	case partBias:
		// Column sums over all B*T rows, as ones(1, B*T)·dp.
		gemmF(false, false, 1, GU, BT, 1, g.ones, BT, dp, GU, 0, out[:GU], GU)
		if c.cell == GRUCell {
			gemmF(false, false, 1, GU, BT, 1, g.ones, BT, g.dq, GU, 0, out[GU:], GU)
		}
	case partH0:
		copy(out, g.dh)
	case partC0:
		copy(out, g.dc)
	}
	return scratch
}
