package keras

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/npy"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// The file format (docs/format.md): a zip archive holding JSON documents
// and one .npy file per tensor.
const (
	// FormatName is the "format" field of every file gokeras saves and of
	// ToJSON's output.
	FormatName = "gokeras"
	// FormatVersion is the version of the file format this code writes,
	// and the newest it reads.
	FormatVersion = 2
)

const (
	kindModel   = "model"   // Save: architecture, compile config, weights, training state
	kindWeights = "weights" // SaveWeights: weights only

	memberMetadata   = "metadata.json"
	memberConfig     = "config.json"
	memberWeights    = "weights.json"
	memberOptimizer  = "optimizer.json"
	memberLayerState = "layers.json"

	maxJSONMember = 64 << 20 // bytes
	maxDeflate    = 1100     // deflate expands at most ~1032:1
)

// fileMetadata is metadata.json.
type fileMetadata struct {
	Format         string `json:"format"`
	FormatVersion  int    `json:"format_version"`
	Kind           string `json:"kind"`
	GokerasVersion string `json:"gokeras_version"`
	Dtype          string `json:"dtype"`
	Seed           int64  `json:"seed"`
	Created        string `json:"created"`
}

// layerJSON is one layer of a model's configuration. In a functional
// model's configuration it also lists the layer's applications: for each,
// the tensors it was applied to.
type layerJSON struct {
	ClassName    string          `json:"class_name"`
	Config       json.RawMessage `json:"config"`
	InboundNodes [][]tensorRef   `json:"inbound_nodes,omitempty"`
}

// tensorRef names a tensor of a functional model as Keras does: the layer
// producing it, which application of that layer (node index within the
// model) and which of its outputs. It is written as [layer, node, tensor].
type tensorRef struct {
	Layer  string
	Node   int
	Tensor int
}

func (r tensorRef) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{r.Layer, r.Node, r.Tensor})
}

func (r *tensorRef) UnmarshalJSON(data []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || len(raw) != 3 {
		return errors.Errorf("a tensor reference is [layer, node index, tensor index], got %s", truncate(data))
	}
	if err := json.Unmarshal(raw[0], &r.Layer); err != nil {
		return errors.Errorf("tensor reference %s: layer name: %v", truncate(data), err)
	}
	if err := json.Unmarshal(raw[1], &r.Node); err != nil || r.Node < 0 {
		return errors.Errorf("tensor reference %s: invalid node index", truncate(data))
	}
	if err := json.Unmarshal(raw[2], &r.Tensor); err != nil || r.Tensor < 0 {
		return errors.Errorf("tensor reference %s: invalid tensor index", truncate(data))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// architectureJSON is the configuration of a model: for a Sequential
// model its layers in order; for a functional model every layer with its
// inbound nodes, and the tensors that are the model's inputs and
// outputs.
type architectureJSON struct {
	Name         string      `json:"name"`
	Seed         int64       `json:"seed"`
	Dtype        string      `json:"dtype"`
	Layers       []layerJSON `json:"layers"`
	InputLayers  []tensorRef `json:"input_layers,omitempty"`
	OutputLayers []tensorRef `json:"output_layers,omitempty"`
	OutputNames  []string    `json:"output_names,omitempty"`
}

// compileJSON records what Compile was given.
type compileJSON struct {
	// Loss is the loss of every output (models whose outputs share one).
	Loss *losses.Config `json:"loss,omitempty"`
	// Losses holds each output's loss by output name when they differ;
	// outputs without a loss are absent.
	Losses        map[string]losses.Config `json:"losses,omitempty"`
	LossWeights   []float64                `json:"loss_weights,omitempty"`
	Optimizer     optimizers.Config        `json:"optimizer"`
	Metrics       []string                 `json:"metrics,omitempty"`
	OutputMetrics map[string][]string      `json:"output_metrics,omitempty"`
}

// modelJSON is ToJSON's output and config.json.
type modelJSON struct {
	Format         string           `json:"format"`
	FormatVersion  int              `json:"format_version"`
	GokerasVersion string           `json:"gokeras_version"`
	ClassName      string           `json:"class_name"`
	Config         architectureJSON `json:"config"`
	CompileConfig  *compileJSON     `json:"compile_config,omitempty"`
}

// weightEntry is one tensor in weights.json.
type weightEntry struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	File  string `json:"file"`
}

type weightsIndex struct {
	Weights []weightEntry `json:"weights"`
}

// optimizerFile is optimizer.json.
type optimizerFile struct {
	Name         string      `json:"name"`
	Iterations   int64       `json:"iterations"`
	LearningRate float64     `json:"learning_rate"`
	Partial      bool        `json:"partial,omitempty"`
	Slots        []slotEntry `json:"slots,omitempty"`
}

type slotEntry struct {
	Variable string   `json:"variable"`
	Files    []string `json:"files"`
}

// layerStateFile is layers.json.
type layerStateFile struct {
	States []layerStateEntry `json:"states"`
}

type layerStateEntry struct {
	Layer string `json:"layer"`
	State []byte `json:"state"`
}

// tensorData is one saved tensor.
type tensorData struct {
	name  string
	shape []int
	arr   npy.Array
}

// snapshot is everything a file holds, checked for internal consistency
// but not yet against a model.
type snapshot struct {
	meta        fileMetadata
	model       *modelJSON // kindModel only
	weights     []tensorData
	opt         *optimizers.State // kindModel and compiled only
	layerStates []layerStateEntry
}

// metadata describes m for a file of the given kind.
func (m *Model) metadata(kind string) fileMetadata {
	return fileMetadata{
		Format:         FormatName,
		FormatVersion:  FormatVersion,
		Kind:           kind,
		GokerasVersion: Version,
		Dtype:          m.dtype.String(),
		Seed:           m.seed,
		Created:        time.Now().UTC().Format(time.RFC3339),
	}
}

// architecture returns the model's configuration (without compile
// config). The model must be built.
func (m *Model) architecture() (*modelJSON, error) {
	cfg, err := m.architectureConfig()
	if err != nil {
		return nil, err
	}
	return &modelJSON{
		Format: FormatName, FormatVersion: FormatVersion, GokerasVersion: Version, ClassName: m.ClassName(),
		Config: cfg,
	}, nil
}

// architectureConfig describes the model's graph (built).
func (m *Model) architectureConfig() (architectureJSON, error) {
	cfg := architectureJSON{Name: m.Name(), Seed: m.seed, Dtype: m.dtype.String()}
	enc := func(l layers.Layer) (layerJSON, error) {
		if v, ok := l.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return layerJSON{}, err
			}
		}
		raw, err := json.Marshal(l.Config())
		if err != nil {
			return layerJSON{}, errors.Wrapf(err, "layer %s: encoding its config", l.Name())
		}
		return layerJSON{ClassName: l.ClassName(), Config: raw}, nil
	}
	if m.sequential {
		for _, l := range m.configLayers() {
			lj, err := enc(l)
			if err != nil {
				return cfg, err
			}
			cfg.Layers = append(cfg.Layers, lj)
		}
		return cfg, nil
	}
	ref := func(t *layers.Tensor) tensorRef {
		return tensorRef{Layer: t.Layer().Name(), Node: m.g.NodeIndex(t.Node()), Tensor: t.Index()}
	}
	for _, l := range m.g.Layers() {
		lj, err := enc(l)
		if err != nil {
			return cfg, err
		}
		for _, n := range l.LayerBase().Nodes() {
			if !m.g.Contains(n) || len(n.Inputs()) == 0 {
				continue
			}
			var in []tensorRef
			for _, t := range n.Inputs() {
				in = append(in, ref(t))
			}
			lj.InboundNodes = append(lj.InboundNodes, in)
		}
		cfg.Layers = append(cfg.Layers, lj)
	}
	for _, t := range m.g.Inputs() {
		cfg.InputLayers = append(cfg.InputLayers, ref(t))
	}
	for _, t := range m.g.Outputs() {
		cfg.OutputLayers = append(cfg.OutputLayers, ref(t))
	}
	cfg.OutputNames = m.outputNamesList()
	return cfg, nil
}

