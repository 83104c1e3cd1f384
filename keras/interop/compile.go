package interop

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hdf5"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// Compile configurations: Keras 3's compile_config (trainers/trainer.py
// compile: optimizer, loss, loss_weights, metrics, weighted_metrics,
// run_eagerly, steps_per_execution, jit_compile), Keras 2's
// training_config (loss, metrics, weighted_metrics, loss_weights,
// optimizer_config) and TensorFlow.js's trainingConfig (the same keys,
// with tfjs's camelCase optimizer configs).

// canonicalFloat32 returns the shortest decimal of a float32 value Keras
// wrote as a double (0.0010000000474974513 -> 0.001).
func canonicalFloat32(x float64) float64 {
	if float64(float32(x)) != x {
		return x
	}
	f, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 32), 64)
	if err != nil {
		return x
	}
	return f
}

// optimizerFrom converts a serialized optimizer.
func optimizerFrom(raw json.RawMessage, d Dialect) (optimizers.Optimizer, error) {
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if o.name != "" {
		opt, err := optimizers.Get(strings.ToLower(o.name))
		return opt, errors.Wrapf(err, "optimizer %q", o.name)
	}
	var cfg map[string]json.RawMessage
	if len(o.Config) > 0 && !isNull(o.Config) {
		if err := json.Unmarshal(o.Config, &cfg); err != nil {
			return nil, errors.Errorf("optimizer %s: config is not an object", o.ClassName)
		}
	}
	if d == TFJS {
		return tfjsOptimizerFrom(o.ClassName, cfg)
	}
	name := strings.ToLower(o.ClassName)
	if name == "lossscaleoptimizer" {
		return nil, errors.New("LossScaleOptimizer (mixed precision) is not supported by gokeras")
	}
	params := map[string]json.RawMessage{}
	c := optimizers.Config{Name: name}
	for k, v := range cfg {
		switch k {
		case "name", "ema_momentum", "ema_overwrite_frequency", "jit_compile", "is_legacy_optimizer":
			continue
		case "use_ema", "loss_scale_factor", "gradient_accumulation_steps", "decay":
			if !trivial(v) {
				return nil, errors.Errorf("optimizer %s: %s = %s is not supported by gokeras", o.ClassName, k, truncate(v))
			}
			continue
		case "lr":
			k = "learning_rate"
		}
		if isNull(v) {
			continue
		}
		if k == "learning_rate" {
			var f float64
			if json.Unmarshal(v, &f) == nil {
				v, _ = json.Marshal(canonicalFloat32(f))
			} else {
				s, err := parseObject(v)
				if err != nil || s.ClassName == "" {
					return nil, errors.Errorf("optimizer %s: learning_rate %s is neither a number nor a schedule", o.ClassName, truncate(v))
				}
				sp, err := cleanParams(s.Config, "name")
				if err != nil {
					return nil, err
				}
				c.Schedule = &optimizers.ScheduleConfig{Name: s.ClassName, Params: sp}
				continue
			}
		}
		params[k] = v
	}
	if len(params) > 0 {
		c.Params, _ = json.Marshal(params)
	}
	opt, err := optimizers.FromConfig(c)
	if err != nil {
		return nil, errors.Wrapf(err, "optimizer %s", o.ClassName)
	}
	if e, ok := opt.(interface{ Err() error }); ok && e.Err() != nil {
		return nil, e.Err()
	}
	return opt, nil
}

// tfjsOptimizers maps TensorFlow.js optimizer classes and their camelCase
// keys to gokeras's optimizers and Keras keys.
var tfjsOptimizers = map[string]struct {
	name string
	keys map[string]string
}{
	"Adam":     {"adam", map[string]string{"learningRate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon"}},
	"SGD":      {"sgd", map[string]string{"learningRate": "learning_rate"}},
	"Momentum": {"sgd", map[string]string{"learningRate": "learning_rate", "momentum": "momentum", "useNesterov": "nesterov"}},
	"RMSProp":  {"rmsprop", map[string]string{"learningRate": "learning_rate", "decay": "rho", "momentum": "momentum", "epsilon": "epsilon", "centered": "centered"}},
	"Adagrad":  {"adagrad", map[string]string{"learningRate": "learning_rate", "initialAccumulatorValue": "initial_accumulator_value"}},
	"Adadelta": {"adadelta", map[string]string{"learningRate": "learning_rate", "rho": "rho", "epsilon": "epsilon"}},
	"Adamax":   {"adamax", map[string]string{"learningRate": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "epsilon": "epsilon", "decay": ""}},
}

