package preprocessing

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Rows64 returns the rows of a 1-D or 2-D tensor as [][]float64: a (N, F)
// tensor gives N rows of F values, a (N) tensor N rows of one value. For a
// contiguous float64 tensor the rows are views of its data, so writing to
// them writes to the tensor; any other dtype or layout is converted into new
// slices.
func Rows64(x *tensor.Dense) (rows [][]float64, err error) {
	defer guard("Rows64", &err)
	n, w, err := matrixShape("Rows64", x)
	if err != nil {
		return nil, err
	}
	var data []float64
	if d, ok := x.Data().([]float64); ok && !x.IsView() && !x.RequiresIterator() {
		data = d
	} else if data, err = float64s(x); err != nil {
		return nil, errors.WithMessage(err, "preprocessing: Rows64")
	}
	return splitRows(data, n, w), nil
}

// Rows32 is Rows64 for float32: rows are views of a contiguous float32
// tensor and converted copies otherwise.
func Rows32(x *tensor.Dense) (rows [][]float32, err error) {
	defer guard("Rows32", &err)
	n, w, err := matrixShape("Rows32", x)
	if err != nil {
		return nil, err
	}
	var data []float32
	if d, ok := x.Data().([]float32); ok && !x.IsView() && !x.RequiresIterator() {
		data = d
	} else {
		d64, err := float64s(x)
		if err != nil {
			return nil, errors.WithMessage(err, "preprocessing: Rows32")
		}
		data = convert[float64, float32](d64)
	}
	return splitRows(data, n, w), nil
}

func matrixShape(fn string, x *tensor.Dense) (n, w int, err error) {
	if x == nil {
		return 0, 0, errors.Errorf("preprocessing: %s: nil tensor", fn)
	}
	switch s := x.Shape(); {
	case x.IsScalar():
		return 0, 0, errors.Errorf("preprocessing: %s: scalar, want a 1-D or 2-D tensor", fn)
	case len(s) == 1:
		return s[0], 1, nil
	case len(s) == 2:
		return s[0], s[1], nil
	default:
		return 0, 0, errors.Errorf("preprocessing: %s: shape %v, want a 1-D or 2-D tensor", fn, s)
	}
}

func splitRows[T any](data []T, n, w int) [][]T {
	rows := make([][]T, n)
	for i := range rows {
		rows[i] = data[i*w : (i+1)*w : (i+1)*w]
	}
	return rows
}

// FromRows64 builds a float64 (len(rows), F) tensor from rows that all have
// F values. The data is copied.
func FromRows64(rows [][]float64) (*tensor.Dense, error) {
	data, w, err := joinRows("FromRows64", rows)
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(len(rows), w), tensor.WithBacking(data)), nil
}

// FromRows32 builds a float32 (len(rows), F) tensor from rows that all have
// F values. The data is copied.
func FromRows32(rows [][]float32) (*tensor.Dense, error) {
	data, w, err := joinRows("FromRows32", rows)
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(len(rows), w), tensor.WithBacking(data)), nil
}

func joinRows[T any](fn string, rows [][]T) ([]T, int, error) {
	if len(rows) == 0 {
		return nil, 0, errors.Errorf("preprocessing: %s: no rows", fn)
	}
	w := len(rows[0])
	if w == 0 {
		return nil, 0, errors.Errorf("preprocessing: %s: row 0 is empty", fn)
	}
	data := make([]T, 0, len(rows)*w)
	for i, r := range rows {
		if len(r) != w {
			return nil, 0, errors.Errorf("preprocessing: %s: row %d has %d values, row 0 has %d", fn, i, len(r), w)
		}
		data = append(data, r...)
	}
	return data, w, nil
}
