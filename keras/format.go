package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
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
	FormatVersion = 1
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

// layerJSON is one layer of a model's configuration.
type layerJSON struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

// sequentialConfig is the configuration of a Sequential model.
type sequentialConfig struct {
	Name   string      `json:"name"`
	Seed   int64       `json:"seed"`
	Dtype  string      `json:"dtype"`
	Layers []layerJSON `json:"layers"`
}

// compileConfig records what Compile was given.
type compileConfig struct {
	Loss      losses.Config     `json:"loss"`
	Optimizer optimizers.Config `json:"optimizer"`
	Metrics   []string          `json:"metrics,omitempty"`
}

// modelJSON is ToJSON's output and config.json.
type modelJSON struct {
	Format         string           `json:"format"`
	FormatVersion  int              `json:"format_version"`
	GokerasVersion string           `json:"gokeras_version"`
	ClassName      string           `json:"class_name"`
	Config         sequentialConfig `json:"config"`
	CompileConfig  *compileConfig   `json:"compile_config,omitempty"`
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
	mj := &modelJSON{
		Format: FormatName, FormatVersion: FormatVersion, GokerasVersion: Version, ClassName: "Sequential",
		Config: sequentialConfig{Name: m.name, Seed: m.seed, Dtype: m.dtype.String()},
	}
	for _, l := range m.layers {
		raw, err := json.Marshal(l.Config())
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s: encoding its config", l.Name())
		}
		mj.Config.Layers = append(mj.Config.Layers, layerJSON{ClassName: l.ClassName(), Config: raw})
	}
	return mj, nil
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
		if c := m.compiled; c != nil {
			opt = c.optimizer
			oc := optimizers.Config{Name: opt.Name()}
			if cf, ok := opt.(optimizers.Configurable); ok {
				oc = cf.Config()
			}
			mj.CompileConfig = &compileConfig{Loss: losses.ConfigOf(c.loss), Optimizer: oc, Metrics: c.metricSpecs}
		}
		s.model = mj
	}
	m.weightsMu.RLock()
	defer m.weightsMu.RUnlock()
	for _, v := range m.vars {
		s.weights = append(s.weights, tensorData{name: v.Name(), shape: v.Shape(), arr: arrayOf(v.Value().Data())})
	}
	if kind != kindModel {
		return s, nil
	}
	if opt != nil {
		st, err := optimizers.StateOf(opt, m.vars...)
		if err != nil {
			return nil, err
		}
		s.opt = &st
	}
	for _, l := range m.layers {
		sl, ok := l.(layers.Stateful)
		if !ok {
			continue
		}
		state, err := sl.LayerState()
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s: state", l.Name())
		}
		if state != nil {
			s.layerStates = append(s.layerStates, layerStateEntry{Layer: l.Name(), State: state})
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
		var data []byte
		var err error
		if a.F32 != nil {
			data, err = npy.Encode(shape, a.F32)
		} else {
			data, err = npy.Encode(shape, a.F64)
		}
		if err != nil {
			return errors.Wrapf(err, "encoding %s", name)
		}
		return put(name, zip.Store, data)
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

// archive is an opened zip archive with its members by name.
type archive struct {
	members map[string]*zip.File
}

func openArchive(data []byte) (*archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.Wrap(err, "not a gokeras file (not a readable zip archive)")
	}
	a := &archive{members: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		if _, dup := a.members[f.Name]; dup {
			return nil, errors.Errorf("the archive holds %s twice", f.Name)
		}
		a.members[f.Name] = f
	}
	return a, nil
}

