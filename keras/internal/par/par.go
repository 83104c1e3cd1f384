// Package par splits gokeras's work across goroutines: the cap on how
// many one operation may use (set through backend.SetMaxWorkers), the
// choice of how many a piece of work of a given size should use, and a
// fork-join that re-raises a worker's panic on the calling goroutine. The
// fork-join runs its parts on a small pool of worker goroutines that stay
// awake for a millisecond after each part (pool.go), so that a split
// costs about a microsecond instead of a thread's wake-up.
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
// a split pays only with at least minPer items per goroutine.
func Workers(n, minPer int) int {
	w := MaxWorkers()
	if w < 2 || n < 2*minPer {
		return 1
	}
	return min(w, n/max(minPer, 1))
}

// Run runs f(0), ..., f(w-1) on w goroutines, f(w-1) on the calling one,
// and waits for all. The other parts go to the pool's workers (pool.go),
// goroutines that stay awake for a moment after their last part, so that
// a split costs a store and a load rather than waking a parked thread; a
// part finds a new goroutine when every worker is busy. A panic in a
// worker is raised again on the calling goroutine once every worker has
// stopped, so the caller's recover sees it and no worker writes into a
// buffer afterwards.
func Run(w int, f func(q int)) {
	if w <= 1 {
		f(0)
		return
	}
	st := &run{f: f} // one allocation for the whole fork-join
	st.pending.Store(int32(w - 1))
	for q := 0; q < w-1; q++ {
		if wk := workers.acquire(); wk != nil {
			wk.give(st, q)
		} else {
			go st.spawned(q)
		}
	}
	st.work(w - 1)
	st.wait()
	if st.failed != nil {
		panic(st.failed)
	}
}

// run is the state of one Run.
type run struct {
	f       func(q int)
	pending atomic.Int32 // parts not finished, the caller's aside
	mu      sync.Mutex   // guards failed and done
	failed  any
	done    chan struct{} // made when the caller gives up spinning
}

// spawned runs part q on a goroutine of its own.
func (r *run) spawned(q int) {
	r.work(q)
	r.finish()
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

// finish marks one part done, waking the caller when it was the last and
// the caller sleeps.
func (r *run) finish() {
	if r.pending.Add(-1) != 0 {
		return
	}
	r.mu.Lock()
	if r.done != nil {
		close(r.done)
	}
	r.mu.Unlock()
}

// wait returns once every part has finished: it yields for up to
// spinFor, the time the other parts usually need once the caller's own
// is done, then sleeps until the last part wakes it.
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
			r.done = make(chan struct{})
			r.mu.Unlock()
			<-r.done
			return
		}
		runtime.Gosched()
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
