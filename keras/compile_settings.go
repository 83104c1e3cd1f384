package keras

import (
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// CompileSettings is what the last Compile was given, as saved files
// record it (Keras: model.get_compile_config()). Converters to other
// formats (keras/interop) read it.
type CompileSettings struct {
	// Optimizer is the compiled optimizer (it holds the training state).
	Optimizer optimizers.Optimizer
	// Losses holds each output's loss by output name; outputs without a
	// loss are absent.
	Losses map[string]losses.Loss
	// OutputNames lists the model's outputs in order.
	OutputNames []string
	// LossWeights holds one weight per output when LossWeights or
	// LossWeightsByName was given (nil: every output weighs 1).
	LossWeights []float64
	// Metrics are the names of the metrics given for every output, as
	// given (a metric given as a value is recorded by its name).
	Metrics []string
	// OutputMetrics holds the metrics given for single outputs, by output
	// name.
	OutputMetrics map[string][]string
}

// CompileSettings returns what the last Compile was given, and false for
// a model that was not compiled.
func (m *Model) CompileSettings() (CompileSettings, bool) {
	c := m.compiled.Load()
	if c == nil {
		return CompileSettings{}, false
	}
	s := CompileSettings{Optimizer: c.optimizer, Losses: map[string]losses.Loss{},
		Metrics: append([]string(nil), c.metricSpecs...), LossWeights: append([]float64(nil), c.lossWeights...)}
	if len(s.LossWeights) == 0 {
		s.LossWeights = nil
	}
	for _, o := range c.outputs {
		s.OutputNames = append(s.OutputNames, o.name)
		if o.loss != nil {
			s.Losses[o.name] = o.loss
		}
	}
	if len(c.outMetricSpecs) > 0 {
		s.OutputMetrics = map[string][]string{}
		for k, v := range c.outMetricSpecs {
			s.OutputMetrics[k] = append([]string(nil), v...)
		}
	}
	return s, true
}
