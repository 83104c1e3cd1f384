package layers_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// torchCase is one case of testdata/torch_reference.json, written by
// testdata/gen_torch_reference.py with PyTorch 1.13 in float64: a Keras
// layer and its arguments, seeded input and weights (Keras layouts), a
// weighting r of the output, the output and the gradients of
// sum(output * r).
type torchCase struct {
	Name    string          `json:"name"`
	Layer   string          `json:"layer"`
	Args    json.RawMessage `json:"args"`
	X       refTensor       `json:"x"`
	Weights []struct {
		Name string `json:"name"`
		refTensor
	} `json:"weights"`
	R                   []float64            `json:"r"`
	Output              refTensor            `json:"output"`
	Grads               map[string][]float64 `json:"grads"`
	MovingMeanAfter     []float64            `json:"moving_mean_after"`
	MovingVarianceAfter []float64            `json:"moving_variance_after"`
}

type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (r refTensor) dense() *tensor.Dense { return gradcheck.FromSlice(r.Data, r.Shape...) }

// torchArgs are the Keras arguments the cases use.
type torchArgs struct {
	Filters         int     `json:"filters"`
	KernelSize      []int   `json:"kernel_size"`
	Strides         []int   `json:"strides"`
	DilationRate    []int   `json:"dilation_rate"`
	Padding         string  `json:"padding"`
	Activation      string  `json:"activation"`
	Groups          int     `json:"groups"`
	UseBias         *bool   `json:"use_bias"`
	OutputPadding   []int   `json:"output_padding"`
	DepthMultiplier int     `json:"depth_multiplier"`
	PoolSize        []int   `json:"pool_size"`
	Size            []int   `json:"size"`
	Interpolation   string  `json:"interpolation"`
	Mode            string  `json:"mode"`
	Epsilon         float64 `json:"epsilon"`
}

func loadTorchCases(t *testing.T) []torchCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torch_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []torchCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 25 {
		t.Fatalf("only %d reference cases", len(file.Cases))
	}
	return file.Cases
}

// torchLayer makes the layer a case describes.
func torchLayer(t *testing.T, c torchCase) (layers.Layer, backend.Mode) {
	t.Helper()
	var a torchArgs
	if err := json.Unmarshal(c.Args, &a); err != nil {
		t.Fatal(err)
	}
	k2 := func(v []int) [2]int { return [2]int{v[0], v[len(v)-1]} }
	act := a.Activation
	if act == "" {
		act = "linear"
	}
	useBias := a.UseBias == nil || *a.UseBias
	switch c.Layer {
	case "Conv2D", "Conv1D":
		opts := []layers.ConvOption{layers.Strides(a.Strides...), layers.DilationRate(a.DilationRate...), layers.Padding(a.Padding),
			layers.Activation(act), layers.Groups(a.Groups), layers.UseBias(useBias)}
		if c.Layer == "Conv1D" {
			return layers.Conv1D(a.Filters, a.KernelSize[0], opts...), backend.Predict
		}
		return layers.Conv2D(a.Filters, k2(a.KernelSize), opts...), backend.Predict
	case "Conv2DTranspose", "Conv1DTranspose":
		opts := []layers.ConvTransposeOption{layers.Strides(a.Strides...), layers.Padding(a.Padding), layers.Activation(act)}
		if a.OutputPadding != nil {
			opts = append(opts, layers.OutputPadding(a.OutputPadding...))
		}
		if c.Layer == "Conv1DTranspose" {
			return layers.Conv1DTranspose(a.Filters, a.KernelSize[0], opts...), backend.Predict
		}
		return layers.Conv2DTranspose(a.Filters, k2(a.KernelSize), opts...), backend.Predict
	case "DepthwiseConv2D":
		return layers.DepthwiseConv2D(k2(a.KernelSize), layers.DepthMultiplier(a.DepthMultiplier), layers.Strides(a.Strides...),
			layers.DilationRate(a.DilationRate...), layers.Padding(a.Padding), layers.Activation(act)), backend.Predict
	case "SeparableConv2D":
		return layers.SeparableConv2D(a.Filters, k2(a.KernelSize), layers.DepthMultiplier(a.DepthMultiplier), layers.Strides(a.Strides...),
			layers.DilationRate(a.DilationRate...), layers.Padding(a.Padding), layers.Activation(act)), backend.Predict
	case "MaxPooling2D", "AveragePooling2D", "MaxPooling1D", "AveragePooling1D":
		opts := []layers.PoolOption{layers.PoolSize(a.PoolSize...), layers.Strides(a.Strides...), layers.Padding(a.Padding)}
		switch c.Layer {
		case "MaxPooling2D":
			return layers.MaxPooling2D(opts...), backend.Predict
		case "AveragePooling2D":
			return layers.AveragePooling2D(opts...), backend.Predict
		case "MaxPooling1D":
			return layers.MaxPooling1D(opts...), backend.Predict
		}
		return layers.AveragePooling1D(opts...), backend.Predict
	case "GlobalAveragePooling2D":
		return layers.GlobalAveragePooling2D(), backend.Predict
	case "GlobalMaxPooling2D":
		return layers.GlobalMaxPooling2D(), backend.Predict
	case "GlobalAveragePooling1D":
		return layers.GlobalAveragePooling1D(), backend.Predict
	case "GlobalMaxPooling1D":
		return layers.GlobalMaxPooling1D(), backend.Predict
	case "BatchNormalization":
		if a.Mode == "train" {
			return layers.BatchNormalization(), backend.Train
		}
		return layers.BatchNormalization(), backend.Predict
	case "LayerNormalization":
		return layers.LayerNormalization(), backend.Predict
	case "UpSampling2D":
		return layers.UpSampling2D(layers.Size(a.Size...), layers.Interpolation(a.Interpolation)), backend.Predict
	}
	t.Fatalf("%s: unknown layer %s", c.Name, c.Layer)
	return nil, 0
}

