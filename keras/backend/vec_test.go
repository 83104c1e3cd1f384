package backend

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/par"
)

// oddFloats returns n float32 values of every class: zeros of both signs,
// ordinary, denormal, huge, infinite and NaN.
func oddFloats(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		switch rng.Intn(8) {
		case 0:
			out[i] = float32(math.Copysign(0, rng.NormFloat64()))
		case 1:
			out[i] = float32(rng.NormFloat64() * 1e-40)
		case 2:
			out[i] = float32(rng.NormFloat64() * 1e37)
		case 3:
			out[i] = []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}[rng.Intn(3)]
		default:
			out[i] = float32(rng.NormFloat64())
		}
	}
	return out
}

// TestVecKernelsAgree checks the AVX kernels of relu, its gradient, bias
// addition (with and without relu) and column sums against the portable
// loops bit for bit, over odd values and shapes that reach the 8-lane
// body and the tails, on one goroutine and split across several.
func TestVecKernelsAgree(t *testing.T) {
	defer func(on bool, s int) { vecAVX, splitElems = on, s }(vecAVX, splitElems)
	if !vecAVX {
		t.Skip("no AVX kernels here")
	}
	rng := rand.New(rand.NewSource(9))
	for _, split := range []int{1 << 16, 8} {
		splitElems = split
		for _, rows := range []int{0, 1, 3, 17} {
			for _, cols := range []int{1, 7, 8, 9, 16, 31, 40, 128} {
				n := rows * cols
				x, g, b := oddFloats(rng, n), oddFloats(rng, n), oddFloats(rng, cols)
				type result struct{ relu, grad, bias, biasRelu, sums []float32 }
				var res [2]result
				for i, avx := range []bool{false, true} {
					vecAVX = avx
					r := result{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, cols)}
					split2(r.relu, x, relu32)
					split3(r.grad, x, g, reluGrad32)
					biasRowsSplit(r.bias, x, b, rows, false, biasRows32)
					biasRowsSplit(r.biasRelu, x, b, rows, true, biasRows32)
					for j := range r.sums {
						r.sums[j] = float32(j + 1) // must be overwritten
					}
					colSumsSplit(r.sums, x, rows, cols, colSums32)
					res[i] = r
				}
				p, a := res[0], res[1]
				for _, c := range []struct {
					name string
					p, a []float32
				}{{"relu", p.relu, a.relu}, {"relu_grad", p.grad, a.grad}, {"bias_add", p.bias, a.bias},
					{"bias_relu", p.biasRelu, a.biasRelu}, {"col_sum", p.sums, a.sums}} {
					if !sameBits(c.p, c.a) {
						t.Fatalf("%s, %d×%d, split at %d: portable %v, AVX %v", c.name, rows, cols, split, c.p, c.a)
					}
				}
				// The portable results themselves, against the definitions.
				for i, v := range x {
					want := float32(0)
					if v > 0 {
						want = v
					}
					if math.Float32bits(p.relu[i]) != math.Float32bits(want) {
						t.Fatalf("relu(%v) = %v", v, p.relu[i])
					}
				}
				for j := 0; j < cols; j++ {
					var s float32
					for r := 0; r < rows; r++ {
						s += x[r*cols+j]
					}
					if math.Float32bits(p.sums[j]) != math.Float32bits(s) && !(s != s && p.sums[j] != p.sums[j]) {
						t.Fatalf("column %d sums to %v, want %v", j, p.sums[j], s)
					}
				}
			}
		}
	}
}

// TestReluFusesWithBiasAdd: Relu of a BiasAdd is one bias_relu node whose
// value is relu(x + b).
func TestReluFusesWithBiasAdd(t *testing.T) {
	g := G.NewGraph()
	xv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{-1, 0.5, 2, 3, -4, 0.25}))
	bv := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float32{0.5, -1, 1}))
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"), G.WithValue(xv))
	b := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("b"), G.WithValue(bv))
	h, err := BiasAdd(x, b)
	if err != nil {
		t.Fatal(err)
	}
	y, err := Relu(h)
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Op().String(); got != "bias_relu" {
		t.Fatalf("Relu(BiasAdd(x, b)) is a %s node, want bias_relu", got)
	}
	var out G.Value
	G.Read(y, &out)
	vm := G.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0, 3, 3.5, 0, 1.25}
	if got := out.Data().([]float32); !sameBits(got, want) {
		t.Fatalf("bias_relu = %v, want %v", got, want)
	}
}

