package interop

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// entry is one serialized layer or model: Keras 3's {"module",
// "class_name", "config", "registered_name", "build_config",
// "compile_config"} or Keras 2's {"class_name", "config"}; in a functional
// model's layer list also "name" and "inbound_nodes".
type entry struct {
	Module         string          `json:"module"`
	ClassName      string          `json:"class_name"`
	Config         json.RawMessage `json:"config"`
	RegisteredName *string         `json:"registered_name"`
	BuildConfig    json.RawMessage `json:"build_config"`
	CompileConfig  json.RawMessage `json:"compile_config"`
	Name           string          `json:"name"`
	InboundNodes   json.RawMessage `json:"inbound_nodes"`
}

func (e entry) registered() string {
	if e.RegisteredName != nil {
		return *e.RegisteredName
	}
	return ""
}

// Bounds on what a configuration may declare.
const (
	maxLayers    = 1 << 16 // layers in one file, nested models' included
	maxNesting   = 32      // models within models
	maxJSONBytes = 64 << 20
)

// tree is a model as Keras sees it: its layers in Keras's order
// (model.layers: a Sequential model's without its InputLayer), with the
// trees of nested models. Weight paths and orders follow it.
type tree struct {
	model  *keras.Model
	class  string // "Sequential" or "Functional"
	layers []layers.Layer
	nested map[layers.Layer]*tree
}

// reader rebuilds gokeras models from Keras configurations.
type reader struct {
	dialect Dialect
	version string
	ctx     *layers.BuildContext // bounds every weight the configuration declares
	dtype   tensor.Dtype         // the model's dtype (zero: from the file, float32 by default)
	count   int                  // layers made so far
	depth   int
}

func isModelClass(class string) bool {
	return class == "Sequential" || class == "Functional" || class == "Model"
}

// model rebuilds a (possibly nested) Sequential or functional model.
func (r *reader) model(e entry) (*keras.Model, *tree, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxNesting {
		return nil, nil, errors.Errorf("models are nested more than %d deep", maxNesting)
	}
	switch e.ClassName {
	case "Sequential":
		return r.sequential(e)
	case "Functional", "Model":
		return r.functional(e)
	}
	return nil, nil, errors.Errorf("model class %s is not a Sequential or functional model (subclassed models have no configuration gokeras can rebuild)", e.ClassName)
}

// layer builds one layer of a model: a nested model or a converted layer.
func (r *reader) layer(e entry, name string) (layers.Layer, *tree, error) {
	r.count++
	if r.count > maxLayers {
		return nil, nil, errors.Errorf("the configuration declares more than %d layers", maxLayers)
	}
	if e.ClassName == "" {
		return nil, nil, errors.New("a layer has no class_name")
	}
	if isModelClass(e.ClassName) {
		m, t, err := r.model(e)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "nested model %s", firstNonEmpty(name, json.RawMessage(`"`+e.ClassName+`"`)))
		}
		return m.AsLayer(), t, nil
	}
	class := e.ClassName
	conv, ok := converterFor(class)
	if !ok && e.registered() != "" {
		conv, ok = converterFor(e.registered())
	}
	if !ok {
		return nil, nil, unknownClass(class, e.registered())
	}
	c, err := newLayerConfig(class, e.Config, r.dialect, r.version)
	if err != nil {
		return nil, nil, err
	}
	c.Module, c.RegisteredName = e.Module, e.registered()
	if dt, err := policyOf(c.fields["dtype"]); err == nil && dt != (tensor.Dtype{}) && r.dtype == (tensor.Dtype{}) && class != "InputLayer" {
		r.dtype = dt
	}
	l, err := convertLayer(conv, c)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "layer %s (%s)", firstNonEmpty(name, c.fields["name"]), class)
	}
	return l, nil, nil
}

func firstNonEmpty(name string, raw json.RawMessage) string {
	if name != "" {
		return name
	}
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return s
	}
	return "?"
}

func (r *reader) modelDtype() tensor.Dtype {
	if r.dtype == (tensor.Dtype{}) {
		return tensor.Float32
	}
	return r.dtype
}

