package layers

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// MergeLayer combines several tensors into one (Keras's merging layers:
// Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot).
// Apply it to the tensors: layers.Add().Apply(a, b).
type MergeLayer struct {
	Base
	kind      string // Keras class name
	axis      int    // Concatenate
	axes      []int  // Dot: one or two axes
	normalize bool   // Dot
}

func newMerge(kind string, opts []Common) *MergeLayer {
	l := &MergeLayer{kind: kind, axis: -1}
	l.Init(l, kind, opts...)
	return l
}

// Add returns a layer that sums its inputs element-wise (Keras: Add /
// layer_add). The inputs must have one shape. It takes the Common options.
func Add(opts ...Common) *MergeLayer { return newMerge("Add", opts) }

// Subtract returns a layer that subtracts its second input from its first
// (Keras: Subtract / layer_subtract); exactly two inputs of one shape.
func Subtract(opts ...Common) *MergeLayer { return newMerge("Subtract", opts) }

// Multiply returns a layer that multiplies its inputs element-wise
// (Keras: Multiply / layer_multiply).
func Multiply(opts ...Common) *MergeLayer { return newMerge("Multiply", opts) }

// Average returns a layer that averages its inputs element-wise (Keras:
// Average / layer_average).
func Average(opts ...Common) *MergeLayer { return newMerge("Average", opts) }

// Maximum returns a layer that takes the element-wise maximum of its
// inputs (Keras: Maximum / layer_maximum); the gradient goes to the first
// input holding the maximum.
func Maximum(opts ...Common) *MergeLayer { return newMerge("Maximum", opts) }

// Minimum returns a layer that takes the element-wise minimum of its
// inputs (Keras: Minimum / layer_minimum).
func Minimum(opts ...Common) *MergeLayer { return newMerge("Minimum", opts) }

// ConcatenateOption is an option of Concatenate: Common or Axis.
type ConcatenateOption interface{ applyConcatenate(*MergeLayer) }

func (c Common) applyConcatenate(l *MergeLayer) { c.ApplyTo(&l.Base) }

// AxisOption sets the axis a layer works along.
type AxisOption struct{ axis int }

// Axis sets the axis, counted with the batch axis as 0; negative values
// count from the end (Keras: axis). Concatenate's default is -1.
func Axis(axis int) AxisOption { return AxisOption{axis} }

func (o AxisOption) applyConcatenate(l *MergeLayer) { l.axis = o.axis }

// Concatenate returns a layer that joins its inputs along an axis (Keras:
// Concatenate / layer_concatenate; default axis -1, the last). The inputs
// must have the same shape but along that axis.
func Concatenate(opts ...ConcatenateOption) *MergeLayer {
	l := newMerge("Concatenate", nil)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Concatenate"))
			continue
		}
		o.applyConcatenate(l)
	}
	return l
}

// DotOption is an option of Dot: Common or Normalize.
type DotOption interface{ applyDot(*MergeLayer) }

func (c Common) applyDot(l *MergeLayer) { c.ApplyTo(&l.Base) }

// NormalizeOption says whether Dot L2-normalises its inputs along the dot
// axes first (giving the cosine similarity).
type NormalizeOption bool

// Normalize makes Dot normalise its inputs first (Keras: normalize;
// default false).
func Normalize(on bool) NormalizeOption { return NormalizeOption(on) }

func (o NormalizeOption) applyDot(l *MergeLayer) { l.normalize = bool(o) }

// Dot returns a layer that takes the dot product of its two inputs along
// the given axes, counted with the batch axis as 0 (Keras: Dot /
// layer_dot): one axis for both inputs or one per input. Inputs (batch, d)
// give (batch, 1); inputs (batch, n, d) and (batch, m, d) with axes 2 give
// (batch, n, m). Options: Normalize and the Common options.
func Dot(axes []int, opts ...DotOption) *MergeLayer {
	l := newMerge("Dot", nil)
	l.axes = append([]int(nil), axes...)
	if len(axes) < 1 || len(axes) > 2 {
		l.Fail(&kerrors.OptionError{Call: "Dot", Option: "axes", Value: fmt.Sprint(axes), Msg: "give one axis, or one per input"})
	}
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Dot"))
			continue
		}
		o.applyDot(l)
	}
	return l
}

// ClassName returns the Keras class name ("Add", "Concatenate", ...).
func (l *MergeLayer) ClassName() string { return l.kind }

