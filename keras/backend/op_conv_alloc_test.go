package backend

import (
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gemm"
)

// TestConvStackReusesBuffers trains a small convolutional stack (every op
// of this family, forward and backward) repeatedly on one compiled graph
// and checks that a run allocates a few KiB at most, far less than one of
// its activations: the ops' outputs and scratch buffers are reused.
func TestConvStackReusesBuffers(t *testing.T) {
	g := G.NewGraph()
	dt := tensor.Float32
	node := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(benchDense(shape...)))
	}
	x := node("x", 16, 14, 14, 3)
	k1, k2, kd, kt := node("k1", 3, 3, 3, 8), node("k2", 3, 3, 8, 16), node("kd", 3, 3, 16, 2), node("kt", 2, 2, 8, 32)
	gamma, beta := node("gamma", 8), node("beta", 8)
	b1, b2 := node("b1", 8), node("b2", 16)
	lg, lb := node("lg", 8), node("lb", 8)
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	h := must(Conv2D(x, k1, b1, ConvParams{Strides: one, Dilation: one, Padding: [4]int{1, 1, 1, 1}, Groups: 1})) // 16x14x14x8
	m := must(BatchMoments(h))
	h = must(BatchNormTrain(h, m, gamma, beta, 1e-3))
	h = must(MaxPool2D(h, PoolParams{Size: [2]int{2, 2}, Strides: [2]int{2, 2}})) // 7x7x8
	h = must(ZeroPadding2D(h, [4]int{1, 0, 1, 0}))                                // 8x8x8
	h = must(Conv2D(h, k2, b2, ConvParams{Strides: [2]int{2, 2}, Dilation: one, Groups: 1}))
	h = must(DepthwiseConv2D(h, kd, nil, ConvParams{Strides: one, Dilation: one, Padding: [4]int{1, 1, 1, 1}, Groups: 1})) // 3x3x32
	h = must(Conv2DTranspose(h, kt, nil, ConvTransposeParams{Strides: [2]int{2, 2}, Dilation: one}))                       // 6x6x8
	h = must(UpSampling2D(h, [2]int{2, 2}, true))                                                                          // 12x12x8
	h = must(AvgPool2D(h, PoolParams{Size: [2]int{3, 3}, Strides: [2]int{2, 2}, Padding: [4]int{1, 1, 1, 1}}))
	h = must(Cropping2D(h, [4]int{1, 0, 0, 1}))
	h = must(LayerNorm(h, lg, lb, 1e-3))
	h = must(GlobalMaxPool(h))
	cost := must(G.Sum(must(G.Sum(h, 1)), 0))
	if _, err := G.Grad(cost, x, k1, b1, k2, b2, kd, kt, gamma, beta, lg, lb); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
	}
	run()
	run()
	// The figure is the smallest of several batches' averages, with the
	// collector off: a collection empties the sync.Pools that Gorgonia
	// draws from, and whatever else runs in the process (the runtime, a
	// loaded CI machine) only ever adds to a batch.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const runs, batches = 10, 5
	perRun, allocs := math.Inf(1), 0.0
	for b := 0; b < batches; b++ {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < runs; i++ {
			run()
		}
		runtime.ReadMemStats(&after)
		if v := float64(after.TotalAlloc-before.TotalAlloc) / runs; v < perRun {
			perRun, allocs = v, float64(after.Mallocs-before.Mallocs)/runs
		}
	}
	activation := float64(16*14*14*8) * 4 // the first convolution's output, bytes
	t.Logf("%.0f bytes and %.0f allocations per run (one activation is %.0f bytes)", perRun, allocs, activation)
	limit := 32 << 10
	if !gemm.Accelerated() {
		// Without this project's kernels (-tags purego, or another
		// GOARCH) the products run in gonum's sgemm, which allocates its
		// work split on every call: about 20 KB a run here.
		limit = 64 << 10
	}
	if perRun > float64(limit) {
		t.Errorf("a run allocates %.0f bytes, want well under one activation (%.0f)", perRun, activation)
	}
}

// TestParallelRaisesWorkerPanics: a panic on any worker reaches the
// caller, where it can be recovered, after every worker has stopped.
func TestParallelRaisesWorkerPanics(t *testing.T) {
	for _, bad := range []int{0, 1} {
		var finished [2]bool
		func() {
			defer func() {
				if r := recover(); r != bad {
					t.Errorf("recovered %v, want worker %d's panic", r, bad)
				}
			}()
			parallel(2, func(q int) {
				if q == bad {
					panic(q)
				}
				finished[q] = true
			})
			t.Error("no panic")
		}()
		if !finished[1-bad] {
			t.Errorf("worker %d had not finished when the panic of %d arrived", 1-bad, bad)
		}
	}
}

// TestOpsRefuseViews: an input that is a view of another tensor gives an
// error from Do instead of a wrong result.
func TestOpsRefuseViews(t *testing.T) {
	g, err := newConvGeom("test", []int{1, 3, 3, 1}, []int{2, 2, 1, 1}, ConvParams{Strides: one, Dilation: one, Groups: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	big := tensor.New(tensor.WithShape(2, 3, 3, 1), tensor.WithBacking(make([]float64, 18)))
	view, err := big.Slice(G.S(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	k := tensor.New(tensor.WithShape(2, 2, 1, 1), tensor.WithBacking(make([]float64, 4)))
	if _, err := newConvOp(convFwd, g).Do(view, k); err == nil || !strings.Contains(err.Error(), "is a view") {
		t.Errorf("a view gave %v", err)
	}
}
