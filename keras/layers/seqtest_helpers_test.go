package layers_test

import (
	"math/rand"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// seqCheck describes a check of a sequence layer: the inputs the layer
// is applied to, an optional mask for the first one, and every output of
// the layer (all are checked, flattened and joined).
type seqCheck struct {
	layer  layers.Layer
	mode   backend.Mode
	inputs []*tensor.Dense // the layer's inputs, (batch, ...)
	mask   *tensor.Dense   // (batch, steps) for inputs[0], or nil
	noGrad []bool          // per input: no gradient (indices)
}

// seqFunc returns the gradcheck function of c: inputs are c's inputs, then
// the mask when there is one, then the layer's weights.
func seqFunc(c seqCheck) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		n := len(c.inputs)
		s := backend.NewScope(g, c.mode, in[0].Shape()[0], tensor.Float64)
		w := n
		if c.mask != nil {
			s.SetMask(in[0], in[n])
			w++
		}
		for i, v := range c.layer.Variables() {
			if err := s.Bind(v, in[w+i]); err != nil {
				return nil, err
			}
		}
		var outs []*G.Node
		if ml, ok := c.layer.(layers.MultiLayer); ok {
			var err error
			if outs, err = ml.ForwardMulti(s, in[:n]); err != nil {
				return nil, err
			}
		} else {
			if n != 1 {
				return nil, errors.New("one input")
			}
			out, err := c.layer.Forward(s, in[0])
			if err != nil {
				return nil, err
			}
			outs = []*G.Node{out}
		}
		s.FillNoise(rand.New(rand.NewSource(9)))
		return joinOutputs(outs)
	}
}

// joinOutputs flattens every output to (batch, -1) and concatenates them
// (Keras's outputs, joined per sample).
func joinOutputs(outs []*G.Node) (*G.Node, error) {
	flat := make(G.Nodes, len(outs))
	for i, o := range outs {
		s := o.Shape()
		f := o
		if o.Dims() != 2 {
			var err error
			if f, err = G.Reshape(o, tensor.Shape{s[0], s.TotalSize() / s[0]}); err != nil {
				return nil, err
			}
		}
		flat[i] = f
	}
	if len(flat) == 1 {
		return flat[0], nil
	}
	return G.Concat(1, flat...)
}

// checkInputs returns the inputs of seqFunc(c) and the NoGrad flags (the
// mask and c.noGrad).
func (c seqCheck) checkInputs() ([]*tensor.Dense, []bool) {
	in := append([]*tensor.Dense(nil), c.inputs...)
	noGrad := make([]bool, len(c.inputs))
	copy(noGrad, c.noGrad)
	if c.mask != nil {
		in = append(in, c.mask)
		noGrad = append(noGrad, true)
	}
	for _, v := range c.layer.Variables() {
		in = append(in, v.Value())
		noGrad = append(noGrad, false)
	}
	return in, noGrad
}

// run gradient-checks c in float64.
func (c seqCheck) run(t *testing.T) {
	t.Helper()
	in, noGrad := c.checkInputs()
	if m, err := gradcheck.Check(seqFunc(c), in, gradcheck.Options{NoGrad: noGrad}); err != nil {
		t.Errorf("%v (worst %+v)", err, m)
	}
}

// forward runs c once and returns its joined outputs.
func (c seqCheck) forward() ([]float64, tensor.Shape, error) {
	in, _ := c.checkInputs()
	return gradcheck.Forward(seqFunc(c), in)
}

// buildSeq builds l for the per-sample shapes of the inputs (float64,
// seed 3) and fails the test on error.
func buildSeq(t *testing.T, l layers.Layer, name string, in ...[]int) [][]int {
	t.Helper()
	out, err := layertest.Build(l, name, tensor.Float64, 3, in...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
