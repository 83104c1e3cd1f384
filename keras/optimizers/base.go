package optimizers

import (
	"encoding/json"
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/par"
)

// base holds what every optimizer shares: the learning rate (a constant or
// a schedule), the step count, the per-variable slots, gradient clipping,
// weight decay and the error from construction. All of an optimizer's
// state lives in slots and iters, so saving and restoring them restores
// the optimizer.
type base struct {
	name     string
	lr       float64
	schedule Schedule
	iters    int64
	err      error
	slots    map[*backend.Variable][]slot
	// slotInit gives the starting value of slot i (missing or short: 0).
	slotInit []float64

	clipnorm, clipvalue, globalClipnorm, weightDecay float64

	views map[*backend.Variable]view
	// parts caches, per variable, its slots cut into the parts of a
	// split update (see splitUpdate).
	parts map[*backend.Variable]slotParts
	// k holds the constants of the step being applied, which the update
	// functions in split read.
	k     [6]float64
	split splitFuncs
}

// splitFuncs are an optimizer's update functions for forEachSplit, made
// once (they reach other goroutines, so they live on the heap) and reading
// the step's constants from base.k. owner and variant say for which
// optimizer value and which form of the update they were made: a copied
// optimizer, or one whose options changed the update, makes new ones.
type splitFuncs struct {
	owner   *base
	variant int
	up32    func(w, g []float32, s []slot)
	up64    func(w, g []float64, s []slot)
}

// splitFor returns the update functions for variant, making them with
// make32 and make64 when those held are not this optimizer's.
func (b *base) splitFor(variant int, make32 func() func(w, g []float32, s []slot), make64 func() func(w, g []float64, s []slot)) (func(w, g []float32, s []slot), func(w, g []float64, s []slot)) {
	if b.split.owner != b || b.split.variant != variant || b.split.up32 == nil {
		b.split = splitFuncs{owner: b, variant: variant, up32: make32(), up64: make64()}
	}
	return b.split.up32, b.split.up64
}

// slotParts is a variable's slots cut into w parts.
type slotParts struct {
	w     int
	slots [][]slot
}

// slot is one per-variable state buffer, in the variable's dtype.
type slot struct {
	f32 []float32
	f64 []float64
}

// view caches a variable's typed weight and gradient slices (their
// backing arrays never change), so a step does not box them again.
type view struct {
	w32, g32 []float32
	w64, g64 []float64
}

// BaseParams are the hyperparameters every optimizer has, with Keras's
// keyword names; each optimizer's Params struct embeds them.
type BaseParams struct {
	// LearningRate is the constant learning rate (default: the
	// optimizer's own; unused with a schedule).
	LearningRate float64 `json:"learning_rate"`
	// Clipnorm clips each gradient to this L2 norm (0: off).
	Clipnorm float64 `json:"clipnorm"`
	// Clipvalue clips each gradient element to [-v, v] (0: off).
	Clipvalue float64 `json:"clipvalue"`
	// GlobalClipnorm clips all gradients to this joint L2 norm (0: off).
	GlobalClipnorm float64 `json:"global_clipnorm"`
	// WeightDecay is the decoupled weight decay (0: off; AdamW 0.004).
	WeightDecay float64 `json:"weight_decay"`
}

// init sets the shared hyperparameters and records the first error of
// the shared checks (see build.check); p is the optimizer's whole Params
// struct.
func (b *base) init(name string, p any, bp BaseParams, bl build) {
	b.name = name
	b.err = bl.check(name, p, bp)
	b.lr, b.schedule = bp.LearningRate, bl.schedule
	b.clipnorm, b.clipvalue, b.globalClipnorm = bp.Clipnorm, bp.Clipvalue, bp.GlobalClipnorm
	b.weightDecay = bp.WeightDecay
}

