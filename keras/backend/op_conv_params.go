package backend

import (
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxSpatialElems bounds every tensor a convolution, pooling or resizing
// op declares (inputs, outputs, kernels): 2^31-1 elements, so that index
// arithmetic never overflows and a mistyped size gives an error instead of
// an attempt to allocate terabytes.
const maxSpatialElems = math.MaxInt32

// ConvParams are the options of Conv2D (and of Conv1D through
// Conv1DParams). Every field must be set: strides and dilation are at
// least 1, padding amounts at least 0, groups at least 1.
type ConvParams struct {
	// Strides is (rows, columns), in cells: the step between two windows.
	Strides [2]int
	// Dilation is (rows, columns): the spacing of the kernel taps (1 is a
	// dense kernel). Keras rejects strides > 1 together with dilation > 1
	// (on any axes) and so does Conv2D.
	Dilation [2]int
	// Padding is (top, bottom, left, right), in cells of zeros added
	// around each image before the kernel slides. SamePadding and
	// CausalPadding compute Keras's "same" and "causal" amounts; "valid"
	// is all zeros.
	Padding [4]int
	// Groups splits the C input channels and the F filters into Groups
	// equal parts; filter f sees only the input channels of its group
	// f / (F/Groups) (Keras's and TensorFlow's grouped convolution). 1 is
	// an ordinary convolution.
	Groups int
	// Relu applies max(., 0) to the output after the bias (Keras's
	// activation="relu"), fused into the op: no separate pass over the
	// output, and a branch-free mask in the gradient. Off by default.
	Relu bool
}

// Conv1DParams are the options of Conv1D: Stride, Dilation and Groups as
// in ConvParams for the single (time) axis, Padding as (left, right).
type Conv1DParams struct {
	Stride   int    // step between windows, at least 1
	Dilation int    // spacing of the kernel taps, at least 1
	Padding  [2]int // zeros before and after the sequence
	Groups   int    // channel groups, at least 1
	Relu     bool   // fused max(., 0) after the bias, as in ConvParams
}

// conv2D returns the two-dimensional parameters of a one-dimensional
// convolution over (N, 1, L, C).
func (p Conv1DParams) conv2D() ConvParams {
	return ConvParams{Strides: [2]int{1, p.Stride}, Dilation: [2]int{1, p.Dilation},
		Padding: [4]int{0, 0, p.Padding[0], p.Padding[1]}, Groups: p.Groups, Relu: p.Relu}
}

// ConvOutputLength returns the length of a convolution's (or pooling's)
// output along one axis of n cells for a kernel of k taps with the given
// stride and dilation and Keras's padding mode: "valid" gives
// (n - d*(k-1) - 1)/s + 1 (floor; 0 when the kernel does not fit),
// "same" ceil(n/s), "causal" the "valid" length of the sequence padded
// with d*(k-1) cells on the left, which is n/s rounded up as well.
// It returns an error for sizes below 1 or an unknown padding name.
func ConvOutputLength(n, k, stride, dilation int, padding string) (int, error) {
	if err := checkAxis(n, k, stride, dilation); err != nil {
		return 0, errors.Wrap(err, "backend: ConvOutputLength")
	}
	ke := dilation*(k-1) + 1
	switch padding {
	case "valid":
		if n < ke {
			return 0, nil
		}
		return (n-ke)/stride + 1, nil
	case "same", "causal":
		return (n + stride - 1) / stride, nil
	}
	return 0, errors.Errorf("backend: ConvOutputLength: padding %q is not one of \"valid\", \"same\", \"causal\"", padding)
}

// SamePadding returns the zeros TensorFlow and Keras add before and after
// an axis of n cells for padding "same" with a kernel of k taps, stride s
// and dilation d: the output has ceil(n/s) cells, the total padding is
// max((ceil(n/s)-1)*s + d*(k-1) + 1 - n, 0), and the odd cell goes after
// (at the bottom or right): before = total/2, after = total - before.
func SamePadding(n, k, stride, dilation int) (before, after int, err error) {
	if err := checkAxis(n, k, stride, dilation); err != nil {
		return 0, 0, errors.Wrap(err, "backend: SamePadding")
	}
	out := (n + stride - 1) / stride
	total := max((out-1)*stride+dilation*(k-1)+1-n, 0)
	return total / 2, total - total/2, nil
}

// CausalPadding returns Keras's "causal" padding of Conv1D: d*(k-1)
// zeros before the sequence and none after, so that output t sees only
// inputs up to t.
func CausalPadding(k, dilation int) (before, after int, err error) {
	if err := checkAxis(1, k, 1, dilation); err != nil {
		return 0, 0, errors.Wrap(err, "backend: CausalPadding")
	}
	return dilation * (k - 1), 0, nil
}

// ConvTransposeOutputLength returns the output length of Keras 3's
// transposed convolution (Conv1DTranspose/Conv2DTranspose) along one axis
// of n input cells, as keras/src/backend/common/backend_utils.py's
// compute_conv_transpose_output_shape does, with ke = d*(k-1)+1:
//
//	valid: (n-1)*s + ke + outputPadding, where outputPadding < 0 (Keras's
//	       None) means max(ke, s) - ke
//	same:  n*s when outputPadding < 0, else (n-1)*s + ke%2 + outputPadding
//
// Keras requires outputPadding < stride; so does this function.
func ConvTransposeOutputLength(n, k, stride, dilation int, padding string, outputPadding int) (int, error) {
	_, _, _, out, err := convTransposeAmounts(n, k, stride, dilation, padding, outputPadding)
	if err != nil {
		return 0, errors.Wrap(err, "backend: ConvTransposeOutputLength")
	}
	return out, nil
}

// ConvTransposePadding returns the amounts Conv2DTranspose takes for
// Keras's padding mode along one axis (see ConvTransposeParams): cells
// cropped before and after the full transposed output (n-1)*s + ke, and
// zero cells added after it. It follows the padding Keras 3 derives for
// JAX (_convert_conv_transpose_padding_args_from_keras_to_jax: a
// stride-1 convolution of the stride-dilated input padded by (lp, rp)),
// which is the same as cropping ke-1-lp before and ke-1-rp after, a
// negative crop being that many zero cells. outputPadding < 0 means
// Keras's None.
func ConvTransposePadding(n, k, stride, dilation int, padding string, outputPadding int) (cropBefore, cropAfter, extra int, err error) {
	cropBefore, cropAfter, extra, _, err = convTransposeAmounts(n, k, stride, dilation, padding, outputPadding)
	if err != nil {
		return 0, 0, 0, errors.Wrap(err, "backend: ConvTransposePadding")
	}
	return cropBefore, cropAfter, extra, nil
}

func convTransposeAmounts(n, k, s, d int, padding string, op int) (before, after, extra, out int, err error) {
	if err := checkAxis(n, k, s, d); err != nil {
		return 0, 0, 0, 0, err
	}
	if op >= s {
		return 0, 0, 0, 0, errors.Errorf("output padding %d must be less than the stride %d", op, s)
	}
	ke := d*(k-1) + 1
	var lp, rp int
	switch padding {
	case "valid":
		if op < 0 {
			op = max(ke, s) - ke
		}
		lp, rp = ke-1, ke-1+op
		out = (n-1)*s + ke + op
	case "same":
		var total int
		if op < 0 {
			total = s + ke - 2
			out = n * s
		} else {
			total = ke + ke%2 - 2 + op
			out = (n-1)*s + ke%2 + op
		}
		lp = min(total/2+total%2, ke-1)
		rp = total - lp
	default:
		return 0, 0, 0, 0, errors.Errorf("padding %q is not one of \"valid\", \"same\"", padding)
	}
	before, after = ke-1-lp, ke-1-rp
	if after < 0 {
		extra, after = -after, 0
	}
	if full := (n-1)*s + ke - before - after + extra; full != out {
		return 0, 0, 0, 0, errors.Errorf("internal: transposed output %d, expected %d", full, out)
	}
	return before, after, extra, out, nil
}

func checkAxis(n, k, stride, dilation int) error {
	switch {
	case n < 1:
		return errors.Errorf("input length %d must be at least 1", n)
	case k < 1:
		return errors.Errorf("kernel size %d must be at least 1", k)
	case stride < 1:
		return errors.Errorf("stride %d must be at least 1", stride)
	case dilation < 1:
		return errors.Errorf("dilation %d must be at least 1", dilation)
	case n > maxSpatialElems || k > maxSpatialElems || stride > maxSpatialElems || dilation > maxSpatialElems:
		return errors.Errorf("sizes (%d, %d, %d, %d) are too large", n, k, stride, dilation)
	}
	return nil
}

// convGeom is the geometry of one convolution from an input (n, h, w, c)
// to an output (n, oh, ow, f) with a kernel (kh, kw, c/groups, f). Rank 3
// tensors (n, w, c) have h = 1. Every op here that slides a window
// (convolutions, their gradients, transposed convolutions) is described by
// one convGeom of the forward convolution.
type convGeom struct {
	n, h, w, c int
	oh, ow, f  int
	kh, kw     int
	sh, sw     int
	dh, dw     int
	pt, pl     int // padding before rows and columns (after is implied by oh, ow)
	groups     int
	rank       int  // 3 or 4: the rank of the input, output and kernel tensors
	depthwise  bool // kernel is (kh, kw, c, f/c): one group per input channel
}

func (g *convGeom) cg() int    { return g.c / g.groups }
func (g *convGeom) fg() int    { return g.f / g.groups }
func (g *convGeom) kg() int    { return g.kh * g.kw * g.cg() }
func (g *convGeom) kcols() int { return g.kh * g.kw * g.c }
func (g *convGeom) rows() int  { return g.n * g.oh * g.ow }

// pointwise reports whether the convolution is a plain matrix product of
// the input rows and the kernel (1x1 kernel, stride 1, no padding).
func (g *convGeom) pointwise() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.oh == g.h && g.ow == g.w
}

