package metrics

import (
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
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

// Factory builds a metric from its Config (for user-defined metrics, see
// Register). c.Name is the name it was looked up by, which becomes the
// history key unless c.Params names another.
type Factory func(c Config) (Metric, error)

var metricRegistry = registry.New[Factory]("metrics", "metric")

// withErr is implemented by every built-in metric.
type withErr interface {
	Metric
	Err() error
}

// builtin registers a built-in metric: defaults are its parameters'
// defaults (the history key aside) and make builds it from decoded ones.
func builtin[P any, PP interface {
	*P
	nameParams() *NameParams
}, M withErr](class string, defaults P, make func(P) M) {
	metricRegistry.Builtin(class, func(c Config) (Metric, error) {
		p := defaults
		PP(&p).nameParams().Name = c.Name
		if err := hparams.Decode(class, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "metrics")
		}
		m := make(p)
		if err := m.Err(); err != nil {
			return nil, err
		}
		return m, nil
	})
}

func init() {
	np := NameParams{}
	builtin("binary_accuracy", binaryAccuracyDefaults, newBinaryAccuracy)
	builtin("categorical_accuracy", np, newCategoricalAccuracy)
	builtin("sparse_categorical_accuracy", np, newSparseCategoricalAccuracy)
	builtin("top_k_categorical_accuracy", topKDefaults, newTopKCategoricalAccuracy)
	builtin("sparse_top_k_categorical_accuracy", topKDefaults, newSparseTopKCategoricalAccuracy)
	builtin("mean_squared_error", np, newMeanSquaredError)
	builtin("root_mean_squared_error", np, newRootMeanSquaredError)
	builtin("mean_absolute_error", np, newMeanAbsoluteError)
	builtin("mean_absolute_percentage_error", np, newMeanAbsolutePercentageError)
	builtin("mean_squared_logarithmic_error", np, newMeanSquaredLogarithmicError)
	builtin("cosine_similarity", np, newCosineSimilarity)
	builtin("log_cosh_error", np, newLogCoshError)
	builtin("r2_score", r2Defaults, newR2Score)
	builtin("precision", ConfusionParams{}, func(p ConfusionParams) *Confusion { return newConfusion("precision", false, p) })
	builtin("recall", ConfusionParams{}, func(p ConfusionParams) *Confusion { return newConfusion("recall", true, p) })
	builtin("auc", aucDefaults, newAUC)
	builtin("f1_score", f1Defaults, newF1Score)
	builtin("fbeta_score", fbetaDefaults, newFBetaScore)
	// Every loss, as a metric (Keras's loss functions are metrics too).
	builtin("binary_crossentropy", CrossentropyParams{}, newBinaryCrossentropy)
	builtin("categorical_crossentropy", CrossentropyParams{}, newCategoricalCrossentropy)
	builtin("sparse_categorical_crossentropy", SparseCategoricalCrossentropyParams{}, newSparseCategoricalCrossentropy)
	builtin("kl_divergence", np, newKLDivergence)
	builtin("poisson", np, newPoisson)
	builtin("hinge", np, newHinge)
	builtin("squared_hinge", np, newSquaredHinge)
	builtin("categorical_hinge", np, newCategoricalHinge)
	builtin("huber", huberDefaults, newHuber)
	builtin("log_cosh", np, newLogCosh)
	// "accuracy" depends on the loss and is resolved by the model; the
	// name is registered so that it is known and cannot be taken.
	metricRegistry.Builtin("accuracy", func(c Config) (Metric, error) {
		return nil, errors.Errorf(`metrics: %q depends on the loss and the output shape: keras.Compile resolves it (see metrics.Accuracy)`, c.Name)
	})
	// The other spellings Keras accepts.
	for alias, name := range map[string]string{
		"acc": "accuracy", "mae": "mean_absolute_error", "mse": "mean_squared_error",
		"mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
		"bce": "binary_crossentropy", "kld": "kl_divergence", "logcosh": "log_cosh_error",
		"f_beta_score": "fbeta_score",
	} {
		metricRegistry.Alias(alias, name)
	}
}

// Register makes a user-defined metric available by name to Get,
// FromConfig and so to keras.Compile and keras.Load. factory receives the
// Config: c.Name is the name the user gave (the history key unless the
// params name another), c.Params the params JSON the metric was saved
// with, which the factory decodes itself. It returns an error when name is
// empty or already taken (names differing only in case or underscores
// count as the same).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "metrics: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(metricRegistry, name); err == nil && name != "" {
		return errors.Errorf("metrics: Register: metric %q is already registered (as %q)", name, found)
	}
	return metricRegistry.Register(name, factory)
}

// Get returns the metric with the given Keras name or alias ("mae",
// "mse", "mape", "msle", "bce", "kld", "logcosh"), with Keras's
// defaults. Every loss name is also a metric name (the mean of the loss
// over the samples, computed on the host). The metric keeps the name as
// given, which becomes its history key. "accuracy" and "acc" depend on
// the loss and are resolved by the model (see Accuracy); Get returns an
// error for them. An unknown name gives a *kerrors.UnknownNameError
// listing the known ones.
func Get(name string) (Metric, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a metric from its serialisable form. An unknown name
// gives a *kerrors.UnknownNameError; a parameter the metric does not take,
// of the wrong type or out of range a *kerrors.OptionError naming it.
func FromConfig(c Config) (Metric, error) {
	f, _, err := hparams.Lookup(metricRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known metric names and aliases, sorted.
func Names() []string { return metricRegistry.Names() }

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
