package keras

import (
	"fmt"
	"math"
	"sort"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// compiled is what Compile resolved: an engine with the losses, the
// optimizer and, per output, its loss, weight and metric factories.
type compiled struct {
	engine    *backend.Engine
	optimizer optimizers.Optimizer
	outputs   []compiledOutput
	// metrics given to Compile for every output and per output, as
	// recorded in saved files
	metricSpecs    []string
	outMetricSpecs map[string][]string
	lossWeights    []float64
}

// compiledOutput is one output's training setup.
type compiledOutput struct {
	name        string
	loss        losses.Loss // nil: not trained by a loss
	sparse      bool        // targets are class indices
	classes     int         // output width when sparse
	metricNames []string    // history keys (without "val_")
	newMetrics  func() ([]metrics.Metric, error)
}

// lossKey is the history key of output k's loss in a model with several
// losses ("priority_loss").
func (o compiledOutput) lossKey() string { return o.name + "_loss" }

// Compile configures the model for training (Keras: compile). It builds
// the model if needed and checks every name and hyperparameter; an
// unknown name gives an UnknownNameError listing the known ones.
// Compiling again replaces the losses, optimizer (and its state) and
// metrics and keeps the weights. It returns ErrTraining while the model
// trains.
//
// Options: Loss (required unless the model's layers add losses of their
// own), Optimizer (default "rmsprop"), Metrics, OutputMetrics,
// LossWeights, LossWeightsByName.
func (m *Model) Compile(opts ...CompileOption) error {
	cfg := &compileConfig{optimizer: "rmsprop"}
	for _, o := range opts {
		if o == nil {
			return errors.Wrap(ErrNil, "keras: Compile: nil option")
		}
		o.applyCompile(cfg)
	}
	if err := m.Build(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fitting.Load() {
		return errors.Wrap(ErrTraining, "keras: Compile")
	}
	c, err := m.resolveCompile(cfg)
	if err != nil {
		return errors.Wrap(err, "keras: Compile")
	}
	m.compiled.Store(c)
	return nil
}

func (m *Model) resolveCompile(cfg *compileConfig) (*compiled, error) {
	opt, err := optimizers.Resolve(cfg.optimizer)
	if err != nil {
		return nil, err
	}
	if e, ok := opt.(interface{ Err() error }); ok && e.Err() != nil {
		return nil, e.Err()
	}
	perOutput, err := m.resolveLosses(cfg)
	if err != nil {
		return nil, err
	}
	weights, err := m.resolveLossWeights(cfg)
	if err != nil {
		return nil, err
	}
	c := &compiled{optimizer: opt, outMetricSpecs: map[string][]string{}}
	for _, name := range cfg.outOrder {
		if m.outputIndex(name) < 0 {
			return nil, errors.Errorf("OutputMetrics names output %q; the model's outputs are %v", name, m.outputNamesList())
		}
	}
	nLosses := 0
	for _, l := range perOutput {
		if l != nil {
			nLosses++
		}
	}
	spec := backend.Spec{Dtype: m.dtype, Inputs: m.inSpecs, Variables: m.vars, Forward: m.g.Forward, WeightsLock: &m.weightsMu}
	for k, o := range m.outs {
		co := compiledOutput{name: o.name, loss: perOutput[k]}
		specs := cfg.outMetrics[o.name]
		if co.loss != nil {
			specs = append(append([]any(nil), cfg.metrics...), specs...)
			if s, ok := co.loss.(losses.SparseTargets); ok && s.SparseTargets() {
				if len(o.shape) < 1 || o.shape[len(o.shape)-1] < 2 {
					return nil, errors.Errorf("%s needs output %s of shape (None, ..., classes) with classes >= 2, the model's is %s", co.loss.Name(), o.name, shapeString(o.shape))
				}
				co.sparse, co.classes = true, o.shape[len(o.shape)-1]
			}
		} else if len(specs) > 0 {
			return nil, errors.Errorf("output %s has metrics but no loss", o.name)
		}
		if err := co.resolveMetrics(specs, o.shape, len(m.outs) > 1); err != nil {
			return nil, err
		}
		c.outputs = append(c.outputs, co)
		if co.loss != nil {
			loss := co.loss
			spec.Losses = append(spec.Losses, func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
				return loss.PerSample(s, yTrue, yPred)
			})
		} else {
			spec.Losses = append(spec.Losses, nil)
		}
		if len(cfg.outMetrics[o.name]) > 0 {
			c.outMetricSpecs[o.name] = specNames(cfg.outMetrics[o.name])
		}
	}
	if nLosses == 0 {
		spec.Losses = nil
	}
	c.metricSpecs = specNames(cfg.metrics)
	if weights != nil {
		spec.LossWeights = weights
		c.lossWeights = weights
	}
	spec.TrainOutputs = c.anyMetrics()
	if seen := map[string]bool{"loss": true}; true {
		for _, co := range c.outputs {
			keys := co.metricNames
			if co.loss != nil && nLosses > 1 {
				keys = append([]string{co.lossKey()}, keys...)
			}
			for _, k := range keys {
				if seen[k] {
					return nil, errors.Errorf("history key %q is used twice (name the metrics or outputs differently)", k)
				}
				seen[k] = true
			}
		}
	}
	eng, err := backend.NewEngine(spec)
	if err != nil {
		return nil, err
	}
	c.engine = eng
	return c, nil
}

func (c *compiled) anyMetrics() bool {
	for _, o := range c.outputs {
		if len(o.metricNames) > 0 {
			return true
		}
	}
	return false
}

// lossCount returns the number of outputs trained by a loss.
func (c *compiled) lossCount() int {
	n := 0
	for _, o := range c.outputs {
		if o.loss != nil {
			n++
		}
	}
	return n
}

// resolveLosses returns one loss (or nil) per output from Loss's spec.
func (m *Model) resolveLosses(cfg *compileConfig) ([]losses.Loss, error) {
	out := make([]losses.Loss, len(m.outs))
	if !cfg.lossGiven || cfg.loss == nil {
		return out, nil
	}
	one := func(spec any, what string) (losses.Loss, error) {
		if spec == nil {
			return nil, nil
		}
		l, err := losses.Resolve(spec)
		if err != nil {
			return nil, errors.Wrap(err, what)
		}
		return l, nil
	}
	switch v := cfg.loss.(type) {
	case []any:
		if len(v) != len(m.outs) {
			return nil, errors.Errorf("Loss: %d losses for the model's %d outputs %v", len(v), len(m.outs), m.outputNamesList())
		}
		for k, spec := range v {
			l, err := one(spec, fmt.Sprintf("loss of output %s", m.outs[k].name))
			if err != nil {
				return nil, err
			}
			out[k] = l
		}
	case map[string]any:
		for name, spec := range v {
			k := m.outputIndex(name)
			if k < 0 {
				return nil, errors.Errorf("Loss names output %q; the model's outputs are %v", name, m.outputNamesList())
			}
			l, err := one(spec, "loss of output "+name)
			if err != nil {
				return nil, err
			}
			out[k] = l
		}
	default:
		l, err := one(cfg.loss, "loss")
		if err != nil {
			return nil, err
		}
		for k := range out {
			out[k] = l
		}
	}
	return out, nil
}

// resolveLossWeights returns one weight per output, or nil for all 1.
func (m *Model) resolveLossWeights(cfg *compileConfig) ([]float64, error) {
	if cfg.lossWeights == nil && cfg.lossByName == nil {
		return nil, nil
	}
	w := make([]float64, len(m.outs))
	for i := range w {
		w[i] = 1
	}
	if cfg.lossWeights != nil {
		if len(cfg.lossWeights) != len(m.outs) {
			return nil, errors.Errorf("LossWeights: %d weights for the model's %d outputs %v", len(cfg.lossWeights), len(m.outs), m.outputNamesList())
		}
		copy(w, cfg.lossWeights)
	}
	for name, v := range cfg.lossByName {
		k := m.outputIndex(name)
		if k < 0 {
			return nil, errors.Errorf("LossWeightsByName names output %q; the model's outputs are %v", name, m.outputNamesList())
		}
		w[k] = v
	}
	for k, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, &OptionError{Call: "Compile", Option: "loss_weights", Value: fmt.Sprint(v), Msg: fmt.Sprintf("the weight of output %s must be finite and >= 0", m.outs[k].name)}
		}
	}
	return w, nil
}

