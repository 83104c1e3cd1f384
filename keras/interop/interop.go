package interop

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/atomicfile"
	"github.com/gokeras/gokeras/keras/internal/hdf5"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Format is a kind of model file, as Detect recognises it by content.
type Format int

const (
	// FormatUnknown is a file of no kind this package reads.
	FormatUnknown Format = iota
	// FormatGokeras is gokeras's own zip archive (keras.Model.Save).
	FormatGokeras
	// FormatKeras is a Keras 3 .keras zip archive.
	FormatKeras
	// FormatKerasWeights is a Keras 3 .weights.h5 file.
	FormatKerasWeights
	// FormatH5 is a legacy Keras HDF5 model (.h5 with model_config).
	FormatH5
	// FormatH5Weights is a legacy Keras HDF5 weights file (save_weights).
	FormatH5Weights
	// FormatTFJS is a TensorFlow.js Layers model (model.json and its
	// weight shards).
	FormatTFJS
)

// String names the format.
func (f Format) String() string {
	switch f {
	case FormatGokeras:
		return "gokeras model"
	case FormatKeras:
		return "Keras 3 .keras archive"
	case FormatKerasWeights:
		return "Keras 3 weights file"
	case FormatH5:
		return "legacy Keras HDF5 model"
	case FormatH5Weights:
		return "legacy Keras HDF5 weights file"
	case FormatTFJS:
		return "TensorFlow.js Layers model"
	}
	return "unknown format"
}

// LoadOption configures LoadModel.
type LoadOption func(*loadConfig)

type loadConfig struct {
	compile bool
	dtype   tensor.Dtype
	seed    *int64
}

// WithoutCompile loads the architecture and weights only, ignoring the
// file's compile configuration and optimizer state (Keras: load_model(...,
// compile=False)). By default a model whose file records how it was
// compiled is compiled the same way (loss, optimizer and its
// hyperparameters, metrics) and, for Keras 3 files with Adam, SGD,
// RMSprop or Adagrad, gets the optimizer's state back.
func WithoutCompile() LoadOption { return func(c *loadConfig) { c.compile = false } }

// LoadDtype makes the loaded model compute in dt (tensor.Float32 or
// tensor.Float64). By default it is the dtype of the file's layers
// (float32 for every TensorFlow.js model). Float32 weights load exactly
// into a float64 model.
func LoadDtype(dt tensor.Dtype) LoadOption { return func(c *loadConfig) { c.dtype = dt } }

// LoadSeed sets the loaded model's seed (keras.Model.SetSeed), which
// decides the order of its batches and its dropout masks when it trains
// on; by default it is random, as for a new model.
func LoadSeed(seed int64) LoadOption { return func(c *loadConfig) { c.seed = &seed } }

// maxFileBytes bounds the files LoadModel reads into memory (16 GiB).
const maxFileBytes = 1 << 34

// LoadModel reads a model from path, recognising the kind of file by its
// content (whatever its name): gokeras's own file (keras.LoadModel), a
// Keras 3 .keras archive, a legacy Keras HDF5 .h5 model, or a
// TensorFlow.js Layers model (path is its model.json, or the folder
// holding it). Every layer is rebuilt through this package's converters
// (RegisterConverter adds more), the model is built and its weights set
// from the file; by default it is compiled as the file records (see
// WithoutCompile).
//
// Everything is read and checked first: a file of another kind, a
// truncated or corrupted archive or HDF5 file, a layer class gokeras has
// no converter for, weights whose shapes do not match, a setting gokeras
// does not support or an HDF5 feature outside docs/hdf5.md's set gives an
// error naming the file and the problem, never a panic.
func LoadModel(path string, opts ...LoadOption) (m *keras.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, kerrors.Recovered("interop: LoadModel: "+path, r)
		}
	}()
	o := &loadConfig{compile: true}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if o.dtype != (tensor.Dtype{}) && o.dtype != tensor.Float32 && o.dtype != tensor.Float64 {
		return nil, errors.Errorf("interop: LoadModel: %s: dtype %v (float32 or float64)", path, o.dtype)
	}
	m, err = loadModel(path, o)
	if err != nil {
		return nil, errors.Wrapf(err, "interop: LoadModel: %s", path)
	}
	return m, nil
}