// BenchmarkElementwiseSplit times relu, its gradient, bias+relu and
// column sums over n float32 elements on one goroutine and split in two,
// to place splitElems; run it on a quiet machine (a busy second core makes
// every split lose).
func BenchmarkElementwiseSplit(b *testing.B) {
	defer func(s int) { splitElems = s; SetMaxWorkers(0) }(splitElems)
	splitElems = 8
	for _, n := range []int{1 << 14, 1 << 16, 1 << 18, 1 << 20} {
		x, g, out := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], g[i] = float32(i%7)-3, float32(i%5)
		}
		bias, sums := make([]float32, 128), make([]float32, 128)
		for _, workers := range []int{1, 2} {
			ops := []struct {
				name string
				f    func()
			}{
				{"relu", func() { split2(out, x, relu32) }},
				{"relu_grad", func() { split3(out, x, g, reluGrad32) }},
				{"bias_relu", func() { biasRowsSplit(out, x, bias, n/128, true, biasRows32) }},
				{"col_sum", func() { colSumsSplit(sums, x, n/128, 128, colSums32) }},
			}
			for _, op := range ops {
				b.Run(fmt.Sprintf("%s/n=%d/workers=%d", op.name, n, workers), func(b *testing.B) {
					SetMaxWorkers(workers)
					b.SetBytes(int64(8 * n))
					for i := 0; i < b.N; i++ {
						op.f()
					}
				})
			}
		}
	}
}

// TestSoftmaxSplitIsExact: a softmax split across goroutines by rows gives
// the bits of one over all rows.
func TestSoftmaxSplitIsExact(t *testing.T) {
	defer SetMaxWorkers(0)
	defer par.SetBackoff(par.SetBackoff(false)) // a late split must not pause splitting here
	rng := rand.New(rand.NewSource(2))
	rows, cols := 3001, 10
	x := make([]float32, rows*cols)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 4)
	}
	for _, log := range []bool{false, true} {
		one, split := make([]float32, len(x)), make([]float32, len(x))
		softmaxRows(one, x, rows, cols, log)
		SetMaxWorkers(2)
		if workersForSize(rows*cols, lossSplitElems) != 2 {
			t.Fatalf("%d values are not split in two", rows*cols)
		}
		var s softmaxSplit[float32]
		s.do(split, x, rows, cols, log)
		if !sameBits(one, split) {
			t.Fatalf("log=%v: split softmax differs", log)
		}
	}
}

// TestCrossEntropySplitIsExact: the four cross-entropies and their
// gradients split across goroutines by rows give the bits of one
// goroutine over all rows.
func TestCrossEntropySplitIsExact(t *testing.T) {
	defer SetMaxWorkers(0)
	// A split of this test may be late on a loaded machine (CI runs
	// packages side by side) and pause splitting before the check.
	defer par.SetBackoff(par.SetBackoff(false))
	rng := rand.New(rand.NewSource(3))
	rows, cols := 1001, 10 // 10,010 values: split in two
	z, tg, g := make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, rows)
	for i := range z {
		z[i] = float32(rng.NormFloat64() * 4)
		tg[i] = float32(rng.Intn(2))
	}
	for i := range g {
		g[i] = float32(rng.Float64())
	}
	probs := make([]float32, len(z)) // inputs of the probability forms
	for i, v := range z {
		probs[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
	for kind := softmaxLogits; kind <= binaryProbs; kind++ {
		in := z
		if kind == categoricalProbs || kind == binaryProbs {
			in = probs
		}
		for _, grad := range []bool{false, true} {
			n := rows
			if grad {
				n = rows * cols
			}
			one, split := make([]float32, n), make([]float32, n)
			xentBlock(kind, grad, one, in, tg, g, nil, rows, cols) // one goroutine
			SetMaxWorkers(2)
			var j xentRows[float32]
			j.do(kind, grad, split, in, tg, g, nil, rows, cols)
			if workersForSize(rows*cols, lossSplitElems) != 2 {
				t.Fatalf("%d values are not split in two", rows*cols)
			}
			if !sameBits(one, split) {
				t.Fatalf("%s grad=%v: the split differs from one goroutine", xentNames[kind], grad)
			}
		}
	}
	// A split softmax cross-entropy keeps every row's log-sum-exp, and its
	// split gradient reading them gives the bits of one goroutine.
	lse, loss := make([]float64, rows), make([]float32, rows)
	var fwd, bwd xentRows[float32]
	fwd.do(softmaxLogits, false, loss, z, tg, nil, lse, rows, cols)
	one, split := make([]float32, rows*cols), make([]float32, rows*cols)
	xentBlock(softmaxLogits, true, one, z, tg, g, nil, rows, cols)
	bwd.do(softmaxLogits, true, split, z, tg, g, lse, rows, cols)
	if !sameBits(one, split) {
		t.Fatal("the split gradient reading the loss's log-sum-exps differs from one goroutine")
	}
}