func (g *convGeom) spatial(n, h, w, c int) tensor.Shape {
	if g.rank == 3 {
		return tensor.Shape{n, w, c}
	}
	return tensor.Shape{n, h, w, c}
}

func (g *convGeom) xShape() tensor.Shape { return g.spatial(g.n, g.h, g.w, g.c) }
func (g *convGeom) yShape() tensor.Shape { return g.spatial(g.n, g.oh, g.ow, g.f) }

func (g *convGeom) kShape() tensor.Shape {
	in, out := g.cg(), g.f
	if g.depthwise {
		in, out = g.c, g.f/g.c
	}
	if g.rank == 3 {
		return tensor.Shape{g.kw, in, out}
	}
	return tensor.Shape{g.kh, g.kw, in, out}
}

func (g *convGeom) String() string {
	return fmt.Sprintf("x%v k%v y%v s(%d,%d) d(%d,%d) p(%d,%d) g%d", g.xShape(), g.kShape(), g.yShape(),
		g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.groups)
}

// spatialDims returns (n, h, w, c) of a rank-3 (n, w, c) or rank-4 shape.
func spatialDims(s tensor.Shape) (n, h, w, c int) {
	if len(s) == 3 {
		return s[0], 1, s[1], s[2]
	}
	return s[0], s[1], s[2], s[3]
}

