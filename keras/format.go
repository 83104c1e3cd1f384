package keras

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
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