// configLayers returns the layers a saved configuration lists, in order:
// for a Sequential model the layers as added (without the input layer
// Build made from the first layer's input shape), for a functional model
// every layer.
func (m *Model) configLayers() []layers.Layer {
	if !m.sequential {
		return m.g.Layers()
	}
	var out []layers.Layer
	for _, l := range m.g.Layers() {
		if _, isInput := l.(*layers.InputLayer); isInput && m.seq[0] != l {
			continue
		}
		out = append(out, l)
	}
	return out
}

// layerConfig is the model's configuration as a layer of another model.
func (m *Model) layerConfig() any {
	if err := m.Build(); err != nil {
		return map[string]string{"error": err.Error()}
	}
	cfg, err := m.architectureConfig()
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	return cfg
}

// compileRecord describes what Compile was given, for saving.
func (c *compiled) record() *compileJSON {
	oc := optimizers.Config{Name: c.optimizer.Name()}
	if cf, ok := c.optimizer.(optimizers.Configurable); ok {
		oc = cf.Config()
	}
	cj := &compileJSON{Optimizer: oc, Metrics: c.metricSpecs, LossWeights: c.lossWeights}
	if len(c.outMetricSpecs) > 0 {
		cj.OutputMetrics = c.outMetricSpecs
	}
	var first losses.Loss
	same := true
	for _, o := range c.outputs {
		if o.loss == nil {
			same = false
			continue
		}
		if first == nil {
			first = o.loss
		} else if o.loss != first {
			same = false
		}
	}
	switch {
	case first == nil:
	case same:
		lc := losses.ConfigOf(first)
		cj.Loss = &lc
	default:
		cj.Losses = map[string]losses.Config{}
		for _, o := range c.outputs {
			if o.loss != nil {
				cj.Losses[o.name] = losses.ConfigOf(o.loss)
			}
		}
	}
	return cj
}

// statefulLayers returns every layer of the model (nested models'
// included) that keeps state outside its weights, with its path name
// ("inner_model/dropout").
func (m *Model) statefulLayers() []namedStateful {
	var out []namedStateful
	var walk func(prefix string, mm *Model)
	walk = func(prefix string, mm *Model) {
		for _, l := range mm.g.Layers() {
			if inner, ok := modelOf(l); ok {
				walk(prefix+inner.Name()+"/", inner)
				continue
			}
			if sl, ok := l.(layers.Stateful); ok {
				out = append(out, namedStateful{prefix + l.Name(), sl})
			}
		}
	}
	walk("", m)
	return out
}

type namedStateful struct {
	name string
	l    layers.Stateful
}

// snapshot captures what a file of the given kind holds, consistently:
// no training step runs while it copies the weights and state.
func (m *Model) snapshot(kind string) (*snapshot, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	s := &snapshot{meta: m.metadata(kind)}
	var opt optimizers.Optimizer
	if kind == kindModel {
		mj, err := m.architecture()
		if err != nil {
			return nil, err
		}
		if c := m.compiled.Load(); c != nil {
			opt = c.optimizer
			mj.CompileConfig = c.record()
		}
		s.model = mj
	}
	m.weightsMu.RLock()
	defer m.weightsMu.RUnlock()
	for _, v := range m.vars {
		arr := arrayOf(v.Value().Data())
		// One rule for saving and loading: files hold finite weights only.
		// A model whose training diverged is not saved (so it cannot
		// replace a good checkpoint), and LoadModel refuses what Save would
		// not write.
		if i, x, bad := firstNonFinite(arr); bad {
			return nil, errors.Wrap(&DataError{Arg: v.Name(), Row: -1, Col: i, Value: x,
				Msg: "saved weights must be finite (the training diverged?)"}, "keras")
		}
		s.weights = append(s.weights, tensorData{name: v.Name(), shape: v.Shape(), arr: arr})
	}
	if kind != kindModel {
		return s, nil
	}
	if opt != nil {
		st, err := optimizers.StateOf(opt, m.vars...)
		if err != nil {
			return nil, err
		}
		for _, name := range sortedKeys(st.Slots) {
			for k, buf := range st.Slots[name] {
				for i, x := range buf {
					if math.IsNaN(x) || math.IsInf(x, 0) {
						return nil, errors.Wrap(&DataError{Arg: fmt.Sprintf("optimizer slot %d of %s", k, name), Row: -1, Col: i, Value: x,
							Msg: "saved state must be finite (the training diverged?)"}, "keras")
					}
				}
			}
		}
		s.opt = &st
	}
	for _, sl := range m.statefulLayers() {
		state, err := sl.l.LayerState()
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s: state", sl.name)
		}
		if state != nil {
			s.layerStates = append(s.layerStates, layerStateEntry{Layer: sl.name, State: state})
		}
	}
	return s, nil
}

