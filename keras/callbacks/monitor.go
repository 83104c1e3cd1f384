package callbacks

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/metrics"
)

// monitor is the part EarlyStopping, ReduceLROnPlateau and
// ModelCheckpoint share: which key they watch, in which direction, and
// what happens when the key is missing.
type monitor struct {
	class    string
	key      string
	mode     string
	minDelta float64
	less     bool // the quantity should go down
	strict   bool
	s        *settings
	warned   bool
}

func newMonitor(class string, s *settings) (*monitor, error) {
	m := &monitor{class: class, key: s.monitor, mode: s.mode, minDelta: s.minDelta, strict: s.strictMonitor, s: s}
	if m.key == "" {
		return m, errors.Errorf("callbacks: %s: empty monitor key", class)
	}
	switch m.mode {
	case "min":
		m.less = true
	case "max":
		m.less = false
	case "auto":
		less, ok := direction(m.key)
		if !ok {
			if class != "ReduceLROnPlateau" {
				return m, errors.Errorf(`callbacks: %s: cannot tell whether %q should be minimised or maximised; pass Mode("min") or Mode("max")`, class, m.key)
			}
			less = true // Keras's ReduceLROnPlateau treats unknown names as losses
		}
		m.less = less
	default:
		return m, errors.Errorf(`callbacks: %s: mode must be "auto", "min" or "max", got %q`, class, m.mode)
	}
	return m, nil
}

// direction infers from a key's name whether it should go down (less) or
// up; ok is false when the name says neither.
func direction(key string) (less, ok bool) {
	name := strings.ToLower(strings.TrimPrefix(key, "val_"))
	for _, up := range []string{"acc", "auc", "precision", "recall", "f1", "fbeta", "iou", "r2_score"} {
		if strings.Contains(name, up) {
			return false, true
		}
	}
	if name == "mae" || name == "mse" || name == "mape" || name == "msle" || name == "rmse" {
		return true, true
	}
	for _, down := range []string{"loss", "error", "crossentropy", "hinge", "divergence", "poisson", "cosh", "learning_rate"} {
		if strings.Contains(name, down) {
			return true, true
		}
	}
	return false, false
}

// begin resets the per-run state and, with StrictMonitor, rejects a key
// the model can never log.
func (m *monitor) begin(model *keras.Model) error {
	m.warned = false
	if !m.strict || model == nil {
		return nil
	}
	known := knownKeys(model)
	for _, k := range append([]string{m.key}, metrics.Aliases(m.key)...) {
		for _, kk := range known {
			if k == kk {
				return nil
			}
		}
	}
	return errors.Errorf("callbacks: %s: monitor %q can never be logged by this model (it logs: %s)", m.class, m.key, strings.Join(known, ", "))
}

// knownKeys lists the keys a compiled model can log: loss, its metrics,
// their val_ twins, and learning_rate (added by the learning-rate
// callbacks).
func knownKeys(model *keras.Model) []string {
	keys := append([]string{"loss"}, model.MetricNames()...)
	for _, k := range keys[:len(keys):len(keys)] {
		keys = append(keys, "val_"+k)
	}
	return append(keys, "learning_rate")
}

// value returns the monitored value from logs (alias-aware). A missing key
// gives ok false, after a warning listing the available keys (once per
// run), or an error with StrictMonitor.
func (m *monitor) value(logs keras.Logs) (v float64, ok bool, err error) {
	if v, ok := lookup(logs, m.key); ok {
		return v, true, nil
	}
	msg := fmt.Sprintf("%s is conditioned on %q, which is not available; available keys: %s", m.class, m.key, strings.Join(sortedKeys(logs), ", "))
	if m.strict {
		return 0, false, errors.New("callbacks: " + msg)
	}
	if !m.warned {
		m.warned = true
		fmt.Fprintf(m.s.warnings, "callbacks: warning: %s\n", msg)
	}
	return 0, false, nil
}

// better reports whether current improves on ref by more than minDelta.
func (m *monitor) better(current, ref float64) bool {
	if m.less {
		return current+m.minDelta < ref
	}
	return current-m.minDelta > ref
}

// worst returns the starting "best" value: +Inf when minimising.
func (m *monitor) worst() float64 {
	if m.less {
		return math.Inf(1)
	}
	return math.Inf(-1)
}

// lookup finds key in logs, also under its other spellings (History.Get's
// rule).
func lookup(logs keras.Logs, key string) (float64, bool) {
	if v, ok := logs[key]; ok {
		return v, true
	}
	for _, alt := range metrics.Aliases(key) {
		if v, ok := logs[alt]; ok {
			return v, true
		}
	}
	return 0, false
}

func sortedKeys(logs keras.Logs) []string {
	keys := make([]string, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// modelOf reports a callback used before SetModel.
func modelOf(class string, model *keras.Model) error {
	if model == nil {
		return errors.Errorf("callbacks: %s: no model (SetModel was not called)", class)
	}
	return nil
}
