package backend

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxFloat32ID is the largest integer from which every smaller
// non-negative integer is exact in float32 (2^24).
const maxFloat32ID = 1 << 24

// Embedding returns table[ids]: ids of any shape (batch, ...) holding row
// indices of table (inputDim, outputDim), output (ids..., outputDim).
//
// ids may be a float tensor (the graph's dtype) holding integer values, or
// an Int, Int32 or Int64 tensor: Gorgonia graphs mix an integer input node
// with float weights fine (TestEmbeddingIntIDs). With float32 ids the
// table may have at most 2^24 rows, the integers float32 represents
// exactly. A run whose ids are negative, not below inputDim, fractional
// or NaN fails with an error naming name (the layer's name), the value and
// its position (batch row, time step); nothing is clamped.
//
// The gradient with respect to the table is a scatter-add of the upstream
// rows (repeated ids accumulate) into a buffer reused from run to run,
// zeroing only the rows the previous run touched when no other op can
// write into that buffer; ids get no gradient. EmbeddingTouchedRows lists
// the rows of the last run.
func Embedding(ids, table *G.Node, name string) (out *G.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, errors.Errorf("backend: Embedding %q: panic while building: %v", name, p)
		}
	}()
	if ids == nil || table == nil {
		return nil, errors.Errorf("backend: Embedding %q: ids and table are required", name)
	}
	if err := checkFloatDtype(table.Dtype()); err != nil {
		return nil, errors.Wrapf(err, "backend: Embedding %q: table", name)
	}
	ts := table.Shape()
	if table.Dims() != 2 || ts[0] < 1 || ts[1] < 1 {
		return nil, errors.Errorf("backend: Embedding %q: table must be (input_dim, output_dim), got %v", name, ts)
	}
	if ts[0] > math.MaxInt32 {
		return nil, errors.Errorf("backend: Embedding %q: input_dim %d is above 2^31-1", name, ts[0])
	}
	if err := checkIDDtype(ids.Dtype()); err != nil {
		return nil, errors.Wrapf(err, "backend: Embedding %q: ids", name)
	}
	if ids.Dtype() == tensor.Float32 && ts[0] > maxFloat32ID {
		return nil, errors.Errorf("backend: Embedding %q: input_dim %d is above 2^24, the largest id float32 holds exactly; feed the ids as float64 or integers", name, ts[0])
	}
	is := ids.Shape()
	if ids.IsScalar() || is.TotalSize() < 1 {
		return nil, errors.Errorf("backend: Embedding %q: ids must be a non-empty tensor (batch, ...), got shape %v", name, is)
	}
	if float64(is.TotalSize())*float64(ts[1]) > maxRNNElems {
		return nil, errors.Errorf("backend: Embedding %q: %v ids of %d values is more than 2^31 elements", name, is, ts[1])
	}
	op := &embeddingOp{opBase: opBase{fmt.Sprintf("embedding[%s](%d,%d)", name, ts[0], ts[1]), 2},
		label: name, ids: is.Clone(), v: ts[0], e: ts[1], idsDims: ids.Dims()}
	out, err = G.ApplyOp(op, ids, table)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: Embedding %q", name)
	}
	return out, nil
}

// EmbeddingTouchedRows returns the distinct table rows, ascending, that
// the last run of the embedding lookup out (a node returned by
// Embedding) read, which are the only rows where the table's gradient of
// that run can be non-zero: what a sparse optimizer update needs. It is
// nil before the first run.
func EmbeddingTouchedRows(out *G.Node) ([]int, error) {
	if out == nil {
		return nil, errors.New("backend: EmbeddingTouchedRows: nil node")
	}
	op, ok := out.Op().(*embeddingOp)
	if !ok {
		return nil, errors.Errorf("backend: EmbeddingTouchedRows: node %v is not an Embedding lookup", out)
	}
	if op.rows == nil {
		return nil, nil
	}
	rows := make([]int, len(op.rows))
	for i, r := range op.rows {
		rows[i] = int(r)
	}
	slices.Sort(rows)
	return rows, nil
}

