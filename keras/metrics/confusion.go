package metrics

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// negInf is the value Keras gives predictions outside a row's top k.
const negInf = -1e10

// Confusion is Precision or Recall: weighted counts of true positives,
// false positives and false negatives over every sample since the last
// Reset, from which the ratio is exact over the epoch.
type Confusion struct {
	name      string
	recall    bool
	threshold float64
	topK      int // 0: none
	classID   int // -1: none
	err       error
	meta

	tp, fp, fn float64
	row        []float64
}

// Precision returns tp / (tp + fp) over all outputs of all samples seen
// ("precision"; 0 when nothing was predicted positive). A prediction is
// positive when it exceeds the threshold, a target when it is non-zero.
// Options: Name, Thresholds (default 0.5), TopK (only each row's k largest
// predictions can be positive; the threshold then defaults to none),
// ClassID (look at one output column only).
func Precision(opts ...PrecisionOption) *Confusion {
	return newConfusion("precision", false, build(ConfusionParams{}, opts, PrecisionOption.applyPrecision))
}

// Recall returns tp / (tp + fn) over all outputs of all samples seen
// ("recall"; 0 when there are no positive targets). Options as for
// Precision.
func Recall(opts ...RecallOption) *Confusion {
	return newConfusion("recall", true, build(ConfusionParams{}, opts, RecallOption.applyRecall))
}

func newConfusion(class string, recall bool, p ConfusionParams) *Confusion {
	p = withName(p, class)
	c := &Confusion{name: p.Name, recall: recall, threshold: 0.5, classID: -1, meta: metaOf(class, p, ConfusionParams{})}
	var err error
	if p.TopK != nil {
		c.topK = *p.TopK
		if *p.TopK < 1 {
			err = invalid(p.Name, "top_k", *p.TopK, ">= 1")
		}
		if p.Thresholds == nil {
			c.threshold = negInf
		}
	}
	if p.Thresholds != nil {
		c.threshold = *p.Thresholds
		if err == nil && !inUnit(c.threshold) {
			err = invalid(p.Name, "thresholds", c.threshold, "in [0, 1]")
		}
	}
	if p.ClassID != nil {
		c.classID = *p.ClassID
		if err == nil && c.classID < 0 {
			err = invalid(p.Name, "class_id", c.classID, ">= 0")
		}
	}
	c.err = err
	return c
}

// Name returns the history key.
func (c *Confusion) Name() string { return c.name }

// SparseTargets returns false: targets are 0/1 per output.
func (c *Confusion) SparseTargets() bool { return false }

// Err returns the first invalid option, or nil.
func (c *Confusion) Err() error { return c.err }

// Config returns the serialisable form.
func (c *Confusion) Config() Config { return c.config(c.name) }

// Clone returns a metric with the same options and no state.
func (c *Confusion) Clone() Metric {
	d := *c
	d.row = nil
	d.Reset()
	return &d
}

// Reset clears the counts.
func (c *Confusion) Reset() { c.tp, c.fp, c.fn = 0, 0, 0 }

// Update adds a batch.
func (c *Confusion) Update(b Batch) error {
	if c.err != nil {
		return c.err
	}
	_, w, err := b.check(c.name, false)
	if err != nil {
		return err
	}
	if c.classID >= w {
		return invalid(c.name, "class_id", c.classID, "less than the output width "+strconv.Itoa(w))
	}
	for i := 0; i < b.Rows; i++ {
		sw := b.weight(i)
		p, t := b.YPred[i*w:(i+1)*w], b.YTrue[i*w:(i+1)*w]
		if c.topK > 0 {
			c.row = keepTopK(append(c.row[:0], p...), c.topK)
			p = c.row
		}
		lo, hi := 0, w
		if c.classID >= 0 {
			lo, hi = c.classID, c.classID+1
		}
		for j := lo; j < hi; j++ {
			predPos, labelPos := p[j] > c.threshold, t[j] != 0
			switch {
			case predPos && labelPos:
				c.tp += sw
			case predPos:
				c.fp += sw
			case labelPos:
				c.fn += sw
			}
		}
	}
	return nil
}

