package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// Dialect is the flavour of Keras configuration a file holds or a writer
// produces.
type Dialect int

const (
	// Keras3 is the config.json of a Keras 3 .keras archive: objects as
	// {"module", "class_name", "config", "registered_name"}, dtype policies,
	// inbound nodes as {"args", "kwargs"} with "__keras_tensor__" entries.
	Keras3 Dialect = iota
	// Keras2 is the model_config of a legacy (Keras 2, tf.keras) .h5 file:
	// objects as {"class_name", "config"}, dtypes as strings, inbound nodes
	// as [[layer, node, tensor, kwargs], ...].
	Keras2
	// TFJS is the modelTopology of a TensorFlow.js Layers model.json, which
	// follows Keras 2 (with tfjs's own defaults, such as hard_sigmoid
	// 0.2x + 0.5 and glorot_normal kernels).
	TFJS
)

// String returns the dialect's name: "Keras 3", "Keras 2" or "TensorFlow.js".
func (d Dialect) String() string {
	switch d {
	case Keras3:
		return "Keras 3"
	case Keras2:
		return "Keras 2"
	case TFJS:
		return "TensorFlow.js"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// LayerConfig is one layer's Keras configuration, as a Converter's
// FromKeras reads it. Its accessors take a Keras keyword and a default
// for when the key is absent (or null); a value of the wrong type, or one
// gokeras cannot represent, is recorded (the first error wins) and
// reported by Err, naming the key. After FromKeras, keys it did not read
// are checked: one holding anything but null, false, 0, "" or an empty
// list or object is an error ("config key noise_shape = [1, 4] is not
// supported"), so that no setting of the file is silently dropped.
type LayerConfig struct {
	// ClassName is the Keras class ("Dense").
	ClassName string
	// Module is the Keras 3 module ("keras.layers"); empty in other
	// dialects.
	Module string
	// RegisteredName is the Keras 3 registered_name of a custom class
	// ("my_package>MyLayer"); empty for built-in classes.
	RegisteredName string
	// Dialect is the configuration's flavour.
	Dialect Dialect
	// KerasVersion is the keras_version the file records (may be empty).
	KerasVersion string

	fields map[string]json.RawMessage
	used   map[string]bool
	err    error
	// depth counts the wrappers around the layer (nested layer configs).
	depth int
}

// newLayerConfig parses a layer's config object.
func newLayerConfig(class string, raw json.RawMessage, d Dialect, version string) (*LayerConfig, error) {
	c := &LayerConfig{ClassName: class, Dialect: d, KerasVersion: version, fields: map[string]json.RawMessage{}, used: map[string]bool{}}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return c, nil
	}
	if err := json.Unmarshal(raw, &c.fields); err != nil {
		return nil, errors.Errorf("the config of %s is not a JSON object: %v", class, err)
	}
	return c, nil
}

// Has reports whether the key is present and not null.
func (c *LayerConfig) Has(key string) bool {
	v, ok := c.fields[key]
	return ok && !isNull(v)
}

// Raw returns the key's JSON value (nil when absent) and marks it read.
func (c *LayerConfig) Raw(key string) json.RawMessage {
	c.used[key] = true
	return c.fields[key]
}

// Ignore marks keys as read without checking them: keys that carry no
// meaning for gokeras (a layer's dtype is the model's).
func (c *LayerConfig) Ignore(keys ...string) {
	for _, k := range keys {
		c.used[k] = true
	}
}

// Fail records err, wrapped with key, unless an error was recorded
// already.
func (c *LayerConfig) Fail(key string, err error) {
	if c.err == nil && err != nil {
		if key != "" {
			err = errors.Wrapf(err, "config key %s", key)
		}
		c.err = err
	}
}

func (c *LayerConfig) value(key string, into any) bool {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return false
	}
	if err := json.Unmarshal(raw, into); err != nil {
		c.Fail(key, errors.Errorf("%s: %v", truncate(raw), err))
		return false
	}
	return true
}

