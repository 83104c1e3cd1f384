package keras

import (
	"encoding/json"
	"io/fs"
	"os"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/atomicfile"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// Save writes the whole model to path (Keras: save_model / model.save):
// its architecture (every layer's configuration), the model's seed and
// dtype, what Compile was given (loss, optimizer and its hyperparameters,
// metrics), the weights, and the training state (the optimizer's
// iteration count, learning rate and slots; the random streams of layers
// that have their own seed). LoadModel reads it back into a model that
// predicts identically and, given the same data and options, trains on
// identically: saving after epoch 3 and fitting the loaded model with
// InitialEpoch(3) repeats an uninterrupted run bit for bit.
//
// Metrics given to Compile as values are recorded by name, so loading
// needs that name to be a Keras name or one registered with
// metrics.Register; the same goes for losses and optimizers of your own.
//
// The file is a zip archive holding JSON documents and one NumPy .npy
// file per tensor; docs/format.md describes it. Any file name works; the
// examples use ".gokeras" so the file is not mistaken for a Keras
// (Python) ".keras" file, which it is not.
//
// The write is atomic: the data goes to a temporary file in the same
// folder, which is flushed to disk and then renamed over path, so a crash
// or kill mid-save leaves the previous file intact. Save may run while
// the model trains in another goroutine (from a callback, say): it copies
// the weights and state between two training steps.
func (m *Model) Save(path string) error {
	return m.save("Save", path, kindModel)
}

// SaveWeights writes only the model's weights to path (Keras:
// save_weights), in the same format as Save with kind "weights" and
// without the configuration or training state. LoadWeights reads them
// back into a model of the same architecture. The write is atomic, as
// for Save.
func (m *Model) SaveWeights(path string) error {
	return m.save("SaveWeights", path, kindWeights)
}

func (m *Model) save(method, path, kind string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: "+method+": "+path, r)
		}
	}()
	s, err := m.snapshot(kind)
	if err != nil {
		return errors.Wrapf(err, "keras: %s: %s", method, path)
	}
	if err := atomicfile.WriteFile(path, s.write); err != nil {
		return errors.Wrapf(err, "keras: %s: %s", method, path)
	}
	return nil
}

// readFile reads and checks a saved file completely.
func readFile(path string) (*snapshot, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, err
	}
	return decodeSnapshot(data)
}

// readBytes reads a file; its errors leave naming the file to the caller.
func readBytes(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	return data, err
}

// LoadModel reads a model written by Save (Keras: load_model). It rebuilds
// every layer through the layer registry (a user-defined layer must be
// registered with layers.Register by the loading program, and likewise
// custom activations, losses, metrics and optimizers with their
// packages' Register), builds the model with the saved seed and dtype,
// sets the saved weights, compiles it as it was compiled (if it was) and
// restores the training state.
//
// Everything is read and checked before the model is returned: a
// truncated, corrupted or hand-edited file, a newer format version, an
// unregistered layer or a configuration that does not match the weights
// gives an error naming the file and the problem, never a panic.
func LoadModel(path string) (*Model, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, errors.Wrapf(err, "keras: LoadModel: %s", path)
	}
	m, err := loadModel(data)
	if err != nil {
		return nil, errors.Wrapf(err, "keras: LoadModel: %s", path)
	}
	return m, nil
}

// loadModel decodes a file's content; the fuzz test calls it directly.
func loadModel(data []byte) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, kerrors.Recovered("loading", r)
		}
	}()
	s, err := decodeSnapshot(data)
	if err != nil {
		return nil, err
	}
	if s.meta.Kind != kindModel {
		return nil, errors.New("the file holds weights only (written by SaveWeights): build the model and call LoadWeights")
	}
	m, err = modelFromJSON(s.model, s.paramCount())
	if err != nil {
		return nil, err
	}
	ws, err := s.checkWeights(m)
	if err != nil {
		return nil, err
	}
	m.assignWeights(ws)
	if cc := s.model.CompileConfig; cc != nil {
		if err := m.compileFrom(cc); err != nil {
			return nil, err
		}
		if s.opt != nil {
			if err := optimizers.RestoreState(m.compiled.Load().optimizer, s.optimizerState(m), m.vars); err != nil {
				return nil, err
			}
		}
	}
	if _, err := s.applyLayerStates(m); err != nil {
		return nil, err
	}
	return m, nil
}

