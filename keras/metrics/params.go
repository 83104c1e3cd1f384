package metrics

import (
	"encoding/json"

	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// Config is the serialisable form of a metric:
//
//	{"name": "auc", "params": {"name": "pr_auc", "curve": "PR"}}
//
// Name is the Keras name the metric is registered under; Params is the
// JSON of its typed parameters (AUCParams, ...) with Keras's keyword
// names, holding those that differ from the defaults, and "name", the
// history key, when it is not Name. FromConfig rejects unknown keywords.
type Config struct {
	// Name is the metric's registered Keras name (or an alias).
	Name string `json:"name"`
	// Params holds the non-default parameters as a JSON object (nil:
	// none).
	Params json.RawMessage `json:"params,omitempty"`
}

// Configurable is implemented by every metric of this package.
type Configurable interface {
	Config() Config
}

// ConfigOf returns m's serialisable form: its Config, or its name alone
// for a metric that has no Config method.
func ConfigOf(m Metric) Config {
	if c, ok := m.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: m.Name()}
}

// NameParams holds the history key; it is the whole of the parameters of
// the metrics whose only option is Name, and every other Params struct
// embeds it.
type NameParams struct {
	// Name is the history key (default: the metric's Keras name).
	Name string `json:"name"`
}

func (p *NameParams) nameParams() *NameParams { return p }

// BinaryAccuracyParams are BinaryAccuracy's parameters.
type BinaryAccuracyParams struct {
	NameParams
	// Threshold above which a prediction counts as 1 (default 0.5).
	Threshold float64 `json:"threshold"`
}

// TopKParams are the parameters of TopKCategoricalAccuracy and
// SparseTopKCategoricalAccuracy.
type TopKParams struct {
	NameParams
	// K is how many of the largest predictions count (default 5, >= 1).
	K int `json:"k"`
}

// ConfusionParams are the parameters of Precision and Recall.
type ConfusionParams struct {
	NameParams
	// Thresholds is the probability above which a prediction is positive
	// (nil: 0.5, or none with TopK; in [0, 1]).
	Thresholds *float64 `json:"thresholds"`
	// TopK counts only each row's k largest predictions (nil: all; >= 1).
	TopK *int `json:"top_k"`
	// ClassID looks at one output column only (nil: all; >= 0).
	ClassID *int `json:"class_id"`
}

// AUCParams are AUC's parameters.
type AUCParams struct {
	NameParams
	// NumThresholds discretises the curve (default 200, > 1).
	NumThresholds int `json:"num_thresholds"`
	// Curve is "ROC" (default) or "PR".
	Curve string `json:"curve"`
	// SummationMethod is "interpolation" (default), "minoring" or
	// "majoring".
	SummationMethod string `json:"summation_method"`
	// MultiLabel averages one curve per output (default false).
	MultiLabel bool `json:"multi_label"`
	// FromLogits applies a sigmoid to the predictions (default false).
	FromLogits bool `json:"from_logits"`
}

// F1ScoreParams are F1Score's parameters.
type F1ScoreParams struct {
	NameParams
	// Threshold above which a prediction counts as 1 (nil, the default:
	// each row's largest; in (0, 1]).
	Threshold *float64 `json:"threshold"`
	// Average is "macro" (default), "micro" or "weighted".
	Average string `json:"average"`
}

// FBetaScoreParams are FBetaScore's parameters.
type FBetaScoreParams struct {
	NameParams
	// Beta weighs recall against precision (default 1, finite, > 0).
	Beta float64 `json:"beta"`
	// Threshold above which a prediction counts as 1 (nil, the default:
	// each row's largest; in (0, 1]).
	Threshold *float64 `json:"threshold"`
	// Average is "macro" (default), "micro" or "weighted".
	Average string `json:"average"`
}

// R2ScoreParams are R2Score's parameters.
type R2ScoreParams struct {
	NameParams
	// ClassAggregation is "uniform_average" (default) or
	// "variance_weighted_average".
	ClassAggregation string `json:"class_aggregation"`
	// NumRegressors makes the score the adjusted R2 (default 0, >= 0).
	NumRegressors int `json:"num_regressors"`
}

// CrossentropyParams are the parameters of the binary and categorical
// cross-entropy metrics.
type CrossentropyParams struct {
	NameParams
	// FromLogits takes the predictions as logits (default false).
	FromLogits bool `json:"from_logits"`
	// LabelSmoothing smooths the targets (default 0, in [0, 1]).
	LabelSmoothing float64 `json:"label_smoothing"`
}

// SparseCategoricalCrossentropyParams are the parameters of
// SparseCategoricalCrossentropy.
type SparseCategoricalCrossentropyParams struct {
	NameParams
	// FromLogits takes the predictions as logits (default false).
	FromLogits bool `json:"from_logits"`
}

// HuberParams are Huber's parameters.
type HuberParams struct {
	NameParams
	// Delta is where the metric turns from quadratic to linear (default
	// 1, finite, > 0).
	Delta float64 `json:"delta"`
}

// meta is what a metric keeps for its Config: the Keras name it is
// registered under, its parameters and their defaults (the history key
// defaulting to that name, so that it is written only when it differs).
type meta struct {
	class            string
	params, defaults any
}

// config returns the serialisable form of a metric named name.
func (m meta) config(name string) Config {
	if m.class == "" {
		return Config{Name: name}
	}
	return Config{Name: m.class, Params: hparams.Diff(m.params, m.defaults)}
}

// withName returns p with its history key set to name, or to def when
// name is empty.
func withName[P any, PP interface {
	*P
	nameParams() *NameParams
}](p P, def string) P {
	if PP(&p).nameParams().Name == "" {
		PP(&p).nameParams().Name = def
	}
	return p
}

// metaOf returns the meta of a metric registered as class with
// parameters p and defaults def (whose history key is replaced by class).
func metaOf[P any, PP interface {
	*P
	nameParams() *NameParams
}](class string, p, def P) meta {
	PP(&def).nameParams().Name = class
	return meta{class: class, params: p, defaults: def}
}
