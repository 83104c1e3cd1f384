package backend

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Variable is one weight tensor of a model (a Dense kernel, a bias, ...).
//
// Its value is allocated once and bound by reference into every graph the
// Engine builds, so writing into Value's backing slice (as the optimizers
// do) changes what every graph computes on its next run. Trainable
// variables also own a gradient buffer of the same shape that the training
// graphs copy the gradient into after each step.
type Variable struct {
	id          uint64 // unique in the process: names the variable's graph nodes
	name        string
	shape       []int
	value       *tensor.Dense // nil until materialised
	grad        *tensor.Dense // nil for non-trainable variables
	trainable   bool
	constraint  Constraint
	regularizer Regularizer
}

// MaxVariableSize bounds the number of values one variable may declare
// (2^32): a shape beyond it is an error at declaration, before anything is
// allocated.
const MaxVariableSize = 1 << 32

// DeclareVariable returns a variable with a name, shape and trainability
// but no values yet: layers declare their weights when they are built,
// and the model allocates and initialises them, in its dtype and from its
// seed, with Materialize. The shape must have dimensions >= 1 and at most
// MaxVariableSize values.
func DeclareVariable(name string, shape []int, trainable bool) (*Variable, error) {
	if name == "" {
		return nil, errors.New("backend: DeclareVariable: empty name")
	}
	if _, err := checkedSize(shape); err != nil {
		return nil, errors.Wrapf(err, "backend: variable %s", name)
	}
	return &Variable{id: variableIDs.Add(1), name: name, shape: append([]int(nil), shape...), trainable: trainable}, nil
}

// variableIDs numbers variables: Gorgonia merges input nodes that share a
// name, so each variable's node is named after its id as well as its
// name (two models nested in a third may both have a "dense/kernel").
var variableIDs atomic.Uint64

// checkedSize returns the number of values of shape, or an error for a
// dimension < 1 or a total above MaxVariableSize.
func checkedSize(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 1 {
			return 0, errors.Errorf("invalid shape %v (every dimension must be >= 1)", shape)
		}
		if n > MaxVariableSize/d {
			return 0, errors.Wrapf(kerrors.ErrTooLarge, "shape %v holds more than %d values", shape, MaxVariableSize)
		}
		n *= d
	}
	return n, nil
}

// Materialize allocates the variable's value (and gradient buffer, when
// trainable) in dtype dt and fills it with values (row-major, len = Size;
// nil leaves zeros). It fails if the variable is already materialised, or
// values has the wrong length or a non-finite value.
func (v *Variable) Materialize(dt tensor.Dtype, values []float64) error {
	if v.value != nil {
		return errors.Errorf("backend: variable %s is already materialised (%v)", v.name, v.value.Dtype())
	}
	if err := checkFloatDtype(dt); err != nil {
		return errors.Wrapf(err, "backend: variable %s", v.name)
	}
	if values != nil {
		if err := checkValues(v.name, v.Size(), values, dt); err != nil {
			return err
		}
	}
	value := tensor.New(tensor.WithShape(v.shape...), tensor.Of(dt))
	if values != nil {
		storeFloat64s(value, values)
	}
	v.value = value
	if v.trainable {
		v.grad = tensor.New(tensor.WithShape(v.shape...), tensor.Of(dt))
	}
	return nil
}

// Materialized reports whether the variable has values (see Materialize).
func (v *Variable) Materialized() bool { return v.value != nil }

// SetName renames the variable. Models call it when they name a layer
// whose weights were declared before it had a name; it must not be
// called once graphs using the variable exist.
func (v *Variable) SetName(name string) { v.name = name }

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
	v, err := DeclareVariable(name, shape, trainable)
	if err != nil {
		return nil, err
	}
	if err := v.Materialize(dt, nil); err != nil {
		return nil, err
	}
	return v, nil
}

// Name returns the variable's unique name, such as "dense/kernel".
func (v *Variable) Name() string { return v.name }

// Value returns the shared weight tensor (nil before Materialize). Writes
// to its backing slice are seen by every graph; do not replace or reshape
// it.
func (v *Variable) Value() *tensor.Dense { return v.value }

