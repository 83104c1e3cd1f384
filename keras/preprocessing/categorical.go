package preprocessing

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ToCategorical one-hot encodes integer class labels, like Keras's
// to_categorical: labels of shape S become a tensor of shape S + (C), with a
// 1 at each label's position and 0 elsewhere. A trailing axis of size 1 is
// dropped first, so CIFAR-10's (N, 1) labels give (N, C) like Keras. Labels
// may have any integer dtype, or a float dtype holding whole numbers.
//
// Accepted options: NumClasses (default: the largest label plus one; a
// label outside [0, C) is an error) and Dtype (Float32, the default, or
// Float64).
func ToCategorical(y *tensor.Dense, opts ...ToCategoricalOption) (out *tensor.Dense, err error) {
	defer guard("ToCategorical", &err)
	c, err := newConfig("ToCategorical", opts, ToCategoricalOption.toCategorical)
	if err != nil {
		return nil, err
	}
	dt := tensor.Float32
	switch c.dtype {
	case tensor.Dtype{}, tensor.Float32:
	case tensor.Float64:
		dt = tensor.Float64
	default:
		return nil, errors.Errorf("preprocessing: ToCategorical: Dtype(%v): want float32 or float64", c.dtype)
	}
	if y == nil {
		return nil, errors.New("preprocessing: ToCategorical: nil tensor")
	}
	labels, err := float64s(y)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: ToCategorical")
	}
	shape := append([]int(nil), y.Shape()...)
	if y.IsScalar() {
		shape = nil
	}
	if len(shape) > 1 && shape[len(shape)-1] == 1 {
		shape = shape[:len(shape)-1]
	}
	classes := c.numClasses
	for i, v := range labels {
		if v != math.Trunc(v) || v < 0 || v > math.MaxInt32 {
			return nil, errors.Errorf("preprocessing: ToCategorical: label %v at %d is not a class index", v, i)
		}
		if c.numClasses == 0 && int(v)+1 > classes {
			classes = int(v) + 1
		}
		if c.numClasses > 0 && int(v) >= c.numClasses {
			return nil, errors.Errorf("preprocessing: ToCategorical: label %d at %d, want 0-%d for NumClasses(%d)", int(v), i, c.numClasses-1, c.numClasses)
		}
	}
	if classes == 0 {
		classes = 1
	}
	onehot := make([]float64, len(labels)*classes)
	for i, v := range labels {
		onehot[i*classes+int(v)] = 1
	}
	return fromFloat64s(onehot, dt, append(shape, classes)...), nil
}
