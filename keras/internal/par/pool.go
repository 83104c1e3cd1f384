package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The pool keeps up to GOMAXPROCS-1 worker goroutines for Run. A worker
// that has finished a part spins for spinFor, watching for its next Run;
// a split arriving in that time starts within a microsecond. After
// spinFor it sleeps on a channel, and after idleExit asleep it ends, so
// an idle program keeps no goroutines. Parts a worker does not take in
// time the caller runs itself (par.go), so a worker that is asleep,
// busy or off its core never holds a split up.
//
// The reason is measured (docs/performance.md, BenchmarkRunHandOff):
// starting a goroutine per part, as Run did before, made a split of two
// 6.5 us halves take 15-18 us on this 2-core virtual machine (one
// goroutine: 12.6-13.6 us), because the new goroutine needs a parked
// thread woken; with a spinning worker the same split takes 6.7 us.
// Spinning keeps the worker's core busy while it waits, so a program that
// splits work uses both cores while splits keep coming (and spinFor
// after); SetMaxWorkers(1) ends the splits and with them the spinning.
// Between checks a spinning goroutine yields its thread's core too
// (yield_linux.go), so that where every core is taken it never keeps the
// caller, or another process, off a core: with one of two cores busy in
// another process, W1 at batch 512 took 0.67-0.93 s an epoch when the
// spinners yielded to goroutines only, 0.42-0.48 s with the yield, and
// 0.50 s with SetMaxWorkers(1).

// spinFor is how long a worker, or a Run waiting for its workers, spins
// before it sleeps: longer than the gaps between the splits of a training
// step and the next step's (W1 at batch 512 has unsplit stretches of
// more than 0.2 ms, the softmax and loss among them: with 0.2 ms its
// epoch took 0.17-0.21 s, with 1 ms 0.11-0.12), and far below the 200 ms
// Intel's OpenMP runtime spins by default.
const spinFor = time.Millisecond

// spinLoads is how many times a waiting goroutine checks for its signal
// between two yields, about a microsecond: a yield takes the scheduler's
// lock, so yielding on every check made the runtime's locking a tenth
// of a W1 epoch at batch 512.
const spinLoads = 512

// idleExit is how long a sleeping worker waits for a part before it ends.
const idleExit = 100 * time.Millisecond

// pool is the set of workers.
type pool struct {
	mu    sync.Mutex
	idle  []*worker // workers waiting for a part, most recent last
	total int       // workers alive, idle or busy
}

var workers pool

// worker is one pool goroutine.
type worker struct {
	next   atomic.Pointer[run] // the Run given, nil while waiting
	asleep atomic.Bool         // waiting on wake rather than spinning
	wake   chan struct{}       // capacity 1: a token to wake it
}

// acquire returns an idle worker, a new one when there are fewer than
// GOMAXPROCS-1, or nil when all are busy.
func (p *pool) acquire() *worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		wk := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return wk
	}
	if p.total >= runtime.GOMAXPROCS(0)-1 {
		return nil
	}
	p.total++
	wk := &worker{wake: make(chan struct{}, 1)}
	go wk.loop()
	return wk
}

// release puts a worker back among the idle ones.
func (p *pool) release(wk *worker) {
	p.mu.Lock()
	p.idle = append(p.idle, wk)
	p.mu.Unlock()
}

// retire removes a sleeping worker that has waited idleExit, and reports
// false when it was acquired meanwhile (its part is on the way).
func (p *pool) retire(wk *worker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.idle {
		if w == wk {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.total--
			return true
		}
	}
	return false
}

// give hands r to an acquired worker, which claims parts of it.
func (wk *worker) give(r *run) {
	wk.next.Store(r)
	if wk.asleep.Load() {
		select {
		case wk.wake <- struct{}{}:
		default: // a token is there already
		}
	}
}

// loop runs parts until the worker retires. Given a Run, it claims and
// runs parts until none is left; it goes back among the idle workers
// before it reports its last part finished, so that the Run it served
// finds it again for its next split.
func (wk *worker) loop() {
	timer := time.NewTimer(idleExit)
	timer.Stop()
	for {
		r := wk.await(timer)
		if r == nil {
			return
		}
		q := r.claim()
		if q < 0 {
			workers.release(wk)
			r.release()
			continue
		}
		for q >= 0 {
			r.work(q)
			next := r.claim()
			if next < 0 {
				workers.release(wk)
			}
			r.finish()
			q = next
		}
		r.release()
	}
}

// await returns the worker's next part, or nil when it has retired.
func (wk *worker) await(timer *time.Timer) *run {
	start := time.Now()
	for i := 0; ; i++ {
		// Loads keep the cache line shared until the part arrives; a
		// Swap on every turn would take it from the giver each time.
		for j := 0; j < spinLoads; j++ {
			if wk.next.Load() != nil {
				if r := wk.next.Swap(nil); r != nil {
					return r
				}
			}
		}
		if i&15 == 15 && time.Since(start) > spinFor {
			break
		}
		yield(i)
	}
	for {
		wk.asleep.Store(true)
		if r := wk.next.Swap(nil); r != nil {
			wk.asleep.Store(false)
			return r
		}
		timer.Reset(idleExit)
		select {
		case <-wk.wake:
			timer.Stop()
		case <-timer.C:
			if workers.retire(wk) {
				return nil
			}
		}
		wk.asleep.Store(false)
		if r := wk.next.Swap(nil); r != nil {
			return r
		}
	}
}