// baseParams returns the shared hyperparameters as they are now (the
// learning rate may have been changed by SetLearningRate or a restored
// state).
func (b *base) baseParams() BaseParams {
	return BaseParams{LearningRate: b.lr, Clipnorm: b.clipnorm, Clipvalue: b.clipvalue,
		GlobalClipnorm: b.globalClipnorm, WeightDecay: b.weightDecay}
}

// fail records err unless an error is already recorded.
func (b *base) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Name returns the optimizer's Keras name ("adam").
func (b *base) Name() string { return b.name }

// LearningRate returns the learning rate of the next step: the constant,
// or the schedule evaluated at the current iteration count.
func (b *base) LearningRate() float64 {
	if b.schedule != nil {
		return b.schedule.Rate(b.iters)
	}
	return b.lr
}

// Schedule returns the learning-rate schedule, or nil for a constant rate.
func (b *base) Schedule() Schedule { return b.schedule }

// Iterations returns the number of steps applied so far.
func (b *base) Iterations() int64 { return b.iters }

// Err returns the error found while building the optimizer (an invalid
// hyperparameter), or nil. Compile reports it.
func (b *base) Err() error { return b.err }

// SetLearningRate changes a constant learning rate. It rejects rates that
// are negative, NaN or infinite, and optimizers whose rate is a Schedule
// (as Keras does).
func (b *base) SetLearningRate(lr float64) error {
	if b.schedule != nil {
		return errors.Errorf("optimizers: %s: SetLearningRate: the learning rate is a schedule (%s) and cannot be set", b.name, b.schedule.Config().Name)
	}
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return invalid("SetLearningRate", "learning_rate", lr, "must be a finite number >= 0")
	}
	b.lr = lr
	return nil
}

// config returns the serialisable form of the optimizer whose Params are
// p: every hyperparameter, and the schedule instead of learning_rate when
// there is one.
func (b *base) config(p any) Config {
	c := Config{Name: b.name, Params: hparams.Encode(p)}
	if b.schedule != nil {
		sc := b.schedule.Config()
		c.Schedule = &sc
		var m map[string]json.RawMessage
		if json.Unmarshal(c.Params, &m) == nil {
			delete(m, "learning_rate")
			c.Params, _ = json.Marshal(m)
		}
	}
	return c
}

// slotsFor returns n state buffers for v, allocating them on first use.
func (b *base) slotsFor(v *backend.Variable, n int) []slot {
	if b.slots == nil {
		b.slots = map[*backend.Variable][]slot{}
	}
	if s, ok := b.slots[v]; ok && len(s) >= n {
		return s
	}
	s := make([]slot, n)
	for i := range s {
		init := 0.0
		if i < len(b.slotInit) {
			init = b.slotInit[i]
		}
		switch v.Value().Data().(type) {
		case []float32:
			s[i].f32 = make([]float32, v.Size())
			if init != 0 {
				fill(s[i].f32, float32(init))
			}
		case []float64:
			s[i].f64 = make([]float64, v.Size())
			if init != 0 {
				fill(s[i].f64, init)
			}
		}
	}
	b.slots[v] = s
	return s
}

func fill[T backend.Float](x []T, v T) {
	for i := range x {
		x[i] = v
	}
}

// Slots returns copies of v's state buffers as float64 (for saving and
// tests), or nil before the first step.
func (b *base) Slots(v *backend.Variable) [][]float64 {
	s, ok := b.slots[v]
	if !ok {
		return nil
	}
	out := make([][]float64, len(s))
	for i, sl := range s {
		if sl.f32 != nil {
			out[i] = backend.ToFloat64s(sl.f32)
		} else {
			out[i] = backend.ToFloat64s(sl.f64)
		}
	}
	return out
}

