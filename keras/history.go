package keras

import (
	"github.com/gokeras/gokeras/keras/metrics"
)

// History records the values of every epoch of a Fit: "loss", each metric
// under the name given in Compile, their "val_" twins, and any key a
// callback adds. Fit always installs one and returns it.
//
// After early stopping or cancellation the series simply end at the last
// completed epoch: they are never padded (R's as.data.frame(history) pads
// with NA up to the requested epochs; LongTable does not).
//
// A history exports itself as CSV (WriteCSV, wide like CSVLogger;
// WriteLongCSV, long like R's as.data.frame), as JSON (MarshalJSON, which
// UnmarshalJSON reads back) and as a long table (LongTable). The
// historyplot package draws it like R's plot(history).
type History struct {
	CallbackBase
	// Epoch lists the recorded epochs (0-based, so after InitialEpoch(3)
	// it starts at 3).
	Epoch []int
	// Params describes the run.
	Params Params

	keys   []string
	values map[string][]float64
}

// NewHistory returns an empty history (Fit makes its own).
func NewHistory() *History { return &History{values: map[string][]float64{}} }

// SetParams records the run's parameters.
func (h *History) SetParams(p Params) { h.Params = p }

// OnEpochEnd records the epoch's logs.
func (h *History) OnEpochEnd(epoch int, logs Logs) error {
	h.Epoch = append(h.Epoch, epoch)
	metricNames := []string(nil)
	if h.Model() != nil {
		metricNames = h.Model().MetricNames()
	}
	for _, k := range orderedKeys(logs, metricNames) {
		if _, ok := h.values[k]; !ok {
			h.keys = append(h.keys, k)
			// A key that appears late (a callback added it) is missing
			// for earlier epochs; keep series aligned with Epoch.
			h.values[k] = nanSeries(len(h.Epoch) - 1)
		}
		h.values[k] = append(h.values[k], logs[k])
	}
	for _, k := range h.keys {
		if _, ok := logs[k]; !ok {
			h.values[k] = append(h.values[k], nan())
		}
	}
	return nil
}

// Keys returns the recorded keys in the order Keras prints them: loss,
// metrics, val_loss, val_ metrics, then extra keys.
func (h *History) Keys() []string { return append([]string(nil), h.keys...) }

// Get returns the per-epoch series for key. It also finds a key under the
// other spellings Keras users know (metrics.Aliases): "acc" and
// "accuracy", "mae" and "mean_absolute_error", "mse" and
// "mean_squared_error", "mape", "msle", "bce", "kld", "logcosh" and their
// long names (with or without "val_"); the exact key wins when both exist.
func (h *History) Get(key string) ([]float64, bool) {
	if v, ok := h.values[key]; ok {
		return append([]float64(nil), v...), true
	}
	for _, alt := range metrics.Aliases(key) {
		if v, ok := h.values[alt]; ok {
			return append([]float64(nil), v...), true
		}
	}
	return nil, false
}

// Last returns the last recorded value for key (alias-aware like Get).
func (h *History) Last(key string) (float64, bool) {
	v, ok := h.Get(key)
	if !ok || len(v) == 0 {
		return 0, false
	}
	return v[len(v)-1], true
}

// Len returns the number of recorded epochs.
func (h *History) Len() int { return len(h.Epoch) }

func nanSeries(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = nan()
	}
	return out
}
