package serving

import (
	"io"
	"strings"
	"time"

	"github.com/pkg/errors"
)

// ModelConfig describes one served model, as an entry of TF Serving's
// model_config_list (model_server_config.proto, ModelConfig).
type ModelConfig struct {
	// Name is the model's name in URLs (/v1/models/<Name>). Required.
	Name string
	// BasePath is the folder holding the model's versions, one folder per
	// version named by its number: <BasePath>/<version>/model.gokeras.
	// Required.
	BasePath string
	// VersionPolicy chooses the versions served (default: the latest).
	VersionPolicy VersionPolicy
	// VersionLabels name versions for /v1/models/<Name>/labels/<label>
	// URLs (default none).
	VersionLabels map[string]int64
}

// VersionPolicy chooses which versions of a model are served, as TF
// Serving's model_version_policy. The zero value serves the latest
// version only. At most one of All and Specific may be set, and Latest only
// when neither is.
type VersionPolicy struct {
	// Latest serves the N highest version numbers (default 1).
	Latest int
	// All serves every version.
	All bool
	// Specific serves the versions listed, when present.
	Specific []int64
}

func (p VersionPolicy) check() error {
	set := 0
	if p.Latest != 0 {
		set++
	}
	if p.All {
		set++
	}
	if len(p.Specific) > 0 {
		set++
	}
	switch {
	case set > 1:
		return errors.New("model_version_policy: give one of latest, all and specific")
	case p.Latest < 0:
		return errors.Errorf("model_version_policy: latest num_versions is %d, want >= 1", p.Latest)
	}
	for _, v := range p.Specific {
		if v < 0 {
			return errors.Errorf("model_version_policy: specific version %d is negative", v)
		}
	}
	return nil
}

func (c ModelConfig) check() error {
	if c.Name == "" {
		return errors.New("a model has no name")
	}
	if strings.ContainsAny(c.Name, "/:") {
		return errors.Errorf("model name %q has a '/' or ':', which its URLs cannot hold", c.Name)
	}
	if c.BasePath == "" {
		return errors.Errorf("model %s has no base path", c.Name)
	}
	if err := c.VersionPolicy.check(); err != nil {
		return errors.Wrapf(err, "model %s", c.Name)
	}
	for label, v := range c.VersionLabels {
		if label == "" || strings.ContainsAny(label, "/:") {
			return errors.Errorf("model %s: version label %q is empty or has a '/' or ':'", c.Name, label)
		}
		if v < 0 {
			return errors.Errorf("model %s: version label %q names version %d", c.Name, label, v)
		}
	}
	return nil
}

// ParseModelConfig reads a model configuration file in TF Serving's
// format (the text form of ModelServerConfig, --model_config_file):
//
//	model_config_list {
//	  config {
//	    name: "fashion"
//	    base_path: "/models/fashion"
//	    model_platform: "tensorflow"
//	    model_version_policy { specific { versions: 1 versions: 2 } }
//	    version_labels { key: "stable" value: 1 }
//	  }
//	}
//
// model_platform may be omitted, "tensorflow" or "gokeras"; the version
// policy is latest { num_versions: N }, all {} or specific { versions:
// ... }. A relative base_path is relative to the current folder. Fields
// TF Serving has and this server does not (logging_config, ...) are
// errors, not silently ignored.
func ParseModelConfig(r io.Reader) ([]ModelConfig, error) {
	src, err := readConfig(r)
	if err != nil {
		return nil, errors.Wrap(err, "serving: model config")
	}
	top, err := parseTextProto(src)
	if err != nil {
		return nil, errors.Wrap(err, "serving: model config")
	}
	var out []ModelConfig
	for _, f := range top {
		if f.name != "model_config_list" {
			return nil, errors.Wrap(unknownField(f, "ModelServerConfig", "model_config_list"), "serving: model config")
		}
		list, err := tpMsg(f)
		if err != nil {
			return nil, errors.Wrap(err, "serving: model config")
		}
		for _, c := range list {
			if c.name != "config" {
				return nil, errors.Wrap(unknownField(c, "model_config_list", "config"), "serving: model config")
			}
			mc, err := parseOneModelConfig(c)
			if err != nil {
				return nil, errors.Wrap(err, "serving: model config")
			}
			out = append(out, mc)
		}
	}
	seen := map[string]bool{}
	for _, c := range out {
		if seen[c.Name] {
			return nil, errors.Errorf("serving: model config: model %s is configured twice", c.Name)
		}
		seen[c.Name] = true
	}
	if len(out) == 0 {
		return nil, errors.New("serving: model config: no model is configured (model_config_list { config { ... } })")
	}
	return out, nil
}

func parseOneModelConfig(c tpField) (ModelConfig, error) {
	var mc ModelConfig
	fields, err := tpMsg(c)
	if err != nil {
		return mc, err
	}
	for _, f := range fields {
		switch f.name {
		case "name":
			mc.Name, err = tpString(f)
		case "base_path":
			mc.BasePath, err = tpString(f)
		case "model_platform":
			var p string
			if p, err = tpString(f); err == nil && p != "tensorflow" && p != "gokeras" {
				err = errors.Errorf("line %d: model_platform %q is not served here (use \"tensorflow\" or \"gokeras\", or leave it out)", f.line, p)
			}
		case "model_version_policy":
			mc.VersionPolicy, err = parseVersionPolicy(f)
		case "version_labels":
			err = parseVersionLabel(f, &mc)
		default:
			err = unknownField(f, "ModelConfig", "name", "base_path", "model_platform", "model_version_policy", "version_labels")
		}
		if err != nil {
			return mc, err
		}
	}
	if err := mc.check(); err != nil {
		return mc, errors.Wrapf(err, "line %d", c.line)
	}
	return mc, nil
}

