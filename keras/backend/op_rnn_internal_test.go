package backend

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/par"
)

// TestExpf32Accuracy measures the float32 kernels behind sigmoid and tanh
// against float64 math over their whole useful range.
func TestExpf32Accuracy(t *testing.T) {
	worst := map[string]float64{}
	rel := func(name string, got float32, want float64) {
		if want == 0 {
			return
		}
		if e := math.Abs(float64(got)-want) / math.Abs(want); e > worst[name] {
			worst[name] = e
		}
	}
	for x := -87.0; x <= 88; x += 0.00731 {
		xf := float32(x)
		rel("exp", expf32(xf), math.Exp(float64(xf)))
		rel("sigmoid", sigmoid32(xf), sigmoid64(float64(xf)))
		rel("tanh", tanh32(xf), math.Tanh(float64(xf)))
	}
	for x := -1.0; x <= 1; x += 1.0 / 4096 {
		xf := float32(x)
		rel("tanh", tanh32(xf), math.Tanh(float64(xf)))
		rel("sigmoid", sigmoid32(xf), sigmoid64(float64(xf)))
	}
	// float32 has a relative precision of 6e-8: a few ulp.
	limits := map[string]float64{"exp": 3e-7, "sigmoid": 3e-7, "tanh": 5e-7}
	for name, lim := range limits {
		if worst[name] > lim {
			t.Errorf("%s: worst relative error %.3g, limit %.3g", name, worst[name], lim)
		}
		t.Logf("%s: worst relative error %.3g", name, worst[name])
	}
	for _, x := range []float32{0, 1e-30, -1e-30, 1e-8} {
		if tanh32(x) != x {
			t.Errorf("tanh32(%g) = %g", x, tanh32(x))
		}
	}
	if tanh32(20) != 1 || tanh32(-20) != -1 || sigmoid32(-200) != 0 || sigmoid32(200) != 1 {
		t.Errorf("saturation: %v %v %v %v", tanh32(20), tanh32(-20), sigmoid32(-200), sigmoid32(200))
	}
}

