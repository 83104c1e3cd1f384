package keras

import (
	"io"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Option configures Compile, Fit, Evaluate or Predict. Options are named
// like Keras's keyword arguments; each call accepts the ones its Keras
// counterpart has and reports any other as an error.
type Option func(*config)

type config struct {
	given []string

	// Compile
	loss      interface{}
	optimizer interface{}
	metrics   []interface{}

	// Fit, Evaluate, Predict
	epochs          int
	batchSize       int
	verbose         int
	validationSplit float64
	valX, valY      tensor.Tensor
	valSW           tensor.Tensor
	shuffle         bool
	initialEpoch    int
	classWeight     map[int]float64
	sampleWeight    tensor.Tensor
	callbacks       []Callback
	out             io.Writer
}

func (c *config) mark(kw string) {
	for _, g := range c.given {
		if g == kw {
			return
		}
	}
	c.given = append(c.given, kw)
}

// collect applies opts over Keras's defaults and rejects options the
// method does not take.
func collect(method string, opts []Option, allowed ...string) (*config, error) {
	c := &config{optimizer: "rmsprop", epochs: 1, batchSize: 32, verbose: 1, shuffle: true}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	for _, kw := range c.given {
		ok := false
		for _, a := range allowed {
			ok = ok || a == kw
		}
		if !ok {
			sort.Strings(allowed)
			return nil, errors.Errorf("keras: %s has no option %s (it takes: %s)", method, kw, strings.Join(allowed, ", "))
		}
	}
	return c, nil
}

// Loss sets the training objective (Compile): a Keras name ("mse",
// "sparse_categorical_crossentropy", ...) or a losses.Loss. Required.
func Loss(l interface{}) Option { return func(c *config) { c.mark("loss"); c.loss = l } }

// Optimizer sets the optimizer (Compile): a Keras name ("adam", "rmsprop",
// "sgd", "adamw", "adagrad", "adadelta", "adamax", "nadam", "ftrl",
// "lion") with Keras 3 defaults, or an optimizers.Optimizer (for options,
// learning-rate schedules or old Keras defaults). Default "rmsprop", as in
// Keras.
func Optimizer(o interface{}) Option { return func(c *config) { c.mark("optimizer"); c.optimizer = o } }

// Metrics adds metrics reported during training and evaluation (Compile):
// Keras names ("accuracy", "mae", "auc", any loss name, ...) or
// metrics.Metric values. Each becomes a history key under the name given.
// A metric value is cloned when it implements metrics.Cloner (every
// built-in one does), so training and evaluation keep separate state.
func Metrics(ms ...interface{}) Option {
	return func(c *config) { c.mark("metrics"); c.metrics = append(c.metrics, ms...) }
}

// Epochs sets the number of epochs Fit trains for (default 1). With
// InitialEpoch(i), training runs epochs i..n-1: n is the final epoch, not
// a count.
func Epochs(n int) Option { return func(c *config) { c.mark("epochs"); c.epochs = n } }

// BatchSize sets the number of samples per step (default 32). The last
// batch of an epoch is smaller when the data does not divide evenly; it
// is never dropped.
func BatchSize(n int) Option { return func(c *config) { c.mark("batch_size"); c.batchSize = n } }

// Verbose sets how much is printed: 0 nothing, 1 a progress bar (the
// default), 2 one line per epoch.
func Verbose(v int) Option { return func(c *config) { c.mark("verbose"); c.verbose = v } }

// ValidationSplit holds out the fraction v of the training data, in [0, 1),
// for validation (default 0). The held-out rows are the LAST
// floor(N*v)-ish rows, taken before shuffling, as in Keras: shuffle the
// data yourself first if it is ordered.
func ValidationSplit(v float64) Option {
	return func(c *config) { c.mark("validation_split"); c.validationSplit = v }
}

// ValidationData sets data to validate on after every epoch, overriding
// ValidationSplit. An optional third tensor gives per-sample weights.
func ValidationData(x, y tensor.Tensor, sampleWeight ...tensor.Tensor) Option {
	return func(c *config) {
		c.mark("validation_data")
		c.valX, c.valY = x, y
		if len(sampleWeight) > 0 {
			c.valSW = sampleWeight[0]
		}
	}
}

// Shuffle says whether Fit reorders the training rows every epoch
// (default true).
func Shuffle(b bool) Option { return func(c *config) { c.mark("shuffle"); c.shuffle = b } }

// InitialEpoch sets the epoch Fit starts at (default 0), to resume an
// earlier run.
func InitialEpoch(i int) Option {
	return func(c *config) { c.mark("initial_epoch"); c.initialEpoch = i }
}

// ClassWeight weights each sample's loss by its class (Fit): the class is
// the target index for sparse targets, the argmax of a one-hot target, or
// the rounded value of a single binary target. Classes not in the map
// weigh 1. Combined with SampleWeight the two multiply.
func ClassWeight(w map[int]float64) Option {
	return func(c *config) { c.mark("class_weight"); c.classWeight = w }
}

// SampleWeight gives each sample's loss a weight (Fit, Evaluate): a tensor
// of shape (N) with values >= 0.
func SampleWeight(w tensor.Tensor) Option {
	return func(c *config) { c.mark("sample_weight"); c.sampleWeight = w }
}

// Callbacks adds callbacks to a Fit, Evaluate or Predict run.
func Callbacks(cbs ...Callback) Option {
	return func(c *config) { c.mark("callbacks"); c.callbacks = append(c.callbacks, cbs...) }
}

// ProgressOutput sets where progress is printed (default os.Stdout).
func ProgressOutput(w io.Writer) Option {
	return func(c *config) { c.mark("progress_output"); c.out = w }
}
