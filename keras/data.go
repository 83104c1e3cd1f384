package keras

import (
	"fmt"
	"math"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/layers"
)

// columns is a row-major numeric table viewed as n rows of width values,
// possibly restricted to a range of rows (for validation_split).
type columns struct {
	data  interface{} // []float32, []float64, []uint8, ...
	n     int
	width int
	shape []int // per-sample shape
	from  int   // first row
}

func shapeString(s []int) string { return layers.ShapeString(s) }

// asColumns checks that t is a numeric tensor with at least one axis and
// returns it as a table of rows.
func asColumns(what string, t tensor.Tensor) (columns, error) {
	if t == nil {
		return columns{}, errors.Errorf("%s is nil", what)
	}
	d, ok := t.(*tensor.Dense)
	if !ok {
		return columns{}, errors.Errorf("%s is a %T, want a *tensor.Dense", what, t)
	}
	if d.IsMaterializable() {
		d = d.Materialize().(*tensor.Dense)
	}
	shape := d.Shape()
	if d.IsScalar() || len(shape) == 0 {
		return columns{}, errors.Errorf("%s is a scalar, want a tensor whose first axis is the sample axis", what)
	}
	if shape.TotalSize() == 0 {
		return columns{}, errors.Errorf("%s is empty (shape %v)", what, shape)
	}
	data := d.Data()
	if !isNumeric(data) {
		return columns{}, errors.Errorf("%s has dtype %v, want a numeric dtype", what, d.Dtype())
	}
	n := shape[0]
	c := columns{data: data, n: n, shape: append([]int(nil), shape[1:]...)}
	c.width = prod(c.shape)
	return c, nil
}

// isNumeric reports whether data is a slice of a numeric type.
func isNumeric(data interface{}) bool {
	switch data.(type) {
	case []float32, []float64, []uint8, []int8, []uint16, []int16, []uint32, []int32, []uint64, []int64, []int, []uint:
		return true
	}
	return false
}

// rows returns the sub-table of rows [from, to).
func (c columns) rows(from, to int) columns {
	c.from += from
	c.n = to - from
	return c
}