// read returns a member's content, refusing members larger than limit
// and implausible compression ratios (zip bombs).
func (a *archive) read(name string, limit int64) ([]byte, error) {
	f, ok := a.members[name]
	if !ok {
		return nil, errors.Errorf("%s is missing", name)
	}
	size := f.UncompressedSize64
	switch {
	case size > uint64(limit):
		return nil, errors.Errorf("%s: %d bytes, more than the %d expected", name, size, limit)
	case f.Method == zip.Store && f.CompressedSize64 != size:
		return nil, errors.Errorf("%s: stored with %d bytes but declares %d", name, f.CompressedSize64, size)
	case f.Method != zip.Store && size > maxDeflate*f.CompressedSize64+1024:
		return nil, errors.Errorf("%s: implausible compression ratio (%d bytes from %d)", name, size, f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errors.Wrapf(err, "%s", name)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errors.Wrapf(err, "%s", name)
	}
	if int64(len(data)) > limit || uint64(len(data)) != size {
		return nil, errors.Errorf("%s: %d bytes, its header says %d", name, len(data), size)
	}
	return data, nil
}

func (a *archive) readJSON(name string, into interface{}) error {
	data, err := a.read(name, maxJSONMember)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return errors.Wrapf(err, "%s", name)
	}
	return nil
}

// readArray reads a .npy member that must have the given shape and dtype
// and hold only finite values.
func (a *archive) readArray(name string, shape []int, dtype string) (npy.Array, error) {
	n, ok := checkedProd(shape)
	if !ok {
		return npy.Array{}, errors.Errorf("%s: invalid shape %s", name, tupleString(shape))
	}
	data, err := a.read(name, int64(12+npy.MaxHeader+8*n))
	if err != nil {
		return npy.Array{}, err
	}
	arr, err := npy.Decode(data)
	if err != nil {
		return npy.Array{}, errors.Wrapf(err, "%s", name)
	}
	if !equalInts(arr.Shape, shape) {
		return npy.Array{}, errors.Errorf("%s: shape %s, the index says %s", name, tupleString(arr.Shape), tupleString(shape))
	}
	if arr.Dtype() != dtype {
		return npy.Array{}, errors.Errorf("%s: dtype %s, the file's metadata says %s", name, arr.Dtype(), dtype)
	}
	if i, x, bad := firstNonFinite(arr); bad {
		return npy.Array{}, errors.Errorf("%s: value %d is %v", name, i, x)
	}
	return arr, nil
}

// checkedProd returns the product of dims that must each be >= 1, and
// false on an invalid dimension or a product above 2^40.
func checkedProd(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 1 || d > 1<<40 || n > (1<<40)/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

func firstNonFinite(a npy.Array) (int, float64, bool) {
	for i, x := range a.F32 {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return i, f, true
		}
	}
	for i, x := range a.F64 {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i, x, true
		}
	}
	return 0, 0, false
}

