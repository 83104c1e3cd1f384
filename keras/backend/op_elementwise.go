package backend

import (
	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ElemFunc is a scalar function applied to every element of a tensor by
// Elementwise, with its derivative.
type ElemFunc struct {
	// Name identifies the function and every parameter it closes over
	// ("elu(alpha=1)"): two ElemFuncs with the same Name must compute the
	// same thing, because Gorgonia merges nodes by it.
	Name string
	// F is the function.
	F func(x float64) float64
	// DF is dF/dx at x, given x and y = F(x) (whichever is cheaper).
	DF func(x, y float64) float64
}

// Elementwise applies f to every element of x. The gradient is
// upstream * f.DF(x, f(x)). Use it for functions Gorgonia has no op for
// (elu, selu, gelu, swish, clipping, ...); gradient-check each f.
func Elementwise(x *G.Node, f ElemFunc) (*G.Node, error) {
	if f.Name == "" || f.F == nil || f.DF == nil {
		return nil, errors.New("backend: Elementwise: ElemFunc needs Name, F and DF")
	}
	return G.ApplyOp(&elemOp{opBase: opBase{f.Name, 1}, f: f}, x)
}

type elemOp struct {
	opBase
	f   ElemFunc
	out outBuf
}

func (op *elemOp) Type() hm.Type { return sameType(1) }
func (op *elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}
func (op *elemOp) DiffWRT(int) []bool { return []bool{true} }

func (op *elemOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &elemGradOp{opBase: opBase{op.name + "_grad", 3}, f: op.f}
	dx, err := G.ApplyOp(g, inputs[0], output, grad)
	return G.Nodes{dx}, err
}

func (op *elemOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.get(x.Dtype(), x.Shape())
	switch x.Dtype() {
	case tensor.Float32:
		xs := x.Float32s()
		mapElems(out.Float32s(), xs, op.f.F)
	case tensor.Float64:
		xs := x.Float64s()
		mapElems(out.Float64s(), xs, op.f.F)
	}
	return out, nil
}

type elemGradOp struct {
	opBase
	f   ElemFunc
	out outBuf
}

func (op *elemGradOp) Type() hm.Type { return sameType(3) }
func (op *elemGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}

func (op *elemGradOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	x, y, g := in[0], in[1], in[2]
	out := op.out.get(x.Dtype(), x.Shape())
	switch x.Dtype() {
	case tensor.Float32:
		xs := x.Float32s()
		gradElems(out.Float32s(), xs, y.Float32s(), g.Float32s(), op.f.DF)
	case tensor.Float64:
		xs := x.Float64s()
		gradElems(out.Float64s(), xs, y.Float64s(), g.Float64s(), op.f.DF)
	}
	return out, nil
}

func mapElems[T Float](dst, src []T, f func(float64) float64) {
	for i, v := range src {
		dst[i] = T(f(float64(v)))
	}
}

func gradElems[T Float](dst, x, y, g []T, df func(x, y float64) float64) {
	for i := range dst {
		dst[i] = T(float64(g[i]) * df(float64(x[i]), float64(y[i])))
	}
}
