package metrics

import (
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/names"
)

// Batch is one batch of targets and predictions, row-major, on the host.
type Batch struct {
	// Rows is the number of samples.
	Rows int
	// YTrue holds Rows targets: class indices (one per row) for sparse
	// metrics, otherwise as many values per row as the model outputs.
	YTrue []float64
	// YPred holds Rows predictions of the model's output width.
	YPred []float64
	// SampleWeight holds one weight per row, or nil for all ones.
	SampleWeight []float64
}

// Width returns the number of values per row of YTrue and YPred.
func (b Batch) Width() (yTrue, yPred int) {
	if b.Rows == 0 {
		return 0, 0
	}
	return len(b.YTrue) / b.Rows, len(b.YPred) / b.Rows
}

func (b Batch) weight(i int) float64 {
	if b.SampleWeight == nil {
		return 1
	}
	return b.SampleWeight[i]
}

// check validates the batch's sizes for a metric named name and returns
// the widths of a target and a prediction row. Sparse metrics need one
// target per row; the others as many targets as predictions.
func (b Batch) check(name string, sparse bool) (wt, wp int, err error) {
	wt, wp = b.Width()
	if b.Rows <= 0 || wt*b.Rows != len(b.YTrue) || wp*b.Rows != len(b.YPred) || wp == 0 {
		return 0, 0, errors.Errorf("metrics: %s: batch of %d rows with %d targets and %d predictions", name, b.Rows, len(b.YTrue), len(b.YPred))
	}
	if b.SampleWeight != nil && len(b.SampleWeight) != b.Rows {
		return 0, 0, errors.Errorf("metrics: %s: %d sample weights for %d rows", name, len(b.SampleWeight), b.Rows)
	}
	switch {
	case sparse && wt != 1:
		return 0, 0, errors.Errorf("metrics: %s: takes one class index per row, got %d targets per row", name, wt)
	case !sparse && wt != wp:
		return 0, 0, errors.Errorf("metrics: %s: targets have %d values per row, predictions %d", name, wt, wp)
	}
	return wt, wp, nil
}

// Metric accumulates a quantity over batches.
type Metric interface {
	// Name returns the history key ("accuracy", "mean_absolute_error").
	Name() string
	// Reset clears the accumulated state.
	Reset()
	// Update adds one batch.
	Update(b Batch) error
	// Result returns the value over every sample since the last Reset
	// (0 before any update).
	Result() float64
}

// SparseMetric is implemented by metrics that say whether their targets
// are class indices. Every metric of this package implements it.
type SparseMetric interface {
	SparseTargets() bool
}

// Cloner is implemented by metrics that can make a fresh copy of
// themselves: same name and options, empty state. The model clones a
// metric value given to Compile so that training and evaluation (and two
// models) never share state. Every metric of this package implements it.
type Cloner interface {
	Clone() Metric
}

// registry maps a Keras name to a constructor taking the history key.
var registry = map[string]func(name string) Metric{}

// canonical maps the other spellings Keras accepts to the registered name.
var canonical = map[string]string{
	"mae":          "mean_absolute_error",
	"mse":          "mean_squared_error",
	"mape":         "mean_absolute_percentage_error",
	"msle":         "mean_squared_logarithmic_error",
	"bce":          "binary_crossentropy",
	"kld":          "kl_divergence",
	"logcosh":      "log_cosh_error",
	"f_beta_score": "fbeta_score",
}

// aliasGroups are the spellings under which one history key may be
// looked up (see Aliases).
var aliasGroups = [][]string{
	{"acc", "accuracy"},
	{"mae", "mean_absolute_error"},
	{"mse", "mean_squared_error"},
	{"mape", "mean_absolute_percentage_error"},
	{"msle", "mean_squared_logarithmic_error"},
	{"bce", "binary_crossentropy"},
	{"kld", "kl_divergence"},
	{"logcosh", "log_cosh_error", "log_cosh"},
	{"fbeta_score", "f_beta_score"},
}

