package interop

import (
	"encoding/json"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// kerasObject is a serialized Keras object: Keras 3's {"module",
// "class_name", "config", "registered_name"}, Keras 2's {"class_name",
// "config"}, or a bare string name.
type kerasObject struct {
	Module         string          `json:"module"`
	ClassName      string          `json:"class_name"`
	Config         json.RawMessage `json:"config"`
	RegisteredName *string         `json:"registered_name"`
	// name is set when the object was a string.
	name string
}

func parseObject(raw json.RawMessage) (kerasObject, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return kerasObject{name: s}, nil
	}
	var o kerasObject
	if err := json.Unmarshal(raw, &o); err != nil || o.ClassName == "" {
		return o, errors.Errorf("%s is neither a name nor a serialized Keras object {class_name, config}", truncate(raw))
	}
	return o, nil
}

func (o kerasObject) registered() string {
	if o.RegisteredName != nil {
		return *o.RegisteredName
	}
	return ""
}

// ---------------------------------------------------------------- dtype

// policyOf reads a layer's dtype: a Keras 3 DTypePolicy object, a string,
// or null. Mixed and 16-bit policies are refused: gokeras computes in
// float32 or float64.
func policyOf(raw json.RawMessage) (tensor.Dtype, error) {
	if raw == nil || isNull(raw) {
		return tensor.Dtype{}, nil
	}
	o, err := parseObject(raw)
	if err != nil {
		return tensor.Dtype{}, err
	}
	name := o.name
	if name == "" {
		var c struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(o.Config, &c); err != nil || c.Name == "" {
			return tensor.Dtype{}, errors.Errorf("dtype policy %s has no name", truncate(raw))
		}
		name = c.Name
	}
	switch name {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, errors.Errorf("dtype policy %q is not supported: gokeras computes in float32 or float64", name)
}

func policyTo(dt tensor.Dtype, d Dialect) any {
	if d == Keras3 {
		return obj("module", "keras", "class_name", "DTypePolicy", "config", obj("name", dt.String()), "registered_name", nil)
	}
	return dt.String()
}

// ----------------------------------------------------------- activations

// keras2HardSigmoidName is the gokeras name of Keras 2's and TensorFlow.js's
// hard sigmoid, clip(0.2x + 0.5, 0, 1), which differs from Keras 3's
// (relu6(x + 3) / 6, gokeras's "hard_sigmoid"). This package registers it
// with the activations registry, so that models read from Keras 2 and
// TensorFlow.js files compute what they computed there (and gokeras files
// holding it load in programs that import this package).
const keras2HardSigmoidName = "keras2_hard_sigmoid"

// keras2HardSigmoid is clip(0.2x + 0.5, 0, 1).
type keras2HardSigmoid struct{}

func (keras2HardSigmoid) Name() string { return keras2HardSigmoidName }

func (keras2HardSigmoid) Apply(x *G.Node) (*G.Node, error) {
	return backend.Elementwise(x, backend.ElemFunc{
		Name: keras2HardSigmoidName,
		F:    func(v float64) float64 { return math.Min(math.Max(0.2*v+0.5, 0), 1) },
		DF: func(v, _ float64) float64 {
			if v > -2.5 && v < 2.5 {
				return 0.2
			}
			return 0
		},
	})
}

func (keras2HardSigmoid) Config() activations.Config {
	return activations.Config{Name: keras2HardSigmoidName}
}

func init() {
	if err := activations.Register(keras2HardSigmoidName, func(c activations.Config) (activations.Activation, error) {
		if len(c.Params) > 0 && string(c.Params) != "{}" && string(c.Params) != "null" {
			return nil, errors.Errorf("activations: %s takes no parameters, got %s", keras2HardSigmoidName, c.Params)
		}
		return keras2HardSigmoid{}, nil
	}); err != nil {
		panic(err)
	}
}

// keras2Era reports whether a file of this dialect and version uses Keras
// 2's definitions (hard_sigmoid 0.2x + 0.5).
func keras2Era(d Dialect, version string) bool {
	if d == TFJS {
		return true
	}
	if d == Keras2 {
		return !strings.HasPrefix(version, "3.")
	}
	return false
}

// activationFrom reads an activation: a name ("relu"), Keras 3's
// serialized function {"class_name": "function", "config": "relu"}, or a
// registered custom activation.
func activationFrom(raw json.RawMessage, d Dialect, version string) (activations.Activation, error) {
	if raw == nil || isNull(raw) {
		return activations.Linear(), nil
	}
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	name := o.name
	if name == "" {
		if o.ClassName == "function" {
			if err := json.Unmarshal(o.Config, &name); err != nil {
				return nil, errors.Errorf("activation %s: the function's config is not a name", truncate(raw))
			}
		} else if name = o.registered(); name == "" {
			name = o.ClassName
		}
	}
	if name == "hard_sigmoid" && keras2Era(d, version) {
		return keras2HardSigmoid{}, nil
	}
	if d == TFJS {
		// tfjs serializes its camelCase class names in snake_case; accept
		// the camelCase spellings too.
		switch name {
		case "hardSigmoid":
			return keras2HardSigmoid{}, nil
		case "logSoftmax":
			name = "log_softmax"
		case "gelu", "gelu_new":
			return nil, errors.Errorf("TensorFlow.js activation %q: gokeras does not know which GELU formula it is", name)
		}
	}
	a, err := activations.Get(name)
	if err != nil {
		return nil, errors.Wrapf(err, "activation %q (register a custom one with activations.Register)", name)
	}
	return a, nil
}

// tfjsActivations are the names TensorFlow.js 4 knows, with the same
// formulas as gokeras's activations of those names.
var tfjsActivations = map[string]bool{"elu": true, "linear": true, "relu": true, "relu6": true, "selu": true,
	"sigmoid": true, "softmax": true, "softplus": true, "softsign": true, "tanh": true, "swish": true, "mish": true,
	"log_softmax": true}

// activationTo names an activation in the dialect.
func activationTo(a activations.Activation, d Dialect) (any, error) {
	if a == nil {
		return "linear", nil
	}
	name := a.Name()
	if c, ok := a.(activations.Configurable); ok {
		if p := c.Config().Params; len(p) > 0 && string(p) != "{}" && string(p) != "null" {
			return nil, errors.Errorf("activation %s with parameters %s has no %s name (Keras layers' activation argument takes only the defaults; use an activation layer)", name, p, d)
		}
	}
	switch {
	case name == keras2HardSigmoidName && d != Keras3:
		return "hard_sigmoid", nil
	case name == keras2HardSigmoidName:
		return nil, errors.Errorf("activation %s (Keras 2's 0.2x + 0.5 hard sigmoid) has no Keras 3 equivalent: save the model in TensorFlow.js format, or use hard_sigmoid (Keras 3's relu6(x + 3) / 6) or sigmoid and retrain", name)
	case d == TFJS && name == "hard_sigmoid":
		return nil, errors.New("activation hard_sigmoid (Keras 3's relu6(x + 3) / 6) has no TensorFlow.js equivalent: tfjs's hard_sigmoid is 0.2x + 0.5")
	case d == TFJS && name == "silu":
		return "swish", nil
	case d == TFJS && !tfjsActivations[name]:
		return nil, errors.Errorf("activation %s has no TensorFlow.js equivalent", name)
	}
	if _, err := activations.Get(name); err != nil {
		return nil, errors.Errorf("activation %s is not a Keras built-in and cannot be named in a %s file", name, d)
	}
	return name, nil
}

// ---------------------------------------------------------- initializers

// initClasses maps Keras initializer classes to gokeras names, with the
// config Keras's get_config writes for the defaults.
var initClasses = []struct {
	class, name string
	defaults    ordered
}{
	{"Zeros", "zeros", obj()},
	{"Ones", "ones", obj()},
	{"Constant", "constant", obj("value", 0.0)},
	{"RandomNormal", "random_normal", obj("mean", 0.0, "stddev", 0.05, "seed", nil)},
	{"RandomUniform", "random_uniform", obj("minval", -0.05, "maxval", 0.05, "seed", nil)},
	{"TruncatedNormal", "truncated_normal", obj("mean", 0.0, "stddev", 0.05, "seed", nil)},
	{"VarianceScaling", "variance_scaling", obj("scale", 1.0, "mode", "fan_in", "distribution", "truncated_normal", "seed", nil)},
	{"Orthogonal", "orthogonal", obj("gain", 1.0, "seed", nil)},
	{"Identity", "identity", obj("gain", 1.0)},
	{"GlorotNormal", "glorot_normal", obj("seed", nil)},
	{"GlorotUniform", "glorot_uniform", obj("seed", nil)},
	{"HeNormal", "he_normal", obj("seed", nil)},
	{"HeUniform", "he_uniform", obj("seed", nil)},
	{"LecunNormal", "lecun_normal", obj("seed", nil)},
	{"LecunUniform", "lecun_uniform", obj("seed", nil)},
}

func initByClass(class string) (string, bool) {
	switch class {
	case "LeCunNormal":
		class = "LecunNormal"
	case "LeCunUniform":
		class = "LecunUniform"
	case "IdentityInitializer":
		class = "Identity"
	case "OrthogonalInitializer":
		class = "Orthogonal"
	}
	for _, c := range initClasses {
		if c.class == class {
			return c.name, true
		}
	}
	return "", false
}

func initialiserNames() []string {
	out := make([]string, len(initClasses))
	for i, c := range initClasses {
		out[i] = c.class
	}
	return out
}

// initializerFrom reads a serialized initializer.
func initializerFrom(raw json.RawMessage) (initializers.Initializer, error) {
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if o.name != "" {
		i, err := initializers.Get(o.name)
		return i, errors.Wrapf(err, "initializer %q", o.name)
	}
	name, ok := initByClass(o.ClassName)
	if !ok {
		if r := o.registered(); r != "" {
			if i, err := initializers.Get(r); err == nil {
				return i, nil
			}
		}
		return nil, errors.Errorf("initializer class %s is not one gokeras has (%s; register a custom one with initializers.Register)", o.ClassName, strings.Join(initialiserNames(), ", "))
	}
	params, err := cleanParams(o.Config, "dtype")
	if err != nil {
		return nil, errors.Wrapf(err, "initializer %s", o.ClassName)
	}
	i, err := initializers.FromConfig(initializers.Config{Name: name, Params: params})
	if err != nil {
		return nil, errors.Wrapf(err, "initializer %s", o.ClassName)
	}
	return i, nil
}

// cleanParams returns a config object without the given keys (nil for an
// empty or null one).
func cleanParams(raw json.RawMessage, drop ...string) (json.RawMessage, error) {
	if raw == nil || isNull(raw) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, errors.Errorf("config %s is not an object", truncate(raw))
	}
	for _, k := range drop {
		delete(m, k)
	}
	if len(m) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(m)
	return b, err
}

