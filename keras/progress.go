package keras

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// progbar draws Keras's progress line:
//
//	1875/1875 [==============================] - 3s 1ms/step - loss: 0.4960 - accuracy: 0.8260
//
// On a terminal (dynamic) the line is redrawn in place with \r, at most
// every 50 ms. Anywhere else (a log file, a pipe) only the finished line
// is written, so logs never fill with partial bars. verbose 2 writes one
// summary line at the end.
type progbar struct {
	w         io.Writer
	target    int
	verbose   int
	dynamic   bool
	start     time.Time
	last      time.Time
	lastWidth int
	now       func() time.Time
}

const barWidth = 30

func newProgbar(w io.Writer, target, verbose int, now func() time.Time) *progbar {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &progbar{w: w, target: target, verbose: verbose, dynamic: isTerminal(w), start: t, now: now}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type kv struct {
	key   string
	value float64
}

// update shows progress at step current (1-based) with the given values;
// finalize ends the line. extra is appended to a finalized verbose-2 line
// (" - 3s/epoch").
func (p *progbar) update(current int, values []kv, finalize bool) {
	now := p.now()
	switch p.verbose {
	case 1:
		if !finalize && (!p.dynamic || now.Sub(p.last) < 50*time.Millisecond) {
			return
		}
		p.last = now
		var b strings.Builder
		if p.dynamic {
			b.WriteString("\r")
		}
		bar := p.bar(current)
		b.WriteString(bar)
		info := ""
		perStep := p.perStep(current, now)
		if finalize {
			info = fmt.Sprintf(" - %.0fs%s", now.Sub(p.start).Seconds(), formatPerStep(perStep))
		} else {
			info = " - ETA: " + formatETA(perStep*float64(p.target-current))
		}
		info += formatValues(values)
		width := len(bar) + len(info)
		if p.dynamic && p.lastWidth > width {
			info += strings.Repeat(" ", p.lastWidth-width)
		}
		p.lastWidth = width
		b.WriteString(info)
		if finalize {
			b.WriteString("\n")
		}
		_, _ = io.WriteString(p.w, b.String())
	case 2:
		if !finalize {
			return
		}
		elapsed := now.Sub(p.start).Seconds()
		line := fmt.Sprintf("%s - %.0fs%s - %s/epoch - %s/step\n", p.count(current), elapsed, formatValues(values),
			formatDuration(elapsed), formatDuration(p.perStep(current, now)))
		_, _ = io.WriteString(p.w, line)
	}
}

func (p *progbar) count(current int) string {
	digits := len(fmt.Sprint(p.target))
	return fmt.Sprintf("%*d/%d", digits, current, p.target)
}

func (p *progbar) bar(current int) string {
	width := int(float64(barWidth) * float64(current) / float64(p.target))
	var b strings.Builder
	b.WriteString(p.count(current))
	b.WriteString(" [")
	if width > 0 {
		b.WriteString(strings.Repeat("=", width-1))
		if current < p.target {
			b.WriteString(">")
		} else {
			b.WriteString("=")
		}
	}
	b.WriteString(strings.Repeat(".", barWidth-width))
	b.WriteString("]")
	return b.String()
}

func (p *progbar) perStep(current int, now time.Time) float64 {
	if current <= 0 {
		return 0
	}
	return now.Sub(p.start).Seconds() / float64(current)
}

// formatValues writes " - key: value" for each value, %.4f, or %.4e
// when |value| <= 1e-3 (Keras's rule).
func formatValues(values []kv) string {
	var b strings.Builder
	for _, v := range values {
		if math.Abs(v.value) > 1e-3 {
			fmt.Fprintf(&b, " - %s: %.4f", v.key, v.value)
		} else {
			fmt.Fprintf(&b, " - %s: %.4e", v.key, v.value)
		}
	}
	return b.String()
}

// formatPerStep formats the time per step after the total time of a
// finished bar: " 1ms/step".
func formatPerStep(sec float64) string { return " " + formatDuration(sec) + "/step" }

// formatDuration formats seconds as Keras does: whole seconds, else
// milliseconds, else microseconds.
func formatDuration(sec float64) string {
	switch {
	case sec >= 1 || sec == 0:
		return fmt.Sprintf("%.0fs", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.0fms", sec*1e3)
	}
	return fmt.Sprintf("%.0fus", sec*1e6)
}

func formatETA(eta float64) string {
	e := int(eta)
	switch {
	case eta > 3600:
		return fmt.Sprintf("%d:%02d:%02d", e/3600, (e%3600)/60, e%60)
	case eta > 60:
		return fmt.Sprintf("%d:%02d", e/60, e%60)
	}
	return fmt.Sprintf("%ds", e)
}

// ProgbarLogger prints Keras's progress output: "Epoch i/N" and a bar per
// epoch (verbose 1) or one line per epoch (verbose 2), and a bar for
// Evaluate and Predict. Fit, Evaluate and Predict install one when
// verbose > 0, unless a ProgbarLogger is among the callbacks; pass your own
// (NewProgbarLogger) to send progress elsewhere.
type ProgbarLogger struct {
	CallbackBase
	w       io.Writer
	verbose int
	params  Params
	bar     *progbar
	now     func() time.Time
	dynamic bool
	mode    string // "train", "test" or "predict"
	seen    int
}

// NewProgbarLogger returns a progress printer writing to w (os.Stdout when
// nil) at the given verbosity (1: bar, 2: one line per epoch).
func NewProgbarLogger(w io.Writer, verbose int) *ProgbarLogger {
	if w == nil {
		w = os.Stdout
	}
	return &ProgbarLogger{w: w, verbose: verbose, dynamic: verbose == 1 && isTerminal(w)}
}

// SetParams records the run's parameters.
func (p *ProgbarLogger) SetParams(params Params) { p.params = params }

// OnTrainBegin starts a training run.
func (p *ProgbarLogger) OnTrainBegin(Logs) error { p.mode = "train"; return nil }

// OnEpochBegin prints "Epoch i/N" and starts a bar.
func (p *ProgbarLogger) OnEpochBegin(epoch int, _ Logs) error {
	if p.verbose > 0 {
		fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, p.params.Epochs)
	}
	p.bar = newProgbar(p.w, p.params.Steps, p.verbose, p.now)
	p.seen = p.params.Steps
	return nil
}

// OnTrainBatchEnd redraws the bar.
func (p *ProgbarLogger) OnTrainBatchEnd(batch int, logs Logs) error {
	p.seen = batch + 1
	p.bar.update(batch+1, p.values(logs), false)
	return nil
}

// OnEpochEnd writes the finished line with the validation values.
func (p *ProgbarLogger) OnEpochEnd(_ int, logs Logs) error {
	if p.bar != nil {
		p.bar.update(p.seen, p.values(logs), true)
	}
	return nil
}

// OnTestBegin starts a bar for Evaluate (not for Fit's validation).
func (p *ProgbarLogger) OnTestBegin(Logs) error {
	if p.mode != "train" {
		p.mode = "test"
		p.bar = newProgbar(p.w, p.params.Steps, p.verbose, p.now)
		p.seen = p.params.Steps
	}
	return nil
}

// OnTestBatchEnd redraws Evaluate's bar.
func (p *ProgbarLogger) OnTestBatchEnd(batch int, logs Logs) error {
	if p.mode == "test" {
		p.seen = batch + 1
		p.bar.update(batch+1, p.values(logs), false)
	}
	return nil
}

// OnTestEnd finishes Evaluate's bar.
func (p *ProgbarLogger) OnTestEnd(logs Logs) error {
	if p.mode == "test" {
		p.bar.update(p.seen, p.values(logs), true)
	}
	return nil
}

// OnPredictBegin starts a bar for Predict.
func (p *ProgbarLogger) OnPredictBegin(Logs) error {
	p.mode = "predict"
	p.bar = newProgbar(p.w, p.params.Steps, p.verbose, p.now)
	p.seen = p.params.Steps
	return nil
}

// OnPredictBatchEnd redraws Predict's bar.
func (p *ProgbarLogger) OnPredictBatchEnd(batch int, _ Logs) error {
	p.seen = batch + 1
	p.bar.update(batch+1, nil, false)
	return nil
}

// OnPredictEnd finishes Predict's bar.
func (p *ProgbarLogger) OnPredictEnd(Logs) error {
	p.bar.update(p.seen, nil, true)
	return nil
}

// UsesHook skips the per-batch hooks unless the bar is redrawn in place
// (verbose 1 on a terminal): elsewhere only finished lines are written.
func (p *ProgbarLogger) UsesHook(h Hook) bool {
	switch h {
	case OnTrainBatchEnd, OnTestBatchEnd, OnPredictBatchEnd:
		return p.dynamic
	}
	return true
}

func (p *ProgbarLogger) values(logs Logs) []kv {
	var names []string
	if p.Model() != nil {
		names = p.Model().MetricNames()
	}
	keys := orderedKeys(logs, names)
	out := make([]kv, 0, len(keys))
	for _, k := range keys {
		out = append(out, kv{k, logs[k]})
	}
	return out
}

func nan() float64 { return math.NaN() }
