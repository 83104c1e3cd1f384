package backend_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// rnnCase describes one recurrent op under test: sizes, options, which
// optional inputs are given and which view of the result is checked.
type rnnCase struct {
	name        string
	cell        backend.RNNCell
	b, t, d, u  int
	act, ract   string
	back, zof   bool
	noBias      bool
	h0, c0      bool
	mask        []float64 // (b, t), nil for none
	drop, rdrop int       // 0 none, 1 one mask for all gates, 2 one per gate
	out         string    // tape, seq, rev, last, h, c, sum
}

// rnnCaseInputs returns the case's input tensors in the order rnnCaseFunc
// expects, and which of them are not differentiated (masks).
func rnnCaseInputs(c rnnCase, seed int64) ([]*tensor.Dense, []bool) {
	g := c.cell.Gates()
	var ins []*tensor.Dense
	var noGrad []bool
	add := func(t *tensor.Dense, diff bool) {
		ins = append(ins, t)
		noGrad = append(noGrad, !diff)
	}
	add(gradcheck.Rand(seed, -1, 1, c.b, c.t, c.d), true)
	add(gradcheck.Rand(seed+1, -0.8, 0.8, c.d, g*c.u), true)
	add(gradcheck.Rand(seed+2, -0.8, 0.8, c.u, g*c.u), true)
	if !c.noBias {
		if c.cell == backend.GRUCell {
			add(gradcheck.Rand(seed+3, -0.5, 0.5, 2, g*c.u), true)
		} else {
			add(gradcheck.Rand(seed+3, -0.5, 0.5, g*c.u), true)
		}
	}
	if c.h0 {
		add(gradcheck.Rand(seed+4, -0.7, 0.7, c.b, c.u), true)
	}
	if c.c0 {
		add(gradcheck.Rand(seed+5, -0.7, 0.7, c.b, c.u), true)
	}
	if c.mask != nil {
		add(gradcheck.FromSlice(c.mask, c.b, c.t), false)
	}
	dropMask := func(seed int64, rate float64, shape ...int) *tensor.Dense {
		rng := rand.New(rand.NewSource(seed))
		n := 1
		for _, s := range shape {
			n *= s
		}
		m := make([]float64, n)
		for i := range m {
			if rng.Float64() >= rate {
				m[i] = 1 / (1 - rate)
			}
		}
		return gradcheck.FromSlice(m, shape...)
	}
	switch c.drop {
	case 1:
		add(dropMask(seed+6, 0.3, c.b, c.d), false)
	case 2:
		add(dropMask(seed+6, 0.3, g, c.b, c.d), false)
	}
	switch c.rdrop {
	case 1:
		add(dropMask(seed+7, 0.3, c.b, c.u), false)
	case 2:
		add(dropMask(seed+7, 0.3, g, c.b, c.u), false)
	}
	return ins, noGrad
}

func (c rnnCase) spec() backend.RNNSpec {
	return backend.RNNSpec{Cell: c.cell, Units: c.u, Activation: c.act, RecurrentActivation: c.ract,
		GoBackwards: c.back, ZeroOutputForMask: c.zof, Name: c.name}
}

// rnnCaseFunc maps the inputs of rnnCaseInputs onto the op and returns
// the view the case checks.
func rnnCaseFunc(c rnnCase) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		ri := backend.RNNInputs{X: in[0], Kernel: in[1], RecurrentKernel: in[2]}
		k := 3
		next := func() *G.Node { k++; return in[k-1] }
		if !c.noBias {
			ri.Bias = next()
		}
		if c.h0 {
			ri.InitialH = next()
		}
		if c.c0 {
			ri.InitialC = next()
		}
		if c.mask != nil {
			ri.Mask = next()
		}
		if c.drop > 0 {
			ri.InputDropout = next()
		}
		if c.rdrop > 0 {
			ri.RecurrentDropout = next()
		}
		r, err := backend.Recurrent(c.spec(), ri)
		if err != nil {
			return nil, err
		}
		return rnnView(r, c.out)
	}
}

