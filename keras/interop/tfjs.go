package interop

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
)

// The TensorFlow.js Layers format (tfjs-layers' LayersModel.save and
// tfjs-core's io): model.json holds modelTopology (a Keras 2 style model
// configuration), weightsManifest (groups of shard paths and weight
// specs: name, shape, dtype, optional quantization) and optionally
// trainingConfig; the shards are the weights' little-endian bytes
// concatenated in manifest order.

type tfjsSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Group        string        `json:"group,omitempty"`
	Quantization *quantization `json:"quantization,omitempty"`
}

type quantization struct {
	Dtype         string   `json:"dtype"`
	Min           *float64 `json:"min,omitempty"`
	Scale         *float64 `json:"scale,omitempty"`
	OriginalDtype string   `json:"original_dtype,omitempty"`
}

type tfjsGroup struct {
	Paths   []string   `json:"paths"`
	Weights []tfjsSpec `json:"weights"`
}

type tfjsModel struct {
	ModelTopology   json.RawMessage `json:"modelTopology"`
	Format          string          `json:"format"`
	GeneratedBy     string          `json:"generatedBy"`
	ConvertedBy     *string         `json:"convertedBy"`
	WeightsManifest []tfjsGroup     `json:"weightsManifest"`
	TrainingConfig  json.RawMessage `json:"trainingConfig,omitempty"`
}

