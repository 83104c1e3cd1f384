package serving

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// BatchingParameters configure dynamic batching, with the meaning TF
// Serving gives the fields of the same names (session_bundle_config.proto,
// BatchingParameters; its batching guide). A zero field takes TF Serving's
// default.
type BatchingParameters struct {
	// MaxBatchSize is the largest number of rows (instances) run in one
	// batch (max_batch_size; default 1000). A request with more rows is
	// split into batches of at most this size and answered as a whole.
	MaxBatchSize int
	// BatchTimeout is how long a batch that is not full waits for more
	// requests once its first request is queued, when a batch thread is
	// free (batch_timeout_micros; default 0: a free thread takes it at
	// once, so batches form only while every thread is busy).
	BatchTimeout time.Duration
	// MaxEnqueuedBatches bounds the queue, in batches waiting for a thread
	// (max_enqueued_batches; default 10). A request that does not fit is
	// answered 503 with a Retry-After header instead of waiting.
	MaxEnqueuedBatches int
	// NumBatchThreads is the number of batches run at once
	// (num_batch_threads; default GOMAXPROCS).
	NumBatchThreads int
}

// withDefaults returns p with TF Serving's defaults in its zero fields.
func (p BatchingParameters) withDefaults() BatchingParameters {
	if p.MaxBatchSize == 0 {
		p.MaxBatchSize = 1000
	}
	if p.MaxEnqueuedBatches == 0 {
		p.MaxEnqueuedBatches = 10
	}
	if p.NumBatchThreads == 0 {
		p.NumBatchThreads = runtime.GOMAXPROCS(0)
	}
	return p
}

// check rejects parameters out of range.
func (p BatchingParameters) check() error {
	switch {
	case p.MaxBatchSize < 0:
		return errors.Errorf("max_batch_size is %d, want >= 1", p.MaxBatchSize)
	case p.BatchTimeout < 0:
		return errors.Errorf("batch_timeout_micros is %d, want >= 0", p.BatchTimeout.Microseconds())
	case p.MaxEnqueuedBatches < 0:
		return errors.Errorf("max_enqueued_batches is %d, want >= 1", p.MaxEnqueuedBatches)
	case p.NumBatchThreads < 0:
		return errors.Errorf("num_batch_threads is %d, want >= 1", p.NumBatchThreads)
	case p.NumBatchThreads > 4096:
		return errors.Errorf("num_batch_threads is %d, want at most 4096", p.NumBatchThreads)
	}
	return nil
}

// task is one request's rows (or one part of a split request) waiting to
// run in a batch.
type task struct {
	ctx    context.Context
	rows   int
	inputs []column
	done   chan taskResult // buffered: the scheduler never blocks on it
	b      *batch          // the batch queued in; nil once taken or dropped
}

type taskResult struct {
	outs []column
	err  error
}

type batch struct {
	tasks    []*task
	rows     int
	deadline time.Time
}

// errQueueFull answers a request the scheduler has no room for.
var errQueueFull = newAPIError(http.StatusServiceUnavailable, "the batch scheduling queue is full; retry later")

// errUnloading answers a request for a version whose scheduler has stopped.
var errUnloading = newAPIError(http.StatusServiceUnavailable, "the model version is being unloaded; retry later")

// scheduler runs the tasks of one model version on a fixed number of
// goroutines. With merging it is TF Serving's basic batch scheduler: tasks
// join the open batch while it has room, a batch runs when it is full, when
// a later batch exists, or when its timeout has passed, and the queue holds
// at most capacity batches. Without merging every task is its own batch
// (batching off) and capacity counts tasks.
type scheduler struct {
	merge    bool
	maxRows  int
	timeout  time.Duration
	capacity int
	run      func(rows int, inputs []column) ([]column, error)
	observe  func(rows int) // called with each batch's size
	depth    func(tasks int)

	mu     sync.Mutex
	queue  []*batch
	queued int // tasks in queue
	closed bool
	wake   chan struct{}
	quit   chan struct{}
	wg     sync.WaitGroup
}

func newScheduler(merge bool, p BatchingParameters, run func(int, []column) ([]column, error), observe, depth func(int)) *scheduler {
	s := &scheduler{
		merge: merge, maxRows: p.MaxBatchSize, timeout: p.BatchTimeout, capacity: p.MaxEnqueuedBatches,
		run: run, observe: observe, depth: depth,
		wake: make(chan struct{}, 1), quit: make(chan struct{}),
	}
	s.wg.Add(p.NumBatchThreads)
	for i := 0; i < p.NumBatchThreads; i++ {
		go s.worker()
	}
	return s
}

