package backend

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Variable is one weight tensor of a model (a Dense kernel, a bias, ...).
//
// Its value is allocated once and bound by reference into every graph the
// Engine builds, so writing into Value's backing slice (as the optimizers
// do) changes what every graph computes on its next run. Trainable
// variables also own a gradient buffer of the same shape that the training
// graphs copy the gradient into after each step.
type Variable struct {
	name       string
	value      *tensor.Dense
	grad       *tensor.Dense
	trainable  bool
	constraint Constraint
}

// NewVariable allocates a zero-filled variable of the given dtype and shape.
// name must be unique within a model (for example "dense_1/kernel"); it
// names the variable's node in every graph, and Gorgonia merges input
// nodes that share a name.
func NewVariable(name string, dt tensor.Dtype, shape []int, trainable bool) (*Variable, error) {
	if name == "" {
		return nil, errors.New("backend: NewVariable: empty name")
	}
	if err := checkFloatDtype(dt); err != nil {
		return nil, errors.Wrapf(err, "backend: variable %s", name)
	}
	for _, d := range shape {
		if d < 1 {
			return nil, errors.Errorf("backend: variable %s: invalid shape %v", name, shape)
		}
	}
	v := &Variable{
		name:      name,
		value:     tensor.New(tensor.WithShape(shape...), tensor.Of(dt)),
		trainable: trainable,
	}
	if trainable {
		v.grad = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return v, nil
}

// Name returns the variable's unique name, such as "dense/kernel".
func (v *Variable) Name() string { return v.name }

// Value returns the shared weight tensor. Writes to its backing slice are
// seen by every graph; do not replace or reshape it.
func (v *Variable) Value() *tensor.Dense { return v.value }

// Grad returns the gradient buffer filled by the last training step, or nil
// for a non-trainable variable.
func (v *Variable) Grad() *tensor.Dense { return v.grad }

// Trainable reports whether optimizers update this variable.
func (v *Variable) Trainable() bool { return v.trainable }

// Shape returns a copy of the variable's shape.
func (v *Variable) Shape() []int { return append([]int(nil), v.value.Shape()...) }

// Dtype returns the variable's element type (tensor.Float32 or tensor.Float64).
func (v *Variable) Dtype() tensor.Dtype { return v.value.Dtype() }

// Size returns the number of scalars the variable holds.
func (v *Variable) Size() int { return v.value.Shape().TotalSize() }

// Float64s returns a copy of the variable's values as float64, in row-major
// order.
func (v *Variable) Float64s() []float64 {
	return ToFloat64s(v.value.Data())
}

// SetFloat64s overwrites the variable's values (row-major order) in place.
// It returns an error, and changes nothing, when len(data) differs from
// Size or data holds NaN or Inf.
func (v *Variable) SetFloat64s(data []float64) error {
	if len(data) != v.Size() {
		return errors.Errorf("backend: variable %s: got %d values, want %d (shape %v)", v.name, len(data), v.Size(), v.Shape())
	}
	for i, x := range data {
		if x != x || x > maxFinite || x < -maxFinite {
			return errors.Errorf("backend: variable %s: value %d is %v", v.name, i, x)
		}
	}
	switch d := v.value.Data().(type) {
	case []float32:
		for i, x := range data {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, data)
	}
	return nil
}

// String describes the variable for debugging.
func (v *Variable) String() string {
	return fmt.Sprintf("%s%v(%v)", v.name, v.value.Shape(), v.value.Dtype())
}

const maxFinite = 1.7976931348623157e308

func checkFloatDtype(dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("dtype %v is not supported (use float32 or float64)", dt)
	}
	return nil
}

// ToFloat64s converts a numeric slice ([]float32, []float64, integer
// slices) to a new []float64. It returns nil for other types.
func ToFloat64s(data interface{}) []float64 {
	switch d := data.(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		return convert[float32, float64](d)
	case []uint8:
		return convert[uint8, float64](d)
	case []int8:
		return convert[int8, float64](d)
	case []uint16:
		return convert[uint16, float64](d)
	case []int16:
		return convert[int16, float64](d)
	case []uint32:
		return convert[uint32, float64](d)
	case []int32:
		return convert[int32, float64](d)
	case []uint64:
		return convert[uint64, float64](d)
	case []int64:
		return convert[int64, float64](d)
	case []int:
		return convert[int, float64](d)
	case []uint:
		return convert[uint, float64](d)
	}
	return nil
}

// Number is every element type gokeras accepts as input data.
type Number interface {
	~float32 | ~float64 | ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Float is the element type of a graph: float32 or float64.
type Float interface{ ~float32 | ~float64 }

func convert[S Number, D Number](src []S) []D {
	out := make([]D, len(src))
	for i, x := range src {
		out[i] = D(x)
	}
	return out
}

// Constraint projects a variable's values in place (a max-norm or
// non-negativity constraint, say). Optimizers apply a variable's
// constraint right after every update of it, as Keras does; the
// keras/constraints package provides Keras's constraints.
type Constraint interface {
	Constrain(v *Variable)
}

// SetConstraint attaches c (nil removes it). Layers set it from their
// KernelConstraint and BiasConstraint options.
func (v *Variable) SetConstraint(c Constraint) { v.constraint = c }

// Constraint returns the attached constraint, or nil.
func (v *Variable) Constraint() Constraint { return v.constraint }

// ApplyConstraint applies the attached constraint, if any.
func (v *Variable) ApplyConstraint() {
	if v.constraint != nil {
		v.constraint.Constrain(v)
	}
}
