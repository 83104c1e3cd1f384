package serving

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"
)

// recorder is a batch function that doubles every value, records each
// batch's rows and can be held.
type recorder struct {
	mu      sync.Mutex
	batches []int
	gate    chan struct{}
	entered chan int
}

func (r *recorder) run(rows int, xs []column) ([]column, error) {
	r.mu.Lock()
	r.batches = append(r.batches, rows)
	gate, entered := r.gate, r.entered
	r.mu.Unlock()
	if entered != nil {
		entered <- rows
	}
	if gate != nil {
		<-gate
	}
	out := make([]float64, len(xs[0].f64))
	for i, v := range xs[0].f64 {
		out[i] = 2 * v
	}
	return []column{{dtype: float64Type, f64: out}}, nil
}

func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.batches...)
}

var scalarSpecs = []tensorSpec{{name: "x", dtype: float64Type}}

// rowsOf returns a column of the values given, one scalar per row.
func rowsOf(vs ...float64) []column { return []column{{dtype: float64Type, f64: vs}} }

func newTestScheduler(merge bool, p BatchingParameters, r *recorder) *scheduler {
	return newScheduler(merge, p.withDefaults(), r.run, func(int) {}, func(int) {})
}

// TestSchedulerMergesWhileBusy holds the only thread with one request;
// the requests arriving meanwhile run together as one batch, split at
// MaxBatchSize, and each gets its own rows back.
func TestSchedulerMergesWhileBusy(t *testing.T) {
	r := &recorder{gate: make(chan struct{}), entered: make(chan int, 16)}
	s := newTestScheduler(true, BatchingParameters{MaxBatchSize: 4, NumBatchThreads: 1, MaxEnqueuedBatches: 10}, r)
	defer s.close()
	ctx := context.Background()
	type res struct {
		i   int
		out []column
		err error
	}
	results := make(chan res, 8)
	submit := func(i int, vs ...float64) {
		out, err := s.submit(ctx, len(vs), rowsOf(vs...), scalarSpecs)
		results <- res{i, out, err}
	}
	go submit(0, 1)
	<-r.entered // the thread is busy with request 0
	// Queued one after the other, so the batches they join are known.
	go submit(1, 10, 11)
	waitQueued(t, s, 1)
	go submit(2, 20)
	waitQueued(t, s, 2)
	go submit(3, 30, 31, 32) // does not fit the open batch of 3 rows: a new one
	waitQueued(t, s, 3)
	close(r.gate)
	want := map[int][]float64{0: {2}, 1: {20, 22}, 2: {40}, 3: {60, 62, 64}}
	for range want {
		x := <-results
		if x.err != nil {
			t.Fatal(x.err)
		}
		if !reflect.DeepEqual(x.out[0].f64, want[x.i]) {
			t.Errorf("request %d got %v, want %v", x.i, x.out[0].f64, want[x.i])
		}
	}
	got := r.sizes()
	if !reflect.DeepEqual(got, []int{1, 3, 3}) {
		t.Errorf("batch sizes %v, want [1 3 3] (1 alone, then 2+1 merged, then 3)", got)
	}
}

