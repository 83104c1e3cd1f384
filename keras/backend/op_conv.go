package backend

import (
	"fmt"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D returns the convolution of x (N, H, W, C), channels last, with
// kernel (kh, kw, C/groups, F) in Keras's layout, plus bias (F) unless
// bias is nil: output (N, OH, OW, F) with
// OH = (H + top + bottom - dh*(kh-1) - 1)/sh + 1 and OW likewise. The
// kernel is not flipped (a cross-correlation, as in Keras and
// TensorFlow). The bias is added to each block of output rows while it is
// in cache, which is cheaper than a BiasAdd pass over the output, and its
// gradient is the per-channel sum of the upstream gradient; p.Relu fuses
// Keras's activation="relu" the same way. The gradients with respect to x
// and kernel are convolutions too (Conv2DTranspose's op and a
// kernel-gradient op), so it can be differentiated any number of times.
//
// It builds the patch (im2col) matrix block by block into a buffer of
// about 192 KiB per goroutine and multiplies each block by the kernel
// with MatMul's GEMM; NHWC makes every kernel tap a contiguous run of C
// values. Large convolutions are split across two goroutines. The output
// and every scratch buffer are allocated on the first run and reused.
//
// It returns an error (never panics) for a nil or non-float input, wrong
// ranks, a kernel that does not fit the padded input or the channels,
// groups that do not divide C and F, strides or dilation below 1,
// negative padding, or strides > 1 with dilation > 1.
func Conv2D(x, kernel, bias *G.Node, p ConvParams) (out *G.Node, err error) {
	defer guard("Conv2D", &err)
	g, err := nodeConvGeom("Conv2D", x, kernel, p, 4, false)
	if err != nil {
		return nil, err
	}
	return applyConv("Conv2D", convFwd, g, x, kernel, bias, p.Relu)
}

// Conv1D returns the convolution of x (N, L, C) with kernel (k, C/groups,
// F) plus bias (F) unless nil: Conv2D over (N, 1, L, C) with a (1, k,
// C/groups, F) kernel, without reshaping. The output is (N, OL, F).
func Conv1D(x, kernel, bias *G.Node, p Conv1DParams) (out *G.Node, err error) {
	defer guard("Conv1D", &err)
	g, err := nodeConvGeom("Conv1D", x, kernel, p.conv2D(), 3, false)
	if err != nil {
		return nil, err
	}
	return applyConv("Conv1D", convFwd, g, x, kernel, bias, p.Relu)
}

// DepthwiseConv2D returns the depthwise convolution of x (N, H, W, C)
// with kernel (kh, kw, C, M) in Keras's layout, plus bias (C*M) unless
// nil: each input channel c is convolved with its own M filters, giving
// output channel c*M + m of (N, OH, OW, C*M). p.Groups must be 1. It is
// computed directly (a GEMM per channel would multiply M-column
// matrices). SeparableConv2D is this (without bias) followed by a 1x1
// Conv2D with the bias, which is a single GEMM.
func DepthwiseConv2D(x, kernel, bias *G.Node, p ConvParams) (out *G.Node, err error) {
	defer guard("DepthwiseConv2D", &err)
	if p.Groups != 1 {
		return nil, errors.Errorf("backend: DepthwiseConv2D: groups %d must be 1 (one group per channel is implied)", p.Groups)
	}
	g, err := nodeConvGeom("DepthwiseConv2D", x, kernel, p, 4, true)
	if err != nil {
		return nil, err
	}
	return applyConv("DepthwiseConv2D", convFwd, g, x, kernel, bias, p.Relu)
}

// DepthwiseConv1D is DepthwiseConv2D for x (N, L, C), kernel (k, C, M)
// and bias (C*M) or nil; p.Groups must be 1.
func DepthwiseConv1D(x, kernel, bias *G.Node, p Conv1DParams) (out *G.Node, err error) {
	defer guard("DepthwiseConv1D", &err)
	if p.Groups != 1 {
		return nil, errors.Errorf("backend: DepthwiseConv1D: groups %d must be 1 (one group per channel is implied)", p.Groups)
	}
	g, err := nodeConvGeom("DepthwiseConv1D", x, kernel, p.conv2D(), 3, true)
	if err != nil {
		return nil, err
	}
	return applyConv("DepthwiseConv1D", convFwd, g, x, kernel, bias, p.Relu)
}

// ConvTransposeParams are the options of Conv2DTranspose. A transposed
// convolution scatters each input cell, times the kernel, into a "full"
// output of (H-1)*sh + dh*(kh-1) + 1 rows (and likewise columns); Padding
// crops that many rows and columns (top, bottom, left, right) off it and
// OutputPadding then adds rows at the bottom and columns at the right
// (zeros where no input reaches). ConvTransposePadding computes both from
// Keras's "valid"/"same" and output_padding.
type ConvTransposeParams struct {
	// Strides is (rows, columns), at least 1.
	Strides [2]int
	// Dilation is (rows, columns), at least 1; not together with strides
	// above 1 (Keras rejects it).
	Dilation [2]int
	// Padding is the crop (top, bottom, left, right), at least 0.
	Padding [4]int
	// OutputPadding is (rows, columns) added at the bottom and right, at
	// least 0 and less than the stride (Keras's rule).
	OutputPadding [2]int
	// Relu applies max(., 0) after the bias, fused, as in ConvParams.
	Relu bool
}

// Conv1DTransposeParams are ConvTransposeParams for one axis: Padding is
// the crop (left, right).
type Conv1DTransposeParams struct {
	Stride        int    // at least 1
	Dilation      int    // at least 1; not with Stride > 1
	Padding       [2]int // crop (left, right) of the full output, at least 0
	OutputPadding int    // steps added at the end, at least 0 and less than Stride
	Relu          bool   // fused max(., 0) after the bias, as in ConvParams
}

// Conv2DTranspose returns the transposed convolution of x (N, H, W, C)
// with kernel (kh, kw, F, C) in Keras's layout (filters before input
// channels), plus bias (F) unless nil: output (N, OH, OW, F) with
// OH = (H-1)*sh + dh*(kh-1) + 1 - top - bottom + output padding. It is
// the gradient of Conv2D with respect to its input, computed by the same
// op: a GEMM per block of rows and a col2im scatter, no flipped kernel.
// Its gradients are a Conv2D (for x) and Conv2D's kernel gradient.
func Conv2DTranspose(x, kernel, bias *G.Node, p ConvTransposeParams) (out *G.Node, err error) {
	defer guard("Conv2DTranspose", &err)
	g, err := transposeGeom("Conv2DTranspose", x, kernel, p, 4)
	if err != nil {
		return nil, err
	}
	return applyConv("Conv2DTranspose", convInGrad, g, x, kernel, bias, p.Relu)
}

// Conv1DTranspose is Conv2DTranspose for x (N, L, C), kernel (k, F, C)
// and bias (F) or nil.
func Conv1DTranspose(x, kernel, bias *G.Node, p Conv1DTransposeParams) (out *G.Node, err error) {
	defer guard("Conv1DTranspose", &err)
	p2 := ConvTransposeParams{Strides: [2]int{1, p.Stride}, Dilation: [2]int{1, p.Dilation},
		Padding: [4]int{0, 0, p.Padding[0], p.Padding[1]}, OutputPadding: [2]int{0, p.OutputPadding}, Relu: p.Relu}
	g, err := transposeGeom("Conv1DTranspose", x, kernel, p2, 3)
	if err != nil {
		return nil, err
	}
	return applyConv("Conv1DTranspose", convInGrad, g, x, kernel, bias, p.Relu)
}

// applyConv adds the op to the graph, checking the bias against the
// output channels.
func applyConv(fn string, kind convKind, g convGeom, x, kernel, bias *G.Node, relu bool) (*G.Node, error) {
	op := newConvOp(kind, g)
	if relu {
		op.relu = true
		op.name += "+relu"
	}
	if bias == nil {
		return G.ApplyOp(op, x, kernel)
	}
	ch := op.os[len(op.os)-1]
	if bias.Dims() != 1 || bias.Shape()[0] != ch {
		return nil, errors.Errorf("backend: %s: bias has shape %v, want (%d) for the output %v", fn, bias.Shape(), ch, op.os)
	}
	if bias.Dtype() != x.Dtype() {
		return nil, errors.Errorf("backend: %s: bias is %v, x %v", fn, bias.Dtype(), x.Dtype())
	}
	op.withBias()
	return G.ApplyOp(op, x, kernel, bias)
}

func nodeConvGeom(fn string, x, kernel *G.Node, p ConvParams, rank int, depthwise bool) (convGeom, error) {
	if err := checkSpatial(fn, "x", x, rank); err != nil {
		return convGeom{}, err
	}
	if err := checkSpatial(fn, "kernel", kernel, rank); err != nil {
		return convGeom{}, err
	}
	if x.Dtype() != kernel.Dtype() {
		return convGeom{}, errors.Errorf("backend: %s: x is %v, kernel %v", fn, x.Dtype(), kernel.Dtype())
	}
	return newConvGeom(fn, x.Shape(), kernel.Shape(), p, depthwise)
}

// transposeGeom returns the geometry of the convolution whose input
// gradient is the transposed convolution: from the output (N, OH, OW, F)
// to x (N, H, W, C) with the kernel read as (kh, kw, F, C).
func transposeGeom(fn string, x, kernel *G.Node, p ConvTransposeParams, rank int) (convGeom, error) {
	if err := checkSpatial(fn, "x", x, rank); err != nil {
		return convGeom{}, err
	}
	if err := checkSpatial(fn, "kernel", kernel, rank); err != nil {
		return convGeom{}, err
	}
	if x.Dtype() != kernel.Dtype() {
		return convGeom{}, errors.Errorf("backend: %s: x is %v, kernel %v", fn, x.Dtype(), kernel.Dtype())
	}
	cp := ConvParams{Strides: p.Strides, Dilation: p.Dilation, Padding: p.Padding, Groups: 1}
	if err := checkConvParams(fn, cp, rank); err != nil {
		return convGeom{}, err
	}
	for i, op := range p.OutputPadding {
		if op < 0 || op >= p.Strides[i] {
			return convGeom{}, errors.Errorf("backend: %s: output padding %v must be at least 0 and less than the strides %v",
				fn, p.OutputPadding, p.Strides)
		}
	}
	xs, ks := x.Shape(), kernel.Shape()
	g := convGeom{rank: rank, groups: 1}
	g.n, g.oh, g.ow, g.f = spatialDims(xs)
	var kf, kc int
	if rank == 3 {
		g.kh, g.kw, kf, kc = 1, ks[0], ks[1], ks[2]
	} else {
		g.kh, g.kw, kf, kc = ks[0], ks[1], ks[2], ks[3]
	}
	if kc != g.f {
		return g, errors.Errorf("backend: %s: kernel %v needs %d input channels (its last axis), x %v has %d", fn, ks, kc, xs, g.f)
	}
	g.c = kf
	g.sh, g.sw, g.dh, g.dw = p.Strides[0], p.Strides[1], p.Dilation[0], p.Dilation[1]
	g.pt, g.pl = p.Padding[0], p.Padding[2]
	g.h = (g.oh-1)*g.sh + g.dh*(g.kh-1) + 1 - p.Padding[0] - p.Padding[1] + p.OutputPadding[0]
	g.w = (g.ow-1)*g.sw + g.dw*(g.kw-1) + 1 - p.Padding[2] - p.Padding[3] + p.OutputPadding[1]
	if g.h < 1 || g.w < 1 {
		return g, errors.Errorf("backend: %s: x %v with kernel %v, strides %v, dilation %v: padding %v crops the whole output",
			fn, xs, ks, p.Strides, p.Dilation, p.Padding)
	}
	if err := checkSizes(fn, "output", g.xShape()); err != nil {
		return g, err
	}
	return g, nil
}

type convKind int

const (
	convFwd      convKind = iota // (x, kernel) -> y
	convInGrad                   // (dy, kernel) -> dx: also the transposed convolution
	convKernGrad                 // (x, dy) -> dkernel
)

func (k convKind) String() string {
	return [...]string{"conv", "conv_input_grad", "conv_kernel_grad"}[k]
}

// convOp is one of the three bilinear maps of a convolution geometry:
// the convolution itself, its gradient with respect to the input and its
// gradient with respect to the kernel. Each one's gradient is built from
// the other two, so all are differentiable.
type convOp struct {
	opBase
	kind       convKind
	g          convGeom
	as, bs, os tensor.Shape // the shapes of the two inputs and the output
	bias       bool         // a third input (output channels) is added
	relu       bool         // max(., 0) after the bias
	out        outBuf
	s          convScratch
}

// withBias makes op take a bias as its third input.
func (op *convOp) withBias() {
	op.bias, op.arity = true, 3
	op.name += "+bias"
}

func newConvOp(kind convKind, g convGeom) *convOp {
	name := fmt.Sprintf("%v(%v)", kind, &g)
	if g.depthwise {
		name = "depthwise_" + name
	}
	op := &convOp{opBase: opBase{name, 2}, kind: kind, g: g}
	x, k, y := g.xShape(), g.kShape(), g.yShape()
	switch kind {
	case convInGrad:
		op.as, op.bs, op.os = y, k, x
	case convKernGrad:
		op.as, op.bs, op.os = x, y, k
	default:
		op.as, op.bs, op.os = x, k, y
	}
	return op
}

// shapes returns the shapes of the op's two inputs and its output.
func (op *convOp) shapes() (a, b, out tensor.Shape) { return op.as, op.bs, op.os }

func (op *convOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: op.g.rank, Of: a}
	if op.bias {
		return hm.NewFnType(t, t, G.TensorType{Dims: 1, Of: a}, t)
	}
	return hm.NewFnType(t, t, t)
}