func tfjsOptimizerFrom(class string, cfg map[string]json.RawMessage) (optimizers.Optimizer, error) {
	t, ok := tfjsOptimizers[class]
	if !ok {
		return nil, errors.Errorf("TensorFlow.js optimizer %s is not one gokeras maps (Adam, SGD, Momentum, RMSProp, Adagrad, Adadelta, Adamax)", class)
	}
	params := map[string]json.RawMessage{}
	for k, v := range cfg {
		kk, known := t.keys[k]
		switch {
		case !known:
			return nil, errors.Errorf("TensorFlow.js optimizer %s: key %s is not supported", class, k)
		case kk == "":
			if !trivial(v) {
				return nil, errors.Errorf("TensorFlow.js optimizer %s: %s = %s is not supported", class, k, truncate(v))
			}
		case !isNull(v):
			params[kk] = v
		}
	}
	c := optimizers.Config{Name: t.name}
	if len(params) > 0 {
		c.Params, _ = json.Marshal(params)
	}
	opt, err := optimizers.FromConfig(c)
	return opt, errors.Wrapf(err, "TensorFlow.js optimizer %s", class)
}

// lossName maps a Keras loss class or a TensorFlow.js camelCase name to
// gokeras's name.
func lossName(s string) string {
	switch s {
	case "KLDivergence", "KLD", "kullbackLeiblerDivergence":
		return "kl_divergence"
	case "LogCosh", "logcosh":
		return "log_cosh"
	}
	if strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return layers.DefaultName(s)
	}
	return s
}

// lossFrom converts one loss: a name or a serialized Loss.
func lossFrom(raw json.RawMessage) (losses.Loss, error) {
	o, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if o.name != "" {
		l, err := losses.Get(lossName(o.name))
		return l, errors.Wrapf(err, "loss %q", o.name)
	}
	var cfg map[string]json.RawMessage
	if len(o.Config) > 0 && !isNull(o.Config) {
		if err := json.Unmarshal(o.Config, &cfg); err != nil {
			return nil, errors.Errorf("loss %s: config is not an object", o.ClassName)
		}
	}
	params := map[string]json.RawMessage{}
	for k, v := range cfg {
		switch k {
		case "name", "dtype":
			continue
		case "reduction":
			var s string
			if json.Unmarshal(v, &s) == nil && (s == "sum_over_batch_size" || s == "auto") || isNull(v) {
				continue
			}
			return nil, errors.Errorf("loss %s: reduction %s is not supported (gokeras averages over the batch: sum_over_batch_size)", o.ClassName, truncate(v))
		case "axis":
			if string(bytes.TrimSpace(v)) == "-1" {
				continue
			}
		case "ignore_class":
			if isNull(v) {
				continue
			}
		}
		params[k] = v
	}
	c := losses.Config{Name: lossName(o.ClassName)}
	if len(params) > 0 {
		c.Params, _ = json.Marshal(params)
	}
	l, err := losses.FromConfig(c)
	return l, errors.Wrapf(err, "loss %s", o.ClassName)
}

// metricName returns the gokeras name of a metric: a name, or a
// serialized Metric (its config's name when gokeras knows it, else its
// class).
func metricName(raw json.RawMessage) (string, error) {
	o, err := parseObject(raw)
	if err != nil {
		return "", err
	}
	if o.name != "" {
		return lossName(o.name), nil
	}
	var c struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(o.Config, &c)
	known := map[string]bool{}
	for _, n := range metrics.Names() {
		known[n] = true
	}
	if known[c.Name] {
		return c.Name, nil
	}
	return lossName(o.ClassName), nil
}