// Result returns the precision or recall so far.
func (c *Confusion) Result() float64 {
	den := c.tp + c.fp
	if c.recall {
		den = c.tp + c.fn
	}
	if den == 0 {
		return 0
	}
	return c.tp / den
}

// keepTopK sets every value of row outside its k largest to negInf (ties
// go to the lower index, like top_k).
func keepTopK(row []float64, k int) []float64 {
	if k >= len(row) {
		return row
	}
	idx := make([]int, len(row))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return row[idx[a]] > row[idx[b]] })
	for _, i := range idx[k:] {
		row[i] = negInf
	}
	return row
}

// AreaUnderCurve approximates the area under the ROC or precision-recall
// curve from confusion counts at evenly spaced thresholds, accumulated
// over every sample since the last Reset (Keras's AUC). AUC returns one.
type AreaUnderCurve struct {
	name          string
	numThresholds int
	pr            bool
	summation     string
	multiLabel    bool
	fromLogits    bool
	err           error
	meta

	// Per label (one unless multi-label), weighted counts of positive and
	// negative targets per prediction bucket, and their totals.
	posBucket, negBucket [][]float64
	pos, neg             []float64
}

// AUC returns the area under the ROC curve (or PR curve) ("auc"), as
// Keras computes it: predictions (clipped to [0, 1]) are compared with
// num_thresholds thresholds, 0-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1+1e-7;
// a prediction is positive above a threshold, a target when non-zero;
// the ROC area sums trapezoids of recall over the false positive rate,
// the PR area uses Davis & Goadrich's interpolation. Options: Name,
// NumThresholds (default 200, > 1), Curve ("ROC" default, or "PR"),
// SummationMethod ("interpolation" default, "minoring", "majoring"),
// MultiLabel (default false: all outputs pooled; true: the mean of one
// AUC per output), FromLogits (default false; true applies a sigmoid
// first).
func AUC(opts ...AUCOption) *AreaUnderCurve {
	return newAUC(build(aucDefaults, opts, AUCOption.applyAUC))
}

var aucDefaults = AUCParams{NumThresholds: 200, Curve: "ROC", SummationMethod: "interpolation"}

func newAUC(p AUCParams) *AreaUnderCurve {
	p = withName(p, "auc")
	curve := strings.ToUpper(p.Curve)
	summation := strings.ToLower(p.SummationMethod)
	var err error
	switch {
	case p.NumThresholds <= 1:
		err = invalid(p.Name, "num_thresholds", p.NumThresholds, "> 1")
	case curve != "ROC" && curve != "PR":
		err = invalid(p.Name, "curve", p.Curve, `"ROC" or "PR"`)
	case summation != "interpolation" && summation != "minoring" && summation != "majoring":
		err = invalid(p.Name, "summation_method", p.SummationMethod, `"interpolation", "minoring" or "majoring"`)
	}
	return &AreaUnderCurve{name: p.Name, numThresholds: p.NumThresholds, pr: curve == "PR", summation: summation,
		multiLabel: p.MultiLabel, fromLogits: p.FromLogits, err: err, meta: metaOf("auc", p, aucDefaults)}
}

// Name returns the history key.
func (a *AreaUnderCurve) Name() string { return a.name }

// SparseTargets returns false: targets are 0/1 per output.
func (a *AreaUnderCurve) SparseTargets() bool { return false }

// Err returns the first invalid option, or nil.
func (a *AreaUnderCurve) Err() error { return a.err }

// Config returns the serialisable form.
func (a *AreaUnderCurve) Config() Config { return a.config(a.name) }

// Clone returns a metric with the same options and no state.
func (a *AreaUnderCurve) Clone() Metric {
	d := *a
	d.Reset()
	return &d
}

// Reset clears the counts.
func (a *AreaUnderCurve) Reset() { a.posBucket, a.negBucket, a.pos, a.neg = nil, nil, nil, nil }