func (op *convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return op.os.Clone(), nil }

func (op *convOp) DiffWRT(int) []bool {
	if op.bias {
		return []bool{true, true, true}
	}
	return []bool{true, true}
}

func (op *convOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	a, b := inputs[0], inputs[1]
	if op.relu {
		// The gradient before the activation, from the output itself.
		var err error
		if grad, err = G.ApplyOp(&reluMaskOp{opBase: opBase{op.name + "_relu_grad", 2}, shape: op.os}, output, grad); err != nil {
			return nil, err
		}
	}
	apply := func(kind convKind, u, v *G.Node) (*G.Node, error) {
		return G.ApplyOp(newConvOp(kind, op.g), u, v)
	}
	var da, db *G.Node
	var err error
	switch op.kind {
	case convFwd: // y = conv(x, k)
		if da, err = apply(convInGrad, grad, b); err == nil {
			db, err = apply(convKernGrad, a, grad)
		}
	case convInGrad: // dx = inGrad(dy, k)
		if da, err = apply(convFwd, grad, b); err == nil {
			db, err = apply(convKernGrad, grad, a)
		}
	case convKernGrad: // dk = kernGrad(x, dy)
		if da, err = apply(convInGrad, b, grad); err == nil {
			db, err = apply(convFwd, a, grad)
		}
	}
	if err != nil || !op.bias {
		return G.Nodes{da, db}, err
	}
	dbias, err := G.ApplyOp(&channelSumOp{opBase: opBase{op.name + "_bias_grad", 1}, shape: op.os}, grad)
	return G.Nodes{da, db, dbias}, err
}