// sequential rebuilds a Sequential model. Keras 3 lists its InputLayer
// first; Keras 2 files may instead give the first layer a
// batch_input_shape, or the model a build_input_shape.
func (r *reader) sequential(e entry) (*keras.Model, *tree, error) {
	var cfg struct {
		Name            string            `json:"name"`
		Layers          []json.RawMessage `json:"layers"`
		BuildInputShape json.RawMessage   `json:"build_input_shape"`
		Trainable       *bool             `json:"trainable"`
		Dtype           json.RawMessage   `json:"dtype"`
	}
	raw := bytes.TrimSpace(e.Config)
	if len(raw) > 0 && raw[0] == '[' {
		// Keras 1 and early Keras 2: the config is the list of layers.
		if err := json.Unmarshal(raw, &cfg.Layers); err != nil {
			return nil, nil, errors.Wrap(err, "Sequential config")
		}
	} else if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, nil, errors.Wrap(err, "Sequential config")
	}
	if dt, err := policyOf(cfg.Dtype); err != nil {
		return nil, nil, errors.Wrapf(err, "Sequential %s", cfg.Name)
	} else if dt != (tensor.Dtype{}) && r.dtype == (tensor.Dtype{}) {
		r.dtype = dt
	}
	if len(cfg.Layers) == 0 {
		return nil, nil, errors.Errorf("Sequential model %s has no layers", cfg.Name)
	}
	var ls []layers.Layer
	t := &tree{class: "Sequential", nested: map[layers.Layer]*tree{}}
	var firstShape []int
	for i, raw := range cfg.Layers {
		var le entry
		if err := json.Unmarshal(raw, &le); err != nil {
			return nil, nil, errors.Wrapf(err, "Sequential %s: layer %d", cfg.Name, i)
		}
		if i == 0 && le.ClassName != "InputLayer" {
			var fc struct {
				BatchInputShape json.RawMessage `json:"batch_input_shape"`
				InputShape      json.RawMessage `json:"input_shape"`
			}
			_ = json.Unmarshal(le.Config, &fc)
			if s, err := shapeFrom(fc.BatchInputShape, true); err == nil && s != nil {
				firstShape = s
			} else if s, err := shapeFrom(fc.InputShape, false); err == nil && s != nil {
				firstShape = s
			}
		}
		l, sub, err := r.layer(le, "")
		if err != nil {
			return nil, nil, errors.Wrapf(err, "Sequential %s", cfg.Name)
		}
		if sub != nil {
			t.nested[l] = sub
		}
		ls = append(ls, l)
		if _, isInput := l.(*layers.InputLayer); !isInput {
			t.layers = append(t.layers, l)
		} else if i != 0 {
			return nil, nil, errors.Errorf("Sequential %s: layer %d is an InputLayer; only the first may be", cfg.Name, i)
		}
	}
	if _, isInput := ls[0].(*layers.InputLayer); !isInput {
		shape := firstShape
		if shape == nil {
			s, err := shapeFrom(cfg.BuildInputShape, true)
			if err != nil {
				return nil, nil, errors.Wrapf(err, "Sequential %s: build_input_shape", cfg.Name)
			}
			shape = s
		}
		if shape == nil {
			return nil, nil, errors.Errorf("Sequential model %s declares no input shape (it was saved before it was built)", cfg.Name)
		}
		in := layers.Input(shape...)
		if err := in.Err(); err != nil {
			return nil, nil, errors.Wrapf(err, "Sequential %s: input shape", cfg.Name)
		}
		ls = append([]layers.Layer{in}, ls...)
	}
	// Build the layers now, against the file's bound, so that a damaged
	// configuration fails before anything is allocated; the model then
	// finds them built.
	il := ls[0].(*layers.InputLayer)
	x := layers.NewInput(il, il.Dtype())
	for _, l := range ls[1:] {
		outs := layers.ApplyLayer(r.ctx, l, x)
		if len(outs) != 1 {
			return nil, nil, errors.Errorf("Sequential %s: layer %s has %d outputs", cfg.Name, l.Name(), len(outs))
		}
		if err := outs[0].Err(); err != nil {
			return nil, nil, errors.Wrapf(err, "Sequential %s", cfg.Name)
		}
		l.LayerBase().RemoveNode(outs[0].Node())
		x = outs[0]
	}
	m := keras.Sequential(ls...)
	if cfg.Name != "" {
		m.SetName(cfg.Name)
	}
	if cfg.Trainable != nil && !*cfg.Trainable {
		freeze(t)
	}
	t.model = m
	return m, t, nil
}