func (b *base) view(v *backend.Variable) (view, error) {
	if vw, ok := b.views[v]; ok {
		return vw, nil
	}
	var vw view
	switch w := v.Value().Data().(type) {
	case []float32:
		vw.w32, vw.g32 = w, v.Grad().Data().([]float32)
	case []float64:
		vw.w64, vw.g64 = w, v.Grad().Data().([]float64)
	default:
		return vw, errors.Errorf("optimizers: %s: variable %s has unsupported type %T", b.name, v.Name(), w)
	}
	if b.views == nil {
		b.views = map[*backend.Variable]view{}
	}
	b.views[v] = vw
	return vw, nil
}

// forEach performs one step over every trainable variable: it clips the
// gradients (Grad buffers, in place) if asked, applies weight decay, runs
// update32 or update64, applies the variable's constraint, and finally
// counts the step. lr is the learning rate of this step (LearningRate()
// before the call).
func (b *base) forEach(vars []*backend.Variable, nslots int,
	update32 func(w, g []float32, s []slot), update64 func(w, g []float64, s []slot)) error {
	return b.each(vars, nslots, func(v *backend.Variable, vw view, s []slot) {
		if vw.w32 != nil {
			update32(vw.w32, vw.g32, s)
		} else {
			update64(vw.w64, vw.g64, s)
		}
	})
}

// forEachSplit is forEach for element-wise updates that may run in parts
// on several goroutines (splitUpdate). The update functions reach other
// goroutines, so they are heap values: callers keep them in the
// optimizer (made once) rather than making them every step.
func (b *base) forEachSplit(vars []*backend.Variable, nslots int,
	update32 func(w, g []float32, s []slot), update64 func(w, g []float64, s []slot)) error {
	return b.each(vars, nslots, func(v *backend.Variable, vw view, s []slot) {
		if vw.w32 != nil {
			splitUpdate(b, v, vw.w32, vw.g32, s, update32)
		} else {
			splitUpdate(b, v, vw.w64, vw.g64, s, update64)
		}
	})
}

// each runs the steps of forEach around update.
func (b *base) each(vars []*backend.Variable, nslots int, update func(v *backend.Variable, vw view, s []slot)) error {
	if b.err != nil {
		return b.err
	}
	lr := b.LearningRate()
	if b.globalClipnorm > 0 {
		if err := b.clipGlobal(vars); err != nil {
			return err
		}
	}
	for _, v := range vars {
		if !v.Trainable() || v.Grad() == nil {
			continue
		}
		vw, err := b.view(v)
		if err != nil {
			return err
		}
		s := b.slotsFor(v, nslots)
		if vw.w32 != nil {
			b.prepare32(vw.w32, vw.g32, lr)
		} else {
			b.prepare64(vw.w64, vw.g64, lr)
		}
		update(v, vw, s)
		v.ApplyConstraint()
	}
	b.iters++
	return nil
}

func (b *base) prepare32(w, g []float32, lr float64) {
	switch {
	case b.clipnorm > 0:
		clipByNorm(g, b.clipnorm)
	case b.clipvalue > 0:
		clipByValue(g, float32(b.clipvalue))
	}
	if b.weightDecay > 0 {
		decay(w, float32(b.weightDecay*lr))
	}
}

func (b *base) prepare64(w, g []float64, lr float64) {
	switch {
	case b.clipnorm > 0:
		clipByNorm(g, b.clipnorm)
	case b.clipvalue > 0:
		clipByValue(g, b.clipvalue)
	}
	if b.weightDecay > 0 {
		decay(w, b.weightDecay*lr)
	}
}

// clipByNorm rescales g to g*c/max(||g||, c), as Keras does.
func clipByNorm[T backend.Float](g []T, c float64) {
	norm := math.Sqrt(sumSquares(g))
	scale := T(c / math.Max(norm, c))
	for i := range g {
		g[i] *= scale
	}
}

func clipByValue[T backend.Float](g []T, c T) {
	for i, x := range g {
		if x > c {
			g[i] = c
		} else if x < -c {
			g[i] = -c
		}
	}
}

