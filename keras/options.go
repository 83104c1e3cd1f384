package keras

import (
	"fmt"
	"io"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Options are named like Keras's keyword arguments and checked by the
// compiler: Compile takes CompileOptions, Fit FitOptions, Evaluate
// EvaluateOptions and Predict PredictOptions. An option valid in several
// calls (BatchSize, Verbose, Callbacks, ProgressOutput, SampleWeight) is a
// type that satisfies each of their interfaces, so
// model.Compile(keras.Epochs(5)) does not compile.

// CompileOption configures Compile: Loss, Optimizer, Metrics,
// OutputMetrics, LossWeights, LossWeightsByName.
type CompileOption interface{ applyCompile(*compileConfig) }

// FitOption configures Fit: Epochs, BatchSize, Verbose, ValidationSplit,
// ValidationData, Shuffle, InitialEpoch, ClassWeight, OutputClassWeight,
// SampleWeight, OutputSampleWeight, Callbacks, ProgressOutput.
type FitOption interface{ applyFit(*runConfig) }

// EvaluateOption configures Evaluate: BatchSize, Verbose, SampleWeight,
// OutputSampleWeight, Callbacks, ProgressOutput.
type EvaluateOption interface{ applyEvaluate(*runConfig) }

// PredictOption configures Predict and PredictAll: BatchSize, Verbose,
// Callbacks, ProgressOutput.
type PredictOption interface{ applyPredict(*runConfig) }

// compileConfig collects Compile's options.
type compileConfig struct {
	loss        any
	lossGiven   bool
	optimizer   any
	metrics     []any
	outMetrics  map[string][]any
	outOrder    []string
	lossWeights []float64
	lossByName  map[string]float64
}

// runConfig collects the options of Fit, Evaluate and Predict.
type runConfig struct {
	epochs          int
	batchSize       int
	verbose         int
	validationSplit float64
	valX, valY      Data
	valSW           tensor.Tensor
	shuffle         bool
	initialEpoch    int
	classWeight     map[int]float64
	outClassWeight  map[string]map[int]float64
	sampleWeight    tensor.Tensor
	outSampleWeight map[string]tensor.Tensor
	callbacks       []Callback
	out             io.Writer
	errs            []error
}

func defaultRunConfig() *runConfig {
	return &runConfig{epochs: 1, batchSize: 32, verbose: 1, shuffle: true}
}

func (c *runConfig) fail(call, kw string, v any, msg string) {
	c.errs = append(c.errs, &kerrors.OptionError{Call: call, Option: kw, Value: fmt.Sprint(v), Msg: msg})
}

// CompileFunc is an option of Compile only.
type CompileFunc func(*compileConfig)

func (f CompileFunc) applyCompile(c *compileConfig) { f(c) }

// FitFunc is an option of Fit only.
type FitFunc func(*runConfig)

func (f FitFunc) applyFit(c *runConfig) { f(c) }

// Loss sets the training objective (Compile). spec is one of:
//   - a Keras name ("mse", "sparse_categorical_crossentropy", ...) or a
//     losses.Loss: the loss of every output;
//   - a []any of names, losses.Loss values or nil: one per output, in
//     order (nil: the output is not trained by a loss);
//   - a map[string]any from output names to names or losses.Loss values
//     (outputs not in the map have no loss).
//
// Any other type is an error. Without Loss, Compile succeeds only if the
// model's layers add losses of their own (Keras's VAE pattern).
func Loss(spec any) CompileFunc {
	return func(c *compileConfig) { c.loss, c.lossGiven = spec, true }
}

// Optimizer sets the optimizer (Compile): a Keras name ("adam",
// "rmsprop", "sgd", "adamw", "adagrad", "adadelta", "adamax", "nadam",
// "ftrl", "lion") with Keras 3 defaults, or an optimizers.Optimizer (for
// options, learning-rate schedules or old Keras defaults); any other type
// is an error. Default "rmsprop", as in Keras.
func Optimizer(o any) CompileFunc { return func(c *compileConfig) { c.optimizer = o } }

// Metrics adds metrics reported during training and evaluation (Compile),
// for every output that has a loss: Keras names ("accuracy", "mae",
// "auc", any loss name, ...) or metrics.Metric values; any other type is
// an error. Each becomes a history key under the name given (prefixed
// with the output's name for models with several outputs). A metric value
// is cloned when it implements metrics.Cloner (every built-in one does),
// so training and evaluation keep separate state.
func Metrics(specs ...any) CompileFunc {
	return func(c *compileConfig) { c.metrics = append(c.metrics, specs...) }
}

// OutputMetrics adds metrics for one output, by name (Compile; Keras's
// metrics={"priority": ["mae"]}).
func OutputMetrics(output string, specs ...any) CompileFunc {
	return func(c *compileConfig) {
		if c.outMetrics == nil {
			c.outMetrics = map[string][]any{}
		}
		if _, ok := c.outMetrics[output]; !ok {
			c.outOrder = append(c.outOrder, output)
		}
		c.outMetrics[output] = append(c.outMetrics[output], specs...)
	}
}

// LossWeights scales each output's loss in the total loss, one weight per
// output in order (Compile; Keras: loss_weights; default all 1). Weights
// must be finite and >= 0.
func LossWeights(w ...float64) CompileFunc {
	w = append([]float64(nil), w...)
	return func(c *compileConfig) { c.lossWeights = w }
}

// LossWeightsByName scales the losses of the named outputs (Compile;
// Keras's loss_weights dict); outputs not named weigh 1.
func LossWeightsByName(w map[string]float64) CompileFunc {
	return func(c *compileConfig) { c.lossByName = w }
}

// Epochs sets the number of epochs Fit trains for (default 1). With
// InitialEpoch(i), training runs epochs i..n-1: n is the final epoch, not
// a count.
func Epochs(n int) FitFunc {
	return func(c *runConfig) {
		if n < 0 {
			c.fail("Fit", "epochs", n, "must be >= 0")
		}
		c.epochs = n
	}
}

// RunOption is an option of Fit, Evaluate and Predict.
type RunOption struct {
	apply func(call string, c *runConfig)
}

func (o RunOption) applyFit(c *runConfig)      { o.apply("Fit", c) }
func (o RunOption) applyEvaluate(c *runConfig) { o.apply("Evaluate", c) }
func (o RunOption) applyPredict(c *runConfig)  { o.apply("Predict", c) }

// BatchSize sets the number of samples per step (Fit, Evaluate, Predict;
// default 32). The last batch of an epoch is smaller when the data does
// not divide evenly; it is never dropped. A batch size larger than the
// data is the data's size: buffers are sized by the rows there are.
func BatchSize(n int) RunOption {
	return RunOption{func(call string, c *runConfig) {
		if n < 1 {
			c.fail(call, "batch_size", n, "must be >= 1")
		}
		c.batchSize = n
	}}
}

// Verbose sets how much is printed (Fit, Evaluate, Predict): 0 nothing, 1
// a progress bar (the default, as in Keras: pass Verbose(0) in servers),
// 2 one line per epoch.
func Verbose(v int) RunOption {
	return RunOption{func(call string, c *runConfig) {
		if v < 0 || v > 2 {
			c.fail(call, "verbose", v, "must be 0, 1 or 2")
		}
		c.verbose = v
	}}
}

// Callbacks adds callbacks to a Fit, Evaluate or Predict run. A nil
// callback is an error.
func Callbacks(cbs ...Callback) RunOption {
	return RunOption{func(call string, c *runConfig) {
		for i, cb := range cbs {
			if cb == nil {
				c.fail(call, "callbacks", fmt.Sprintf("[%d]", i), "is nil")
				return
			}
		}
		c.callbacks = append(c.callbacks, cbs...)
	}}
}

// ProgressOutput sets where progress is printed (Fit, Evaluate, Predict;
// default os.Stdout).
func ProgressOutput(w io.Writer) RunOption {
	return RunOption{func(_ string, c *runConfig) { c.out = w }}
}

// WeightOption is an option of Fit and Evaluate.
type WeightOption struct {
	apply func(call string, c *runConfig)
}

func (o WeightOption) applyFit(c *runConfig)      { o.apply("Fit", c) }
func (o WeightOption) applyEvaluate(c *runConfig) { o.apply("Evaluate", c) }

// SampleWeight gives each sample's loss a weight (Fit, Evaluate): a
// tensor of shape (N) with finite values >= 0, applied to every output's
// loss and to weighted metrics.
func SampleWeight(w tensor.Tensor) WeightOption {
	return WeightOption{func(_ string, c *runConfig) { c.sampleWeight = w }}
}

// OutputSampleWeight gives each sample's loss on one output a weight (Fit,
// Evaluate; Keras's sample_weight dict). It replaces SampleWeight for that
// output.
func OutputSampleWeight(output string, w tensor.Tensor) WeightOption {
	return WeightOption{func(_ string, c *runConfig) {
		if c.outSampleWeight == nil {
			c.outSampleWeight = map[string]tensor.Tensor{}
		}
		c.outSampleWeight[output] = w
	}}
}

// ValidationSplit holds out the fraction v of the training data, in [0, 1),
// for validation (Fit; default 0). The held-out rows are the LAST
// floor(N*v)-ish rows, taken before shuffling, as in Keras: shuffle the
// data yourself first if it is ordered.
func ValidationSplit(v float64) FitFunc {
	return func(c *runConfig) {
		if !(v >= 0 && v < 1) {
			c.fail("Fit", "validation_split", v, "must be in [0, 1)")
		}
		c.validationSplit = v
	}
}

// ValidationData sets data to validate on after every epoch, overriding
// ValidationSplit (Fit). x and y take what Fit takes; an optional third
// tensor gives per-sample weights.
func ValidationData(x, y Data, sampleWeight ...tensor.Tensor) FitFunc {
	return func(c *runConfig) {
		c.valX, c.valY = x, y
		if len(sampleWeight) > 0 {
			c.valSW = sampleWeight[0]
		}
		if x == nil {
			c.fail("Fit", "validation_data", "nil", "x is nil")
		}
	}
}

// Shuffle says whether Fit reorders the training rows every epoch
// (default true).
func Shuffle(on bool) FitFunc { return func(c *runConfig) { c.shuffle = on } }

// InitialEpoch sets the epoch Fit starts at (default 0), to resume an
// earlier run.
func InitialEpoch(i int) FitFunc {
	return func(c *runConfig) {
		if i < 0 {
			c.fail("Fit", "initial_epoch", i, "must be >= 0")
		}
		c.initialEpoch = i
	}
}

// ClassWeight weights each sample's loss by its class (Fit): the class is
// the target index for sparse targets, the argmax of a one-hot target, or
// the rounded value of a single binary target. Classes not in the map
// weigh 1; a key that is not a class of the output is an error. Weights
// must be finite and >= 0. Combined with SampleWeight the two multiply.
// For a model with several outputs use OutputClassWeight.
func ClassWeight(w map[int]float64) FitFunc {
	return func(c *runConfig) { c.classWeight = w }
}

// OutputClassWeight is ClassWeight for one output of a model with several
// (an extension: Keras accepts class_weight for single-output models
// only).
func OutputClassWeight(output string, w map[int]float64) FitFunc {
	return func(c *runConfig) {
		if c.outClassWeight == nil {
			c.outClassWeight = map[string]map[int]float64{}
		}
		c.outClassWeight[output] = w
	}
}
