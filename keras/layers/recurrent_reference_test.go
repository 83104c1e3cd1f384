package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// rnnSpec is a layer configuration of testdata/rnn_layer_reference.json,
// in Keras's keywords.
type rnnSpec struct {
	Class             string   `json:"class"`
	Units             int      `json:"units"`
	ReturnSequences   bool     `json:"return_sequences"`
	ReturnState       bool     `json:"return_state"`
	GoBackwards       bool     `json:"go_backwards"`
	ZeroOutputForMask bool     `json:"zero_output_for_mask"`
	UseBias           *bool    `json:"use_bias"`
	ResetAfter        *bool    `json:"reset_after"`
	MergeMode         string   `json:"merge_mode"`
	Layer             *rnnSpec `json:"layer"`
}

func (s rnnSpec) layer() layers.Layer {
	if s.Class == "Bidirectional" {
		return layers.Bidirectional(s.Layer.layer().(*layers.RecurrentLayer), layers.MergeMode(s.MergeMode))
	}
	opts := []layers.RNNOption{layers.ReturnSequences(s.ReturnSequences), layers.ReturnState(s.ReturnState),
		layers.GoBackwards(s.GoBackwards), layers.ZeroOutputForMask(s.ZeroOutputForMask)}
	if s.UseBias != nil {
		opts = append(opts, layers.UseBias(*s.UseBias))
	}
	if s.ResetAfter != nil {
		opts = append(opts, layers.ResetAfter(*s.ResetAfter))
	}
	switch s.Class {
	case "LSTM":
		return layers.LSTM(s.Units, opts...)
	case "GRU":
		return layers.GRU(s.Units, opts...)
	}
	return layers.SimpleRNN(s.Units, opts...)
}

type rnnRefCase struct {
	Name         string      `json:"name"`
	Spec         rnnSpec     `json:"spec"`
	B            int         `json:"b"`
	T            int         `json:"t"`
	F            int         `json:"f"`
	X            []float64   `json:"x"`
	Mask         []float64   `json:"mask"`
	States       [][]float64 `json:"states"`
	Weights      [][]float64 `json:"weights"`
	WeightShapes [][]int     `json:"weight_shapes"`
	R            []float64   `json:"r"`
	Out          []float64   `json:"out"`
	OutShape     []int       `json:"out_shape"`
	GradX        []float64   `json:"grad_x"`
	GradStates   [][]float64 `json:"grad_states"`
	GradWeights  [][]float64 `json:"grad_weights"`
}

type rnnRefDoc struct {
	Torch         string       `json:"torch"`
	Cases         []rnnRefCase `json:"cases"`
	EmbeddingLSTM struct {
		IDs          []float64   `json:"ids"`
		IDsShape     []int       `json:"ids_shape"`
		V            int         `json:"v"`
		E            int         `json:"e"`
		Spec         rnnSpec     `json:"spec"`
		Table        []float64   `json:"table"`
		Weights      [][]float64 `json:"weights"`
		WeightShapes [][]int     `json:"weight_shapes"`
		R            []float64   `json:"r"`
		Out          []float64   `json:"out"`
		OutShape     []int       `json:"out_shape"`
		GradTable    []float64   `json:"grad_table"`
		GradWeights  [][]float64 `json:"grad_weights"`
	} `json:"embedding_lstm"`
}

func loadRNNReference(t *testing.T) rnnRefDoc {
	t.Helper()
	raw, err := os.ReadFile("testdata/rnn_layer_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc rnnRefDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 10 {
		t.Fatalf("only %d reference cases", len(doc.Cases))
	}
	return doc
}

func closeToRef(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d] = %.12g, want %.12g (diff %.3g)", what, i, got[i], want[i], d)
		}
	}
}

// setRefWeights builds l for the case's shapes in dt and gives it the
// reference weights.
func setRefWeights(t *testing.T, l layers.Layer, dt tensor.Dtype, in [][]int, ws [][]float64, shapes [][]int) {
	t.Helper()
	if _, err := layertest.Build(l, "rnn", dt, 1, in...); err != nil {
		t.Fatal(err)
	}
	vars := l.Variables()
	if len(vars) != len(ws) {
		t.Fatalf("%d weights, the reference has %d", len(vars), len(ws))
	}
	for i, v := range vars {
		if !equalInts(v.Shape(), shapes[i]) {
			t.Fatalf("weight %d (%s) has shape %v, Keras's is %v", i, v.Name(), v.Shape(), shapes[i])
		}
		if err := v.SetFloat64s(ws[i]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecurrentAgainstTorch: outputs and gradients of the recurrent layers
// and Bidirectional (masks, go_backwards, return_state, initial states,
// every merge mode) against PyTorch's cell kernels run with Keras's layer
// semantics (testdata/gen_rnn_layer_reference.py), in float64 and, for
// the outputs, float32.
func TestRecurrentAgainstTorch(t *testing.T) {
	doc := loadRNNReference(t)
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			in := [][]int{{c.T, c.F}}
			inputs := []*tensor.Dense{gradcheck.FromSlice(c.X, c.B, c.T, c.F)}
			for _, s := range c.States {
				in = append(in, []int{len(s) / c.B})
				inputs = append(inputs, gradcheck.FromSlice(s, c.B, len(s)/c.B))
			}
			var mask *tensor.Dense
			if c.Mask != nil {
				mask = gradcheck.FromSlice(c.Mask, c.B, c.T)
			}
			l := c.Spec.layer()
			setRefWeights(t, l, tensor.Float64, in, c.Weights, c.WeightShapes)
			sc := seqCheck{layer: l, mode: backend.Predict, inputs: inputs, mask: mask}
			got, shape, err := sc.forward()
			if err != nil {
				t.Fatal(err)
			}
			if !equalInts(shape, c.OutShape) {
				t.Fatalf("outputs joined to %v, Keras gives %v", shape, c.OutShape)
			}
			closeToRef(t, "outputs", got, c.Out, 1e-10)

			all, noGrad := sc.checkInputs()
			r := gradcheck.FromSlice(c.R, c.OutShape...)
			all = append(all, r)
			noGrad = append(noGrad, true)
			f := seqFunc(sc)
			grads, err := gradcheck.Gradient(func(g *G.ExprGraph, nodes G.Nodes) (*G.Node, error) {
				out, err := f(g, nodes[:len(nodes)-1])
				if err != nil {
					return nil, err
				}
				return G.HadamardProd(out, nodes[len(nodes)-1])
			}, all, noGrad)
			if err != nil {
				t.Fatal(err)
			}
			closeToRef(t, "d/dx", grads[0], c.GradX, 1e-9)
			for i, g := range c.GradStates {
				closeToRef(t, "d/dstate", grads[1+i], g, 1e-9)
			}
			w := len(inputs)
			if mask != nil {
				w++
			}
			for i, g := range c.GradWeights {
				closeToRef(t, "d/d"+l.Variables()[i].Name(), grads[w+i], g, 1e-9)
			}

			// float32: the same layer in a float32 graph.
			l32 := c.Spec.layer()
			setRefWeights(t, l32, tensor.Float32, in, c.Weights, c.WeightShapes)
			got32 := forward32(t, l32, inputs, mask)
			closeToRef(t, "float32 outputs", got32, c.Out, 2e-5)
		})
	}
}

