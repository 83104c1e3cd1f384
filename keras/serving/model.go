package serving

// This file is the only one in the package that uses the keras.Model API:
// everything else sees a model through the predictor interface below, so a
// change of that API (option types, functional models with several named
// inputs and outputs) is adapted here alone.

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

// predictor is a loaded model as the server uses it: its serving signature
// and a batch prediction. Implementations must be safe for concurrent
// predict calls.
type predictor interface {
	// inputs and outputs describe the default serving signature, in the
	// order predict takes and returns the tensors. Shapes are one
	// sample's, without the batch axis, and fully known.
	inputs() []tensorSpec
	outputs() []tensorSpec
	// predict runs rows samples. xs[i] holds input i's rows back to back
	// (rows × size of inputs()[i].shape values, in inputs()[i].dtype); the
	// result holds one column per output in the same layout. batchSize is
	// the largest number of rows the model runs in one compiled graph.
	// The rows are computed independently: a row's result does not depend
	// on the other rows or on batchSize.
	predict(ctx context.Context, rows int, xs []column, batchSize int) ([]column, error)
}

// loadPredictor loads a model file written by (*keras.Model).Save.
func loadPredictor(path string) (predictor, error) {
	m, err := keras.LoadModel(path)
	if err != nil {
		return nil, err
	}
	return newKerasPredictor(m)
}

// StaticModel serves m under name as the one version given, alongside (or
// instead of) models read from directories. The version never changes and
// is never unloaded before Close; version must be at least 1. m must not be
// trained while it is served if answers are to stay reproducible.
func StaticModel(name string, version int64, m *keras.Model) Option {
	return func(s *settings) error {
		if m == nil {
			return errors.New("serving: StaticModel: nil model")
		}
		p, err := newKerasPredictor(m)
		if err != nil {
			return errors.Wrap(err, "serving: StaticModel")
		}
		return s.addStatic(name, version, p)
	}
}

// kerasPredictor adapts a *keras.Model (one input, one output today).
type kerasPredictor struct {
	m       *keras.Model
	in, out []tensorSpec
}

func newKerasPredictor(m *keras.Model) (*kerasPredictor, error) {
	inShape, err := m.InputShape() // builds the model, which names its layers
	if err != nil {
		return nil, err
	}
	outShape, err := m.OutputShape()
	if err != nil {
		return nil, err
	}
	var dt dtype
	switch m.Dtype() {
	case tensor.Float32:
		dt = float32Type
	case tensor.Float64:
		dt = float64Type
	default:
		return nil, errors.Errorf("model dtype %v is not supported (float32 or float64)", m.Dtype())
	}
	inName, outName := signatureNames(m)
	p := &kerasPredictor{
		m:   m,
		in:  []tensorSpec{{name: inName, shape: inShape, dtype: dt}},
		out: []tensorSpec{{name: outName, shape: outShape, dtype: dt}},
	}
	for _, s := range append(p.inputs(), p.outputs()...) {
		if err := s.check(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// signatureNames returns the names TensorFlow gives the inputs and outputs
// of a Keras Sequential model's default serving signature, so clients
// written for TF Serving send the same keys: the input is named after the
// model's InputLayer when it has one (Keras: "input_1" or the name given),
// else after the first layer with "_input" appended ("flatten_input",
// "dense_input": the InputLayer that TF 2 Keras creates for a first layer
// given input_shape); the output is named after the last layer ("dense_1").
// saved_model_cli shows both for such a model: inputs['dense_input'],
// outputs['dense_2'].
func signatureNames(m *keras.Model) (in, out string) {
	ls := m.Layers()
	if len(ls) == 0 {
		return "input", "output"
	}
	first, last := ls[0], ls[len(ls)-1]
	in = first.Name() + "_input"
	if first.ClassName() == "InputLayer" {
		in = first.Name()
	}
	return in, last.Name()
}

func (p *kerasPredictor) inputs() []tensorSpec  { return p.in }
func (p *kerasPredictor) outputs() []tensorSpec { return p.out }

func (p *kerasPredictor) predict(ctx context.Context, rows int, xs []column, batchSize int) ([]column, error) {
	if len(xs) != 1 {
		return nil, errors.Errorf("the model takes 1 input, got %d", len(xs))
	}
	spec := p.in[0]
	shape := append([]int{rows}, spec.shape...)
	var x *tensor.Dense
	switch spec.dtype {
	case float32Type:
		if len(xs[0].f32) != rows*spec.size() {
			return nil, errors.Errorf("input %s holds %d values, want %d", spec.name, len(xs[0].f32), rows*spec.size())
		}
		x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs[0].f32))
	default:
		if len(xs[0].f64) != rows*spec.size() {
			return nil, errors.Errorf("input %s holds %d values, want %d", spec.name, len(xs[0].f64), rows*spec.size())
		}
		x = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs[0].f64))
	}
	y, err := p.m.Predict(ctx, x, keras.BatchSize(batchSize), keras.Verbose(0))
	if err != nil {
		return nil, err
	}
	switch d := y.Data().(type) {
	case []float32:
		return []column{{dtype: float32Type, f32: d}}, nil
	case []float64:
		return []column{{dtype: float64Type, f64: d}}, nil
	default:
		return nil, errors.Errorf("the model returned %T values", d)
	}
}