// checkFinite returns an error naming the first NaN or Inf.
func (c columns) checkFinite(what string) error {
	check := func(i int, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			row, col := i/c.width, i%c.width
			return errors.Errorf("%s[%d] has %v at position %d", what, row, v, col)
		}
		return nil
	}
	lo, hi := c.from*c.width, (c.from+c.n)*c.width
	switch d := c.data.(type) {
	case []float32:
		for i, v := range d[lo:hi] {
			if err := check(lo+i, float64(v)); err != nil {
				return err
			}
		}
	case []float64:
		for i, v := range d[lo:hi] {
			if err := check(lo+i, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// value returns row r (relative to from), column j as float64.
func (c columns) value(r, j int) float64 {
	i := (c.from+r)*c.width + j
	switch d := c.data.(type) {
	case []float32:
		return float64(d[i])
	case []float64:
		return d[i]
	case []uint8:
		return float64(d[i])
	case []int8:
		return float64(d[i])
	case []uint16:
		return float64(d[i])
	case []int16:
		return float64(d[i])
	case []uint32:
		return float64(d[i])
	case []int32:
		return float64(d[i])
	case []uint64:
		return float64(d[i])
	case []int64:
		return float64(d[i])
	case []int:
		return float64(d[i])
	case []uint:
		return float64(d[i])
	}
	return math.NaN()
}

// gather copies the rows idx (relative to from) into dst, a []float32 or
// []float64 of len(idx)*width, converting the element type.
func (c columns) gather(dst interface{}, idx []int) {
	switch d := dst.(type) {
	case []float32:
		gatherInto(d, c, idx)
	case []float64:
		gatherInto(d, c, idx)
	}
}

func gatherInto[D backend.Float](dst []D, c columns, idx []int) {
	switch s := c.data.(type) {
	case []float32:
		gatherRows(dst, s, idx, c.from, c.width)
	case []float64:
		gatherRows(dst, s, idx, c.from, c.width)
	case []uint8:
		gatherRows(dst, s, idx, c.from, c.width)
	case []int8:
		gatherRows(dst, s, idx, c.from, c.width)
	case []uint16:
		gatherRows(dst, s, idx, c.from, c.width)
	case []int16:
		gatherRows(dst, s, idx, c.from, c.width)
	case []uint32:
		gatherRows(dst, s, idx, c.from, c.width)
	case []int32:
		gatherRows(dst, s, idx, c.from, c.width)
	case []uint64:
		gatherRows(dst, s, idx, c.from, c.width)
	case []int64:
		gatherRows(dst, s, idx, c.from, c.width)
	case []int:
		gatherRows(dst, s, idx, c.from, c.width)
	case []uint:
		gatherRows(dst, s, idx, c.from, c.width)
	}
}

func gatherRows[D backend.Float, S backend.Number](dst []D, src []S, idx []int, from, width int) {
	for k, r := range idx {
		row := src[(from+r)*width : (from+r+1)*width]
		out := dst[k*width : (k+1)*width]
		for j, v := range row {
			out[j] = D(v)
		}
	}
}

// dataset is a checked (x, y, sample weight) triple for training or
// evaluation.
type dataset struct {
	x      columns
	y      columns
	sw     []float64 // per row (absolute index from 0 of the full data), or nil
	swFrom int
}

func (d dataset) n() int { return d.x.n }

func (d dataset) rows(from, to int) dataset {
	out := dataset{x: d.x.rows(from, to), y: d.y.rows(from, to), sw: d.sw, swFrom: d.swFrom + from}
	return out
}

func (d dataset) weight(r int) float64 {
	if d.sw == nil {
		return 1
	}
	return d.sw[d.swFrom+r]
}

// checkX validates model input data.
func (m *Model) checkX(what string, x tensor.Tensor) (columns, error) {
	c, err := asColumns(what, x)
	if err != nil {
		return c, err
	}
	if !equalInts(c.shape, m.inShape) {
		want := strings.Replace(shapeString(m.inShape), "None", "N", 1)
		hint := ""
		if len(c.shape) == len(m.inShape)-1 && c.n*c.width == prod(m.inShape) {
			hint = fmt.Sprintf("; a single sample must be shaped %s", strings.Replace(shapeString(m.inShape), "None", "1", 1))
		}
		return c, errors.Errorf("%s has shape %v, want %s: one row per sample, each %v as the model's input%s", what,
			append([]int{c.n}, c.shape...), want, m.inShape, hint)
	}
	if err := c.checkFinite(what); err != nil {
		return c, err
	}
	return c, nil
}

// checkY validates targets against the compiled loss and the output shape.
func (m *Model) checkY(what string, y tensor.Tensor, n int) (columns, error) {
	c, err := asColumns(what, y)
	if err != nil {
		return c, err
	}
	if c.n != n {
		return c, errors.Errorf("x has %d samples but %s has %d", n, what, c.n)
	}
	if err := c.checkFinite(what); err != nil {
		return c, err
	}
	comp := m.compiled
	if comp.sparse {
		if c.width != 1 {
			return c, errors.Errorf("%s has shape %v: %s wants one class index per sample, shape (%d) or (%d, 1)",
				what, append([]int{c.n}, c.shape...), comp.loss.Name(), n, n)
		}
		for r := 0; r < c.n; r++ {
			v := c.value(r, 0)
			if v != math.Trunc(v) || v < 0 || v >= float64(comp.classes) {
				return c, errors.Errorf("%s[%d] = %v is not a class index in [0, %d)", what, r, v, comp.classes)
			}
		}
		return c, nil
	}
	if !equalInts(c.shape, m.outShape) && !(c.width == 1 && prod(m.outShape) == 1) {
		return c, errors.Errorf("%s has shape %v: each target is %s but the model's output is %s", what,
			append([]int{c.n}, c.shape...), shapeString(c.shape), shapeString(m.outShape))
	}
	return c, nil
}

// checkWeights validates per-sample weights.
func checkWeights(what string, w tensor.Tensor, n int) ([]float64, error) {
	c, err := asColumns(what, w)
	if err != nil {
		return nil, err
	}
	if c.width != 1 || c.n != n {
		return nil, errors.Errorf("%s has shape %v, want (%d): one weight per sample", what, append([]int{c.n}, c.shape...), n)
	}
	out := make([]float64, n)
	for r := range out {
		v := c.value(r, 0)
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, errors.Errorf("%s[%d] = %v: weights must be finite and >= 0", what, r, v)
		}
		out[r] = v
	}
	return out, nil
}

// classOf returns the class of target row r for class_weight: the index
// itself for sparse targets, the argmax of a one-hot row, or the rounded
// value of a single binary target.
func classOf(y columns, r int) int {
	if y.width == 1 {
		return int(math.Round(y.value(r, 0)))
	}
	best := 0
	for j := 1; j < y.width; j++ {
		if y.value(r, j) > y.value(r, best) {
			best = j
		}
	}
	return best
}

// fill writes batch idx of d into a program's input, target and weight
// buffers, and the host copy of targets for metrics.
func (m *Model) fill(p *backend.Program, d dataset, idx []int, hostY []float64) {
	d.x.gather(p.Input().Data(), idx)
	if y := p.Target(); y != nil {
		if m.compiled.sparse {
			oneHot(y.Data(), d.y, idx, m.compiled.classes)
		} else {
			d.y.gather(y.Data(), idx)
		}
	}
	if sw := p.SampleWeight(); sw != nil {
		switch s := sw.Data().(type) {
		case []float32:
			for k, r := range idx {
				s[k] = float32(d.weight(r))
			}
		case []float64:
			for k, r := range idx {
				s[k] = d.weight(r)
			}
		}
	}
	if hostY != nil {
		for k, r := range idx {
			for j := 0; j < d.y.width; j++ {
				hostY[k*d.y.width+j] = d.y.value(r, j)
			}
		}
	}
}

func oneHot(dst interface{}, y columns, idx []int, classes int) {
	switch d := dst.(type) {
	case []float32:
		clear(d)
		for k, r := range idx {
			d[k*classes+int(y.value(r, 0))] = 1
		}
	case []float64:
		clear(d)
		for k, r := range idx {
			d[k*classes+int(y.value(r, 0))] = 1
		}
	}
}
