package keras

import (
	"fmt"

	"github.com/gokeras/gokeras/keras/layers"
)

// checkIndices checks the data c of model input i against every layer that
// reads that input directly and takes indices (layers.IndexInput, such as
// Embedding): each value must be an integer in [0, limit). A bad value is
// reported as a DataError naming the sample, its position and the layer,
// before any program runs (the layers check again at run time, but can
// only name the batch row).
func (m *Model) checkIndices(label string, i int, c columns) error {
	in := m.g.Inputs()[i]
	for _, n := range m.g.Nodes() {
		ii, ok := n.Layer().(layers.IndexInput)
		if !ok {
			continue
		}
		reads := false
		for _, t := range n.Inputs() {
			reads = reads || t == in
		}
		if !reads {
			continue
		}
		limit := ii.InputIndexLimit()
		for r := 0; r < c.n; r++ {
			for j := 0; j < c.width; j++ {
				v := c.value(r, j)
				if msg := layers.IndexMessage(v, limit); msg != "" {
					return &DataError{Arg: label, Row: c.from + r, Col: j, Value: v,
						Msg: fmt.Sprintf("layer %s (%s, input_dim %d) reads this input: %s", ii.Name(), ii.ClassName(), limit, msg)}
				}
			}
		}
	}
	return nil
}
