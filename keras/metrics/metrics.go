package metrics

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
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

// SparseMetric is implemented by metrics whose targets are class indices.
type SparseMetric interface {
	SparseTargets() bool
}

// Mean is the weighted mean of a per-sample value: sum(w*v) / sum(w).
// Most metrics are a Mean of a function of one row.
type Mean struct {
	name   string
	perRow func(yTrue, yPred []float64) float64
	sparse bool
	total  float64
	count  float64
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

// Update adds a batch.
func (m *Mean) Update(b Batch) error {
	wt, wp := b.Width()
	if b.Rows <= 0 || wt*b.Rows != len(b.YTrue) || wp*b.Rows != len(b.YPred) {
		return errors.Errorf("metrics: %s: batch of %d rows with %d targets and %d predictions", m.name, b.Rows, len(b.YTrue), len(b.YPred))
	}
	if b.SampleWeight != nil && len(b.SampleWeight) != b.Rows {
		return errors.Errorf("metrics: %s: %d sample weights for %d rows", m.name, len(b.SampleWeight), b.Rows)
	}
	for i := 0; i < b.Rows; i++ {
		w := b.weight(i)
		m.total += w * m.perRow(b.YTrue[i*wt:(i+1)*wt], b.YPred[i*wp:(i+1)*wp])
		m.count += w
	}
	return nil
}

// Result returns the weighted mean so far.
func (m *Mean) Result() float64 {
	if m.count == 0 {
		return 0
	}
	return m.total / m.count
}

var registry = map[string]func(name string) Metric{}

var canonical = map[string]string{
	"mae": "mean_absolute_error",
	"mse": "mean_squared_error",
}

func init() {
	registry["binary_accuracy"] = func(n string) Metric { return BinaryAccuracy(Name(n)) }
	registry["categorical_accuracy"] = func(n string) Metric { return CategoricalAccuracy(Name(n)) }
	registry["sparse_categorical_accuracy"] = func(n string) Metric { return SparseCategoricalAccuracy(Name(n)) }
	registry["mean_absolute_error"] = func(n string) Metric { return MeanAbsoluteError(Name(n)) }
	registry["mean_squared_error"] = func(n string) Metric { return MeanSquaredError(Name(n)) }
}

// Register makes a metric available by name (for user-defined metrics).
// make receives the name the user gave. It returns an error if the name is
// taken.
func Register(name string, make func(name string) Metric) error {
	if _, ok := registry[name]; ok || name == "accuracy" || name == "acc" {
		return errors.Errorf("metrics: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns the metric with the given Keras name or alias ("mae",
// "mse"); the metric keeps the name as given, which becomes its history
// key. "accuracy" and "acc" depend on the loss and are resolved by the
// model (see Accuracy). An unknown name gives an error listing the known
// ones.
func Get(name string) (Metric, error) {
	key := name
	if c, ok := canonical[name]; ok {
		key = c
	}
	make, ok := registry[key]
	if !ok {
		return nil, errors.Errorf("metrics: unknown metric %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return make(name), nil
}

// Names returns the known metric names and aliases, sorted.
func Names() []string {
	names := []string{"accuracy", "acc"}
	for n := range registry {
		names = append(names, n)
	}
	for a := range canonical {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
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
// history key up: "acc" <-> "accuracy", "mae" <-> "mean_absolute_error",
// "mse" <-> "mean_squared_error", each also with the "val_" prefix.
func Aliases(key string) []string {
	prefix := ""
	if strings.HasPrefix(key, "val_") {
		prefix, key = "val_", strings.TrimPrefix(key, "val_")
	}
	var out []string
	switch key {
	case "acc":
		out = append(out, "accuracy")
	case "accuracy":
		out = append(out, "acc")
	}
	for short, long := range canonical {
		switch key {
		case short:
			out = append(out, long)
		case long:
			out = append(out, short)
		}
	}
	for i := range out {
		out[i] = prefix + out[i]
	}
	return out
}

// Option configures a metric.
type Option func(*metricOptions)

type metricOptions struct {
	name      string
	threshold float64
}

// Name sets the metric's name (its history key).
func Name(n string) Option { return func(o *metricOptions) { o.name = n } }

// Threshold sets the probability above which BinaryAccuracy predicts 1
// (default 0.5).
func Threshold(t float64) Option { return func(o *metricOptions) { o.threshold = t } }

func metricOpts(defaultName string, opts []Option) metricOptions {
	o := metricOptions{name: defaultName, threshold: 0.5}
	for _, f := range opts {
		f(&o)
	}
	if o.name == "" {
		o.name = defaultName
	}
	return o
}