func checkIDDtype(dt tensor.Dtype) error {
	switch dt {
	case tensor.Float32, tensor.Float64, tensor.Int, tensor.Int32, tensor.Int64:
		return nil
	}
	return errors.Errorf("dtype %v is not supported (use float32, float64, int, int32 or int64)", dt)
}

type embeddingOp struct {
	opBase
	label   string
	ids     tensor.Shape
	idsDims int
	v, e    int
	out     outBuf
	idx     []int32 // this run's ids, validated
	rows    []int32 // distinct ids of this run, in order of first use
	stamp   []uint32
	run     uint32
	grad    *embeddingGradOp // set when differentiated
}

func (op *embeddingOp) Type() hm.Type {
	a, b := hm.TypeVariable('a'), hm.TypeVariable('i') // Gorgonia's inference uses 'b' for the result
	return hm.NewFnType(G.TensorType{Dims: op.idsDims, Of: b}, G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: op.idsDims + 1, Of: a})
}

func (op *embeddingOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return append(op.ids.Clone(), op.e), nil
}

func (op *embeddingOp) DiffWRT(int) []bool { return []bool{false, true} }

func (op *embeddingOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &embeddingGradOp{opBase: opBase{op.name + "_grad", 2}, fwd: op}
	dt, err := G.ApplyOp(g, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	g.node = dt
	op.grad = g
	return G.Nodes{nil, dt}, nil
}

func (op *embeddingOp) Do(inputs ...G.Value) (G.Value, error) {
	ids, table, err := op.values(inputs)
	if err != nil {
		return nil, err
	}
	if err := op.index(ids); err != nil {
		return nil, err
	}
	out := op.out.get(table.Dtype(), append(op.ids.Clone(), op.e))
	switch tv := table.Data().(type) {
	case []float32:
		gatherRows(out.Data().([]float32), tv, op.idx, op.e)
	case []float64:
		gatherRows(out.Data().([]float64), tv, op.idx, op.e)
	}
	return out, nil
}

func (op *embeddingOp) values(inputs []G.Value) (*tensor.Dense, *tensor.Dense, error) {
	if len(inputs) != 2 {
		return nil, nil, opError(op, errors.Errorf("got %d inputs, want 2", len(inputs)))
	}
	ids, err := dense(inputs[0])
	if err != nil {
		return nil, nil, opError(op, errors.Wrap(err, "ids"))
	}
	table, err := dense(inputs[1])
	if err != nil {
		return nil, nil, opError(op, errors.Wrap(err, "table"))
	}
	if !ids.Shape().Eq(op.ids) || ids.Dims() != len(op.ids) {
		return nil, nil, opError(op, errors.Errorf("ids have shape %v, the graph was built for %v", ids.Shape(), op.ids))
	}
	if ts := table.Shape(); table.Dims() != 2 || ts[0] != op.v || ts[1] != op.e {
		return nil, nil, opError(op, errors.Errorf("table has shape %v, the graph was built for (%d, %d)", ts, op.v, op.e))
	}
	if err := checkFloatDtype(table.Dtype()); err != nil {
		return nil, nil, opError(op, err)
	}
	if ids.IsView() || table.IsView() {
		return nil, nil, opError(op, errors.New("ids and table must not be views"))
	}
	return ids, table, nil
}

// index validates the ids and records them and the distinct rows.
func (op *embeddingOp) index(ids *tensor.Dense) error {
	n := op.ids.TotalSize()
	if cap(op.idx) < n {
		op.idx = make([]int32, n)
	}
	op.idx = op.idx[:n]
	var bad int
	var badVal float64
	ok := true
	switch d := ids.Data().(type) {
	case []float32:
		ok, bad, badVal = convertIDs(op.idx, d, op.v)
	case []float64:
		ok, bad, badVal = convertIDs(op.idx, d, op.v)
	case []int:
		ok, bad, badVal = convertIntIDs(op.idx, d, op.v)
	case []int32:
		ok, bad, badVal = convertIntIDs(op.idx, d, op.v)
	case []int64:
		ok, bad, badVal = convertIntIDs(op.idx, d, op.v)
	default:
		return opError(op, errors.Errorf("ids of type %T are not supported", ids.Data()))
	}
	if !ok {
		if badVal != math.Trunc(badVal) || math.IsNaN(badVal) {
			return errors.Errorf("backend: Embedding %q: id %v at %s is not an integer", op.label, badVal, position(op.ids, bad))
		}
		return errors.Errorf("backend: Embedding %q: id %v at %s is out of range [0, %d)", op.label, badVal, position(op.ids, bad), op.v)
	}
	// Distinct rows: a stamp per table row avoids clearing a V-sized set.
	if len(op.stamp) != op.v {
		op.stamp = make([]uint32, op.v)
		op.run = 0
	}
	op.run++
	if op.run == 0 { // wrapped: restart the stamps
		clear(op.stamp)
		op.run = 1
	}
	op.rows = op.rows[:0]
	for _, r := range op.idx {
		if op.stamp[r] != op.run {
			op.stamp[r] = op.run
			op.rows = append(op.rows, r)
		}
	}
	return nil
}

func convertIDs[T Float](dst []int32, ids []T, v int) (bool, int, float64) {
	lim := T(v)
	for i, x := range ids {
		// !(x >= 0) also catches NaN.
		if !(x >= 0) || x >= lim || x != T(int32(x)) {
			return false, i, float64(x)
		}
		dst[i] = int32(x)
	}
	return true, 0, 0
}

func convertIntIDs[T int | int32 | int64](dst []int32, ids []T, v int) (bool, int, float64) {
	lim := T(v)
	for i, x := range ids {
		if x < 0 || x >= lim {
			return false, i, float64(x)
		}
		dst[i] = int32(x)
	}
	return true, 0, 0
}

// position names element i of a tensor of the given shape: "(batch row 4,
// time step 17)" for (batch, timesteps) ids.
func position(shape tensor.Shape, i int) string {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = i % shape[k]
		i /= shape[k]
	}
	switch len(idx) {
	case 1:
		return fmt.Sprintf("(batch row %d)", idx[0])
	case 2:
		return fmt.Sprintf("(batch row %d, time step %d)", idx[0], idx[1])
	}
	parts := make([]string, len(idx)-1)
	for k, v := range idx[1:] {
		parts[k] = fmt.Sprint(v)
	}
	return fmt.Sprintf("(batch row %d, index [%s])", idx[0], strings.Join(parts, " "))
}

