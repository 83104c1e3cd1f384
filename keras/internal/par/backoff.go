package par

import (
	"sync"
	"sync/atomic"
	"time"
)

// Splits back off while the machine's other cores are taken.
//
// A worker that has claimed a part and then loses its core to another
// process holds the split up until the OS gives the core back, a time
// slice of milliseconds, while the caller waits for it. On a 2-core
// machine with one core busy in another process, W1 at batch 512 took
// 0.78-0.93 s an epoch split against 0.50 s on one goroutine
// (docs/performance.md; most of that was the spinning, which the
// sched_yield of yield_linux.go ended, the rest these waits). So Run
// times its caller: when the caller, done with its own parts, waits for
// a worker's part longer than lateFactor times its own parts plus
// lateSlack, the split was late. lateBurst late splits within lateWindow
// mean the cores are taken, and for the next backoff.period no work is
// split (Workers reports 1, Paused true). The period starts at
// minBackoff and doubles with every further burst, up to maxBackoff; a
// split that is on time sets it back to minBackoff. Results never depend
// on it (every element is computed the same way on any number of
// goroutines).
//
// A single late split is not enough: on a quiet 2-vCPU virtual machine
// (AMD EPYC, 3 December 2026) a W1 training at batch 512 had 5 to 22 of
// them in five epochs, hundreds of milliseconds apart (the worker held up
// 0.6-1.5 ms in a 0.3 ms product, or 70-180 us in a 5 us one), and
// pausing for each cost 6% of the epoch (paired runs, median ratio
// 0.937 with the back-off off). On a machine whose other core is busy,
// a worker loses its core every few milliseconds, and three late splits
// come within a few steps.

const (
	minBackoff = 10 * time.Millisecond
	maxBackoff = 640 * time.Millisecond
	lateFactor = 2
	lateSlack  = 50 * time.Microsecond
	lateBurst  = 3
	lateWindow = 100 * time.Millisecond
)

// epoch is the origin of the monotonic clock the back-off state is kept in.
var epoch = time.Now()

var backoff struct {
	off    atomic.Bool  // SetBackoff(false): splits never pause
	until  atomic.Int64 // nanoseconds since epoch before which no work is split
	period atomic.Int64 // the next back-off, nanoseconds (0: minBackoff)
	late   atomic.Int64 // late splits seen, for tests and benchmarks

	mu         sync.Mutex // guards the burst
	burstStart int64      // time of the first late split of the current burst
	burstLen   int        // late splits since burstStart
}

// now returns the monotonic time since epoch in nanoseconds.
func now() int64 { return int64(time.Since(epoch)) }

// Paused reports whether splits are paused because a recent one was late:
// work that would be split should run on the calling goroutine.
func Paused() bool {
	if backoff.off.Load() {
		return false
	}
	u := backoff.until.Load()
	return u != 0 && now() < u
}

// observe records how long a split's caller took over its own parts and
// how long it then waited for the workers' parts.
func observe(own, waited time.Duration) {
	if backoff.off.Load() {
		return
	}
	if waited <= lateFactor*own+lateSlack {
		// On time: the next late split backs off for minBackoff again.
		if backoff.period.Load() != 0 {
			backoff.period.Store(0)
		}
		return
	}
	backoff.late.Add(1)
	if !lateBurstEnds(now()) {
		return
	}
	p := time.Duration(backoff.period.Load())
	if p == 0 {
		p = minBackoff
	}
	backoff.until.Store(now() + int64(p))
	backoff.period.Store(int64(min(2*p, maxBackoff)))
}

// lateBurstEnds counts a late split at time t and reports whether it
// completes a burst of lateBurst within lateWindow (and starts a new
// count).
func lateBurstEnds(t int64) bool {
	backoff.mu.Lock()
	defer backoff.mu.Unlock()
	if backoff.burstLen == 0 || t-backoff.burstStart > int64(lateWindow) {
		backoff.burstStart, backoff.burstLen = t, 0
	}
	backoff.burstLen++
	if backoff.burstLen < lateBurst {
		return false
	}
	backoff.burstLen = 0
	return true
}

// LateSplits returns how many splits have been late so far.
func LateSplits() int64 { return backoff.late.Load() }

// Resume ends a pause at once and forgets earlier late splits' longer
// periods, for tests that must see work split.
func Resume() {
	backoff.until.Store(0)
	backoff.period.Store(0)
	backoff.mu.Lock()
	backoff.burstLen = 0
	backoff.mu.Unlock()
}

// SetBackoff turns the back-off on (the default) or off and returns
// whether it was on. Off, no split is ever late and none pauses
// splitting: for tests that must see work split whatever else the
// machine runs, since any of their own splits may be late on a loaded
// machine. Use it as defer par.SetBackoff(par.SetBackoff(false)).
func SetBackoff(on bool) (was bool) {
	was = !backoff.off.Swap(!on)
	if !on {
		Resume()
	}
	return was
}
