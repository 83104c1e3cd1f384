package modelplot

import (
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/layers"
)

// The diagram before layout: one box per layer shown, one edge per pair
// of connected boxes, one cluster per expanded nested model. It follows
// Keras 3's model_to_dot (keras/src/utils/model_visualization.py).

type span struct {
	text string
	bold bool
}

// cell is one cell of a box's last row: "Input shape: (None, 8)",
// "Output dtype: float32", "Trainable".
type cell struct {
	spans []span
	fill  rgb
	color rgb
}

type dbox struct {
	id         string // path of the layer from the plotted model: "encoder/dense"
	name       string
	class      string
	header     []span
	activation []span // nil: no activation row
	cells      []cell
	parent     *dcluster
	index      int

	w, h float64 // the box's size in points, set by measure
}

type dcluster struct {
	id     string
	name   string
	parent *dcluster
	index  int
}

type dedge struct {
	from, to *dbox
}

type diagram struct {
	boxes    []*dbox
	clusters []*dcluster
	edges    []*dedge
}

// level is one model of the diagram: the plotted model, or a nested model
// drawn as a cluster.
type level struct {
	model   *keras.Model
	boxes   map[layers.Layer]*dbox
	nested  map[layers.Layer]*level
	cluster *dcluster
}

type extractor struct {
	s     *settings
	d     *diagram
	dtype tensor.Dtype
	seen  map[[2]*dbox]bool
	depth int
}

// maxNesting bounds how deeply nested models are expanded; deeper ones
// (only a model built to be circular could go on) are an error.
const maxNesting = 64

// nestedModel returns the model behind a layer of a graph, if it is one
// (keras's model layers have a Model method).
func nestedModel(l layers.Layer) (*keras.Model, bool) {
	ml, ok := l.(interface{ Model() *keras.Model })
	if !ok {
		return nil, false
	}
	m := ml.Model()
	return m, m != nil
}

func extract(m *keras.Model, s *settings) (*diagram, error) {
	if err := m.Build(); err != nil {
		return nil, errors.Wrap(err, "modelplot: the model cannot be built")
	}
	x := &extractor{s: s, d: &diagram{}, dtype: m.Dtype(), seen: map[[2]*dbox]bool{}}
	if _, err := x.level(m, "", nil); err != nil {
		return nil, err
	}
	return x.d, nil
}

// shown returns the layers a model's diagram shows, in Keras's order: a
// Sequential model's layers without its input layer (Keras 3's
// model.layers), every layer of a functional model, input layers first.
func shown(m *keras.Model) []layers.Layer { return m.Layers() }

func (x *extractor) level(m *keras.Model, prefix string, cl *dcluster) (*level, error) {
	x.depth++
	defer func() { x.depth-- }()
	if x.depth > maxNesting {
		return nil, errors.Errorf("modelplot: models nested more than %d deep", maxNesting)
	}
	lv := &level{model: m, boxes: map[layers.Layer]*dbox{}, nested: map[layers.Layer]*level{}, cluster: cl}
	for _, l := range shown(m) {
		if inner, ok := nestedModel(l); ok && x.s.expandNested {
			if err := inner.Build(); err != nil {
				return nil, errors.Wrapf(err, "modelplot: nested model %s", l.Name())
			}
			c := &dcluster{id: prefix + l.Name(), name: l.Name(), parent: cl, index: len(x.d.clusters)}
			x.d.clusters = append(x.d.clusters, c)
			sub, err := x.level(inner, prefix+l.Name()+"/", c)
			if err != nil {
				return nil, err
			}
			lv.nested[l] = sub
			continue
		}
		b := x.box(l, prefix)
		b.parent, b.index = cl, len(x.d.boxes)
		x.d.boxes = append(x.d.boxes, b)
		lv.boxes[l] = b
	}
	// The edges: for each layer, for each of its nodes in this model, one
	// edge from the layer that produced each input (Keras iterates
	// layer._inbound_nodes the same way); pairs already connected are not
	// repeated (Keras's add_edge).
	inModel := nodesOf(m)
	for _, l := range shown(m) {
		for _, n := range l.LayerBase().Nodes() {
			if !inModel[n] {
				continue
			}
			for j, t := range n.Inputs() {
				src := lv.source(t.Layer(), t.Index())
				dst := lv.dest(l, j)
				if src == nil || dst == nil {
					continue // a Sequential model's hidden input layer
				}
				if key := [2]*dbox{src, dst}; !x.seen[key] {
					x.seen[key] = true
					x.d.edges = append(x.d.edges, &dedge{from: src, to: dst})
				}
			}
		}
	}
	return lv, nil
}

