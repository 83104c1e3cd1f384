package keras

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// LongRow is one row of History.LongTable: one value of one series at one
// epoch, in the layout of R's as.data.frame(history).
type LongRow struct {
	// Epoch is 1-based, as in R (History.Epoch is 0-based, as in Python).
	Epoch int `json:"epoch"`
	// Value is the recorded value (NaN where a key was missing that epoch).
	Value float64 `json:"value"`
	// Metric is the key without its "val_" prefix ("loss", "mae").
	Metric string `json:"metric"`
	// Data is "training", or "validation" for a "val_" key.
	Data string `json:"data"`
}

// LongTable returns the history in long form, like R's
// as.data.frame(history): for each key in Keys order, one row per recorded
// epoch. After early stopping the series simply end: R pads them with NA
// up to the requested epochs, LongTable does not. Keys added by callbacks
// (such as "learning_rate") appear as training data.
func (h *History) LongTable() []LongRow {
	out := make([]LongRow, 0, len(h.keys)*len(h.Epoch))
	for _, k := range h.keys {
		metric, data := k, "training"
		if strings.HasPrefix(k, "val_") {
			metric, data = strings.TrimPrefix(k, "val_"), "validation"
		}
		for i, e := range h.Epoch {
			out = append(out, LongRow{Epoch: e + 1, Value: h.values[k][i], Metric: metric, Data: data})
		}
	}
	return out
}

// WriteLongCSV writes LongTable as CSV with the header
// "epoch,value,metric,data" (R's column names), values formatted by
// FormatFloat.
func (h *History) WriteLongCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"epoch", "value", "metric", "data"}); err != nil {
		return errors.Wrap(err, "keras: History.WriteLongCSV")
	}
	for _, r := range h.LongTable() {
		if err := cw.Write([]string{strconv.Itoa(r.Epoch), FormatFloat(r.Value), r.Metric, r.Data}); err != nil {
			return errors.Wrap(err, "keras: History.WriteLongCSV")
		}
	}
	cw.Flush()
	return errors.Wrap(cw.Error(), "keras: History.WriteLongCSV")
}

// WriteCSV writes the history in wide form, one row per epoch, in the
// layout of Keras's CSVLogger: an "epoch" column (0-based, as CSVLogger
// writes it) followed by every key in Keys order, values formatted by
// FormatFloat.
func (h *History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"epoch"}, h.keys...)); err != nil {
		return errors.Wrap(err, "keras: History.WriteCSV")
	}
	row := make([]string, len(h.keys)+1)
	for i, e := range h.Epoch {
		row[0] = strconv.Itoa(e)
		for j, k := range h.keys {
			row[j+1] = FormatFloat(h.values[k][i])
		}
		if err := cw.Write(row); err != nil {
			return errors.Wrap(err, "keras: History.WriteCSV")
		}
	}
	cw.Flush()
	return errors.Wrap(cw.Error(), "keras: History.WriteCSV")
}

// FormatFloat formats a logged value for CSV files: the shortest decimal
// that reads back to the same float64 ("0.25", "1e-05"), and "NaN",
// "Inf", "-Inf" for the special values (which Python, R and Go all read
// back).
func FormatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// MarshalJSON encodes the history as
//
//	{"params": {...}, "epoch": [0, 1], "history": {"loss": [...], ...}}
//
// with the keys of "history" in Keys order (Keras's history.history and
// history.params). NaN and infinite values, which JSON cannot hold, are
// written as null.
func (h *History) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	params, err := json.Marshal(h.Params)
	if err != nil {
		return nil, errors.Wrap(err, "keras: History.MarshalJSON")
	}
	epochs := h.Epoch
	if epochs == nil {
		epochs = []int{}
	}
	ep, _ := json.Marshal(epochs)
	b.WriteString(`{"params":`)
	b.Write(params)
	b.WriteString(`,"epoch":`)
	b.Write(ep)
	b.WriteString(`,"history":{`)
	for i, k := range h.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		b.Write(name)
		b.WriteString(":[")
		for j, v := range h.values[k] {
			if j > 0 {
				b.WriteByte(',')
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b.WriteString("null")
			} else {
				b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		b.WriteByte(']')
	}
	b.WriteString("}}")
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes (null reads as NaN), keeping
// the order of the keys. Every series must have one value per epoch.
func (h *History) UnmarshalJSON(data []byte) error {
	var raw struct {
		Params  Params          `json:"params"`
		Epoch   []int           `json:"epoch"`
		History json.RawMessage `json:"history"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return errors.Wrap(err, "keras: History.UnmarshalJSON")
	}
	out := NewHistory()
	out.Params, out.Epoch = raw.Params, raw.Epoch
	if len(raw.History) > 0 && string(raw.History) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw.History))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return errors.New(`keras: History.UnmarshalJSON: "history" must be an object of arrays`)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return errors.Wrap(err, "keras: History.UnmarshalJSON")
			}
			key := tok.(string)
			var vals []*float64
			if err := dec.Decode(&vals); err != nil {
				return errors.Wrapf(err, "keras: History.UnmarshalJSON: key %q", key)
			}
			if len(vals) != len(out.Epoch) {
				return errors.Errorf("keras: History.UnmarshalJSON: key %q has %d values for %d epochs", key, len(vals), len(out.Epoch))
			}
			if _, dup := out.values[key]; dup {
				return errors.Errorf("keras: History.UnmarshalJSON: key %q appears twice", key)
			}
			series := make([]float64, len(vals))
			for i, v := range vals {
				if v == nil {
					series[i] = math.NaN()
				} else {
					series[i] = *v
				}
			}
			out.keys = append(out.keys, key)
			out.values[key] = series
		}
	}
	out.CallbackBase = h.CallbackBase
	*h = *out
	return nil
}

// Metrics returns the metric names of the history without "val_"
// prefixes, in Keys order and without repeats: the panels of R's
// plot(history).
func (h *History) Metrics() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range h.keys {
		m := strings.TrimPrefix(k, "val_")
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}
