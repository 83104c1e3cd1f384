package backend_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

func embed(name string) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return backend.Embedding(in[0], in[1], name) }
}

func TestEmbeddingGradients(t *testing.T) {
	ids := gradcheck.FromSlice([]float64{3, 1, 3, 0, 6, 3, 2, 2}, 2, 4) // repeated ids accumulate
	table := gradcheck.Rand(1, -0.05, 0.05, 7, 3)
	if m, err := gradcheck.Check(embed("emb"), []*tensor.Dense{ids, table}, gradcheck.Options{NoGrad: []bool{true, false}}); err != nil {
		t.Fatalf("%v (worst %+v)", err, m)
	}
	// Rank 1 and rank 3 ids.
	for _, shape := range [][]int{{5}, {2, 2, 2}} {
		n := 1
		for _, s := range shape {
			n *= s
		}
		d := make([]float64, n)
		for i := range d {
			d[i] = float64((i * 5) % 7)
		}
		if m, err := gradcheck.Check(embed("emb"), []*tensor.Dense{gradcheck.FromSlice(d, shape...), table}, gradcheck.Options{NoGrad: []bool{true, false}}); err != nil {
			t.Fatalf("ids %v: %v (worst %+v)", shape, err, m)
		}
	}
	// Through an LSTM: the table's gradient comes out of the recurrent op's
	// input gradient.
	lstm := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		x, err := backend.Embedding(in[0], in[1], "emb")
		if err != nil {
			return nil, err
		}
		mask, err := backend.EmbeddingMask(in[0], tensor.Float64)
		if err != nil {
			return nil, err
		}
		r, err := backend.Recurrent(backend.RNNSpec{Cell: backend.LSTMCell, Units: 2, Name: "lstm"},
			backend.RNNInputs{X: x, Kernel: in[2], RecurrentKernel: in[3], Bias: in[4], Mask: mask})
		if err != nil {
			return nil, err
		}
		return r.LastOutput()
	}
	ins := []*tensor.Dense{ids, table, gradcheck.Rand(2, -1, 1, 3, 8), gradcheck.Rand(3, -1, 1, 2, 8), gradcheck.Rand(4, -1, 1, 8)}
	if m, err := gradcheck.Check(lstm, ins, gradcheck.Options{NoGrad: []bool{true}}); err != nil {
		t.Fatalf("embedding -> lstm: %v (worst %+v)", err, m)
	}
}

// TestEmbeddingMatchesTorch compares the lookup and the scatter-add
// gradient with torch.nn.functional.embedding (testdata/gen_rnn_reference.py).
func TestEmbeddingMatchesTorch(t *testing.T) {
	ref := loadRNNRef(t).Embedding
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		leaves := []leaf{
			{"ids", ref.IDsShape, ref.IDs, false},
			{"table", []int{ref.V, ref.E}, ref.Table, true},
		}
		outs, grads, err := runGraph(dt, leaves, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, map[string]*G.Node, error) {
			out, err := backend.Embedding(in["ids"], in["table"], "emb")
			if err != nil {
				return nil, nil, err
			}
			loss, err := weightedSum(g, out, ref.R, "r")
			return loss, map[string]*G.Node{"out": out}, err
		})
		if err != nil {
			t.Fatal(err)
		}
		tol := 1e-15
		if dt == tensor.Float32 {
			tol = 1e-7
		}
		compareVec(t, dt.String()+" out", outs["out"], ref.Out, tol, tol)
		compareVec(t, dt.String()+" grad", grads["table"], ref.Grad, tol, tol)
	}
}

// embeddingProgram is a compiled lookup + loss graph run several times
// with changing ids, the way the engine runs a train program: weights and
// ids bound by reference, the gradient copied out with G.Read.
type embeddingProgram struct {
	vm    G.VM
	ids   *tensor.Dense
	out   *G.Node
	grad  G.Value
	table []float64
}