// waitQueued waits until n tasks are queued in s.
func waitQueued(t *testing.T, s *scheduler, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		q := s.queued
		s.mu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tasks queued, want %d", q, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSchedulerQueueFull(t *testing.T) {
	r := &recorder{gate: make(chan struct{}), entered: make(chan int, 4)}
	s := newTestScheduler(true, BatchingParameters{MaxBatchSize: 2, NumBatchThreads: 1, MaxEnqueuedBatches: 1}, r)
	defer s.close()
	ctx := context.Background()
	errs := make(chan error, 4)
	go func() { _, err := s.submit(ctx, 1, rowsOf(1), scalarSpecs); errs <- err }()
	<-r.entered
	go func() { _, err := s.submit(ctx, 2, rowsOf(1, 2), scalarSpecs); errs <- err }() // fills the one queued batch
	waitQueued(t, s, 1)
	if _, err := s.submit(ctx, 1, rowsOf(3), scalarSpecs); !errors.Is(err, errQueueFull) {
		t.Errorf("submit to a full queue: %v, want errQueueFull", err)
	}
	// A request needing two batches is refused whole: nothing is queued.
	if _, err := s.submit(ctx, 3, rowsOf(4, 5, 6), scalarSpecs); !errors.Is(err, errQueueFull) {
		t.Errorf("split submit to a full queue: %v, want errQueueFull", err)
	}
	s.mu.Lock()
	q := s.queued
	s.mu.Unlock()
	if q != 1 {
		t.Errorf("%d tasks queued after refusals, want 1", q)
	}
	close(r.gate)
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestSchedulerDropsCancelled cancels a queued request: it never runs and
// its rows leave the batch.
func TestSchedulerDropsCancelled(t *testing.T) {
	r := &recorder{gate: make(chan struct{}), entered: make(chan int, 4)}
	s := newTestScheduler(true, BatchingParameters{MaxBatchSize: 8, NumBatchThreads: 1}, r)
	defer s.close()
	go func() { _, _ = s.submit(context.Background(), 1, rowsOf(1), scalarSpecs) }()
	<-r.entered
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { _, err := s.submit(ctx, 3, rowsOf(1, 2, 3), scalarSpecs); errs <- err }()
	kept := make(chan []column, 1)
	go func() { out, _ := s.submit(context.Background(), 1, rowsOf(7), scalarSpecs); kept <- out }()
	waitQueued(t, s, 2)
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	close(r.gate)
	if out := <-kept; !reflect.DeepEqual(out[0].f64, []float64{14}) {
		t.Errorf("kept request got %v", out)
	}
	if got := r.sizes(); !reflect.DeepEqual(got, []int{1, 1}) {
		t.Errorf("batch sizes %v, want [1 1]: the cancelled rows must not run", got)
	}
}

// TestSchedulerSplitsLargeRequests runs a request of 5 rows with
// MaxBatchSize 2 as batches of 2, 2 and 1 and answers it whole.
func TestSchedulerSplitsLargeRequests(t *testing.T) {
	r := &recorder{}
	s := newTestScheduler(true, BatchingParameters{MaxBatchSize: 2, NumBatchThreads: 1}, r)
	defer s.close()
	out, err := s.submit(context.Background(), 5, rowsOf(1, 2, 3, 4, 5), scalarSpecs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out[0].f64, []float64{2, 4, 6, 8, 10}) {
		t.Errorf("got %v", out[0].f64)
	}
	if got := r.sizes(); !reflect.DeepEqual(got, []int{2, 2, 1}) {
		t.Errorf("batch sizes %v, want [2 2 1]", got)
	}
}

// TestSchedulerTimeoutGathers shows batch_timeout_micros at work: with a
// free thread, a request waits up to the timeout for others to join.
func TestSchedulerTimeoutGathers(t *testing.T) {
	r := &recorder{}
	s := newTestScheduler(true, BatchingParameters{MaxBatchSize: 3, NumBatchThreads: 1, BatchTimeout: time.Hour}, r)
	defer s.close()
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(v float64) {
			defer wg.Done()
			if _, err := s.submit(context.Background(), 1, rowsOf(v), scalarSpecs); err != nil {
				t.Error(err)
			}
		}(float64(i))
	}
	wg.Wait() // the batch runs when full, long before the hour
	if got := r.sizes(); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("batch sizes %v, want [3]", got)
	}
	start := time.Now()
	s2 := newTestScheduler(true, BatchingParameters{MaxBatchSize: 3, NumBatchThreads: 1, BatchTimeout: 20 * time.Millisecond}, &recorder{})
	defer s2.close()
	if _, err := s2.submit(context.Background(), 1, rowsOf(1), scalarSpecs); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("a lone request ran after %v, before the 20 ms timeout", d)
	}
}

// TestSchedulerUnbatched runs each request alone.
func TestSchedulerUnbatched(t *testing.T) {
	r := &recorder{}
	s := newTestScheduler(false, BatchingParameters{NumBatchThreads: 2, MaxEnqueuedBatches: 100}, r)
	defer s.close()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			vs := make([]float64, n)
			out, err := s.submit(context.Background(), n, rowsOf(vs...), scalarSpecs)
			if err != nil || len(out[0].f64) != n {
				t.Errorf("request of %d rows: %v %v", n, out, err)
			}
		}(i%3 + 1)
	}
	wg.Wait()
	sizes := r.sizes()
	if len(sizes) != 20 {
		t.Errorf("%d batches for 20 requests: %v", len(sizes), sizes)
	}
}

// TestSchedulerCloseStopsWorkers checks that close ends every goroutine.
func TestSchedulerCloseStopsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		s := newTestScheduler(true, BatchingParameters{NumBatchThreads: 8}, &recorder{})
		if _, err := s.submit(context.Background(), 1, rowsOf(1), scalarSpecs); err != nil {
			t.Fatal(err)
		}
		s.close()
		if _, err := s.submit(context.Background(), 1, rowsOf(1), scalarSpecs); !errors.Is(err, errUnloading) {
			t.Errorf("submit after close: %v", err)
		}
	}
	if after := waitGoroutines(before); after > before {
		t.Errorf("%d goroutines before, %d after closing the schedulers", before, after)
	}
}

// waitGoroutines waits up to 2 s for the goroutine count to fall to n and
// returns the count.
func waitGoroutines(n int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		c := runtime.NumGoroutine()
		if c <= n || time.Now().After(deadline) {
			return c
		}
		time.Sleep(5 * time.Millisecond)
	}
}