// Grad returns the gradient buffer filled by the last training step, or nil
// for a non-trainable variable.
func (v *Variable) Grad() *tensor.Dense { return v.grad }

// Trainable reports whether optimizers update this variable.
func (v *Variable) Trainable() bool { return v.trainable }

// Shape returns a copy of the variable's shape.
func (v *Variable) Shape() []int { return append([]int(nil), v.shape...) }

// Dtype returns the variable's element type (tensor.Float32 or
// tensor.Float64), or the zero Dtype before Materialize.
func (v *Variable) Dtype() tensor.Dtype {
	if v.value == nil {
		return tensor.Dtype{}
	}
	return v.value.Dtype()
}

// Size returns the number of scalars the variable holds.
func (v *Variable) Size() int {
	n := 1
	for _, d := range v.shape {
		n *= d
	}
	return n
}

// Float64s returns a copy of the variable's values as float64, in row-major
// order (nil before Materialize).
func (v *Variable) Float64s() []float64 {
	if v.value == nil {
		return nil
	}
	return ToFloat64s(v.value.Data())
}

// SetFloat64s overwrites the variable's values (row-major order) in place.
// It returns an error, and changes nothing, when len(data) differs from
// Size or data holds NaN or Inf.
//
// For a float32 variable a value beyond float32's range is an error too
// (it would become ±Inf); other values round to the nearest float32.
func (v *Variable) SetFloat64s(data []float64) error {
	if v.value == nil {
		return errors.Errorf("backend: variable %s has no values yet (not materialised)", v.name)
	}
	if err := checkValues(v.name, v.Size(), data, v.value.Dtype()); err != nil {
		return err
	}
	storeFloat64s(v.value, data)
	return nil
}

// CheckValues returns a *kerrors.DataError (wrapped) for the first value
// of data that is not finite or, for dt float32, beyond float32's range;
// name labels the data.
func CheckValues(name string, data []float64, dt tensor.Dtype) error {
	return checkValues(name, len(data), data, dt)
}

// checkValues checks that data has n values, all finite and, for
// float32, within float32's range.
func checkValues(name string, n int, data []float64, dt tensor.Dtype) error {
	if len(data) != n {
		return errors.Errorf("backend: variable %s: got %d values, want %d", name, len(data), n)
	}
	limit := maxFinite
	if dt == tensor.Float32 {
		limit = math.MaxFloat32
	}
	for i, x := range data {
		if x != x || x > limit || x < -limit {
			msg := "not finite"
			if !math.IsInf(x, 0) && x == x {
				msg = "beyond float32's range"
			}
			return errors.Wrapf(&kerrors.DataError{Arg: name, Row: -1, Col: i, Value: x, Msg: msg}, "backend")
		}
	}
	return nil
}

func storeFloat64s(t *tensor.Dense, data []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i, x := range data {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, data)
	}
}

// String describes the variable for debugging.
func (v *Variable) String() string {
	return fmt.Sprintf("%s%v(%v)", v.name, v.shape, v.Dtype())
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

// Regularizer computes a penalty on a weight's node (an L2 norm, say). The
// engine adds the penalty of every variable that has one to the loss of
// train and eval graphs, as Keras adds a layer's weight regularisation
// losses; the keras/regularizers package provides Keras's regularizers.
type Regularizer interface {
	Penalty(x *G.Node) (*G.Node, error)
}

// SetRegularizer attaches r (nil removes it). Layers set it from the
// regularizer given for a weight.
func (v *Variable) SetRegularizer(r Regularizer) { v.regularizer = r }

// Regularizer returns the attached regularizer, or nil.
func (v *Variable) Regularizer() Regularizer { return v.regularizer }

// SetTrainable changes whether optimizers update the variable (Keras's
// layer.trainable). It takes effect for programs built afterwards:
// recompile the model after changing it, as in Keras.
func (v *Variable) SetTrainable(trainable bool) {
	v.trainable = trainable
	if trainable && v.grad == nil && v.value != nil {
		v.grad = tensor.New(tensor.WithShape(v.shape...), tensor.Of(v.value.Dtype()))
	}
}
