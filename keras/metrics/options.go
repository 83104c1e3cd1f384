package metrics

import (
	"fmt"
	"math"
	"strings"

	"github.com/pkg/errors"
)

// Option configures a metric; each is named like the Keras keyword it
// stands for. Every constructor lists the options it takes; any other is
// an error. Constructors never fail: the first invalid option is kept and
// reported by the metric's Err and Update, and by Compile.
type Option func(*metricOptions)

type metricOptions struct {
	given []string // keywords given, in order

	name           string
	threshold      float64
	thresholdSet   bool
	k              int
	topK           int
	classID        int
	numThresholds  int
	curve          string
	summation      string
	multiLabel     bool
	fromLogits     bool
	labelSmoothing float64
	delta          float64
	average        string
	beta           float64
	aggregation    string
	numRegressors  int
}

func (o *metricOptions) mark(key string) { o.given = append(o.given, key) }

// Name sets the metric's name, its history key (default: the Keras
// default name of the metric).
func Name(n string) Option { return func(o *metricOptions) { o.mark("name"); o.name = n } }

// Threshold sets the probability above which a prediction counts as 1:
// BinaryAccuracy (default 0.5) and F1Score/FBetaScore (default none: the
// largest prediction of each row counts as 1, the others as 0; it must be
// in (0, 1]).
func Threshold(t float64) Option {
	return func(o *metricOptions) { o.mark("threshold"); o.threshold, o.thresholdSet = t, true }
}

// Thresholds sets the probability above which Precision and Recall count
// a prediction as positive ("thresholds", one value in [0, 1]; default
// 0.5, or no threshold with TopK).
func Thresholds(t float64) Option {
	return func(o *metricOptions) { o.mark("thresholds"); o.threshold, o.thresholdSet = t, true }
}

// K sets how many of the largest predictions count for
// TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy ("k"; default
// 5, >= 1).
func K(k int) Option { return func(o *metricOptions) { o.mark("k"); o.k = k } }

// TopK makes Precision and Recall count only each row's k largest
// predictions as positive ("top_k"; default none, >= 1).
func TopK(k int) Option { return func(o *metricOptions) { o.mark("top_k"); o.topK = k } }

// ClassID makes Precision and Recall look at one output column only
// ("class_id"; default none, >= 0 and less than the output width).
func ClassID(id int) Option { return func(o *metricOptions) { o.mark("class_id"); o.classID = id } }

// NumThresholds sets how many thresholds AUC uses to discretise the curve
// ("num_thresholds"; default 200, > 1).
func NumThresholds(n int) Option {
	return func(o *metricOptions) { o.mark("num_thresholds"); o.numThresholds = n }
}

// Curve chooses AUC's curve: "ROC" (default) or "PR" (precision-recall).
func Curve(c string) Option { return func(o *metricOptions) { o.mark("curve"); o.curve = c } }

// SummationMethod chooses how AUC sums the area ("summation_method"):
// "interpolation" (default; trapezoids for ROC, Davis & Goadrich's
// interpolation for PR), "minoring" or "majoring".
func SummationMethod(m string) Option {
	return func(o *metricOptions) { o.mark("summation_method"); o.summation = m }
}

// MultiLabel makes AUC compute one curve per output column and average
// them ("multi_label"; default false: all outputs are pooled).
func MultiLabel(b bool) Option {
	return func(o *metricOptions) { o.mark("multi_label"); o.multiLabel = b }
}

// FromLogits says the predictions are logits rather than probabilities
// ("from_logits"; default false): AUC applies a sigmoid, the
// cross-entropy metrics use the stable logits formulas.
func FromLogits(b bool) Option {
	return func(o *metricOptions) { o.mark("from_logits"); o.fromLogits = b }
}

// LabelSmoothing smooths the targets of the binary and categorical
// cross-entropy metrics as the losses do ("label_smoothing"; default 0,
// in [0, 1]).
func LabelSmoothing(s float64) Option {
	return func(o *metricOptions) { o.mark("label_smoothing"); o.labelSmoothing = s }
}

// Delta sets where the Huber metric turns from quadratic to linear
// ("delta"; default 1, > 0).
func Delta(d float64) Option { return func(o *metricOptions) { o.mark("delta"); o.delta = d } }

// Average chooses how F1Score and FBetaScore combine the per-class
// scores: "macro" (the mean), "micro" (from the pooled counts) or
// "weighted" (weighted by each class's support). Keras's default, None,
// returns one score per class, which a scalar history cannot hold: here
// the default is "macro", and the per-class scores are available from
// FScore.PerClass.
func Average(a string) Option { return func(o *metricOptions) { o.mark("average"); o.average = a } }

// Beta sets FBetaScore's weight of recall against precision ("beta";
// default 1, > 0).
func Beta(b float64) Option { return func(o *metricOptions) { o.mark("beta"); o.beta = b } }

// ClassAggregation chooses how R2Score combines the scores of several
// outputs ("class_aggregation"): "uniform_average" (default) or
// "variance_weighted_average". Keras's None (one score per output) is
// available from R2.PerOutput.
func ClassAggregation(a string) Option {
	return func(o *metricOptions) { o.mark("class_aggregation"); o.aggregation = a }
}

// NumRegressors makes R2Score the adjusted R2 for that many independent
// regressors ("num_regressors"; default 0, >= 0).
func NumRegressors(n int) Option {
	return func(o *metricOptions) { o.mark("num_regressors"); o.numRegressors = n }
}

// metricOpts applies opts over Keras's defaults for a metric whose
// default name is defaultName and which takes the given keywords ("name"
// always). It returns the options and the first error: a keyword the
// metric does not take.
func metricOpts(defaultName string, opts []Option, takes ...string) (metricOptions, error) {
	o := metricOptions{
		name:          defaultName,
		threshold:     0.5,
		k:             5,
		classID:       -1,
		numThresholds: 200,
		curve:         "ROC",
		summation:     "interpolation",
		delta:         1,
		average:       "macro",
		beta:          1,
		aggregation:   "uniform_average",
	}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	if o.name == "" {
		o.name = defaultName
	}
	for _, key := range o.given {
		if key == "name" {
			continue
		}
		ok := false
		for _, t := range takes {
			ok = ok || t == key
		}
		if !ok {
			list := append([]string{"name"}, takes...)
			return o, errors.Errorf("metrics: %s has no option %s (it takes %s)", defaultName, key, strings.Join(list, ", "))
		}
	}
	return o, nil
}

// given reports whether key was set.
func (o metricOptions) has(key string) bool {
	for _, k := range o.given {
		if k == key {
			return true
		}
	}
	return false
}

// invalid returns the error for a parameter value out of range.
func invalid(metric, key string, value interface{}, rule string) error {
	return errors.Errorf("metrics: %s: %s must be %s, got %v", metric, key, rule, value)
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 }

func finitePositive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

func quote(s string) string { return fmt.Sprintf("%q", s) }