// Build fails: a merge layer takes several inputs (BuildMulti).
func (l *MergeLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	return nil, errors.Errorf("layers: %s: %s merges several inputs; apply it to a list of tensors", l.name, l.kind)
}

// Forward fails: a merge layer takes several inputs (ForwardMulti).
func (l *MergeLayer) Forward(_ *backend.Scope, _ *G.Node) (*G.Node, error) {
	return nil, errors.Errorf("layers: %s: %s merges several inputs", l.name, l.kind)
}

func (l *MergeLayer) shapeError(in [][]int, msg string) error {
	got := make([]string, len(in))
	for i, s := range in {
		got[i] = ShapeString(s)
	}
	return &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "inputs", Got: withBatch(first(in)),
		Msg: fmt.Sprintf("%s: the inputs have shapes %v", msg, got)}
}

// BuildMulti checks the inputs' shapes and returns the merged shape.
func (l *MergeLayer) BuildMulti(_ *BuildContext, in [][]int) ([][]int, error) {
	if done, err := l.StartBuildMulti(in); done || err != nil {
		return l.OutputShapes(), err
	}
	if len(in) < 2 {
		return nil, l.shapeError(in, l.kind+" needs at least 2 inputs")
	}
	var out []int
	switch l.kind {
	case "Concatenate":
		rank := len(in[0]) + 1
		axis := l.axis
		if axis < 0 {
			axis += rank
		}
		if axis < 1 || axis >= rank {
			return nil, &kerrors.OptionError{Call: "Concatenate " + l.name, Option: "axis", Value: fmt.Sprint(l.axis), Msg: fmt.Sprintf("inputs of rank %d (with the batch axis) have axes 1 to %d", rank, rank-1)}
		}
		out = append([]int(nil), in[0]...)
		for _, s := range in[1:] {
			if len(s) != len(out) {
				return nil, l.shapeError(in, "Concatenate needs inputs of one rank")
			}
			for j := range s {
				switch {
				case j == axis-1:
					if out[j] < 0 || s[j] < 0 {
						out[j] = -1
					} else {
						out[j] += s[j]
					}
				case !sameDim(out[j], s[j]):
					return nil, l.shapeError(in, fmt.Sprintf("Concatenate along axis %d needs the other axes to match", axis))
				default:
					out[j] = knownDim(out[j], s[j])
				}
			}
		}
		l.axis = axis
	case "Dot":
		if len(in) != 2 {
			return nil, l.shapeError(in, "Dot takes exactly 2 inputs")
		}
		a, b := in[0], in[1]
		if len(a) != len(b) || len(a) < 1 || len(a) > 2 {
			return nil, l.shapeError(in, "Dot takes two inputs of rank 2 or 3 (with the batch axis)")
		}
		ax := []int{l.axes[0], l.axes[len(l.axes)-1]}
		for i, x := range ax {
			if x < 0 {
				ax[i] += len(a) + 1
			}
			if ax[i] < 1 || ax[i] > len(a) {
				return nil, &kerrors.OptionError{Call: "Dot " + l.name, Option: "axes", Value: fmt.Sprint(l.axes), Msg: "must name a non-batch axis"}
			}
		}
		if a[ax[0]-1] < 1 || !sameDim(a[ax[0]-1], b[ax[1]-1]) {
			return nil, l.shapeError(in, fmt.Sprintf("Dot needs axis %d of the first input and axis %d of the second to have one known size", ax[0], ax[1]))
		}
		l.axes = ax
		if len(a) == 1 {
			out = []int{1}
		} else {
			out = []int{a[2-ax[0]], b[2-ax[1]]}
		}
	default:
		if l.kind == "Subtract" && len(in) != 2 {
			return nil, l.shapeError(in, "Subtract takes exactly 2 inputs")
		}
		out = append([]int(nil), in[0]...)
		for _, s := range in[1:] {
			if len(s) != len(out) {
				return nil, l.shapeError(in, l.kind+" needs inputs of one shape")
			}
			for j := range s {
				if !sameDim(out[j], s[j]) {
					return nil, l.shapeError(in, l.kind+" needs inputs of one shape")
				}
				out[j] = knownDim(out[j], s[j])
			}
		}
	}
	l.SetSupportsMasking(l.kind != "Dot" && l.kind != "Concatenate")
	return l.FinishBuildMulti(in, [][]int{out}), nil
}

