package backend_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// rnnRef is one case of testdata/rnn_reference.json (written by
// testdata/gen_rnn_reference.py from PyTorch).
type rnnRef struct {
	Name       string               `json:"name"`
	Cell       string               `json:"cell"`
	B          int                  `json:"b"`
	T          int                  `json:"t"`
	D          int                  `json:"d"`
	U          int                  `json:"u"`
	Act        string               `json:"act"`
	Back       bool                 `json:"back"`
	Zof        bool                 `json:"zof"`
	Inputs     map[string][]float64 `json:"inputs"`
	Mask       []float64            `json:"mask"`
	Drop       []float64            `json:"drop"`
	DropShape  []int                `json:"drop_shape"`
	RDrop      []float64            `json:"rdrop"`
	RDropShape []int                `json:"rdrop_shape"`
	RSeq       []float64            `json:"r_seq"`
	RH         []float64            `json:"r_h"`
	RC         []float64            `json:"r_c"`
	Seq        []float64            `json:"seq"`
	H          []float64            `json:"h"`
	C          []float64            `json:"c"`
	Grads      map[string][]float64 `json:"grads"`
}

type rnnRefFile struct {
	Torch     string   `json:"torch"`
	Cases     []rnnRef `json:"cases"`
	Embedding struct {
		IDs      []float64 `json:"ids"`
		IDsShape []int     `json:"ids_shape"`
		V        int       `json:"v"`
		E        int       `json:"e"`
		Table    []float64 `json:"table"`
		R        []float64 `json:"r"`
		Out      []float64 `json:"out"`
		Grad     []float64 `json:"grad"`
	} `json:"embedding"`
}

func loadRNNRef(t *testing.T) *rnnRefFile {
	t.Helper()
	b, err := os.ReadFile("testdata/rnn_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var f rnnRefFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in testdata/rnn_reference.json")
	}
	return &f
}

var refCells = map[string]backend.RNNCell{
	"simple": backend.SimpleRNNCell, "lstm": backend.LSTMCell, "gru": backend.GRUCell, "gru_before": backend.GRUResetBeforeCell,
}

// leaf is one input of a graph under test: a name, a shape, values, and
// whether its gradient is wanted.
type leaf struct {
	name  string
	shape []int
	data  []float64
	grad  bool
}

