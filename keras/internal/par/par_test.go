package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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
	defer SetBackoff(SetBackoff(false)) // a late split must not pause splitting here
	procs := runtime.GOMAXPROCS(0)
	SetMaxWorkers(1)
	if Workers(1<<30, 1) != 1 {
		t.Error("SetMaxWorkers(1) still splits")
	}
	SetMaxWorkers(0)
	// A worker of an earlier test's split may still be on its way back
	// to the idle ones; give it a moment.
	deadline := time.Now().Add(time.Second)
	got, want := Workers(1<<30, 1), min(2, procs)
	for got != want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		got = Workers(1<<30, 1)
	}
	if got != want {
		t.Errorf("default split of a large job: %d, want %d", got, want)
	}
	if Workers(100, 64) != 1 {
		t.Error("a job below twice the minimum was split")
	}
}

// TestRunFromManyGoroutines runs splits from many goroutines at once,
// nested ones among them, so that the pool's workers are taken, busy and
// given back concurrently; every part must run exactly once.
func TestRunFromManyGoroutines(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS is 1: Run never splits")
	}
	const callers, rounds = 8, 200
	var sum atomic.Int64
	done := make(chan struct{})
	for c := 0; c < callers; c++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < rounds; i++ {
				Run(2, func(q int) {
					Run(3, func(p int) { sum.Add(int64(10*q + p + 1)) })
				})
			}
		}()
	}
	for c := 0; c < callers; c++ {
		<-done
	}
	// Each Run(2) adds (1+2+3) + (11+12+13) = 42.
	if got, want := sum.Load(), int64(callers*rounds*42); got != want {
		t.Fatalf("parts summed to %d, want %d", got, want)
	}
}

// TestPoolWorkerPanicsReachCaller checks that a panic in a part that a
// pool worker ran (the first split warms the pool) reaches the caller,
// and that the worker keeps serving afterwards.
func TestPoolWorkerPanicsReachCaller(t *testing.T) {
	Run(2, func(int) {})
	func() {
		defer func() {
			if r := recover(); r != "part 0" {
				t.Errorf("recovered %v, want the worker's panic", r)
			}
		}()
		Run(2, func(q int) {
			if q == 0 {
				panic("part 0")
			}
		})
		t.Error("Run returned after a part panicked")
	}()
	var ran atomic.Int32
	Run(2, func(int) { ran.Add(1) })
	if ran.Load() != 2 {
		t.Fatalf("after a panic, Run ran %d parts of 2", ran.Load())
	}
}

// TestPoolWorkersRetire checks that an idle program keeps no workers:
// they end idleExit after spinFor.
func TestPoolWorkersRetire(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS is 1: no workers start")
	}
	Run(2, func(int) {})
	deadline := time.Now().Add(20 * (spinFor + idleExit))
	for {
		workers.mu.Lock()
		n := workers.total
		workers.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d workers alive %v after the last split", n, 20*(spinFor+idleExit))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkRunHandOff times a split of about 13 us of work in two
// halves, with the pool's spinning workers, against the same work on one
// goroutine and against a goroutine started per split (Run before the
// pool). Run it on a quiet machine.
func BenchmarkRunHandOff(b *testing.B) {
	var sink atomic.Int64
	work := func(n int) {
		s := 0
		for i := 0; i < n; i++ {
			s += i * i
		}
		sink.Add(int64(s))
	}
	const half = 20000
	b.Run("one_goroutine", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			work(2 * half)
		}
	})
	b.Run("goroutine_per_split", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { work(half); wg.Done() }()
			work(half)
			wg.Wait()
		}
	})
	b.Run("pool", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Run(2, func(int) { work(half) })
		}
	})
}
