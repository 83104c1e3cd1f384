package serving

import (
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// dtype is the element type of a served tensor.
type dtype int

const (
	float32Type dtype = iota + 1
	float64Type
)

// tfName returns TensorFlow's DataType name, as the metadata API shows it.
func (d dtype) tfName() string {
	switch d {
	case float32Type:
		return "DT_FLOAT"
	case float64Type:
		return "DT_DOUBLE"
	}
	return "DT_INVALID"
}

// String returns the name used in error messages.
func (d dtype) String() string {
	switch d {
	case float32Type:
		return "float32"
	case float64Type:
		return "float64"
	}
	return "invalid dtype"
}

// tensorSpec is one named input or output of a serving signature.
type tensorSpec struct {
	name  string
	shape []int // one sample, without the batch axis
	dtype dtype
}

// maxSampleValues bounds one sample of a served tensor; a model declaring
// more is refused at load time.
const maxSampleValues = 1 << 26

// check rejects specs the server cannot serve.
func (s tensorSpec) check() error {
	if s.name == "" {
		return errors.New("a signature tensor has no name")
	}
	if s.dtype != float32Type && s.dtype != float64Type {
		return errors.Errorf("tensor %s: unsupported dtype", s.name)
	}
	n := 1
	for _, d := range s.shape {
		if d < 1 {
			return errors.Errorf("tensor %s: shape %s has an unknown or empty dimension", s.name, shapeString(s.shape))
		}
		if n > maxSampleValues/d {
			return errors.Errorf("tensor %s: shape %s is too large to serve", s.name, shapeString(s.shape))
		}
		n *= d
	}
	return nil
}

// size returns the number of values in one sample.
func (s tensorSpec) size() int {
	n := 1
	for _, d := range s.shape {
		n *= d
	}
	return n
}

// shapeString formats a shape as Keras does: (28, 28), (10,), ().
func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = strconv.Itoa(d)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// column holds the values of one tensor for a number of rows, back to
// back, in its dtype: f32 for float32, f64 for float64.
type column struct {
	dtype dtype
	f32   []float32
	f64   []float64
}

// len returns the number of values held.
func (c column) len() int {
	if c.dtype == float32Type {
		return len(c.f32)
	}
	return len(c.f64)
}

// slice returns values [lo, hi) without copying.
func (c column) slice(lo, hi int) column {
	if c.dtype == float32Type {
		return column{dtype: c.dtype, f32: c.f32[lo:hi:hi]}
	}
	return column{dtype: c.dtype, f64: c.f64[lo:hi:hi]}
}

// appendTo appends c's values to dst (same dtype).
func (c column) appendTo(dst column) column {
	if c.dtype == float32Type {
		dst.f32 = append(dst.f32, c.f32...)
	} else {
		dst.f64 = append(dst.f64, c.f64...)
	}
	return dst
}

// newColumn returns an empty column of dtype d with room for n values.
func newColumn(d dtype, n int) column {
	if d == float32Type {
		return column{dtype: d, f32: make([]float32, 0, n)}
	}
	return column{dtype: d, f64: make([]float64, 0, n)}
}