func sameDim(a, b int) bool { return a == b || a < 0 || b < 0 }

func knownDim(a, b int) int {
	if a < 0 {
		return b
	}
	return a
}

// ForwardMulti merges the inputs.
func (l *MergeLayer) ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	var out *G.Node
	var err error
	fold := func(f func(a, b *G.Node) (*G.Node, error)) {
		out = xs[0]
		for _, x := range xs[1:] {
			if err != nil {
				return
			}
			out, err = f(out, x)
		}
	}
	switch l.kind {
	case "Add":
		fold(G.Add)
	case "Subtract":
		out, err = G.Sub(xs[0], xs[1])
	case "Multiply":
		fold(G.HadamardProd)
	case "Average":
		fold(G.Add)
		if err == nil {
			out, err = G.Mul(out, s.Scalar(1/float64(len(xs))))
		}
	case "Maximum":
		fold(backend.Maximum)
	case "Minimum":
		fold(backend.Minimum)
	case "Concatenate":
		out, err = G.Concat(l.axis, xs...)
	case "Dot":
		out, err = l.dot(xs[0], xs[1])
	default:
		err = errors.Errorf("unknown merge %s", l.kind)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return []*G.Node{out}, nil
}

// dot contracts a and b along l.axes (resolved by BuildMulti).
func (l *MergeLayer) dot(a, b *G.Node) (*G.Node, error) {
	var err error
	if a.Dims() == 2 {
		if l.normalize {
			if a, err = backend.L2Normalize(a); err != nil {
				return nil, err
			}
			if b, err = backend.L2Normalize(b); err != nil {
				return nil, err
			}
		}
		return backend.RowDot(a, b)
	}
	// Rank 3: move each contracted axis last, normalise there, then
	// (batch, n, d) x (batch, m, d)ᵀ = (batch, n, m).
	if l.axes[0] == 1 {
		if a, err = G.Transpose(a, 0, 2, 1); err != nil {
			return nil, err
		}
	}
	if l.axes[1] == 1 {
		if b, err = G.Transpose(b, 0, 2, 1); err != nil {
			return nil, err
		}
	}
	if l.normalize {
		if a, err = normalizeLast(a); err != nil {
			return nil, err
		}
		if b, err = normalizeLast(b); err != nil {
			return nil, err
		}
	}
	return G.BatchedMatMul(a, b, false, true)
}

// normalizeLast L2-normalises a rank-3 tensor along its last axis.
func normalizeLast(x *G.Node) (*G.Node, error) {
	shape := x.Shape().Clone()
	flat, err := G.Reshape(x, tensor.Shape{shape[0] * shape[1], shape[2]})
	if err != nil {
		return nil, err
	}
	n, err := backend.L2Normalize(flat)
	if err != nil {
		return nil, err
	}
	return G.Reshape(n, shape)
}

// MergeConfig is the serialisable configuration of the merge layers.
type MergeConfig struct {
	BaseConfig
	Axis      *int  `json:"axis,omitempty"`
	Axes      []int `json:"axes,omitempty"`
	Normalize bool  `json:"normalize,omitempty"`
}

// Config returns the layer's configuration.
func (l *MergeLayer) Config() any {
	c := MergeConfig{BaseConfig: l.BaseConfig()}
	switch l.kind {
	case "Concatenate":
		a := l.axis
		c.Axis = &a
	case "Dot":
		c.Axes, c.Normalize = l.axes, l.normalize
	}
	return c
}

func init() {
	for _, kind := range []string{"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"} {
		kind := kind
		classes.Builtin(kind, func(raw json.RawMessage) (Layer, error) {
			var c MergeConfig
			if err := decode(kind, raw, &c); err != nil {
				return nil, err
			}
			common, err := c.BaseConfig.Common()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", kind)
			}
			switch kind {
			case "Concatenate":
				opts := []ConcatenateOption{}
				for _, o := range common {
					opts = append(opts, o)
				}
				if c.Axis != nil {
					opts = append(opts, Axis(*c.Axis))
				}
				return Concatenate(opts...), nil
			case "Dot":
				opts := []DotOption{Normalize(c.Normalize)}
				for _, o := range common {
					opts = append(opts, o)
				}
				return Dot(c.Axes, opts...), nil
			}
			return newMerge(kind, common), nil
		})
	}
}
