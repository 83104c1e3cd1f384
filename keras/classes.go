package keras

import (
	"context"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// Argmax returns the predicted class of every row of pred, Predict's
// output: the index of the largest value along the last axis (Keras:
// ops.argmax(pred, axis=-1); R: k_argmax), the first one on ties. For an
// output of width 1 (a sigmoid) it is 1 when the value is above 0.5, else
// 0, as old Keras's predict_classes did. An output (N, t, classes) gives
// N*t classes, row-major. A row holding NaN is a DataError.
func Argmax(pred *tensor.Dense) ([]int, error) {
	if pred == nil {
		return nil, errors.Wrap(ErrNil, "keras: Argmax")
	}
	if pred.IsMaterializable() {
		pred = pred.Materialize().(*tensor.Dense)
	}
	shape := pred.Shape()
	if pred.IsScalar() || len(shape) < 1 || shape.TotalSize() == 0 {
		return nil, &ShapeError{Where: "keras: Argmax", Arg: "pred", Got: shape, Msg: "want (N, classes)"}
	}
	width := shape[len(shape)-1]
	if len(shape) == 1 {
		width = 1
	}
	values := backend.ToFloat64s(pred.Data())
	if values == nil {
		return nil, errors.Errorf("keras: Argmax: pred has dtype %v, want a numeric one", pred.Dtype())
	}
	rows := len(values) / width
	out := make([]int, rows)
	for r := 0; r < rows; r++ {
		row := values[r*width : (r+1)*width]
		best := 0
		for j, v := range row {
			if math.IsNaN(v) {
				return nil, &DataError{Arg: "pred", Row: r, Col: j, Value: v, Msg: "a prediction is NaN"}
			}
			if v > row[best] {
				best = j
			}
		}
		if width == 1 && row[0] > 0.5 {
			best = 1
		}
		out[r] = best
	}
	return out, nil
}

// PredictClasses returns the predicted class of every row of x: Predict
// then Argmax (old Keras's predict_classes). Options as Predict's.
func (m *Model) PredictClasses(ctx context.Context, x Data, opts ...PredictOption) ([]int, error) {
	pred, err := m.Predict(ctx, x, opts...)
	if err != nil {
		return nil, err
	}
	return Argmax(pred)
}