// Int returns an integer value (def when absent). A number with a
// fraction is an error.
func (c *LayerConfig) Int(key string, def int) int {
	var f float64
	if !c.value(key, &f) {
		return def
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		c.Fail(key, errors.Errorf("%v is not an integer", f))
		return def
	}
	return int(f)
}

// Float returns a number (def when absent).
func (c *LayerConfig) Float(key string, def float64) float64 {
	var f float64
	if !c.value(key, &f) {
		return def
	}
	return f
}

// Bool returns a boolean (def when absent).
func (c *LayerConfig) Bool(key string, def bool) bool {
	var b bool
	if !c.value(key, &b) {
		return def
	}
	return b
}

// String returns a string (def when absent).
func (c *LayerConfig) String(key string, def string) string {
	var s string
	if !c.value(key, &s) {
		return def
	}
	return s
}

// Ints returns an integer or a list of integers as a list (Keras's
// int-or-tuple arguments: kernel_size, strides, axes), nil when absent.
func (c *LayerConfig) Ints(key string) []int {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil
	}
	out, err := intsOf(raw, false)
	if err != nil {
		c.Fail(key, err)
		return nil
	}
	return out
}

// Shape returns a shape list whose null entries (Keras's None) become -1,
// nil when absent.
func (c *LayerConfig) Shape(key string) []int {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil
	}
	out, err := intsOf(raw, true)
	if err != nil {
		c.Fail(key, err)
		return nil
	}
	return out
}

// Expect checks that the key, when present, holds one of the allowed
// values (compared as JSON): for settings gokeras supports in one way
// only, such as data_format "channels_last".
func (c *LayerConfig) Expect(key string, allowed ...any) {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return
	}
	var got any
	if err := json.Unmarshal(raw, &got); err != nil {
		c.Fail(key, err)
		return
	}
	for _, a := range allowed {
		ab, _ := json.Marshal(a)
		var want any
		_ = json.Unmarshal(ab, &want)
		if fmt.Sprint(want) == fmt.Sprint(got) {
			return
		}
	}
	c.Fail(key, errors.Errorf("%s is not supported by gokeras (supported: %s)", truncate(raw), listValues(allowed)))
}

func listValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		b, _ := json.Marshal(v)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// Activation returns the activation a key names (linear when absent).
func (c *LayerConfig) Activation(key string) activations.Activation {
	raw := c.Raw(key)
	a, err := activationFrom(raw, c.Dialect, c.KerasVersion)
	if err != nil {
		c.Fail(key, err)
		return activations.Linear()
	}
	return a
}

// Initializer returns the initializer a key describes (def when absent).
func (c *LayerConfig) Initializer(key string, def initializers.Initializer) initializers.Initializer {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return def
	}
	i, err := initializerFrom(raw)
	if err != nil {
		c.Fail(key, err)
		return def
	}
	return i
}

// Regularizer returns the regularizer a key describes (nil when absent).
func (c *LayerConfig) Regularizer(key string) regularizers.Regularizer {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil
	}
	r, err := regularizerFrom(raw)
	if err != nil {
		c.Fail(key, err)
		return nil
	}
	return r
}

// Constraint returns the constraint a key describes (nil when absent).
func (c *LayerConfig) Constraint(key string) constraints.Constraint {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil
	}
	k, err := constraintFrom(raw)
	if err != nil {
		c.Fail(key, err)
		return nil
	}
	return k
}

// Name returns the layer's name ("" when absent).
func (c *LayerConfig) Name() string { return c.String("name", "") }