// TestRNNActivations checks the activations' values against Keras 3's
// definitions and the float32 kernels against float64.
func TestRNNActivations(t *testing.T) {
	cases := []struct {
		act  rnnAct
		x, y float64
	}{
		{actHardSigmoid, -3.5, 0}, {actHardSigmoid, -3, 0}, {actHardSigmoid, 0, 0.5}, {actHardSigmoid, 1.5, 0.75}, {actHardSigmoid, 3, 1},
		{actKeras2HardSigmoid, -3, 0}, {actKeras2HardSigmoid, -2.5, 0}, {actKeras2HardSigmoid, -1, 0.3}, {actKeras2HardSigmoid, 0, 0.5},
		{actKeras2HardSigmoid, 1.5, 0.8}, {actKeras2HardSigmoid, 2.5, 1}, {actKeras2HardSigmoid, 4, 1},
		{actGelu, 1, 0.8413447460685429}, {actGelu, -1, -0.15865525393145707},
		{actSilu, 1, 0.7310585786300049}, {actRelu, -2, 0}, {actRelu, 2, 2}, {actLinear, -2, -2},
		{actSigmoid, 0, 0.5}, {actTanh, 0.5, 0.46211715726000974},
	}
	for _, c := range cases {
		v64 := []float64{c.x}
		actForward(c.act, v64)
		v32 := []float32{float32(c.x)}
		actForward(c.act, v32)
		if math.Abs(v64[0]-c.y) > 1e-15 || math.Abs(float64(v32[0])-c.y) > 1e-7 {
			t.Errorf("%v(%v) = %v (float32 %v), want %v", c.act, c.x, v64[0], v32[0], c.y)
		}
	}
	for _, name := range []string{"", "tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "gelu", "silu", "swish", "keras2_hard_sigmoid"} {
		if _, err := parseRNNAct(name, actTanh); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	if a, _ := parseRNNAct("swish", actTanh); a != actSilu {
		t.Errorf("swish is %v", a)
	}
	if a, _ := parseRNNAct("keras2_hard_sigmoid", actTanh); a != actKeras2HardSigmoid || a.String() != "keras2_hard_sigmoid" {
		t.Errorf("keras2_hard_sigmoid is %v", a)
	}
	// The derivative from the output: 0.2 strictly inside (0, 1), 0 on the
	// flat parts, in both float types.
	for _, c := range []struct{ y, want float64 }{{0, 0}, {0.3, 0.2}, {0.5, 0.2}, {0.99, 0.2}, {1, 0}} {
		g64 := []float64{1}
		actScaleGrad(actKeras2HardSigmoid, g64, []float64{c.y}, nil)
		g32 := []float32{1}
		actScaleGrad(actKeras2HardSigmoid, g32, []float32{float32(c.y)}, nil)
		if g64[0] != c.want || math.Abs(float64(g32[0])-c.want) > 1e-7 {
			t.Errorf("keras2_hard_sigmoid'(y=%v) = %v (float32 %v), want %v", c.y, g64[0], g32[0], c.want)
		}
	}
}

// TestActKernelsBitwise checks that the vector kernels (those the CPU
// has) give the portable code's bits, for random values over the whole
// range, the branch boundaries and special values, at lengths with and
// without tails (which take the portable code).
func TestActKernelsBitwise(t *testing.T) {
	defer func() { useAVX2Act, useAVX512Act = detectedAVX2Act, detectedAVX512Act }()
	rng := rand.New(rand.NewSource(9))
	var in []float32
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-40, -1e-40, 0.25, -0.25, 0.2499999, 9, -9, 8.999999,
		-88, -88.0001, -87, 88, 88.5, 89, -90, 1000, -1000, math.Inf(1), math.Inf(-1), math.NaN(), 1e-8, 0.5, -3} {
		in = append(in, float32(x))
	}
	for i := 0; i < 20000; i++ {
		switch i % 3 {
		case 0:
			in = append(in, float32(rng.NormFloat64()))
		case 1:
			in = append(in, float32((rng.Float64()*2-1)*100))
		default:
			in = append(in, float32((rng.Float64()*2-1)*0.3))
		}
	}
	levels := []struct {
		name         string
		avx2, avx512 bool
		available    bool
	}{{"avx2", true, false, detectedAVX2Act}, {"avx512", false, true, detectedAVX512Act}}
	tested := 0
	for _, k := range []struct {
		name string
		f    func([]float32)
	}{{"sigmoid", sigmoidSlice32}, {"tanh", tanhSlice32}} {
		for _, n := range []int{len(in), 7, 8, 9, 15, 16, 17, 33} {
			useAVX2Act, useAVX512Act = false, false
			want := append([]float32(nil), in[:n]...)
			k.f(want)
			for _, l := range levels {
				if !l.available {
					continue
				}
				tested++
				useAVX2Act, useAVX512Act = l.avx2, l.avx512
				got := append([]float32(nil), in[:n]...)
				k.f(got)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
						t.Fatalf("%s %s(%g): %g (%#x), portable %g (%#x)", l.name, k.name, in[i], got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	}
	if tested == 0 {
		t.Log("no vector kernels on this CPU: only the portable code ran")
	}
	if v := []float32{float32(math.NaN())}; true {
		tanhScalar(v)
		if v[0] == v[0] {
			t.Errorf("tanh32(NaN) = %v", v[0])
		}
	}
}

// TestBackKernelsBitwise checks the vector LSTM and GRU backward kernels
// against their portable loops, bit for bit, on rows with and without a
// tail.
func TestBackKernelsBitwise(t *testing.T) {
	defer func() { useAVX2Act, useAVX512Act = detectedAVX2Act, detectedAVX512Act }()
	rng := rand.New(rand.NewSource(4))
	vec := func(n int, lo, hi float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return v
	}
	same := func(name string, a, b []float32) {
		t.Helper()
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d]: vector %g, portable %g", name, i, a[i], b[i])
			}
		}
	}
	for _, u := range []int{5, 8, 64, 67} {
		z, actc, cprev, dh, dc := vec(4*u, 0, 1), vec(u, -1, 1), vec(u, -2, 2), vec(u, -1, 1), vec(u, -1, 1)
		run := func(vector bool) ([]float32, []float32) {
			useAVX2Act = vector && detectedAVX2Act
			dz, dc2 := make([]float32, 4*u), append([]float32(nil), dc...)
			lstmBackDefault(z, dz, actc, cprev, dh, dc2, u)
			return dz, dc2
		}
		dzv, dcv := run(true)
		dzp, dcp := run(false)
		same(fmt.Sprintf("lstm u=%d dz", u), dzv, dzp)
		same(fmt.Sprintf("lstm u=%d dc", u), dcv, dcp)

		zg, hprev, qh := vec(3*u, 0, 1), vec(u, -1, 1), vec(u, -1, 1)
		rung := func(vector bool) [][]float32 {
			useAVX2Act = vector && detectedAVX2Act
			dz, dq, dhd := make([]float32, 3*u), make([]float32, 3*u), make([]float32, u)
			gruBackDefault(zg, dz, dq, dh, dhd, hprev, qh, u)
			return [][]float32{dz, dq, dhd}
		}
		gv, gp := rung(true), rung(false)
		for k := range gv {
			same(fmt.Sprintf("gru u=%d out %d", u, k), gv[k], gp[k])
		}
	}
}

