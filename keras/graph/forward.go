package graph

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Forward adds the graph's computation to s: xs holds one node per model
// input, (batch, shape...); it returns one node per output. After each
// layer it adds the layer's activity penalty (divided by the batch size,
// as Keras 3 does) to the loss of train and eval graphs, and passes masks
// on through layers that support masking.
func (g *Graph) Forward(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	if len(xs) != len(g.inputs) {
		return nil, errors.Errorf("graph: %d input nodes for %d inputs", len(xs), len(g.inputs))
	}
	vals := make(map[*layers.Tensor]*G.Node, len(g.nodes)+len(xs))
	for i, t := range g.inputs {
		vals[t] = xs[i]
	}
	for _, n := range g.nodes {
		ins := make([]*G.Node, len(n.Inputs()))
		for i, t := range n.Inputs() {
			v, ok := vals[t]
			if !ok {
				return nil, errors.Errorf("graph: layer %s: input %d is not computed before it", n.Layer().Name(), i)
			}
			ins[i] = v
		}
		outs, err := Call(s, n.Layer(), ins)
		if err != nil {
			return nil, err
		}
		if len(outs) != len(n.Outputs()) {
			return nil, errors.Errorf("graph: layer %s returned %d outputs, it was built with %d", n.Layer().Name(), len(outs), len(n.Outputs()))
		}
		for i, t := range n.Outputs() {
			vals[t] = outs[i]
		}
	}
	out := make([]*G.Node, len(g.outputs))
	for i, t := range g.outputs {
		v, ok := vals[t]
		if !ok {
			return nil, errors.Errorf("graph: output %d is not computed", i)
		}
		out[i] = v
	}
	return out, nil
}

// Call adds one application of l to inputs in s and returns its outputs:
// the layer's Forward (or ForwardMulti), then its activity penalty and
// mask propagation. A panic in the layer becomes an error naming it.
func Call(s *backend.Scope, l layers.Layer, ins []*G.Node) (outs []*G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, kerrors.Recovered("graph: layer "+l.Name(), r)
		}
	}()
	if ml, ok := l.(layers.MultiLayer); ok {
		outs, err = ml.ForwardMulti(s, ins)
	} else {
		if len(ins) != 1 {
			return nil, errors.Errorf("graph: layer %s takes one input, got %d", l.Name(), len(ins))
		}
		var out *G.Node
		out, err = l.Forward(s, ins[0])
		outs = []*G.Node{out}
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layer %s", l.Name())
	}
	for i, o := range outs {
		if o == nil {
			return nil, errors.Errorf("graph: layer %s returned a nil output %d", l.Name(), i)
		}
	}
	b := l.LayerBase()
	if r := b.ActivityRegularizer(); r != nil && s.Mode() != backend.Predict {
		for _, o := range outs {
			p, err := r.Penalty(o)
			if err != nil {
				return nil, errors.Wrapf(err, "layer %s: activity_regularizer", l.Name())
			}
			if o.Dims() > 0 {
				if p, err = G.Mul(p, s.Scalar(1/float64(o.Shape()[0]))); err != nil {
					return nil, errors.Wrapf(err, "layer %s: activity_regularizer", l.Name())
				}
			}
			if err := s.AddLoss(p); err != nil {
				return nil, errors.Wrapf(err, "layer %s", l.Name())
			}
		}
	}
	if b.SupportsMasking() && len(ins) == 1 {
		if m := s.Mask(ins[0]); m != nil {
			for _, o := range outs {
				if s.Mask(o) == nil {
					s.SetMask(o, m)
				}
			}
		}
	}
	return outs, nil
}