// Common returns the options every layer takes from the keys every Keras
// layer has: name, trainable and activity_regularizer. It also reads
// dtype (the model decides gokeras's dtype; a layer may not ask for
// another float type than float32 or float64, nor a mixed policy) and the
// input_shape and batch_input_shape keys a Keras 2 first layer carries
// (the model reader reads those).
func (c *LayerConfig) Common() []layers.Common {
	var opts []layers.Common
	if n := c.Name(); n != "" {
		opts = append(opts, layers.Name(n))
	}
	if !c.Bool("trainable", true) {
		opts = append(opts, layers.Trainable(false))
	}
	if r := c.Regularizer("activity_regularizer"); r != nil {
		opts = append(opts, layers.ActivityRegularizer(r))
	}
	if _, err := policyOf(c.Raw("dtype")); err != nil {
		c.Fail("dtype", err)
	}
	c.Ignore("batch_input_shape", "input_shape", "batch_size", "input_dtype")
	return opts
}

// Err returns the first error recorded, or, if none, an error naming the
// first key that no accessor read and that holds a setting.
func (c *LayerConfig) Err() error {
	if c.err != nil {
		return c.err
	}
	keys := make([]string, 0, len(c.fields))
	for k := range c.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if c.used[k] || trivial(c.fields[k]) {
			continue
		}
		return errors.Errorf("config key %s = %s is not supported by gokeras's %s converter", k, truncate(c.fields[k]), c.ClassName)
	}
	return nil
}