func newEmbeddingProgram(t *testing.T, idDt tensor.Dtype, idShape []int, v, e int, tied bool) *embeddingProgram {
	t.Helper()
	g := G.NewGraph()
	p := &embeddingProgram{table: make([]float64, v*e)}
	for i := range p.table {
		p.table[i] = math.Sin(float64(i))
	}
	tv := tensor.New(tensor.WithShape(v, e), tensor.WithBacking(p.table))
	table := G.NewMatrix(g, tensor.Float64, G.WithShape(v, e), G.WithName("table"), G.WithValue(tv))
	p.ids = tensor.New(tensor.WithShape(idShape...), tensor.Of(idDt))
	ids := G.NewTensor(g, idDt, len(idShape), G.WithShape(idShape...), G.WithName("ids"), G.WithValue(p.ids))
	out, err := backend.Embedding(ids, table, "emb")
	if err != nil {
		t.Fatal(err)
	}
	p.out = out
	// loss = sum(out * w) with w[.., j] = j+1 (+ the tied use of the table).
	n := out.Shape().TotalSize()
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(i%e + 1)
	}
	wn := G.NewTensor(g, tensor.Float64, out.Dims(), G.WithShape(out.Shape().Clone()...), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.WithBacking(w))))
	prod, err := G.HadamardProd(out, wn)
	if err != nil {
		t.Fatal(err)
	}
	cost := prod
	for cost.Dims() > 0 {
		if cost, err = G.Sum(cost, 0); err != nil {
			t.Fatal(err)
		}
	}
	if tied {
		// The table used a second time (weight tying): Gorgonia sums the
		// two gradients, possibly in place into the embedding's buffer.
		sq, err := G.HadamardProd(table, table)
		if err != nil {
			t.Fatal(err)
		}
		s := sq
		for s.Dims() > 0 {
			if s, err = G.Sum(s, 0); err != nil {
				t.Fatal(err)
			}
		}
		if cost, err = G.Add(cost, s); err != nil {
			t.Fatal(err)
		}
	}
	grads, err := G.Grad(cost, table)
	if err != nil {
		t.Fatal(err)
	}
	p.grad = tensor.New(tensor.WithShape(v, e), tensor.Of(tensor.Float64))
	read := G.Read(grads[0], &p.grad)
	prog, locMap, err := G.CompileFunction(g, G.Nodes{ids, table, wn}, G.Nodes{read})
	if err != nil {
		t.Fatal(err)
	}
	p.vm = G.NewTapeMachine(g, G.WithPrecompiled(prog, locMap))
	return p
}

func (p *embeddingProgram) run(ids []int) error {
	switch d := p.ids.Data().(type) {
	case []float64:
		for i, v := range ids {
			d[i] = float64(v)
		}
	case []float32:
		for i, v := range ids {
			d[i] = float32(v)
		}
	case []int:
		copy(d, ids)
	case []int32:
		for i, v := range ids {
			d[i] = int32(v)
		}
	case []int64:
		for i, v := range ids {
			d[i] = int64(v)
		}
	}
	p.vm.Reset()
	return p.vm.RunAll()
}

// wantGrad is d/dtable of sum(table[ids] * w) (+ sum(table^2) when tied).
func (p *embeddingProgram) wantGrad(ids []int, v, e int, tied bool) []float64 {
	want := make([]float64, v*e)
	for _, id := range ids {
		for j := 0; j < e; j++ {
			want[id*e+j] += float64(j + 1)
		}
	}
	if tied {
		for i := range want {
			want[i] += 2 * p.table[i]
		}
	}
	return want
}

// TestEmbeddingRepeatedRuns runs one program with changing ids: the
// gradient buffer is reused, so rows touched by an earlier run must not
// leak into a later one, whether only those rows are re-zeroed or the
// whole buffer (weight tying). It also runs every integer id dtype.
func TestEmbeddingRepeatedRuns(t *testing.T) {
	const v, e = 9, 2
	batches := [][]int{{1, 4, 4, 0, 8, 4}, {2, 2, 2, 2, 2, 2}, {0, 1, 3, 5, 7, 8}, {1, 4, 4, 0, 8, 4}}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32, tensor.Int, tensor.Int32, tensor.Int64} {
		for _, tied := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/tied=%v", dt, tied), func(t *testing.T) {
				p := newEmbeddingProgram(t, dt, []int{2, 3}, v, e, tied)
				defer p.vm.Close()
				for k, ids := range batches {
					if err := p.run(ids); err != nil {
						t.Fatal(err)
					}
					compareVec(t, fmt.Sprintf("run %d grad", k), backend.ToFloat64s(p.grad.Data()), p.wantGrad(ids, v, e, tied), 1e-12, 1e-12)
					rows, err := backend.EmbeddingTouchedRows(p.out)
					if err != nil {
						t.Fatal(err)
					}
					seen := map[int]bool{}
					var want []int
					for r := 0; r < v; r++ {
						for _, id := range ids {
							if id == r && !seen[r] {
								seen[r] = true
								want = append(want, r)
							}
						}
					}
					if fmt.Sprint(rows) != fmt.Sprint(want) {
						t.Errorf("run %d: touched rows %v, want %v", k, rows, want)
					}
				}
			})
		}
	}
}