func rnnView(r *backend.RNN, out string) (*G.Node, error) {
	switch out {
	case "tape", "":
		return r.Tape(), nil
	case "seq":
		return r.Sequence()
	case "rev":
		return r.ReversedSequence()
	case "last":
		return r.LastOutput()
	case "h", "c":
		st, err := r.States()
		if err != nil {
			return nil, err
		}
		if out == "c" {
			return st[1], nil
		}
		return st[0], nil
	case "sum":
		// Two views of one op: their gradients meet in the tape.
		last, err := r.LastOutput()
		if err != nil {
			return nil, err
		}
		st, err := r.States()
		if err != nil {
			return nil, err
		}
		p, err := G.HadamardProd(last, st[0])
		if err != nil {
			return nil, err
		}
		return G.Add(p, last)
	}
	return nil, fmt.Errorf("unknown view %q", out)
}

// holes is a (3, 5) mask with a hole in row 0, a row of zeros (row 1) and
// masked leading and trailing steps in row 2.
var holes = []float64{
	1, 0, 1, 1, 0,
	0, 0, 0, 0, 0,
	0, 1, 1, 0, 0,
}

func rnnGradCases() []rnnCase {
	cells := []backend.RNNCell{backend.SimpleRNNCell, backend.LSTMCell, backend.GRUCell, backend.GRUResetBeforeCell}
	var cases []rnnCase
	for _, cell := range cells {
		base := rnnCase{cell: cell, b: 3, t: 5, d: 2, u: 3}
		variants := []rnnCase{
			{name: "plain"},
			{name: "seq", out: "seq"},
			{name: "last", out: "last"},
			{name: "state_h", out: "h"},
			{name: "two_views", out: "sum"},
			{name: "mask", mask: holes},
			{name: "mask_seq", mask: holes, out: "seq"},
			{name: "mask_last", mask: holes, out: "last"},
			{name: "mask_zero_output", mask: holes, zof: true, out: "seq"},
			{name: "backwards", back: true},
			{name: "backwards_mask_rev", back: true, mask: holes, out: "rev"},
			{name: "initial_state", h0: true, c0: cell == backend.LSTMCell, mask: holes},
			{name: "dropout_shared", drop: 1, rdrop: 1},
			{name: "dropout_per_gate", drop: 2, rdrop: 2, mask: holes},
			{name: "no_bias", noBias: true},
			{name: "batch1_t1", b: 1, t: 1, out: "last"},
			{name: "batch1_t5", b: 1, h0: true},
			{name: "t1", t: 1, h0: true, c0: cell == backend.LSTMCell},
			{name: "units4", u: 4, d: 3, out: "seq"},
			{name: "gelu", act: "gelu"},
			{name: "silu_linear", act: "silu", ract: "linear"},
		}
		if cell == backend.LSTMCell {
			variants = append(variants, rnnCase{name: "state_c", out: "c"}, rnnCase{name: "mask_state_c", mask: holes, out: "c"})
		}
		if cell == backend.SimpleRNNCell {
			variants = append(variants, rnnCase{name: "relu", act: "relu"}, rnnCase{name: "linear", act: "linear"},
				rnnCase{name: "keras2_hard_sigmoid_act", act: "keras2_hard_sigmoid", out: "seq"})
		} else {
			variants = append(variants, rnnCase{name: "hard_sigmoid_relu", act: "relu", ract: "hard_sigmoid"},
				rnnCase{name: "swish_gates", ract: "swish"},
				// TensorFlow.js's default gates, with masks and a state
				// (the fixture's LSTM uses them).
				rnnCase{name: "keras2_hard_sigmoid_gates", ract: "keras2_hard_sigmoid", mask: holes, h0: true})
		}
		for _, v := range variants {
			c := base
			c.name = strings.ToLower(strings.ReplaceAll(cell.String(), "(reset_after=False)", "_reset_before")) + "/" + v.name
			c.act, c.ract, c.back, c.zof, c.noBias, c.h0, c.c0 = v.act, v.ract, v.back, v.zof, v.noBias, v.h0, v.c0
			c.mask, c.drop, c.rdrop, c.out = v.mask, v.drop, v.rdrop, v.out
			if v.b > 0 {
				c.b = v.b
			}
			if v.t > 0 {
				c.t = v.t
			}
			if v.d > 0 {
				c.d = v.d
			}
			if v.u > 0 {
				c.u = v.u
			}
			if c.mask != nil && (c.b != 3 || c.t != 5) {
				c.mask = nil
			}
			if cell == backend.SimpleRNNCell {
				c.ract = ""
				if c.drop == 2 {
					c.drop = 1
				}
				if c.rdrop == 2 {
					c.rdrop = 1
				}
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// TestRecurrentGradients checks the gradient of every cell kind, with and
// without masks (holes, fully masked rows), backwards, with initial
// states and dropout masks, through every view, against finite
// differences in float64.
func TestRecurrentGradients(t *testing.T) {
	for i, c := range rnnGradCases() {
		t.Run(c.name, func(t *testing.T) {
			ins, noGrad := rnnCaseInputs(c, int64(10*i+1))
			opt := gradcheck.Options{NoGrad: noGrad}
			if strings.Contains(c.name, "relu") || strings.Contains(c.name, "hard_sigmoid") {
				// Finite differences across a kink: a wider step keeps
				// away from rounding, inputs are away from the kinks.
				opt.Step = 1e-7
			}
			if m, err := gradcheck.Check(rnnCaseFunc(c), ins, opt); err != nil {
				t.Fatalf("%v (worst %+v)", err, m)
			}
		})
	}
}

func TestRecurrentBuildErrors(t *testing.T) {
	g := G.NewGraph()
	n := func(name string, dt tensor.Dtype, shape ...int) *G.Node {
		return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name))
	}
	f64 := tensor.Float64
	x := n("x", f64, 3, 5, 4)
	k := n("k", f64, 4, 8) // LSTM, 2 units
	rk := n("rk", f64, 2, 8)
	ok := backend.RNNInputs{X: x, Kernel: k, RecurrentKernel: rk}
	with := func(f func(*backend.RNNInputs)) backend.RNNInputs {
		in := ok
		f(&in)
		return in
	}
	lstm := backend.RNNSpec{Cell: backend.LSTMCell, Units: 2, Name: "lstm_7"}
	cases := []struct {
		name string
		spec backend.RNNSpec
		in   backend.RNNInputs
		want string
	}{
		{"units", backend.RNNSpec{Cell: backend.LSTMCell, Units: 3, Name: "lstm_7"}, ok, `backend: LSTM "lstm_7": kernel has shape (4, 8), want (4, 12)`},
		{"zero units", backend.RNNSpec{Cell: backend.LSTMCell, Name: "l"}, ok, "units must be >= 1"},
		{"cell", backend.RNNSpec{Units: 2}, ok, "unknown cell"},
		{"gates", backend.RNNSpec{Cell: backend.GRUCell, Units: 2}, ok, "kernel has shape (4, 8), want (4, 6)"},
		{"recurrent kernel", lstm, with(func(in *backend.RNNInputs) { in.RecurrentKernel = n("rk2", f64, 8, 2) }), "recurrent kernel has shape (8, 2), want (2, 8)"},
		{"rank", lstm, with(func(in *backend.RNNInputs) { in.X = n("x2", f64, 3, 4) }), "(batch, timesteps, features)"},
		{"nil kernel", lstm, with(func(in *backend.RNNInputs) { in.Kernel = nil }), "required"},
		{"bias", lstm, with(func(in *backend.RNNInputs) { in.Bias = n("b", f64, 6) }), "bias has shape (6), want (8)"},
		{"gru bias", backend.RNNSpec{Cell: backend.GRUCell, Units: 2}, backend.RNNInputs{X: x, Kernel: n("k6", f64, 4, 6), RecurrentKernel: n("rk6", f64, 2, 6), Bias: n("b6", f64, 6)}, "bias has shape (6), want (2, 6)"},
		{"mask", lstm, with(func(in *backend.RNNInputs) { in.Mask = n("m", f64, 3, 4) }), "mask has shape (3, 4), want (3, 5)"},
		{"mask rank", lstm, with(func(in *backend.RNNInputs) { in.Mask = n("m3", f64, 3, 5, 1) }), "mask has shape (3, 5, 1), want (3, 5)"},
		{"h0", lstm, with(func(in *backend.RNNInputs) { in.InitialH = n("h", f64, 2, 2) }), "initial state h has shape (2, 2), want (3, 2)"},
		{"c0 for gru", backend.RNNSpec{Cell: backend.GRUCell, Units: 2}, backend.RNNInputs{X: x, Kernel: n("k6b", f64, 4, 6), RecurrentKernel: n("rk6b", f64, 2, 6), InitialC: n("c", f64, 3, 2)}, "only LSTM"},
		{"dropout", lstm, with(func(in *backend.RNNInputs) { in.InputDropout = n("d", f64, 3, 3) }), "input dropout mask has shape (3, 3), want (3, 4) or (4, 3, 4)"},
		{"recurrent dropout", lstm, with(func(in *backend.RNNInputs) { in.RecurrentDropout = n("rd", f64, 2, 3, 2) }), "want (3, 2) or (4, 3, 2)"},
		{"dtype", lstm, with(func(in *backend.RNNInputs) { in.Kernel = n("k32", tensor.Float32, 4, 8) }), "kernel is float32, the input is float64"},
		{"int input", lstm, with(func(in *backend.RNNInputs) { in.X = n("xi", tensor.Int, 3, 5, 4) }), "not supported"},
		{"activation", backend.RNNSpec{Cell: backend.LSTMCell, Units: 2, Activation: "softmax"}, ok, `unknown activation "softmax"`},
		{"simple ract", backend.RNNSpec{Cell: backend.SimpleRNNCell, Units: 2, RecurrentActivation: "sigmoid"}, backend.RNNInputs{X: x, Kernel: n("k2", f64, 4, 2), RecurrentKernel: n("rk2b", f64, 2, 2)}, "no recurrent activation"},
		{"huge", lstm, backend.RNNInputs{X: n("xh", f64, 1<<17, 1<<12, 4), Kernel: k, RecurrentKernel: rk}, "2^31"},
	}
	for _, c := range cases {
		_, err := backend.Recurrent(c.spec, c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// TestRecurrentViews checks the views' shapes and that the tape holds the
// outputs in processing order followed by the final states.
func TestRecurrentViews(t *testing.T) {
	c := rnnCase{cell: backend.LSTMCell, b: 2, t: 4, d: 3, u: 2, back: true}
	ins, _ := rnnCaseInputs(c, 5)
	tape, shape, err := gradcheck.Forward(rnnCaseFunc(c), ins)
	if err != nil {
		t.Fatal(err)
	}
	if !shape.Eq(tensor.Shape{2, 6, 2}) {
		t.Fatalf("tape shape %v, want (2, 6, 2)", shape)
	}
	row := func(b, r int) []float64 { return tape[(b*6+r)*2 : (b*6+r+1)*2] }
	for _, v := range []struct {
		out   string
		shape tensor.Shape
		rows  []int
	}{
		{"seq", tensor.Shape{2, 4, 2}, []int{0, 1, 2, 3}},
		{"rev", tensor.Shape{2, 4, 2}, []int{3, 2, 1, 0}},
		{"last", tensor.Shape{2, 2}, []int{3}},
		{"h", tensor.Shape{2, 2}, []int{4}},
		{"c", tensor.Shape{2, 2}, []int{5}},
	} {
		c.out = v.out
		got, shape, err := gradcheck.Forward(rnnCaseFunc(c), ins)
		if err != nil {
			t.Fatal(err)
		}
		if !shape.Eq(v.shape) {
			t.Errorf("%s: shape %v, want %v", v.out, shape, v.shape)
		}
		var want []float64
		for b := 0; b < 2; b++ {
			for _, r := range v.rows {
				want = append(want, row(b, r)...)
			}
		}
		if !equal(got, want) {
			t.Errorf("%s = %v, want %v", v.out, got, want)
		}
	}
	// Without a mask the last output is the final h.
	if !equal(row(0, 3), row(0, 4)) || !equal(row(1, 3), row(1, 4)) {
		t.Errorf("last output %v %v differs from h %v %v", row(0, 3), row(1, 3), row(0, 4), row(1, 4))
	}
}

// TestRecurrentWorkersAgree runs every gradient-check case with the
// samples split between goroutines (1, 2 and 3 of them) and checks that
// outputs and gradients do not change by a bit: each sample's work is
// the same whichever goroutine does it. Run with -race it also checks
// that the goroutines share nothing they write.
func TestRecurrentWorkersAgree(t *testing.T) {
	for i, c := range rnnGradCases() {
		if c.b < 2 {
			continue
		}
		ins, noGrad := rnnCaseInputs(c, int64(10*i+1))
		var ref [][]float64
		for _, w := range []int{1, 2, 3} {
			restore := backend.SetRNNWorkers(w)
			out, _, err := gradcheck.Forward(rnnCaseFunc(c), ins)
			if err != nil {
				restore()
				t.Fatal(err)
			}
			grads, err := gradcheck.Gradient(rnnCaseFunc(c), ins, noGrad)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			all := append([][]float64{out}, grads...)
			if ref == nil {
				ref = all
				continue
			}
			for k := range all {
				if !equal(all[k], ref[k]) {
					t.Fatalf("%s: %d workers change result %d", c.name, w, k)
				}
			}
		}
	}
}

// TestRecurrentFloat32 runs every gradient-check case in float32 and
// float64 and compares outputs and gradients: float32 must agree to its
// precision (the vector kernels and the float32 GEMM included).
func TestRecurrentFloat32(t *testing.T) {
	for i, c := range rnnGradCases() {
		ins, noGrad := rnnCaseInputs(c, int64(10*i+1))
		leaves := make([]leaf, len(ins))
		for k, in := range ins {
			leaves[k] = leaf{fmt.Sprintf("in%d", k), in.Shape().Clone(), in.Data().([]float64), !noGrad[k]}
		}
		f := func(g *G.ExprGraph, m map[string]*G.Node) (*G.Node, map[string]*G.Node, error) {
			nodes := make(G.Nodes, len(leaves))
			for k := range leaves {
				nodes[k] = m[leaves[k].name]
			}
			out, err := rnnCaseFunc(c)(g, nodes)
			if err != nil {
				return nil, nil, err
			}
			r := gradcheck.Rand(99, -1, 1, out.Shape()...).Data().([]float64)
			cost, err := weightedSum(g, out, r, "r")
			return cost, map[string]*G.Node{"out": out}, err
		}
		o64, g64, err := runGraph(tensor.Float64, leaves, f)
		if err != nil {
			t.Fatal(err)
		}
		o32, g32, err := runGraph(tensor.Float32, leaves, f)
		if err != nil {
			t.Fatal(err)
		}
		compareVec(t, c.name+" out", o32["out"], o64["out"], 1e-5, 1e-4)
		for name, want := range g64 {
			compareVec(t, c.name+" d"+name, g32[name], want, 1e-5, 1e-4)
		}
	}
}