// forward32 runs l (built in float32) on inputs in a float32 graph and
// returns its joined outputs.
func forward32(t *testing.T, l layers.Layer, inputs []*tensor.Dense, mask *tensor.Dense) []float64 {
	t.Helper()
	g := G.NewGraph()
	node := func(name string, d *tensor.Dense) *G.Node {
		src := d.Data().([]float64)
		v := make([]float32, len(src))
		for i, x := range src {
			v[i] = float32(x)
		}
		val := tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(v))
		return G.NewTensor(g, tensor.Float32, d.Dims(), G.WithShape(d.Shape().Clone()...), G.WithName(name), G.WithValue(val))
	}
	xs := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		xs[i] = node("in"+string(rune('a'+i)), in)
	}
	s := backend.NewScope(g, backend.Predict, inputs[0].Shape()[0], tensor.Float32)
	if mask != nil {
		s.SetMask(xs[0], node("mask", mask))
	}
	outs, err := l.(layers.MultiLayer).ForwardMulti(s, xs)
	if err != nil {
		t.Fatal(err)
	}
	out, err := joinOutputs(outs)
	if err != nil {
		t.Fatal(err)
	}
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	d := v.Data().([]float32)
	res := make([]float64, len(d))
	for i, x := range d {
		res[i] = float64(x)
	}
	return res
}

// TestEmbeddingMaskIntoLSTMAgainstTorch: Embedding(mask_zero) records its
// mask on the scope and the LSTM after it skips the padded steps; values
// and gradients (of the table and the LSTM's weights) match torch.
func TestEmbeddingMaskIntoLSTMAgainstTorch(t *testing.T) {
	ref := loadRNNReference(t).EmbeddingLSTM
	b, steps := ref.IDsShape[0], ref.IDsShape[1]
	emb := layers.Embedding(ref.V, ref.E, layers.MaskZero(true))
	setRefWeights(t, emb, tensor.Float64, [][]int{{steps}}, [][]float64{ref.Table}, [][]int{{ref.V, ref.E}})
	lstm := ref.Spec.layer()
	setRefWeights(t, lstm, tensor.Float64, [][]int{{steps, ref.E}}, ref.Weights, ref.WeightShapes)
	fn := func(withR bool) gradcheck.Func {
		return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
			s := backend.NewScope(g, backend.Predict, b, tensor.Float64)
			for i, v := range append(emb.Variables(), lstm.Variables()...) {
				if err := s.Bind(v, in[2+i]); err != nil {
					return nil, err
				}
			}
			e, err := emb.Forward(s, in[0])
			if err != nil {
				return nil, err
			}
			y, err := lstm.Forward(s, e)
			if err != nil {
				return nil, err
			}
			if s.Mask(y) == nil {
				t.Error("the LSTM's returned sequence lost the mask")
			}
			if !withR {
				return y, nil
			}
			return G.HadamardProd(y, in[1])
		}
	}
	inputs := []*tensor.Dense{gradcheck.FromSlice(ref.IDs, b, steps), gradcheck.FromSlice(ref.R, b, steps, ref.Spec.Units),
		emb.Variables()[0].Value()}
	for _, v := range lstm.Variables() {
		inputs = append(inputs, v.Value())
	}
	out, _, err := gradcheck.Forward(fn(false), inputs)
	if err != nil {
		t.Fatal(err)
	}
	closeToRef(t, "outputs", out, ref.Out, 1e-9)
	grads, err := gradcheck.Gradient(fn(true), inputs, []bool{true, true})
	if err != nil {
		t.Fatal(err)
	}
	closeToRef(t, "d/dtable", grads[2], ref.GradTable, 1e-9)
	for i, g := range ref.GradWeights {
		closeToRef(t, "d/d"+lstm.Variables()[i].Name(), grads[3+i], g, 1e-9)
	}
}
