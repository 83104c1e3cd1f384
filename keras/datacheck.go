package keras

import (
	"math"
	"sync"
	"weak"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/par"
	"github.com/gokeras/gokeras/keras/internal/vec"
)

// Input checks and batch assembly.
//
// Every value a model trains or predicts on must be finite (and, for a
// float32 model, a float64 value must lie within float32's range). Data is
// checked twice over, each time at memory speed: once before a Fit,
// Evaluate or Predict call starts, by a vector scan in the data's own
// dtype, and again while each batch is copied into a program's input
// buffer, by the copy itself (a check in registers of what is being
// copied anyway, so it costs nothing measurable). A model remembers the
// tensors it has scanned (checkCache): when the same tensor comes back,
// as when Fit is called once per epoch, the scan before the call is
// skipped and the copies alone guard it. A value written into such a
// tensor since it was scanned is then rejected when the batch holding it
// is assembled, before that batch's step runs, with the same DataError
// (row, column, value); earlier batches of that call have run.

// checkKey names a range of one float array checked against one limit.
// The weak pointer identifies the array itself (an array freed and a new
// one allocated at the same address get different keys), without keeping
// it alive.
type checkKey struct {
	p32    weak.Pointer[float32]
	p64    weak.Pointer[float64]
	lo, hi int     // elements [lo, hi) of the slice
	limit  float64 // largest magnitude allowed
}

// checkCache remembers the last few arrays a model has scanned.
type checkCache struct {
	mu   sync.Mutex
	keys []checkKey
}

// maxChecked bounds the arrays a model remembers: training data,
// targets, validation data and a few prediction inputs.
const maxChecked = 16

// keyOf returns the key of c's values checked against limit, false for
// data that needs no check (integers).
func keyOf(c columns, limit float64) (checkKey, bool) {
	lo, hi := c.from*c.width, (c.from+c.n)*c.width
	switch d := c.data.(type) {
	case []float32:
		return checkKey{p32: weak.Make(&d[0]), lo: lo, hi: hi, limit: limit}, true
	case []float64:
		return checkKey{p64: weak.Make(&d[0]), lo: lo, hi: hi, limit: limit}, true
	}
	return checkKey{}, false
}

// covers reports whether a check recorded as a covers one asked as b.
func (a checkKey) covers(b checkKey) bool {
	return a.p32 == b.p32 && a.p64 == b.p64 && a.lo <= b.lo && b.hi <= a.hi && a.limit <= b.limit
}

func (a checkKey) alive() bool { return a.p32.Value() != nil || a.p64.Value() != nil }

func (cc *checkCache) has(k checkKey) bool {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, e := range cc.keys {
		if e.covers(k) {
			return true
		}
	}
	return false
}

func (cc *checkCache) add(k checkKey) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	live := cc.keys[:0]
	for _, e := range cc.keys {
		if e.alive() && !k.covers(e) {
			live = append(live, e)
		}
	}
	if len(live) >= maxChecked {
		live = append(live[:0], live[len(live)-maxChecked+1:]...)
	}
	cc.keys = append(live, k)
}