// submit runs a request's rows through the scheduler and returns the
// outputs, splitting it into batches of at most maxRows rows when merging.
// It returns errQueueFull at once when the queue has no room for all of
// it, and ctx's error when ctx ends first (the rows still queued are then
// dropped without running).
func (s *scheduler) submit(ctx context.Context, rows int, inputs []column, specs []tensorSpec) ([]column, error) {
	chunk := rows
	if s.merge && rows > s.maxRows {
		chunk = s.maxRows
	}
	var tasks []*task
	for lo := 0; lo < rows; lo += chunk {
		hi := min(lo+chunk, rows)
		t := &task{ctx: ctx, rows: hi - lo, done: make(chan taskResult, 1)}
		if lo == 0 && hi == rows {
			t.inputs = inputs
		} else {
			t.inputs = make([]column, len(inputs))
			for i, c := range inputs {
				n := specs[i].size()
				t.inputs[i] = c.slice(lo*n, hi*n)
			}
		}
		tasks = append(tasks, t)
	}
	if err := s.enqueue(tasks); err != nil {
		return nil, err
	}
	results := make([]taskResult, len(tasks))
	for i, t := range tasks {
		select {
		case results[i] = <-t.done:
		case <-ctx.Done():
			for _, t := range tasks[i:] {
				s.cancel(t)
			}
			return nil, ctx.Err()
		}
		if results[i].err != nil {
			for _, t := range tasks[i+1:] {
				s.cancel(t)
			}
			return nil, results[i].err
		}
	}
	if len(results) == 1 {
		return results[0].outs, nil
	}
	outs := make([]column, len(results[0].outs))
	for i := range outs {
		outs[i] = newColumn(results[0].outs[i].dtype, 0)
		for _, r := range results {
			outs[i] = r.outs[i].appendTo(outs[i])
		}
	}
	return outs, nil
}

// enqueue places all tasks or none.
func (s *scheduler) enqueue(tasks []*task) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errUnloading
	}
	// Count the batches the tasks need beyond the open one.
	open := -1 // rows of the open batch, -1 if there is none to join
	if s.merge && len(s.queue) > 0 {
		open = s.queue[len(s.queue)-1].rows
	}
	need := 0
	for _, t := range tasks {
		if open >= 0 && open+t.rows <= s.maxRows {
			open += t.rows
			continue
		}
		need++
		open = t.rows
		if !s.merge {
			open = -1
		}
	}
	if len(s.queue)+need > s.capacity {
		return errQueueFull
	}
	now := time.Now()
	for _, t := range tasks {
		var b *batch
		if s.merge && len(s.queue) > 0 {
			if last := s.queue[len(s.queue)-1]; last.rows+t.rows <= s.maxRows {
				b = last
			}
		}
		if b == nil {
			b = &batch{deadline: now.Add(s.timeout)}
			s.queue = append(s.queue, b)
		}
		b.tasks = append(b.tasks, t)
		b.rows += t.rows
		t.b = b
	}
	s.queued += len(tasks)
	s.depth(s.queued)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// cancel drops t from the queue if it is still there.
func (s *scheduler) cancel(t *task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := t.b
	if b == nil {
		return
	}
	t.b = nil
	for i, u := range b.tasks {
		if u == t {
			b.tasks = append(b.tasks[:i], b.tasks[i+1:]...)
			break
		}
	}
	b.rows -= t.rows
	if len(b.tasks) == 0 {
		for i, c := range s.queue {
			if c == b {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				break
			}
		}
	}
	s.queued--
	s.depth(s.queued)
}

// close stops the workers once the queue is empty.
func (s *scheduler) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.quit)
	s.wg.Wait()
}

func (s *scheduler) worker() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		b, wait, stop := s.next()
		if stop {
			return
		}
		if b != nil {
			s.process(b)
			continue
		}
		var tc <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			tc = timer.C
		}
		select {
		case <-s.wake:
		case <-tc:
		case <-s.quit:
		}
		timer.Stop()
	}
}

// next takes the first batch if it may run now; otherwise it says how long
// to wait for it (0: until woken) or that the worker should stop.
func (s *scheduler) next() (b *batch, wait time.Duration, stop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return nil, 0, s.closed
	}
	first := s.queue[0]
	now := time.Now()
	if s.merge && !s.closed && len(s.queue) == 1 && first.rows < s.maxRows && now.Before(first.deadline) {
		return nil, first.deadline.Sub(now), false
	}
	s.queue = s.queue[1:]
	for _, t := range first.tasks {
		t.b = nil
	}
	s.queued -= len(first.tasks)
	s.depth(s.queued)
	if len(s.queue) > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return first, 0, false
}

// process runs one batch and hands each task its rows of the result.
func (s *scheduler) process(b *batch) {
	live := b.tasks[:0:0]
	for _, t := range b.tasks {
		if err := t.ctx.Err(); err != nil {
			t.done <- taskResult{err: err} // the client has gone: do not run its rows
			continue
		}
		live = append(live, t)
	}
	if len(live) == 0 {
		return
	}
	rows := 0
	for _, t := range live {
		rows += t.rows
	}
	inputs := live[0].inputs
	if len(live) > 1 {
		inputs = make([]column, len(live[0].inputs))
		for i := range inputs {
			n := 0
			for _, t := range live {
				n += t.inputs[i].len()
			}
			inputs[i] = newColumn(live[0].inputs[i].dtype, n)
			for _, t := range live {
				inputs[i] = t.inputs[i].appendTo(inputs[i])
			}
		}
	}
	s.observe(rows)
	outs, err := s.run(rows, inputs)
	if err == nil {
		for i, o := range outs {
			if o.len()%rows != 0 {
				err = errors.Errorf("output %d holds %d values for %d rows", i, o.len(), rows)
			}
		}
	}
	if err != nil {
		for _, t := range live {
			t.done <- taskResult{err: err}
		}
		return
	}
	off := 0
	for _, t := range live {
		mine := make([]column, len(outs))
		for i, o := range outs {
			n := o.len() / rows
			mine[i] = o.slice(off*n, (off+t.rows)*n)
		}
		off += t.rows
		t.done <- taskResult{outs: mine}
	}
}