// TestSelectGradKeepsZeros runs one compiled program twice with different
// inputs: the gradient of a single view keeps the rest of its tape
// gradient zero without clearing it (the buffer is only read), and must
// give what a fresh program gives; two views of one tape meet in an Add,
// which may write in place, so there the buffer is cleared every run.
func TestSelectGradKeepsZeros(t *testing.T) {
	build := func(x []float64, twoViews bool) (G.VM, *tensor.Dense, *G.Value, *rnnSelectGradOp) {
		g := G.NewGraph()
		xt := tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking(append([]float64(nil), x...)))
		xn := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 2), G.WithName("x"), G.WithValue(xt))
		w := func(name string, seed int64, shape ...int) *G.Node {
			v := gradcheck.Rand(seed, -1, 1, shape...)
			return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(v))
		}
		k, rk := w("k", 1, 2, 8), w("rk", 2, 2, 8)
		r, err := Recurrent(RNNSpec{Cell: LSTMCell, Units: 2}, RNNInputs{X: xn, Kernel: k, RecurrentKernel: rk})
		if err != nil {
			t.Fatal(err)
		}
		last, err := r.LastOutput()
		if err != nil {
			t.Fatal(err)
		}
		cost, err := G.Sum(last)
		if err != nil {
			t.Fatal(err)
		}
		if twoViews {
			st, err := r.States()
			if err != nil {
				t.Fatal(err)
			}
			c2, err := G.Sum(st[1])
			if err != nil {
				t.Fatal(err)
			}
			if cost, err = G.Add(cost, c2); err != nil {
				t.Fatal(err)
			}
		}
		grads, err := G.Grad(cost, k)
		if err != nil {
			t.Fatal(err)
		}
		gv := new(G.Value)
		read := G.Read(grads[0], gv)
		prog, locMap, err := G.CompileFunction(g, G.Nodes{xn, k, rk}, G.Nodes{read})
		if err != nil {
			t.Fatal(err)
		}
		var sel *rnnSelectGradOp
		for _, n := range g.AllNodes() {
			if s, ok := n.Op().(*rnnSelectGradOp); ok && s.sel.squeeze && s.sel.from == 2 {
				sel = s
			}
		}
		return G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap)), xt, gv, sel
	}
	x1 := gradcheck.Rand(5, -1, 1, 2, 3, 2).Data().([]float64)
	x2 := gradcheck.Rand(6, -1, 1, 2, 3, 2).Data().([]float64)
	for _, two := range []bool{false, true} {
		vm, xt, gv, sel := build(x1, two)
		for i, x := range [][]float64{x1, x2} {
			copy(xt.Data().([]float64), x)
			vm.Reset()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			fresh, _, fgv, _ := build(x, two)
			if err := fresh.RunAll(); err != nil {
				t.Fatal(err)
			}
			got, want := (*gv).Data().([]float64), (*fgv).Data().([]float64)
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("twoViews=%v run %d: gradient %v, a fresh program gives %v", two, i, got, want)
				}
			}
			fresh.Close()
		}
		vm.Close()
		if sel == nil || !sel.checked || sel.keep == two {
			t.Errorf("twoViews=%v: select gradient op %+v", two, sel)
		}
	}
}

// TestRNNSplitFollowsSetMaxWorkers: a recurrent run large enough to split
// its samples between two goroutines stays on one under SetMaxWorkers(1)
// (it used to split whenever GOMAXPROCS allowed).
func TestRNNSplitFollowsSetMaxWorkers(t *testing.T) {
	defer SetMaxWorkers(0)
	// A late split must not pause splitting here.
	defer par.SetBackoff(par.SetBackoff(false))
	c := &rnnConfig{units: 64, gates: 4, batch: 32, steps: 100} // W5: 52M multiply-adds
	SetMaxWorkers(1)
	if w := rnnWorkers(c); w != 1 {
		t.Errorf("SetMaxWorkers(1): the recurrent run uses %d goroutines", w)
	}
	SetMaxWorkers(0)
	if want := min(2, MaxWorkers()); rnnWorkers(c) != want {
		t.Errorf("default: the recurrent run uses %d goroutines, want %d", rnnWorkers(c), want)
	}
}
