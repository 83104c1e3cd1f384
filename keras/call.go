package keras

import (
	"context"
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Call runs a layer, or a model used as a layer (Model.AsLayer), eagerly
// on concrete tensors and returns its outputs (Keras: y = layer(x) outside
// a model), in inference mode. It is for debugging and tests. A layer not
// yet built is built for the inputs' shapes and its weights initialised
// in float32 (float64 when the first input is float64) from a random
// seed; a layer that is part of a built model uses that model's weights.
// Each input is (N, shape...).
func Call(l layers.Layer, xs ...*tensor.Dense) (outs []*tensor.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, kerrors.Recovered("keras: Call", r)
		}
	}()
	if err := layers.Check(l); err != nil {
		return nil, errors.Wrap(err, "keras: Call")
	}
	if len(xs) == 0 {
		return nil, errors.New("keras: Call: no inputs")
	}
	ins := make([]*Tensor, len(xs))
	data := make([]tensor.Tensor, len(xs))
	for i, x := range xs {
		if x == nil {
			return nil, errors.Wrapf(ErrNil, "keras: Call: input %d", i)
		}
		if x.Dims() < 2 {
			return nil, &ShapeError{Where: "keras: Call", Arg: "input", Got: x.Shape(), Msg: "inputs need a batch axis first"}
		}
		ins[i] = Input(append([]int(nil), x.Shape()[1:]...))
		data[i] = x
	}
	outTensors := layers.ApplyLayer(nil, l, ins...)
	if err := outTensors[0].Err(); err != nil {
		return nil, errors.Wrap(err, "keras: Call")
	}
	// The application is for this call only: forget it afterwards, so
	// that calling a layer in a loop does not grow its list of nodes.
	defer l.LayerBase().RemoveNode(outTensors[0].Node())
	m, err := NewModel(ins, outTensors, ModelName("call"), OutputNames(outputLabels(len(outTensors))...))
	if err != nil {
		return nil, errors.Wrap(err, "keras: Call")
	}
	dt := tensor.Float32
	if xs[0].Dtype() == tensor.Float64 {
		dt = tensor.Float64
	}
	for _, v := range l.Variables() {
		if v.Materialized() {
			dt = v.Dtype()
			break
		}
	}
	if err := m.SetDtype(dt); err != nil {
		return nil, err
	}
	var x Data = data
	if len(data) == 1 {
		x = data[0]
	}
	return m.PredictAll(context.Background(), x, Verbose(0))
}

func outputLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("output_%d", i)
	}
	return out
}
