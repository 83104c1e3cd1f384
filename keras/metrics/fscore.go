package metrics

import "math"

// FScore is the F-beta score (F1 for beta = 1) from weighted per-class
// counts of true positives, false positives and false negatives over
// every sample since the last Reset (Keras's FBetaScore and F1Score).
type FScore struct {
	name      string
	beta      float64
	threshold float64 // NaN: none (each row's largest prediction is 1)
	average   string
	err       error
	meta

	tp, fp, fn, support []float64 // per class; one entry for "micro"
}

// F1Score returns the harmonic mean of precision and recall, per class
// and averaged ("f1_score"). Predictions above the threshold count as 1;
// with no threshold (the default, as in Keras) each row's largest
// predictions (ties included, and only if not ~0) count as 1 and the rest
// 0, so a single-output model needs Threshold(0.5). Targets are one-hot
// (or multi-hot) rows. Options: Name, Threshold (in (0, 1]), Average
// ("macro" default here, "micro", "weighted"; see Average).
func F1Score(opts ...F1ScoreOption) *FScore {
	return newF1Score(build(f1Defaults, opts, F1ScoreOption.applyF1Score))
}

var f1Defaults = F1ScoreParams{Average: "macro"}

func newF1Score(p F1ScoreParams) *FScore {
	p = withName(p, "f1_score")
	f := newFScore(p.Name, 1, p.Threshold, p.Average, nil)
	f.meta = metaOf("f1_score", p, f1Defaults)
	return f
}

// FBetaScore is F1Score with recall weighted beta times as much as
// precision ("fbeta_score"): (1 + b^2) p r / (b^2 p + r). Options: Name,
// Beta (default 1, > 0), Threshold, Average.
func FBetaScore(opts ...FBetaScoreOption) *FScore {
	return newFBetaScore(build(fbetaDefaults, opts, FBetaScoreOption.applyFBetaScore))
}

var fbetaDefaults = FBetaScoreParams{Beta: 1, Average: "macro"}

func newFBetaScore(p FBetaScoreParams) *FScore {
	p = withName(p, "fbeta_score")
	var err error
	if !finitePositive(p.Beta) {
		err = invalid(p.Name, "beta", p.Beta, "finite and > 0")
	}
	f := newFScore(p.Name, p.Beta, p.Threshold, p.Average, err)
	f.meta = metaOf("fbeta_score", p, fbetaDefaults)
	return f
}

func newFScore(name string, beta float64, threshold *float64, average string, err error) *FScore {
	th := math.NaN()
	if threshold != nil {
		th = *threshold
		if err == nil && !(th > 0 && th <= 1) {
			err = invalid(name, "threshold", th, "in (0, 1]")
		}
	}
	if err == nil && average != "macro" && average != "micro" && average != "weighted" {
		err = invalid(name, "average", average, `"macro", "micro" or "weighted"`)
	}
	return &FScore{name: name, beta: beta, threshold: th, average: average, err: err}
}

// Name returns the history key.
func (f *FScore) Name() string { return f.name }

// SparseTargets returns false: targets are one-hot rows.
func (f *FScore) SparseTargets() bool { return false }

// Err returns the first invalid option, or nil.
func (f *FScore) Err() error { return f.err }

// Config returns the serialisable form.
func (f *FScore) Config() Config { return f.config(f.name) }

// Clone returns a metric with the same options and no state.
func (f *FScore) Clone() Metric {
	d := *f
	d.Reset()
	return &d
}

// Reset clears the counts.
func (f *FScore) Reset() { f.tp, f.fp, f.fn, f.support = nil, nil, nil, nil }

// Update adds a batch.
func (f *FScore) Update(b Batch) error {
	if f.err != nil {
		return f.err
	}
	_, w, err := b.check(f.name, false)
	if err != nil {
		return err
	}
	n := w
	if f.average == "micro" {
		n = 1
	}
	if f.tp == nil {
		f.tp, f.fp, f.fn, f.support = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	} else if len(f.tp) != n {
		return invalid(f.name, "the output width", w, "the same in every batch")
	}
	for i := 0; i < b.Rows; i++ {
		sw := b.weight(i)
		p, t := b.YPred[i*w:(i+1)*w], b.YTrue[i*w:(i+1)*w]
		max := math.Inf(-1)
		for _, v := range p {
			max = math.Max(max, v)
		}
		for j := range p {
			var pred float64
			if math.IsNaN(f.threshold) {
				if p[j] >= max && math.Abs(p[j]) > 1e-9 {
					pred = 1
				}
			} else if p[j] > f.threshold {
				pred = 1
			}
			c := j
			if n == 1 {
				c = 0
			}
			f.tp[c] += sw * pred * t[j]
			f.fp[c] += sw * pred * (1 - t[j])
			f.fn[c] += sw * (1 - pred) * t[j]
			f.support[c] += sw * t[j]
		}
	}
	return nil
}

// PerClass returns the score of each class (Keras's average=None), or one
// value with Average("micro"); nil before any update.
func (f *FScore) PerClass() []float64 {
	if f.tp == nil {
		return nil
	}
	b2 := f.beta * f.beta
	out := make([]float64, len(f.tp))
	for c := range out {
		p := f.tp[c] / (f.tp[c] + f.fp[c] + epsilon)
		r := f.tp[c] / (f.tp[c] + f.fn[c] + epsilon)
		out[c] = (1 + b2) * p * r / (b2*p + r + epsilon)
	}
	return out
}

// Result returns the averaged score so far (0 before any update).
func (f *FScore) Result() float64 {
	scores := f.PerClass()
	if scores == nil {
		return 0
	}
	var r float64
	if f.average == "weighted" {
		var total float64
		for _, s := range f.support {
			total += s
		}
		for c, s := range scores {
			r += s * f.support[c] / (total + epsilon)
		}
		return r
	}
	for _, s := range scores {
		r += s
	}
	return r / float64(len(scores))
}