// tupleString formats a shape the way numpy prints it: (13, 64), (64,).
func tupleString(shape []int) string {
	if len(shape) == 1 {
		return fmt.Sprintf("(%d,)", shape[0])
	}
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// decodeSnapshot reads and checks everything a file holds.
func decodeSnapshot(data []byte) (*snapshot, error) {
	a, err := openArchive(data)
	if err != nil {
		return nil, err
	}
	s := &snapshot{}
	if _, ok := a.members[memberMetadata]; !ok {
		return nil, errors.New("not a gokeras file (no metadata.json)")
	}
	if err := a.readJSON(memberMetadata, &s.meta); err != nil {
		return nil, err
	}
	if err := checkMetadata(s.meta, a); err != nil {
		return nil, err
	}
	if s.meta.Kind == kindModel {
		s.model = &modelJSON{}
		if err := a.readJSON(memberConfig, s.model); err != nil {
			return nil, err
		}
		if err := checkModelJSON(s.model); err != nil {
			return nil, errors.Wrap(err, memberConfig)
		}
		if s.model.Config.Dtype != s.meta.Dtype || s.model.Config.Seed != s.meta.Seed {
			return nil, errors.Errorf("%s says dtype %s and seed %d, %s says %s and %d",
				memberConfig, s.model.Config.Dtype, s.model.Config.Seed, memberMetadata, s.meta.Dtype, s.meta.Seed)
		}
	}
	var index weightsIndex
	if err := a.readJSON(memberWeights, &index); err != nil {
		return nil, err
	}
	shapes := map[string][]int{}
	total := 0
	for i, e := range index.Weights {
		if e.Name == "" {
			return nil, errors.Errorf("%s: weight %d has no name", memberWeights, i)
		}
		if _, dup := shapes[e.Name]; dup {
			return nil, errors.Errorf("%s: two weights are named %s", memberWeights, e.Name)
		}
		n, ok := checkedProd(e.Shape)
		if !ok || len(e.Shape) == 0 {
			return nil, errors.Errorf("%s: weight %s has invalid shape %v", memberWeights, e.Name, e.Shape)
		}
		if total += n; total > 1<<40 {
			return nil, errors.Errorf("%s: too many values", memberWeights)
		}
		shapes[e.Name] = e.Shape
		arr, err := a.readArray(e.File, e.Shape, s.meta.Dtype)
		if err != nil {
			return nil, errors.Wrapf(err, "weight %s", e.Name)
		}
		s.weights = append(s.weights, tensorData{name: e.Name, shape: e.Shape, arr: arr})
	}
	if s.meta.Kind != kindModel {
		return s, nil
	}
	if _, ok := a.members[memberOptimizer]; ok {
		if s.model.CompileConfig == nil {
			return nil, errors.Errorf("%s is present but %s has no compile_config", memberOptimizer, memberConfig)
		}
		var of optimizerFile
		if err := a.readJSON(memberOptimizer, &of); err != nil {
			return nil, err
		}
		st := &optimizers.State{Name: of.Name, Iterations: of.Iterations, LearningRate: of.LearningRate, Partial: of.Partial}
		if of.Iterations < 0 || !(of.LearningRate >= 0) || math.IsInf(of.LearningRate, 0) {
			return nil, errors.Errorf("%s: invalid iterations %d or learning rate %v", memberOptimizer, of.Iterations, of.LearningRate)
		}
		for _, e := range of.Slots {
			shape, ok := shapes[e.Variable]
			if !ok {
				return nil, errors.Errorf("%s: slots for %s, which is not among the weights", memberOptimizer, e.Variable)
			}
			if _, dup := st.Slots[e.Variable]; dup {
				return nil, errors.Errorf("%s: %s has two slot lists", memberOptimizer, e.Variable)
			}
			if st.Slots == nil {
				st.Slots = map[string][][]float64{}
			}
			bufs := [][]float64{}
			for _, f := range e.Files {
				arr, err := a.readArray(f, shape, s.meta.Dtype)
				if err != nil {
					return nil, errors.Wrapf(err, "optimizer slot of %s", e.Variable)
				}
				bufs = append(bufs, arr.Float64s())
			}
			st.Slots[e.Variable] = bufs
		}
		s.opt = st
	}
	if _, ok := a.members[memberLayerState]; ok {
		var lf layerStateFile
		if err := a.readJSON(memberLayerState, &lf); err != nil {
			return nil, err
		}
		names := map[string]bool{}
		for _, l := range s.model.Config.Layers {
			var bc layers.BaseConfig
			if json.Unmarshal(l.Config, &bc) == nil {
				names[bc.Name] = true
			}
		}
		seen := map[string]bool{}
		for _, e := range lf.States {
			if !names[e.Layer] || seen[e.Layer] {
				return nil, errors.Errorf("%s: state for layer %q, which %s does not name once", memberLayerState, e.Layer, memberConfig)
			}
			seen[e.Layer] = true
		}
		s.layerStates = lf.States
	}
	return s, nil
}

func checkMetadata(md fileMetadata, a *archive) error {
	if md.Format != FormatName {
		if _, ok := a.members["model.weights.h5"]; ok {
			return errors.New("this is a Keras (Python) .keras file; gokeras reads files saved by gokeras (docs/format.md)")
		}
		return errors.Errorf("%s: format %q, want %q", memberMetadata, md.Format, FormatName)
	}
	if md.FormatVersion < 1 {
		return errors.Errorf("%s: invalid format version %d", memberMetadata, md.FormatVersion)
	}
	if md.FormatVersion > FormatVersion {
		return errors.Errorf("format version %d (written by gokeras %s) is newer than this gokeras (%s) reads (%d): upgrade gokeras",
			md.FormatVersion, md.GokerasVersion, Version, FormatVersion)
	}
	if md.Kind != kindModel && md.Kind != kindWeights {
		return errors.Errorf("%s: unknown kind %q (want %q or %q)", memberMetadata, md.Kind, kindModel, kindWeights)
	}
	if _, err := parseDtype(md.Dtype); err != nil {
		return errors.Wrap(err, memberMetadata)
	}
	return nil
}

// checkModelJSON checks the fields every model configuration needs.
func checkModelJSON(mj *modelJSON) error {
	if mj.Format != FormatName {
		return errors.Errorf("format %q, want %q", mj.Format, FormatName)
	}
	if mj.FormatVersion < 1 || mj.FormatVersion > FormatVersion {
		return errors.Errorf("format version %d, this gokeras (%s) reads 1 to %d", mj.FormatVersion, Version, FormatVersion)
	}
	if mj.ClassName != "Sequential" {
		return errors.Errorf("model class %q is not supported (only Sequential)", mj.ClassName)
	}
	if _, err := parseDtype(mj.Config.Dtype); err != nil {
		return err
	}
	if len(mj.Config.Layers) == 0 {
		return errors.New("the model has no layers")
	}
	return nil
}

func parseDtype(s string) (tensor.Dtype, error) {
	switch s {
	case "float32":
		return tensor.Float32, nil
	case "float64":
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, errors.Errorf("dtype %q is not supported (float32 or float64)", s)
}

// modelFromJSON rebuilds and builds a model from its configuration.
// maxParams > 0 bounds the values its weights may hold.
func modelFromJSON(mj *modelJSON, maxParams int) (m *Model, err error) {
	if err := checkModelJSON(mj); err != nil {
		return nil, err
	}
	dt, _ := parseDtype(mj.Config.Dtype)
	ls := make([]layers.Layer, 0, len(mj.Config.Layers))
	for i, lj := range mj.Config.Layers {
		l, err := layerFromJSON(lj)
		if err != nil {
			var bc layers.BaseConfig
			if json.Unmarshal(lj.Config, &bc) == nil && bc.Name != "" {
				return nil, errors.Wrapf(err, "layer %d (%s)", i, bc.Name)
			}
			return nil, errors.Wrapf(err, "layer %d", i)
		}
		ls = append(ls, l)
	}
	m = Sequential(ls...)
	if mj.Config.Name != "" {
		m.name = mj.Config.Name
	}
	m.seed, m.dtype = mj.Config.Seed, dt
	if maxParams > 0 {
		// Generous, so that a modest mismatch is reported weight by weight
		// by checkWeights; tight enough that a damaged configuration cannot
		// exhaust memory.
		m.maxParams = 2*maxParams + 1<<24
	}
	if err := m.Build(); err != nil {
		if maxParams > 0 && strings.Contains(err.Error(), "takes the model past") {
			return nil, errors.Wrapf(err, "the configuration needs far more weights than the file holds (%d values)", maxParams)
		}
		return nil, err
	}
	m.maxParams = 0
	return m, nil
}

// layerFromJSON calls the layer's registered factory, turning a panic
// into an error.
func layerFromJSON(lj layerJSON) (l layers.Layer, err error) {
	if lj.ClassName == "" {
		return nil, errors.New("no class_name")
	}
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, errors.Errorf("layers: the factory of %s panicked: %v", lj.ClassName, r)
		}
	}()
	l, err = layers.FromConfig(lj.ClassName, lj.Config)
	if err == nil && l == nil {
		err = errors.Errorf("layers: the factory of %s returned no layer", lj.ClassName)
	}
	return l, err
}

