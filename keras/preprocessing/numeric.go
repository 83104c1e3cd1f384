package preprocessing

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// contiguous returns x itself when its data is laid out in row-major order,
// or a row-major copy of a transposed or sliced view.
func contiguous(x *tensor.Dense) (*tensor.Dense, error) {
	if x == nil {
		return nil, errors.New("nil tensor")
	}
	if x.IsNativelyAccessible() && !x.RequiresIterator() && !x.IsView() {
		return x, nil
	}
	c := x.Clone().(*tensor.Dense)
	if c.RequiresIterator() {
		if err := c.Transpose(); err != nil {
			return nil, errors.Wrap(err, "materialise view")
		}
	}
	if c.IsView() || c.RequiresIterator() {
		m := c.Materialize()
		d, ok := m.(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("cannot materialise %T", m)
		}
		c = d
	}
	return c, nil
}

// float64s returns the elements of a numeric tensor as float64, in
// row-major order. The result never aliases x.
func float64s(x *tensor.Dense) ([]float64, error) {
	x, err := contiguous(x)
	if err != nil {
		return nil, err
	}
	switch d := x.Data().(type) {
	case []float64:
		return append([]float64(nil), d...), nil
	case []float32:
		return convert[float32, float64](d), nil
	case []int:
		return convert[int, float64](d), nil
	case []int8:
		return convert[int8, float64](d), nil
	case []int16:
		return convert[int16, float64](d), nil
	case []int32:
		return convert[int32, float64](d), nil
	case []int64:
		return convert[int64, float64](d), nil
	case []uint:
		return convert[uint, float64](d), nil
	case []uint8:
		return convert[uint8, float64](d), nil
	case []uint16:
		return convert[uint16, float64](d), nil
	case []uint32:
		return convert[uint32, float64](d), nil
	case []uint64:
		return convert[uint64, float64](d), nil
	case float64:
		return []float64{d}, nil
	case float32:
		return []float64{float64(d)}, nil
	}
	return nil, errors.Errorf("dtype %v is not numeric", x.Dtype())
}

type number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func convert[S, D number](s []S) []D {
	out := make([]D, len(s))
	for i, v := range s {
		out[i] = D(v)
	}
	return out
}

// fromFloat64s builds a tensor of the given shape and float dtype.
func fromFloat64s(data []float64, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(convert[float64, float32](data)))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// floatDtype is the dtype scalers return: float32 stays float32, anything
// else becomes float64.
func floatDtype(x *tensor.Dense) tensor.Dtype {
	if x.Dtype() == tensor.Float32 {
		return tensor.Float32
	}
	return tensor.Float64
}

// samples returns the number of samples (first axis) and features (product
// of the other axes) of x.
func samples(x *tensor.Dense) (n, features int, err error) {
	if x == nil {
		return 0, 0, errors.New("nil tensor")
	}
	s := x.Shape()
	if len(s) == 0 || x.IsScalar() {
		return 0, 0, errors.Errorf("scalar of shape %v, want samples along the first axis", s)
	}
	features = 1
	for _, d := range s[1:] {
		features *= d
	}
	return s[0], features, nil
}

// takeRows gathers the rows idx (first-axis entries) of x into a new tensor
// of the same dtype.
func takeRows(x *tensor.Dense, idx []int) (*tensor.Dense, error) {
	x, err := contiguous(x)
	if err != nil {
		return nil, err
	}
	n, width, err := samples(x)
	if err != nil {
		return nil, err
	}
	if len(idx) == 0 {
		return nil, errors.New("no rows selected (a tensor cannot be empty)")
	}
	for _, i := range idx {
		if i < 0 || i >= n {
			return nil, errors.Errorf("row %d out of range [0, %d)", i, n)
		}
	}
	shape := append([]int{len(idx)}, x.Shape()[1:]...)
	var out any
	switch d := x.Data().(type) {
	case []float64:
		out = gather(d, width, idx)
	case []float32:
		out = gather(d, width, idx)
	case []int:
		out = gather(d, width, idx)
	case []int8:
		out = gather(d, width, idx)
	case []int16:
		out = gather(d, width, idx)
	case []int32:
		out = gather(d, width, idx)
	case []int64:
		out = gather(d, width, idx)
	case []uint:
		out = gather(d, width, idx)
	case []uint8:
		out = gather(d, width, idx)
	case []uint16:
		out = gather(d, width, idx)
	case []uint32:
		out = gather(d, width, idx)
	case []uint64:
		out = gather(d, width, idx)
	case []bool:
		out = gather(d, width, idx)
	case []string:
		out = gather(d, width, idx)
	default:
		return nil, errors.Errorf("dtype %v not supported", x.Dtype())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
}

func gather[T any](d []T, width int, idx []int) []T {
	out := make([]T, 0, len(idx)*width)
	for _, i := range idx {
		out = append(out, d[i*width:(i+1)*width]...)
	}
	return out
}

// guard turns a panic inside a public function into an error.
func guard(fn string, err *error) {
	if r := recover(); r != nil {
		*err = errors.Errorf("preprocessing: %s: internal error: %v", fn, r)
	}
}