// checkSpatial validates the rank and sizes of an (N, H, W, C) or
// (N, L, C) input node named what for the constructor fn.
func checkSpatial(fn, what string, x *G.Node, ranks ...int) error {
	if x == nil {
		return errors.Errorf("backend: %s: %s is nil", fn, what)
	}
	ok := false
	for _, r := range ranks {
		ok = ok || x.Dims() == r
	}
	if !ok {
		return errors.Errorf("backend: %s: %s has shape %v, want rank %v", fn, what, x.Shape(), ranks)
	}
	if err := checkFloatDtype(x.Dtype()); err != nil {
		return errors.Wrapf(err, "backend: %s: %s", fn, what)
	}
	return checkSizes(fn, what, x.Shape())
}

func checkSizes(fn, what string, s tensor.Shape) error {
	total := 1
	for _, d := range s {
		if d < 1 {
			return errors.Errorf("backend: %s: %s has shape %v; every size must be at least 1", fn, what, s)
		}
		if d > maxSpatialElems || total > maxSpatialElems/d {
			return errors.Errorf("backend: %s: %s has shape %v, more than %d elements", fn, what, s, maxSpatialElems)
		}
		total *= d
	}
	return nil
}

// newConvGeom checks a convolution of x by a kernel of shape ks (in
// Keras's layout; kernel (kh, kw, C/groups, F) or, for rank 3, (k,
// C/groups, F)) and returns its geometry. depthwise reads ks as (kh, kw,
// C, M) instead.
func newConvGeom(fn string, xs, ks tensor.Shape, p ConvParams, depthwise bool) (convGeom, error) {
	g := convGeom{rank: len(xs), depthwise: depthwise}
	if len(ks) != len(xs) {
		return g, errors.Errorf("backend: %s: kernel %v has rank %d, input %v rank %d; they must agree", fn, ks, len(ks), xs, len(xs))
	}
	if err := checkSizes(fn, "kernel", ks); err != nil {
		return g, err
	}
	g.n, g.h, g.w, g.c = spatialDims(xs)
	var kin, kout int
	if g.rank == 3 {
		g.kh, g.kw, kin, kout = 1, ks[0], ks[1], ks[2]
	} else {
		g.kh, g.kw, kin, kout = ks[0], ks[1], ks[2], ks[3]
	}
	if err := checkConvParams(fn, p, g.rank); err != nil {
		return g, err
	}
	g.sh, g.sw, g.dh, g.dw = p.Strides[0], p.Strides[1], p.Dilation[0], p.Dilation[1]
	g.pt, g.pl = p.Padding[0], p.Padding[2]
	g.groups = p.Groups
	if depthwise {
		if kin != g.c {
			return g, errors.Errorf("backend: %s: kernel %v needs %d input channels, input %v has %d", fn, ks, kin, xs, g.c)
		}
		g.groups, g.f = g.c, g.c*kout
		if g.f > maxSpatialElems {
			return g, errors.Errorf("backend: %s: %d output channels are too many", fn, g.f)
		}
	} else {
		if g.c%g.groups != 0 || kout%g.groups != 0 {
			return g, errors.Errorf("backend: %s: groups %d must divide the input channels %d (input %v) and the filters %d (kernel %v)",
				fn, g.groups, g.c, xs, kout, ks)
		}
		if kin*g.groups != g.c {
			return g, errors.Errorf("backend: %s: kernel %v does not fit input %v: kernel input channels %d times groups %d must be %d",
				fn, ks, xs, kin, g.groups, g.c)
		}
		g.f = kout
	}
	var err error
	if g.oh, err = outLen(g.h, g.kh, g.sh, g.dh, p.Padding[0], p.Padding[1]); err != nil {
		return g, errors.Errorf("backend: %s: kernel %v with dilation %d does not fit input %v padded by (%d, %d) rows",
			fn, ks, g.dh, xs, p.Padding[0], p.Padding[1])
	}
	if g.ow, err = outLen(g.w, g.kw, g.sw, g.dw, p.Padding[2], p.Padding[3]); err != nil {
		return g, errors.Errorf("backend: %s: kernel %v with dilation %d does not fit input %v padded by (%d, %d) columns",
			fn, ks, g.dw, xs, p.Padding[2], p.Padding[3])
	}
	if err := checkSizes(fn, "output", g.yShape()); err != nil {
		return g, err
	}
	return g, nil
}

func checkConvParams(fn string, p ConvParams, rank int) error {
	for i, s := range p.Strides {
		if s < 1 || s > maxSpatialElems {
			return errors.Errorf("backend: %s: strides %v must be at least 1", fn, p.Strides)
		}
		if d := p.Dilation[i]; d < 1 || d > maxSpatialElems {
			return errors.Errorf("backend: %s: dilation %v must be at least 1", fn, p.Dilation)
		}
	}
	for _, q := range p.Padding {
		if q < 0 || q > maxSpatialElems {
			return errors.Errorf("backend: %s: padding %v must not be negative", fn, p.Padding)
		}
	}
	if p.Groups < 1 {
		return errors.Errorf("backend: %s: groups %d must be at least 1", fn, p.Groups)
	}
	if max(p.Strides[0], p.Strides[1]) > 1 && max(p.Dilation[0], p.Dilation[1]) > 1 {
		return errors.Errorf("backend: %s: strides %v > 1 together with dilation %v > 1 is not supported (as in Keras)", fn, p.Strides, p.Dilation)
	}
	if rank == 3 && (p.Strides[0] != 1 || p.Dilation[0] != 1 || p.Padding[0] != 0 || p.Padding[1] != 0) {
		return errors.Errorf("backend: %s: a rank-3 input has no row axis to stride, dilate or pad (strides %v, dilation %v, padding %v)",
			fn, p.Strides, p.Dilation, p.Padding)
	}
	return nil
}

// outLen is the number of windows of k taps (dilation d, stride s) over n
// cells padded by before and after; an error when not even one fits.
func outLen(n, k, s, d, before, after int) (int, error) {
	span := n + before + after
	ke := d*(k-1) + 1
	if span < ke {
		return 0, errors.New("kernel does not fit")
	}
	return (span-ke)/s + 1, nil
}

// plainDenses is denses for the ops of this family, which read their
// inputs' backing slices directly: a view (a slice or transpose of
// another tensor) is refused rather than read wrongly.
func plainDenses(op G.Op, inputs []G.Value) ([]*tensor.Dense, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	for i, d := range in {
		if d.IsView() {
			return nil, errors.Errorf("%v: input %d is a view of another tensor; materialise it first", op, i)
		}
	}
	return in, nil
}

// guard turns a panic inside a constructor (Gorgonia's ApplyOp can panic
// on type errors) into an error.
func guard(fn string, err *error) {
	if r := recover(); r != nil {
		*err = errors.Errorf("backend: %s: %v", fn, r)
	}
}
