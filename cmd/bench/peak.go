package main

import (
	"fmt"
	"math/rand"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// w1GFLOP is the matrix-product work of one W1 epoch, in GFLOP: 60,000
// samples, each 2·(784·128 + 128·10) flops forward and 2·(784·128 +
// 2·128·10) backward (the weight gradients of both layers and the input
// gradient of the second; the first layer has no input gradient).
const w1GFLOP = 60000 * 2 * float64(784*128+128*10+784*128+2*128*10) / 1e9

// peakTime is how long one measurement of the sgemm peak takes.
const peakTime = 300 * time.Millisecond

// peakShapes are the float32 products whose best rate is the two-core
// sgemm peak: large square ones, and W1's largest (its first layer
// forward at batch 512), which fits the caches best.
var peakShapes = []struct{ m, n, k int }{{1024, 1024, 1024}, {512, 512, 512}, {512, 128, 784}}

// sgemmPeak measures gokeras's own float32 product (backend.MatMul, on as
// many goroutines as it chooses) on each of peakShapes for about d and
// returns the best shape's median rate in GFLOP/s. W1's share of it is
// then measured against the same machine in the same minute, which is
// the only comparison that holds on a machine whose speed drifts.
func sgemmPeak(d time.Duration) (float64, error) {
	best := 0.0
	for _, sh := range peakShapes {
		r, err := sgemmRate(sh.m, sh.n, sh.k, d/time.Duration(len(peakShapes)))
		if err != nil {
			return 0, err
		}
		best = max(best, r)
	}
	return best, nil
}

// sgemmRate returns the median GFLOP/s of an m×k by k×n float32 product
// run repeatedly for about d (after one warm-up call).
func sgemmRate(m, n, k int, d time.Duration) (float64, error) {
	rng := rand.New(rand.NewSource(1))
	fill := func(r, c int) *tensor.Dense {
		v := make([]float32, r*c)
		for i := range v {
			v[i] = float32(rng.Float64()*2 - 1)
		}
		return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(v))
	}
	g := G.NewGraph()
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(m, k), G.WithName("a"), G.WithValue(fill(m, k)))
	b := G.NewMatrix(g, tensor.Float32, G.WithShape(k, n), G.WithName("b"), G.WithValue(fill(k, n)))
	if _, err := backend.MatMul(a, b, false, false); err != nil {
		return 0, err
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	var times []float64
	for start := time.Now(); len(times) < 4 || time.Since(start) < d; {
		t0 := time.Now()
		if err := vm.RunAll(); err != nil {
			return 0, fmt.Errorf("sgemm %dx%dx%d: %w", m, n, k, err)
		}
		times = append(times, time.Since(t0).Seconds())
		vm.Reset()
	}
	times = times[1:] // the warm-up call
	return 2 * float64(m) * float64(n) * float64(k) / median(times) / 1e9, nil
}