// limitFor returns the largest magnitude data of c's dtype may have for a
// model of dtype dt: float32's for float64 data on a float32 model,
// float64's otherwise (so only NaN and infinities are bad).
func limitFor(c columns, dt tensor.Dtype) float64 {
	if _, ok := c.data.([]float64); ok && dt == tensor.Float32 {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// checkFinite returns a DataError for the first NaN or Inf and, for a
// float32 model, the first float64 value beyond float32's range, unless
// the model has checked these values before (cache, which may be nil).
// It also records in c what the batch copies check (c.limit).
func (c *columns) checkFinite(what string, dt tensor.Dtype, cache *checkCache) error {
	c.label, c.limit = what, limitFor(*c, dt)
	key, float := keyOf(*c, c.limit)
	if !float || (cache != nil && cache.has(key)) {
		return nil
	}
	lo, hi := c.from*c.width, (c.from+c.n)*c.width
	bad := -1
	switch d := c.data.(type) {
	case []float32:
		bad = vec.FirstNonFinite32(d[lo:hi])
	case []float64:
		bad = vec.FirstBeyond64(d[lo:hi], c.limit)
	}
	if bad >= 0 {
		return c.badValue(lo + bad)
	}
	if cache != nil {
		cache.add(key)
	}
	return nil
}

// badValue returns the DataError for element i (from the start of the
// data) of c.
func (c columns) badValue(i int) error {
	var v float64
	switch d := c.data.(type) {
	case []float32:
		v = float64(d[i])
	case []float64:
		v = d[i]
	}
	msg := "data must be finite"
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		msg = "beyond float32's range, the model's dtype"
	}
	return &DataError{Arg: c.label, Row: i / c.width, Col: i % c.width, Value: v, Msg: msg}
}

// floats is a float32 or float64 buffer (the other nil), passed without
// boxing a slice into an interface (an allocation per call).
type floats struct {
	f32 []float32
	f64 []float64
}

// floatsOf returns t's backing slice.
func floatsOf(t *tensor.Dense) floats {
	switch t.Dtype() {
	case tensor.Float32:
		return floats{f32: t.Float32s()}
	case tensor.Float64:
		return floats{f64: t.Float64s()}
	}
	return floats{}
}

// gatherSplit is the number of values per goroutine below which a batch is
// copied on one goroutine: a gather of shuffled rows runs at about 6 GB/s
// on one core, so 2^15 float32 values take about 20 us, far more than the
// microsecond the hand-off to the pool costs (a W1 batch of 512 rows,
// 401,408 values, is copied by two goroutines; one of 32 rows by one).
const gatherSplit = 1 << 15

// gather copies rows idx (relative to from) into dst, a []float32 or
// []float64 of len(idx)*width, converting the element type and checking
// float values on the way (see the comment at the top of the file). Runs
// of consecutive rows are copied as one block; a large batch is copied by
// several goroutines.
func (c columns) gather(dst floats, idx []int) error {
	n := len(idx) * c.width
	w := par.Workers(n, gatherSplit)
	if w == 1 {
		return c.gatherRange(dst, idx, 0)
	}
	errs := make([]error, w)
	par.Run(w, func(q int) {
		lo, hi := par.Part(len(idx), w, q, 1)
		errs[q] = c.gatherRange(dst, idx[lo:hi], lo)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// gatherRange copies rows idx into dst from row at of dst on.
func (c columns) gatherRange(dst floats, idx []int, at int) error {
	for k := 0; k < len(idx); {
		run := 1
		for k+run < len(idx) && idx[k+run] == idx[k]+run {
			run++
		}
		if next := k + run; next < len(idx) {
			c.prefetchRow(idx[next]) // in flight while this run is copied
		}
		lo := (c.from + idx[k]) * c.width
		if !c.copyRows(dst, (at+k)*c.width, lo, run*c.width) {
			return c.firstBad(lo, run*c.width)
		}
		k += run
	}
	return nil
}

// prefetchRow starts loading row i (relative to from) into the caches.
func (c columns) prefetchRow(i int) {
	lo := (c.from + i) * c.width
	switch s := c.data.(type) {
	case []float32:
		vec.Prefetch(s[lo : lo+c.width])
	case []float64:
		vec.Prefetch(s[lo : lo+c.width])
	case []uint8:
		vec.Prefetch(s[lo : lo+c.width])
	}
}

// copyRows copies n values from src offset lo into dst offset off and
// reports whether they were all good.
func (c columns) copyRows(dst floats, off, lo, n int) bool {
	if dst.f32 != nil {
		out := dst.f32[off : off+n]
		switch s := c.data.(type) {
		case []float32:
			return vec.CopyFinite32(out, s[lo:lo+n])
		case []float64:
			return vec.Narrow64(out, s[lo:lo+n], c.limit)
		case []uint8:
			vec.Uint8To32(out, s[lo:lo+n])
			return true
		}
		convertRows(out, c.data, lo)
		return true
	}
	if dst.f64 != nil {
		out := dst.f64[off : off+n]
		switch s := c.data.(type) {
		case []float64:
			return vec.CopyWithin64(out, s[lo:lo+n], c.limit)
		case []float32:
			return vec.Widen32(out, s[lo:lo+n])
		}
		convertRows(out, c.data, lo)
	}
	return true
}

// firstBad returns the DataError for the first bad value among n values
// from lo.
func (c columns) firstBad(lo, n int) error {
	i := -1
	switch d := c.data.(type) {
	case []float32:
		i = vec.FirstNonFinite32(d[lo : lo+n])
	case []float64:
		i = vec.FirstBeyond64(d[lo:lo+n], c.limit)
	}
	if i < 0 {
		i = 0 // not reached: copyRows found one
	}
	return c.badValue(lo + i)
}

// convertRows converts len(dst) integer values from src offset lo.
func convertRows[D float32 | float64](dst []D, src any, lo int) {
	n := len(dst)
	switch s := src.(type) {
	case []uint8:
		convertInts(dst, s[lo:lo+n])
	case []int8:
		convertInts(dst, s[lo:lo+n])
	case []uint16:
		convertInts(dst, s[lo:lo+n])
	case []int16:
		convertInts(dst, s[lo:lo+n])
	case []uint32:
		convertInts(dst, s[lo:lo+n])
	case []int32:
		convertInts(dst, s[lo:lo+n])
	case []uint64:
		convertInts(dst, s[lo:lo+n])
	case []int64:
		convertInts(dst, s[lo:lo+n])
	case []int:
		convertInts(dst, s[lo:lo+n])
	case []uint:
		convertInts(dst, s[lo:lo+n])
	}
}

func convertInts[D float32 | float64, S ~uint8 | ~int8 | ~uint16 | ~int16 | ~uint32 | ~int32 | ~uint64 | ~int64 | ~int | ~uint](dst []D, src []S) {
	for i, v := range src {
		dst[i] = D(v)
	}
}
