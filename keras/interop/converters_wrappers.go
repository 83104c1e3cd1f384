package interop

import (
	"encoding/json"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the wrappers Bidirectional and TimeDistributed (Keras
// 3 keras/src/layers/rnn/bidirectional.py, time_distributed.py): a nested
// serialized layer under "layer" (Bidirectional also merge_mode, default
// "concat", null for no merge, and an optional backward_layer).
//
// Keras 3 writes Bidirectional's forward layer as "layer" (named
// "forward_<name>") and always writes backward_layer; Keras 2 and
// TensorFlow.js write the layer as it was given (named "<name>", and Keras
// 2 writes backward_layer only when one was given; TensorFlow.js has no
// backward_layer). gokeras reads all three and writes each dialect's
// form. The weights are the forward layer's, then the backward layer's;
// Keras 3 keeps them in "forward_layer/cell" and "backward_layer/cell",
// TensorFlow.js names them "<bidirectional>/forward_<name>/kernel".
// Keras's Bidirectional gives zeros at masked steps when it returns
// sequences (it forces zero_output_for_mask), and so does gokeras;
// TensorFlow.js's repeats the previous output there, so a masked
// Bidirectional sequence that reaches a model's output without a layer
// that skips masked steps predicts differently at those steps in tfjs.
//
// TimeDistributed's weights are its layer's, converted by its layer's
// converter (Keras 3: under "layer"; TensorFlow.js:
// "<time_distributed>/kernel").

func init() {
	builtin("Bidirectional", Converter{FromKeras: bidirectionalFrom, ToKeras: bidirectionalTo,
		WeightNames: bidirectionalWeightNames, Keras3Vars: bidirectionalVars})
	builtin("TimeDistributed", Converter{FromKeras: timeDistributedFrom, ToKeras: timeDistributedTo,
		WeightNames: timeDistributedWeightNames, Keras3Vars: timeDistributedVars,
		ImportWeights: timeDistributedImport, ExportWeights: timeDistributedExport})
}

// nestedLayer converts the serialized layer a wrapper's key holds, with
// its class's converter, in the wrapper's dialect.
func nestedLayer(c *LayerConfig, key string) (layers.Layer, error) {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil, errors.Errorf("config key %s: %s has no layer to wrap", key, c.ClassName)
	}
	var e entry
	if err := json.Unmarshal(raw, &e); err != nil || e.ClassName == "" {
		return nil, errors.Errorf("config key %s: %s is not a serialized layer {class_name, config}", key, truncate(raw))
	}
	if isModelClass(e.ClassName) {
		return nil, errors.Errorf("config key %s: %s wrapping a model (%s) is not supported by gokeras; wrap its layers", key, c.ClassName, e.ClassName)
	}
	conv, ok := converterFor(e.ClassName)
	if !ok && e.registered() != "" {
		conv, ok = converterFor(e.registered())
	}
	if !ok {
		return nil, errors.Wrapf(unknownClass(e.ClassName, e.registered()), "config key %s", key)
	}
	nc, err := newLayerConfig(e.ClassName, e.Config, c.Dialect, c.KerasVersion)
	if err != nil {
		return nil, errors.Wrapf(err, "config key %s", key)
	}
	nc.Module, nc.RegisteredName = e.Module, e.registered()
	if nc.depth = c.depth + 1; nc.depth > maxNesting {
		return nil, errors.Errorf("config key %s: layers are wrapped more than %d deep", key, maxNesting)
	}
	l, err := convertLayer(conv, nc)
	if err != nil {
		return nil, errors.Wrapf(err, "config key %s: layer %s (%s)", key, firstNonEmpty("", nc.fields["name"]), e.ClassName)
	}
	return l, nil
}

// nestedEntry serializes a wrapped layer as the dialect nests it, with the
// wrapper's dtype, its config written by write (nil: the converter of its
// class).
func nestedEntry(w *KerasConfig, l layers.Layer, write func(layers.Layer, *KerasConfig) error) (any, error) {
	e, err := layerEntry(w.dialect, l, w.vals["dtype"], write)
	if err != nil {
		return nil, err
	}
	if w.dialect != Keras3 {
		return e, nil
	}
	if shapes := l.LayerBase().InputShapes(); len(shapes) == 1 {
		e = append(e, kv{"build_config", obj("input_shape", batchShape(shapes[0]))})
	}
	return e, nil
}

// innerConverter returns the converter of a wrapped layer (the zero
// Converter, which keeps gokeras's names and layout, for a class without
// one).
func innerConverter(l layers.Layer) Converter {
	conv, _ := converterFor(l.ClassName())
	return conv
}

// innerVars returns where Keras 3 keeps a wrapped layer's weights, below
// prefix.
func innerVars(l layers.Layer, prefix string) []string {
	conv := innerConverter(l)
	n := len(kerasWeightNames(conv, l))
	var rel []string
	if conv.Keras3Vars != nil {
		rel = conv.Keras3Vars(l)
	} else {
		rel = make([]string, n)
	}
	out := make([]string, len(rel))
	for i, p := range rel {
		out[i] = joinVarPath(prefix, p)
	}
	return out
}

func bidirectionalFrom(c *LayerConfig) (layers.Layer, error) {
	opts := []layers.BidirectionalOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	recurrent := func(key string) *layers.RecurrentLayer {
		l, err := nestedLayer(c, key)
		if err != nil {
			c.Fail("", err)
			return nil
		}
		r, ok := l.(*layers.RecurrentLayer)
		if !ok {
			c.Fail(key, errors.Errorf("Bidirectional wraps a SimpleRNN, LSTM or GRU in gokeras, not a %s", l.ClassName()))
			return nil
		}
		return r
	}
	forward := recurrent("layer")
	if c.Has("backward_layer") {
		if b := recurrent("backward_layer"); b != nil {
			opts = append(opts, layers.BackwardLayer(b))
		}
	} else {
		c.Ignore("backward_layer")
	}
	switch raw := c.Raw("merge_mode"); {
	case raw == nil:
	case isNull(raw):
		opts = append(opts, layers.MergeMode("none"))
	default:
		mode := c.String("merge_mode", "concat")
		if mode == "none" {
			c.Fail("merge_mode", errors.New(`"none" is not a Keras merge mode (Keras writes null for no merge)`))
		}
		opts = append(opts, layers.MergeMode(mode))
	}
	if c.Int("num_constants", 0) != 0 {
		c.Fail("num_constants", errors.New("Bidirectional with constants is not supported by gokeras"))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Bidirectional(forward, opts...), nil
}

// defaultBackward reports whether b is the backward layer Bidirectional
// makes from f: the same configuration but for the name
// ("backward_<name>" against "forward_<name>") and go_backwards.
func defaultBackward(f, b *layers.RecurrentLayer) bool {
	if f.ClassName() != b.ClassName() || f.GoesBackwards() == b.GoesBackwards() {
		return false
	}
	if strings.TrimPrefix(f.Name(), "forward_") != strings.TrimPrefix(b.Name(), "backward_") {
		return false
	}
	norm := func(l *layers.RecurrentLayer) string {
		c, ok := l.Config().(layers.RecurrentConfig)
		if !ok {
			return ""
		}
		c.Name, c.GoBackwards = "", false
		raw, err := json.Marshal(c)
		if err != nil {
			return ""
		}
		return string(raw)
	}
	nf := norm(f)
	return nf != "" && nf == norm(b)
}

func bidirectionalTo(l layers.Layer, w *KerasConfig) error {
	b, ok := l.(*layers.BidirectionalLayer)
	if !ok {
		return errors.Errorf("the Bidirectional converter got a %T", l)
	}
	f, bw := b.ForwardLayer(), b.BackwardLayer()
	if f == nil || bw == nil {
		return errors.New("Bidirectional has no layer")
	}
	var mode any = b.MergeMode()
	if b.MergeMode() == "none" {
		mode = nil
	}
	wrapped := func(l layers.Layer, kc *KerasConfig) error { return recurrentTo(l, kc, true) }
	if w.Dialect() == Keras3 {
		w.Set("merge_mode", mode)
		fe, err := nestedEntry(w, f, wrapped)
		if err != nil {
			return errors.Wrap(err, "layer")
		}
		be, err := nestedEntry(w, bw, wrapped)
		if err != nil {
			return errors.Wrap(err, "backward_layer")
		}
		w.Set("layer", fe)
		w.Set("backward_layer", be)
		return nil
	}
	// Keras 2 and TensorFlow.js write the layer as given: without the
	// forward_ prefix Bidirectional adds.
	original := func(l layers.Layer, kc *KerasConfig) error {
		if err := recurrentTo(l, kc, true); err != nil {
			return err
		}
		kc.Set("name", strings.TrimPrefix(l.Name(), "forward_"))
		return nil
	}
	fe, err := nestedEntry(w, f, original)
	if err != nil {
		return errors.Wrap(err, "layer")
	}
	w.Set("layer", fe)
	w.Set("merge_mode", mode)
	if !defaultBackward(f, bw) {
		if w.Dialect() == TFJS {
			return errors.Errorf("a Bidirectional backward_layer (%s) other than the forward layer's copy has no TensorFlow.js equivalent", bw.Name())
		}
		be, err := nestedEntry(w, bw, wrapped)
		if err != nil {
			return errors.Wrap(err, "backward_layer")
		}
		w.Set("backward_layer", be)
	}
	return nil
}

func bidirectionalParts(l layers.Layer) (*layers.RecurrentLayer, *layers.RecurrentLayer, bool) {
	b, ok := l.(*layers.BidirectionalLayer)
	if !ok || b.ForwardLayer() == nil || b.BackwardLayer() == nil {
		return nil, nil, false
	}
	return b.ForwardLayer(), b.BackwardLayer(), true
}

// bidirectionalWeightNames names the weights "<forward>/<weight>", then
// "<backward>/<weight>" (TensorFlow.js's names below the wrapper's).
func bidirectionalWeightNames(l layers.Layer) []string {
	f, b, ok := bidirectionalParts(l)
	if !ok {
		return l.LayerBase().WeightNames()
	}
	var out []string
	for _, r := range []*layers.RecurrentLayer{f, b} {
		for _, n := range kerasWeightNames(innerConverter(r), r) {
			out = append(out, r.Name()+"/"+n)
		}
	}
	return out
}

func bidirectionalVars(l layers.Layer) []string {
	f, b, ok := bidirectionalParts(l)
	if !ok {
		return make([]string, len(l.LayerBase().WeightNames()))
	}
	return append(innerVars(f, "forward_layer"), innerVars(b, "backward_layer")...)
}

func timeDistributedFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	inner, err := nestedLayer(c, "layer")
	if err != nil {
		c.Fail("", err)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.TimeDistributed(inner, opts...), nil
}

func timeDistributedTo(l layers.Layer, w *KerasConfig) error {
	td, ok := l.(*layers.TimeDistributedLayer)
	if !ok || td.Layer() == nil {
		return errors.Errorf("the TimeDistributed converter got a %T without a layer", l)
	}
	e, err := nestedEntry(w, td.Layer(), nil)
	if err != nil {
		return errors.Wrap(err, "layer")
	}
	w.Set("layer", e)
	return nil
}

func tdInner(l layers.Layer) (layers.Layer, bool) {
	td, ok := l.(*layers.TimeDistributedLayer)
	if !ok || td.Layer() == nil {
		return nil, false
	}
	return td.Layer(), true
}

// timeDistributedWeightNames gives the wrapped layer's Keras names
// (TensorFlow.js names them below the wrapper: "<time_distributed>/kernel").
func timeDistributedWeightNames(l layers.Layer) []string {
	inner, ok := tdInner(l)
	if !ok {
		return l.LayerBase().WeightNames()
	}
	return kerasWeightNames(innerConverter(inner), inner)
}

func timeDistributedVars(l layers.Layer) []string {
	inner, ok := tdInner(l)
	if !ok {
		return make([]string, len(l.LayerBase().WeightNames()))
	}
	return innerVars(inner, "layer")
}

func timeDistributedImport(l layers.Layer, ws []Weight) ([]Weight, error) {
	inner, ok := tdInner(l)
	if !ok || innerConverter(inner).ImportWeights == nil {
		return ws, nil
	}
	return innerConverter(inner).ImportWeights(inner, ws)
}

func timeDistributedExport(l layers.Layer, ws []Weight) ([]Weight, error) {
	inner, ok := tdInner(l)
	if !ok || innerConverter(inner).ExportWeights == nil {
		return ws, nil
	}
	return innerConverter(inner).ExportWeights(inner, ws)
}