// Update adds a batch.
func (a *AreaUnderCurve) Update(b Batch) error {
	if a.err != nil {
		return a.err
	}
	_, w, err := b.check(a.name, false)
	if err != nil {
		return err
	}
	labels := 1
	if a.multiLabel {
		labels = w
	}
	if a.posBucket == nil {
		a.pos, a.neg = make([]float64, labels), make([]float64, labels)
		a.posBucket, a.negBucket = make([][]float64, labels), make([][]float64, labels)
		for l := range a.posBucket {
			a.posBucket[l] = make([]float64, a.numThresholds)
			a.negBucket[l] = make([]float64, a.numThresholds)
		}
	} else if len(a.pos) != labels {
		return invalid(a.name, "the output width", w, "the same in every batch with multi_label")
	}
	scale := float64(a.numThresholds - 1)
	for i := 0; i < b.Rows; i++ {
		sw := b.weight(i)
		for j := 0; j < w; j++ {
			p := b.YPred[i*w+j]
			if a.fromLogits {
				p = sigmoid(p)
			}
			p = clip(p, 0, 1)
			if math.IsNaN(p) {
				p = 0
			}
			// Bucket k holds predictions in (k/(n-1), (k+1)/(n-1)]; those
			// of exactly 0 join bucket 0 (above the threshold -1e-7).
			k := int(math.Max(math.Ceil(p*scale)-1, 0))
			l := 0
			if a.multiLabel {
				l = j
			}
			if b.YTrue[i*w+j] != 0 {
				a.posBucket[l][k] += sw
				a.pos[l] += sw
			} else {
				a.negBucket[l][k] += sw
				a.neg[l] += sw
			}
		}
	}
	return nil
}

// Result returns the area so far (0 before any update).
func (a *AreaUnderCurve) Result() float64 {
	if a.posBucket == nil {
		return 0
	}
	var sum float64
	for l := range a.posBucket {
		sum += a.area(l)
	}
	return sum / float64(len(a.posBucket))
}

// area computes one label's AUC from its buckets.
func (a *AreaUnderCurve) area(l int) float64 {
	n := a.numThresholds
	tp, fp := make([]float64, n), make([]float64, n)
	var ctp, cfp float64
	for k := n - 1; k >= 0; k-- { // counts above threshold k
		ctp += a.posBucket[l][k]
		cfp += a.negBucket[l][k]
		tp[k], fp[k] = ctp, cfp
	}
	fn, tn := make([]float64, n), make([]float64, n)
	for k := range tp {
		fn[k], tn[k] = a.pos[l]-tp[k], a.neg[l]-fp[k]
	}
	if a.pr && a.summation == "interpolation" {
		return interpolatePR(tp, fp, fn)
	}
	recall := make([]float64, n)
	other := make([]float64, n)
	for k := range tp {
		recall[k] = divideNoNaN(tp[k], tp[k]+fn[k])
		if a.pr {
			other[k] = divideNoNaN(tp[k], tp[k]+fp[k]) // precision
		} else {
			other[k] = divideNoNaN(fp[k], fp[k]+tn[k]) // false positive rate
		}
	}
	x, y := other, recall // ROC: recall over the false positive rate
	if a.pr {
		x, y = recall, other // PR: precision over recall
	}
	var area float64
	for k := 0; k < n-1; k++ {
		var h float64
		switch a.summation {
		case "minoring":
			h = math.Min(y[k], y[k+1])
		case "majoring":
			h = math.Max(y[k], y[k+1])
		default:
			h = (y[k] + y[k+1]) / 2
		}
		area += (x[k] - x[k+1]) * h
	}
	return area
}

// interpolatePR is the area under the PR curve with precision
// interpolated between thresholds as in Davis & Goadrich (2006): within
// each interval TP and P = TP + FP vary linearly, which integrates in
// closed form.
func interpolatePR(tp, fp, fn []float64) float64 {
	var area float64
	for k := 0; k < len(tp)-1; k++ {
		dtp := tp[k] - tp[k+1]
		pA, pB := tp[k]+fp[k], tp[k+1]+fp[k+1]
		slope := divideNoNaN(dtp, math.Max(pA-pB, 0))
		intercept := tp[k+1] - slope*pB
		ratio := 1.0
		if pA > 0 && pB > 0 {
			ratio = divideNoNaN(pA, math.Max(pB, 0))
		}
		area += divideNoNaN(slope*(dtp+intercept*math.Log(ratio)), math.Max(tp[k+1]+fn[k+1], 0))
	}
	return area
}

// divideNoNaN is a/b, or 0 when b is 0.
func divideNoNaN(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
