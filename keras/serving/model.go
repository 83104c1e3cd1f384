package serving

// This file is the only one in the package that uses the keras.Model API:
// everything else sees a model through the predictor interface below, so a
// change of that API (option types, functional models with several named
// inputs and outputs) is adapted here alone.

import (
	"context"
	"regexp"

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

// kerasPredictor adapts a *keras.Model: Sequential or functional, with
// one or several inputs and outputs.
type kerasPredictor struct {
	m       *keras.Model
	in, out []tensorSpec
}

func newKerasPredictor(m *keras.Model) (*kerasPredictor, error) {
	inShapes, err := m.InputShapes() // builds the model, which names its layers
	if err != nil {
		return nil, err
	}
	outShapes, err := m.OutputShapes()
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
	inNames, outNames, err := signatureNames(m)
	if err != nil {
		return nil, err
	}
	p := &kerasPredictor{m: m}
	for i, s := range inShapes {
		p.in = append(p.in, tensorSpec{name: inNames[i], shape: s, dtype: dt})
	}
	for i, s := range outShapes {
		p.out = append(p.out, tensorSpec{name: outNames[i], shape: s, dtype: dt})
	}
	for _, s := range append(p.inputs(), p.outputs()...) {
		if err := s.check(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// defaultInputName matches the names gokeras gives unnamed input layers.
var defaultInputName = regexp.MustCompile(`^input_layer(_[0-9]+)?$`)

// signatureNames returns the names TensorFlow gives the inputs and outputs
// of a Keras model's default serving signature, so clients written for TF
// Serving send the same keys. For a Sequential model the input is named
// after the first layer with "_input" appended
// ("flatten_input", "dense_input": the InputLayer that TF 2 Keras creates
// for a first layer given input_shape); the output after the last layer
// ("dense_1"). saved_model_cli shows both for such a model:
// inputs['dense_input'], outputs['dense_2']. A functional model's inputs
// are named after its Input layers and its outputs by its output names.
func signatureNames(m *keras.Model) (in, out []string, err error) {
	if m.ClassName() == "Sequential" {
		ls := m.Layers()
		names, err := m.InputNames()
		if err != nil || len(ls) == 0 || len(names) != 1 {
			return nil, nil, errors.Errorf("a Sequential model with %d layers and inputs %v", len(ls), names)
		}
		first, last := ls[0], ls[len(ls)-1]
		name := first.Name() + "_input"
		if !defaultInputName.MatchString(names[0]) {
			name = names[0] // an input layer the user named
		}
		return []string{name}, []string{last.Name()}, nil
	}
	if in, err = m.InputNames(); err != nil {
		return nil, nil, err
	}
	if out, err = m.OutputNames(); err != nil {
		return nil, nil, err
	}
	return in, out, nil
}

func (p *kerasPredictor) inputs() []tensorSpec  { return p.in }
func (p *kerasPredictor) outputs() []tensorSpec { return p.out }

func (p *kerasPredictor) predict(ctx context.Context, rows int, xs []column, batchSize int) ([]column, error) {
	if len(xs) != len(p.in) {
		return nil, errors.Errorf("the model takes %d inputs, got %d", len(p.in), len(xs))
	}
	data := make([]tensor.Tensor, len(xs))
	for i, spec := range p.in {
		shape := append([]int{rows}, spec.shape...)
		switch spec.dtype {
		case float32Type:
			if len(xs[i].f32) != rows*spec.size() {
				return nil, errors.Errorf("input %s holds %d values, want %d", spec.name, len(xs[i].f32), rows*spec.size())
			}
			data[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs[i].f32))
		default:
			if len(xs[i].f64) != rows*spec.size() {
				return nil, errors.Errorf("input %s holds %d values, want %d", spec.name, len(xs[i].f64), rows*spec.size())
			}
			data[i] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs[i].f64))
		}
	}
	var x keras.Data = data
	if len(data) == 1 {
		x = data[0]
	}
	ys, err := p.m.PredictAll(ctx, x, keras.BatchSize(batchSize), keras.Verbose(0))
	if err != nil {
		return nil, err
	}
	out := make([]column, len(ys))
	for k, y := range ys {
		switch d := y.Data().(type) {
		case []float32:
			out[k] = column{dtype: float32Type, f32: d}
		case []float64:
			out[k] = column{dtype: float64Type, f64: d}
		default:
			return nil, errors.Errorf("the model returned %T values", d)
		}
	}
	return out, nil
}