// runGraph builds a graph of dtype dt over the leaves, runs f's scalar
// output once, and returns the values of the extra nodes f reports and
// the gradient of the scalar with respect to every leaf with grad set.
func runGraph(dt tensor.Dtype, leaves []leaf, f func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, map[string]*G.Node, error)) (map[string][]float64, map[string][]float64, error) {
	g := G.NewGraph()
	in := map[string]*G.Node{}
	var wrt G.Nodes
	var wrtNames []string
	for _, l := range leaves {
		var v *tensor.Dense
		if dt == tensor.Float32 {
			d := make([]float32, len(l.data))
			for i, x := range l.data {
				d[i] = float32(x)
			}
			v = tensor.New(tensor.WithShape(l.shape...), tensor.WithBacking(d))
		} else {
			v = tensor.New(tensor.WithShape(l.shape...), tensor.WithBacking(append([]float64(nil), l.data...)))
		}
		n := G.NewTensor(g, dt, len(l.shape), G.WithShape(l.shape...), G.WithName(l.name), G.WithValue(v))
		in[l.name] = n
		if l.grad {
			wrt = append(wrt, n)
			wrtNames = append(wrtNames, l.name)
		}
	}
	cost, extra, err := f(g, in)
	if err != nil {
		return nil, nil, err
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return nil, nil, errors.Wrap(err, "Grad")
	}
	vals := map[string]*G.Value{}
	for name, n := range extra {
		var v G.Value
		vals[name] = &v
		G.Read(n, vals[name])
	}
	gvals := make([]G.Value, len(grads))
	for i, gn := range grads {
		G.Read(gn, &gvals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, err
	}
	outs := map[string][]float64{}
	for name, v := range vals {
		outs[name] = backend.ToFloat64s((*v).Data())
	}
	gs := map[string][]float64{}
	for i, name := range wrtNames {
		gs[name] = backend.ToFloat64s(gvals[i].Data())
	}
	return outs, gs, nil
}

// weightedSum returns sum(n * r) for a constant r of n's shape.
func weightedSum(g *G.ExprGraph, n *G.Node, r []float64, name string) (*G.Node, error) {
	var v *tensor.Dense
	if n.Dtype() == tensor.Float32 {
		d := make([]float32, len(r))
		for i, x := range r {
			d[i] = float32(x)
		}
		v = tensor.New(tensor.WithShape(n.Shape().Clone()...), tensor.WithBacking(d))
	} else {
		v = tensor.New(tensor.WithShape(n.Shape().Clone()...), tensor.WithBacking(append([]float64(nil), r...)))
	}
	rn := G.NewTensor(g, n.Dtype(), n.Dims(), G.WithShape(n.Shape().Clone()...), G.WithName(name), G.WithValue(v))
	p, err := G.HadamardProd(n, rn)
	if err != nil {
		return nil, err
	}
	for p.Dims() > 0 {
		if p, err = G.Sum(p, 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// runRef runs one reference case in dtype dt: the outputs seq, h (and c)
// and the gradients of the case's loss.
func runRef(c rnnRef, dt tensor.Dtype) (map[string][]float64, map[string][]float64, error) {
	cell := refCells[c.Cell]
	gates := cell.Gates()
	leaves := []leaf{
		{"x", []int{c.B, c.T, c.D}, c.Inputs["x"], true},
		{"kernel", []int{c.D, gates * c.U}, c.Inputs["kernel"], true},
		{"recurrent_kernel", []int{c.U, gates * c.U}, c.Inputs["recurrent_kernel"], true},
	}
	if b, ok := c.Inputs["bias"]; ok {
		shape := []int{gates * c.U}
		if cell == backend.GRUCell {
			shape = []int{2, gates * c.U}
		}
		leaves = append(leaves, leaf{"bias", shape, b, true})
	}
	for _, s := range []string{"h0", "c0"} {
		if v, ok := c.Inputs[s]; ok {
			leaves = append(leaves, leaf{s, []int{c.B, c.U}, v, true})
		}
	}
	if c.Mask != nil {
		leaves = append(leaves, leaf{"mask", []int{c.B, c.T}, c.Mask, false})
	}
	if c.Drop != nil {
		leaves = append(leaves, leaf{"drop", c.DropShape, c.Drop, false})
	}
	if c.RDrop != nil {
		leaves = append(leaves, leaf{"rdrop", c.RDropShape, c.RDrop, false})
	}
	act := c.Act
	if act == "tanh" {
		act = "" // the default
	}
	return runGraph(dt, leaves, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, map[string]*G.Node, error) {
		r, err := backend.Recurrent(backend.RNNSpec{Cell: cell, Units: c.U, Activation: act, GoBackwards: c.Back, ZeroOutputForMask: c.Zof, Name: c.Name},
			backend.RNNInputs{X: in["x"], Kernel: in["kernel"], RecurrentKernel: in["recurrent_kernel"], Bias: in["bias"],
				InitialH: in["h0"], InitialC: in["c0"], Mask: in["mask"], InputDropout: in["drop"], RecurrentDropout: in["rdrop"]})
		if err != nil {
			return nil, nil, err
		}
		seq, err := r.Sequence()
		if err != nil {
			return nil, nil, err
		}
		st, err := r.States()
		if err != nil {
			return nil, nil, err
		}
		extra := map[string]*G.Node{"seq": seq, "h": st[0]}
		loss, err := weightedSum(g, seq, c.RSeq, "r_seq")
		if err != nil {
			return nil, nil, err
		}
		lh, err := weightedSum(g, st[0], c.RH, "r_h")
		if err != nil {
			return nil, nil, err
		}
		if loss, err = G.Add(loss, lh); err != nil {
			return nil, nil, err
		}
		if cell == backend.LSTMCell {
			extra["c"] = st[1]
			lc, err := weightedSum(g, st[1], c.RC, "r_c")
			if err != nil {
				return nil, nil, err
			}
			if loss, err = G.Add(loss, lc); err != nil {
				return nil, nil, err
			}
		}
		return loss, extra, nil
	})
}

func compareVec(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > atol+rtol*math.Abs(want[i]) || math.IsNaN(got[i]) {
			t.Errorf("%s[%d] = %.12g, want %.12g (diff %.3g)", what, i, got[i], want[i], d)
			return
		}
	}
}

// TestRecurrentMatchesTorch compares outputs and gradients with PyTorch's
// LSTM, GRU and RNN (testdata/gen_rnn_reference.py): exactly up to
// rounding in float64, within float32 rounding in float32.
func TestRecurrentMatchesTorch(t *testing.T) {
	ref := loadRNNRef(t)
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				atol, rtol := 1e-11, 1e-9
				if dt == tensor.Float32 {
					atol, rtol = 2e-6, 1e-5
				}
				outs, grads, err := runRef(c, dt)
				if err != nil {
					t.Fatal(err)
				}
				compareVec(t, dt.String()+" seq", outs["seq"], c.Seq, atol, rtol)
				compareVec(t, dt.String()+" h", outs["h"], c.H, atol, rtol)
				if c.C != nil {
					compareVec(t, dt.String()+" c", outs["c"], c.C, atol, rtol)
				}
				for name, want := range c.Grads {
					compareVec(t, dt.String()+" d"+name, grads[name], want, atol, rtol)
				}
				if len(grads) != len(c.Grads) {
					t.Errorf("%v: %d gradients, want %d", dt, len(grads), len(c.Grads))
				}
			}
		})
	}
}