func loadModel(path string, o *loadConfig) (*keras.Model, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if fi.IsDir() {
		mj := filepath.Join(path, "model.json")
		if _, err := os.Stat(mj); err != nil {
			return nil, errors.New("a folder without model.json (a TensorFlow.js model's folder holds model.json and its weight shards)")
		}
		path = mj
	}
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return loadBytes(data, filepath.Dir(path), o)
}

// loadBytes loads a model file's content; dir resolves a TensorFlow.js
// model's shard paths. The fuzz tests call it.
func loadBytes(data []byte, dir string, o *loadConfig) (*keras.Model, error) {
	switch f := detect(data); f {
	case FormatGokeras:
		return nil, errors.New("this is a gokeras file: load it with keras.LoadModel (interop.LoadModel reads Keras and TensorFlow.js files)")
	case FormatKeras:
		return loadKerasArchive(data, o)
	case FormatH5:
		return loadLegacyH5(data, o)
	case FormatKerasWeights, FormatH5Weights:
		return nil, errors.Errorf("the file is a %s, which holds no architecture: build the model and call interop.LoadWeights", f)
	case FormatTFJS:
		return loadTFJS(data, dir, o)
	}
	return nil, unknownFormat(data)
}

// brokenContainer explains a zip or HDF5 file that detect could not place.
func brokenContainer(data []byte) error {
	if bytes.HasPrefix(data, zipMagic) {
		if _, err := openArchive(data); err != nil {
			return errors.Wrap(err, "a zip archive that cannot be read (truncated or corrupted?)")
		}
		return errors.New("a zip archive that is neither a .keras archive (no config.json) nor a gokeras file")
	}
	if hdf5At(data) >= 0 {
		return errors.New("an HDF5 file without a Keras layout (no model_config or layer_names attribute, no layers or vars group)")
	}
	return nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readBounded(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if fi.Size() > maxFileBytes {
		return nil, errors.Errorf("%d bytes, more than the %d gokeras reads", fi.Size(), int64(maxFileBytes))
	}
	data, err := os.ReadFile(path)
	return data, unwrapPath(err)
}

// Detect returns the kind of model file at path by its content (a folder
// holding model.json is FormatTFJS).
func Detect(path string) (Format, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return FormatUnknown, errors.Wrapf(unwrapPath(err), "interop: Detect: %s", path)
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "model.json")); err == nil {
			return FormatTFJS, nil
		}
		return FormatUnknown, nil
	}
	data, err := readBounded(path)
	if err != nil {
		return FormatUnknown, errors.Wrapf(err, "interop: Detect: %s", path)
	}
	return detect(data), nil
}

var zipMagic = []byte("PK\x03\x04")

func detect(data []byte) Format {
	switch {
	case bytes.HasPrefix(data, zipMagic) || bytes.HasPrefix(data, []byte("PK\x05\x06")):
		a, err := openArchive(data)
		if err != nil {
			return FormatUnknown
		}
		if _, ok := a.members[memberMetadata]; ok {
			if md, err := a.read(memberMetadata, 1<<20); err == nil {
				var m struct {
					Format string `json:"format"`
				}
				if json.Unmarshal(md, &m) == nil && m.Format == keras.FormatName {
					return FormatGokeras
				}
			}
		}
		if _, ok := a.members[memberConfig]; ok {
			return FormatKeras
		}
		return FormatUnknown
	case hdf5At(data) >= 0:
		f, err := hdf5.Open(data)
		if err != nil {
			// A damaged HDF5 file: let the legacy reader report why.
			return FormatH5
		}
		root := f.Root()
		switch {
		case root.HasAttr("model_config"):
			return FormatH5
		case root.HasAttr("layer_names") || root.HasAttr("layer_names0"):
			return FormatH5Weights
		}
		if g, err := root.Group("model_weights"); err == nil && g != nil {
			return FormatH5Weights
		}
		for _, name := range []string{"layers", "vars", "_layer_checkpoint_dependencies"} {
			if g, err := root.Group(name); err == nil && g != nil {
				return FormatKerasWeights
			}
		}
		return FormatUnknown
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var probe map[string]json.RawMessage
		if json.Unmarshal(trimmed, &probe) == nil {
			if _, ok := probe["modelTopology"]; ok {
				return FormatTFJS
			}
		}
	}
	return FormatUnknown
}

