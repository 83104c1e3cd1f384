package backend_test

import (
	"fmt"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

func TestMasking(t *testing.T) {
	// (2, 3, 2): steps (0,1) and (1,0) are all 0 and masked; (1,2) has a
	// zero feature but is kept.
	x := gradcheck.FromSlice([]float64{1, 2, 0, 0, 3, -1, 0, 0, 4, 5, 0, 6}, 2, 3, 2)
	got, shape, err := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Masking(in[0], 0) }, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 2, 0, 0, 3, -1, 0, 0, 4, 5, 0, 6}; !equal(got, want) || !shape.Eq(tensor.Shape{2, 3, 2}) {
		t.Errorf("Masking = %v %v", got, shape)
	}
	mask, shape, err := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.MaskingMask(in[0], 0) }, []*tensor.Dense{x})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 0, 1, 0, 1, 1}; !equal(mask, want) || !shape.Eq(tensor.Shape{2, 3}) {
		t.Errorf("MaskingMask = %v %v, want %v", mask, shape, want)
	}
	// mask_value 4: only a step whose features all equal 4 is masked.
	x4 := gradcheck.FromSlice([]float64{4, 4, 4, 1, 0, 0}, 1, 3, 2)
	got, _, err = gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Masking(in[0], 4) }, []*tensor.Dense{x4})
	if err != nil || !equal(got, []float64{0, 0, 4, 1, 0, 0}) {
		t.Errorf("Masking(4) = %v, %v", got, err)
	}
	// The gradient is the mask (it has no derivative where it switches).
	grads, err := gradcheck.Gradient(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		m, err := backend.Masking(in[0], 0)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(m, in[1])
	}, []*tensor.Dense{x, gradcheck.Rand(1, 1, 2, 2, 3, 2)}, []bool{false, true})
	if err != nil {
		t.Fatal(err)
	}
	r := gradcheck.Rand(1, 1, 2, 2, 3, 2).Data().([]float64)
	for i, m := range []float64{1, 0, 1, 0, 1, 1} {
		for j := 0; j < 2; j++ {
			if want := m * r[2*i+j]; grads[0][2*i+j] != want {
				t.Fatalf("Masking gradient = %v", grads[0])
			}
		}
	}
	// Away from masked steps the gradient also passes finite differences.
	if m, err := gradcheck.Check(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Masking(in[0], 0) },
		[]*tensor.Dense{gradcheck.Rand(2, 0.1, 1, 2, 3, 2)}, gradcheck.Options{}); err != nil {
		t.Fatalf("%v %+v", err, m)
	}
}

func TestRepeatVectorAndPermute(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	got, shape, err := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.RepeatVector(in[0], 2) }, []*tensor.Dense{x})
	if err != nil || !shape.Eq(tensor.Shape{2, 2, 3}) || !equal(got, []float64{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}) {
		t.Errorf("RepeatVector = %v %v %v", got, shape, err)
	}
	if m, err := gradcheck.Check(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.RepeatVector(in[0], 3) },
		[]*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 3)}, gradcheck.Options{}); err != nil {
		t.Fatalf("RepeatVector: %v %+v", err, m)
	}
	perms := []struct {
		shape []int
		dims  []int
	}{
		{[]int{2, 3, 4}, []int{2, 1}},
		{[]int{2, 3, 4}, []int{1, 2}},
		{[]int{2, 3, 4, 5}, []int{3, 1, 2}},
		{[]int{2, 3, 4, 5}, []int{2, 3, 1}},
		{[]int{1, 4, 1, 3}, []int{3, 2, 1}},
		{[]int{3, 5}, []int{1}},
	}
	for _, p := range perms {
		x := gradcheck.Rand(3, -1, 1, p.shape...)
		f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Permute(in[0], p.dims) }
		got, shape, err := gradcheck.Forward(f, []*tensor.Dense{x})
		if err != nil {
			t.Fatal(err)
		}
		// Gorgonia's Transpose with the batch axis kept is the reference.
		axes := append([]int{0}, p.dims...)
		want, wshape, err := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			if len(axes) == 2 {
				return in[0], nil
			}
			return G.Transpose(in[0], axes...)
		}, []*tensor.Dense{x})
		if err != nil {
			t.Fatal(err)
		}
		if !shape.Eq(wshape) || !equal(got, want) {
			t.Errorf("Permute %v of %v = %v %v, want %v %v", p.dims, p.shape, shape, got, wshape, want)
		}
		if m, err := gradcheck.Check(f, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
			t.Errorf("Permute %v: %v %+v", p.dims, err, m)
		}
	}
}

