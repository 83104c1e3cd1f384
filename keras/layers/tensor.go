package layers

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Tensor is a symbolic tensor of a functional model (Keras's KerasTensor):
// a model input (keras.Input) or the output of a layer applied to
// tensors. It has a shape (one sample's, -1 for a dimension of any size)
// but no values. An error while applying a layer (shapes that do not fit)
// is carried by the tensor and by every tensor computed from it, and
// reported when the model is made (keras.NewModel).
type Tensor struct {
	node  *Node
	index int
	shape []int
	dtype tensor.Dtype
	err   error
}

// Node is one application of a layer to tensors: the layer, the tensors
// it was applied to and the tensors it produced. A layer applied twice has
// two nodes and one set of weights.
type Node struct {
	layer   Layer
	inputs  []*Tensor
	outputs []*Tensor
}

// Layer returns the node's layer.
func (n *Node) Layer() Layer { return n.layer }

// Inputs returns the tensors the layer was applied to.
func (n *Node) Inputs() []*Tensor { return n.inputs }

// Outputs returns the tensors the layer produced.
func (n *Node) Outputs() []*Tensor { return n.outputs }

// Shape returns one sample's shape (without the batch axis; -1 for a
// dimension of any size), or nil for a tensor that carries an error.
func (t *Tensor) Shape() []int {
	if t == nil || t.err != nil {
		return nil
	}
	return append([]int(nil), t.shape...)
}

// Dtype returns the tensor's declared element type: the dtype given to
// keras.Input for inputs, the zero Dtype (the model's float type) for
// layer outputs.
func (t *Tensor) Dtype() tensor.Dtype { return t.dtype }

// Err returns the error carried by the tensor, or nil.
func (t *Tensor) Err() error {
	if t == nil {
		return errors.Wrap(kerrors.ErrNil, "layers: nil tensor")
	}
	return t.err
}

// Node returns the node that produced the tensor (its layer is an
// InputLayer for model inputs).
func (t *Tensor) Node() *Node { return t.node }

// Index returns which output of its node the tensor is.
func (t *Tensor) Index() int { return t.index }

// Layer returns the layer that produced the tensor.
func (t *Tensor) Layer() Layer {
	if t == nil || t.node == nil {
		return nil
	}
	return t.node.layer
}

// String describes the tensor as Keras prints a KerasTensor.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil tensor>"
	}
	if t.err != nil {
		return fmt.Sprintf("<Tensor with error: %v>", t.err)
	}
	name := "?"
	if l := t.Layer(); l != nil {
		name = l.Name()
	}
	return fmt.Sprintf("<Tensor shape=%s, from %s output %d>", ShapeString(t.shape), name, t.index)
}

// errTensor is a tensor that only carries err.
func errTensor(err error) *Tensor { return &Tensor{err: err} }

// NewInput makes the input tensor of an InputLayer: shape is one sample's
// shape, dtype the element type of the data fed to it (the zero Dtype: the
// model's float type). keras.Input calls it.
func NewInput(l *InputLayer, dtype tensor.Dtype) *Tensor {
	if err := l.Err(); err != nil {
		return errTensor(errors.Wrapf(err, "layers: Input %s", l.Name()))
	}
	if len(l.nodes) > 0 {
		return l.nodes[0].outputs[0]
	}
	shape := l.DeclaredInputShape()
	l.FinishBuild(shape, shape)
	l.dtype = dtype
	t := &Tensor{index: 0, shape: append([]int(nil), shape...), dtype: dtype}
	n := &Node{layer: l, outputs: []*Tensor{t}}
	t.node = n
	l.nodes = append(l.nodes, n)
	return t
}

// Apply applies the layer to symbolic tensors and returns its (first)
// output (Keras: y = layer(x)). The layer is built for the inputs' shapes
// on its first application; a layer applied again shares its weights and
// must get the same shapes. Errors travel in the returned tensor.
func (b *Base) Apply(inputs ...*Tensor) *Tensor {
	if b == nil {
		return errTensor(errors.Wrap(kerrors.ErrNil, "layers: Apply on a nil layer"))
	}
	outs := ApplyLayer(nil, b.self, inputs...)
	return outs[0]
}

// ApplyAll is Apply for layers with several outputs (a recurrent layer
// returning its states): it returns every output.
func (b *Base) ApplyAll(inputs ...*Tensor) []*Tensor {
	if b == nil {
		return []*Tensor{errTensor(errors.Wrap(kerrors.ErrNil, "layers: Apply on a nil layer"))}
	}
	return ApplyLayer(nil, b.self, inputs...)
}