// nodesOf returns the nodes of m's graph: those reachable from its
// outputs without passing its inputs.
func nodesOf(m *keras.Model) map[*layers.Node]bool {
	isInput := map[*layers.Tensor]bool{}
	out := map[*layers.Node]bool{}
	for _, t := range m.Inputs() {
		isInput[t] = true
		if n := t.Node(); n != nil {
			out[n] = true
		}
	}
	stack := append([]*layers.Tensor(nil), m.Outputs()...)
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if t == nil || isInput[t] || t.Node() == nil || out[t.Node()] {
			continue
		}
		out[t.Node()] = true
		stack = append(stack, t.Node().Inputs()...)
	}
	return out
}

// source resolves the box an edge starts from: the layer's box, or, for
// an expanded nested model, the box of the layer inside it that produces
// the model's output idx (Keras: source.outputs[output_index]).
func (lv *level) source(l layers.Layer, idx int) *dbox {
	if b, ok := lv.boxes[l]; ok {
		return b
	}
	sub, ok := lv.nested[l]
	if !ok {
		return nil
	}
	outs := sub.model.Outputs()
	if idx < 0 || idx >= len(outs) {
		return nil
	}
	return sub.source(outs[idx].Layer(), outs[idx].Index())
}

// dest resolves the box an edge ends at: the layer's box, or, for an
// expanded nested model, its input layer j (functional) or its first
// layer (Sequential), as Keras does.
func (lv *level) dest(l layers.Layer, j int) *dbox {
	if b, ok := lv.boxes[l]; ok {
		return b
	}
	sub, ok := lv.nested[l]
	if !ok {
		return nil
	}
	if sub.model.ClassName() == "Sequential" {
		ls := shown(sub.model)
		if len(ls) == 0 {
			return nil
		}
		return sub.dest(ls[0], 0)
	}
	ins := sub.model.Inputs()
	if j < 0 || j >= len(ins) {
		return nil
	}
	return sub.dest(ins[j].Layer(), 0)
}

// box makes a layer's box and its label, as Keras's make_layer_label.
func (x *extractor) box(l layers.Layer, prefix string) *dbox {
	s := x.s
	b := &dbox{id: prefix + l.Name(), name: l.Name(), class: l.ClassName()}
	if s.showLayerNames {
		b.header = []span{{l.Name(), true}, {" (" + l.ClassName() + ")", false}}
	} else {
		b.header = []span{{l.ClassName(), true}}
	}
	if s.showActivations {
		if a := activationOf(l); a != nil {
			b.activation = []span{{"Activation: ", false}, {a.Name(), true}}
		}
	}
	white, black := rgb{0xFF, 0xFF, 0xFF}, rgb{0, 0, 0}
	base := l.LayerBase()
	_, isInput := l.(*layers.InputLayer)
	if s.showShapes {
		if !isInput {
			b.cells = append(b.cells, cell{[]span{{"Input shape: ", false}, {shapes(base.InputShapes()), true}}, white, black})
		}
		b.cells = append(b.cells, cell{[]span{{"Output shape: ", false}, {shapes(base.OutputShapes()), true}}, white, black})
	}
	if s.showDtype {
		dt := x.dtype
		if il, ok := l.(*layers.InputLayer); ok && il.Dtype() != (tensor.Dtype{}) {
			dt = il.Dtype()
		}
		b.cells = append(b.cells, cell{[]span{{"Output dtype: ", false}, {dt.String(), true}}, white, black})
	}
	if s.showTrainable && len(l.Variables()) > 0 {
		if base.Trainable() {
			b.cells = append(b.cells, cell{[]span{{"Trainable", true}}, forestGreen, white})
		} else {
			b.cells = append(b.cells, cell{[]span{{"Non-trainable", true}}, fireBrick, white})
		}
	}
	return b
}

// Graphviz's colour names Keras uses for the trainable cell.
var (
	forestGreen = rgb{0x22, 0x8B, 0x22}
	fireBrick   = rgb{0xB2, 0x22, 0x22}
)

// activationOf returns a layer's activation: Dense's Activation, the
// Activation layer's Function (Keras shows layer.activation for both).
func activationOf(l layers.Layer) activations.Activation {
	switch a := l.(type) {
	case interface{ Activation() activations.Activation }:
		return a.Activation()
	case interface{ Function() activations.Activation }:
		return a.Function()
	}
	return nil
}

// shapes formats a layer's input or output shapes as Keras prints them:
// "(None, 8)" for one, "[(None, 8), (None, 4)]" for several, "?" when
// unknown.
func shapes(ss [][]int) string {
	switch len(ss) {
	case 0:
		return "?"
	case 1:
		return layers.ShapeString(ss[0])
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = layers.ShapeString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
