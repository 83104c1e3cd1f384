package backend

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refCase is one case of testdata/conv_reference.json, written by
// testdata/gen_conv_reference.py with PyTorch 1.13 in float64.
type refCase struct {
	Name   string                     `json:"name"`
	Op     string                     `json:"op"`
	Params map[string]json.RawMessage `json:"params"`
	Inputs map[string]refTensor       `json:"inputs"`
	R      []float64                  `json:"r"`
	Output refTensor                  `json:"output"`
	Grads  map[string][]float64       `json:"grads"`
}

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (c *refCase) param(t *testing.T, name string, v any) {
	t.Helper()
	raw, ok := c.Params[name]
	if !ok {
		t.Fatalf("%s: no parameter %q", c.Name, name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: parameter %q: %v", c.Name, name, err)
	}
}

// build returns the input names in order and the function under test.
func (c *refCase) build(t *testing.T) ([]string, builder) {
	var s, d, size [2]int
	var p [4]int
	var g int
	conv := func() ConvParams {
		c.param(t, "strides", &s)
		c.param(t, "dilation", &d)
		c.param(t, "padding", &p)
		return ConvParams{Strides: s, Dilation: d, Padding: p, Groups: 1}
	}
	pool := func() PoolParams {
		c.param(t, "size", &size)
		c.param(t, "strides", &s)
		c.param(t, "padding", &p)
		return PoolParams{Size: size, Strides: s, Padding: p}
	}
	var eps float64
	x := []string{"x"}
	switch c.Op {
	case "conv2d":
		cp := conv()
		c.param(t, "groups", &cp.Groups)
		return []string{"x", "kernel"}, func(in G.Nodes) (*G.Node, error) { return Conv2D(in[0], in[1], nil, cp) }
	case "conv1d":
		var p1 Conv1DParams
		c.param(t, "stride", &p1.Stride)
		c.param(t, "dilation", &p1.Dilation)
		c.param(t, "padding", &p1.Padding)
		c.param(t, "groups", &p1.Groups)
		return []string{"x", "kernel"}, func(in G.Nodes) (*G.Node, error) { return Conv1D(in[0], in[1], nil, p1) }
	case "depthwise2d":
		cp := conv()
		return []string{"x", "kernel"}, func(in G.Nodes) (*G.Node, error) { return DepthwiseConv2D(in[0], in[1], nil, cp) }
	case "conv2d_transpose":
		var op [2]int
		cp := conv()
		c.param(t, "output_padding", &op)
		tp := ConvTransposeParams{Strides: cp.Strides, Dilation: cp.Dilation, Padding: cp.Padding, OutputPadding: op}
		return []string{"x", "kernel"}, func(in G.Nodes) (*G.Node, error) { return Conv2DTranspose(in[0], in[1], nil, tp) }
	case "maxpool2d":
		pp := pool()
		return x, func(in G.Nodes) (*G.Node, error) { return MaxPool2D(in[0], pp) }
	case "avgpool2d":
		pp := pool()
		return x, func(in G.Nodes) (*G.Node, error) { return AvgPool2D(in[0], pp) }
	case "maxpool1d":
		var p1 Pool1DParams
		c.param(t, "size", &p1.Size)
		c.param(t, "stride", &p1.Stride)
		c.param(t, "padding", &p1.Padding)
		return x, func(in G.Nodes) (*G.Node, error) { return MaxPool1D(in[0], p1) }
	case "global_avg":
		return x, func(in G.Nodes) (*G.Node, error) { return GlobalAvgPool(in[0]) }
	case "global_max":
		return x, func(in G.Nodes) (*G.Node, error) { return GlobalMaxPool(in[0]) }
	case "global_avg_masked":
		return []string{"x", "mask"}, func(in G.Nodes) (*G.Node, error) { return GlobalAvgPool1DMasked(in[0], in[1]) }
	case "zero_padding2d":
		c.param(t, "padding", &p)
		return x, func(in G.Nodes) (*G.Node, error) { return ZeroPadding2D(in[0], p) }
	case "cropping2d":
		c.param(t, "cropping", &p)
		return x, func(in G.Nodes) (*G.Node, error) { return Cropping2D(in[0], p) }
	case "upsampling2d":
		var bilinear bool
		c.param(t, "size", &size)
		c.param(t, "bilinear", &bilinear)
		return x, func(in G.Nodes) (*G.Node, error) { return UpSampling2D(in[0], size, bilinear) }
	case "upsampling1d":
		c.param(t, "size", &g)
		return x, func(in G.Nodes) (*G.Node, error) { return UpSampling1D(in[0], g) }
	case "batch_norm_train":
		c.param(t, "epsilon", &eps)
		return []string{"x", "gamma", "beta"}, func(in G.Nodes) (*G.Node, error) { return bnTrain(eps)(in) }
	case "batch_moments":
		return x, func(in G.Nodes) (*G.Node, error) { return BatchMoments(in[0]) }
	case "batch_norm_inference":
		c.param(t, "epsilon", &eps)
		return []string{"x", "mean", "variance", "gamma", "beta"}, func(in G.Nodes) (*G.Node, error) {
			return BatchNormInference(in[0], in[1], in[2], in[3], in[4], eps)
		}
	case "layer_norm":
		c.param(t, "epsilon", &eps)
		return []string{"x", "gamma", "beta"}, func(in G.Nodes) (*G.Node, error) { return LayerNorm(in[0], in[1], in[2], eps) }
	}
	t.Fatalf("%s: unknown op %q", c.Name, c.Op)
	return nil, nil
}

// TestConvReference compares every op with PyTorch's output and
// gradients (float64, tight tolerance) and the float32 ops with them
// (loose tolerance).
func TestConvReference(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "conv_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 30 {
		t.Fatalf("only %d reference cases", len(ref.Cases))
	}
	seen := map[string]bool{}
	for i := range ref.Cases {
		c := &ref.Cases[i]
		seen[c.Op] = true
		t.Run(c.Name, func(t *testing.T) {
			names, b := c.build(t)
			inputs := make([]*tensor.Dense, len(names))
			noGrad := make([]bool, len(names))
			for k, n := range names {
				rt, ok := c.Inputs[n]
				if !ok {
					t.Fatalf("no input %q", n)
				}
				inputs[k] = tensor.New(tensor.WithShape(rt.Shape...), tensor.WithBacking(append([]float64(nil), rt.Data...)))
				_, differentiated := c.Grads[n]
				noGrad[k] = !differentiated
			}
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				tol := map[tensor.Dtype]float64{tensor.Float64: 1e-11, tensor.Float32: 3e-5}[dt]
				got, shape, grads := evalWeighted(t, dt, b, inputs, noGrad, c.R)
				if !shape.Eq(tensor.Shape(c.Output.Shape)) {
					t.Fatalf("shape %v, want %v", shape, c.Output.Shape)
				}
				assertClose(t, dt.String()+" output", got, c.Output.Data, tol, tol)
				for k, n := range names {
					if want, ok := c.Grads[n]; ok {
						assertClose(t, dt.String()+" d"+n, grads[k], want, tol, tol)
					}
				}
			}
		})
	}
	for _, op := range []string{"conv2d", "conv1d", "depthwise2d", "conv2d_transpose", "maxpool2d", "avgpool2d", "maxpool1d",
		"global_avg", "global_max", "global_avg_masked", "zero_padding2d", "cropping2d", "upsampling2d", "upsampling1d",
		"batch_norm_train", "batch_moments", "batch_norm_inference", "layer_norm"} {
		if !seen[op] {
			t.Errorf("no reference case for %s", op)
		}
	}
}

// evalWeighted is evalGraph with the output weighting r given.
func evalWeighted(t *testing.T, dt tensor.Dtype, b builder, inputs []*tensor.Dense, noGrad []bool, r []float64) ([]float64, tensor.Shape, [][]float64) {
	t.Helper()
	return evalGraphWith(t, dt, b, inputs, noGrad, func(s tensor.Shape) *tensor.Dense {
		if s.TotalSize() != len(r) {
			t.Fatalf("output %v, but %d weights", s, len(r))
		}
		return tensor.New(tensor.WithShape(s.Clone()...), tensor.WithBacking(append([]float64(nil), r...)))
	})
}
