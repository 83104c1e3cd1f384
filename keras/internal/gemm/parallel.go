package gemm

import (
	"runtime"
	"sync/atomic"

	"github.com/gokeras/gokeras/keras/internal/par"
)

// Products of at least this many floating-point operations (2·m·n·k) are
// split across goroutines; below it the hand-off and the cold caches of
// the second core cost more than it saves. The parts run on
// keras/internal/par's pool, whose workers pick a part up within a
// microsecond. Measured with BenchmarkSgemm (docs/performance.md): on a
// 2-core AMD EPYC (Zen 5) the W1 MLP's 6.4 Mflop products at batch 32
// take 16.3 us split against 27.9 us (784x128x32, TN) and 28.2 against
// 27.7 (32x128x784, NN), 0.3 Mflop products run two times slower split,
// 100 Mflop split reach 430-445 GFLOP/s against 230-240 on one
// goroutine; on a 2-core Intel Xeon the W1 output layer's 1.3 Mflop
// products at batch 512 take 31 us split against 57 (512x10x128), 32
// against 62 (128x10x512, TN) and 19 against 26 (512x128x10, NT), and an
// LSTM(64) step at batch 32 (32x256x64, 1.05 Mflop) 10.7 against 12.6.
// The portable kernel, 40 times slower, keeps 2^21: such a product takes
// milliseconds on it.
const (
	asmParallelFlops     = 1 << 20 // 1.05 Mflop
	genericParallelFlops = 1 << 21
)

// parallelFlops, when not negative, overrides impl.parFlops (tests).
var parallelFlops = -1

// maxWorkers caps the goroutines of one product unless SetMaxWorkers
// set a cap. Only two cores were available to measure on, so larger
// machines get no more than two by default.
var maxWorkers = 2

// workerCap is the cap set by SetMaxWorkers (0: none, maxWorkers holds).
var workerCap atomic.Int64

// SetMaxWorkers caps the goroutines of one product at n (1: every product
// runs on the calling goroutine). n < 1 restores the default cap of two.
// Never more than GOMAXPROCS goroutines run one product. It is safe to
// call at any time; products already running keep their split.
func SetMaxWorkers(n int) {
	workerCap.Store(int64(max(n, 0)))
}

// capWorkers returns the current cap on the goroutines of one product.
func capWorkers() int {
	if c := workerCap.Load(); c > 0 {
		return int(c)
	}
	return maxWorkers
}

// workers returns how many goroutines should share the product.
func workers[T float](p *impl[T], m, n, k int) int {
	threshold := p.parFlops
	if parallelFlops >= 0 {
		threshold = parallelFlops
	}
	limit := capWorkers()
	if limit < 2 || par.Paused() || 2*float64(m)*float64(n)*float64(k) < float64(threshold) {
		return 1
	}
	// Each worker needs at least one whole tile row or column.
	if m < 2*p.mr && n < 2*p.nr {
		return 1
	}
	return min(limit, runtime.GOMAXPROCS(0))
}

// parallel splits C into w strips of whole tiles along its longer
// dimension (in tiles) and computes them concurrently, each with its own
// workspace. The strips do not overlap, so no result depends on timing.
func parallel[T float](p *impl[T], pr *problem[T], w int) {
	st, _ := p.strips.Get().(*strips[T])
	if st == nil {
		st = &strips[T]{}
		st.part = st.run // bound once: a split allocates nothing
	}
	st.p, st.subs = p, st.fixed[:0]
	splitRows := pr.m/p.mr >= pr.n/p.nr
	unit, total := p.nr, pr.n
	if splitRows {
		unit, total = p.mr, pr.m
	}
	tiles := (total + unit - 1) / unit
	start := 0
	for q := 0; q < w; q++ {
		end := min(total, (tiles*(q+1)/w)*unit)
		if q == w-1 {
			end = total
		}
		if end <= start {
			continue
		}
		sub := *pr
		if splitRows {
			sub.m = end - start
			sub.c = pr.c[start*pr.ldc:]
			if pr.tA {
				sub.a = pr.a[start:]
			} else {
				sub.a = pr.a[start*pr.lda:]
			}
		} else {
			sub.n = end - start
			sub.c = pr.c[start:]
			if pr.tB {
				sub.b = pr.b[start*pr.ldb:]
			} else {
				sub.b = pr.b[start:]
			}
		}
		st.subs = append(st.subs, sub)
		start = end
	}
	par.Run(len(st.subs), st.part)
	clear(st.fixed[:]) // drop the operands
	st.p, st.subs = nil, nil
	p.strips.Put(st)
}

// strips are the parts of one split product, recycled through
// impl.strips.
type strips[T float] struct {
	p     *impl[T]
	subs  []problem[T]
	fixed [4]problem[T]
	part  func(i int) // run, bound once
}

// run computes strip i with a workspace of its own.
func (st *strips[T]) run(i int) {
	ws := getWorkspace(st.p)
	st.subs[i].run(st.p, ws)
	st.p.pool.Put(ws)
}