func metricList(raw json.RawMessage) ([]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	if raw[0] != '[' {
		n, err := metricName(raw)
		return []any{n}, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	var out []any
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '[' {
			sub, err := metricList(it)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		n, err := metricName(it)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// compileFrom compiles m from the parts of a compile configuration.
func compileFrom(m *keras.Model, optRaw, lossRaw, metricsRaw, weightsRaw, weighted json.RawMessage, d Dialect) error {
	var opts []keras.CompileOption
	if len(optRaw) > 0 && !isNull(optRaw) {
		opt, err := optimizerFrom(optRaw, d)
		if err != nil {
			return err
		}
		opts = append(opts, keras.Optimizer(opt))
	}
	outs, err := m.OutputNames()
	if err != nil {
		return err
	}
	lossRaw = bytes.TrimSpace(lossRaw)
	if len(lossRaw) > 0 && !isNull(lossRaw) {
		switch lossRaw[0] {
		case '{':
			if o, err := parseObject(lossRaw); err == nil && o.ClassName != "" {
				l, err := lossFrom(lossRaw)
				if err != nil {
					return err
				}
				opts = append(opts, keras.Loss(l))
				break
			}
			var byName map[string]json.RawMessage
			if err := json.Unmarshal(lossRaw, &byName); err != nil {
				return errors.Wrap(err, "loss")
			}
			spec := map[string]any{}
			for k, v := range byName {
				if isNull(v) {
					continue
				}
				l, err := lossFrom(v)
				if err != nil {
					return errors.Wrapf(err, "loss of output %s", k)
				}
				spec[k] = l
			}
			opts = append(opts, keras.Loss(spec))
		case '[':
			var list []json.RawMessage
			if err := json.Unmarshal(lossRaw, &list); err != nil {
				return errors.Wrap(err, "loss")
			}
			if len(list) != len(outs) {
				return errors.Errorf("loss: %d losses for the model's %d outputs", len(list), len(outs))
			}
			spec := map[string]any{}
			for i, v := range list {
				if isNull(v) {
					continue
				}
				l, err := lossFrom(v)
				if err != nil {
					return errors.Wrapf(err, "loss of output %s", outs[i])
				}
				spec[outs[i]] = l
			}
			opts = append(opts, keras.Loss(spec))
		default:
			l, err := lossFrom(lossRaw)
			if err != nil {
				return err
			}
			opts = append(opts, keras.Loss(l))
		}
	}
	metricsRaw = bytes.TrimSpace(metricsRaw)
	if len(metricsRaw) > 0 && !isNull(metricsRaw) {
		switch {
		case metricsRaw[0] == '{':
			var byName map[string]json.RawMessage
			if err := json.Unmarshal(metricsRaw, &byName); err != nil {
				return errors.Wrap(err, "metrics")
			}
			keys := make([]string, 0, len(byName))
			for k := range byName {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				ms, err := metricList(byName[k])
				if err != nil {
					return errors.Wrapf(err, "metrics of output %s", k)
				}
				if len(ms) > 0 {
					opts = append(opts, keras.OutputMetrics(k, ms...))
				}
			}
		default:
			var items []json.RawMessage
			_ = json.Unmarshal(metricsRaw, &items)
			perOutput := len(outs) > 1 && len(items) == len(outs)
			for _, it := range items {
				if t := bytes.TrimSpace(it); len(t) == 0 || t[0] != '[' {
					perOutput = false
				}
			}
			if perOutput {
				for i, it := range items {
					ms, err := metricList(it)
					if err != nil {
						return errors.Wrapf(err, "metrics of output %s", outs[i])
					}
					if len(ms) > 0 {
						opts = append(opts, keras.OutputMetrics(outs[i], ms...))
					}
				}
			} else {
				ms, err := metricList(metricsRaw)
				if err != nil {
					return errors.Wrap(err, "metrics")
				}
				if len(ms) > 0 {
					opts = append(opts, keras.Metrics(ms...))
				}
			}
		}
	}
	if !trivial(weighted) && len(weighted) > 0 {
		return errors.Errorf("weighted_metrics %s are not supported by gokeras", truncate(weighted))
	}
	weightsRaw = bytes.TrimSpace(weightsRaw)
	if len(weightsRaw) > 0 && !isNull(weightsRaw) {
		if weightsRaw[0] == '{' {
			var w map[string]float64
			if err := json.Unmarshal(weightsRaw, &w); err != nil {
				return errors.Wrap(err, "loss_weights")
			}
			opts = append(opts, keras.LossWeightsByName(w))
		} else {
			var w []float64
			if err := json.Unmarshal(weightsRaw, &w); err != nil {
				return errors.Wrap(err, "loss_weights")
			}
			opts = append(opts, keras.LossWeights(w...))
		}
	}
	return m.Compile(opts...)
}

func compileKeras3(m *keras.Model, raw json.RawMessage, d Dialect) error {
	var cc struct {
		Optimizer       json.RawMessage `json:"optimizer"`
		Loss            json.RawMessage `json:"loss"`
		LossWeights     json.RawMessage `json:"loss_weights"`
		Metrics         json.RawMessage `json:"metrics"`
		WeightedMetrics json.RawMessage `json:"weighted_metrics"`
	}
	if err := json.Unmarshal(raw, &cc); err != nil {
		return err
	}
	return compileFrom(m, cc.Optimizer, cc.Loss, cc.Metrics, cc.LossWeights, cc.WeightedMetrics, d)
}

func compileLegacy(m *keras.Model, raw json.RawMessage, d Dialect) error {
	var tc struct {
		Loss            json.RawMessage `json:"loss"`
		Metrics         json.RawMessage `json:"metrics"`
		WeightedMetrics json.RawMessage `json:"weighted_metrics"`
		LossWeights     json.RawMessage `json:"loss_weights"`
		OptimizerConfig json.RawMessage `json:"optimizer_config"`
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		return err
	}
	return compileFrom(m, tc.OptimizerConfig, tc.Loss, tc.Metrics, tc.LossWeights, tc.WeightedMetrics, d)
}

// ------------------------------------------------------------ writing

var optimizerClasses = map[string][2]string{
	"adam": {"Adam", "adam"}, "sgd": {"SGD", "SGD"}, "rmsprop": {"RMSprop", "rmsprop"}, "adagrad": {"Adagrad", "adagrad"},
	"adadelta": {"Adadelta", "adadelta"}, "adamax": {"Adamax", "adamax"}, "nadam": {"Nadam", "nadam"},
	"adamw": {"AdamW", "adamw"}, "ftrl": {"Ftrl", "ftrl"}, "lion": {"Lion", "lion"},
}

// intKeys are hyperparameters Keras keeps as integers.
var intKeys = map[string]bool{"decay_steps": true, "warmup_steps": true, "boundaries": true}

// decodeParams decodes a params object keeping key order, numbers as
// float64 (ints for intKeys).
func decodeParams(raw json.RawMessage) (ordered, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out ordered
	for dec.More() {
		tk, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tk.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, kv{k, numbers(v, intKeys[k])})
	}
	return out, nil
}

func numbers(v any, asInt bool) any {
	switch x := v.(type) {
	case json.Number:
		if asInt {
			if i, err := x.Int64(); err == nil {
				return i
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i], asInt)
		}
		return x
	}
	return v
}

func optimizerKeras3(opt optimizers.Optimizer) (any, error) {
	cf, ok := opt.(optimizers.Configurable)
	if !ok {
		return nil, errors.Errorf("optimizer %s has no configuration", opt.Name())
	}
	c := cf.Config()
	cls, ok := optimizerClasses[c.Name]
	if !ok {
		return nil, errors.Errorf("optimizer %s is not a Keras built-in", c.Name)
	}
	params, err := decodeParams(c.Params)
	if err != nil {
		return nil, err
	}
	get := func(k string) (any, bool) {
		for _, p := range params {
			if p.k == k {
				return p.v, true
			}
		}
		return nil, false
	}
	zeroNull := func(k string) any {
		v, _ := get(k)
		if f, ok := v.(float64); ok && f != 0 {
			return f
		}
		return nil
	}
	cfg := obj("name", cls[1])
	if c.Schedule != nil {
		sp, err := decodeParams(c.Schedule.Params)
		if err != nil {
			return nil, err
		}
		sp = append(sp, kv{"name", c.Schedule.Name})
		cfg = append(cfg, kv{"learning_rate", obj("module", "keras.optimizers.schedules", "class_name", c.Schedule.Name, "config", sp, "registered_name", nil)})
	} else {
		lr, _ := get("learning_rate")
		f, _ := lr.(float64)
		cfg = append(cfg, kv{"learning_rate", float64(float32(f))})
	}
	wd := zeroNull("weight_decay")
	if c.Name == "adamw" {
		wd, _ = get("weight_decay")
	}
	cfg = append(cfg, kv{"weight_decay", wd}, kv{"clipnorm", zeroNull("clipnorm")}, kv{"global_clipnorm", zeroNull("global_clipnorm")},
		kv{"clipvalue", zeroNull("clipvalue")}, kv{"use_ema", false}, kv{"ema_momentum", 0.99}, kv{"ema_overwrite_frequency", nil},
		kv{"loss_scale_factor", nil}, kv{"gradient_accumulation_steps", nil})
	for _, p := range params {
		switch p.k {
		case "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue":
			continue
		}
		cfg = append(cfg, p)
	}
	return obj("module", "keras.optimizers", "class_name", cls[0], "config", cfg, "registered_name", nil), nil
}

var lossClasses = map[string]string{
	"mean_squared_error": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError",
	"mean_absolute_percentage_error": "MeanAbsolutePercentageError", "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
	"binary_crossentropy": "BinaryCrossentropy", "categorical_crossentropy": "CategoricalCrossentropy",
	"sparse_categorical_crossentropy": "SparseCategoricalCrossentropy", "huber": "Huber", "kl_divergence": "KLDivergence",
	"log_cosh": "LogCosh", "poisson": "Poisson", "hinge": "Hinge", "squared_hinge": "SquaredHinge",
	"categorical_hinge": "CategoricalHinge", "cosine_similarity": "CosineSimilarity",
}

func lossTo(l losses.Loss, d Dialect) (any, error) {
	c := losses.ConfigOf(l)
	if len(c.Params) == 0 || string(c.Params) == "{}" {
		if _, ok := lossClasses[c.Name]; !ok {
			if _, err := losses.Get(c.Name); err != nil {
				return nil, errors.Errorf("loss %s is not a Keras built-in", c.Name)
			}
		}
		return c.Name, nil
	}
	if d == TFJS {
		return nil, errors.Errorf("loss %s with parameters %s: TensorFlow.js names losses without parameters", c.Name, c.Params)
	}
	cls, ok := lossClasses[c.Name]
	if !ok {
		return nil, errors.Errorf("loss %s is not a Keras built-in", c.Name)
	}
	params, err := decodeParams(c.Params)
	if err != nil {
		return nil, err
	}
	cfg := append(obj("name", c.Name, "reduction", "sum_over_batch_size"), params...)
	return obj("module", "keras.losses", "class_name", cls, "config", cfg, "registered_name", nil), nil
}

// lossesTo returns one loss for every output when they share it, else a
// dict (Keras 3) or list (TensorFlow.js) by output.
func lossesTo(s keras.CompileSettings, d Dialect) (any, error) {
	var first losses.Loss
	same := len(s.Losses) == len(s.OutputNames)
	for _, n := range s.OutputNames {
		l, ok := s.Losses[n]
		if !ok {
			continue
		}
		if first == nil {
			first = l
		} else if l != first {
			same = false
		}
	}
	if first == nil {
		return nil, nil
	}
	if same {
		return lossTo(first, d)
	}
	if d == TFJS {
		var out []any
		for _, n := range s.OutputNames {
			l, ok := s.Losses[n]
			if !ok {
				return nil, errors.Errorf("output %s has no loss: TensorFlow.js needs one per output", n)
			}
			v, err := lossTo(l, d)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	out := ordered{}
	for _, n := range s.OutputNames {
		if l, ok := s.Losses[n]; ok {
			v, err := lossTo(l, d)
			if err != nil {
				return nil, err
			}
			out = append(out, kv{n, v})
		}
	}
	return out, nil
}

func metricsTo(s keras.CompileSettings, d Dialect) any {
	per := func(n string) []any {
		var out []any
		if _, ok := s.Losses[n]; ok {
			for _, m := range s.Metrics {
				out = append(out, m)
			}
		}
		for _, m := range s.OutputMetrics[n] {
			out = append(out, m)
		}
		return out
	}
	if len(s.OutputNames) == 1 {
		ms := per(s.OutputNames[0])
		if len(ms) == 0 {
			return nil
		}
		return ms
	}
	if len(s.OutputMetrics) == 0 {
		if len(s.Metrics) == 0 {
			return nil
		}
		var out []any
		for _, m := range s.Metrics {
			out = append(out, m)
		}
		return out
	}
	if d == TFJS {
		var out []any
		for _, n := range s.OutputNames {
			out = append(out, per(n))
		}
		return out
	}
	out := ordered{}
	for _, n := range s.OutputNames {
		if ms := per(n); len(ms) > 0 {
			out = append(out, kv{n, ms})
		}
	}
	return out
}

func compileConfigKeras3(m *keras.Model, s keras.CompileSettings) (any, error) {
	opt, err := optimizerKeras3(s.Optimizer)
	if err != nil {
		return nil, err
	}
	loss, err := lossesTo(s, Keras3)
	if err != nil {
		return nil, err
	}
	var lw any
	if s.LossWeights != nil {
		lw = s.LossWeights
	}
	return obj("optimizer", opt, "loss", loss, "loss_weights", lw, "metrics", metricsTo(s, Keras3),
		"weighted_metrics", nil, "run_eagerly", false, "steps_per_execution", 1, "jit_compile", false), nil
}

func trainingConfigTFJS(s keras.CompileSettings) (any, error) {
	cf, ok := s.Optimizer.(optimizers.Configurable)
	if !ok {
		return nil, errors.Errorf("optimizer %s has no configuration", s.Optimizer.Name())
	}
	c := cf.Config()
	if c.Schedule != nil {
		return nil, errors.New("TensorFlow.js optimizers take a constant learning rate, not a schedule")
	}
	var p map[string]any
	if len(c.Params) > 0 {
		if err := json.Unmarshal(c.Params, &p); err != nil {
			return nil, err
		}
	}
	f := func(k string) float64 { v, _ := p[k].(float64); return v }
	for _, k := range []string{"clipnorm", "clipvalue", "global_clipnorm", "weight_decay"} {
		if f(k) != 0 {
			return nil, errors.Errorf("optimizer %s: %s has no TensorFlow.js equivalent", c.Name, k)
		}
	}
	var oc ordered
	switch c.Name {
	case "adam":
		if b, _ := p["amsgrad"].(bool); b {
			return nil, errors.New("TensorFlow.js's Adam has no AMSGrad")
		}
		oc = obj("class_name", "Adam", "config", obj("learningRate", f("learning_rate"), "beta1", f("beta_1"), "beta2", f("beta_2"), "epsilon", f("epsilon")))
	case "sgd":
		if f("momentum") == 0 {
			oc = obj("class_name", "SGD", "config", obj("learningRate", f("learning_rate")))
		} else {
			n, _ := p["nesterov"].(bool)
			oc = obj("class_name", "Momentum", "config", obj("learningRate", f("learning_rate"), "momentum", f("momentum"), "useNesterov", n))
		}
	case "rmsprop":
		ce, _ := p["centered"].(bool)
		oc = obj("class_name", "RMSProp", "config", obj("learningRate", f("learning_rate"), "decay", f("rho"), "momentum", f("momentum"), "epsilon", f("epsilon"), "centered", ce))
	case "adagrad":
		oc = obj("class_name", "Adagrad", "config", obj("learningRate", f("learning_rate"), "initialAccumulatorValue", f("initial_accumulator_value")))
	case "adadelta":
		oc = obj("class_name", "Adadelta", "config", obj("learningRate", f("learning_rate"), "rho", f("rho"), "epsilon", f("epsilon")))
	case "adamax":
		oc = obj("class_name", "Adamax", "config", obj("learningRate", f("learning_rate"), "beta1", f("beta_1"), "beta2", f("beta_2"), "epsilon", f("epsilon"), "decay", 0.0))
	default:
		return nil, errors.Errorf("optimizer %s has no TensorFlow.js equivalent", c.Name)
	}
	loss, err := lossesTo(s, TFJS)
	if err != nil {
		return nil, err
	}
	if s.LossWeights != nil {
		// tfjs-layers' loadTrainingConfig: "Loading loss_weights is not
		// supported yet."
		return nil, errors.New("TensorFlow.js cannot load loss_weights")
	}
	return obj("loss", loss, "metrics", metricsTo(s, TFJS), "optimizer_config", oc), nil
}

// -------------------------------------------------------- optimizer state

// slotLayout describes how Keras 3 lays out an optimizer's variables after
// iterations and learning_rate (each optimizer's build): kinds of slots,
// each either one per trainable variable in blocks, or interleaved.
type slotLayout struct {
	kinds       []int // gokeras slot index of each Keras kind, in Keras's order
	interleaved int   // the first kinds that are interleaved per variable (Adam: momentum, velocity)
	gokeras     int   // the number of slots gokeras keeps per variable
}

// layoutOf returns the layout of an optimizer whose state maps between
// Keras and gokeras, and false for others.
func layoutOf(opt optimizers.Optimizer) (slotLayout, string, bool) {
	cf, ok := opt.(optimizers.Configurable)
	if !ok {
		return slotLayout{}, "", false
	}
	var p struct {
		Momentum float64 `json:"momentum"`
		Amsgrad  bool    `json:"amsgrad"`
		Centered bool    `json:"centered"`
	}
	c := cf.Config()
	_ = json.Unmarshal(c.Params, &p)
	switch c.Name {
	case "adam":
		if p.Amsgrad {
			return slotLayout{kinds: []int{0, 1, 2}, interleaved: 2, gokeras: 3}, "adam", true
		}
		return slotLayout{kinds: []int{0, 1}, interleaved: 2, gokeras: 2}, "adam", true
	case "sgd":
		if p.Momentum == 0 {
			return slotLayout{}, "SGD", true
		}
		return slotLayout{kinds: []int{0}, gokeras: 1}, "SGD", true
	case "rmsprop":
		l := slotLayout{kinds: []int{0}, gokeras: 3}
		if p.Momentum > 0 {
			l.kinds = append(l.kinds, 1)
		}
		if p.Centered {
			l.kinds = append(l.kinds, 2)
		}
		return l, "rmsprop", true
	case "adagrad":
		return slotLayout{kinds: []int{0}, gokeras: 1}, "adagrad", true
	}
	return slotLayout{}, "", false
}

// trainableVars returns the model's trainable variables in Keras's
// model.trainable_variables order, with the leaf each belongs to.
type tvar struct {
	v  *backend.Variable
	lf leaf
	i  int // index among the leaf's variables
}

func trainableVars(t *tree) ([]tvar, error) {
	lvs, err := leaves(t)
	if err != nil {
		return nil, err
	}
	var out []tvar
	for _, lf := range lvs {
		for i, v := range lf.layer.Variables() {
			if v.Trainable() {
				out = append(out, tvar{v, lf, i})
			}
		}
	}
	return out, nil
}

// writeOptimizerVars writes optimizer/vars: iterations, learning_rate
// (absent with a schedule), then the slots in the optimizer's layout.
// Optimizers whose state does not map are left out (Keras then starts
// them afresh, with a warning).
func writeOptimizerVars(root *hdf5.GroupWriter, m *keras.Model, t *tree) error {
	opt := m.Optimizer()
	if opt == nil {
		return nil
	}
	layout, kname, ok := layoutOf(opt)
	if !ok {
		return nil
	}
	tv, err := trainableVars(t)
	if err != nil {
		return err
	}
	vars := make([]*backend.Variable, len(tv))
	for i, x := range tv {
		vars[i] = x.v
	}
	st, err := optimizers.StateOf(opt, m.Variables()...)
	if err != nil {
		return err
	}
	g, err := root.CreateGroup("optimizer/vars")
	if err != nil {
		return err
	}
	if err := g.SetAttr("name", kname); err != nil {
		return err
	}
	idx := 0
	put := func(data any, shape []int) error {
		_, err := g.CreateDataset(strconv.Itoa(idx), shape, data)
		idx++
		return err
	}
	if err := put([]int64{st.Iterations}, []int{}); err != nil {
		return err
	}
	cf := opt.(optimizers.Configurable)
	if cf.Config().Schedule == nil {
		if err := put([]float32{float32(st.LearningRate)}, []int{}); err != nil {
			return err
		}
	}
	slot := func(x tvar, kind int) Weight {
		bufs := st.Slots[x.v.Name()]
		w := Weight{Shape: x.v.Shape()}
		if kind < len(bufs) {
			w.Values = bufs[kind]
		} else {
			w.Values = make([]float64, x.v.Size())
		}
		return w
	}
	write := func(x tvar, kind int) error {
		w := slot(x, kind)
		if x.lf.conv.ExportWeights != nil {
			// Slots are laid out like their variable: convert them the
			// same way, one at a time in its position.
			ws := gokerasWeights(x.lf.layer)
			ws[x.i] = w
			conv, err := x.lf.conv.ExportWeights(x.lf.layer, ws)
			if err != nil {
				return err
			}
			if x.i >= len(conv) {
				return errors.Errorf("layer %s: cannot place optimizer slots through its weight conversion", x.lf.layer.Name())
			}
			w = conv[x.i]
		}
		return putFloats(g, strconv.Itoa(idx), w, m.Dtype())
	}
	emit := func(x tvar, kind int) error {
		err := write(x, kind)
		idx++
		return err
	}
	for _, x := range tv {
		for k := 0; k < layout.interleaved; k++ {
			if err := emit(x, layout.kinds[k]); err != nil {
				return err
			}
		}
	}
	for _, kind := range layout.kinds[layout.interleaved:] {
		for _, x := range tv {
			if err := emit(x, kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// readOptimizerVars restores the optimizer's state from optimizer/vars
// when the compiled optimizer's state maps; a file without them leaves the
// optimizer fresh, as Keras does.
func readOptimizerVars(root *hdf5.Group, m *keras.Model, t *tree, version string) error {
	opt := m.Optimizer()
	if opt == nil {
		return nil
	}
	g, err := root.Group("optimizer/vars")
	if err != nil {
		return nil
	}
	ws, err := varsOf(g, "optimizer/vars")
	if err != nil {
		return err
	}
	layout, _, ok := layoutOf(opt)
	if !ok || len(ws) == 0 {
		return nil
	}
	tv, err := trainableVars(t)
	if err != nil {
		return err
	}
	head := 2
	if opt.(optimizers.Configurable).Config().Schedule != nil {
		head = 1
	}
	want := head + len(layout.kinds)*len(tv)
	if len(ws) != want {
		return errors.Errorf("optimizer/vars holds %d variables; %s with %d trainable variables has %d", len(ws), opt.Name(), len(tv), want)
	}
	if len(ws[0].Values) != 1 || ws[0].Values[0] < 0 || ws[0].Values[0] != math.Trunc(ws[0].Values[0]) {
		return errors.New("optimizer/vars/0 (iterations) is not a non-negative integer scalar")
	}
	st := optimizers.State{Name: opt.Name(), Iterations: int64(ws[0].Values[0]), LearningRate: opt.LearningRate(), Slots: map[string][][]float64{}}
	if head == 2 {
		if len(ws[1].Values) != 1 || ws[1].Values[0] < 0 {
			return errors.New("optimizer/vars/1 (learning_rate) is not a non-negative scalar")
		}
		st.LearningRate = canonicalFloat32(ws[1].Values[0])
	}
	slots := ws[head:]
	get := func(interleaved bool) (map[int][]Weight, bool) {
		per := map[int][]Weight{} // variable -> slot by gokeras kind
		pos := 0
		place := func(vi, kind int) bool {
			w := slots[pos]
			pos++
			if !equalInts(w.Shape, tv[vi].v.Shape()) {
				return false
			}
			if per[vi] == nil {
				per[vi] = make([]Weight, layout.gokeras)
			}
			per[vi][kind] = w
			return true
		}
		if interleaved {
			for vi := range tv {
				for k := 0; k < layout.interleaved; k++ {
					if !place(vi, layout.kinds[k]) {
						return nil, false
					}
				}
			}
			for _, kind := range layout.kinds[layout.interleaved:] {
				for vi := range tv {
					if !place(vi, kind) {
						return nil, false
					}
				}
			}
		} else {
			for _, kind := range layout.kinds {
				for vi := range tv {
					if !place(vi, kind) {
						return nil, false
					}
				}
			}
		}
		return per, true
	}
	// Keras keeps Adam's momentum and velocity interleaved per variable;
	// some Keras 3 releases wrote them in two blocks. The shapes tell them
	// apart unless every variable has one shape, when both read alike.
	per, ok := get(layout.interleaved > 0)
	if !ok && layout.interleaved > 0 {
		per, ok = get(false)
	}
	if !ok {
		return errors.Errorf("optimizer/vars: the slots' shapes do not match the model's trainable variables (Keras %s)", version)
	}
	for vi, x := range tv {
		bufs := make([][]float64, layout.gokeras)
		for k := range bufs {
			w := per[vi][k]
			if w.Values == nil {
				w = Weight{Shape: x.v.Shape(), Values: make([]float64, x.v.Size())}
			} else if x.lf.conv.ImportWeights != nil {
				return errors.Errorf("layer %s: restoring optimizer slots of layers whose weights change layout is not supported; load with interop.WithoutCompile()", x.lf.layer.Name())
			}
			bufs[k] = w.Values
		}
		st.Slots[x.v.Name()] = bufs
	}
	if st.Iterations == 0 {
		st.Slots = nil
	}
	return errors.Wrap(optimizers.RestoreState(opt, st, m.Variables()), "optimizer state")
}
