package par

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestLateSplitsPauseSplitting: a late split pauses splitting for
// minBackoff, each further late one doubles the pause up to maxBackoff,
// and a split on time brings the next pause back to minBackoff.
func TestLateSplitsPauseSplitting(t *testing.T) {
	defer Resume()
	Resume()
	if Paused() {
		t.Fatal("paused before any split")
	}
	observe(time.Millisecond, time.Millisecond) // on time: within lateFactor
	if Paused() {
		t.Fatal("a split on time paused splitting")
	}
	observe(10*time.Microsecond, 5*time.Millisecond)
	if !Paused() || Workers(1<<30, 1) != 1 {
		t.Fatalf("a late split did not pause splitting: paused %v, workers %d", Paused(), Workers(1<<30, 1))
	}
	pause := func() time.Duration { return time.Duration(backoff.until.Load() - now()) }
	if p := pause(); p > minBackoff || p <= 0 {
		t.Errorf("first pause %v, want about %v", p, minBackoff)
	}
	for i := 0; i < 10; i++ {
		observe(10*time.Microsecond, 5*time.Millisecond)
	}
	if p := pause(); p > maxBackoff || p < maxBackoff/2 {
		t.Errorf("pause after eleven late splits %v, want about %v", p, maxBackoff)
	}
	observe(time.Millisecond, 0)
	observe(10*time.Microsecond, 5*time.Millisecond)
	if p := pause(); p > minBackoff {
		t.Errorf("pause after a split on time and a late one %v, want at most %v", p, minBackoff)
	}
	Resume()
	if Paused() {
		t.Error("Resume left splitting paused")
	}
}

// TestRunNoticesALateWorker: a worker's part that takes far longer than
// the caller's (as when its thread loses its core) pauses splitting.
func TestRunNoticesALateWorker(t *testing.T) {
	defer Resume()
	Resume()
	before := LateSplits()
	for try := 0; try < 20 && LateSplits() == before; try++ {
		Resume()
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
		t.Error("a late split did not pause splitting")
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
	observe(10*time.Microsecond, 5*time.Millisecond)
	if Paused() || Workers(1<<30, 1) == 1 && MaxWorkers() >= 2 {
		t.Error("a late split paused splitting with the back-off off")
	}
	if SetBackoff(true) {
		t.Error("SetBackoff(false) left the back-off on")
	}
	observe(10*time.Microsecond, 5*time.Millisecond)
	if !Paused() {
		t.Error("a late split did not pause splitting with the back-off on again")
	}
}