// ApplyLayer applies l to inputs, building it through ctx (nil: no bound
// on its weights), and returns its outputs; on error it returns a single
// tensor carrying the error. Base.Apply calls it; model loaders call it
// with a bounded context.
func ApplyLayer(ctx *BuildContext, l Layer, inputs ...*Tensor) []*Tensor {
	if err := Check(l); err != nil {
		return []*Tensor{errTensor(errors.Wrap(err, "layers: Apply"))}
	}
	b := l.LayerBase()
	label := b.name
	if label == "" {
		label = "(unnamed " + l.ClassName() + ")"
	}
	if _, isInput := l.(*InputLayer); isInput {
		return []*Tensor{errTensor(errors.Errorf("layers: %s: an InputLayer is not applied to tensors; use keras.Input", label))}
	}
	if len(inputs) == 0 {
		return []*Tensor{errTensor(errors.Errorf("layers: %s: applied to no tensors", label))}
	}
	shapes := make([][]int, len(inputs))
	for i, t := range inputs {
		if t == nil {
			return []*Tensor{errTensor(errors.Wrapf(kerrors.ErrNil, "layers: %s: input %d is a nil tensor", label, i))}
		}
		if t.err != nil {
			return []*Tensor{{err: t.err}}
		}
		shapes[i] = t.shape
	}
	if ctx == nil {
		ctx = &BuildContext{}
	}
	var outShapes [][]int
	var err error
	if ml, ok := l.(MultiLayer); ok {
		outShapes, err = buildMulti(ml, ctx, shapes)
	} else if len(inputs) != 1 {
		err = errors.Errorf("layers: %s: %s takes one input, got %d", label, l.ClassName(), len(inputs))
	} else {
		var out []int
		out, err = buildSingle(l, ctx, shapes[0])
		outShapes = [][]int{out}
	}
	if err != nil {
		return []*Tensor{errTensor(errors.Wrapf(err, "applying %s to %s", label, shapesString(shapes)))}
	}
	n := &Node{layer: l, inputs: append([]*Tensor(nil), inputs...)}
	for i, s := range outShapes {
		n.outputs = append(n.outputs, &Tensor{node: n, index: i, shape: append([]int(nil), s...)})
	}
	b.nodes = append(b.nodes, n)
	return n.outputs
}

func buildSingle(l Layer, ctx *BuildContext, in []int) (out []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, kerrors.Recovered("layers: building "+l.ClassName(), r)
		}
	}()
	return l.Build(ctx, in)
}

func buildMulti(l MultiLayer, ctx *BuildContext, in [][]int) (out [][]int, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, kerrors.Recovered("layers: building "+l.ClassName(), r)
		}
	}()
	return l.BuildMulti(ctx, in)
}

func shapesString(shapes [][]int) string {
	if len(shapes) == 1 {
		return ShapeString(shapes[0])
	}
	s := "["
	for i, x := range shapes {
		if i > 0 {
			s += ", "
		}
		s += ShapeString(x)
	}
	return s + "]"
}

// Nodes returns the nodes at which the layer was applied, in order.
func (b *Base) Nodes() []*Node { return append([]*Node(nil), b.nodes...) }

// Output returns the layer's output tensor (Keras: layer.output): the
// first output of the layer's only node. It is nil when the layer was
// never applied, and the first node's when it was applied several times
// (use Nodes then).
func (b *Base) Output() *Tensor {
	if len(b.nodes) == 0 || len(b.nodes[0].outputs) == 0 {
		return nil
	}
	return b.nodes[0].outputs[0]
}

// Input returns the layer's input tensor (Keras: layer.input): the first
// input of its first node, or nil.
func (b *Base) Input() *Tensor {
	if len(b.nodes) == 0 || len(b.nodes[0].inputs) == 0 {
		return nil
	}
	return b.nodes[0].inputs[0]
}

// RemoveNode forgets one application of the layer (keras.Call removes the
// node it made for an eager call). Nodes of models stay valid only while
// the layer keeps them: do not remove a node a model uses.
func (b *Base) RemoveNode(n *Node) {
	for i, m := range b.nodes {
		if m == n {
			b.nodes = append(b.nodes[:i:i], b.nodes[i+1:]...)
			return
		}
	}
}
