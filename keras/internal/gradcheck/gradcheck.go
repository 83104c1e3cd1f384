// Package gradcheck compares Gorgonia's symbolic gradients with central
// finite differences. Every op, activation, loss and layer test in gokeras
// uses it; it works in float64, where finite differences are accurate.
package gradcheck

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Func builds the function under test from its input nodes. It may return
// a node of any shape: non-scalar outputs are reduced to sum(out * R) with
// a fixed random R, which checks the whole Jacobian against one random
// direction.
type Func func(g *G.ExprGraph, inputs G.Nodes) (*G.Node, error)

// Options tune a check. The zero value means: step 1e-6, tolerance
// 1e-6 + 1e-4*|g|, every input differentiated.
type Options struct {
	Step   float64 // finite-difference step (default 1e-6)
	Atol   float64 // absolute tolerance (default 1e-6)
	Rtol   float64 // relative tolerance (default 1e-4)
	NoGrad []bool  // NoGrad[i] skips input i (targets, labels)
}

// Mismatch describes the worst disagreement found.
type Mismatch struct {
	Input, Index       int
	Symbolic, Numeric  float64
	AbsError, RelError float64
}

// Check runs f on float64 copies of inputs, differentiates sum(f * R) with
// respect to every input and compares each partial derivative with a
// central difference. It returns the worst mismatch and an error when any
// partial derivative is outside tolerance.
func Check(f Func, inputs []*tensor.Dense, opt Options) (Mismatch, error) {
	if opt.Step == 0 {
		opt.Step = 1e-6
	}
	if opt.Atol == 0 {
		opt.Atol = 1e-6
	}
	if opt.Rtol == 0 {
		opt.Rtol = 1e-4
	}
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	values := make([]*tensor.Dense, len(inputs))
	for i, in := range inputs {
		v := tensor.New(tensor.WithShape(in.Shape().Clone()...), tensor.WithBacking(toF64(in.Data())))
		values[i] = v
		nodes[i] = G.NewTensor(g, tensor.Float64, v.Dims(), G.WithShape(v.Shape().Clone()...), G.WithName(names(i)), G.WithValue(v))
	}
	out, err := f(g, nodes)
	if err != nil {
		return Mismatch{}, errors.Wrap(err, "gradcheck: building the function")
	}
	cost := out
	if !out.IsScalar() {
		rng := rand.New(rand.NewSource(7))
		r := make([]float64, out.Shape().TotalSize())
		for i := range r {
			r[i] = rng.Float64()*2 - 1
		}
		rn := G.NewTensor(g, tensor.Float64, out.Dims(), G.WithShape(out.Shape().Clone()...), G.WithName("gradcheck_r"),
			G.WithValue(tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.WithBacking(r))))
		prod, err := G.HadamardProd(out, rn)
		if err != nil {
			return Mismatch{}, err
		}
		for prod.Dims() > 0 {
			if prod, err = G.Sum(prod, 0); err != nil {
				return Mismatch{}, err
			}
		}
		cost = prod
	}
	var wrt G.Nodes
	var wrtIdx []int
	for i, n := range nodes {
		if i < len(opt.NoGrad) && opt.NoGrad[i] {
			continue
		}
		wrt = append(wrt, n)
		wrtIdx = append(wrtIdx, i)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return Mismatch{}, errors.Wrap(err, "gradcheck: Grad")
	}
	var costVal G.Value
	gradVals := make([]G.Value, len(grads))
	G.Read(cost, &costVal)
	for i, gn := range grads {
		G.Read(gn, &gradVals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() (float64, error) {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, err
		}
		return scalar(costVal), nil
	}
	if _, err := run(); err != nil {
		return Mismatch{}, errors.Wrap(err, "gradcheck: running")
	}
	symbolic := make([][]float64, len(grads))
	for i := range grads {
		symbolic[i] = toF64(gradVals[i].Data())
	}
	var worst Mismatch
	var failed error
	for k, i := range wrtIdx {
		data := values[i].Data().([]float64)
		for j := range data {
			orig := data[j]
			data[j] = orig + opt.Step
			up, err := run()
			if err != nil {
				return worst, err
			}
			data[j] = orig - opt.Step
			down, err := run()
			if err != nil {
				return worst, err
			}
			data[j] = orig
			num := (up - down) / (2 * opt.Step)
			sym := symbolic[k][j]
			abs := math.Abs(sym - num)
			rel := abs / math.Max(math.Max(math.Abs(sym), math.Abs(num)), 1e-12)
			if abs > worst.AbsError || math.IsNaN(abs) {
				worst = Mismatch{i, j, sym, num, abs, rel}
			}
			if (abs > opt.Atol+opt.Rtol*math.Abs(num) || math.IsNaN(abs)) && failed == nil {
				failed = errors.Errorf("gradcheck: input %d element %d: symbolic %.9g, numeric %.9g (abs error %.3g)", i, j, sym, num, abs)
			}
		}
	}
	return worst, failed
}