// hdf5At returns the offset of an HDF5 superblock (0, 512, 1024, ...), or
// -1.
func hdf5At(data []byte) int {
	for off := 0; off+8 <= len(data) && off <= 1<<20; {
		if bytes.Equal(data[off:off+8], []byte(hdf5.Signature)) {
			return off
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
	}
	return -1
}

func unknownFormat(data []byte) error {
	if err := brokenContainer(data); err != nil {
		return err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var probe map[string]json.RawMessage
		if json.Unmarshal(trimmed, &probe) == nil {
			if f, ok := probe["format"]; ok && string(f) == `"graph-model"` {
				return errors.New("a TensorFlow.js graph model (format graph-model): gokeras reads Layers models (tf.LayersModel.save), not converted TensorFlow graphs")
			}
			if _, ok := probe["class_name"]; ok {
				return errors.New("a bare Keras model configuration (model.to_json()); load it with interop.ModelFromJSON, or give the .keras archive")
			}
		}
		return errors.New("a JSON file that is not a TensorFlow.js model.json (no modelTopology)")
	}
	head := data
	if len(head) > 8 {
		head = head[:8]
	}
	return errors.Errorf("not a model file gokeras recognises (a .keras archive, an HDF5 .h5 file or a TensorFlow.js model.json); it starts with %q", head)
}

// newBudget is the build context that bounds the weights a file's
// configuration may declare.
func newBudget(fileValues int) *layers.BuildContext {
	return &layers.BuildContext{MaxParams: budget(fileValues)}
}

// finishModel sets a rebuilt model's dtype and seed and builds it.
func finishModel(m *keras.Model, r *reader, o *loadConfig) error {
	dt := o.dtype
	if dt == (tensor.Dtype{}) {
		dt = r.modelDtype()
	}
	if err := m.SetDtype(dt); err != nil {
		return err
	}
	if o.seed != nil {
		if err := m.SetSeed(*o.seed); err != nil {
			return err
		}
	}
	return m.Build()
}

// ModelFromJSON builds a model from a Keras model configuration
// (Keras: model.to_json(), or the config.json of a .keras archive) in
// Keras 3 or Keras 2 form, or from a TensorFlow.js modelTopology. The
// model is built with freshly initialised weights and is not compiled.
func ModelFromJSON(data []byte, opts ...LoadOption) (m *keras.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, kerrors.Recovered("interop: ModelFromJSON", r)
		}
	}()
	o := &loadConfig{}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if len(data) > maxJSONBytes {
		return nil, errors.Errorf("interop: ModelFromJSON: %d bytes, more than %d", len(data), maxJSONBytes)
	}
	var top entry
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, errors.Wrap(err, "interop: ModelFromJSON")
	}
	var probe struct {
		KerasVersion string `json:"keras_version"`
	}
	_ = json.Unmarshal(data, &probe)
	d := Keras3
	if top.Module == "" {
		d = Keras2
		if bytes.Contains([]byte(probe.KerasVersion), []byte("tfjs")) {
			d = TFJS
		}
	}
	r := &reader{dialect: d, version: probe.KerasVersion, ctx: &layers.BuildContext{MaxParams: keras.MaxParams}, dtype: o.dtype}
	m, _, err = r.model(top)
	if err != nil {
		return nil, errors.Wrap(err, "interop: ModelFromJSON")
	}
	if err := finishModel(m, r, o); err != nil {
		return nil, errors.Wrap(err, "interop: ModelFromJSON")
	}
	return m, nil
}

// LoadWeights sets m's weights from a file holding them in a Keras
// layout: a Keras 3 .weights.h5 (or the weights of a .keras archive), a
// legacy Keras HDF5 .h5 file (written by save_weights, or a whole model's
// model_weights), or a TensorFlow.js model. The model must have the
// architecture the weights were saved from: Keras 3 weights are matched by
// each layer's path (class-derived, as Keras does, so layer names may
// differ), legacy ones by position among the layers that have weights,
// TensorFlow.js ones by name. The model is built if needed. The whole
// file is read and checked before any weight changes: on error the model
// is untouched.
func LoadWeights(m *keras.Model, path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("interop: LoadWeights: "+path, r)
		}
	}()
	if m == nil {
		return errors.Wrap(kerrors.ErrNil, "interop: LoadWeights: model")
	}
	if err := loadWeights(m, path); err != nil {
		return errors.Wrapf(err, "interop: LoadWeights: %s", path)
	}
	return nil
}

