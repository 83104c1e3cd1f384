package keras

import (
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
// or integer dtype is accepted and converted. Nothing changes unless every
// tensor has the right shape and only finite values.
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
			return errors.Errorf("keras: SetWeights: weight %d (%s) is nil", i, v.Name())
		}
		if !equalInts(w.Shape(), v.Shape()) {
			return errors.Errorf("keras: SetWeights: weight %d (%s) has shape %v, the model's is %v", i, v.Name(), w.Shape(), v.Shape())
		}
		values[i] = backend.ToFloat64s(w.Data())
		if values[i] == nil {
			return errors.Errorf("keras: SetWeights: weight %d (%s) has unsupported dtype %v", i, v.Name(), w.Dtype())
		}
		for j, x := range values[i] {
			if x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308 {
				return errors.Errorf("keras: SetWeights: weight %d (%s) has %v at position %d", i, v.Name(), x, j)
			}
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