// tfjsTopology is modelTopology: the model itself, or (tfjs-converter's
// Keras conversion) {"model_config": ..., "training_config": ...}.
func tfjsTopology(raw json.RawMessage) (entry, string, json.RawMessage, error) {
	var t struct {
		entry
		KerasVersion   string          `json:"keras_version"`
		ModelConfig    json.RawMessage `json:"model_config"`
		TrainingConfig json.RawMessage `json:"training_config"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return entry{}, "", nil, errors.Wrap(err, "modelTopology")
	}
	if len(t.ModelConfig) > 0 && !isNull(t.ModelConfig) {
		var e entry
		if err := json.Unmarshal(t.ModelConfig, &e); err != nil {
			return entry{}, "", nil, errors.Wrap(err, "modelTopology.model_config")
		}
		return e, t.KerasVersion, t.TrainingConfig, nil
	}
	return t.entry, t.KerasVersion, nil, nil
}

// tfjsBytes is the number of bytes one value of a spec takes in a shard.
func tfjsBytes(s tfjsSpec) (int, error) {
	if q := s.Quantization; q != nil {
		switch q.Dtype {
		case "uint8":
			if q.Min == nil || q.Scale == nil {
				return 0, errors.Errorf("weight %s: uint8 quantization without min and scale", s.Name)
			}
			return 1, nil
		case "uint16":
			if q.Min == nil || q.Scale == nil {
				return 0, errors.Errorf("weight %s: uint16 quantization without min and scale", s.Name)
			}
			return 2, nil
		case "float16":
			if s.Dtype != "float32" {
				return 0, errors.Errorf("weight %s: float16 quantization of a %s weight", s.Name, s.Dtype)
			}
			return 2, nil
		}
		return 0, errors.Errorf("weight %s: unknown quantization dtype %q (uint8, uint16, float16)", s.Name, q.Dtype)
	}
	switch s.Dtype {
	case "float32", "int32":
		return 4, nil
	case "bool":
		return 1, nil
	}
	return 0, errors.Errorf("weight %s: dtype %q is not supported (float32, int32, bool)", s.Name, s.Dtype)
}

// readTFJSWeights reads a manifest's shards and decodes every weight, as
// tfjs-core's decodeWeights does (quantized values are dequantized to
// float32: q*scale + min, float16 to float32). What the manifest declares
// is checked against the shards' sizes before anything is read.
func readTFJSWeights(mj *tfjsModel, dir string) ([]tfjsSpec, []Weight, int, error) {
	var specs []tfjsSpec
	var out []Weight
	totalValues := 0
	for gi, g := range mj.WeightsManifest {
		need := 0
		sizes := make([]int, len(g.Weights))
		for i, s := range g.Weights {
			n, ok := checkedProd(s.Shape)
			if !ok {
				return nil, nil, 0, errors.Errorf("weight %s: invalid shape %v", s.Name, s.Shape)
			}
			b, err := tfjsBytes(s)
			if err != nil {
				return nil, nil, 0, err
			}
			sizes[i] = n * b
			need += n * b
			totalValues += n
			if need > maxFileBytes || totalValues > 1<<40 {
				return nil, nil, 0, errors.Errorf("weights manifest group %d declares more than %d bytes", gi, int64(maxFileBytes))
			}
		}
		have := int64(0)
		var paths []string
		for _, p := range g.Paths {
			if p == "" || filepath.IsAbs(p) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(p)), "../") || filepath.Clean(p) == ".." {
				return nil, nil, 0, errors.Errorf("weight shard path %q leaves the model's folder", p)
			}
			full := filepath.Join(dir, filepath.FromSlash(p))
			fi, err := os.Stat(full)
			if err != nil {
				return nil, nil, 0, errors.Wrapf(unwrapPath(err), "weight shard %s", p)
			}
			have += fi.Size()
			paths = append(paths, full)
		}
		if have < int64(need) {
			return nil, nil, 0, errors.Errorf("weights manifest group %d declares %d bytes of weights, its shards %v hold %d", gi, need, g.Paths, have)
		}
		buf := make([]byte, 0, need)
		for i, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, nil, 0, errors.Wrapf(unwrapPath(err), "weight shard %s", g.Paths[i])
			}
			buf = append(buf, data...)
			if len(buf) >= need {
				break
			}
		}
		off := 0
		for i, s := range g.Weights {
			w, err := decodeTFJS(s, buf[off:off+sizes[i]])
			if err != nil {
				return nil, nil, 0, err
			}
			off += sizes[i]
			specs = append(specs, s)
			out = append(out, w)
		}
	}
	return specs, out, totalValues, nil
}

func decodeTFJS(s tfjsSpec, b []byte) (Weight, error) {
	n := prod(s.Shape)
	v := make([]float64, n)
	if q := s.Quantization; q != nil {
		switch q.Dtype {
		case "uint8", "uint16":
			for i := range v {
				var x float64
				if q.Dtype == "uint8" {
					x = float64(b[i])
				} else {
					x = float64(binary.LittleEndian.Uint16(b[2*i:]))
				}
				if s.Dtype == "int32" {
					v[i] = math.Round(x**q.Scale + *q.Min)
				} else {
					v[i] = float64(float32(x**q.Scale + *q.Min))
				}
			}
		case "float16":
			for i := range v {
				v[i] = float64(halfToFloat(binary.LittleEndian.Uint16(b[2*i:])))
			}
		}
	} else {
		switch s.Dtype {
		case "float32":
			for i := range v {
				v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
			}
		case "int32":
			for i := range v {
				v[i] = float64(int32(binary.LittleEndian.Uint32(b[4*i:])))
			}
		case "bool":
			for i := range v {
				if b[i] != 0 {
					v[i] = 1
				}
			}
		}
	}
	if i, ok := finite(v); !ok {
		return Weight{}, errors.Errorf("weight %s: value %d is %v (weights must be finite)", s.Name, i, v[i])
	}
	return Weight{Name: s.Name, Shape: append([]int{}, s.Shape...), Values: v}, nil
}

// halfToFloat decodes an IEEE 754 half-precision value.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// Subnormal: mant * 2^-24.
		f := float32(mant) * float32(math.Ldexp(1, -24))
		if sign != 0 {
			f = -f
		}
		return f
	case exp == 0x1f:
		if mant == 0 {
			return math.Float32frombits(sign | 0x7f800000)
		}
		return math.Float32frombits(sign | 0x7fc00000)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// floatToHalf rounds a float32 to the nearest half (ties to even), as
// numpy's astype(np.float16) does.
func floatToHalf(f float32) uint16 {
	u := math.Float32bits(f)
	sign := uint16(u>>16) & 0x8000
	exp := int((u >> 23) & 0xff)
	mant := u & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - e)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 == 1) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

func parseTFJS(data []byte) (*tfjsModel, error) {
	if len(data) > maxJSONBytes {
		return nil, errors.Errorf("model.json: %d bytes, more than %d", len(data), maxJSONBytes)
	}
	var mj tfjsModel
	if err := json.Unmarshal(data, &mj); err != nil {
		return nil, errors.Wrap(err, "model.json")
	}
	if mj.Format != "" && mj.Format != "layers-model" {
		return nil, errors.Errorf("model.json: format %q; gokeras reads TensorFlow.js Layers models (layers-model)", mj.Format)
	}
	if len(mj.ModelTopology) == 0 || isNull(mj.ModelTopology) {
		return nil, errors.New("model.json has no modelTopology")
	}
	return &mj, nil
}

// loadTFJS reads a TensorFlow.js Layers model.
func loadTFJS(data []byte, dir string, o *loadConfig) (*keras.Model, error) {
	mj, err := parseTFJS(data)
	if err != nil {
		return nil, err
	}
	top, version, tc, err := tfjsTopology(mj.ModelTopology)
	if err != nil {
		return nil, err
	}
	specs, ws, values, err := readTFJSWeights(mj, dir)
	if err != nil {
		return nil, err
	}
	r := &reader{dialect: TFJS, version: version, ctx: newBudget(values), dtype: o.dtype}
	m, t, err := r.model(top)
	if err != nil {
		return nil, errors.Wrap(err, "modelTopology")
	}
	if err := finishModel(m, r, o); err != nil {
		return nil, err
	}
	if err := assignTFJS(m, t, specs, ws); err != nil {
		return nil, err
	}
	if o.compile {
		if len(mj.TrainingConfig) == 0 || isNull(mj.TrainingConfig) {
			mj.TrainingConfig = tc
		}
		if len(mj.TrainingConfig) > 0 && !isNull(mj.TrainingConfig) {
			if err := compileLegacy(m, mj.TrainingConfig, TFJS); err != nil {
				return nil, errors.Wrap(err, "trainingConfig (load with interop.WithoutCompile() to skip it)")
			}
		}
	}
	return m, nil
}

// assignTFJS sets the model's weights from a manifest's, by name
// ("<layer>/<weight>"), as tfjs's loadWeights does; every model weight
// must be present, and every manifest weight (but the optimizer's) used.
func assignTFJS(m *keras.Model, t *tree, specs []tfjsSpec, ws []Weight) error {
	byName := map[string]int{}
	for i, s := range specs {
		if s.Group == "optimizer" {
			continue
		}
		if _, dup := byName[s.Name]; dup {
			return errors.Errorf("the weights manifest holds %s twice", s.Name)
		}
		byName[s.Name] = i
	}
	lvs, err := leaves(t)
	if err != nil {
		return err
	}
	used := map[int]bool{}
	values := make([][]Weight, len(lvs))
	for k, lf := range lvs {
		if len(lf.names) == 0 {
			continue
		}
		file := make([]Weight, len(lf.names))
		for j, wn := range lf.names {
			key := lf.layer.Name() + "/" + wn
			i, ok := byName[key]
			if !ok {
				return errors.Errorf("the weights manifest has no %s (layer %s, %s)", key, lf.layer.Name(), lf.layer.ClassName())
			}
			used[i] = true
			file[j] = ws[i]
		}
		v, err := importLeaf(lf, file)
		if err != nil {
			return err
		}
		values[k] = v
	}
	for name, i := range byName {
		if !used[i] {
			return errors.Errorf("the weights manifest holds %s, which no layer of the model has", name)
		}
	}
	return assign(m, lvs, values)
}

func loadTFJSWeights(data []byte, dir string, m *keras.Model, t *tree) error {
	mj, err := parseTFJS(data)
	if err != nil {
		return err
	}
	specs, ws, _, err := readTFJSWeights(mj, dir)
	if err != nil {
		return err
	}
	return assignTFJS(m, t, specs, ws)
}

// TFJSOption configures SaveTFJS.
type TFJSOption func(*tfjsSaveConfig)

type tfjsSaveConfig struct {
	quantize  string
	shard     int
	training  bool
	generator string
}

// TFJSQuantize stores the weights quantized as tfjs-converter does:
// "float16", or "uint8" / "uint16" with an affine range per weight whose
// zero point is nudged onto an integer (tensorflowjs/quantization.py).
// Default: float32, exact.
func TFJSQuantize(dtype string) TFJSOption { return func(c *tfjsSaveConfig) { c.quantize = dtype } }

// TFJSShardSize sets the largest weight shard in bytes (default 4 MiB,
// tfjs-converter's default).
func TFJSShardSize(bytes int) TFJSOption { return func(c *tfjsSaveConfig) { c.shard = bytes } }

// TFJSWithoutTrainingConfig leaves trainingConfig out of model.json
// (needed for a model compiled with an optimizer TensorFlow.js lacks).
func TFJSWithoutTrainingConfig() TFJSOption { return func(c *tfjsSaveConfig) { c.training = false } }

// SaveTFJS writes m as a TensorFlow.js Layers model into dir (created if
// needed): model.json and its weight shards group1-shard{i}of{n}.bin, as
// tfjs's own save and tfjs-converter lay them out; tf.loadLayersModel
// reads it. Weights are written as float32 (a float64 model's are
// rounded) unless TFJSQuantize is given. A compiled model's loss, metrics
// and optimizer go to trainingConfig. Layers TensorFlow.js lacks
// (Subtract, Keras 3's hard_sigmoid) give an error naming them.
func SaveTFJS(m *keras.Model, dir string, opts ...TFJSOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("interop: SaveTFJS: %s: internal error: %v", dir, r)
		}
	}()
	if m == nil {
		return errors.New("interop: SaveTFJS: nil model")
	}
	o := &tfjsSaveConfig{shard: 4 << 20, training: true, generator: "gokeras " + keras.Version}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if err := saveTFJS(m, dir, o); err != nil {
		return errors.Wrapf(err, "interop: SaveTFJS: %s", dir)
	}
	return nil
}

func saveTFJS(m *keras.Model, dir string, o *tfjsSaveConfig) error {
	switch o.quantize {
	case "", "float16", "uint8", "uint16":
	default:
		return errors.Errorf("quantization %q (float16, uint8 or uint16)", o.quantize)
	}
	if o.shard < 1 {
		return errors.Errorf("shard size %d < 1", o.shard)
	}
	t, err := treeOf(m)
	if err != nil {
		return err
	}
	mw := &modelWriter{dialect: TFJS, dtype: m.Dtype()}
	topology, err := mw.model(t)
	if err != nil {
		return err
	}
	topology = append(topology, kv{"keras_version", "tfjs-layers 4.22.0"}, kv{"backend", "tensor_flow.js"})
	lvs, err := leaves(t)
	if err != nil {
		return err
	}
	var specs []any
	var data []byte
	for _, lf := range lvs {
		ws, err := exportLeaf(lf, gokerasWeights(lf.layer))
		if err != nil {
			return err
		}
		for _, w := range ws {
			spec := obj("name", lf.layer.Name()+"/"+w.Name, "shape", w.Shape, "dtype", "float32")
			b, q, err := quantizeTFJS(w.Values, o.quantize)
			if err != nil {
				return errors.Wrapf(err, "weight %s/%s", lf.layer.Name(), w.Name)
			}
			if q != nil {
				spec = append(spec, kv{"quantization", q})
			}
			specs = append(specs, spec)
			data = append(data, b...)
		}
	}
	n := (len(data) + o.shard - 1) / o.shard
	if n == 0 {
		n = 1
	}
	var paths []any
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("group1-shard%dof%d.bin", i+1, n)
		lo, hi := i*o.shard, (i+1)*o.shard
		if hi > len(data) {
			hi = len(data)
		}
		if err := writeAtomic(filepath.Join(dir, name), data[lo:hi]); err != nil {
			return err
		}
		paths = append(paths, name)
	}
	if specs == nil {
		specs = []any{}
	}
	model := obj("modelTopology", topology, "format", "layers-model", "generatedBy", o.generator, "convertedBy", nil,
		"weightsManifest", []any{obj("paths", paths, "weights", specs)})
	if settings, ok := m.CompileSettings(); ok && o.training {
		tc, err := trainingConfigTFJS(settings)
		if err != nil {
			return errors.Wrap(err, "trainingConfig (save with interop.TFJSWithoutTrainingConfig() to leave it out)")
		}
		model = append(model, kv{"trainingConfig", tc})
	}
	js, err := model.MarshalJSON()
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "model.json"), js)
}

// quantizeTFJS encodes a weight's float32 values, quantized as
// tfjs-converter's quantize_weights does.
func quantizeTFJS(v []float64, dtype string) ([]byte, any, error) {
	f := float32Values(v)
	switch dtype {
	case "":
		b := make([]byte, 4*len(f))
		for i, x := range f {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		return b, nil, nil
	case "float16":
		b := make([]byte, 2*len(f))
		for i, x := range f {
			binary.LittleEndian.PutUint16(b[2*i:], floatToHalf(x))
		}
		return b, obj("dtype", "float16"), nil
	}
	quantMax := 255.0
	size := 1
	if dtype == "uint16" {
		quantMax, size = 65535, 2
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range f {
		lo = math.Min(lo, float64(x))
		hi = math.Max(hi, float64(x))
	}
	b := make([]byte, size*len(f))
	scale := 1.0
	if len(f) > 0 && lo != hi {
		scale = (hi - lo) / quantMax
		nlo, nhi := lo, hi
		if lo <= 0 && 0 <= hi {
			zero := math.RoundToEven((0 - lo) / scale)
			nlo = -zero * scale
			nhi = quantMax*scale + nlo
		}
		for i, x := range f {
			c := math.Min(math.Max(float64(x), nlo), nhi)
			q := math.RoundToEven((c - nlo) / scale)
			if size == 1 {
				b[i] = byte(q)
			} else {
				binary.LittleEndian.PutUint16(b[2*i:], uint16(q))
			}
		}
		lo = nlo
	}
	if len(f) == 0 {
		lo = 0
	}
	return b, obj("dtype", dtype, "min", lo, "scale", scale), nil
}
