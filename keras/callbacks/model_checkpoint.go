package callbacks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/metrics"
)

// ModelCheckpointCallback saves the model or its weights after epochs.
// Make one with ModelCheckpoint.
type ModelCheckpointCallback struct {
	keras.CallbackBase
	filepath string
	tmpl     *pathTemplate
	s        *settings
	mon      *monitor
	err      error

	best  float64
	saved []string
}

// ModelCheckpoint returns a callback that saves the model after every
// epoch, or only when it improves (Keras: ModelCheckpoint).
//
// filepath may hold Python-style fields filled from the epoch (1-based,
// as Keras counts it in file names) and the epoch's logs:
// "ckpt/{epoch:02d}-{val_loss:.2f}.gokeras". Supported format specs are
// [sign][0][width][.precision][d|f|e|g|%]; only epoch takes d; a field
// without a spec is written like Python's str. A malformed template is an
// error at once (Err); a field the model can never log (not "epoch",
// "loss", a compiled metric, their "val_" twins or "learning_rate") is an
// error when training begins, before the first epoch. Missing folders
// are created.
//
// Options and defaults: Monitor("val_loss"), Mode("auto"),
// SaveBestOnly(false), SaveWeightsOnly(false: Model.Save writes the whole
// model with its optimizer state; true: Model.SaveWeights),
// InitialValueThreshold (none), Verbose(0), plus Output, Warnings,
// StrictMonitor. With SaveBestOnly, an epoch is saved only when the
// monitored value beats the best so far (and InitialValueThreshold); a
// fixed file path is then overwritten by each better model, while a path
// with fields keeps one file per improving epoch. If the monitored key is
// missing from the logs, a warning is written and the epoch is saved, as
// Keras does (StrictMonitor: an error).
//
// Every file is written atomically (a temporary file renamed into
// place), so an interrupted run never leaves a damaged checkpoint.
func ModelCheckpoint(filepath string, opts ...Option) *ModelCheckpointCallback {
	c := &ModelCheckpointCallback{filepath: filepath}
	c.s, c.err = collect("ModelCheckpoint", nil, opts, "monitor", "mode", "save_best_only", "save_weights_only",
		"initial_value_threshold", "strict_monitor")
	if c.err == nil && filepath == "" {
		c.err = errors.New("callbacks: ModelCheckpoint: empty file path")
	}
	if c.err == nil {
		c.tmpl, c.err = parseTemplate(filepath)
	}
	if c.err == nil {
		var merr error
		c.mon, merr = newMonitor("ModelCheckpoint", c.s)
		if c.s.saveBestOnly {
			c.err = merr
		}
	}
	return c
}

// Err returns the error in the arguments, if any; OnTrainBegin returns it
// too.
func (c *ModelCheckpointCallback) Err() error { return c.err }

// OnTrainBegin checks the template's fields against what the model logs.
func (c *ModelCheckpointCallback) OnTrainBegin(keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	m := c.Model()
	if err := modelOf("ModelCheckpoint", m); err != nil {
		return err
	}
	known := append([]string{"epoch"}, knownKeys(m)...)
	for _, f := range c.tmpl.fields() {
		ok := false
		for _, k := range append([]string{f}, metrics.Aliases(f)...) {
			for _, kk := range known {
				ok = ok || k == kk
			}
		}
		if !ok {
			return errors.Errorf("callbacks: ModelCheckpoint: file path %q has the field {%s}, which this model never logs (known: %s)",
				c.filepath, f, strings.Join(known, ", "))
		}
	}
	c.best = c.mon.worst()
	if c.s.initialValueThreshold != nil {
		c.best = *c.s.initialValueThreshold
	}
	c.saved = nil
	if c.s.saveBestOnly {
		return c.mon.begin(m)
	}
	return nil
}

// OnEpochEnd saves the model if it should.
func (c *ModelCheckpointCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	path, err := c.tmpl.format(epoch+1, logs)
	if err != nil {
		return err
	}
	if c.s.saveBestOnly {
		current, ok, err := c.mon.value(logs)
		if err != nil {
			return err
		}
		if ok {
			if !c.mon.better(current, c.best) {
				if c.s.verbose > 0 {
					fmt.Fprintf(c.s.out, "\nEpoch %d: %s did not improve from %.5f\n", epoch+1, c.mon.key, c.best)
				}
				return nil
			}
			if c.s.verbose > 0 {
				fmt.Fprintf(c.s.out, "\nEpoch %d: %s improved from %.5f to %.5f, saving model to %s\n", epoch+1, c.mon.key, c.best, current, path)
			}
			c.best = current
		}
	} else if c.s.verbose > 0 {
		fmt.Fprintf(c.s.out, "\nEpoch %d: saving model to %s\n", epoch+1, path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errors.Wrap(err, "callbacks: ModelCheckpoint")
		}
	}
	if c.s.saveWeightsOnly {
		err = c.Model().SaveWeights(path)
	} else {
		err = c.Model().Save(path)
	}
	if err != nil {
		return errors.Wrap(err, "callbacks: ModelCheckpoint")
	}
	c.saved = append(c.saved, path)
	return nil
}

// Best returns the best monitored value so far (SaveBestOnly).
func (c *ModelCheckpointCallback) Best() float64 { return c.best }

// Saved returns the paths written during the current (or last) run, in
// order; a fixed path appears once per save.
func (c *ModelCheckpointCallback) Saved() []string { return append([]string(nil), c.saved...) }