// TestTorchReference compares every layer's output and its gradients
// with respect to the input and each weight with PyTorch's (float64),
// from Keras's arguments: "same", "valid" and "causal" padding with
// strides and dilation, biases and activations, transposed convolutions,
// depthwise and separable convolutions, pooling, BatchNormalization in
// training and at inference, LayerNormalization, bilinear upsampling.
func TestTorchReference(t *testing.T) {
	for _, c := range loadTorchCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			l, mode := torchLayer(t, c)
			build(t, l, c.Name, c.X.Shape[1:])
			names := l.LayerBase().WeightNames()
			if len(names) != len(c.Weights) {
				t.Fatalf("weights %v, the reference has %d", names, len(c.Weights))
			}
			noGrad := make([]bool, 1+len(names))
			for i, w := range c.Weights {
				if names[i] != w.Name || !equalInts(l.Variables()[i].Shape(), w.Shape) {
					t.Fatalf("weight %d is %s %v, the reference's %s %v", i, names[i], l.Variables()[i].Shape(), w.Name, w.Shape)
				}
				if err := l.Variables()[i].SetFloat64s(w.Data); err != nil {
					t.Fatal(err)
				}
				_, has := c.Grads[w.Name]
				noGrad[1+i] = !has
			}
			x := c.X.dense()
			inputs := layertest.Inputs(l, x)
			f := layertest.Func(l, mode, 1, 9)
			out, shape, err := gradcheck.Forward(f, inputs)
			if err != nil {
				t.Fatal(err)
			}
			if !equalInts(shape, c.Output.Shape) {
				t.Fatalf("output shape %v, PyTorch's %v", shape, c.Output.Shape)
			}
			closeTo(t, "output", out, c.Output.Data, 1e-10)
			weighted := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
				y, err := f(g, in)
				if err != nil {
					return nil, err
				}
				r := G.NewTensor(g, tensor.Float64, y.Dims(), G.WithShape(y.Shape().Clone()...), G.WithName("r"),
					G.WithValue(gradcheck.FromSlice(c.R, y.Shape().Clone()...)))
				return G.HadamardProd(y, r)
			}
			grads, err := gradcheck.Gradient(weighted, inputs, noGrad)
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "gradient of x", grads[0], c.Grads["x"], 1e-10)
			for i, w := range c.Weights {
				if want, ok := c.Grads[w.Name]; ok {
					closeTo(t, "gradient of "+w.Name, grads[1+i], want, 1e-10)
				}
			}
		})
	}
}
