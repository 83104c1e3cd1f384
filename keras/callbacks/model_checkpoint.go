package callbacks

import (
	"fmt"
	"math"
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

	best      float64
	saved     []string
	epoch     int // the running epoch (0-based)
	batches   int // batches since the last save (SaveFreq)
	sinceSave int // epochs since the last save (Period)
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
// InitialValueThreshold (none), SaveFreq(0: at the end of every epoch; n:
// every n batches), Period(1: every epoch; R keras's period), Verbose(0),
// plus Output, Warnings, StrictMonitor. With SaveBestOnly, an epoch is saved only when the
// monitored value beats the best so far (and InitialValueThreshold); a
// fixed file path is then overwritten by each better model, while a path
// with fields keeps one file per improving epoch. If the monitored key is
// missing from the logs, a warning is written and the epoch is saved, as
// Keras does (StrictMonitor: an error).
//
// Every file is written atomically (a temporary file renamed into
// place), so an interrupted run never leaves a damaged checkpoint.
func ModelCheckpoint(filepath string, opts ...ModelCheckpointOption) *ModelCheckpointCallback {
	c := &ModelCheckpointCallback{filepath: filepath}
	c.s, c.err = newSettings("ModelCheckpoint", func(s *settings) { s.period = 1 }, opts, ModelCheckpointOption.applyModelCheckpoint)
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
	c.saved, c.batches, c.sinceSave = nil, 0, 0
	if c.s.saveBestOnly {
		return c.mon.begin(m)
	}
	return nil
}

// OnEpochBegin records the running epoch (for SaveFreq's file names).
func (c *ModelCheckpointCallback) OnEpochBegin(epoch int, _ keras.Logs) error {
	c.epoch = epoch
	return nil
}

// OnTrainBatchEnd saves every SaveFreq batches (counted across epochs,
// as Keras does), when SaveFreq is set.
func (c *ModelCheckpointCallback) OnTrainBatchEnd(_ int, logs keras.Logs) error {
	if c.err != nil || c.s.saveFreq == 0 {
		return c.err
	}
	c.batches++
	if c.batches < c.s.saveFreq {
		return nil
	}
	c.batches = 0
	return c.save(c.epoch, logs)
}

// UsesHook says which hooks the callback needs: the batch hook only with
// SaveFreq.
func (c *ModelCheckpointCallback) UsesHook(h keras.Hook) bool {
	switch h {
	case keras.OnTrainBatchEnd:
		return c.s != nil && c.s.saveFreq > 0
	case keras.OnEpochEnd:
		return c.s == nil || c.s.saveFreq == 0
	}
	return true
}

// OnEpochEnd saves the model if it should (every Period epochs).
func (c *ModelCheckpointCallback) OnEpochEnd(epoch int, logs keras.Logs) error {
	if c.err != nil {
		return c.err
	}
	c.sinceSave++
	if c.sinceSave < c.s.period {
		return nil
	}
	c.sinceSave = 0
	return c.save(epoch, logs)
}

// save writes the model for the given epoch (0-based) and logs if it
// should.
func (c *ModelCheckpointCallback) save(epoch int, logs keras.Logs) error {
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
					fmt.Fprintf(c.s.out, "\nEpoch %d: %s did not improve from %s\n", epoch+1, c.mon.key, pyFixed5(c.best))
				}
				return nil
			}
			if c.s.verbose > 0 {
				fmt.Fprintf(c.s.out, "\nEpoch %d: %s improved from %s to %s, saving model to %s\n", epoch+1, c.mon.key, pyFixed5(c.best), pyFixed5(current), path)
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

// pyFixed5 formats v as Python's "{:.5f}": infinities print as inf and
// -inf (Keras's first "improved from inf" message).
func pyFixed5(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	return fmt.Sprintf("%.5f", v)
}

// Best returns the best monitored value so far (SaveBestOnly).
func (c *ModelCheckpointCallback) Best() float64 { return c.best }

// Saved returns the paths written during the current (or last) run, in
// order; a fixed path appears once per save.
func (c *ModelCheckpointCallback) Saved() []string { return append([]string(nil), c.saved...) }