func (op *convOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	as, bs, os := op.shapes()
	if !in[0].Shape().Eq(as) || !in[1].Shape().Eq(bs) {
		return nil, opError(op, errors.Errorf("inputs %v and %v, want %v and %v", in[0].Shape(), in[1].Shape(), as, bs))
	}
	if op.bias && in[2].Shape().TotalSize() != os[len(os)-1] {
		return nil, opError(op, errors.Errorf("bias %v for output %v", in[2].Shape(), os))
	}
	out := op.out.get(in[0].Dtype(), os)
	switch a := in[0].Data().(type) {
	case []float32:
		runConv(op, a, in[1].Data().([]float32), biasData[float32](in), out.Data().([]float32))
	case []float64:
		runConv(op, a, in[1].Data().([]float64), biasData[float64](in), out.Data().([]float64))
	}
	return out, nil
}

func biasData[T Float](in []*tensor.Dense) []T {
	if len(in) < 3 {
		return nil
	}
	return in[2].Data().([]T)
}

func runConv[T Float](op *convOp, a, b, bias, out []T) {
	ep := epilogue[T]{bias: bias, relu: op.relu}
	switch op.kind {
	case convFwd:
		convForward(&op.g, a, b, ep, out, &op.s)
	case convInGrad:
		convInputGrad(&op.g, a, b, ep, out, &op.s)
	case convKernGrad:
		convKernelGrad(&op.g, a, b, out, &op.s)
	}
}

