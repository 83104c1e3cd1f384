// Package layertest runs a single layer outside a model, for the tests
// of keras/layers and of user-defined layers: build it for an input shape,
// initialise its weights, run its forward pass and gradient-check it with
// every weight bound to an input of the check.
package layertest

import (
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/layers"
)

// Build builds l for inputs of the given per-sample shapes, as a model
// does (applying it to input tensors), names it name when it has no name,
// and initialises its weights in dtype dt from seed. It returns the
// output shapes.
func Build(l layers.Layer, name string, dt tensor.Dtype, seed int64, inShapes ...[]int) ([][]int, error) {
	if l.Name() == "" {
		l.SetName(name)
	}
	ins := make([]*layers.Tensor, len(inShapes))
	for i, s := range inShapes {
		ins[i] = layers.NewInput(layers.Input(s...), tensor.Dtype{})
	}
	outs := layers.ApplyLayer(nil, l, ins...)
	if err := outs[0].Err(); err != nil {
		return nil, err
	}
	if err := l.LayerBase().InitWeights(dt, rand.New(rand.NewSource(seed))); err != nil {
		return nil, err
	}
	shapes := make([][]int, len(outs))
	for i, t := range outs {
		shapes[i] = t.Shape()
	}
	return shapes, nil
}

// Func returns a gradcheck function that runs l in the given mode on
// the first nIn inputs and binds every weight of l to the inputs after
// them, so the check covers the gradients with respect to the inputs and
// the weights. noise seeds the layer's random inputs (dropout masks). It
// returns the layer's first output, plus the total of the losses the
// layer adds (penalties, Scope.AddLoss), so that those are checked too.
func Func(l layers.Layer, mode backend.Mode, nIn int, noise int64) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s := backend.NewScope(g, mode, in[0].Shape()[0], tensor.Float64)
		for i, v := range l.Variables() {
			if err := s.Bind(v, in[nIn+i]); err != nil {
				return nil, err
			}
		}
		outs, err := call(s, l, in[:nIn])
		if err != nil {
			return nil, err
		}
		s.FillNoise(rand.New(rand.NewSource(noise)))
		return outs[0], nil
	}
}

// call runs l's forward pass, single- or multi-input.
func call(s *backend.Scope, l layers.Layer, xs G.Nodes) ([]*G.Node, error) {
	if ml, ok := l.(layers.MultiLayer); ok {
		return ml.ForwardMulti(s, xs)
	}
	if len(xs) != 1 {
		return nil, errors.Errorf("layertest: %s takes one input, got %d", l.ClassName(), len(xs))
	}
	out, err := l.Forward(s, xs[0])
	return []*G.Node{out}, err
}

// Inputs returns the inputs of a check built with Func: xs, then the
// layer's weights.
func Inputs(l layers.Layer, xs ...*tensor.Dense) []*tensor.Dense {
	in := append([]*tensor.Dense(nil), xs...)
	for _, v := range l.Variables() {
		in = append(in, v.Value())
	}
	return in
}

// Check gradient-checks l (built in float64) on inputs xs in mode.
func Check(l layers.Layer, mode backend.Mode, opt gradcheck.Options, xs ...*tensor.Dense) (gradcheck.Mismatch, error) {
	return gradcheck.Check(Func(l, mode, len(xs), 9), Inputs(l, xs...), opt)
}

// Forward runs l in mode on xs and returns its first output's values and
// shape.
func Forward(l layers.Layer, mode backend.Mode, xs ...*tensor.Dense) ([]float64, tensor.Shape, error) {
	return gradcheck.Forward(Func(l, mode, len(xs), 9), Inputs(l, xs...))
}
