// Package graph turns symbolic tensors into a model's graph of layers:
// it checks the graph (every output reachable from the inputs, every input
// used, no cycle, unique names), orders the layer applications as Keras
// does, names unnamed layers, runs the graph's forward pass inside a
// backend graph (activity regularisation and mask propagation included),
// and serialises it with each layer's inbound nodes. Package keras builds
// both Sequential and functional models on it.
package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// Graph is a checked graph of layer applications from input tensors to
// output tensors.
type Graph struct {
	inputs  []*layers.Tensor
	outputs []*layers.Tensor
	nodes   []*layers.Node // every node but the inputs', in run order
	layers  []layers.Layer // every layer once, inputs first, in Keras's order
	index   map[*layers.Node]int
	depth   map[*layers.Node]int
}

// New checks the graph from inputs to outputs: every input must be a
// model input (keras.Input), every output reachable from the inputs only,
// every input used, and no layer's name or weight name may repeat. Errors
// carried by the tensors (a layer applied to shapes that do not fit) are
// returned first.
func New(inputs, outputs []*layers.Tensor) (*Graph, error) {
	if len(inputs) == 0 {
		return nil, errors.New("graph: the model has no inputs")
	}
	if len(outputs) == 0 {
		return nil, errors.New("graph: the model has no outputs")
	}
	for i, t := range append(append([]*layers.Tensor(nil), inputs...), outputs...) {
		if err := t.Err(); err != nil {
			what := fmt.Sprintf("input %d", i)
			if i >= len(inputs) {
				what = fmt.Sprintf("output %d", i-len(inputs))
			}
			return nil, errors.Wrapf(err, "graph: %s", what)
		}
	}
	isInput := map[*layers.Tensor]bool{}
	for i, t := range inputs {
		if _, ok := t.Layer().(*layers.InputLayer); !ok {
			return nil, errors.Errorf("graph: input %d comes from layer %s (%s), not from keras.Input", i, t.Layer().Name(), t.Layer().ClassName())
		}
		if isInput[t] {
			return nil, errors.Errorf("graph: input %d is given twice", i)
		}
		isInput[t] = true
	}
	g := &Graph{inputs: inputs, outputs: outputs, index: map[*layers.Node]int{}, depth: map[*layers.Node]int{}}

	// Depth-first from the outputs: post-order lists every node after the
	// nodes it depends on; a node met again while on the stack is a cycle.
	const (
		unseen = iota
		active
		done
	)
	state := map[*layers.Node]int{}
	var order []*layers.Node
	usedInputs := map[*layers.Tensor]bool{}
	var visit func(t *layers.Tensor, path []string) error
	visit = func(t *layers.Tensor, path []string) error {
		if isInput[t] {
			usedInputs[t] = true
			return nil
		}
		n := t.Node()
		if n == nil {
			return errors.Errorf("graph: a tensor has no producing layer")
		}
		name := layerLabel(n.Layer())
		if _, ok := n.Layer().(*layers.InputLayer); ok {
			return errors.Errorf("graph: output depends on input %s, which is not among the model's inputs (path: %s)", name, strings.Join(append(path, name), " <- "))
		}
		switch state[n] {
		case done:
			return nil
		case active:
			return errors.Errorf("graph: cycle through layer %s (path: %s)", name, strings.Join(append(path, name), " <- "))
		}
		state[n] = active
		for _, in := range n.Inputs() {
			if err := visit(in, append(path, name)); err != nil {
				return err
			}
		}
		state[n] = done
		order = append(order, n)
		return nil
	}
	for _, t := range outputs {
		if err := visit(t, nil); err != nil {
			return nil, err
		}
	}
	for i, t := range inputs {
		if !usedInputs[t] {
			return nil, errors.Errorf("graph: input %d (%s) is not used by any output", i, layerLabel(t.Layer()))
		}
	}
	// Keras orders nodes by depth (the longest path to an output: outputs
	// have depth 0), deepest first; ties keep the depth-first order.
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		d := g.depth[n]
		for _, in := range n.Inputs() {
			if p := in.Node(); p != nil && !isInput[in] && g.depth[p] < d+1 {
				g.depth[p] = d + 1
			}
		}
	}
	pos := map[*layers.Node]int{}
	for i, n := range order {
		pos[n] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		if g.depth[order[i]] != g.depth[order[j]] {
			return g.depth[order[i]] > g.depth[order[j]]
		}
		return pos[order[i]] < pos[order[j]]
	})
	g.nodes = order
	for i, n := range order {
		g.index[n] = i
	}
	seen := map[layers.Layer]bool{}
	for _, t := range inputs {
		if !seen[t.Layer()] {
			seen[t.Layer()] = true
			g.layers = append(g.layers, t.Layer())
		}
	}
	for _, n := range order {
		if !seen[n.Layer()] {
			seen[n.Layer()] = true
			g.layers = append(g.layers, n.Layer())
		}
	}
	if err := g.nameLayers(); err != nil {
		return nil, err
	}
	return g, nil
}

func layerLabel(l layers.Layer) string {
	if l == nil {
		return "?"
	}
	if l.Name() != "" {
		return l.Name()
	}
	return "(unnamed " + l.ClassName() + ")"
}

// nameLayers gives unnamed layers Keras's default names in the graph's
// order and rejects duplicate names.
func (g *Graph) nameLayers() error { return NameLayers(g.layers) }

// NameLayers gives the unnamed layers of ls Keras's default names (dense,
// dense_1, conv2d, input_layer, ...), in order, skipping names already
// taken, and rejects two layers with one name.
func NameLayers(ls []layers.Layer) error {
	used := map[string]layers.Layer{}
	for _, l := range ls {
		if n := l.Name(); n != "" {
			if other, dup := used[n]; dup && other != l {
				return errors.Errorf("graph: two layers are named %q (%s and %s); layer names must be unique within a model", n, other.ClassName(), l.ClassName())
			}
			used[n] = l
		}
	}
	counts := map[string]int{}
	for _, l := range ls {
		if l.Name() != "" {
			continue
		}
		base := layers.DefaultName(l.ClassName())
		for {
			name := base
			if c := counts[base]; c > 0 {
				name = fmt.Sprintf("%s_%d", base, c)
			}
			counts[base]++
			if _, taken := used[name]; !taken {
				l.SetName(name)
				used[name] = l
				break
			}
		}
	}
	return nil
}

// Inputs returns the model's input tensors.
func (g *Graph) Inputs() []*layers.Tensor { return append([]*layers.Tensor(nil), g.inputs...) }

// Outputs returns the model's output tensors.
func (g *Graph) Outputs() []*layers.Tensor { return append([]*layers.Tensor(nil), g.outputs...) }

// Layers returns every layer once, input layers first, in Keras's order.
func (g *Graph) Layers() []layers.Layer { return append([]layers.Layer(nil), g.layers...) }

// Nodes returns the layer applications in the order they run.
func (g *Graph) Nodes() []*layers.Node { return append([]*layers.Node(nil), g.nodes...) }

// Contains reports whether n is one of the graph's nodes (or an input's).
func (g *Graph) Contains(n *layers.Node) bool {
	if _, ok := g.index[n]; ok {
		return true
	}
	for _, t := range g.inputs {
		if t.Node() == n {
			return true
		}
	}
	return false
}

// NodeIndex returns the position of n among the applications of its layer
// within this graph (Keras's node_index in a model's config).
func (g *Graph) NodeIndex(n *layers.Node) int {
	i := 0
	for _, m := range n.Layer().LayerBase().Nodes() {
		if m == n {
			return i
		}
		if g.Contains(m) {
			i++
		}
	}
	return -1
}