// arrayOf copies a float32 or float64 slice.
func arrayOf(data interface{}) npy.Array {
	switch d := data.(type) {
	case []float32:
		return npy.Array{F32: append([]float32(nil), d...)}
	case []float64:
		return npy.Array{F64: append([]float64(nil), d...)}
	}
	return npy.Array{}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// memberName names the zip member of tensor i: readable, always unique.
func memberName(dir string, i int, name, suffix string) string {
	return fmt.Sprintf("%s/%04d_%s%s.npy", dir, i, unsafeChars.ReplaceAllString(name, "_"), suffix)
}

// write encodes the snapshot as a zip archive.
func (s *snapshot) write(w io.Writer) error {
	created, err := time.Parse(time.RFC3339, s.meta.Created)
	if err != nil {
		created = time.Now()
	}
	zw := zip.NewWriter(w)
	put := func(name string, method uint16, data []byte) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: created})
		if err != nil {
			return errors.Wrapf(err, "writing %s", name)
		}
		_, err = fw.Write(data)
		return errors.Wrapf(err, "writing %s", name)
	}
	putJSON := func(name string, v interface{}) error {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return errors.Wrapf(err, "encoding %s", name)
		}
		return put(name, zip.Deflate, append(data, '\n'))
	}
	putArray := func(name string, shape []int, a npy.Array) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: created})
		if err != nil {
			return errors.Wrapf(err, "writing %s", name)
		}
		var data interface{} = a.F64
		if a.F32 != nil {
			data = a.F32
		}
		return errors.Wrapf(npy.Write(fw, shape, data), "writing %s", name)
	}
	if err := putJSON(memberMetadata, s.meta); err != nil {
		return err
	}
	if s.model != nil {
		if err := putJSON(memberConfig, s.model); err != nil {
			return err
		}
	}
	index := weightsIndex{Weights: make([]weightEntry, len(s.weights))}
	shapes := map[string][]int{}
	for i, t := range s.weights {
		index.Weights[i] = weightEntry{Name: t.name, Shape: t.shape, File: memberName("weights", i, t.name, "")}
		shapes[t.name] = t.shape
	}
	if err := putJSON(memberWeights, index); err != nil {
		return err
	}
	for i, t := range s.weights {
		if err := putArray(index.Weights[i].File, t.shape, t.arr); err != nil {
			return err
		}
	}
	if s.opt != nil {
		of := optimizerFile{Name: s.opt.Name, Iterations: s.opt.Iterations, LearningRate: s.opt.LearningRate, Partial: s.opt.Partial}
		type pending struct {
			file  string
			shape []int
			data  []float64
		}
		var arrays []pending
		for i, t := range s.weights {
			bufs, ok := s.opt.Slots[t.name]
			if !ok {
				continue
			}
			e := slotEntry{Variable: t.name, Files: []string{}}
			for j, b := range bufs {
				f := memberName("optimizer", i, t.name, fmt.Sprintf("_%d", j))
				e.Files = append(e.Files, f)
				arrays = append(arrays, pending{f, t.shape, b})
			}
			of.Slots = append(of.Slots, e)
		}
		if err := putJSON(memberOptimizer, of); err != nil {
			return err
		}
		for _, p := range arrays {
			a := npy.Array{F64: p.data}
			if s.meta.Dtype == tensor.Float32.String() {
				a = npy.Array{F32: make([]float32, len(p.data))}
				for i, x := range p.data {
					a.F32[i] = float32(x)
				}
			}
			if err := putArray(p.file, p.shape, a); err != nil {
				return err
			}
		}
	}
	if len(s.layerStates) > 0 {
		if err := putJSON(memberLayerState, layerStateFile{States: s.layerStates}); err != nil {
			return err
		}
	}
	return errors.Wrap(zw.Close(), "finishing the zip archive")
}