func gatherRows[T Float](dst, table []T, idx []int32, e int) {
	for i, r := range idx {
		copy(dst[i*e:(i+1)*e], table[int(r)*e:(int(r)+1)*e])
	}
}

// embeddingGradOp scatter-adds the upstream gradient (ids..., E) into a
// (V, E) table gradient.
type embeddingGradOp struct {
	opBase
	fwd  *embeddingOp
	node *G.Node
	out  outBuf
	// dirty lists the rows the buffer holds non-zero values in after the
	// last run; sparse says whether zeroing only those is safe.
	dirty   []int32
	checked bool
	sparse  bool
	last    *tensor.Dense
}

func (op *embeddingGradOp) Type() hm.Type {
	a, b := hm.TypeVariable('a'), hm.TypeVariable('i') // Gorgonia's inference uses 'b' for the result
	return hm.NewFnType(G.TensorType{Dims: op.fwd.idsDims, Of: b}, G.TensorType{Dims: op.fwd.idsDims + 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}

func (op *embeddingGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.fwd.v, op.fwd.e}, nil
}

// sparseSafe reports whether zeroing only the rows the last run touched
// leaves the buffer all zero (see readOnlyOutput).
func (op *embeddingGradOp) sparseSafe() bool { return readOnlyOutput(op.node) }

func (op *embeddingGradOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, opError(op, errors.Errorf("got %d inputs, want 2", len(inputs)))
	}
	g, err := dense(inputs[1])
	if err != nil {
		return nil, opError(op, err)
	}
	f := op.fwd
	want := append(f.ids.Clone(), f.e)
	if !g.Shape().Eq(want) {
		return nil, opError(op, errors.Errorf("gradient has shape %v, want %v", g.Shape(), want))
	}
	if len(f.idx) != f.ids.TotalSize() {
		return nil, opError(op, errors.New("the lookup has not run"))
	}
	if !op.checked {
		op.sparse, op.checked = op.sparseSafe(), true
	}
	out := op.out.get(g.Dtype(), tensor.Shape{f.v, f.e})
	fresh := out != op.last
	op.last = out
	switch gv := g.Data().(type) {
	case []float32:
		op.dirty = scatterRows(out.Data().([]float32), gv, f.idx, f.rows, op.dirty, f.e, op.sparse && !fresh)
	case []float64:
		op.dirty = scatterRows(out.Data().([]float64), gv, f.idx, f.rows, op.dirty, f.e, op.sparse && !fresh)
	default:
		return nil, opError(op, errors.Errorf("gradient of type %T", g.Data()))
	}
	return out, nil
}

