// Package par splits gokeras's work across goroutines: the cap on how
// many one operation may use (set through backend.SetMaxWorkers), the
// choice of how many a piece of work of a given size should use, and a
// fork-join that re-raises a worker's panic on the calling goroutine.
//
// The package imports nothing of gokeras.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
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
// and waits for all. A panic in a worker is raised again on the calling
// goroutine once every worker has stopped, so the caller's recover sees
// it and no worker writes into a buffer afterwards.
func Run(w int, f func(q int)) {
	if w <= 1 {
		f(0)
		return
	}
	st := &run{f: f} // one allocation for the whole fork-join
	st.wg.Add(w - 1)
	for q := 0; q < w-1; q++ {
		go st.worker(q)
	}
	st.work(w - 1)
	st.wg.Wait()
	if st.failed != nil {
		panic(st.failed)
	}
}

// run is the state of one Run.
type run struct {
	f      func(q int)
	wg     sync.WaitGroup
	mu     sync.Mutex
	failed any
}

func (r *run) worker(q int) {
	defer r.wg.Done()
	r.work(q)
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