// trivial reports whether a JSON value holds no setting: null, false, 0,
// "", [] or {}.
func trivial(raw json.RawMessage) bool {
	s := string(bytes.TrimSpace(raw))
	switch s {
	case "null", "false", "0", `""`, "[]", "{}", "0.0":
		return true
	}
	return false
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func truncate(b []byte) string {
	const n = 120
	s := string(bytes.TrimSpace(b))
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// intsOf decodes an int or a list of ints; with nulls, null entries
// become -1.
func intsOf(raw json.RawMessage, nulls bool) ([]int, error) {
	var one float64
	if json.Unmarshal(raw, &one) == nil {
		if one != math.Trunc(one) || math.Abs(one) > 1<<53 {
			return nil, errors.Errorf("%s is not an integer", truncate(raw))
		}
		return []int{int(one)}, nil
	}
	var list []*float64
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.Errorf("%s is not an integer or a list of integers", truncate(raw))
	}
	if len(list) > 64 {
		return nil, errors.Errorf("a list of %d integers is longer than any gokeras shape", len(list))
	}
	out := make([]int, len(list))
	for i, p := range list {
		switch {
		case p == nil && nulls:
			out[i] = -1
		case p == nil:
			return nil, errors.Errorf("%s: entry %d is null", truncate(raw), i)
		case *p != math.Trunc(*p) || math.Abs(*p) > 1<<53:
			return nil, errors.Errorf("%s: entry %d is not an integer", truncate(raw), i)
		default:
			out[i] = int(*p)
		}
	}
	return out, nil
}

// KerasConfig is a layer's configuration being written, in the dialect
// of the target file. A Converter's ToKeras fills it; keys keep the order
// they are set in (Keras's own order, so that files read like Keras's).
// Its setters record the first error; the writer reports it with the
// layer's name.
type KerasConfig struct {
	dialect Dialect
	keys    []string
	vals    map[string]any
	err     error
}

func newKerasConfig(d Dialect) *KerasConfig {
	return &KerasConfig{dialect: d, vals: map[string]any{}}
}

// Dialect returns the dialect being written.
func (w *KerasConfig) Dialect() Dialect { return w.dialect }

// Set sets a key to a JSON-serialisable value (a later Set of the same key
// replaces the value and keeps its position).
func (w *KerasConfig) Set(key string, v any) {
	if _, ok := w.vals[key]; !ok {
		w.keys = append(w.keys, key)
	}
	w.vals[key] = v
}

// unset removes a key set before (the writer sets the base keys name,
// trainable and dtype for every layer; a class whose Keras constructor
// does not take one of them drops it).
func (w *KerasConfig) unset(key string) {
	if _, ok := w.vals[key]; !ok {
		return
	}
	delete(w.vals, key)
	for i, k := range w.keys {
		if k == key {
			w.keys = append(w.keys[:i], w.keys[i+1:]...)
			break
		}
	}
}

// Fail records err (the first one wins).
func (w *KerasConfig) Fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// SetActivation writes an activation as the dialect names it ("relu").
// An activation the dialect cannot name (one with non-default parameters,
// or a user-defined one) is an error.
func (w *KerasConfig) SetActivation(key string, a activations.Activation) {
	v, err := activationTo(a, w.dialect)
	if err != nil {
		w.Fail(errors.Wrapf(err, "%s", key))
		return
	}
	w.Set(key, v)
}

// SetInitializer writes an initializer as a serialized Keras object.
func (w *KerasConfig) SetInitializer(key string, i initializers.Initializer) {
	v, err := initializerTo(i, w.dialect)
	if err != nil {
		w.Fail(errors.Wrapf(err, "%s", key))
		return
	}
	w.Set(key, v)
}

// SetRegularizer writes a regularizer (null for nil).
func (w *KerasConfig) SetRegularizer(key string, r regularizers.Regularizer) {
	v, err := regularizerTo(r, w.dialect)
	if err != nil {
		w.Fail(errors.Wrapf(err, "%s", key))
		return
	}
	w.Set(key, v)
}

// SetConstraint writes a constraint (null for nil).
func (w *KerasConfig) SetConstraint(key string, k constraints.Constraint) {
	v, err := constraintTo(k, w.dialect)
	if err != nil {
		w.Fail(errors.Wrapf(err, "%s", key))
		return
	}
	w.Set(key, v)
}

// MarshalJSON writes the keys in the order they were set.
func (w *KerasConfig) MarshalJSON() ([]byte, error) {
	o := ordered{}
	for _, k := range w.keys {
		o = append(o, kv{k, w.vals[k]})
	}
	return o.MarshalJSON()
}

// ordered is a JSON object whose keys keep their order.
type ordered []kv

type kv struct {
	k string
	v any
}

func obj(pairs ...any) ordered {
	o := make(ordered, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		o = append(o, kv{pairs[i].(string), pairs[i+1]})
	}
	return o
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(p.k)
		b.Write(k)
		b.WriteString(": ")
		v, err := marshalValue(p.v)
		if err != nil {
			return nil, errors.Wrapf(err, "key %s", p.k)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalValue marshals like Python's json.dumps: ", " and ": " between
// items, floats with a decimal point or exponent.
func marshalValue(v any) ([]byte, error) {
	switch x := v.(type) {
	case ordered:
		return x.MarshalJSON()
	case *KerasConfig:
		return x.MarshalJSON()
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(float64(x))
	case []any:
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			eb, err := marshalValue(e)
			if err != nil {
				return nil, err
			}
			b.Write(eb)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	case []int:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return marshalValue(out)
	}
	return json.Marshal(v)
}

// pyFloat formats a float as Python's repr does (shortest round trip,
// "1.0" rather than "1", "1e-07"). NaN and infinities are errors.
func pyFloat(f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.Errorf("%v cannot be written as JSON", f)
	}
	s := fmt.Sprint(f)
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		s = pythonExp(f)
	} else if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return []byte(s), nil
}

// pythonExp formats f in exponent form as Python's repr: 1e-07, 1.5e+20.
func pythonExp(f float64) string {
	s := fmt.Sprintf("%e", f)
	// Shortest mantissa that round-trips.
	for p := 0; p <= 17; p++ {
		c := fmt.Sprintf("%.*e", p, f)
		var back float64
		fmt.Sscan(c, &back)
		if back == f {
			s = c
			break
		}
	}
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	digits := strings.TrimLeft(exp[1:], "0")
	if len(digits) < 2 {
		digits = strings.Repeat("0", 2-len(digits)) + digits
	}
	return mant + "e" + string(sign) + digits
}
