package backend

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The W2 workload's convolution stack at batch 128 (../shared/bench:
// MNIST, Conv2D(32, 3x3) -> Conv2D(64, 3x3) -> MaxPool(2x2)), op by op,
// float32, calling the ops' Do as the tape machine does. "fwd" is the
// forward op; "fwdbwd" adds the gradient ops the training graph runs:
// the bias and kernel gradients for conv1 (its input is the data, which
// needs no gradient), bias, input and kernel gradients for conv2, the
// input gradient for the pooling. testdata/bench_conv_torch.py times the same in PyTorch.
//
//	go test ./keras/backend -run '^$' -bench W2Conv -benchmem

func benchDense(shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float32, n)
	s := uint32(1)
	for i := range data {
		s = s*1664525 + 1013904223
		data[i] = float32(s>>8)/float32(1<<24) - 0.5
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// benchLoop runs step b.N times after one warm-up run and reports the
// process CPU time per step beside the wall time.
func benchLoop(b *testing.B, step func()) {
	step()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := processNanos()
	for i := 0; i < b.N; i++ {
		step()
	}
	if c1 := processNanos(); c0 > 0 {
		b.ReportMetric(float64(c1-c0)/1e6/float64(b.N), "cpu-ms/op")
	}
}

func doOp(b *testing.B, op G.Op, in ...G.Value) G.Value {
	v, err := op.Do(in...)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// benchConvStep times a convolution with its bias, as a Conv2D layer
// runs it: forward, then (unless fwdOnly) the bias and kernel gradients
// and, with inputGrad, the input gradient.
func benchConvStep(b *testing.B, xs, ks []int, inputGrad bool, fwdOnly bool) {
	g, err := newConvGeom("bench", xs, ks, ConvParams{Strides: one, Dilation: one, Groups: 1}, false)
	if err != nil {
		b.Fatal(err)
	}
	x, k, bias, dy := benchDense(xs...), benchDense(ks...), benchDense(g.f), benchDense(g.yShape()...)
	fwd, ig, kg := newConvOp(convFwd, g), newConvOp(convInGrad, g), newConvOp(convKernGrad, g)
	fwd.withBias()
	bg := &channelSumOp{opBase: opBase{"bias_grad", 1}, shape: g.yShape()}
	step := func() {
		doOp(b, fwd, x, k, bias)
		if fwdOnly {
			return
		}
		doOp(b, bg, dy)
		if inputGrad {
			doOp(b, ig, dy, k)
		}
		doOp(b, kg, x, dy)
	}
	benchLoop(b, step)
}

func BenchmarkW2Conv(b *testing.B) {
	b.Run("conv1_fwd", func(b *testing.B) { benchConvStep(b, []int{128, 28, 28, 1}, []int{3, 3, 1, 32}, false, true) })
	b.Run("conv1_fwdbwd", func(b *testing.B) { benchConvStep(b, []int{128, 28, 28, 1}, []int{3, 3, 1, 32}, false, false) })
	b.Run("conv2_fwd", func(b *testing.B) { benchConvStep(b, []int{128, 26, 26, 32}, []int{3, 3, 32, 64}, true, true) })
	b.Run("conv2_fwdbwd", func(b *testing.B) { benchConvStep(b, []int{128, 26, 26, 32}, []int{3, 3, 32, 64}, true, false) })
}

// BenchmarkConvOps times conv2's three ops one by one.
func BenchmarkConvOps(b *testing.B) {
	xs, ks := []int{128, 26, 26, 32}, []int{3, 3, 32, 64}
	g, err := newConvGeom("bench", xs, ks, ConvParams{Strides: one, Dilation: one, Groups: 1}, false)
	if err != nil {
		b.Fatal(err)
	}
	x, k, dy := benchDense(xs...), benchDense(ks...), benchDense(g.yShape()...)
	for _, c := range []struct {
		name string
		kind convKind
		a, b G.Value
	}{{"fwd", convFwd, x, k}, {"input_grad", convInGrad, dy, k}, {"kernel_grad", convKernGrad, x, dy}} {
		b.Run(c.name, func(b *testing.B) {
			op := newConvOp(c.kind, g)
			benchLoop(b, func() { doOp(b, op, c.a, c.b) })
		})
	}
}

func BenchmarkW2Pool(b *testing.B) {
	xs := []int{128, 24, 24, 64}
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xs...), G.WithName("x"))
	y, err := MaxPool2D(xn, PoolParams{Size: [2]int{2, 2}, Strides: [2]int{2, 2}})
	if err != nil {
		b.Fatal(err)
	}
	fwd := y.Op().(*maxPoolOp)
	bwd := &maxPoolGradOp{opBase: opBase{"grad", 2}, fwd: fwd}
	x, dy := benchDense(xs...), benchDense(fwd.g.yShape()...)
	for _, full := range []bool{false, true} {
		b.Run(map[bool]string{false: "maxpool_fwd", true: "maxpool_fwdbwd"}[full], func(b *testing.B) {
			step := func() {
				yv := doOp(b, fwd, x)
				if full {
					doOp(b, bwd, yv, dy)
				}
			}
			benchLoop(b, step)
		})
	}
}

