package datasets

import (
	"fmt"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Split is one part, train or test, of an image or table data set: X holds
// the samples along its first axis and Y their labels or targets, row for
// row.
type Split struct {
	// X holds the samples, for example uint8 (N, 28, 28) for MNIST.
	X *tensor.Dense
	// Y holds the labels or targets, for example uint8 (N) for MNIST.
	Y *tensor.Dense
}

// Len returns the number of samples, 0 for a zero Split.
func (s Split) Len() int {
	if s.X == nil || s.X.Dims() == 0 {
		return 0
	}
	return s.X.Shape()[0]
}

// Sequences is one part, train or test, of a word-index data set: X[i] is a
// sequence of word indices and Y[i] its label.
type Sequences struct {
	// X holds one slice of word indices per sample; lengths differ.
	X [][]int
	// Y holds the class of each sample (0 or 1 for IMDB, 0-45 for Reuters).
	Y []int
}

// Len returns the number of samples.
func (s Sequences) Len() int { return len(s.X) }

// loadError builds the error of a loader, prefixed with its Keras name.
func loadError(dataset string, err error) error {
	return errors.WithMessage(err, "datasets: "+dataset)
}

// guard turns a panic inside a loader into an error.
func guard(dataset string, err *error) {
	if r := recover(); r != nil {
		*err = errors.Errorf("datasets: %s: internal error: %v", dataset, r)
	}
}

// openNPZFile opens an .npz file; the caller closes the returned file.
func openNPZFile(path string) (*NPZ, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	z, err := openNPZ(f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, errors.WithMessage(err, path)
	}
	return z, f, nil
}

// checkArray verifies the dtype and shape of a decoded array; a -1 in shape
// accepts any length on that axis.
func checkArray(name string, t *tensor.Dense, dt tensor.Dtype, shape ...int) error {
	if dt != (tensor.Dtype{}) && t.Dtype() != dt {
		return errors.Errorf("%s has dtype %v, want %v", name, t.Dtype(), dt)
	}
	s := t.Shape()
	ok := len(s) == len(shape)
	for i := 0; ok && i < len(s); i++ {
		ok = shape[i] < 0 || s[i] == shape[i]
	}
	if !ok {
		return errors.Errorf("%s has shape %v, want %s", name, s, shapeString(shape))
	}
	return nil
}

func shapeString(shape []int) string {
	s := "("
	for i, d := range shape {
		if i > 0 {
			s += ", "
		}
		if d < 0 {
			s += "N"
		} else {
			s += fmt.Sprint(d)
		}
	}
	return s + ")"
}

// checkLabels verifies that every uint8 label is at most max.
func checkLabels(name string, t *tensor.Dense, max uint8) error {
	for i, v := range t.Data().([]uint8) {
		if v > max {
			return errors.Errorf("%s[%d] = %d, want 0-%d", name, i, v, max)
		}
	}
	return nil
}

// sameLen verifies that x and y hold the same number of samples.
func sameLen(xName string, x *tensor.Dense, yName string, y *tensor.Dense) error {
	if x.Shape()[0] != y.Shape()[0] {
		return errors.Errorf("%s has %d samples but %s has %d", xName, x.Shape()[0], yName, y.Shape()[0])
	}
	return nil
}
