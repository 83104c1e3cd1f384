package keras

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
	"github.com/gokeras/gokeras/keras/optimizers"
)

type compiled struct {
	loss      losses.Loss
	optimizer optimizers.Optimizer
	// metric factories, called once for training and once for evaluation
	metricNames []string
	metricSpecs []string // as given to Compile (names; Name() of values), for saving
	newMetrics  func() ([]metrics.Metric, error)
	trainMets   []metrics.Metric
	evalMets    []metrics.Metric
	sparse      bool // targets are class indices
	classes     int  // output width when sparse
}

// Compile configures the model for training (Keras: compile). It builds
// the model if needed and checks every name and hyperparameter; an unknown
// name gives an error listing the known ones. Compiling again replaces the
// loss, optimizer (and its state) and metrics and keeps the weights.
func (m *Model) Compile(opts ...Option) error {
	if m.fitting.Load() {
		return errors.New("keras: Compile: the model is training")
	}
	cfg, err := collect("Compile", opts, "loss", "optimizer", "metrics")
	if err != nil {
		return err
	}
	if err := m.Build(); err != nil {
		return err
	}
	if cfg.loss == nil {
		return errors.New(`keras: Compile: no loss given (for example keras.Loss("mse"))`)
	}
	loss, err := losses.Resolve(cfg.loss)
	if err != nil {
		return errors.Wrap(err, "keras: Compile")
	}
	opt, err := optimizers.Resolve(cfg.optimizer)
	if err != nil {
		return errors.Wrap(err, "keras: Compile")
	}
	if e, ok := opt.(interface{ Err() error }); ok && e.Err() != nil {
		return errors.Wrap(e.Err(), "keras: Compile")
	}
	c := &compiled{loss: loss, optimizer: opt}
	if s, ok := loss.(losses.SparseTargets); ok && s.SparseTargets() {
		if len(m.outShape) != 1 || m.outShape[0] < 2 {
			return errors.Errorf("keras: Compile: %s needs an output of shape (None, classes) with classes >= 2, the model's is %s", loss.Name(), shapeString(m.outShape))
		}
		c.sparse, c.classes = true, m.outShape[0]
	}
	binaryLoss := loss.Name() == "binary_crossentropy"
	outWidth := prod(m.outShape)
	specs := cfg.metrics
	seen := map[string]bool{}
	for _, spec := range specs {
		met, err := resolveMetric(spec, c.sparse, binaryLoss, outWidth)
		if err != nil {
			return errors.Wrap(err, "keras: Compile")
		}
		if seen[met.Name()] || met.Name() == "loss" {
			return errors.Errorf("keras: Compile: metric name %q is used twice", met.Name())
		}
		seen[met.Name()] = true
		c.metricNames = append(c.metricNames, met.Name())
		if name, ok := spec.(string); ok {
			c.metricSpecs = append(c.metricSpecs, name)
		} else {
			c.metricSpecs = append(c.metricSpecs, met.Name())
		}
		if sm, ok := met.(metrics.SparseMetric); ok && sm.SparseTargets() != c.sparse {
			return errors.Errorf("keras: Compile: metric %s expects %s targets but the loss %s takes %s targets",
				met.Name(), sparseWord(sm.SparseTargets()), loss.Name(), sparseWord(c.sparse))
		}
	}
	c.newMetrics = func() ([]metrics.Metric, error) {
		out := make([]metrics.Metric, 0, len(specs))
		for _, spec := range specs {
			met, err := resolveMetric(spec, c.sparse, binaryLoss, outWidth)
			if err != nil {
				return nil, err
			}
			out = append(out, met)
		}
		return out, nil
	}
	if c.trainMets, err = c.newMetrics(); err != nil {
		return err
	}
	if c.evalMets, err = c.newMetrics(); err != nil {
		return err
	}
	target := m.outShape
	eng, err := backend.NewEngine(backend.Spec{
		Dtype:        m.dtype,
		InputShape:   m.inShape,
		TargetShape:  target,
		Variables:    m.vars,
		Forward:      m.forward,
		Loss:         func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) { return loss.PerSample(s, yTrue, yPred) },
		TrainOutputs: len(specs) > 0,
	})
	if err != nil {
		return errors.Wrap(err, "keras: Compile")
	}
	m.compiled = c
	m.eng.Store(eng)
	return nil
}

func sparseWord(sparse bool) string {
	if sparse {
		return "class-index"
	}
	return "one-hot/dense"
}

func resolveMetric(spec interface{}, sparse, binaryLoss bool, outWidth int) (metrics.Metric, error) {
	switch v := spec.(type) {
	case string:
		if metrics.IsAccuracy(v) {
			return metrics.Accuracy(v, sparse, binaryLoss, outWidth), nil
		}
		return metrics.Get(v)
	case metrics.Metric:
		if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		if c, ok := v.(metrics.Cloner); ok {
			// A fresh copy per call: training and evaluation must not
			// share one metric's state.
			return c.Clone(), nil
		}
		return v, nil
	}
	return nil, errors.Errorf("metrics: %T is neither a name nor a metrics.Metric", spec)
}

// Optimizer returns the compiled optimizer (nil before Compile); callbacks
// use it to read and change the learning rate.
func (m *Model) Optimizer() optimizers.Optimizer {
	if m.compiled == nil {
		return nil
	}
	return m.compiled.optimizer
}

// LossFunction returns the compiled loss (nil before Compile).
func (m *Model) LossFunction() losses.Loss {
	if m.compiled == nil {
		return nil
	}
	return m.compiled.loss
}

// MetricNames returns the compiled metrics' names (history keys without
// "val_"), in order.
func (m *Model) MetricNames() []string {
	if m.compiled == nil {
		return nil
	}
	return append([]string(nil), m.compiled.metricNames...)
}