// decay applies w -= w*c (c = weight_decay*learning_rate).
func decay[T backend.Float](w []T, c T) {
	for i := range w {
		w[i] -= w[i] * c
	}
}

func sumSquares[T backend.Float](g []T) float64 {
	var s float64
	for _, x := range g {
		s += float64(x) * float64(x)
	}
	return s
}

// clipGlobal scales every trainable gradient by
// clip*min(1/norm, 1/clip), norm being the joint L2 norm (Keras's
// clip_by_global_norm; an infinite or NaN norm makes the scale NaN).
func (b *base) clipGlobal(vars []*backend.Variable) error {
	var sq float64
	for _, v := range vars {
		if !v.Trainable() || v.Grad() == nil {
			continue
		}
		vw, err := b.view(v)
		if err != nil {
			return err
		}
		if vw.g32 != nil {
			sq += sumSquares(vw.g32)
		} else {
			sq += sumSquares(vw.g64)
		}
	}
	norm := math.Sqrt(sq)
	c := b.globalClipnorm
	scale := c*math.Min(1/norm, 1/c) + (norm - norm)
	if scale == 1 {
		return nil
	}
	for _, v := range vars {
		if vw, ok := b.views[v]; ok && v.Trainable() {
			if vw.g32 != nil {
				scaleBy(vw.g32, float32(scale))
			} else {
				scaleBy(vw.g64, scale)
			}
		}
	}
	return nil
}

func scaleBy[T backend.Float](g []T, s T) {
	for i := range g {
		g[i] *= s
	}
}

// updateSplit is the number of elements per goroutine below which a
// variable's update runs on one goroutine: an Adam step takes about 0.5 ns
// per element, a hand-off to another core a few microseconds
// (BenchmarkAdamSplit).
var updateSplit = 1 << 15

// splitUpdate runs f over w, g and the slots s, in parts on several
// goroutines when the variable is large. Every update is element-wise
// (each element's new values depend on that element alone), so the parts
// give the same bits as one call.
func splitUpdate[T backend.Float](b *base, v *backend.Variable, w, g []T, s []slot, f func(w, g []T, s []slot)) {
	n := len(w)
	p := par.Workers(n, updateSplit)
	if p == 1 {
		f(w, g, s)
		return
	}
	parts := b.slotParts(v, s, n, p)
	par.Run(p, func(q int) {
		lo, hi := par.Part(n, p, q, 8)
		f(w[lo:hi], g[lo:hi], parts[q])
	})
}

// slotParts returns v's slots cut into the p parts of n elements that
// splitUpdate uses, made once per variable and split.
func (b *base) slotParts(v *backend.Variable, s []slot, n, p int) [][]slot {
	if c, ok := b.parts[v]; ok && c.w == p && sameSlots(c.slots[0], s) {
		return c.slots
	}
	out := make([][]slot, p)
	for q := range out {
		lo, hi := par.Part(n, p, q, 8)
		out[q] = make([]slot, len(s))
		for i, sl := range s {
			if sl.f32 != nil {
				out[q][i].f32 = sl.f32[lo:hi]
			}
			if sl.f64 != nil {
				out[q][i].f64 = sl.f64[lo:hi]
			}
		}
	}
	if b.parts == nil {
		b.parts = map[*backend.Variable]slotParts{}
	}
	b.parts[v] = slotParts{p, out}
	return out
}

// sameSlots reports whether part, the first part of a split, starts the
// slots s (which a restored state replaces).
func sameSlots(part, s []slot) bool {
	if len(part) != len(s) {
		return false
	}
	for i := range s {
		if len(s[i].f32) > 0 && (len(part[i].f32) == 0 || &part[i].f32[0] != &s[i].f32[0]) {
			return false
		}
		if len(s[i].f64) > 0 && (len(part[i].f64) == 0 || &part[i].f64[0] != &s[i].f64[0]) {
			return false
		}
	}
	return true
}