// TestEmbeddingIntIDs checks that an integer ids node works in a graph
// with float32 weights, mask included, and gives the float path's values.
func TestEmbeddingIntIDs(t *testing.T) {
	g := G.NewGraph()
	idv := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int64{0, 2, 1, 2, 0, 0}))
	ids := G.NewTensor(g, tensor.Int64, 2, G.WithShape(2, 3), G.WithName("ids"), G.WithValue(idv))
	tv := tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	table := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 2), G.WithName("table"), G.WithValue(tv))
	out, err := backend.Embedding(ids, table, "emb")
	if err != nil {
		t.Fatal(err)
	}
	mask, err := backend.EmbeddingMask(ids, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	var ov, mv G.Value
	G.Read(out, &ov)
	G.Read(mask, &mv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(ov.Data()), "[1 2 5 6 3 4 5 6 1 2 1 2]"; got != want {
		t.Errorf("lookup = %v, want %v", got, want)
	}
	if got, want := fmt.Sprint(mv.Data()), "[0 1 1 1 0 0]"; got != want {
		t.Errorf("mask = %v, want %v", got, want)
	}
	if out.Dtype() != tensor.Float32 || mask.Dtype() != tensor.Float32 {
		t.Errorf("dtypes %v, %v, want float32", out.Dtype(), mask.Dtype())
	}
}

func TestEmbeddingBadIDs(t *testing.T) {
	cases := []struct {
		ids  []float64
		want string
	}{
		{[]float64{0, 1, 2, 7, 1, 1}, `backend: Embedding "my_emb": id 7 at (batch row 1, time step 0) is out of range [0, 7)`},
		{[]float64{0, -1, 2, 3, 1, 1}, `id -1 at (batch row 0, time step 1) is out of range [0, 7)`},
		{[]float64{0, 1, 2.5, 3, 1, 1}, `id 2.5 at (batch row 0, time step 2) is not an integer`},
		{[]float64{0, 1, 2, 3, 1, math.NaN()}, `id NaN at (batch row 1, time step 2) is not an integer`},
		{[]float64{0, 1, 2, 3, 1, math.Inf(1)}, `id +Inf at (batch row 1, time step 2) is out of range`},
	}
	table := gradcheck.Rand(1, -1, 1, 7, 2)
	for _, c := range cases {
		_, _, err := gradcheck.Forward(embed("my_emb"), []*tensor.Dense{gradcheck.FromSlice(c.ids, 2, 3), table})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ids %v: error %v, want it to contain %q", c.ids, err, c.want)
		}
	}
	// Integer ids out of range.
	g := G.NewGraph()
	ids := G.NewTensor(g, tensor.Int, 1, G.WithShape(3), G.WithName("ids"),
		G.WithValue(tensor.New(tensor.WithShape(3), tensor.WithBacking([]int{1, 9, 0}))))
	tn := G.NewMatrix(g, tensor.Float64, G.WithShape(7, 2), G.WithName("t"), G.WithValue(table))
	if _, err := backend.Embedding(ids, tn, "e"); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err == nil || !strings.Contains(err.Error(), `id 9 at (batch row 1) is out of range [0, 7)`) {
		t.Errorf("int ids: error %v", err)
	}
}

func TestEmbeddingBuildErrors(t *testing.T) {
	g := G.NewGraph()
	ids32 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("ids32"))
	big := G.NewMatrix(g, tensor.Float32, G.WithShape(1<<24+1, 1), G.WithName("big"))
	if _, err := backend.Embedding(ids32, big, "e"); err == nil || !strings.Contains(err.Error(), "2^24") {
		t.Errorf("float32 ids with 2^24+1 rows: %v", err)
	}
	ids64 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("ids64"))
	vec := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("vec"))
	if _, err := backend.Embedding(ids64, vec, "e"); err == nil || !strings.Contains(err.Error(), "(input_dim, output_dim)") {
		t.Errorf("vector table: %v", err)
	}
	idsU8 := G.NewMatrix(g, tensor.Uint8, G.WithShape(2, 3), G.WithName("idsu8"))
	tab := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("tab"))
	if _, err := backend.Embedding(idsU8, tab, "e"); err == nil {
		t.Error("uint8 ids accepted")
	}
	if _, err := backend.Embedding(nil, tab, "e"); err == nil {
		t.Error("nil ids accepted")
	}
	if _, err := backend.EmbeddingMask(idsU8, tensor.Float32); err == nil {
		t.Error("EmbeddingMask accepted uint8 ids")
	}
	if _, err := backend.EmbeddingTouchedRows(tab); err == nil {
		t.Error("EmbeddingTouchedRows accepted a non-embedding node")
	}
}