func parseVersionPolicy(f tpField) (VersionPolicy, error) {
	var p VersionPolicy
	fields, err := tpMsg(f)
	if err != nil {
		return p, err
	}
	if len(fields) != 1 {
		return p, errors.Errorf("line %d: model_version_policy holds one of latest, all, specific", f.line)
	}
	kind := fields[0]
	sub, err := tpMsg(kind)
	if err != nil {
		return p, err
	}
	switch kind.name {
	case "latest":
		p.Latest = 1
		for _, g := range sub {
			if g.name != "num_versions" {
				return p, unknownField(g, "latest", "num_versions")
			}
			n, err := tpInt(g)
			if err != nil {
				return p, err
			}
			if n < 1 || n > 1<<20 {
				return p, errors.Errorf("line %d: num_versions is %d, want >= 1", g.line, n)
			}
			p.Latest = int(n)
		}
	case "all":
		if len(sub) > 0 {
			return p, unknownField(sub[0], "all")
		}
		p.All = true
	case "specific":
		for _, g := range sub {
			if g.name != "versions" {
				return p, unknownField(g, "specific", "versions")
			}
			n, err := tpInt(g)
			if err != nil {
				return p, err
			}
			p.Specific = append(p.Specific, n)
		}
		if len(p.Specific) == 0 {
			return p, errors.Errorf("line %d: specific lists no versions", kind.line)
		}
	default:
		return p, unknownField(kind, "model_version_policy", "latest", "all", "specific")
	}
	return p, nil
}

// parseVersionLabel reads one map entry: version_labels { key: "a" value: 1 }.
func parseVersionLabel(f tpField, mc *ModelConfig) error {
	fields, err := tpMsg(f)
	if err != nil {
		return err
	}
	var key string
	var val int64
	haveKey, haveVal := false, false
	for _, g := range fields {
		switch g.name {
		case "key":
			key, err = tpString(g)
			haveKey = true
		case "value":
			val, err = tpInt(g)
			haveVal = true
		default:
			err = unknownField(g, "version_labels", "key", "value")
		}
		if err != nil {
			return err
		}
	}
	if !haveKey || !haveVal {
		return errors.Errorf("line %d: version_labels needs a key and a value", f.line)
	}
	if mc.VersionLabels == nil {
		mc.VersionLabels = map[string]int64{}
	}
	if _, dup := mc.VersionLabels[key]; dup {
		return errors.Errorf("line %d: version label %q is given twice", f.line, key)
	}
	mc.VersionLabels[key] = val
	return nil
}

// ParseBatchingParameters reads a batching parameters file in TF
// Serving's format (the text form of BatchingParameters,
// --batching_parameters_file):
//
//	max_batch_size { value: 128 }
//	batch_timeout_micros { value: 1000 }
//	max_enqueued_batches { value: 100 }
//	num_batch_threads { value: 2 }
//
// Fields left out keep TF Serving's defaults (see BatchingParameters).
// thread_pool_name is accepted and has no effect; other fields of TF
// Serving's message (allowed_batch_sizes, pad_variable_length_inputs, ...)
// are errors: gokeras models have fixed input shapes, and the server bounds
// the number of compiled graphs itself (see PredictBatchSize).
func ParseBatchingParameters(r io.Reader) (BatchingParameters, error) {
	var p BatchingParameters
	src, err := readConfig(r)
	if err != nil {
		return p, errors.Wrap(err, "serving: batching parameters")
	}
	fields, err := parseTextProto(src)
	if err != nil {
		return p, errors.Wrap(err, "serving: batching parameters")
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if seen[f.name] {
			return p, errors.Errorf("serving: batching parameters: line %d: %s is given twice", f.line, f.name)
		}
		seen[f.name] = true
		if f.name == "thread_pool_name" {
			if _, err := tpMsg(f); err != nil {
				return p, errors.Wrap(err, "serving: batching parameters")
			}
			continue
		}
		switch f.name {
		case "max_batch_size", "max_enqueued_batches", "num_batch_threads", "batch_timeout_micros":
		default:
			return p, errors.Wrap(unknownField(f, "BatchingParameters", "max_batch_size", "batch_timeout_micros", "max_enqueued_batches", "num_batch_threads", "thread_pool_name"), "serving: batching parameters")
		}
		v, err := tpWrapped(f)
		if err != nil {
			return p, errors.Wrap(err, "serving: batching parameters")
		}
		const limit = 1 << 30
		if v < 0 || v > limit {
			return p, errors.Errorf("serving: batching parameters: line %d: %s is %d, want 0..%d", f.line, f.name, v, limit)
		}
		switch f.name {
		case "max_batch_size":
			p.MaxBatchSize = int(v)
		case "batch_timeout_micros":
			p.BatchTimeout = time.Duration(v) * time.Microsecond
		case "max_enqueued_batches":
			p.MaxEnqueuedBatches = int(v)
		case "num_batch_threads":
			p.NumBatchThreads = int(v)
		}
	}
	if err := p.check(); err != nil {
		return p, errors.Wrap(err, "serving: batching parameters")
	}
	return p, nil
}

// readConfig reads a configuration file, bounded.
func readConfig(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxConfigBytes {
		return "", errors.Errorf("the file is larger than %d bytes", maxConfigBytes)
	}
	return string(b), nil
}
