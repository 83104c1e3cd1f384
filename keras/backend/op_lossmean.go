package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// weightedMean returns sum(per[i] * sw[i]) * (1/rows) for per-sample losses
// per and sample weights sw, both (rows): one op for what Gorgonia built
// from seven (⊙, Σ, a constant, ×, and in the backward pass a constant,
// ×, a reshape, a size, an allocation, a repeat and ⊙), each allocating
// its result every step. It performs the same float operations in the
// same order: each product rounded, summed from 0 in index order, times
// the constant 1/rows of the dtype; the gradient with respect to per is
// sw[i] * (g * (1/rows)) for upstream g. Weights get no gradient.
func weightedMean(s *Scope, per, sw *G.Node, rows int) (*G.Node, error) {
	if per.Dims() != 1 || sw.Dims() != 1 || per.Shape()[0] != rows || sw.Shape()[0] != rows {
		return nil, errors.Errorf("backend: weighted mean of losses %v with weights %v, want (%d) each", per.Shape(), sw.Shape(), rows)
	}
	c := 1 / float64(rows)
	op := &lossMeanOp{opBase: opBase{fmt.Sprintf("loss_mean(1/%d)", rows), 2}, c: c}
	return G.ApplyOp(op, per, sw)
}

type lossMeanOp struct {
	opBase
	c   float64 // 1/rows, rounded to the dtype where used
	f32 G.F32
	f64 G.F64
}

func (op *lossMeanOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(v, v, a)
}

func (op *lossMeanOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *lossMeanOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *lossMeanOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	g := &lossMeanGradOp{opBase: opBase{fmt.Sprintf("loss_mean_grad(%g)", op.c), 2}, c: op.c}
	dper, err := G.ApplyOp(g, inputs[1], grad)
	return G.Nodes{dper, nil}, err
}

// Do returns a scalar value the op owns (one per dtype), overwritten by the
// next run; the engine reads it out with G.Read before then.
func (op *lossMeanOp) Do(inputs ...G.Value) (G.Value, error) {
	var buf inputBuf
	in, err := densesInto(buf[:0], op, inputs)
	if err != nil {
		return nil, err
	}
	per, sw := in[0], in[1]
	n := per.Shape().TotalSize()
	if sw.Shape().TotalSize() != n {
		return nil, opError(op, errors.Errorf("%d losses, %d weights", n, sw.Shape().TotalSize()))
	}
	switch per.Dtype() {
	case tensor.Float32:
		p, w := per.Float32s()[:n], sw.Float32s()[:n]
		var sum float32
		for i, v := range p {
			sum += v * w[i]
		}
		op.f32 = G.F32(sum * float32(op.c))
		return &op.f32, nil
	default:
		p, w := per.Float64s()[:n], sw.Float64s()[:n]
		var sum float64
		for i, v := range p {
			sum += v * w[i]
		}
		op.f64 = G.F64(sum * op.c)
		return &op.f64, nil
	}
}

// lossMeanGradOp computes sw[i] * (g * c) for weights sw (rows) and the
// scalar upstream gradient g.
type lossMeanGradOp struct {
	opBase
	c   float64
	out outBuf
}

func (op *lossMeanGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(v, a, v)
}

func (op *lossMeanGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return firstShape(in...)
}

func (op *lossMeanGradOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, errors.Errorf("%v: got %d inputs, want 2", op, len(inputs))
	}
	sw, err := dense(inputs[0])
	if err != nil {
		return nil, opError(op, err)
	}
	n := sw.Shape().TotalSize()
	out := op.out.getVec(sw.Dtype(), n)
	switch g := inputs[1].(type) {
	case *G.F32:
		k := float32(*g) * float32(op.c)
		w, d := sw.Float32s()[:n], out.Float32s()[:n]
		for i, v := range w {
			d[i] = v * k
		}
	case *G.F64:
		k := float64(*g) * op.c
		w, d := sw.Float64s()[:n], out.Float64s()[:n]
		for i, v := range w {
			d[i] = v * k
		}
	default:
		return nil, opError(op, errors.Errorf("the upstream gradient is a %T, want a float scalar", inputs[1]))
	}
	return out, nil
}