func init() {
	reg := func(name string, construct func(opts ...Option) Metric) {
		registry[name] = func(n string) Metric { return construct(Name(n)) }
	}
	reg("binary_accuracy", func(o ...Option) Metric { return BinaryAccuracy(o...) })
	reg("categorical_accuracy", func(o ...Option) Metric { return CategoricalAccuracy(o...) })
	reg("sparse_categorical_accuracy", func(o ...Option) Metric { return SparseCategoricalAccuracy(o...) })
	reg("top_k_categorical_accuracy", func(o ...Option) Metric { return TopKCategoricalAccuracy(o...) })
	reg("sparse_top_k_categorical_accuracy", func(o ...Option) Metric { return SparseTopKCategoricalAccuracy(o...) })
	reg("mean_squared_error", func(o ...Option) Metric { return MeanSquaredError(o...) })
	reg("root_mean_squared_error", func(o ...Option) Metric { return RootMeanSquaredError(o...) })
	reg("mean_absolute_error", func(o ...Option) Metric { return MeanAbsoluteError(o...) })
	reg("mean_absolute_percentage_error", func(o ...Option) Metric { return MeanAbsolutePercentageError(o...) })
	reg("mean_squared_logarithmic_error", func(o ...Option) Metric { return MeanSquaredLogarithmicError(o...) })
	reg("cosine_similarity", func(o ...Option) Metric { return CosineSimilarity(o...) })
	reg("log_cosh_error", func(o ...Option) Metric { return LogCoshError(o...) })
	reg("r2_score", func(o ...Option) Metric { return R2Score(o...) })
	reg("precision", func(o ...Option) Metric { return Precision(o...) })
	reg("recall", func(o ...Option) Metric { return Recall(o...) })
	reg("auc", func(o ...Option) Metric { return AUC(o...) })
	reg("f1_score", func(o ...Option) Metric { return F1Score(o...) })
	reg("fbeta_score", func(o ...Option) Metric { return FBetaScore(o...) })
	// Every loss, as a metric (Keras's loss functions are metrics too).
	reg("binary_crossentropy", func(o ...Option) Metric { return BinaryCrossentropy(o...) })
	reg("categorical_crossentropy", func(o ...Option) Metric { return CategoricalCrossentropy(o...) })
	reg("sparse_categorical_crossentropy", func(o ...Option) Metric { return SparseCategoricalCrossentropy(o...) })
	reg("kl_divergence", func(o ...Option) Metric { return KLDivergence(o...) })
	reg("poisson", func(o ...Option) Metric { return Poisson(o...) })
	reg("hinge", func(o ...Option) Metric { return Hinge(o...) })
	reg("squared_hinge", func(o ...Option) Metric { return SquaredHinge(o...) })
	reg("categorical_hinge", func(o ...Option) Metric { return CategoricalHinge(o...) })
	reg("huber", func(o ...Option) Metric { return Huber(o...) })
	reg("log_cosh", func(o ...Option) Metric { return LogCosh(o...) })
}

// Register makes a metric available by name (for user-defined metrics).
// make receives the name the user gave. It returns an error if the name is
// taken.
func Register(name string, make func(name string) Metric) error {
	if _, ok := registry[name]; ok || canonical[name] != "" || IsAccuracy(name) || name == "" {
		return errors.Errorf("metrics: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns the metric with the given Keras name or alias ("mae",
// "mse", "mape", "msle", "bce", "kld", "logcosh"), with Keras's
// defaults. Every loss name is also a metric name (the mean of the loss
// over the samples, computed on the host). The metric keeps the name as
// given, which becomes its history key. "accuracy" and "acc" depend on
// the loss and are resolved by the model (see Accuracy). An unknown name
// gives an error listing the known ones.
func Get(name string) (Metric, error) {
	key := name
	if c, ok := canonical[name]; ok {
		key = c
	}
	make, ok := registry[key]
	if !ok {
		return nil, names.Unknown("metrics", "metric", name, Names())
	}
	return make(name), nil
}

// Names returns the known metric names and aliases, sorted.
func Names() []string {
	return names.Sorted([]string{"accuracy", "acc"}, names.Keys(registry), names.Keys(canonical))
}

// IsAccuracy reports whether name is Keras's loss-dependent "accuracy"
// (or its old spelling "acc").
func IsAccuracy(name string) bool { return name == "accuracy" || name == "acc" }

// Accuracy resolves "accuracy" the way Keras does: sparse categorical
// accuracy when the targets are class indices, binary accuracy when the
// loss is binary cross-entropy or the model has one output, categorical
// accuracy otherwise. The metric is named name.
func Accuracy(name string, sparseTargets, binaryLoss bool, outputWidth int) Metric {
	switch {
	case sparseTargets:
		return SparseCategoricalAccuracy(Name(name))
	case binaryLoss || outputWidth == 1:
		return BinaryAccuracy(Name(name))
	}
	return CategoricalAccuracy(Name(name))
}

// Aliases returns the other spellings under which Keras users look a
// history key up, each with the key's "val_" prefix if it has one:
// "acc" <-> "accuracy", "mae" <-> "mean_absolute_error",
// "mse" <-> "mean_squared_error", "mape" <-> "mean_absolute_percentage_error",
// "msle" <-> "mean_squared_logarithmic_error", "bce" <-> "binary_crossentropy",
// "kld" <-> "kl_divergence", "logcosh" <-> "log_cosh_error" <-> "log_cosh",
// "fbeta_score" <-> "f_beta_score".
func Aliases(key string) []string {
	prefix := ""
	if strings.HasPrefix(key, "val_") {
		prefix, key = "val_", strings.TrimPrefix(key, "val_")
	}
	var out []string
	for _, group := range aliasGroups {
		in := false
		for _, n := range group {
			in = in || n == key
		}
		if !in {
			continue
		}
		for _, n := range group {
			if n != key {
				out = append(out, prefix+n)
			}
		}
	}
	return out
}
