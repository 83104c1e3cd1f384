package callbacks

import (
	"fmt"
	"io"
	"os"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Options are named like Keras's keyword arguments and checked by the
// compiler: each callback takes its own option type, and an option
// several callbacks take is a type implementing each of their option
// interfaces (CSVLogger(f, Patience(3)) does not compile). Verbose, Output
// and Warnings (CommonOption) serve every callback. Callbacks of your own
// are plain types implementing keras.Callback and its hook interfaces;
// give them options in the same way.

// EarlyStoppingOption is an option of EarlyStopping.
type EarlyStoppingOption interface{ applyEarlyStopping(*settings) }

// ReduceLROnPlateauOption is an option of ReduceLROnPlateau.
type ReduceLROnPlateauOption interface{ applyReduceLROnPlateau(*settings) }

// ModelCheckpointOption is an option of ModelCheckpoint.
type ModelCheckpointOption interface{ applyModelCheckpoint(*settings) }

// CSVLoggerOption is an option of CSVLogger.
type CSVLoggerOption interface{ applyCSVLogger(*settings) }

// BackupAndRestoreOption is an option of BackupAndRestore.
type BackupAndRestoreOption interface{ applyBackupAndRestore(*settings) }

// LearningRateSchedulerOption is an option of LearningRateScheduler.
type LearningRateSchedulerOption interface{ applyLearningRateScheduler(*settings) }

// TerminateOnNaNOption is an option of TerminateOnNaN.
type TerminateOnNaNOption interface{ applyTerminateOnNaN(*settings) }

// CommonOption is an option every callback takes: Verbose, Output,
// Warnings.
type CommonOption func(*settings)

func (o CommonOption) applyEarlyStopping(s *settings)         { o(s) }
func (o CommonOption) applyReduceLROnPlateau(s *settings)     { o(s) }
func (o CommonOption) applyModelCheckpoint(s *settings)       { o(s) }
func (o CommonOption) applyCSVLogger(s *settings)             { o(s) }
func (o CommonOption) applyBackupAndRestore(s *settings)      { o(s) }
func (o CommonOption) applyLearningRateScheduler(s *settings) { o(s) }
func (o CommonOption) applyTerminateOnNaN(s *settings)        { o(s) }

// WatchOption is an option of the callbacks that watch a logged quantity
// (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint): Monitor, Mode,
// StrictMonitor.
type WatchOption func(*settings)

func (o WatchOption) applyEarlyStopping(s *settings)     { o(s) }
func (o WatchOption) applyReduceLROnPlateau(s *settings) { o(s) }
func (o WatchOption) applyModelCheckpoint(s *settings)   { o(s) }

// PlateauOption is an option of EarlyStopping and ReduceLROnPlateau:
// MinDelta, Patience.
type PlateauOption func(*settings)

func (o PlateauOption) applyEarlyStopping(s *settings)     { o(s) }
func (o PlateauOption) applyReduceLROnPlateau(s *settings) { o(s) }

// EarlyStoppingFunc is an option of EarlyStopping only: Baseline,
// RestoreBestWeights, StartFromEpoch.
type EarlyStoppingFunc func(*settings)

func (o EarlyStoppingFunc) applyEarlyStopping(s *settings) { o(s) }

// ReduceLRFunc is an option of ReduceLROnPlateau only: Factor, Cooldown,
// MinLR.
type ReduceLRFunc func(*settings)

func (o ReduceLRFunc) applyReduceLROnPlateau(s *settings) { o(s) }

// CheckpointFunc is an option of ModelCheckpoint only: SaveBestOnly,
// SaveWeightsOnly, InitialValueThreshold, Period.
type CheckpointFunc func(*settings)

func (o CheckpointFunc) applyModelCheckpoint(s *settings) { o(s) }

// SaveFreqOption is an option of ModelCheckpoint: SaveFreq.
type SaveFreqOption func(*settings)

func (o SaveFreqOption) applyModelCheckpoint(s *settings) { o(s) }

// CSVLoggerFunc is an option of CSVLogger only: Separator, Append.
type CSVLoggerFunc func(*settings)

func (o CSVLoggerFunc) applyCSVLogger(s *settings) { o(s) }

// BackupFunc is an option of BackupAndRestore only: DeleteCheckpoint.
type BackupFunc func(*settings)

func (o BackupFunc) applyBackupAndRestore(s *settings) { o(s) }

// TerminateFunc is an option of TerminateOnNaN only: RaiseError.
type TerminateFunc func(*settings)

func (o TerminateFunc) applyTerminateOnNaN(s *settings) { o(s) }

type settings struct {
	errs []error

	monitor               string
	minDelta              float64
	patience              int
	mode                  string
	baseline              *float64
	restoreBestWeights    bool
	startFromEpoch        int
	factor                float64
	cooldown              int
	minLR                 float64
	separator             string
	appendFile            bool
	saveBestOnly          bool
	saveWeightsOnly       bool
	initialValueThreshold *float64
	deleteCheckpoint      bool
	raiseError            bool
	verbose               int
	out                   io.Writer
	warnings              io.Writer
	strictMonitor         bool
	saveFreq              int // batches between saves; 0: every epoch
	period                int // epochs between saves (ModelCheckpoint)
}

func (s *settings) fail(call, kw string, v any, msg string) {
	s.errs = append(s.errs, &kerrors.OptionError{Call: call, Option: kw, Value: fmt.Sprint(v), Msg: msg})
}

// newSettings applies a callback's options over the defaults every
// callback shares and those of the callback (init), and checks what all
// callbacks share.
func newSettings[O any](class string, init func(*settings), opts []O, apply func(O, *settings)) (*settings, error) {
	s := &settings{monitor: "val_loss", mode: "auto", separator: ",", out: os.Stdout, warnings: os.Stderr, saveFreq: 0}
	if init != nil {
		init(s)
	}
	for _, o := range opts {
		if any(o) == nil {
			return s, errors.Wrapf(kerrors.ErrNil, "callbacks: %s: nil option", class)
		}
		apply(o, s)
	}
	if len(s.errs) > 0 {
		return s, errors.Wrap(s.errs[0], "callbacks")
	}
	if s.verbose < 0 || s.verbose > 1 {
		return s, &kerrors.OptionError{Call: "callbacks: " + class, Option: "verbose", Value: fmt.Sprint(s.verbose), Msg: "must be 0 or 1"}
	}
	if s.out == nil {
		s.out = io.Discard
	}
	if s.warnings == nil {
		s.warnings = io.Discard
	}
	return s, nil
}

// Monitor names the logged quantity a callback watches (EarlyStopping,
// ReduceLROnPlateau, ModelCheckpoint; default "val_loss"). Aliases are
// understood as in History.Get: "val_acc" finds "val_accuracy", "mae"
// finds "mean_absolute_error".
func Monitor(key string) WatchOption { return func(s *settings) { s.monitor = key } }

// MinDelta sets the smallest change of the monitored quantity that counts
// as an improvement (EarlyStopping: default 0; ReduceLROnPlateau: default
// 1e-4). Its sign is ignored.
func MinDelta(d float64) PlateauOption {
	return func(s *settings) {
		if d < 0 {
			d = -d
		}
		s.minDelta = d
	}
}

// Patience sets the number of epochs without improvement after which the
// callback acts (EarlyStopping: default 0; ReduceLROnPlateau: default 10).
func Patience(n int) PlateauOption { return func(s *settings) { s.patience = n } }

// Mode says whether the monitored quantity should go down ("min"), up
// ("max") or whichever its name implies ("auto", the default): losses and
// errors go down, accuracy-like quantities (names containing "acc",
// "auc", "precision", "recall", "f1") go up.
func Mode(m string) WatchOption { return func(s *settings) { s.mode = m } }

// Baseline sets a value the monitored quantity must beat (EarlyStopping;
// default none): until an epoch improves on it, patience keeps running
// out.
func Baseline(v float64) EarlyStoppingFunc {
	return func(s *settings) { s.baseline = &v }
}

// RestoreBestWeights makes EarlyStopping put back the weights of the best
// epoch when training ends, whatever ended it (default false).
func RestoreBestWeights(b bool) EarlyStoppingFunc {
	return func(s *settings) { s.restoreBestWeights = b }
}

// StartFromEpoch sets the number of warm-up epochs EarlyStopping ignores
// (default 0).
func StartFromEpoch(n int) EarlyStoppingFunc {
	return func(s *settings) { s.startFromEpoch = n }
}

// Factor sets ReduceLROnPlateau's multiplier, in (0, 1): new rate = rate
// * factor (default 0.1).
func Factor(f float64) ReduceLRFunc { return func(s *settings) { s.factor = f } }

// Cooldown sets the epochs ReduceLROnPlateau waits after a reduction
// before counting patience again (default 0).
func Cooldown(n int) ReduceLRFunc { return func(s *settings) { s.cooldown = n } }

// MinLR sets the lowest learning rate ReduceLROnPlateau goes down to
// (default 0).
func MinLR(lr float64) ReduceLRFunc { return func(s *settings) { s.minLR = lr } }

// Separator sets CSVLogger's field separator, one character (default
// ",").
func Separator(sep string) CSVLoggerFunc {
	return func(s *settings) { s.separator = sep }
}

// Append makes CSVLogger add to an existing file instead of replacing it
// (default false), writing the header only if the file is empty.
func Append(b bool) CSVLoggerFunc { return func(s *settings) { s.appendFile = b } }

// SaveBestOnly makes ModelCheckpoint save only when the monitored
// quantity improves (default false: save every epoch).
func SaveBestOnly(b bool) CheckpointFunc {
	return func(s *settings) { s.saveBestOnly = b }
}

// SaveWeightsOnly makes ModelCheckpoint save only the weights
// (Model.SaveWeights) instead of the whole model (Model.Save; default
// false).
func SaveWeightsOnly(b bool) CheckpointFunc {
	return func(s *settings) { s.saveWeightsOnly = b }
}

// InitialValueThreshold sets the value ModelCheckpoint's first save must
// beat with SaveBestOnly (default none: the first epoch is saved).
func InitialValueThreshold(v float64) CheckpointFunc {
	return func(s *settings) { s.initialValueThreshold = &v }
}

// DeleteCheckpoint says whether BackupAndRestore deletes its backup when
// training ends normally (default true).
func DeleteCheckpoint(b bool) BackupFunc {
	return func(s *settings) { s.deleteCheckpoint = b }
}

// RaiseError makes TerminateOnNaN fail the run with an error (so
// OnTrainEnd hooks do not run) instead of stopping it cleanly (default
// false).
func RaiseError(b bool) TerminateFunc { return func(s *settings) { s.raiseError = b } }

// Verbose sets whether a callback prints a message when it acts: 0 (the
// default) is silent, 1 prints to Output.
func Verbose(v int) CommonOption { return func(s *settings) { s.verbose = v } }

// Output sets where a callback's verbose messages go (default os.Stdout;
// nil discards them).
func Output(w io.Writer) CommonOption { return func(s *settings) { s.out = w } }

// Warnings sets where warnings go, such as a monitored key missing from
// the logs (default os.Stderr, as Python's warnings; nil discards them).
func Warnings(w io.Writer) CommonOption { return func(s *settings) { s.warnings = w } }

// StrictMonitor turns the warning about a monitored key missing from the
// logs into an error that stops Fit (default false, as in Keras). A key
// that can never appear (not "loss", a compiled metric, their "val_"
// twins or "learning_rate") is then reported before training starts.
func StrictMonitor(b bool) WatchOption {
	return func(s *settings) { s.strictMonitor = b }
}

// SaveFreq makes ModelCheckpoint save every n training batches instead of at the end of every epoch (Keras: save_freq
// as an integer; the default, "epoch", is SaveFreq(0)). With a file path
// holding {epoch}, the epoch is the one running; the logs are the
// epoch's running values, so {val_loss} is not available.
func SaveFreq(n int) SaveFreqOption {
	return func(s *settings) {
		if n < 0 {
			s.fail("ModelCheckpoint", "save_freq", n, "must be >= 0 (0: every epoch)")
		}
		s.saveFreq = n
	}
}

// Period makes ModelCheckpoint save only every n epochs (old Keras's and
// R keras's period argument; default 1, every epoch). Keras 3 replaced it
// by save_freq; gokeras keeps it for the R tutorials.
func Period(n int) CheckpointFunc {
	return func(s *settings) {
		if n < 1 {
			s.fail("ModelCheckpoint", "period", n, "must be >= 1")
		}
		s.period = n
	}
}