func (m *Model) outputIndex(name string) int {
	for k, o := range m.outs {
		if o.name == name {
			return k
		}
	}
	return -1
}

func (m *Model) outputNamesList() []string {
	out := make([]string, len(m.outs))
	for k, o := range m.outs {
		out[k] = o.name
	}
	return out
}

// resolveMetrics checks the metric specs of one output and records their
// history keys and a factory making fresh instances.
func (o *compiledOutput) resolveMetrics(specs []any, shape []int, prefixed bool) error {
	binaryLoss := o.loss != nil && o.loss.Name() == "binary_crossentropy"
	width := prod(shape)
	if o.sparse {
		width = o.classes
	}
	seen := map[string]bool{}
	for _, spec := range specs {
		met, err := resolveMetric(spec, o.sparse, binaryLoss, width)
		if err != nil {
			return errors.Wrapf(err, "metrics of output %s", o.name)
		}
		if seen[met.Name()] || met.Name() == "loss" {
			return errors.Errorf("metric name %q is used twice", met.Name())
		}
		seen[met.Name()] = true
		key := met.Name()
		if prefixed {
			key = o.name + "_" + key
		}
		o.metricNames = append(o.metricNames, key)
		if sm, ok := met.(metrics.SparseMetric); ok && sm.SparseTargets() != o.sparse {
			return errors.Errorf("metric %s expects %s targets but the loss %s of output %s takes %s targets",
				met.Name(), sparseWord(sm.SparseTargets()), o.loss.Name(), o.name, sparseWord(o.sparse))
		}
	}
	specs = append([]any(nil), specs...)
	sparse := o.sparse
	o.newMetrics = func() ([]metrics.Metric, error) {
		out := make([]metrics.Metric, 0, len(specs))
		for _, spec := range specs {
			met, err := resolveMetric(spec, sparse, binaryLoss, width)
			if err != nil {
				return nil, err
			}
			out = append(out, met)
		}
		return out, nil
	}
	return nil
}

