package metrics

import "math"

// epsilon is Keras's fuzz factor (keras.config.epsilon()).
const epsilon = 1e-7

// MeanAbsoluteError returns mean(|y_pred - y_true|) over samples and
// outputs ("mean_absolute_error", alias "mae"). Option: Name.
func MeanAbsoluteError(opts ...MeanAbsoluteErrorOption) *Mean {
	return newMeanAbsoluteError(build(NameParams{}, opts, MeanAbsoluteErrorOption.applyMeanAbsoluteError))
}

func newMeanAbsoluteError(p NameParams) *Mean {
	return nameOnly("mean_absolute_error", "mean_absolute_error", p, false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 { return math.Abs(p - t) })
	})
}

// MeanSquaredError returns mean((y_pred - y_true)^2) over samples and
// outputs ("mean_squared_error", alias "mse"). Option: Name.
func MeanSquaredError(opts ...MeanSquaredErrorOption) *Mean {
	return newMeanSquaredError(build(NameParams{}, opts, MeanSquaredErrorOption.applyMeanSquaredError))
}

func newMeanSquaredError(p NameParams) *Mean {
	return nameOnly("mean_squared_error", "mean_squared_error", p, false, squaredError)
}

func squaredError(t, p []float64) float64 {
	return meanOf(t, p, func(t, p float64) float64 { return (p - t) * (p - t) })
}

// RootMeanSquaredError returns sqrt(mean((y_pred - y_true)^2)) over all
// samples and outputs seen ("root_mean_squared_error"): the square root
// of the epoch's mean, not a mean of batch roots. Option: Name.
func RootMeanSquaredError(opts ...RootMeanSquaredErrorOption) *Mean {
	return newRootMeanSquaredError(build(NameParams{}, opts, RootMeanSquaredErrorOption.applyRootMeanSquaredError))
}

func newRootMeanSquaredError(p NameParams) *Mean {
	m := nameOnly("root_mean_squared_error", "root_mean_squared_error", p, false, squaredError)
	m.post = sqrtResult
	return m
}

// MeanAbsolutePercentageError returns
// 100 * mean(|y_true - y_pred| / max(|y_true|, 1e-7)) over samples and
// outputs ("mean_absolute_percentage_error", alias "mape"). Option: Name.
func MeanAbsolutePercentageError(opts ...MeanAbsolutePercentageErrorOption) *Mean {
	return newMeanAbsolutePercentageError(build(NameParams{}, opts, MeanAbsolutePercentageErrorOption.applyMeanAbsolutePercentageError))
}

func newMeanAbsolutePercentageError(p NameParams) *Mean {
	return nameOnly("mean_absolute_percentage_error", "mean_absolute_percentage_error", p, false, func(t, p []float64) float64 {
		return 100 * meanOf(t, p, func(t, p float64) float64 {
			return math.Abs((t - p) / math.Max(math.Abs(t), epsilon))
		})
	})
}

// MeanSquaredLogarithmicError returns
// mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))^2) over
// samples and outputs ("mean_squared_logarithmic_error", alias "msle").
// Option: Name.
func MeanSquaredLogarithmicError(opts ...MeanSquaredLogarithmicErrorOption) *Mean {
	return newMeanSquaredLogarithmicError(build(NameParams{}, opts, MeanSquaredLogarithmicErrorOption.applyMeanSquaredLogarithmicError))
}

func newMeanSquaredLogarithmicError(p NameParams) *Mean {
	return nameOnly("mean_squared_logarithmic_error", "mean_squared_logarithmic_error", p, false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 {
			d := math.Log(math.Max(p, epsilon)+1) - math.Log(math.Max(t, epsilon)+1)
			return d * d
		})
	})
}

// CosineSimilarity returns the mean over samples of
// sum(l2_normalize(y_true) * l2_normalize(y_pred)) ("cosine_similarity"):
// 1 when prediction and target point the same way. Norms below 1e-7 are
// taken as 1e-7, so a zero vector scores 0. (The loss of the same name is
// its negative.) Option: Name.
func CosineSimilarity(opts ...CosineSimilarityOption) *Mean {
	return newCosineSimilarity(build(NameParams{}, opts, CosineSimilarityOption.applyCosineSimilarity))
}

func newCosineSimilarity(p NameParams) *Mean {
	return nameOnly("cosine_similarity", "cosine_similarity", p, false, cosine)
}

// cosine is sum(t*p) / (max(|t|, eps) * max(|p|, eps)).
func cosine(t, p []float64) float64 {
	var tp, tt, pp float64
	for j := range p {
		tp += t[j] * p[j]
		tt += t[j] * t[j]
		pp += p[j] * p[j]
	}
	return tp / (math.Max(math.Sqrt(tt), epsilon) * math.Max(math.Sqrt(pp), epsilon))
}

// LogCoshError returns mean(log(cosh(y_pred - y_true))) over samples and
// outputs (registered as "log_cosh_error"; the typed value's default name
// is Keras's "logcosh"). Option: Name.
func LogCoshError(opts ...LogCoshErrorOption) *Mean {
	return newLogCoshError(build(NameParams{}, opts, LogCoshErrorOption.applyLogCoshError))
}