// paramCount returns the number of values in the snapshot's weights.
func (s *snapshot) paramCount() int {
	n := 0
	for _, t := range s.weights {
		n += t.arr.Len()
	}
	return n
}

// checkWeights matches the snapshot's weights to m's variables (by
// position, Keras's order) and converts them to the model's dtype. It
// changes nothing.
func (s *snapshot) checkWeights(m *Model) ([]npy.Array, error) {
	if len(s.weights) != len(m.vars) {
		msg := fmt.Sprintf("the file holds %d weight tensors, the model has %d", len(s.weights), len(m.vars))
		i := 0
		for ; i < len(s.weights) && i < len(m.vars); i++ {
			if f, v := s.weights[i], m.vars[i]; f.name != v.Name() || !equalInts(f.shape, v.Shape()) {
				break
			}
		}
		switch {
		case i < len(s.weights) && i < len(m.vars):
			msg += fmt.Sprintf("; the first difference is weight %d: %s %s in the file, %s %s in the model",
				i, s.weights[i].name, tupleString(s.weights[i].shape), m.vars[i].Name(), tupleString(m.vars[i].Shape()))
		case i < len(m.vars):
			msg += fmt.Sprintf("; the file ends before the model's weight %d, %s %s", i, m.vars[i].Name(), tupleString(m.vars[i].Shape()))
		default:
			msg += fmt.Sprintf("; the model ends before the file's weight %d, %s %s", i, s.weights[i].name, tupleString(s.weights[i].shape))
		}
		return nil, errors.New(msg)
	}
	out := make([]npy.Array, len(m.vars))
	for i, v := range m.vars {
		f := s.weights[i]
		layer, wname := splitVarName(v.Name())
		if !equalInts(f.shape, v.Shape()) {
			return nil, errors.Errorf("layer %s: %s shape %s in file, model has %s", layer, wname, tupleString(f.shape), tupleString(v.Shape()))
		}
		arr, err := convertArray(f.arr, v.Dtype())
		if err != nil {
			return nil, errors.Wrapf(err, "layer %s: %s", layer, wname)
		}
		out[i] = arr
	}
	return out, nil
}

