package callbacks

import (
	"io"
	"os"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Option configures a callback. Options are named like Keras's keyword
// arguments; a callback reports any option it does not take as an error
// (from Err and, so that Fit stops before training, from OnTrainBegin).
type Option func(*settings)

type settings struct {
	given []string

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
}

func (s *settings) mark(kw string) {
	for _, g := range s.given {
		if g == kw {
			return
		}
	}
	s.given = append(s.given, kw)
}

// collect applies opts over the callback's defaults (set by init) and
// rejects options the callback does not take. Options every callback
// takes ("verbose", "output", "warnings") need not be listed.
func collect(class string, init func(*settings), opts []Option, allowed ...string) (*settings, error) {
	s := &settings{monitor: "val_loss", mode: "auto", separator: ",", out: os.Stdout, warnings: os.Stderr}
	if init != nil {
		init(s)
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	allowed = append(allowed, "verbose", "output", "warnings")
	for _, kw := range s.given {
		ok := false
		for _, a := range allowed {
			ok = ok || a == kw
		}
		if !ok {
			sort.Strings(allowed)
			return s, errors.Errorf("callbacks: %s has no option %s (it takes: %s)", class, kw, strings.Join(allowed, ", "))
		}
	}
	if s.verbose < 0 || s.verbose > 1 {
		return s, errors.Errorf("callbacks: %s: verbose must be 0 or 1, got %d", class, s.verbose)
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
func Monitor(key string) Option { return func(s *settings) { s.mark("monitor"); s.monitor = key } }

// MinDelta sets the smallest change of the monitored quantity that counts
// as an improvement (EarlyStopping: default 0; ReduceLROnPlateau: default
// 1e-4). Its sign is ignored.
func MinDelta(d float64) Option {
	return func(s *settings) {
		s.mark("min_delta")
		if d < 0 {
			d = -d
		}
		s.minDelta = d
	}
}

// Patience sets the number of epochs without improvement after which the
// callback acts (EarlyStopping: default 0; ReduceLROnPlateau: default 10).
func Patience(n int) Option { return func(s *settings) { s.mark("patience"); s.patience = n } }

// Mode says whether the monitored quantity should go down ("min"), up
// ("max") or whichever its name implies ("auto", the default): losses and
// errors go down, accuracy-like quantities (names containing "acc",
// "auc", "precision", "recall", "f1") go up.
func Mode(m string) Option { return func(s *settings) { s.mark("mode"); s.mode = m } }

// Baseline sets a value the monitored quantity must beat (EarlyStopping;
// default none): until an epoch improves on it, patience keeps running
// out.
func Baseline(v float64) Option {
	return func(s *settings) { s.mark("baseline"); s.baseline = &v }
}

// RestoreBestWeights makes EarlyStopping put back the weights of the best
// epoch when training ends, whatever ended it (default false).
func RestoreBestWeights(b bool) Option {
	return func(s *settings) { s.mark("restore_best_weights"); s.restoreBestWeights = b }
}

// StartFromEpoch sets the number of warm-up epochs EarlyStopping ignores
// (default 0).
func StartFromEpoch(n int) Option {
	return func(s *settings) { s.mark("start_from_epoch"); s.startFromEpoch = n }
}

// Factor sets ReduceLROnPlateau's multiplier, in (0, 1): new rate = rate
// * factor (default 0.1).
func Factor(f float64) Option { return func(s *settings) { s.mark("factor"); s.factor = f } }

// Cooldown sets the epochs ReduceLROnPlateau waits after a reduction
// before counting patience again (default 0).
func Cooldown(n int) Option { return func(s *settings) { s.mark("cooldown"); s.cooldown = n } }

// MinLR sets the lowest learning rate ReduceLROnPlateau goes down to
// (default 0).
func MinLR(lr float64) Option { return func(s *settings) { s.mark("min_lr"); s.minLR = lr } }

// Separator sets CSVLogger's field separator, one character (default
// ",").
func Separator(sep string) Option {
	return func(s *settings) { s.mark("separator"); s.separator = sep }
}

// Append makes CSVLogger add to an existing file instead of replacing it
// (default false), writing the header only if the file is empty.
func Append(b bool) Option { return func(s *settings) { s.mark("append"); s.appendFile = b } }

// SaveBestOnly makes ModelCheckpoint save only when the monitored
// quantity improves (default false: save every epoch).
func SaveBestOnly(b bool) Option {
	return func(s *settings) { s.mark("save_best_only"); s.saveBestOnly = b }
}

// SaveWeightsOnly makes ModelCheckpoint save only the weights
// (Model.SaveWeights) instead of the whole model (Model.Save; default
// false).
func SaveWeightsOnly(b bool) Option {
	return func(s *settings) { s.mark("save_weights_only"); s.saveWeightsOnly = b }
}

// InitialValueThreshold sets the value ModelCheckpoint's first save must
// beat with SaveBestOnly (default none: the first epoch is saved).
func InitialValueThreshold(v float64) Option {
	return func(s *settings) { s.mark("initial_value_threshold"); s.initialValueThreshold = &v }
}

// DeleteCheckpoint says whether BackupAndRestore deletes its backup when
// training ends normally (default true).
func DeleteCheckpoint(b bool) Option {
	return func(s *settings) { s.mark("delete_checkpoint"); s.deleteCheckpoint = b }
}

// RaiseError makes TerminateOnNaN fail the run with an error (so
// OnTrainEnd hooks do not run) instead of stopping it cleanly (default
// false).
func RaiseError(b bool) Option { return func(s *settings) { s.mark("raise_error"); s.raiseError = b } }

// Verbose sets whether a callback prints a message when it acts: 0 (the
// default) is silent, 1 prints to Output.
func Verbose(v int) Option { return func(s *settings) { s.mark("verbose"); s.verbose = v } }

// Output sets where a callback's verbose messages go (default os.Stdout;
// nil discards them).
func Output(w io.Writer) Option { return func(s *settings) { s.mark("output"); s.out = w } }

// Warnings sets where warnings go, such as a monitored key missing from
// the logs (default os.Stderr, as Python's warnings; nil discards them).
func Warnings(w io.Writer) Option { return func(s *settings) { s.mark("warnings"); s.warnings = w } }

// StrictMonitor turns the warning about a monitored key missing from the
// logs into an error that stops Fit (default false, as in Keras). A key
// that can never appear (not "loss", a compiled metric, their "val_"
// twins or "learning_rate") is then reported before training starts.
func StrictMonitor(b bool) Option {
	return func(s *settings) { s.mark("strict_monitor"); s.strictMonitor = b }
}