// specNames records metric specs by name for saving.
func specNames(specs []any) []string {
	var out []string
	for _, s := range specs {
		switch v := s.(type) {
		case string:
			out = append(out, v)
		case metrics.Metric:
			out = append(out, v.Name())
		}
	}
	return out
}

func sparseWord(sparse bool) string {
	if sparse {
		return "class-index"
	}
	return "one-hot/dense"
}

func resolveMetric(spec any, sparse, binaryLoss bool, outWidth int) (metrics.Metric, error) {
	switch v := spec.(type) {
	case string:
		if metrics.IsAccuracy(v) {
			return metrics.Accuracy(v, sparse, binaryLoss, outWidth), nil
		}
		return metrics.Get(v)
	case metrics.Metric:
		if v == nil {
			return nil, errors.Wrap(ErrNil, "metrics: nil metric")
		}
		if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		if c, ok := v.(metrics.Cloner); ok {
			// A fresh copy per call: training and evaluation must not
			// share one metric's state.
			return c.Clone(), nil
		}
		return v, nil
	case nil:
		return nil, errors.Wrap(ErrNil, "metrics: nil metric")
	}
	return nil, errors.Errorf("metrics: %T is neither a name nor a metrics.Metric", spec)
}

// Optimizer returns the compiled optimizer (nil before Compile); callbacks
// use it to read and change the learning rate.
func (m *Model) Optimizer() optimizers.Optimizer {
	if c := m.compiled.Load(); c != nil {
		return c.optimizer
	}
	return nil
}

// LossFunction returns the compiled loss of the first output that has one
// (nil before Compile or when no output has a loss).
func (m *Model) LossFunction() losses.Loss {
	if c := m.compiled.Load(); c != nil {
		for _, o := range c.outputs {
			if o.loss != nil {
				return o.loss
			}
		}
	}
	return nil
}

// MetricNames returns the history keys of the compiled metrics (without
// "val_"), in order: for a model with several losses, each output's
// "<output>_loss" first, then its metrics as "<output>_<metric>".
func (m *Model) MetricNames() []string {
	c := m.compiled.Load()
	if c == nil {
		return nil
	}
	var out []string
	for _, o := range c.outputs {
		if o.loss != nil && c.lossCount() > 1 {
			out = append(out, o.lossKey())
		}
		out = append(out, o.metricNames...)
	}
	return out
}

// sortedKeys returns m's keys sorted (deterministic error messages).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