func newLogCoshError(p NameParams) *Mean {
	return nameOnly("log_cosh_error", "logcosh", p, false, logCosh)
}

// logCosh is the row mean of log(cosh(e)) = |e| + log1p(exp(-2|e|)) - log 2.
func logCosh(t, p []float64) float64 {
	return meanOf(t, p, func(t, p float64) float64 {
		a := math.Abs(p - t)
		return a + math.Log1p(math.Exp(-2*a)) - math.Ln2
	})
}

// R2 is the coefficient of determination, 1 - SS_res / SS_tot, per
// output and combined, over every sample since the last Reset. R2Score
// returns one.
type R2 struct {
	name          string
	aggregation   string
	numRegressors int
	err           error
	meta

	sum, squaredSum, residual, count []float64
	numSamples                       float64
}

// R2Score returns the coefficient of determination ("r2_score"):
// 1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2) per
// output, from weighted sums kept over the whole epoch, as Keras's
// R2Score. An output whose targets do not vary scores 0 when it has
// residuals and NaN when it has none (Keras gives the same). Options:
// Name, ClassAggregation ("uniform_average" by default, or
// "variance_weighted_average"), NumRegressors (default 0; with p > 0 the
// adjusted R2 1 - (1 - R2)(n - 1)/(n - p - 1), n counting every target
// value, falling back to R2 when n - p - 1 <= 0 as Keras does after its
// warning).
func R2Score(opts ...R2ScoreOption) *R2 {
	return newR2Score(build(r2Defaults, opts, R2ScoreOption.applyR2Score))
}

var r2Defaults = R2ScoreParams{ClassAggregation: "uniform_average"}

func newR2Score(p R2ScoreParams) *R2 {
	p = withName(p, "r2_score")
	var err error
	switch {
	case p.ClassAggregation != "uniform_average" && p.ClassAggregation != "variance_weighted_average":
		err = invalid(p.Name, "class_aggregation", p.ClassAggregation, `"uniform_average" or "variance_weighted_average"`)
	case p.NumRegressors < 0:
		err = invalid(p.Name, "num_regressors", p.NumRegressors, ">= 0")
	}
	return &R2{name: p.Name, aggregation: p.ClassAggregation, numRegressors: p.NumRegressors, err: err,
		meta: metaOf("r2_score", p, r2Defaults)}
}

// Name returns the history key.
func (m *R2) Name() string { return m.name }

// SparseTargets returns false: targets are values.
func (m *R2) SparseTargets() bool { return false }

// Err returns the first invalid option, or nil.
func (m *R2) Err() error { return m.err }

// Config returns the serialisable form.
func (m *R2) Config() Config { return m.config(m.name) }

// Clone returns a metric with the same options and no state.
func (m *R2) Clone() Metric {
	return &R2{name: m.name, aggregation: m.aggregation, numRegressors: m.numRegressors, err: m.err, meta: m.meta}
}

// Reset clears the state.
func (m *R2) Reset() {
	m.sum, m.squaredSum, m.residual, m.count, m.numSamples = nil, nil, nil, nil, 0
}

// Update adds a batch.
func (m *R2) Update(b Batch) error {
	if m.err != nil {
		return m.err
	}
	_, w, err := b.check(m.name, false)
	if err != nil {
		return err
	}
	if m.sum == nil {
		m.sum, m.squaredSum = make([]float64, w), make([]float64, w)
		m.residual, m.count = make([]float64, w), make([]float64, w)
	} else if len(m.sum) != w {
		return invalid(m.name, "the output width", w, "the same in every batch")
	}
	for i := 0; i < b.Rows; i++ {
		sw := b.weight(i)
		for j := 0; j < w; j++ {
			t, p := b.YTrue[i*w+j], b.YPred[i*w+j]
			m.sum[j] += sw * t
			m.squaredSum[j] += sw * t * t
			m.residual[j] += sw * (t - p) * (t - p)
			m.count[j] += sw
		}
	}
	m.numSamples += float64(b.Rows * w)
	return nil
}

// PerOutput returns the R2 of each output (Keras's
// class_aggregation=None), or nil before any update.
func (m *R2) PerOutput() []float64 {
	if m.sum == nil {
		return nil
	}
	out := make([]float64, len(m.sum))
	for j := range out {
		mean := m.sum[j] / m.count[j]
		total := m.squaredSum[j] - m.sum[j]*mean
		r := 1 - m.residual[j]/total
		if math.IsInf(r, 0) {
			r = 0
		}
		out[j] = r
	}
	return out
}

// Result returns the combined R2 (0 before any update).
func (m *R2) Result() float64 {
	raw := m.PerOutput()
	if raw == nil {
		return 0
	}
	var r float64
	if m.aggregation == "variance_weighted_average" {
		var ws, w float64
		for j, v := range raw {
			total := m.squaredSum[j] - m.sum[j]*m.sum[j]/m.count[j]
			ws += total * v
			w += total
		}
		r = ws / w
	} else {
		for _, v := range raw {
			r += v
		}
		r /= float64(len(raw))
	}
	if p := float64(m.numRegressors); p != 0 && p < m.numSamples-1 {
		n := m.numSamples
		r = 1 - (1-r)*(n-1)/(n-p-1)
	}
	return r
}
