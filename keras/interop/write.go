package interop

import (
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// nestedModel returns the model behind a layer of a graph, if it is one.
func nestedModel(l layers.Layer) (*keras.Model, bool) {
	if ml, ok := l.(interface{ Model() *keras.Model }); ok {
		return ml.Model(), true
	}
	return nil, false
}

// treeOf describes a built gokeras model as Keras sees it: a Sequential
// model's layers as added, a functional model's in the order Keras's
// map_graph gives them (ops/function.py: by node depth, deepest first,
// ties by the order a depth-first walk from the outputs first meets each
// layer).
func treeOf(m *keras.Model) (*tree, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	t := &tree{model: m, class: m.ClassName(), nested: map[layers.Layer]*tree{}}
	if m.ClassName() == "Sequential" {
		t.layers = m.Layers()
	} else {
		t.layers, _ = kerasOrder(m)
	}
	for _, l := range t.layers {
		if inner, ok := nestedModel(l); ok {
			sub, err := treeOf(inner)
			if err != nil {
				return nil, errors.Wrapf(err, "nested model %s", inner.Name())
			}
			t.nested[l] = sub
		}
	}
	return t, nil
}

// kerasOrder orders a functional model's layers as Keras's map_graph
// does, and returns the model's nodes.
func kerasOrder(m *keras.Model) ([]layers.Layer, map[*layers.Node]bool) {
	isInput := map[*layers.Tensor]bool{}
	for _, t := range m.Inputs() {
		isInput[t] = true
	}
	finished := map[*layers.Node]bool{}
	index := map[layers.Layer]int{}
	var post []*layers.Node
	var visit func(t *layers.Tensor)
	visit = func(t *layers.Tensor) {
		n := t.Node()
		if n == nil || finished[n] {
			return
		}
		if _, ok := index[n.Layer()]; !ok {
			index[n.Layer()] = len(index)
		}
		if !isInput[t] {
			for _, in := range n.Inputs() {
				visit(in)
			}
		}
		finished[n] = true
		post = append(post, n)
	}
	for _, t := range m.Outputs() {
		visit(t)
	}
	nodeDepth := map[*layers.Node]int{}
	layerDepth := map[layers.Layer]int{}
	for i := len(post) - 1; i >= 0; i-- {
		n := post[i]
		d := nodeDepth[n]
		if pd, ok := layerDepth[n.Layer()]; ok && pd > d {
			d = pd
		}
		layerDepth[n.Layer()] = d
		nodeDepth[n] = d
		if isInputNode(n, isInput) {
			continue
		}
		for _, in := range n.Inputs() {
			if p := in.Node(); p != nil && nodeDepth[p] < d+1 {
				nodeDepth[p] = d + 1
			}
		}
	}
	ls := make([]layers.Layer, 0, len(index))
	for l := range index {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool {
		if layerDepth[ls[i]] != layerDepth[ls[j]] {
			return layerDepth[ls[i]] > layerDepth[ls[j]]
		}
		return index[ls[i]] < index[ls[j]]
	})
	return ls, finished
}

func isInputNode(n *layers.Node, inputs map[*layers.Tensor]bool) bool {
	for _, o := range n.Outputs() {
		if inputs[o] {
			return true
		}
	}
	return false
}

// containerNames names a model's layers as saving_lib's
// _save_container_state does: snake_case of the class name, then _1, _2
// for repeats.
func containerNames(ls []layers.Layer) []string {
	used := map[string]int{}
	out := make([]string, len(ls))
	for i, l := range ls {
		n := layers.DefaultName(l.ClassName())
		if _, isInput := l.(*layers.InputLayer); isInput {
			n = "input_layer"
		}
		if c, ok := used[n]; ok {
			used[n] = c + 1
			out[i] = n + "_" + itoa(c+1)
		} else {
			used[n] = 0
			out[i] = n
		}
	}
	return out
}

// modelWriter serializes gokeras models in one dialect.
type modelWriter struct {
	dialect Dialect
	dtype   tensor.Dtype
}

func batchShape(s []int) []any { return shapeJSON(append([]int{-1}, s...)) }

// model serializes a model (top level or nested) as an entry.
func (w *modelWriter) model(t *tree) (ordered, error) {
	m := t.model
	var cfg ordered
	var class string
	var buildShape any
	if t.class == "Sequential" {
		class = "Sequential"
		ins := m.Inputs()
		if len(ins) != 1 {
			return nil, errors.Errorf("Sequential model %s has %d inputs", m.Name(), len(ins))
		}
		in := ins[0]
		var ls []any
		if w.dialect != TFJS {
			ls = append(ls, w.inputLayer(in))
		}
		for i, l := range t.layers {
			e, err := w.layer(t, l, nil)
			if err != nil {
				return nil, err
			}
			if i == 0 && w.dialect == TFJS {
				// TensorFlow.js's Sequential gives its first layer the
				// input's shape and dtype, as tfjs writes it.
				if kc, ok := findConfig(e); ok {
					kc.Set("batch_input_shape", batchShape(in.Shape()))
					kc.Set("dtype", inputDtypeName(in.Dtype(), w.dtype))
				}
			}
			ls = append(ls, e)
		}
		buildShape = batchShape(in.Shape())
		cfg = obj("name", m.Name(), "trainable", true)
		if w.dialect == Keras3 {
			cfg = append(cfg, kv{"dtype", policyTo(w.dtype, w.dialect)})
		}
		cfg = append(cfg, kv{"layers", ls})
		if w.dialect == Keras3 {
			cfg = append(cfg, kv{"build_input_shape", buildShape})
		}
	} else {
		class = "Functional"
		if w.dialect == TFJS {
			class = "Model"
		}
		_, nodes := kerasOrder(m)
		var ls []any
		for _, l := range t.layers {
			var e any
			var err error
			if il, ok := l.(*layers.InputLayer); ok {
				e = w.inputLayer(il.Output())
			} else {
				e, err = w.layer(t, l, nodes)
			}
			if err != nil {
				return nil, err
			}
			oe := e.(ordered)
			oe = append(oe, kv{"name", l.Name()})
			in, err := w.inboundNodes(t, l, nodes)
			if err != nil {
				return nil, err
			}
			oe = append(oe, kv{"inbound_nodes", in})
			ls = append(ls, oe)
		}
		ref := func(x *layers.Tensor) []any {
			return []any{x.Layer().Name(), w.nodeIndex(t, x, nodes), x.Index()}
		}
		var ins, outs []any
		for _, x := range m.Inputs() {
			ins = append(ins, ref(x))
		}
		for _, x := range m.Outputs() {
			outs = append(outs, ref(x))
		}
		cfg = obj("name", m.Name(), "trainable", true, "layers", ls, "input_layers", ins, "output_layers", outs)
	}
	switch w.dialect {
	case Keras3:
		e := obj("module", "keras", "class_name", class, "config", cfg, "registered_name", nil)
		if class == "Functional" {
			e = obj("module", "keras.src.models.functional", "class_name", class, "config", cfg, "registered_name", "Functional")
		}
		return append(e, kv{"build_config", obj("input_shape", buildShape)}), nil
	default:
		return obj("class_name", class, "config", cfg), nil
	}
}

func findConfig(e any) (*KerasConfig, bool) {
	o, ok := e.(ordered)
	if !ok {
		return nil, false
	}
	for _, p := range o {
		if p.k == "config" {
			kc, ok := p.v.(*KerasConfig)
			return kc, ok
		}
	}
	return nil, false
}

// inputLayer serializes the InputLayer of an input tensor.
func (w *modelWriter) inputLayer(in *layers.Tensor) ordered {
	name := in.Layer().Name()
	dt := inputDtypeName(in.Dtype(), w.dtype)
	switch w.dialect {
	case Keras3:
		cfg := obj("batch_shape", batchShape(in.Shape()), "dtype", dt, "sparse", false, "ragged", false, "name", name, "optional", false)
		return obj("module", "keras.layers", "class_name", "InputLayer", "config", cfg, "registered_name", nil)
	default:
		cfg := obj("batch_input_shape", batchShape(in.Shape()), "dtype", dt, "sparse", false, "name", name)
		return obj("class_name", "InputLayer", "config", cfg)
	}
}

// layer serializes one layer (or nested model) of t.
func (w *modelWriter) layer(t *tree, l layers.Layer, nodes map[*layers.Node]bool) (any, error) {
	if sub, ok := t.nested[l]; ok {
		e, err := w.model(sub)
		return e, errors.Wrapf(err, "nested model %s", l.Name())
	}
	e, err := layerEntry(w.dialect, l, policyTo(w.dtype, w.dialect), nil)
	if err != nil {
		return nil, err
	}
	if w.dialect != Keras3 {
		return e, nil
	}
	shapes := l.LayerBase().InputShapes()
	var bs any
	if len(shapes) == 1 {
		bs = batchShape(shapes[0])
	} else {
		var list []any
		for _, s := range shapes {
			list = append(list, batchShape(s))
		}
		bs = list
	}
	return append(e, kv{"build_config", obj("input_shape", bs)}), nil
}

// layerEntry serializes layer l as dialect writes one: Keras's base keys
// (name, trainable, dtype), its activity regularizer, the class's own
// keys written by write (nil: the ToKeras of its class's converter) and,
// for Keras 3, module and registered_name. Keras 3's build_config is the
// caller's.
func layerEntry(dialect Dialect, l layers.Layer, dtype any, write func(layers.Layer, *KerasConfig) error) (ordered, error) {
	class := l.ClassName()
	if write == nil {
		conv, ok := converterFor(class)
		if !ok || conv.ToKeras == nil {
			return nil, errors.Errorf("layer %s: gokeras has no converter that writes layer class %s to Keras's format (add one with interop.RegisterConverter)", l.Name(), class)
		}
		write = conv.ToKeras
	}
	kc := newKerasConfig(dialect)
	b := l.LayerBase()
	kc.Set("name", l.Name())
	kc.Set("trainable", b.Trainable())
	kc.Set("dtype", dtype)
	if r := b.ActivityRegularizer(); r != nil {
		kc.SetRegularizer("activity_regularizer", r)
	}
	if err := write(l, kc); err != nil {
		return nil, errors.Wrapf(err, "layer %s (%s)", l.Name(), class)
	}
	if kc.err != nil {
		return nil, errors.Wrapf(kc.err, "layer %s (%s)", l.Name(), class)
	}
	if dialect != Keras3 {
		return obj("class_name", class, "config", kc), nil
	}
	module, registered := any("keras.layers"), any(nil)
	if !builtins[class] {
		module, registered = nil, class
	}
	return obj("module", module, "class_name", class, "config", kc, "registered_name", registered), nil
}

// nodeIndex is the index a configuration gives the node producing x:
// among the producer's nodes that belong to this model, counting the
// first node a nested model's configuration leaves out (see
// skipsFirstNode).
func (w *modelWriter) nodeIndex(t *tree, x *layers.Tensor, nodes map[*layers.Node]bool) int {
	p := x.Layer()
	i := 0
	for _, n := range p.LayerBase().Nodes() {
		if n == x.Node() {
			break
		}
		if nodes[n] {
			i++
		}
	}
	if sub, ok := t.nested[p]; ok {
		if w.dialect != Keras3 || sub.class == "Functional" {
			i++
		}
	}
	return i
}

func (w *modelWriter) tensorDtype(x *layers.Tensor) string {
	return inputDtypeName(x.Dtype(), w.dtype)
}

// inboundNodes serializes the applications of l that belong to the model.
func (w *modelWriter) inboundNodes(t *tree, l layers.Layer, nodes map[*layers.Node]bool) ([]any, error) {
	out := []any{}
	for _, n := range l.LayerBase().Nodes() {
		if !nodes[n] || len(n.Inputs()) == 0 {
			continue
		}
		ins := n.Inputs()
		switch w.dialect {
		case Keras3:
			var args []any
			for _, x := range ins {
				args = append(args, obj("class_name", "__keras_tensor__", "config", obj(
					"shape", batchShape(x.Shape()), "dtype", w.tensorDtype(x),
					"keras_history", []any{x.Layer().Name(), w.nodeIndex(t, x, nodes), x.Index()})))
			}
			var arg any = args
			if len(args) == 1 {
				arg = args[0]
			}
			out = append(out, obj("args", []any{arg}, "kwargs", obj()))
		default:
			var refs []any
			for _, x := range ins {
				refs = append(refs, []any{x.Layer().Name(), w.nodeIndex(t, x, nodes), x.Index(), obj()})
			}
			out = append(out, refs)
		}
	}
	return out, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