func splitVarName(name string) (layer, weight string) {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, name
}

// convertArray returns a in dtype dt: float32 widens exactly, float64
// rounds to the nearest float32 and must stay finite.
func convertArray(a npy.Array, dt tensor.Dtype) (npy.Array, error) {
	switch {
	case dt == tensor.Float32 && a.F32 != nil, dt == tensor.Float64 && a.F64 != nil:
		return a, nil
	case dt == tensor.Float64:
		return npy.Array{Shape: a.Shape, F64: a.Float64s()}, nil
	case dt == tensor.Float32:
		out := make([]float32, len(a.F64))
		for i, x := range a.F64 {
			out[i] = float32(x)
			if math.IsInf(float64(out[i]), 0) {
				return npy.Array{}, errors.Errorf("value %d (%v) overflows float32", i, x)
			}
		}
		return npy.Array{Shape: a.Shape, F32: out}, nil
	}
	return npy.Array{}, errors.Errorf("unsupported dtype %v", dt)
}

// assignWeights copies checked arrays into m's variables, holding the
// weights' write lock.
func (m *Model) assignWeights(ws []npy.Array) {
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	for i, v := range m.vars {
		switch d := v.Value().Data().(type) {
		case []float32:
			copy(d, ws[i].F32)
		case []float64:
			copy(d, ws[i].F64)
		}
	}
}

// layerStates checks the snapshot's layer states against m and returns a
// function that applies them (rolling back on error) and one that undoes
// them.
func (s *snapshot) applyLayerStates(m *Model) (undo func(), err error) {
	byName := map[string]layers.Layer{}
	for _, l := range m.layers {
		byName[l.Name()] = l
	}
	type applied struct {
		l   layers.Stateful
		old []byte
	}
	var done []applied
	undo = func() {
		for i := len(done) - 1; i >= 0; i-- {
			_ = done[i].l.SetLayerState(done[i].old)
		}
	}
	for _, e := range s.layerStates {
		l, ok := byName[e.Layer]
		if !ok {
			undo()
			return nil, errors.Errorf("the file has state for layer %s, which the model does not have", e.Layer)
		}
		sl, ok := l.(layers.Stateful)
		if !ok {
			undo()
			return nil, errors.Errorf("the file has state for layer %s (%s), which keeps none", e.Layer, l.ClassName())
		}
		old, err := sl.LayerState()
		if err == nil {
			err = sl.SetLayerState(e.State)
		}
		if err != nil {
			undo()
			return nil, errors.Wrapf(err, "layer %s: state", e.Layer)
		}
		done = append(done, applied{sl, old})
	}
	return undo, nil
}