// Forward runs f once on float64 copies of inputs and returns its output.
func Forward(f Func, inputs []*tensor.Dense) ([]float64, tensor.Shape, error) {
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	for i, in := range inputs {
		v := tensor.New(tensor.WithShape(in.Shape().Clone()...), tensor.WithBacking(toF64(in.Data())))
		nodes[i] = G.NewTensor(g, tensor.Float64, v.Dims(), G.WithShape(v.Shape().Clone()...), G.WithName(names(i)), G.WithValue(v))
	}
	out, err := f(g, nodes)
	if err != nil {
		return nil, nil, err
	}
	var val G.Value
	G.Read(out, &val)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, nil, err
	}
	if out.IsScalar() {
		return []float64{scalar(val)}, tensor.Shape{}, nil
	}
	return toF64(val.Data()), out.Shape().Clone(), nil
}

func names(i int) string { return "gradcheck_in" + string(rune('a'+i)) }

func scalar(v G.Value) float64 {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s)
	case *G.F32:
		return float64(*s)
	}
	d := toF64(v.Data())
	if len(d) == 1 {
		return d[0]
	}
	return math.NaN()
}

func toF64(data interface{}) []float64 {
	switch d := data.(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// Rand returns a float64 tensor of the given shape with values uniform in
// [lo, hi), from a fixed seed.
func Rand(seed int64, lo, hi float64, shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = lo + (hi-lo)*rng.Float64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// FromSlice wraps data as a float64 tensor of the given shape.
func FromSlice(data []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), data...)))
}

// Gradient runs f once on float64 copies of inputs and returns Gorgonia's
// symbolic gradient of sum(f(inputs)) with respect to every input whose
// noGrad flag is unset (nil for the others). Tests compare it with
// reference gradients recorded from another framework.
func Gradient(f Func, inputs []*tensor.Dense, noGrad []bool) ([][]float64, error) {
	g := G.NewGraph()
	nodes := make(G.Nodes, len(inputs))
	for i, in := range inputs {
		v := tensor.New(tensor.WithShape(in.Shape().Clone()...), tensor.WithBacking(toF64(in.Data())))
		nodes[i] = G.NewTensor(g, tensor.Float64, v.Dims(), G.WithShape(v.Shape().Clone()...), G.WithName(names(i)), G.WithValue(v))
	}
	out, err := f(g, nodes)
	if err != nil {
		return nil, errors.Wrap(err, "gradcheck: building the function")
	}
	cost := out
	for cost.Dims() > 0 {
		if cost, err = G.Sum(cost, 0); err != nil {
			return nil, err
		}
	}
	var wrt G.Nodes
	var idx []int
	for i, n := range nodes {
		if i < len(noGrad) && noGrad[i] {
			continue
		}
		wrt = append(wrt, n)
		idx = append(idx, i)
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return nil, errors.Wrap(err, "gradcheck: Grad")
	}
	vals := make([]G.Value, len(grads))
	for i, gn := range grads {
		G.Read(gn, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, errors.Wrap(err, "gradcheck: running")
	}
	res := make([][]float64, len(inputs))
	for k, i := range idx {
		res[i] = toF64(vals[k].Data())
	}
	return res, nil
}
