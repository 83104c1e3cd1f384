package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestPartCoversExactly(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 100, 1001} {
		for w := 1; w <= 5; w++ {
			for _, align := range []int{1, 8} {
				next := 0
				for q := 0; q < w; q++ {
					lo, hi := Part(n, w, q, align)
					if lo != next || hi < lo || (q < w-1 && (hi-lo)%align != 0) {
						t.Fatalf("Part(%d, %d, %d, %d) = [%d, %d), previous part ended at %d", n, w, q, align, lo, hi, next)
					}
					next = hi
				}
				if next != n {
					t.Fatalf("parts of %d (w %d, align %d) end at %d", n, w, align, next)
				}
			}
		}
	}
}

func TestRunRunsEveryPartAndRaisesPanics(t *testing.T) {
	var sum atomic.Int64
	Run(3, func(q int) { sum.Add(int64(q + 1)) })
	if sum.Load() != 6 {
		t.Fatalf("Run(3) ran parts summing to %d, want 6", sum.Load())
	}
	defer func() {
		if r := recover(); r != "worker 0" {
			t.Fatalf("recovered %v, want the worker's panic", r)
		}
	}()
	Run(2, func(q int) {
		if q == 0 {
			panic("worker 0")
		}
	})
	t.Fatal("Run returned after a worker panicked")
}

func TestWorkers(t *testing.T) {
	defer SetMaxWorkers(0)
	procs := runtime.GOMAXPROCS(0)
	SetMaxWorkers(1)
	if Workers(1<<30, 1) != 1 {
		t.Error("SetMaxWorkers(1) still splits")
	}
	SetMaxWorkers(0)
	if got, want := Workers(1<<30, 1), min(2, procs); got != want {
		t.Errorf("default split of a large job: %d, want %d", got, want)
	}
	if Workers(100, 64) != 1 {
		t.Error("a job below twice the minimum was split")
	}
}