func TestMerge(t *testing.T) {
	a := gradcheck.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 1, 3, 2)
	b := gradcheck.FromSlice([]float64{10, 20, 30, 40, 50, 60}, 1, 3, 2)
	want := map[backend.MergeMode][]float64{
		backend.MergeConcat: {1, 2, 10, 20, 3, 4, 30, 40, 5, 6, 50, 60},
		backend.MergeSum:    {11, 22, 33, 44, 55, 66},
		backend.MergeMul:    {10, 40, 90, 160, 250, 360},
		backend.MergeAve:    {5.5, 11, 16.5, 22, 27.5, 33},
	}
	for mode, w := range want {
		f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Merge(mode, in[0], in[1]) }
		got, _, err := gradcheck.Forward(f, []*tensor.Dense{a, b})
		if err != nil || !equal(got, w) {
			t.Errorf("Merge %s = %v, want %v (%v)", mode, got, w, err)
		}
		for _, shape := range [][]int{{2, 3}, {2, 4, 3}} {
			ins := []*tensor.Dense{gradcheck.Rand(1, -1, 1, shape...), gradcheck.Rand(2, -1, 1, shape...)}
			if m, err := gradcheck.Check(f, ins, gradcheck.Options{}); err != nil {
				t.Errorf("Merge %s %v: %v %+v", mode, shape, err, m)
			}
		}
	}
	// Gorgonia's own Concat along the last axis gives the same values and
	// passes the gradient check too (checked here so the claim in Merge's
	// documentation stays true).
	ins := []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 4, 3), gradcheck.Rand(2, -1, 1, 2, 4, 3)}
	gcat := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return G.Concat(2, in[0], in[1]) }
	mine, _, err1 := gradcheck.Forward(func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		return backend.Merge(backend.MergeConcat, in[0], in[1])
	}, ins)
	theirs, _, err2 := gradcheck.Forward(gcat, ins)
	if err1 != nil || err2 != nil || !equal(mine, theirs) {
		t.Errorf("Merge concat %v differs from Gorgonia's Concat %v (%v %v)", mine, theirs, err1, err2)
	}
	if m, err := gradcheck.Check(gcat, ins, gradcheck.Options{}); err != nil {
		t.Errorf("Gorgonia's Concat gradient: %v %+v", err, m)
	}
	if _, err := backend.Merge("max", G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 2), G.WithName("a")), nil); err == nil {
		t.Error("Merge accepted mode max")
	}
}

// TestBidirectionalAndTimeDistributed builds the two wrappers from the ops
// the way the layers will: Bidirectional is a forward and a GoBackwards
// Recurrent, the backward sequence reversed into input order and merged;
// TimeDistributed(Dense) is Reshape -> MatMul -> BiasAdd -> Reshape.
func TestBidirectionalAndTimeDistributed(t *testing.T) {
	mask := gradcheck.FromSlice([]float64{1, 1, 1, 0, 1, 1, 0, 0}, 2, 4)
	bidi := func(mode backend.MergeMode, seq bool) gradcheck.Func {
		return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			var outs [2]*G.Node
			for k, back := range []bool{false, true} {
				r, err := backend.Recurrent(backend.RNNSpec{Cell: backend.GRUCell, Units: 3, GoBackwards: back, ZeroOutputForMask: seq, Name: fmt.Sprint("gru", k)},
					backend.RNNInputs{X: in[0], Kernel: in[1+3*k], RecurrentKernel: in[2+3*k], Bias: in[3+3*k], Mask: in[7]})
				if err != nil {
					return nil, err
				}
				switch {
				case !seq:
					outs[k], err = r.LastOutput()
				case back:
					outs[k], err = r.ReversedSequence()
				default:
					outs[k], err = r.Sequence()
				}
				if err != nil {
					return nil, err
				}
			}
			return backend.Merge(mode, outs[0], outs[1])
		}
	}
	ins := []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 4, 2),
		gradcheck.Rand(2, -1, 1, 2, 9), gradcheck.Rand(3, -1, 1, 3, 9), gradcheck.Rand(4, -1, 1, 2, 9),
		gradcheck.Rand(5, -1, 1, 2, 9), gradcheck.Rand(6, -1, 1, 3, 9), gradcheck.Rand(7, -1, 1, 2, 9), mask}
	noGrad := []bool{false, false, false, false, false, false, false, true}
	for _, mode := range []backend.MergeMode{backend.MergeConcat, backend.MergeSum, backend.MergeMul, backend.MergeAve} {
		for _, seq := range []bool{false, true} {
			if m, err := gradcheck.Check(bidi(mode, seq), ins, gradcheck.Options{NoGrad: noGrad}); err != nil {
				t.Errorf("bidirectional %s seq=%v: %v %+v", mode, seq, err, m)
			}
		}
	}
	td := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s := in[0].Shape()
		flat, err := G.Reshape(in[0], tensor.Shape{s[0] * s[1], s[2]})
		if err != nil {
			return nil, err
		}
		y, err := backend.MatMul(flat, in[1], false, false)
		if err != nil {
			return nil, err
		}
		if y, err = backend.BiasAdd(y, in[2]); err != nil {
			return nil, err
		}
		return G.Reshape(y, tensor.Shape{s[0], s[1], in[1].Shape()[1]})
	}
	if m, err := gradcheck.Check(td, []*tensor.Dense{gradcheck.Rand(1, -1, 1, 2, 4, 3), gradcheck.Rand(2, -1, 1, 3, 5), gradcheck.Rand(3, -1, 1, 5)}, gradcheck.Options{}); err != nil {
		t.Errorf("time distributed dense: %v %+v", err, m)
	}
}

func TestSeqBuildErrors(t *testing.T) {
	g := G.NewGraph()
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("m"))
	x3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("x3"))
	v := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("v"))
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"masking vector", second(backend.Masking(v, 0)), "(batch, ..., features)"},
		{"repeat rank 3", second(backend.RepeatVector(x3, 2)), "(batch, features)"},
		{"repeat n=0", second(backend.RepeatVector(m, 0)), "n must be >= 1"},
		{"permute duplicate", second(backend.Permute(x3, []int{1, 1})), "permutation of 1..2"},
		{"permute batch axis", second(backend.Permute(x3, []int{0, 1})), "permutation of 1..2"},
		{"permute length", second(backend.Permute(x3, []int{1})), "permutation of 1..2"},
		{"merge shapes", second(backend.Merge(backend.MergeSum, m, x3)), "one shape"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, c.err, c.want)
		}
	}
}

func second(_ *G.Node, err error) error { return err }