// reluMaskOp: inputs (y, dy) -> dy where y > 0, else 0.
type reluMaskOp struct {
	opBase
	shape tensor.Shape
	out   outBuf
}

func (op *reluMaskOp) Type() hm.Type                                  { return sameType(2) }
func (op *reluMaskOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

func (op *reluMaskOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(op.shape) || !in[1].Shape().Eq(op.shape) {
		return nil, opError(op, errors.Errorf("inputs %v and %v, want %v", in[0].Shape(), in[1].Shape(), op.shape))
	}
	out := op.out.get(in[0].Dtype(), op.shape)
	switch y := in[0].Data().(type) {
	case []float32:
		reluMask(y, in[1].Data().([]float32), out.Data().([]float32))
	case []float64:
		reluMask(y, in[1].Data().([]float64), out.Data().([]float64))
	}
	return out, nil
}

// channelSumOp sums a tensor over every axis but the last: the gradient
// of a bias added per output channel.
type channelSumOp struct {
	opBase
	shape tensor.Shape
	out   outBuf
	acc   [][]float64
}

func (op *channelSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.shape), Of: a}, G.TensorType{Dims: 1, Of: a})
}
func (op *channelSumOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.shape[len(op.shape)-1]}, nil
}

func (op *channelSumOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(op.shape) {
		return nil, opError(op, errors.Errorf("input %v, want %v", in[0].Shape(), op.shape))
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{op.shape[len(op.shape)-1]})
	switch a := in[0].Data().(type) {
	case []float32:
		channelSums(a, out.Data().([]float32), &op.acc)
	case []float64:
		channelSums(a, out.Data().([]float64), &op.acc)
	}
	return out, nil
}
