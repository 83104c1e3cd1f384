// Package par splits gokeras's work across goroutines: the cap on how
// many one operation may use (set through backend.SetMaxWorkers), the
// choice of how many a piece of work of a given size should use, and a
// fork-join that re-raises a worker's panic on the calling goroutine. The
// fork-join runs its parts on a small pool of worker goroutines that stay
// awake for a moment after each part (pool.go), so that a split costs
// about a microsecond instead of a thread's wake-up.
//
// The package imports nothing of gokeras.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultWorkers is the cap when none is set: two, the most that was
// measured (docs/performance.md).
const DefaultWorkers = 2

var limit atomic.Int64 // 0: DefaultWorkers

// SetMaxWorkers sets the cap (n < 1: the default).
func SetMaxWorkers(n int) { limit.Store(int64(max(n, 0))) }

// MaxWorkers returns the cap, at most GOMAXPROCS and at least 1.
func MaxWorkers() int {
	n := int(limit.Load())
	if n == 0 {
		n = DefaultWorkers
	}
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// Workers returns how many goroutines should share work on n items when
// a split pays only with at least minPer items per goroutine: 1 while
// splitting is paused (backoff.go).
func Workers(n, minPer int) int {
	w := MaxWorkers()
	if w < 2 || n < 2*minPer || Paused() {
		return 1
	}
	return min(w, n/max(minPer, 1))
}

// Run runs f(0), ..., f(w-1), each exactly once, and returns when all
// have returned: f(w-1) on the calling goroutine, the others on the
// pool's workers (pool.go), goroutines that stay awake for a moment
// after their last part, so that a split costs a store and a load rather
// than waking a parked thread. Parts no worker takes (every worker busy
// with a split of another goroutine or with the part of an outer split,
// or asleep, or off its core on a machine shared with other jobs) the
// caller runs itself once its own part is done, so a split never waits
// for a thread to get a core. A part a worker has started and then lost
// its core in, the caller has to wait for; such a late split pauses all
// splitting for a while (backoff.go). Parts must not wait for each
// other. A panic in a part is raised again on the calling goroutine once
// every part has stopped, so the caller's recover sees it and no part
// writes into a buffer afterwards.
func Run(w int, f func(q int)) {
	if w <= 1 {
		f(0)
		return
	}
	st := runs.Get().(*run)
	st.f, st.parts, st.failed, st.waiting = f, int32(w-1), nil, false
	if st.done == nil {
		st.done = make(chan struct{}, 1) // kept with st for its next Runs
	}
	st.claimed.Store(0)
	st.pending.Store(int32(w - 1))
	st.refs.Store(int32(w)) // the caller and each goroutine given st
	for q := 0; q < w-1; q++ {
		wk := workers.acquire()
		if wk == nil {
			st.refs.Add(-1) // nobody else is given st; the caller runs the rest
			continue
		}
		wk.give(st)
	}
	t0 := time.Now()
	st.work(w - 1)
	st.help()
	if st.pending.Load() != 0 {
		t1 := time.Now()
		st.wait()
		observe(t1.Sub(t0), time.Since(t1))
	} else {
		observe(0, 0)
	}
	failed := st.failed
	st.release()
	if failed != nil {
		panic(failed)
	}
}

// runs recycles the state of finished Runs, so that a split allocates
// nothing of its own (a training step makes a dozen of them; the
// allocation budget of a step is 16).
var runs = sync.Pool{New: func() any { return new(run) }}

// release drops one reference to r; the last one puts it back in runs.
// A worker given r may look at it after the caller has returned (to find
// every part claimed), so r is recycled only once every goroutine given
// it is done with it.
func (r *run) release() {
	if r.refs.Add(-1) == 0 {
		r.f, r.failed = nil, nil
		runs.Put(r)
	}
}

// run is the state of one Run.
type run struct {
	f       func(q int)
	parts   int32        // parts 0..parts-1 are up for claiming
	claimed atomic.Int32 // parts claimed so far
	pending atomic.Int32 // claimable parts not finished
	refs    atomic.Int32 // goroutines that may still look at the run
	mu      sync.Mutex   // guards failed and waiting
	failed  any
	waiting bool          // the caller sleeps on done
	done    chan struct{} // capacity 1: the last part's signal to a sleeping caller
}

// help runs parts nobody has started until none is left: the caller's
// share of the parts once its own is done.
func (r *run) help() {
	for q := r.claim(); q >= 0; q = r.claim() {
		r.work(q)
		r.finish()
	}
}

// claim returns the index of a part nobody has started, or -1.
func (r *run) claim() int {
	if r.claimed.Load() >= r.parts {
		return -1
	}
	if q := r.claimed.Add(1) - 1; q < r.parts {
		return int(q)
	}
	return -1
}

func (r *run) work(q int) {
	defer func() {
		if p := recover(); p != nil {
			r.mu.Lock()
			if r.failed == nil {
				r.failed = p
			}
			r.mu.Unlock()
		}
	}()
	r.f(q)
}

// finish marks one claimed part done, waking the caller when it was the
// last and the caller sleeps.
func (r *run) finish() {
	if r.pending.Add(-1) != 0 {
		return
	}
	r.mu.Lock()
	if r.waiting {
		r.done <- struct{}{} // never blocks: one signal per Run, received by its caller
	}
	r.mu.Unlock()
}

// wait returns once every claimed part has finished: it spins for up to
// spinFor (the parts still running were started before the caller
// finished its own, so they are usually about done), then sleeps until
// the last part wakes it.
func (r *run) wait() {
	start := time.Now()
	for i := 0; r.pending.Load() != 0; i++ {
		for j := 0; j < spinLoads && r.pending.Load() != 0; j++ {
		}
		if r.pending.Load() == 0 {
			return
		}
		if i&15 == 15 && time.Since(start) > spinFor {
			r.mu.Lock()
			if r.pending.Load() == 0 {
				r.mu.Unlock()
				return
			}
			r.waiting = true
			r.mu.Unlock()
			<-r.done
			return
		}
		yield(i)
	}
}

// Part returns the q-th of w contiguous parts of [0, n), each a multiple
// of align items long except the last.
func Part(n, w, q, align int) (lo, hi int) {
	align = max(align, 1)
	units := (n + align - 1) / align
	lo = min(n, units*q/w*align)
	hi = min(n, units*(q+1)/w*align)
	if q == w-1 {
		hi = n
	}
	return lo, hi
}