func loadWeights(m *keras.Model, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "model.json")
	}
	data, err := readBounded(path)
	if err != nil {
		return err
	}
	t, err := treeOf(m)
	if err != nil {
		return err
	}
	switch f := detect(data); f {
	case FormatKerasWeights:
		hf, err := hdf5.Open(data)
		if err != nil {
			return err
		}
		return readKeras3Weights(hf.Root(), m, t)
	case FormatKeras:
		a, err := openArchive(data)
		if err != nil {
			return err
		}
		hf, err := a.openHDF5(memberWeights)
		if err != nil {
			return err
		}
		return errors.Wrap(readKeras3Weights(hf.Root(), m, t), memberWeights)
	case FormatH5, FormatH5Weights:
		hf, err := hdf5.Open(data)
		if err != nil {
			return err
		}
		return readLegacyWeights(hf, m, t)
	case FormatTFJS:
		return loadTFJSWeights(data, filepath.Dir(path), m, t)
	case FormatGokeras:
		return errors.New("this is a gokeras file: use keras.Model.LoadWeights")
	}
	return unknownFormat(data)
}

// KerasOption configures SaveKeras.
type KerasOption func(*kerasSaveConfig)

type kerasSaveConfig struct {
	date      time.Time
	compile   bool
	optimizer bool
}

// SavedAt sets the date_saved that metadata.json records (default: now),
// for reproducible files.
func SavedAt(t time.Time) KerasOption { return func(c *kerasSaveConfig) { c.date = t } }

// WithoutCompileConfig leaves the compile configuration and optimizer
// state out of the file (default: a compiled model's are saved).
func WithoutCompileConfig() KerasOption { return func(c *kerasSaveConfig) { c.compile = false } }

// WithoutOptimizerState keeps the compile configuration but leaves out
// the optimizer's variables (Keras then starts the optimizer afresh).
func WithoutOptimizerState() KerasOption { return func(c *kerasSaveConfig) { c.optimizer = false } }

// SaveKeras writes m as a Keras 3 .keras archive, which Keras 3 reads with
// keras.saving.load_model (path should end in ".keras", as Keras
// requires). The archive holds metadata.json, config.json (every layer's
// configuration with Keras's keys, and the compile configuration of a
// compiled model) and model.weights.h5 in saving_lib's layout, with the
// optimizer's variables for Adam, SGD, RMSprop and Adagrad. Layers
// without a Keras equivalent (an activation with parameters given as a
// Dense activation, a user-defined class without converter) give an error
// naming them. The write is atomic; gokeras's own format (Model.Save)
// remains the one that keeps all of gokeras's state.
func SaveKeras(m *keras.Model, path string, opts ...KerasOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("interop: SaveKeras: "+path, r)
		}
	}()
	if m == nil {
		return errors.Wrap(kerrors.ErrNil, "interop: SaveKeras: model")
	}
	o := &kerasSaveConfig{compile: true, optimizer: true}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	data, err := saveKerasArchive(m, o)
	if err != nil {
		return errors.Wrapf(err, "interop: SaveKeras: %s", path)
	}
	if err := writeAtomic(path, data); err != nil {
		return errors.Wrapf(err, "interop: SaveKeras: %s", path)
	}
	return nil
}

// SaveKerasWeights writes m's weights as a Keras 3 .weights.h5 file
// (Keras: model.save_weights; the name should end in ".weights.h5"),
// without optimizer state.
func SaveKerasWeights(m *keras.Model, path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("interop: SaveKerasWeights: "+path, r)
		}
	}()
	if m == nil {
		return errors.Wrap(kerrors.ErrNil, "interop: SaveKerasWeights: model")
	}
	t, err := treeOf(m)
	if err != nil {
		return errors.Wrapf(err, "interop: SaveKerasWeights: %s", path)
	}
	hw := hdf5.NewWriter()
	if err := keras3Layout(hw, m, t, false); err != nil {
		return errors.Wrapf(err, "interop: SaveKerasWeights: %s", path)
	}
	data, err := hw.Bytes()
	if err == nil {
		err = writeAtomic(path, data)
	}
	return errors.Wrapf(err, "interop: SaveKerasWeights: %s", path)
}

func writeAtomic(path string, data []byte) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