// compileFrom compiles m as recorded in a compile config.
func (m *Model) compileFrom(cc *compileJSON) error {
	opt, err := optimizers.FromConfig(cc.Optimizer)
	if err != nil {
		return errors.Wrap(err, "compile_config: optimizer")
	}
	opts := []CompileOption{Optimizer(opt)}
	switch {
	case cc.Loss != nil:
		loss, err := losses.FromConfig(*cc.Loss)
		if err != nil {
			return errors.Wrap(err, "compile_config: loss")
		}
		opts = append(opts, Loss(loss))
	case len(cc.Losses) > 0:
		byName := map[string]any{}
		for _, name := range sortedKeys(cc.Losses) {
			loss, err := losses.FromConfig(cc.Losses[name])
			if err != nil {
				return errors.Wrapf(err, "compile_config: loss of output %s", name)
			}
			byName[name] = loss
		}
		opts = append(opts, Loss(byName))
	}
	if cc.LossWeights != nil {
		opts = append(opts, LossWeights(cc.LossWeights...))
	}
	if len(cc.Metrics) > 0 {
		opts = append(opts, Metrics(anys(cc.Metrics)...))
	}
	for _, name := range sortedKeys(cc.OutputMetrics) {
		opts = append(opts, OutputMetrics(name, anys(cc.OutputMetrics[name])...))
	}
	if err := m.Compile(opts...); err != nil {
		return errors.Wrap(err, "compile_config")
	}
	return nil
}

func anys(names []string) []any {
	out := make([]any, len(names))
	for i, s := range names {
		out[i] = s
	}
	return out
}

// LoadWeights replaces the model's weights with those in path, written by
// SaveWeights or Save (Keras: load_weights). The model must have the same
// architecture: the weights are matched in Keras's order (layer by layer)
// and every shape must agree; layer names may differ. The file's dtype
// need not be the model's: float32 weights load exactly into a float64
// model; float64 weights loaded into a float32 model are rounded to the
// nearest float32 (and a value beyond float32's range is an error).
//
// The whole file is read and checked before any weight changes: on error
// the model is untouched. The optimizer's state is not loaded (see
// LoadState).
func (m *Model) LoadWeights(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: LoadWeights: "+path, r)
		}
	}()
	if err := m.Build(); err != nil {
		return errors.Wrap(err, "keras: LoadWeights")
	}
	s, err := readFile(path)
	if err != nil {
		return errors.Wrapf(err, "keras: LoadWeights: %s", path)
	}
	ws, err := s.checkWeights(m)
	if err != nil {
		return errors.Wrapf(err, "keras: LoadWeights: %s", path)
	}
	m.assignWeights(ws)
	return nil
}

// LoadState restores, from a file written by Save, the weights and the
// training state (the optimizer's iterations, learning rate and slots;
// the random streams of layers with their own seed) into this model,
// which must have the same architecture and be compiled with an
// optimizer of the same kind. Unlike LoadModel it keeps the model value,
// so callbacks and other holders of it see the restored state; a backup
// callback can call it from OnTrainBegin. The loss and metrics are not
// changed.
//
// Everything is checked before anything changes: on error the model's
// weights and state are untouched.
func (m *Model) LoadState(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: LoadState: "+path, r)
		}
	}()
	c := m.compiled.Load()
	if c == nil {
		return errors.Wrap(ErrNotCompiled, "keras: LoadState")
	}
	s, err := readFile(path)
	if err != nil {
		return errors.Wrapf(err, "keras: LoadState: %s", path)
	}
	if s.meta.Kind != kindModel || s.opt == nil {
		return errors.Errorf("keras: LoadState: %s holds no training state (it was written by SaveWeights, or by Save before Compile)", path)
	}
	ws, err := s.checkWeights(m)
	if err != nil {
		return errors.Wrapf(err, "keras: LoadState: %s", path)
	}
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	undo, err := s.applyLayerStates(m)
	if err == nil {
		if err = optimizers.RestoreState(c.optimizer, s.optimizerState(m), m.vars); err != nil {
			undo()
		}
	}
	if err != nil {
		return errors.Wrapf(err, "keras: LoadState: %s", path)
	}
	m.assignWeightsLocked(ws)
	return nil
}

// ToJSON returns the model's architecture as JSON (Keras: to_json): the
// model's name, seed and dtype and each layer's class name and
// configuration, building the model if needed (so layers are named). It
// holds no weights and no compile configuration. ModelFromJSON reads it
// back.
func (m *Model) ToJSON() ([]byte, error) {
	if err := m.Build(); err != nil {
		return nil, errors.Wrap(err, "keras: ToJSON")
	}
	mj, err := m.architecture()
	if err != nil {
		return nil, errors.Wrap(err, "keras: ToJSON")
	}
	data, err := json.Marshal(mj)
	return data, errors.Wrap(err, "keras: ToJSON")
}

// ModelFromJSON builds a model from JSON written by ToJSON (or the
// config.json of a saved file; its compile_config is ignored) (Keras:
// model_from_json). The model is built with the recorded seed, so its
// initial weights equal those the original model started from; it is not
// compiled. Layers are rebuilt through the layer registry: a user-defined
// layer must be registered with layers.Register.
func ModelFromJSON(data []byte) (m *Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, kerrors.Recovered("keras: ModelFromJSON", r)
		}
	}()
	var mj modelJSON
	if err := json.Unmarshal(data, &mj); err != nil {
		return nil, errors.Wrap(err, "keras: ModelFromJSON")
	}
	mj.CompileConfig = nil
	m, err = modelFromJSON(&mj, 0)
	if err != nil {
		return nil, errors.Wrap(err, "keras: ModelFromJSON")
	}
	return m, nil
}
