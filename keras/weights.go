package keras

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// GetWeights returns copies of every weight in Keras's order (layer by
// layer; Dense: kernel (in, units) then bias (units)), in the model's
// dtype. It builds the model if needed.
func (m *Model) GetWeights() ([]*tensor.Dense, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	m.weightsMu.RLock()
	defer m.weightsMu.RUnlock()
	out := make([]*tensor.Dense, len(m.vars))
	for i, v := range m.vars {
		out[i] = v.Value().Clone().(*tensor.Dense)
	}
	return out, nil
}

// SetWeights replaces every weight, given in GetWeights's order. Any float
// or integer dtype is accepted and converted; views (transposes, slices)
// are read as the values they show. Nothing changes unless every tensor
// has the right shape and only finite values that fit the model's dtype
// (a float64 beyond float32's range is a DataError for a float32 model).
func (m *Model) SetWeights(ws []*tensor.Dense) error {
	if err := m.Build(); err != nil {
		return err
	}
	if len(ws) != len(m.vars) {
		return errors.Errorf("keras: SetWeights: got %d tensors, the model has %d weights", len(ws), len(m.vars))
	}
	values := make([][]float64, len(ws))
	for i, w := range ws {
		v := m.vars[i]
		if w == nil {
			return errors.Wrapf(ErrNil, "keras: SetWeights: weight %d (%s)", i, v.Name())
		}
		if w.IsMaterializable() {
			w = w.Materialize().(*tensor.Dense)
		}
		if !equalInts(w.Shape(), v.Shape()) {
			return &ShapeError{Where: "keras: SetWeights", Arg: fmt.Sprintf("weight %d (%s)", i, v.Name()), Got: w.Shape(), Want: v.Shape()}
		}
		values[i] = backend.ToFloat64s(w.Data())
		if values[i] == nil {
			return errors.Errorf("keras: SetWeights: weight %d (%s) has unsupported dtype %v", i, v.Name(), w.Dtype())
		}
		if len(values[i]) != v.Size() {
			return &ShapeError{Where: "keras: SetWeights", Arg: fmt.Sprintf("weight %d (%s)", i, v.Name()), Got: w.Shape(), Want: v.Shape(),
				Msg: fmt.Sprintf("its data holds %d values", len(values[i]))}
		}
		if err := backend.CheckValues(v.Name(), values[i], m.dtype); err != nil {
			return errors.Wrap(err, "keras: SetWeights")
		}
	}
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	for i, v := range m.vars {
		if err := v.SetFloat64s(values[i]); err != nil {
			return errors.Wrap(err, "keras: SetWeights")
		}
	}
	return nil
}