// freeze makes every layer of a tree non-trainable (Keras: model.trainable
// = False).
func freeze(t *tree) {
	for _, l := range t.layers {
		if sub, ok := t.nested[l]; ok {
			freeze(sub)
			continue
		}
		l.LayerBase().SetTrainable(false)
	}
}

// shapeFrom decodes a shape; batch says it includes the batch axis, which
// is dropped.
func shapeFrom(raw json.RawMessage, batch bool) ([]int, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	s, err := intsOf(raw, true)
	if err != nil {
		return nil, err
	}
	if batch {
		if len(s) < 2 {
			return nil, errors.Errorf("batch shape %v has no sample axes", s)
		}
		return s[1:], nil
	}
	return s, nil
}

// ref is a reference to a tensor of a functional model: an application
// (node) of a layer and one of its outputs.
type ref struct {
	layer  string
	node   int
	tensor int
}

func (x ref) String() string { return fmt.Sprintf("[%s, %d, %d]", x.layer, x.node, x.tensor) }

// call is one inbound node: the tensors a layer was applied to.
type call struct{ refs []ref }

// parseCalls decodes a layer's inbound_nodes in Keras 3's
// {"args": [...], "kwargs": {...}} form or Keras 2's
// [[layer, node, tensor, kwargs], ...] form.
func parseCalls(raw json.RawMessage) ([]call, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var nodes []json.RawMessage
	if err := json.Unmarshal(raw, &nodes); err != nil {
		return nil, errors.Errorf("inbound_nodes %s is not a list", truncate(raw))
	}
	var out []call
	for _, n := range nodes {
		n = bytes.TrimSpace(n)
		if len(n) == 0 {
			continue
		}
		if n[0] == '{' {
			c, err := parseKeras3Call(n)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(n, &items); err != nil {
			return nil, errors.Errorf("inbound node %s is neither {args, kwargs} nor a list", truncate(n))
		}
		var c call
		for _, it := range items {
			var parts []json.RawMessage
			if err := json.Unmarshal(it, &parts); err != nil || len(parts) < 3 || len(parts) > 4 {
				return nil, errors.Errorf("inbound node entry %s is not [layer, node, tensor, kwargs]", truncate(it))
			}
			x, err := parseRef(parts[:3])
			if err != nil {
				return nil, err
			}
			if len(parts) == 4 {
				if err := checkKwargs(parts[3]); err != nil {
					return nil, err
				}
			}
			c.refs = append(c.refs, x)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseRef(parts []json.RawMessage) (ref, error) {
	var x ref
	if len(parts) != 3 {
		return x, errors.Errorf("a tensor reference has %d parts, want [layer, node, tensor]", len(parts))
	}
	if err := json.Unmarshal(parts[0], &x.layer); err != nil || x.layer == "" {
		return x, errors.Errorf("tensor reference: layer %s is not a name", truncate(parts[0]))
	}
	for i, dst := range []*int{&x.node, &x.tensor} {
		var f float64
		if err := json.Unmarshal(parts[i+1], &f); err != nil || f < 0 || f != float64(int(f)) || f > 1<<20 {
			return x, errors.Errorf("tensor reference to %s: index %s is not a small non-negative integer", x.layer, truncate(parts[i+1]))
		}
		*dst = int(f)
	}
	return x, nil
}

// checkKwargs accepts call keyword arguments that change nothing gokeras
// does: none, or only null/false values (mask=None, training=False).
func checkKwargs(raw json.RawMessage) error {
	if raw == nil || isNull(raw) {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return errors.Errorf("call keyword arguments %s are not an object", truncate(raw))
	}
	for k, v := range m {
		if !trivial(v) {
			return errors.Errorf("call keyword argument %s = %s is not supported by gokeras", k, truncate(v))
		}
	}
	return nil
}

func parseKeras3Call(raw json.RawMessage) (call, error) {
	var n struct {
		Args   []json.RawMessage `json:"args"`
		Kwargs json.RawMessage   `json:"kwargs"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		return call{}, errors.Errorf("inbound node %s: %v", truncate(raw), err)
	}
	if err := checkKwargs(n.Kwargs); err != nil {
		return call{}, err
	}
	if len(n.Args) == 0 {
		return call{}, errors.Errorf("inbound node %s has no arguments", truncate(raw))
	}
	for _, extra := range n.Args[1:] {
		if !trivial(extra) {
			return call{}, errors.Errorf("inbound node %s: a second positional argument is not supported by gokeras", truncate(raw))
		}
	}
	var c call
	var add func(raw json.RawMessage, depth int) error
	add = func(raw json.RawMessage, depth int) error {
		raw = bytes.TrimSpace(raw)
		if depth > 2 {
			return errors.New("inbound node: nested tensor structures are not supported")
		}
		if len(raw) > 0 && raw[0] == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return err
			}
			for _, it := range items {
				if err := add(it, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		var kt struct {
			ClassName string `json:"class_name"`
			Config    struct {
				KerasHistory []json.RawMessage `json:"keras_history"`
			} `json:"config"`
		}
		if err := json.Unmarshal(raw, &kt); err != nil || kt.ClassName != "__keras_tensor__" {
			return errors.Errorf("inbound node argument %s is not a Keras tensor", truncate(raw))
		}
		x, err := parseRef(kt.Config.KerasHistory)
		if err != nil {
			return err
		}
		c.refs = append(c.refs, x)
		return nil
	}
	if err := add(n.Args[0], 0); err != nil {
		return call{}, err
	}
	return c, nil
}

// parseRefs decodes input_layers/output_layers: one [layer, node, tensor],
// a list of them, or a dict of them (by key order of the file).
func parseRefs(raw json.RawMessage) ([]ref, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	if raw[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(raw))
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		var out []ref
		for dec.More() {
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			rs, err := parseRefs(v)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.Errorf("%s is not a list of tensor references", truncate(raw))
	}
	if len(items) == 3 {
		var name string
		if json.Unmarshal(items[0], &name) == nil {
			x, err := parseRef(items)
			if err != nil {
				return nil, err
			}
			return []ref{x}, nil
		}
	}
	var out []ref
	for _, it := range items {
		rs, err := parseRefs(it)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// functional rebuilds a functional model: every layer, then every
// inbound node once the tensors it reads exist (Keras's
// functional_from_config).
func (r *reader) functional(e entry) (*keras.Model, *tree, error) {
	var cfg struct {
		Name         string          `json:"name"`
		Trainable    *bool           `json:"trainable"`
		Layers       []entry         `json:"layers"`
		InputLayers  json.RawMessage `json:"input_layers"`
		OutputLayers json.RawMessage `json:"output_layers"`
	}
	if err := json.Unmarshal(e.Config, &cfg); err != nil {
		return nil, nil, errors.Wrap(err, "functional model config")
	}
	if len(cfg.Layers) == 0 {
		return nil, nil, errors.Errorf("functional model %s has no layers", cfg.Name)
	}
	where := "functional model " + cfg.Name
	t := &tree{class: "Functional", nested: map[layers.Layer]*tree{}}
	ls := make([]layers.Layer, len(cfg.Layers))
	byName := map[string]int{}
	calls := make([][]call, len(cfg.Layers))
	for i, le := range cfg.Layers {
		name := le.Name
		l, sub, err := r.layer(le, name)
		if err != nil {
			return nil, nil, errors.Wrap(err, where)
		}
		if name == "" {
			name = l.Name()
		}
		if name == "" {
			return nil, nil, errors.Errorf("%s: layer %d (%s) has no name", where, i, le.ClassName)
		}
		if l.Name() != name {
			l.SetName(name)
		}
		if _, dup := byName[name]; dup {
			return nil, nil, errors.Errorf("%s: two layers are named %q", where, name)
		}
		byName[name] = i
		ls[i] = l
		if sub != nil {
			t.nested[l] = sub
		}
		t.layers = append(t.layers, l)
		cs, err := parseCalls(le.InboundNodes)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "%s: layer %s", where, name)
		}
		calls[i] = cs
	}
	produced := make([][][]*layers.Tensor, len(ls))
	for i, l := range ls {
		if il, ok := l.(*layers.InputLayer); ok {
			produced[i] = [][]*layers.Tensor{{layers.NewInput(il, il.Dtype())}}
		}
	}
	resolve := func(x ref) (*layers.Tensor, bool, error) {
		i, ok := byName[x.layer]
		if !ok {
			return nil, false, errors.Errorf("a tensor reference names layer %q, which the model does not have", x.layer)
		}
		n := x.node
		if sub, nested := t.nested[ls[i]]; nested && n > 0 && r.skipsFirstNode(sub) {
			n--
		}
		if n >= len(produced[i]) {
			return nil, false, nil
		}
		outs := produced[i][n]
		if x.tensor >= len(outs) {
			return nil, false, errors.Errorf("tensor reference %v: layer %s has %d outputs", x, x.layer, len(outs))
		}
		return outs[x.tensor], true, nil
	}
	next := make([]int, len(ls))
	pending := 0
	for _, cs := range calls {
		pending += len(cs)
	}
	for pending > 0 {
		progress := false
		for i := range ls {
			for next[i] < len(calls[i]) {
				c := calls[i][next[i]]
				ins := make([]*layers.Tensor, len(c.refs))
				ready := true
				for k, x := range c.refs {
					tt, ok, err := resolve(x)
					if err != nil {
						return nil, nil, errors.Wrapf(err, "%s: layer %s", where, ls[i].Name())
					}
					if !ok {
						ready = false
						break
					}
					ins[k] = tt
				}
				if !ready {
					break
				}
				if len(ins) == 0 {
					return nil, nil, errors.Errorf("%s: layer %s is applied to no tensors", where, ls[i].Name())
				}
				outs := layers.ApplyLayer(r.ctx, ls[i], ins...)
				if err := outs[0].Err(); err != nil {
					return nil, nil, errors.Wrap(err, where)
				}
				produced[i] = append(produced[i], outs)
				next[i]++
				pending--
				progress = true
			}
		}
		if !progress {
			for i := range ls {
				if next[i] < len(calls[i]) {
					return nil, nil, errors.Errorf("%s: the inbound nodes of layer %s cannot be resolved (a cycle, or a reference to a node that does not exist): %v",
						where, ls[i].Name(), calls[i][next[i]].refs)
				}
			}
		}
	}
	tensors := func(what string, raw json.RawMessage) ([]*layers.Tensor, error) {
		rs, err := parseRefs(raw)
		if err != nil {
			return nil, errors.Wrapf(err, "%s: %s", where, what)
		}
		var out []*layers.Tensor
		for _, x := range rs {
			tt, ok, err := resolve(x)
			if err != nil {
				return nil, errors.Wrapf(err, "%s: %s", where, what)
			}
			if !ok {
				return nil, errors.Errorf("%s: %s: %v does not exist", where, what, x)
			}
			out = append(out, tt)
		}
		if len(out) == 0 {
			return nil, errors.Errorf("%s: no %s", where, what)
		}
		return out, nil
	}
	inputs, err := tensors("input_layers", cfg.InputLayers)
	if err != nil {
		return nil, nil, err
	}
	outputs, err := tensors("output_layers", cfg.OutputLayers)
	if err != nil {
		return nil, nil, err
	}
	opts := []keras.ModelOption{}
	if cfg.Name != "" {
		opts = append(opts, keras.ModelName(cfg.Name))
	}
	m, err := keras.NewModel(inputs, outputs, opts...)
	if err != nil {
		return nil, nil, errors.Wrap(err, where)
	}
	if cfg.Trainable != nil && !*cfg.Trainable {
		freeze(t)
	}
	t.model = m
	return m, t, nil
}

// skipsFirstNode reports whether references to a nested model count a
// first, pre-existing node that the configuration leaves out: Keras 3
// does so for Functional models (not Sequential ones); Keras 2 and
// TensorFlow.js for every model built on an input (functional.py
// get_config, tf.keras's _should_skip_first_node, tfjs's
// buildNodeConversionMap).
func (r *reader) skipsFirstNode(t *tree) bool {
	if r.dialect == Keras3 {
		return t.class == "Functional"
	}
	return true
}
