package par

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestLateSplitsPauseSplitting: a burst of lateBurst late splits pauses
// splitting for minBackoff, each further burst doubles the pause up to
// maxBackoff, and a split on time brings the next pause back to
// minBackoff. The pauses are read from the state, bracketed by the clock
// before and after each observe, so a test goroutine descheduled on a
// loaded machine cannot make the test fail.
func TestLateSplitsPauseSplitting(t *testing.T) {
	defer Resume()
	Resume()
	if Paused() {
		t.Fatal("paused before any split")
	}
	observe(time.Millisecond, time.Millisecond) // on time: within lateFactor
	if backoff.until.Load() != 0 {
		t.Fatal("a split on time paused splitting")
	}
	// late records a burst of late splits and checks that the pause its
	// last one set lasts want from the moment of that call.
	late := func(what string, want time.Duration) {
		t.Helper()
		for i := 1; i < lateBurst; i++ {
			observe(10*time.Microsecond, 5*time.Millisecond)
		}
		t0 := now()
		observe(10*time.Microsecond, 5*time.Millisecond)
		t1 := now()
		u := backoff.until.Load()
		if u-t1 > int64(want) || u-t0 < int64(want) {
			t.Errorf("%s: pause until %v after the call, want %v", what, time.Duration(u-t1), want)
		}
		if now() < u && (!Paused() || Workers(1<<30, 1) != 1) {
			t.Errorf("%s: splitting is not paused: paused %v, workers %d", what, Paused(), Workers(1<<30, 1))
		}
	}
	late("first burst", minBackoff)
	for i, want := 1, 2*minBackoff; i <= 10; i, want = i+1, min(2*want, maxBackoff) {
		late(fmt.Sprintf("burst %d", i+1), want)
	}
	observe(time.Millisecond, 0)
	late("a burst after a split on time", minBackoff)
	Resume()
	if Paused() {
		t.Error("Resume left splitting paused")
	}
}

// TestSingleLateSplitsDoNotPause: fewer than lateBurst late splits, or
// late splits further apart than lateWindow, pause nothing (a worker
// held up now and then on a quiet machine); lateBurst within lateWindow
// do.
func TestSingleLateSplitsDoNotPause(t *testing.T) {
	defer Resume()
	Resume()
	for i := 1; i < lateBurst; i++ {
		observe(10*time.Microsecond, 5*time.Millisecond)
	}
	if backoff.until.Load() != 0 {
		t.Fatalf("%d late splits paused splitting", lateBurst-1)
	}
	Resume()
	w := int64(lateWindow)
	for i := int64(0); i < 10; i++ {
		if lateBurstEnds(i * (w + 1)) {
			t.Fatalf("late splits %v apart ended a burst at the %d-th", lateWindow, i+1)
		}
	}
	Resume()
	start := int64(50 * lateWindow)
	for i := 0; i < lateBurst; i++ {
		ends := lateBurstEnds(start + int64(i)*w/int64(lateBurst))
		if ends != (i == lateBurst-1) {
			t.Fatalf("late split %d of a burst within %v: ends a burst %v", i+1, lateWindow, ends)
		}
	}
	if lateBurstEnds(start + w/2) {
		t.Fatal("the split after a burst ended another")
	}
}

// TestRunNoticesALateWorker: worker parts that take far longer than the
// caller's (as when its thread loses its core), lateBurst in a row, pause
// splitting.
func TestRunNoticesALateWorker(t *testing.T) {
	defer Resume()
	Resume()
	before := LateSplits()
	for try := 0; try < 20 && !Paused(); try++ {
		var started atomic.Bool
		Run(2, func(q int) {
			if q == 0 {
				started.Store(true)
				time.Sleep(20 * time.Millisecond)
				return
			}
			// The caller's part: wait (briefly) for a worker to take part
			// 0; when none does, the caller runs it itself, on time.
			deadline := time.Now().Add(100 * time.Millisecond)
			for !started.Load() && time.Now().Before(deadline) {
				time.Sleep(50 * time.Microsecond)
			}
		})
	}
	if LateSplits() == before {
		t.Fatal("twenty splits whose worker part took 20 ms were never late")
	}
	if !Paused() {
		t.Errorf("%d late splits did not pause splitting", LateSplits()-before)
	}
}

// TestSetBackoffOff: with the back-off off a late split pauses nothing,
// and turning it back on restores the pauses.
func TestSetBackoffOff(t *testing.T) {
	defer Resume()
	was := SetBackoff(false)
	if !was {
		t.Error("the back-off was off before the test")
	}
	for i := 0; i < lateBurst; i++ {
		observe(10*time.Microsecond, 5*time.Millisecond)
	}
	if Paused() || Workers(1<<30, 1) == 1 && MaxWorkers() >= 2 {
		t.Error("a late split paused splitting with the back-off off")
	}
	if SetBackoff(true) {
		t.Error("SetBackoff(false) left the back-off on")
	}
	for i := 0; i < lateBurst; i++ {
		observe(10*time.Microsecond, 5*time.Millisecond)
	}
	if backoff.until.Load() == 0 {
		t.Error("a late split did not pause splitting with the back-off on again")
	}
}