// scatterRows zeroes dst (all of it, or only the rows in dirty when
// sparse), adds row i of g into row idx[i], and returns the new dirty
// rows (rows).
func scatterRows[T Float](dst, g []T, idx, rows, dirty []int32, e int, sparse bool) []int32 {
	if sparse {
		for _, r := range dirty {
			clear(dst[int(r)*e : (int(r)+1)*e])
		}
	} else {
		clear(dst)
	}
	for i, r := range idx {
		d, s := dst[int(r)*e:(int(r)+1)*e], g[i*e:(i+1)*e]
		for j, v := range s {
			d[j] += v
		}
	}
	return append(dirty[:0], rows...)
}

// EmbeddingMask returns (ids != 0) as 0/1 values of dtype dt, the shape of
// ids: Keras's mask for Embedding(mask_zero=True), which makes id 0 the
// padding. It has no gradient.
func EmbeddingMask(ids *G.Node, dt tensor.Dtype) (*G.Node, error) {
	if ids == nil {
		return nil, errors.New("backend: EmbeddingMask: nil ids")
	}
	if err := checkFloatDtype(dt); err != nil {
		return nil, errors.Wrap(err, "backend: EmbeddingMask")
	}
	if err := checkIDDtype(ids.Dtype()); err != nil {
		return nil, errors.Wrap(err, "backend: EmbeddingMask: ids")
	}
	if ids.IsScalar() {
		return nil, errors.Errorf("backend: EmbeddingMask: ids must be a tensor, got a scalar")
	}
	return G.ApplyOp(&notZeroOp{opBase: opBase{fmt.Sprintf("not_zero(%v)", dt), 1}, dt: dt, dims: ids.Dims()}, ids)
}

type notZeroOp struct {
	opBase
	dt   tensor.Dtype
	dims int
	out  outBuf
}

func (op *notZeroOp) Type() hm.Type {
	return hm.NewFnType(G.TensorType{Dims: op.dims, Of: hm.TypeVariable('i')}, G.TensorType{Dims: op.dims, Of: op.dt})
}
func (op *notZeroOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return firstShape(in...) }
func (op *notZeroOp) DiffWRT(int) []bool                                { return []bool{false} }
func (op *notZeroOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("backend: EmbeddingMask: a mask is not differentiable")
}

func (op *notZeroOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 1 {
		return nil, opError(op, errors.Errorf("got %d inputs, want 1", len(inputs)))
	}
	ids, err := dense(inputs[0])
	if err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(op.dt, ids.Shape())
	switch o := out.Data().(type) {
	case []float32:
		err = notZero(o, ids.Data())
	case []float64:
		err = notZero(o, ids.Data())
	}
	if err != nil {
		return nil, opError(op, err)
	}
	return out, nil
}

func notZero[T Float](dst []T, ids any) error {
	set := func(i int, nz bool) {
		if nz {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
	switch d := ids.(type) {
	case []float32:
		for i, v := range d {
			set(i, v != 0)
		}
	case []float64:
		for i, v := range d {
			set(i, v != 0)
		}
	case []int:
		for i, v := range d {
			set(i, v != 0)
		}
	case []int32:
		for i, v := range d {
			set(i, v != 0)
		}
	case []int64:
		for i, v := range d {
			set(i, v != 0)
		}
	default:
		return errors.Errorf("ids of type %T are not supported", ids)
	}
	return nil
}
