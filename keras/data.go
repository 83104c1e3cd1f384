package keras

import (
	"fmt"
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// columns is a row-major numeric table viewed as n rows of width values,
// possibly restricted to a range of rows (for validation_split).
type columns struct {
	data  any // []float32, []float64, []uint8, ...
	n     int
	width int
	shape []int // per-sample shape
	from  int   // first row
	// Set by checkFinite, for the checks made while batches are copied
	// (datacheck.go): what errors call the data, and the largest
	// magnitude a float value may have.
	label string
	limit float64
}

func shapeString(s []int) string { return layers.ShapeString(s) }

// asColumns checks that t is a numeric tensor with at least one axis and
// returns it as a table of rows. Views (transposes, slices) are
// materialised first, so the table always reads the values the tensor
// shows.
func asColumns(what string, t tensor.Tensor) (columns, error) {
	if t == nil {
		return columns{}, errors.Wrapf(ErrNil, "%s is nil", what)
	}
	d, ok := t.(*tensor.Dense)
	if !ok {
		return columns{}, errors.Errorf("%s is a %T, want a *tensor.Dense", what, t)
	}
	if d == nil {
		return columns{}, errors.Wrapf(ErrNil, "%s is a nil *tensor.Dense", what)
	}
	if d.IsMaterializable() {
		d = d.Materialize().(*tensor.Dense)
	}
	shape := d.Shape()
	if d.IsScalar() || len(shape) == 0 {
		return columns{}, errors.Errorf("%s is a scalar, want a tensor whose first axis is the sample axis", what)
	}
	if shape.TotalSize() == 0 {
		return columns{}, &ShapeError{Arg: what, Got: shape, Msg: "the tensor is empty"}
	}
	var data any
	switch d.Dtype() {
	case tensor.Float32:
		data = d.Float32s()
	case tensor.Float64:
		data = d.Float64s()
	default:
		data = d.Data()
	}
	if !isNumeric(data) {
		return columns{}, errors.Errorf("%s has dtype %v, want a numeric dtype", what, d.Dtype())
	}
	if n := lenOf(data); n != shape.TotalSize() {
		return columns{}, &ShapeError{Arg: what, Got: shape, Msg: fmt.Sprintf("the tensor's backing data holds %d values, its shape %d", n, shape.TotalSize())}
	}
	c := columns{data: data, n: shape[0], shape: append([]int(nil), shape[1:]...)}
	c.width = prod(c.shape)
	return c, nil
}

// isNumeric reports whether data is a slice of a numeric type.
func isNumeric(data any) bool {
	switch data.(type) {
	case []float32, []float64, []uint8, []int8, []uint16, []int16, []uint32, []int32, []uint64, []int64, []int, []uint:
		return true
	}
	return false
}

func lenOf(data any) int {
	switch d := data.(type) {
	case []float32:
		return len(d)
	case []float64:
		return len(d)
	case []uint8:
		return len(d)
	case []int8:
		return len(d)
	case []uint16:
		return len(d)
	case []int16:
		return len(d)
	case []uint32:
		return len(d)
	case []int32:
		return len(d)
	case []uint64:
		return len(d)
	case []int64:
		return len(d)
	case []int:
		return len(d)
	case []uint:
		return len(d)
	}
	return -1
}

// rows returns the sub-table of rows [from, to).
func (c columns) rows(from, to int) columns {
	c.from += from
	c.n = to - from
	return c
}

// present reports whether the table holds data (targets of outputs
// without a loss do not).
func (c columns) present() bool { return c.data != nil }

// checkIntegers returns a DataError for the first value that is not an
// integer exactly representable in dt (an input declared with an integer
// InputDtype).
func (c columns) checkIntegers(what string, dt tensor.Dtype) error {
	limit := float64(1 << 53)
	if dt == tensor.Float32 {
		limit = 1 << 24
	}
	for r := 0; r < c.n; r++ {
		for j := 0; j < c.width; j++ {
			v := c.value(r, j)
			if v != math.Trunc(v) || math.Abs(v) > limit {
				return &DataError{Arg: what, Row: c.from + r, Col: j, Value: v,
					Msg: fmt.Sprintf("an integer input needs integers of magnitude <= %.0f (exact in %v)", limit, dt)}
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

// dataset is checked data for training or evaluation: one table per
// input, one per output (absent for outputs without a loss, and in
// prediction), and per output the sample weights.
type dataset struct {
	xs     []columns
	ys     []columns
	sw     [][]float64 // per output: per row (absolute index from 0 of the full data), or nil
	swFrom int
}

func (d dataset) n() int { return d.xs[0].n }

func (d dataset) rows(from, to int) dataset {
	out := dataset{sw: d.sw, swFrom: d.swFrom + from}
	for _, x := range d.xs {
		out.xs = append(out.xs, x.rows(from, to))
	}
	for _, y := range d.ys {
		if y.present() {
			y = y.rows(from, to)
		}
		out.ys = append(out.ys, y)
	}
	return out
}

// weight returns row r's sample weight for output k.
func (d dataset) weight(k, r int) float64 {
	if k >= len(d.sw) || d.sw[k] == nil {
		return 1
	}
	return d.sw[k][d.swFrom+r]
}

// shapes returns the per-sample shape of every input.
func (d dataset) shapes() [][]int {
	out := make([][]int, len(d.xs))
	for i, x := range d.xs {
		out[i] = x.shape
	}
	return out
}

// splitData returns one tensor per slot (inputs or outputs, named names)
// from x: a tensor.Tensor for a single slot, a []tensor.Tensor by
// position, or a map[string]tensor.Tensor by name. optional marks slots
// that may be left empty (outputs without a loss).
func splitData(what string, x Data, names []string, optional []bool) ([]tensor.Tensor, error) {
	out := make([]tensor.Tensor, len(names))
	required := 0
	for i := range names {
		if optional == nil || !optional[i] {
			required++
		}
	}
	switch v := x.(type) {
	case nil:
		if required == 0 {
			return out, nil
		}
		return nil, errors.Wrapf(ErrNil, "%s is nil", what)
	case tensor.Tensor:
		if required == 1 {
			for i := range names {
				if optional == nil || !optional[i] {
					out[i] = v
				}
			}
			return out, nil
		}
		return nil, errors.Errorf("%s is one tensor but the model has %d %s %v: pass a []tensor.Tensor or a map[string]tensor.Tensor", what, required, plural(what), requiredNames(names, optional))
	case []tensor.Tensor:
		switch {
		case len(v) == len(names):
			copy(out, v)
		case len(v) == required:
			j := 0
			for i := range names {
				if optional == nil || !optional[i] {
					out[i] = v[j]
					j++
				}
			}
		default:
			return nil, errors.Errorf("%s holds %d tensors for the model's %d %s %v", what, len(v), len(names), plural(what), names)
		}
	case map[string]tensor.Tensor:
		for name, t := range v {
			i := indexOf(names, name)
			if i < 0 {
				return nil, errors.Errorf("%s names %q; the model's %s are %v", what, name, plural(what), names)
			}
			out[i] = t
		}
	default:
		return nil, errors.Errorf("%s is a %T: want a tensor.Tensor, a []tensor.Tensor or a map[string]tensor.Tensor", what, x)
	}
	for i, t := range out {
		if t == nil && (optional == nil || !optional[i]) {
			return nil, errors.Wrapf(ErrNil, "%s: no tensor for %s", what, names[i])
		}
	}
	return out, nil
}

func plural(what string) string {
	if len(what) > 0 && what[len(what)-1] == 'y' {
		return "outputs"
	}
	return "inputs"
}

func requiredNames(names []string, optional []bool) []string {
	var out []string
	for i, n := range names {
		if optional == nil || !optional[i] {
			out = append(out, n)
		}
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// checkInputs validates model input data: one table per input, each with
// the input's shape (a -1 dimension takes any size), the same number of
// rows, finite values in range.
func (m *Model) checkInputs(what string, x Data) ([]columns, error) {
	names := make([]string, len(m.inSpecs))
	for i, s := range m.inSpecs {
		names[i] = s.Name
	}
	ts, err := splitData(what, x, names, nil)
	if err != nil {
		return nil, err
	}
	out := make([]columns, len(ts))
	dtypes := m.g.Inputs()
	for i, t := range ts {
		label := what
		if len(ts) > 1 {
			label = fmt.Sprintf("%s[%s]", what, names[i])
		}
		c, err := asColumns(label, t)
		if err != nil {
			return nil, err
		}
		want := m.inSpecs[i].Shape
		if !compatible(want, c.shape) {
			msg := fmt.Sprintf("one row per sample, each shaped like the input %s", names[i])
			if len(c.shape) == len(want)-1 && c.n*c.width == prod(want) {
				msg += "; a single sample must be shaped " + kerrors.FormatShape(append([]int{1}, want...))
			}
			return nil, &ShapeError{Arg: label, Got: append([]int{c.n}, c.shape...), Want: append([]int{-1}, want...), Msg: msg}
		}
		if i > 0 && c.n != out[0].n {
			return nil, errors.Errorf("%s has %d samples but %s has %d", label, c.n, names[0], out[0].n)
		}
		if err := c.checkFinite(label, m.dtype, &m.checked); err != nil {
			return nil, err
		}
		if dt := dtypes[i].Dtype(); isIntegerDtype(dt) {
			if err := c.checkIntegers(label, m.dtype); err != nil {
				return nil, err
			}
		}
		if err := m.checkIndices(label, i, c); err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func isIntegerDtype(dt tensor.Dtype) bool {
	switch dt {
	case tensor.Int, tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
		tensor.Uint, tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64:
		return true
	}
	return false
}

// checkTargets validates targets against each output's loss and shape.
func (m *Model) checkTargets(what string, y Data, c *compiled, n int) ([]columns, error) {
	names := make([]string, len(c.outputs))
	optional := make([]bool, len(c.outputs))
	for k, o := range c.outputs {
		names[k], optional[k] = o.name, o.loss == nil
	}
	ts, err := splitData(what, y, names, optional)
	if err != nil {
		return nil, err
	}
	out := make([]columns, len(ts))
	for k, t := range ts {
		o := c.outputs[k]
		if t == nil || o.loss == nil {
			continue
		}
		label := what
		if len(ts) > 1 {
			label = fmt.Sprintf("%s[%s]", what, o.name)
		}
		col, err := asColumns(label, t)
		if err != nil {
			return nil, err
		}
		if col.n != n {
			return nil, errors.Errorf("x has %d samples but %s has %d", n, label, col.n)
		}
		if err := col.checkFinite(label, m.dtype, &m.checked); err != nil {
			return nil, err
		}
		if err := m.checkTargetShape(label, col, o, m.outs[k].shape); err != nil {
			return nil, err
		}
		out[k] = col
	}
	return out, nil
}

// checkTargetShape checks one output's targets: class indices shaped like
// the output without its class axis for sparse losses, else the output's
// shape (or (N) for an output of width 1).
func (m *Model) checkTargetShape(what string, c columns, o compiledOutput, outShape []int) error {
	got := append([]int{c.n}, c.shape...)
	if o.sparse {
		lead := outShape[:len(outShape)-1]
		okShape := compatible(lead, c.shape) || (len(c.shape) == len(lead)+1 && c.shape[len(c.shape)-1] == 1 && compatible(lead, c.shape[:len(lead)]))
		if !okShape {
			return &ShapeError{Arg: what, Got: got, Want: append([]int{-1}, lead...),
				Msg: fmt.Sprintf("%s wants one class index per sample (and time step)", o.loss.Name())}
		}
		for r := 0; r < c.n; r++ {
			for j := 0; j < c.width; j++ {
				v := c.value(r, j)
				if v != math.Trunc(v) || v < 0 || v >= float64(o.classes) {
					return &DataError{Arg: what, Row: r, Col: j, Value: v, Msg: fmt.Sprintf("not a class index in [0, %d)", o.classes)}
				}
			}
		}
		return nil
	}
	if compatible(outShape, c.shape) || (c.width == 1 && prod(outShape) == 1) {
		return nil
	}
	return &ShapeError{Arg: what, Got: got, Want: append([]int{-1}, outShape...),
		Msg: fmt.Sprintf("each target is %s but output %s is %s", shapeString(c.shape), o.name, shapeString(outShape))}
}

// checkWeights validates per-sample weights.
func checkWeights(what string, w tensor.Tensor, n int) ([]float64, error) {
	c, err := asColumns(what, w)
	if err != nil {
		return nil, err
	}
	if c.width != 1 || c.n != n {
		return nil, &ShapeError{Arg: what, Got: append([]int{c.n}, c.shape...), Want: []int{n}, Msg: "one weight per sample"}
	}
	out := make([]float64, n)
	for r := range out {
		v := c.value(r, 0)
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, &DataError{Arg: what, Row: r, Col: -1, Value: v, Msg: "weights must be finite and >= 0"}
		}
		out[r] = v
	}
	return out, nil
}

// classCount returns the number of classes class_weight keys may name for
// output o with targets y: the class axis of sparse and one-hot targets,
// 2 for a single binary target.
func classCount(o compiledOutput, y columns) int {
	if o.sparse {
		return o.classes
	}
	if y.width == 1 {
		return 2
	}
	return y.width
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

// applyClassWeight multiplies sw (one weight per row, nil: all 1) by each
// row's class weight; keys must be classes of the output.
func applyClassWeight(what string, cw map[int]float64, o compiledOutput, y columns, sw []float64) ([]float64, error) {
	if cw == nil {
		return sw, nil
	}
	if y.width != 1 && o.sparse {
		return nil, errors.Errorf("%s: class_weight needs one class per sample; output %s has several targets per sample", what, o.name)
	}
	classes := classCount(o, y)
	keys := make([]int, 0, len(cw))
	for k := range cw {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		w := cw[k]
		if k < 0 || k >= classes {
			return nil, &OptionError{Call: "Fit", Option: "class_weight", Value: fmt.Sprint(k), Msg: fmt.Sprintf("is not a class of output %s (classes 0 to %d)", o.name, classes-1)}
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, &OptionError{Call: "Fit", Option: "class_weight", Value: fmt.Sprintf("%d: %v", k, w), Msg: "weights must be finite and >= 0"}
		}
	}
	if sw == nil {
		sw = make([]float64, y.from+y.n)
		for i := range sw {
			sw[i] = 1
		}
	}
	for r := 0; r < y.n; r++ {
		if w, ok := cw[classOf(y, r)]; ok {
			sw[y.from+r] *= w
		}
	}
	return sw, nil
}

// fill writes batch idx of d into a program's input, target and weight
// buffers, and the host copies of the targets for metrics. It returns a
// DataError for a value that may not be trained on (see datacheck.go).
func (m *Model) fill(p *backend.Program, c *compiled, d dataset, idx []int, hostY [][]float64) error {
	for i, x := range d.xs {
		if err := x.gather(floatsOf(p.Inputs()[i]), idx); err != nil {
			return err
		}
	}
	targets := p.Targets()
	for k, y := range d.ys {
		if targets == nil || targets[k] == nil || !y.present() {
			continue
		}
		if c.outputs[k].sparse {
			oneHot(floatsOf(targets[k]), y, idx, c.outputs[k].classes)
		} else if err := y.gather(floatsOf(targets[k]), idx); err != nil {
			return err
		}
		if sw := p.SampleWeights()[k]; sw != nil {
			per := sw.Shape()[0] / len(idx) // rows of the loss per sample
			if s := floatsOf(sw).f32; s != nil {
				for j, r := range idx {
					w := float32(d.weight(k, r))
					for t := 0; t < per; t++ {
						s[j*per+t] = w
					}
				}
			} else if s := floatsOf(sw).f64; s != nil {
				for j, r := range idx {
					w := d.weight(k, r)
					for t := 0; t < per; t++ {
						s[j*per+t] = w
					}
				}
			}
		}
		if hostY != nil && hostY[k] != nil {
			h := hostY[k]
			for j, r := range idx {
				for col := 0; col < y.width; col++ {
					h[j*y.width+col] = y.value(r, col)
				}
			}
		}
	}
	return nil
}

// oneHot writes class indices as one-hot rows: y holds one index per
// (sample, time step); dst is (rows, classes).
func oneHot(dst floats, y columns, idx []int, classes int) {
	if d := dst.f32; d != nil {
		clear(d)
		for j, r := range idx {
			for t := 0; t < y.width; t++ {
				d[(j*y.width+t)*classes+int(y.value(r, t))] = 1
			}
		}
	}
	if d := dst.f64; d != nil {
		clear(d)
		for j, r := range idx {
			for t := 0; t < y.width; t++ {
				d[(j*y.width+t)*classes+int(y.value(r, t))] = 1
			}
		}
	}
}
