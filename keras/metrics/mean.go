package metrics

import (
	"math"
)

// Mean is the weighted mean of a per-sample value: sum(w*v) / sum(w)
// over every sample since the last Reset (Keras's Mean and
// MeanMetricWrapper). Most metrics, and every loss used as a metric, are
// a Mean of a function of one row.
type Mean struct {
	name   string
	sparse bool
	perRow func(yTrue, yPred []float64) float64
	// perBatch, when set, fills vals with one value per row of the batch
	// (for values that depend on the whole batch, like the hinge
	// metrics' label convention).
	perBatch func(b Batch, wt, wp int, vals []float64)
	post     func(mean float64) float64 // applied by Result (RMSE's sqrt)
	err      error
	meta

	total float64
	count float64
	vals  []float64
}

// NewMean returns a metric named name that averages perRow(yTrue row,
// yPred row) over samples, weighted by the sample weights. Set sparse when
// each target row is a single class index.
func NewMean(name string, sparse bool, perRow func(yTrue, yPred []float64) float64) *Mean {
	return &Mean{name: name, perRow: perRow, sparse: sparse}
}

// Name returns the history key.
func (m *Mean) Name() string { return m.name }

// Reset clears the state.
func (m *Mean) Reset() { m.total, m.count = 0, 0 }

// SparseTargets reports whether targets are class indices.
func (m *Mean) SparseTargets() bool { return m.sparse }

// Err returns the first invalid option the metric was built with, or nil.
func (m *Mean) Err() error { return m.err }

// Clone returns a metric with the same name and options and no state.
func (m *Mean) Clone() Metric {
	c := *m
	c.vals = nil
	c.Reset()
	return &c
}

// Update adds a batch.
func (m *Mean) Update(b Batch) error {
	if m.err != nil {
		return m.err
	}
	wt, wp, err := b.check(m.name, m.sparse)
	if err != nil {
		return err
	}
	if m.perBatch != nil {
		if cap(m.vals) < b.Rows {
			m.vals = make([]float64, b.Rows)
		}
		vals := m.vals[:b.Rows]
		m.perBatch(b, wt, wp, vals)
		for i, v := range vals {
			w := b.weight(i)
			m.total += w * v
			m.count += w
		}
		return nil
	}
	for i := 0; i < b.Rows; i++ {
		w := b.weight(i)
		m.total += w * m.perRow(b.YTrue[i*wt:(i+1)*wt], b.YPred[i*wp:(i+1)*wp])
		m.count += w
	}
	return nil
}

// Result returns the weighted mean so far (0 before any update or when
// the weights sum to 0, like Keras's divide_no_nan).
func (m *Mean) Result() float64 {
	r := 0.0
	if m.count != 0 {
		r = m.total / m.count
	}
	if m.post != nil {
		return m.post(r)
	}
	return r
}

// Config returns the serialisable form (for a Mean made by NewMean, its
// name alone).
func (m *Mean) Config() Config { return m.config(m.name) }

// newMean builds a built-in Mean registered as class, named by p and
// checked with err; def are the parameters' defaults.
func newMean[P any, PP interface {
	*P
	nameParams() *NameParams
}](class string, p, def P, err error, sparse bool, perRow func(yTrue, yPred []float64) float64) *Mean {
	return &Mean{name: PP(&p).nameParams().Name, sparse: sparse, perRow: perRow, err: err, meta: metaOf[P, PP](class, p, def)}
}

// nameOnly builds a Mean whose only parameter is its name: class is the
// registered name, def the default history key.
func nameOnly(class, def string, p NameParams, sparse bool, perRow func(yTrue, yPred []float64) float64) *Mean {
	return newMean(class, withName(p, def), NameParams{}, nil, sparse, perRow)
}

// meanOf returns the mean of f(t_j, p_j) over a row's outputs.
func meanOf(t, p []float64, f func(t, p float64) float64) float64 {
	var s float64
	for j := range p {
		s += f(t[j], p[j])
	}
	return s / float64(len(p))
}

// sqrtResult is RootMeanSquaredError's post-processing.
func sqrtResult(v float64) float64 { return math.Sqrt(v) }