// withDefaults merges gokeras's non-default params over Keras's defaults,
// writing numbers where the default is a float as floats.
func withDefaults(defaults ordered, params json.RawMessage) (ordered, error) {
	out := append(ordered(nil), defaults...)
	if len(params) == 0 || isNull(params) {
		return out, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(params, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v any
		if err := json.Unmarshal(m[k], &v); err != nil {
			return nil, err
		}
		found := false
		for i := range out {
			if out[i].k == k {
				if _, isFloat := out[i].v.(float64); isFloat {
					if f, ok := v.(float64); ok {
						v = f
					}
				} else if f, ok := v.(float64); ok && f == math.Trunc(f) {
					v = int64(f)
				}
				out[i].v = v
				found = true
			}
		}
		if !found {
			if f, ok := v.(float64); ok && f == math.Trunc(f) && k == "seed" {
				v = int64(f)
			}
			out = append(out, kv{k, v})
		}
	}
	return out, nil
}

func serializedObject(d Dialect, module, class string, config any) ordered {
	if d == Keras3 {
		return obj("module", module, "class_name", class, "config", config, "registered_name", nil)
	}
	return obj("class_name", class, "config", config)
}

// initializerTo serializes an initializer.
func initializerTo(i initializers.Initializer, d Dialect) (any, error) {
	if i == nil {
		return nil, nil
	}
	return initConfigTo(initializers.ConfigOf(i), d)
}

func initConfigTo(c initializers.Config, d Dialect) (any, error) {
	for _, ic := range initClasses {
		if ic.name != c.Name {
			continue
		}
		cfg, err := withDefaults(ic.defaults, c.Params)
		if err != nil {
			return nil, errors.Wrapf(err, "initializer %s", c.Name)
		}
		class := ic.class
		if d == TFJS {
			switch class {
			case "LecunNormal":
				class = "LeCunNormal"
			case "LecunUniform":
				class = "LeCunUniform"
			}
		}
		return serializedObject(d, "keras.initializers", class, cfg), nil
	}
	return nil, errors.Errorf("initializer %s is not a Keras built-in and cannot be written to a %s file", c.Name, d)
}

// ---------------------------------------------------------- regularizers

func regularizerFrom(raw json.RawMessage) (regularizers.Regularizer, error) {
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if o.name != "" {
		r, err := regularizers.Get(o.name)
		return r, errors.Wrapf(err, "regularizer %q", o.name)
	}
	var name string
	switch o.ClassName {
	case "L1":
		name = "l1"
	case "L2":
		name = "l2"
	case "L1L2":
		name = "l1_l2"
	default:
		if r := o.registered(); r != "" {
			if reg, err := regularizers.Get(r); err == nil {
				return reg, nil
			}
		}
		return nil, errors.Errorf("regularizer class %s is not one gokeras has (L1, L2, L1L2; register a custom one with regularizers.Register)", o.ClassName)
	}
	var p struct {
		L1 *float64 `json:"l1"`
		L2 *float64 `json:"l2"`
	}
	params, err := cleanParams(o.Config)
	if err != nil {
		return nil, err
	}
	if params != nil {
		dec := json.NewDecoder(strings.NewReader(string(params)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, errors.Wrapf(err, "regularizer %s config", o.ClassName)
		}
	}
	get := func(f *float64) float64 {
		if f == nil {
			// Keras's class defaults: L1(l1=0.01), L2(l2=0.01), L1L2(0, 0).
			if name == "l1_l2" {
				return 0
			}
			return 0.01
		}
		return *f
	}
	var r regularizers.Regularizer
	switch name {
	case "l1":
		r = regularizers.L1(get(p.L1))
	case "l2":
		r = regularizers.L2(get(p.L2))
	default:
		r = regularizers.L1L2(get(p.L1), get(p.L2))
	}
	return r, regularizers.Err(r)
}

func regularizerTo(r regularizers.Regularizer, d Dialect) (any, error) {
	if r == nil {
		return nil, nil
	}
	if _, ok := r.(*regularizers.L1L2Regularizer); !ok {
		return nil, errors.Errorf("regularizer %T is not a Keras built-in and cannot be written to a %s file", r, d)
	}
	c := regularizers.ConfigOf(r)
	return regConfigTo(&c, d)
}

func regConfigTo(rc *regularizers.Config, d Dialect) (any, error) {
	if rc == nil {
		return nil, nil
	}
	c := *rc
	if c.Name != "l1" && c.Name != "l2" && c.Name != "l1_l2" {
		return nil, errors.Errorf("regularizer %s is not a Keras built-in and cannot be written to a %s file", c.Name, d)
	}
	var p struct {
		L1 *float64 `json:"l1"`
		L2 *float64 `json:"l2"`
	}
	if len(c.Params) > 0 {
		if err := json.Unmarshal(c.Params, &p); err != nil {
			return nil, err
		}
	}
	val := func(f *float64, def float64) float64 {
		if f == nil {
			return def
		}
		return *f
	}
	switch {
	case d == Keras3 && c.Name == "l1":
		return serializedObject(d, "keras.regularizers", "L1", obj("l1", val(p.L1, 0.01))), nil
	case d == Keras3 && c.Name == "l2":
		return serializedObject(d, "keras.regularizers", "L2", obj("l2", val(p.L2, 0.01))), nil
	}
	l1, l2 := val(p.L1, 0), val(p.L2, 0)
	switch c.Name {
	case "l1":
		l1 = val(p.L1, 0.01)
	case "l2":
		l2 = val(p.L2, 0.01)
	case "l1_l2":
		l1, l2 = val(p.L1, 0.01), val(p.L2, 0.01)
	}
	return serializedObject(d, "keras.regularizers", "L1L2", obj("l1", l1, "l2", l2)), nil
}

// ----------------------------------------------------------- constraints

var constraintClasses = map[string]string{"MaxNorm": "max_norm", "NonNeg": "non_neg", "UnitNorm": "unit_norm", "MinMaxNorm": "min_max_norm"}

func constraintFrom(raw json.RawMessage) (constraints.Constraint, error) {
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if o.name != "" {
		k, err := constraints.Get(o.name)
		return k, errors.Wrapf(err, "constraint %q", o.name)
	}
	name, ok := constraintClasses[o.ClassName]
	if !ok {
		if r := o.registered(); r != "" {
			if k, err := constraints.Get(r); err == nil {
				return k, nil
			}
		}
		return nil, errors.Errorf("constraint class %s is not one gokeras has (MaxNorm, MinMaxNorm, NonNeg, UnitNorm; register a custom one with constraints.Register)", o.ClassName)
	}
	var m map[string]json.RawMessage
	if len(o.Config) > 0 && !isNull(o.Config) {
		if err := json.Unmarshal(o.Config, &m); err != nil {
			return nil, errors.Errorf("constraint %s config %s is not an object", o.ClassName, truncate(o.Config))
		}
	}
	// Keras's axis is an int or a list; gokeras's is a list.
	if a, ok := m["axis"]; ok && !isNull(a) {
		axes, err := intsOf(a, false)
		if err != nil {
			return nil, errors.Wrapf(err, "constraint %s axis", o.ClassName)
		}
		b, _ := json.Marshal(axes)
		m["axis"] = b
	}
	var params json.RawMessage
	if len(m) > 0 {
		params, _ = json.Marshal(m)
	}
	k, err := constraints.FromConfig(constraints.Config{Name: name, Params: params})
	return k, errors.Wrapf(err, "constraint %s", o.ClassName)
}

var constraintDefaults = map[string]struct {
	class    string
	defaults ordered
}{
	"max_norm":     {"MaxNorm", obj("max_value", 2.0, "axis", 0)},
	"non_neg":      {"NonNeg", obj()},
	"unit_norm":    {"UnitNorm", obj("axis", 0)},
	"min_max_norm": {"MinMaxNorm", obj("min_value", 0.0, "max_value", 1.0, "rate", 1.0, "axis", 0)},
}

func constraintTo(k constraints.Constraint, d Dialect) (any, error) {
	if k == nil {
		return nil, nil
	}
	c := constraints.ConfigOf(k)
	return conConfigTo(&c, d)
}

func conConfigTo(cc *constraints.Config, d Dialect) (any, error) {
	if cc == nil {
		return nil, nil
	}
	c := *cc
	cd, ok := constraintDefaults[c.Name]
	if !ok {
		return nil, errors.Errorf("constraint %s is not a Keras built-in and cannot be written to a %s file", c.Name, d)
	}
	cfg, err := withDefaults(cd.defaults, c.Params)
	if err != nil {
		return nil, err
	}
	// One axis is written as Keras writes its default: an int.
	for i := range cfg {
		if cfg[i].k == "axis" {
			if l, ok := cfg[i].v.([]any); ok && len(l) == 1 {
				cfg[i].v = l[0]
			}
			if f, ok := cfg[i].v.(float64); ok {
				cfg[i].v = int64(f)
			}
		}
	}
	return serializedObject(d, "keras.constraints", cd.class, cfg), nil
}
