package backend_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// constant adds a float64 tensor with the given values to g.
func constant(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))))
}

// run computes the nodes of g and returns their values.
func run(g *G.ExprGraph, nodes ...*G.Node) [][]float64 {
	vals := make([]G.Value, len(nodes))
	for i, n := range nodes {
		G.Read(n, &vals[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	out := make([][]float64, len(nodes))
	for i, v := range vals {
		out[i] = append([]float64(nil), v.Data().([]float64)...)
	}
	return out
}

func ExampleConv2D() {
	g := G.NewGraph()
	// One 3x3 single-channel image (NHWC) and a 2x2 kernel (kh, kw, C, F).
	x := constant(g, "x", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1)
	k := constant(g, "k", []float64{1, 0, 0, 2}, 2, 2, 1, 1)
	b := constant(g, "b", []float64{0.5}, 1)
	y, err := backend.Conv2D(x, k, b, backend.ConvParams{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape(), run(g, y)[0])
	// Output: (1, 2, 2, 1) [11.5 14.5 20.5 23.5]
}

func ExampleSamePadding() {
	// Keras's padding="same" for 28 cells, a 3-tap kernel and stride 2:
	// ceil(28/2) = 14 outputs, one cell of padding, after the image.
	top, bottom, _ := backend.SamePadding(28, 3, 2, 1)
	same, _ := backend.ConvOutputLength(28, 3, 2, 1, "same")
	valid, _ := backend.ConvOutputLength(28, 3, 2, 1, "valid")
	fmt.Println(top, bottom, same, valid)
	// Output: 0 1 14 13
}

func ExampleConvTransposePadding() {
	// Conv2DTranspose(padding="same", strides=2) with a 3x3 kernel on 4
	// rows gives 8 rows: the full output (4-1)*2+3 = 9 cropped by one row
	// at the bottom.
	before, after, extra, _ := backend.ConvTransposePadding(4, 3, 2, 1, "same", -1)
	n, _ := backend.ConvTransposeOutputLength(4, 3, 2, 1, "same", -1)
	fmt.Println(before, after, extra, n)
	// Output: 0 1 0 8
}

func ExampleMaxPool2D() {
	g := G.NewGraph()
	x := constant(g, "x", []float64{
		1, 5, 2, 0,
		3, 4, 8, 1,
		0, 2, 6, 7,
		9, 1, 3, 3,
	}, 1, 4, 4, 1)
	p := backend.PoolParams{Size: [2]int{2, 2}, Strides: [2]int{2, 2}}
	mx, err := backend.MaxPool2D(x, p)
	if err != nil {
		panic(err)
	}
	avg, err := backend.AvgPool2D(x, p)
	if err != nil {
		panic(err)
	}
	v := run(g, mx, avg)
	fmt.Println(v[0], v[1])
	// Output: [5 8 9 7] [3.25 2.75 3 4.75]
}

func ExampleBatchNormTrain() {
	g := G.NewGraph()
	// Four rows, one channel: mean 2.5, biased variance 1.25.
	x := constant(g, "x", []float64{1, 2, 3, 4}, 4, 1)
	gamma := constant(g, "gamma", []float64{1}, 1)
	beta := constant(g, "beta", []float64{0}, 1)
	m, err := backend.BatchMoments(x)
	if err != nil {
		panic(err)
	}
	y, err := backend.BatchNormTrain(x, m, gamma, beta, 0)
	if err != nil {
		panic(err)
	}
	v := run(g, m, y)
	fmt.Println(v[0])
	fmt.Printf("%.4f\n", v[1])
	// Output:
	// [2.5 1.25]
	// [-1.3416 -0.4472 0.4472 1.3416]
}

func ExampleUpSampling2D() {
	g := G.NewGraph()
	x := constant(g, "x", []float64{0, 4}, 1, 1, 2, 1)
	nearest, err := backend.UpSampling2D(x, [2]int{1, 2}, false)
	if err != nil {
		panic(err)
	}
	bilinear, err := backend.UpSampling2D(x, [2]int{1, 2}, true)
	if err != nil {
		panic(err)
	}
	v := run(g, nearest, bilinear)
	fmt.Println(v[0], v[1])
	// Output: [0 0 4 4] [0 1 3 4]
}

func ExampleGlobalAvgPool1DMasked() {
	g := G.NewGraph()
	// Two sequences of three steps, one feature; the mask keeps steps 0
	// and 1 of the first and step 2 of the second.
	x := constant(g, "x", []float64{1, 3, 100, 7, 7, 5}, 2, 3, 1)
	mask := constant(g, "mask", []float64{1, 1, 0, 0, 0, 1}, 2, 3)
	y, err := backend.GlobalAvgPool1DMasked(x, mask)
	if err != nil {
		panic(err)
	}
	fmt.Println(run(g, y)[0])
	// Output: [2 5]
}

func ExampleConv1D() {
	g := G.NewGraph()
	// A sequence of five steps, one feature, and a 2-tap kernel with
	// Keras's "causal" padding: output t sees inputs t-1 and t.
	x := constant(g, "x", []float64{1, 2, 3, 4, 5}, 1, 5, 1)
	k := constant(g, "k", []float64{-1, 1}, 2, 1, 1)
	left, right, _ := backend.CausalPadding(2, 1)
	y, err := backend.Conv1D(x, k, nil, backend.Conv1DParams{Stride: 1, Dilation: 1, Padding: [2]int{left, right}, Groups: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape(), run(g, y)[0])
	// Output: (1, 5, 1) [1 1 1 1 1]
}

func ExampleConv2DTranspose() {
	g := G.NewGraph()
	// Each input cell scatters itself times the 2x2 kernel; stride 2 puts
	// the copies side by side.
	x := constant(g, "x", []float64{1, 2}, 1, 1, 2, 1)
	k := constant(g, "k", []float64{1, 10, 100, 1000}, 2, 2, 1, 1)
	y, err := backend.Conv2DTranspose(x, k, nil, backend.ConvTransposeParams{Strides: [2]int{2, 2}, Dilation: [2]int{1, 1}})
	if err != nil {
		panic(err)
	}
	fmt.Println(y.Shape(), run(g, y)[0])
	// Output: (1, 2, 4, 1) [1 10 2 20 100 1000 200 2000]
}

func ExampleDepthwiseConv2D() {
	g := G.NewGraph()
	// Two channels, a 1x1 kernel with two filters per channel: output
	// channel c*2+m is channel c times k[c][m].
	x := constant(g, "x", []float64{1, 10}, 1, 1, 1, 2)
	k := constant(g, "k", []float64{1, 2, 3, 4}, 1, 1, 2, 2)
	y, err := backend.DepthwiseConv2D(x, k, nil, backend.ConvParams{Strides: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(run(g, y)[0])
	// Output: [1 2 30 40]
}

func ExampleZeroPadding2D() {
	g := G.NewGraph()
	x := constant(g, "x", []float64{1, 2, 3, 4}, 1, 2, 2, 1)
	p, err := backend.ZeroPadding2D(x, [4]int{1, 0, 0, 1})
	if err != nil {
		panic(err)
	}
	c, err := backend.Cropping2D(p, [4]int{1, 0, 0, 1})
	if err != nil {
		panic(err)
	}
	v := run(g, p, c)
	fmt.Println(p.Shape(), v[0], v[1])
	// Output: (1, 3, 3, 1) [0 0 0 1 2 0 3 4 0] [1 2 3 4]
}

func ExampleLayerNorm() {
	g := G.NewGraph()
	x := constant(g, "x", []float64{1, 2, 3, 4, 10, 10, 10, 10}, 2, 4)
	gamma := constant(g, "gamma", []float64{1, 1, 1, 1}, 4)
	beta := constant(g, "beta", []float64{0, 0, 0, 1}, 4)
	// Keras's epsilon 1e-3 keeps the constant second row finite.
	y, err := backend.LayerNorm(x, gamma, beta, 1e-3)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", run(g, y)[0])
	// Output: [-1.3411 -0.4470 0.4470 2.3411 0.0000 0.0000 0.0000 1.0000]
}

func ExampleGlobalAvgPool() {
	g := G.NewGraph()
	// Two 2x2 images with two channels: each channel's mean per image.
	x := constant(g, "x", []float64{1, 10, 2, 20, 3, 30, 4, 40, 0, 1, 0, 1, 0, 1, 0, 5}, 2, 2, 2, 2)
	avg, err := backend.GlobalAvgPool(x)
	if err != nil {
		panic(err)
	}
	mx, err := backend.GlobalMaxPool(x)
	if err != nil {
		panic(err)
	}
	v := run(g, avg, mx)
	fmt.Println(avg.Shape(), v[0], v[1])
	// Output: (2, 2) [2.5 25 0 2] [4 40 0 5]
}
