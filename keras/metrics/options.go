package metrics

import (
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// Each metric constructor takes options of its own type, so that the
// compiler rejects an option the metric does not have:
// Precision(K(3)) does not compile. An option several metrics take is a
// concrete type implementing each of their option interfaces; Name serves
// every metric.

// build applies opts to the defaults p; apply is the option interface's
// method.
func build[P, O any](p P, opts []O, apply func(O, *P)) P {
	for _, o := range opts {
		if any(o) != nil {
			apply(o, &p)
		}
	}
	return p
}

// BinaryAccuracyOption is an option of BinaryAccuracy: Name, Threshold.
type BinaryAccuracyOption interface{ applyBinaryAccuracy(*BinaryAccuracyParams) }

// CategoricalAccuracyOption is an option of CategoricalAccuracy: Name.
type CategoricalAccuracyOption interface{ applyCategoricalAccuracy(*NameParams) }

// SparseCategoricalAccuracyOption is an option of SparseCategoricalAccuracy: Name.
type SparseCategoricalAccuracyOption interface{ applySparseCategoricalAccuracy(*NameParams) }

// TopKCategoricalAccuracyOption is an option of TopKCategoricalAccuracy: Name, K.
type TopKCategoricalAccuracyOption interface{ applyTopKCategoricalAccuracy(*TopKParams) }

// SparseTopKCategoricalAccuracyOption is an option of SparseTopKCategoricalAccuracy: Name, K.
type SparseTopKCategoricalAccuracyOption interface{ applySparseTopKCategoricalAccuracy(*TopKParams) }

// MeanSquaredErrorOption is an option of MeanSquaredError: Name.
type MeanSquaredErrorOption interface{ applyMeanSquaredError(*NameParams) }

// RootMeanSquaredErrorOption is an option of RootMeanSquaredError: Name.
type RootMeanSquaredErrorOption interface{ applyRootMeanSquaredError(*NameParams) }

// MeanAbsoluteErrorOption is an option of MeanAbsoluteError: Name.
type MeanAbsoluteErrorOption interface{ applyMeanAbsoluteError(*NameParams) }

// MeanAbsolutePercentageErrorOption is an option of MeanAbsolutePercentageError: Name.
type MeanAbsolutePercentageErrorOption interface{ applyMeanAbsolutePercentageError(*NameParams) }

// MeanSquaredLogarithmicErrorOption is an option of MeanSquaredLogarithmicError: Name.
type MeanSquaredLogarithmicErrorOption interface{ applyMeanSquaredLogarithmicError(*NameParams) }

// CosineSimilarityOption is an option of CosineSimilarity: Name.
type CosineSimilarityOption interface{ applyCosineSimilarity(*NameParams) }

// LogCoshErrorOption is an option of LogCoshError: Name.
type LogCoshErrorOption interface{ applyLogCoshError(*NameParams) }

// R2ScoreOption is an option of R2Score: Name, ClassAggregation, NumRegressors.
type R2ScoreOption interface{ applyR2Score(*R2ScoreParams) }

// PrecisionOption is an option of Precision: Name, Thresholds, TopK, ClassID.
type PrecisionOption interface{ applyPrecision(*ConfusionParams) }

// RecallOption is an option of Recall: Name, Thresholds, TopK, ClassID.
type RecallOption interface{ applyRecall(*ConfusionParams) }

// AUCOption is an option of AUC: Name, NumThresholds, Curve, SummationMethod, MultiLabel, FromLogits.
type AUCOption interface{ applyAUC(*AUCParams) }

// F1ScoreOption is an option of F1Score: Name, Threshold, Average.
type F1ScoreOption interface{ applyF1Score(*F1ScoreParams) }

// FBetaScoreOption is an option of FBetaScore: Name, Beta, Threshold, Average.
type FBetaScoreOption interface{ applyFBetaScore(*FBetaScoreParams) }

// BinaryCrossentropyOption is an option of BinaryCrossentropy: Name, FromLogits, LabelSmoothing.
type BinaryCrossentropyOption interface{ applyBinaryCrossentropy(*CrossentropyParams) }

// CategoricalCrossentropyOption is an option of CategoricalCrossentropy: Name, FromLogits, LabelSmoothing.
type CategoricalCrossentropyOption interface{ applyCategoricalCrossentropy(*CrossentropyParams) }

// SparseCategoricalCrossentropyOption is an option of SparseCategoricalCrossentropy: Name, FromLogits.
type SparseCategoricalCrossentropyOption interface {
	applySparseCategoricalCrossentropy(*SparseCategoricalCrossentropyParams)
}

// KLDivergenceOption is an option of KLDivergence: Name.
type KLDivergenceOption interface{ applyKLDivergence(*NameParams) }

// PoissonOption is an option of Poisson: Name.
type PoissonOption interface{ applyPoisson(*NameParams) }

// HingeOption is an option of Hinge: Name.
type HingeOption interface{ applyHinge(*NameParams) }

// SquaredHingeOption is an option of SquaredHinge: Name.
type SquaredHingeOption interface{ applySquaredHinge(*NameParams) }

// CategoricalHingeOption is an option of CategoricalHinge: Name.
type CategoricalHingeOption interface{ applyCategoricalHinge(*NameParams) }

// HuberOption is an option of Huber: Name, Delta.
type HuberOption interface{ applyHuber(*HuberParams) }

// LogCoshOption is an option of LogCosh: Name.
type LogCoshOption interface{ applyLogCosh(*NameParams) }

// NameOption is the option Name returns; every metric takes it.
type NameOption string

func (o NameOption) applyBinaryAccuracy(p *BinaryAccuracyParams)  { p.nameParams().Name = string(o) }
func (o NameOption) applyCategoricalAccuracy(p *NameParams)       { p.nameParams().Name = string(o) }
func (o NameOption) applySparseCategoricalAccuracy(p *NameParams) { p.nameParams().Name = string(o) }
func (o NameOption) applyTopKCategoricalAccuracy(p *TopKParams)   { p.nameParams().Name = string(o) }
func (o NameOption) applySparseTopKCategoricalAccuracy(p *TopKParams) {
	p.nameParams().Name = string(o)
}
func (o NameOption) applyMeanSquaredError(p *NameParams)            { p.nameParams().Name = string(o) }
func (o NameOption) applyRootMeanSquaredError(p *NameParams)        { p.nameParams().Name = string(o) }
func (o NameOption) applyMeanAbsoluteError(p *NameParams)           { p.nameParams().Name = string(o) }
func (o NameOption) applyMeanAbsolutePercentageError(p *NameParams) { p.nameParams().Name = string(o) }
func (o NameOption) applyMeanSquaredLogarithmicError(p *NameParams) { p.nameParams().Name = string(o) }
func (o NameOption) applyCosineSimilarity(p *NameParams)            { p.nameParams().Name = string(o) }
func (o NameOption) applyLogCoshError(p *NameParams)                { p.nameParams().Name = string(o) }
func (o NameOption) applyR2Score(p *R2ScoreParams)                  { p.nameParams().Name = string(o) }
func (o NameOption) applyPrecision(p *ConfusionParams)              { p.nameParams().Name = string(o) }
func (o NameOption) applyRecall(p *ConfusionParams)                 { p.nameParams().Name = string(o) }
func (o NameOption) applyAUC(p *AUCParams)                          { p.nameParams().Name = string(o) }
func (o NameOption) applyF1Score(p *F1ScoreParams)                  { p.nameParams().Name = string(o) }
func (o NameOption) applyFBetaScore(p *FBetaScoreParams)            { p.nameParams().Name = string(o) }
func (o NameOption) applyBinaryCrossentropy(p *CrossentropyParams)  { p.nameParams().Name = string(o) }
func (o NameOption) applyCategoricalCrossentropy(p *CrossentropyParams) {
	p.nameParams().Name = string(o)
}
func (o NameOption) applySparseCategoricalCrossentropy(p *SparseCategoricalCrossentropyParams) {
	p.nameParams().Name = string(o)
}
func (o NameOption) applyKLDivergence(p *NameParams)     { p.nameParams().Name = string(o) }
func (o NameOption) applyPoisson(p *NameParams)          { p.nameParams().Name = string(o) }
func (o NameOption) applyHinge(p *NameParams)            { p.nameParams().Name = string(o) }
func (o NameOption) applySquaredHinge(p *NameParams)     { p.nameParams().Name = string(o) }
func (o NameOption) applyCategoricalHinge(p *NameParams) { p.nameParams().Name = string(o) }
func (o NameOption) applyHuber(p *HuberParams)           { p.nameParams().Name = string(o) }
func (o NameOption) applyLogCosh(p *NameParams)          { p.nameParams().Name = string(o) }

// Name sets the metric's name, its history key (default: the Keras
// default name of the metric; "" keeps it).
func Name(n string) NameOption { return NameOption(n) }

// ThresholdOption is the option Threshold returns; BinaryAccuracy,
// F1Score and FBetaScore take it.
type ThresholdOption float64

func (o ThresholdOption) applyBinaryAccuracy(p *BinaryAccuracyParams) { p.Threshold = float64(o) }
func (o ThresholdOption) applyF1Score(p *F1ScoreParams)               { t := float64(o); p.Threshold = &t }
func (o ThresholdOption) applyFBetaScore(p *FBetaScoreParams)         { t := float64(o); p.Threshold = &t }

// Threshold sets the probability above which a prediction counts as 1:
// BinaryAccuracy (default 0.5) and F1Score/FBetaScore (default none: the
// largest prediction of each row counts as 1, the others as 0; it must be
// in (0, 1]).
func Threshold(t float64) ThresholdOption { return ThresholdOption(t) }

// ThresholdsOption is the option Thresholds returns; Precision and Recall
// take it.
type ThresholdsOption float64

func (o ThresholdsOption) applyPrecision(p *ConfusionParams) { t := float64(o); p.Thresholds = &t }
func (o ThresholdsOption) applyRecall(p *ConfusionParams)    { t := float64(o); p.Thresholds = &t }

// Thresholds sets the probability above which Precision and Recall count
// a prediction as positive ("thresholds", one value in [0, 1]; default
// 0.5, or no threshold with TopK).
func Thresholds(t float64) ThresholdsOption { return ThresholdsOption(t) }

// KOption is the option K returns; TopKCategoricalAccuracy and
// SparseTopKCategoricalAccuracy take it.
type KOption int

func (o KOption) applyTopKCategoricalAccuracy(p *TopKParams)       { p.K = int(o) }
func (o KOption) applySparseTopKCategoricalAccuracy(p *TopKParams) { p.K = int(o) }

// K sets how many of the largest predictions count for
// TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy ("k"; default
// 5, >= 1).
func K(k int) KOption { return KOption(k) }

// TopKOption is the option TopK returns; Precision and Recall take it.
type TopKOption int

func (o TopKOption) applyPrecision(p *ConfusionParams) { k := int(o); p.TopK = &k }
func (o TopKOption) applyRecall(p *ConfusionParams)    { k := int(o); p.TopK = &k }

// TopK makes Precision and Recall count only each row's k largest
// predictions as positive ("top_k"; default none, >= 1).
func TopK(k int) TopKOption { return TopKOption(k) }

// ClassIDOption is the option ClassID returns; Precision and Recall take
// it.
type ClassIDOption int

func (o ClassIDOption) applyPrecision(p *ConfusionParams) { id := int(o); p.ClassID = &id }
func (o ClassIDOption) applyRecall(p *ConfusionParams)    { id := int(o); p.ClassID = &id }

// ClassID makes Precision and Recall look at one output column only
// ("class_id"; default none, >= 0 and less than the output width).
func ClassID(id int) ClassIDOption { return ClassIDOption(id) }

type aucOption func(*AUCParams)

func (o aucOption) applyAUC(p *AUCParams) { o(p) }

// NumThresholds sets how many thresholds AUC uses to discretise the curve
// ("num_thresholds"; default 200, > 1).
func NumThresholds(n int) AUCOption { return aucOption(func(p *AUCParams) { p.NumThresholds = n }) }

// Curve chooses AUC's curve: "ROC" (default) or "PR" (precision-recall).
func Curve(c string) AUCOption { return aucOption(func(p *AUCParams) { p.Curve = c }) }

// SummationMethod chooses how AUC sums the area ("summation_method"):
// "interpolation" (default; trapezoids for ROC, Davis & Goadrich's
// interpolation for PR), "minoring" or "majoring".
func SummationMethod(m string) AUCOption {
	return aucOption(func(p *AUCParams) { p.SummationMethod = m })
}

// MultiLabel makes AUC compute one curve per output column and average
// them ("multi_label"; default false: all outputs are pooled).
func MultiLabel(on bool) AUCOption { return aucOption(func(p *AUCParams) { p.MultiLabel = on }) }

// FromLogitsOption is the option FromLogits returns; AUC and the three
// cross-entropy metrics take it.
type FromLogitsOption bool

func (o FromLogitsOption) applyAUC(p *AUCParams)                         { p.FromLogits = bool(o) }
func (o FromLogitsOption) applyBinaryCrossentropy(p *CrossentropyParams) { p.FromLogits = bool(o) }
func (o FromLogitsOption) applyCategoricalCrossentropy(p *CrossentropyParams) {
	p.FromLogits = bool(o)
}
func (o FromLogitsOption) applySparseCategoricalCrossentropy(p *SparseCategoricalCrossentropyParams) {
	p.FromLogits = bool(o)
}

// FromLogits says the predictions are logits rather than probabilities
// ("from_logits"; default false): AUC applies a sigmoid, the
// cross-entropy metrics use the stable logits formulas.
func FromLogits(on bool) FromLogitsOption { return FromLogitsOption(on) }

// LabelSmoothingOption is the option LabelSmoothing returns; the binary
// and categorical cross-entropy metrics take it.
type LabelSmoothingOption float64

func (o LabelSmoothingOption) applyBinaryCrossentropy(p *CrossentropyParams) {
	p.LabelSmoothing = float64(o)
}
func (o LabelSmoothingOption) applyCategoricalCrossentropy(p *CrossentropyParams) {
	p.LabelSmoothing = float64(o)
}

// LabelSmoothing smooths the targets of the binary and categorical
// cross-entropy metrics as the losses do ("label_smoothing"; default 0,
// in [0, 1]).
func LabelSmoothing(s float64) LabelSmoothingOption { return LabelSmoothingOption(s) }

type deltaOption float64

func (o deltaOption) applyHuber(p *HuberParams) { p.Delta = float64(o) }

// Delta sets where the Huber metric turns from quadratic to linear
// ("delta"; default 1, > 0).
func Delta(d float64) HuberOption { return deltaOption(d) }

// AverageOption is the option Average returns; F1Score and FBetaScore
// take it.
type AverageOption string

func (o AverageOption) applyF1Score(p *F1ScoreParams)       { p.Average = string(o) }
func (o AverageOption) applyFBetaScore(p *FBetaScoreParams) { p.Average = string(o) }

// Average chooses how F1Score and FBetaScore combine the per-class
// scores: "macro" (the mean), "micro" (from the pooled counts) or
// "weighted" (weighted by each class's support). Keras's default, None,
// returns one score per class, which a scalar history cannot hold: here
// the default is "macro", and the per-class scores are available from
// FScore.PerClass.
func Average(a string) AverageOption { return AverageOption(a) }

type betaOption float64

func (o betaOption) applyFBetaScore(p *FBetaScoreParams) { p.Beta = float64(o) }

// Beta sets FBetaScore's weight of recall against precision ("beta";
// default 1, > 0).
func Beta(b float64) FBetaScoreOption { return betaOption(b) }

type r2Option func(*R2ScoreParams)

func (o r2Option) applyR2Score(p *R2ScoreParams) { o(p) }

// ClassAggregation chooses how R2Score combines the scores of several
// outputs ("class_aggregation"): "uniform_average" (default) or
// "variance_weighted_average". Keras's None (one score per output) is
// available from R2.PerOutput.
func ClassAggregation(a string) R2ScoreOption {
	return r2Option(func(p *R2ScoreParams) { p.ClassAggregation = a })
}

// NumRegressors makes R2Score the adjusted R2 for that many independent
// regressors ("num_regressors"; default 0, >= 0).
func NumRegressors(n int) R2ScoreOption {
	return r2Option(func(p *R2ScoreParams) { p.NumRegressors = n })
}

// invalid returns the error for a parameter value out of range of the
// metric named metric.
func invalid(metric, key string, value any, rule string) error {
	return errors.Wrap(hparams.Invalid(metric, key, value, "must be "+rule), "metrics")
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 }

func finitePositive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }
