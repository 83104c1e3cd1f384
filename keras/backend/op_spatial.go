package backend

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ZeroPadding2D adds rows and columns of zeros around every image of x
// (N, H, W, C): padding is (top, bottom, left, right), each at least 0.
// The output is (N, H+top+bottom, W+left+right, C); the gradient crops.
func ZeroPadding2D(x *G.Node, padding [4]int) (out *G.Node, err error) {
	defer guard("ZeroPadding2D", &err)
	return padCrop("ZeroPadding2D", x, 4, padding, 1)
}

// Cropping2D removes rows and columns from the borders of every image of
// x (N, H, W, C): cropping is (top, bottom, left, right), each at least 0,
// leaving at least one row and column. The gradient pads with zeros.
func Cropping2D(x *G.Node, cropping [4]int) (out *G.Node, err error) {
	defer guard("Cropping2D", &err)
	return padCrop("Cropping2D", x, 4, cropping, -1)
}

// ZeroPadding1D adds time steps of zeros before and after every sequence
// of x (N, L, C): padding is (left, right), each at least 0.
func ZeroPadding1D(x *G.Node, padding [2]int) (out *G.Node, err error) {
	defer guard("ZeroPadding1D", &err)
	return padCrop("ZeroPadding1D", x, 3, [4]int{0, 0, padding[0], padding[1]}, 1)
}

// Cropping1D removes time steps from the start and end of every sequence
// of x (N, L, C): cropping is (start, end), each at least 0, leaving at
// least one step.
func Cropping1D(x *G.Node, cropping [2]int) (out *G.Node, err error) {
	defer guard("Cropping1D", &err)
	return padCrop("Cropping1D", x, 3, [4]int{0, 0, cropping[0], cropping[1]}, -1)
}