// BenchmarkW2Step runs the W2 model's training graph, forward and
// backward, at batch 128 as the engine would compile it from these ops:
// Conv2D(32, 3x3)+bias+relu -> Conv2D(64, 3x3)+bias+relu ->
// MaxPool(2x2) -> Flatten -> Dense(128)+Relu -> Dense(10) -> softmax
// cross-entropy, mean over the batch, gradients of every weight. Dropout
// and the optimizer's update are left out (Adam over 1.2M parameters is
// about a millisecond). Compare with the whole step of
// ../shared/bench/torch_reference.py --w cnn.
func BenchmarkW2Step(b *testing.B) {
	b.Run("fused_relu", func(b *testing.B) { benchW2Step(b, true) })
	b.Run("relu_op", func(b *testing.B) { benchW2Step(b, false) })
}

// benchW2Step builds the step with the convolutions' relu fused (the
// ConvParams.Relu option) or as backend.Relu ops after them.
func benchW2Step(b *testing.B, fused bool) {
	g := G.NewGraph()
	dt := tensor.Float32
	node := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(benchDense(shape...)))
	}
	must := func(n *G.Node, err error) *G.Node {
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	x := node("x", 128, 28, 28, 1)
	onehot := tensor.New(tensor.WithShape(128, 10), tensor.WithBacking(make([]float32, 1280)))
	for i := 0; i < 128; i++ {
		onehot.Data().([]float32)[i*10+i%10] = 1
	}
	y := G.NewTensor(g, dt, 2, G.WithShape(128, 10), G.WithName("y"), G.WithValue(onehot))
	k1, b1, k2, b2 := node("k1", 3, 3, 1, 32), node("b1", 32), node("k2", 3, 3, 32, 64), node("b2", 64)
	w3, b3, w4, b4 := node("w3", 9216, 128), node("b3", 128), node("w4", 128, 10), node("b4", 10)
	p := ConvParams{Strides: one, Dilation: one, Groups: 1, Relu: fused}
	act := func(n *G.Node) *G.Node {
		if fused {
			return n
		}
		return must(Relu(n))
	}
	h := act(must(Conv2D(x, k1, b1, p)))
	h = act(must(Conv2D(h, k2, b2, p)))
	h = must(MaxPool2D(h, PoolParams{Size: [2]int{2, 2}, Strides: [2]int{2, 2}}))
	h = must(G.Reshape(h, tensor.Shape{128, 9216}))
	h = must(Relu(must(BiasAdd(must(MatMul(h, w3, false, false)), b3))))
	logits := must(BiasAdd(must(MatMul(h, w4, false, false)), b4))
	loss := must(G.Mean(must(SoftmaxCrossEntropy(logits, y))))
	params := G.Nodes{k1, b1, k2, b2, w3, b3, w4, b4}
	grads, err := G.Grad(loss, params...)
	if err != nil {
		b.Fatal(err)
	}
	vals := make([]G.Value, len(grads)+1)
	outputs := G.Nodes{G.Read(loss, &vals[0])}
	for i, gn := range grads {
		outputs = append(outputs, G.Read(gn, &vals[i+1]))
	}
	prog, locMap, err := G.CompileFunction(g, append(G.Nodes{x, y}, params...), outputs)
	if err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap))
	defer vm.Close()
	errCh, done := make(chan error, 1), make(chan struct{}, 1)
	benchLoop(b, func() {
		vm.Reset()
		if err := runSync(vm, errCh, done); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkConvParallelThreshold times small convolutions forward on one
// goroutine and on two, to place convParallelWork: the sizes go from 2^17
// to 2^23 multiply-adds (3x3 kernels, 8 -> 16 channels, batch 1..64).
func BenchmarkConvParallelThreshold(b *testing.B) {
	for _, n := range []int{1, 4, 16, 64} {
		xs, ks := []int{n, 12, 12, 8}, []int{3, 3, 8, 16}
		g, err := newConvGeom("bench", xs, ks, ConvParams{Strides: one, Dilation: one, Groups: 1}, false)
		if err != nil {
			b.Fatal(err)
		}
		x, k := benchDense(xs...), benchDense(ks...)
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("macs=%d/workers=%d", g.rows()*g.kg()*g.f, w), func(b *testing.B) {
				old := convParallelWork
				convParallelWork = map[int]int{1: 1 << 62, 2: 0}[w]
				defer func() { convParallelWork = old }()
				op := newConvOp(convFwd, g)
				benchLoop(b, func() { doOp(b, op, x, k) })
			})
		}
	}
}
