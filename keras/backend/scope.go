package backend

import (
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Mode says what a graph is for.
type Mode int

const (
	// Train graphs run the forward pass with training behaviour (dropout
	// on), compute the loss and its gradient with respect to every
	// trainable variable.
	Train Mode = iota
	// Eval graphs run the forward pass in inference mode and compute the
	// loss, without gradients (Evaluate, validation).
	Eval
	// Predict graphs run the forward pass in inference mode only.
	Predict
)

// String returns "train", "eval" or "predict".
func (m Mode) String() string {
	switch m {
	case Train:
		return "train"
	case Eval:
		return "eval"
	case Predict:
		return "predict"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Scope is what a layer sees while it adds its nodes to one graph. A model
// has one graph per (batch size, mode) pair; Forward functions are called
// once per graph and must not keep the Scope.
type Scope struct {
	g       *G.ExprGraph
	mode    Mode
	batch   int
	dtype   tensor.Dtype
	params  map[*Variable]*G.Node
	order   []*Variable
	noise   []*noiseFeed
	losses  G.Nodes
	acts    map[*G.Node]activationRecord
	masks   map[*G.Node]*G.Node
	updates []stateUpdate
}

type stateUpdate struct {
	v    *Variable
	node *G.Node
}

type noiseFeed struct {
	node  *G.Node
	value *tensor.Dense
	fill  func(rng *rand.Rand, dst *tensor.Dense)
}

type activationRecord struct {
	input *G.Node
	name  string
}

// NewScope returns a scope over g for writing layer tests and running a
// layer's Forward outside a model; the Engine makes its own.
func NewScope(g *G.ExprGraph, mode Mode, batch int, dt tensor.Dtype) *Scope {
	return &Scope{
		g:      g,
		mode:   mode,
		batch:  batch,
		dtype:  dt,
		params: map[*Variable]*G.Node{},
		acts:   map[*G.Node]activationRecord{},
		masks:  map[*G.Node]*G.Node{},
	}
}

// Graph returns the expression graph being built.
func (s *Scope) Graph() *G.ExprGraph { return s.g }

// Mode returns what the graph is for.
func (s *Scope) Mode() Mode { return s.mode }

// Training reports whether the graph is a training graph (dropout and
// other training-only behaviour on).
func (s *Scope) Training() bool { return s.mode == Train }

// BatchSize returns the graph's fixed batch size.
func (s *Scope) BatchSize() int { return s.batch }

// Dtype returns the graph's element type.
func (s *Scope) Dtype() tensor.Dtype { return s.dtype }

// Bind makes n the node of v in this graph, instead of a node bound to v's
// value. Gradient checks use it to perturb a layer's weights.
func (s *Scope) Bind(v *Variable, n *G.Node) error {
	if !n.Shape().Eq(v.value.Shape()) {
		return errors.Errorf("backend: Bind: node shape %v, variable %s has %v", n.Shape(), v.name, v.value.Shape())
	}
	if _, ok := s.params[v]; !ok {
		s.order = append(s.order, v)
	}
	s.params[v] = n
	return nil
}

// Param returns v's node in this graph, creating it on first use. The node
// is bound to v's shared value by reference.
func (s *Scope) Param(v *Variable) (*G.Node, error) {
	if v == nil {
		return nil, errors.Wrap(kerrors.ErrNotBuilt, "backend: Param of a nil variable")
	}
	if n, ok := s.params[v]; ok {
		return n, nil
	}
	if !v.Materialized() {
		return nil, errors.Errorf("backend: variable %s has no values yet (its model has not been built)", v.name)
	}
	if v.Dtype() != s.dtype {
		return nil, errors.Errorf("backend: variable %s is %v, graph is %v", v.name, v.Dtype(), s.dtype)
	}
	shape := v.value.Shape()
	n := G.NewTensor(s.g, s.dtype, len(shape), G.WithShape(shape...), G.WithName(fmt.Sprintf("%s#%d", v.name, v.id)), G.WithValue(v.value))
	s.params[v] = n
	s.order = append(s.order, v)
	return n, nil
}

// Noise adds a per-step random input of the given shape (for example a
// dropout mask). Before every run of the graph, fill is called with the
// model's noise generator and the input's buffer, so the noise is
// reproducible from the model's seed. name must be unique in the graph.
func (s *Scope) Noise(name string, shape []int, fill func(rng *rand.Rand, dst *tensor.Dense)) *G.Node {
	value := tensor.New(tensor.WithShape(shape...), tensor.Of(s.dtype))
	n := G.NewTensor(s.g, s.dtype, len(shape), G.WithShape(shape...), G.WithName("noise/"+name), G.WithValue(value))
	s.noise = append(s.noise, &noiseFeed{node: n, value: value, fill: fill})
	return n
}

// FillNoise refills every noise input from rng (the engine does it
// before each run; tests call it to fix a mask).
func (s *Scope) FillNoise(rng *rand.Rand) {
	for _, nf := range s.noise {
		nf.fill(rng, nf.value)
	}
}

// AddLoss adds a scalar node (a regularisation penalty, say) to the
// model's loss in train and eval graphs. It is ignored in predict graphs.
func (s *Scope) AddLoss(n *G.Node) error {
	if !n.IsScalar() {
		return errors.Errorf("backend: AddLoss: node %v has shape %v, want a scalar", n, n.Shape())
	}
	s.losses = append(s.losses, n)
	return nil
}

// MarkActivation records that out = activation(in). Losses use it to work
// from logits: a softmax output followed by categorical cross-entropy is
// computed as one stable op on the softmax's input (Keras does the same).
func (s *Scope) MarkActivation(out, in *G.Node, activation string) {
	s.acts[out] = activationRecord{in, activation}
}

// ActivationOf returns the input and the activation name recorded for out
// by MarkActivation.
func (s *Scope) ActivationOf(out *G.Node) (in *G.Node, activation string, ok bool) {
	r, ok := s.acts[out]
	return r.input, r.name, ok
}

// Update asks for v to be set to n's value after every run of a training
// graph (Keras's assign in a layer's call: BatchNormalization's moving
// statistics). n must have v's shape. The update is applied after the
// optimizer step, under the weights lock, so every program of the model
// sees it; inference graphs ignore it.
func (s *Scope) Update(v *Variable, n *G.Node) error {
	if v == nil || n == nil {
		return errors.New("backend: Update: nil variable or node")
	}
	if !n.Shape().Eq(tensor.Shape(v.shape)) || n.Dims() != len(v.shape) {
		return errors.Errorf("backend: Update of %s: node shape %v, variable shape %v", v.name, n.Shape(), v.shape)
	}
	if v.trainable {
		return errors.Errorf("backend: Update of %s: only non-trainable variables take updates", v.name)
	}
	if s.mode != Train {
		return nil
	}
	s.updates = append(s.updates, stateUpdate{v, n})
	return nil
}

// SetMask records mask as the mask of x: a (batch, steps) node of 0s and
// 1s saying which time steps of x are real (Keras's compute_mask). Layers
// that make masks (Embedding with mask_zero, Masking) set it; layers that
// use masks (recurrent layers, GlobalAveragePooling1D) read it with Mask.
func (s *Scope) SetMask(x, mask *G.Node) {
	if mask == nil {
		delete(s.masks, x)
		return
	}
	s.masks[x] = mask
}

// Mask returns the mask recorded for x, or nil.
func (s *Scope) Mask(x *G.Node) *G.Node { return s.masks[x] }