func padCrop(fn string, x *G.Node, rank int, amounts [4]int, sign int) (*G.Node, error) {
	if err := checkSpatial(fn, "x", x, rank); err != nil {
		return nil, err
	}
	what := map[int]string{1: "padding", -1: "cropping"}[sign]
	for _, a := range amounts {
		if a < 0 || a > maxSpatialElems {
			return nil, errors.Errorf("backend: %s: %s %v must not be negative", fn, what, amounts)
		}
	}
	n, h, w, c := spatialDims(x.Shape())
	var s [4]int
	for i, a := range amounts {
		s[i] = sign * a
	}
	g := padGeom{n: n, h: h, w: w, c: c, pt: s[0], pl: s[2], rank: rank}
	g.oh, g.ow = h+s[0]+s[1], w+s[2]+s[3]
	if g.oh < 1 || g.ow < 1 {
		return nil, errors.Errorf("backend: %s: %s %v leaves nothing of x %v", fn, what, amounts, x.Shape())
	}
	if err := checkSizes(fn, "output", g.outShape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(newPadOp(g), x)
}

// padGeom maps x (n, h, w, c) to (n, oh, ow, c): output cell (i, j) is
// input cell (i - pt, j - pl), zero outside. Negative pt, pl crop.
type padGeom struct {
	n, h, w, c int
	oh, ow     int
	pt, pl     int
	rank       int
}

func (g padGeom) shape(h, w int) tensor.Shape {
	if g.rank == 3 {
		return tensor.Shape{g.n, w, g.c}
	}
	return tensor.Shape{g.n, h, w, g.c}
}
func (g padGeom) inShape() tensor.Shape  { return g.shape(g.h, g.w) }
func (g padGeom) outShape() tensor.Shape { return g.shape(g.oh, g.ow) }

// adjoint is the map back: (n, oh, ow, c) to (n, h, w, c).
func (g padGeom) adjoint() padGeom {
	return padGeom{n: g.n, h: g.oh, w: g.ow, c: g.c, oh: g.h, ow: g.w, pt: -g.pt, pl: -g.pl, rank: g.rank}
}

// padOp pads and crops; its adjoint (and gradient) is the padOp of the
// adjoint geometry.
type padOp struct {
	opBase
	g   padGeom
	out outBuf
}

func newPadOp(g padGeom) *padOp {
	return &padOp{opBase: opBase{fmt.Sprintf("pad_crop(%v->%v,%d,%d)", g.inShape(), g.outShape(), g.pt, g.pl), 1}, g: g}
}

func (op *padOp) Type() hm.Type                                  { return sameType(1) }
func (op *padOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.g.outShape(), nil }
func (op *padOp) DiffWRT(int) []bool                             { return []bool{true} }

func (op *padOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(newPadOp(op.g.adjoint()), grad)
	return G.Nodes{d}, err
}

func (op *padOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	if !in[0].Shape().Eq(op.g.inShape()) {
		return nil, opError(op, errors.Errorf("input %v, want %v", in[0].Shape(), op.g.inShape()))
	}
	out := op.out.get(in[0].Dtype(), op.g.outShape())
	switch x := in[0].Data().(type) {
	case []float32:
		padCopy(op.g, x, out.Data().([]float32))
	case []float64:
		padCopy(op.g, x, out.Data().([]float64))
	}
	return out, nil
}

func padCopy[T Float](g padGeom, x, y []T) {
	c := g.c
	// Columns of the output row that come from the input: [j0, j1).
	j0, j1 := max(0, g.pl), min(g.ow, g.w+g.pl)
	for n := 0; n < g.n; n++ {
		for i := 0; i < g.oh; i++ {
			yr := y[((n*g.oh)+i)*g.ow*c : ((n*g.oh)+i+1)*g.ow*c]
			ih := i - g.pt
			if ih < 0 || ih >= g.h || j0 >= j1 {
				clear(yr)
				continue
			}
			clear(yr[:j0*c])
			clear(yr[j1*c:])
			src := x[((n*g.h+ih)*g.w+j0-g.pl)*c:]
			copy(yr[j0*c:j1*c], src)
		}
	}
}

// UpSampling2D repeats every row of x (N, H, W, C) size[0] times and every
// column size[1] times (interpolation "nearest", Keras's default, done by
// Keras 3 with ops.repeat) or, with bilinear true, resizes x to (H*size[0],
// W*size[1]) by bilinear interpolation as Keras 3 does with
// ops.image.resize (TensorFlow's half-pixel rule, antialias off): output
// row i samples input row (i + 0.5)/size[0] - 0.5, clamped to the image,
// between its two neighbours. The gradients scatter the weights back.
func UpSampling2D(x *G.Node, size [2]int, bilinear bool) (out *G.Node, err error) {
	defer guard("UpSampling2D", &err)
	return upSample("UpSampling2D", x, 4, size, bilinear)
}

// UpSampling1D repeats every time step of x (N, L, C) size times
// (Keras's UpSampling1D).
func UpSampling1D(x *G.Node, size int) (out *G.Node, err error) {
	defer guard("UpSampling1D", &err)
	return upSample("UpSampling1D", x, 3, [2]int{1, size}, false)
}

func upSample(fn string, x *G.Node, rank int, size [2]int, bilinear bool) (*G.Node, error) {
	if err := checkSpatial(fn, "x", x, rank); err != nil {
		return nil, err
	}
	if size[0] < 1 || size[1] < 1 || size[0] > maxSpatialElems || size[1] > maxSpatialElems {
		return nil, errors.Errorf("backend: %s: size %v must be at least 1", fn, size)
	}
	n, h, w, c := spatialDims(x.Shape())
	g := resizeGeom{n: n, h: h, w: w, c: c, oh: h * size[0], ow: w * size[1], rank: rank, bilinear: bilinear}
	if h > maxSpatialElems/size[0] || w > maxSpatialElems/size[1] {
		return nil, errors.Errorf("backend: %s: x %v times size %v is too large", fn, x.Shape(), size)
	}
	if err := checkSizes(fn, "output", g.outShape()); err != nil {
		return nil, err
	}
	g.rows, g.cols = newAxisInterp(h, g.oh, bilinear), newAxisInterp(w, g.ow, bilinear)
	return G.ApplyOp(newResizeOp(g, false), x)
}

// axisInterp says, for every output index along one axis, which two input
// indices it reads and the weight of the second (nearest: the same index
// twice and weight 0).
type axisInterp struct {
	lo, hi []int
	frac   []float64
}

func newAxisInterp(in, out int, bilinear bool) axisInterp {
	a := axisInterp{lo: make([]int, out), hi: make([]int, out), frac: make([]float64, out)}
	scale := float64(in) / float64(out)
	for i := range out {
		if !bilinear {
			a.lo[i] = i * in / out
			a.hi[i] = a.lo[i]
			continue
		}
		// TensorFlow's compute_interpolation_weights with half-pixel
		// centres: in = (i+0.5)*scale - 0.5, lower = max(floor(in), 0),
		// upper = min(ceil(in), in-1), lerp = in - floor(in).
		src := (float64(i)+0.5)*scale - 0.5
		f := math.Floor(src)
		a.lo[i] = max(int(f), 0)
		a.hi[i] = min(int(math.Ceil(src)), in-1)
		a.frac[i] = src - f
	}
	return a
}

type resizeGeom struct {
	n, h, w, c int
	oh, ow     int
	rank       int
	bilinear   bool
	rows, cols axisInterp
}

func (g *resizeGeom) shape(h, w int) tensor.Shape {
	if g.rank == 3 {
		return tensor.Shape{g.n, w, g.c}
	}
	return tensor.Shape{g.n, h, w, g.c}
}
func (g *resizeGeom) inShape() tensor.Shape  { return g.shape(g.h, g.w) }
func (g *resizeGeom) outShape() tensor.Shape { return g.shape(g.oh, g.ow) }

// resizeOp is the upsampling (grad false, x -> y) or its adjoint (grad
// true, dy -> dx); each is the other's gradient.
type resizeOp struct {
	opBase
	g    *resizeGeom
	grad bool
	out  outBuf
}

func newResizeOp(g resizeGeom, grad bool) *resizeOp {
	mode := "nearest"
	if g.bilinear {
		mode = "bilinear"
	}
	name := fmt.Sprintf("upsample_%s(%v->%v)", mode, g.inShape(), g.outShape())
	if grad {
		name += "_grad"
	}
	return &resizeOp{opBase: opBase{name, 1}, g: &g, grad: grad}
}

func (op *resizeOp) shapes() (in, out tensor.Shape) {
	if op.grad {
		return op.g.outShape(), op.g.inShape()
	}
	return op.g.inShape(), op.g.outShape()
}

func (op *resizeOp) Type() hm.Type { return sameType(1) }
func (op *resizeOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	_, out := op.shapes()
	return out, nil
}
func (op *resizeOp) DiffWRT(int) []bool { return []bool{true} }

func (op *resizeOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(newResizeOp(*op.g, !op.grad), grad)
	return G.Nodes{d}, err
}

func (op *resizeOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := plainDenses(op, inputs)
	if err != nil {
		return nil, err
	}
	is, os := op.shapes()
	if !in[0].Shape().Eq(is) {
		return nil, opError(op, errors.Errorf("input %v, want %v", in[0].Shape(), is))
	}
	out := op.out.get(in[0].Dtype(), os)
	switch a := in[0].Data().(type) {
	case []float32:
		resize(op.g, a, out.Data().([]float32), op.grad)
	case []float64:
		resize(op.g, a, out.Data().([]float64), op.grad)
	}
	return out, nil
}

// resize computes y from x (grad false) or adds dx from dy (grad true:
// a is dy, b is dx), split by images. Output cell (i, j) is
//
//	(1-fy)·((1-fx)·x[lo_i, lo_j] + fx·x[lo_i, hi_j]) + fy·((1-fx)·x[hi_i, lo_j] + fx·x[hi_i, hi_j])
func resize[T Float](g *resizeGeom, a, b []T, grad bool) {
	c := g.c
	inImg, outImg := g.h*g.w*c, g.oh*g.ow*c
	w := workersFor(float64(g.n*outImg)*4, g.n)
	parallel(w, func(q int) {
		n0, n1 := span(g.n, w, q)
		if grad {
			clear(b[n0*inImg : n1*inImg])
		}
		for n := n0; n < n1; n++ {
			var x, y []T
			if grad {
				x, y = b[n*inImg:(n+1)*inImg], a[n*outImg:(n+1)*outImg]
			} else {
				x, y = a[n*inImg:(n+1)*inImg], b[n*outImg:(n+1)*outImg]
			}
			for i := 0; i < g.oh; i++ {
				fy := T(g.rows.frac[i])
				r0, r1 := g.rows.lo[i]*g.w*c, g.rows.hi[i]*g.w*c
				for j := 0; j < g.ow; j++ {
					fx := T(g.cols.frac[j])
					c0, c1 := g.cols.lo[j]*c, g.cols.hi[j]*c
					yr := y[(i*g.ow+j)*c : (i*g.ow+j+1)*c]
					if !g.bilinear {
						if grad {
							addTo(x[r0+c0:r0+c0+c], yr)
						} else {
							copy(yr, x[r0+c0:r0+c0+c])
						}
						continue
					}
					w00, w01, w10, w11 := (1-fy)*(1-fx), (1-fy)*fx, fy*(1-fx), fy*fx
					x00, x01 := x[r0+c0:r0+c0+c], x[r0+c1:r0+c1+c]
					x10, x11 := x[r1+c0:r1+c0+c], x[r1+c1:r1+c1+c]
					if grad {
						for k, v := range yr {
							x00[k] += w00 * v
							x01[k] += w01 * v
							x10[k] += w10 * v
							x11[k] += w11 * v
						}
						continue
					}
					for k := range yr {
						top := (1-fx)*x00[k] + fx*x01[k]
						bottom := (1-fx)*x10[k] + fx*x11[k]
						yr[k] = (1-fy)*top + fy*bottom
					}
				}
			}
		}
	})
}
