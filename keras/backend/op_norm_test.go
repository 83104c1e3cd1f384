package backend

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

func bnTrain(eps float64) builder {
	return func(in G.Nodes) (*G.Node, error) {
		m, err := BatchMoments(in[0])
		if err != nil {
			return nil, err
		}
		return BatchNormTrain(in[0], m, in[1], in[2], eps)
	}
}

// naiveNorm normalises x (rows, c) per column (batch) or per row (layer)
// with biased variance, in float64.
func naiveNorm(x, gamma, beta []float64, rows, c int, layer bool, eps float64) (y, mean, variance []float64) {
	y = make([]float64, len(x))
	groups, size := c, rows
	at := func(g, k int) int { return k*c + g }
	if layer {
		groups, size = rows, c
		at = func(g, k int) int { return g*c + k }
	}
	for g := 0; g < groups; g++ {
		var s, ss float64
		for k := 0; k < size; k++ {
			s += x[at(g, k)]
		}
		m := s / float64(size)
		for k := 0; k < size; k++ {
			d := x[at(g, k)] - m
			ss += d * d
		}
		v := ss / float64(size)
		mean, variance = append(mean, m), append(variance, v)
		for k := 0; k < size; k++ {
			i := at(g, k)
			j := g
			if layer {
				j = k
			}
			y[i] = gamma[j]*(x[i]-m)/math.Sqrt(v+eps) + beta[j]
		}
	}
	return y, mean, variance
}

var normShapes = [][]int{{5, 3}, {3, 4, 5, 2}, {2, 7, 4}, {1, 1, 1, 6}}

func TestBatchNormTrain(t *testing.T) {
	for _, xs := range normShapes {
		rows, c := rowsCols(tensor.Shape(xs))
		in := []*tensor.Dense{gradcheck.Rand(71, -2, 3, xs...), gradcheck.Rand(72, 0.5, 1.5, c), gradcheck.Rand(73, -1, 1, c)}
		want, mean, variance := naiveNorm(f64s(in[0]), f64s(in[1]), f64s(in[2]), rows, c, false, 1e-3)
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := map[tensor.Dtype]float64{tensor.Float64: 1e-12, tensor.Float32: 5e-6}[dt]
			got, _, _ := evalGraph(t, dt, bnTrain(1e-3), in, nil, 2)
			assertClose(t, "batch norm", got, want, tol, tol)
			m, _, _ := evalGraph(t, dt, func(in G.Nodes) (*G.Node, error) { return BatchMoments(in[0]) }, in[:1], nil, 2)
			assertClose(t, "moments", m, append(append([]float64(nil), mean...), variance...), tol, tol)
		}
		if rows > 1 {
			if m, err := gradcheck.Check(bnTrain(1e-3).check(), in, gradcheck.Options{}); err != nil {
				t.Fatalf("%v: gradcheck %v (worst %+v)", xs, err, m)
			}
		}
		// Float32 gradients against float64 ones.
		_, _, g64 := evalGraph(t, tensor.Float64, bnTrain(1e-3), in, nil, 3)
		_, _, g32 := evalGraph(t, tensor.Float32, bnTrain(1e-3), in, nil, 3)
		for i := range g64 {
			assertClose(t, "float32 gradient", g32[i], g64[i], 2e-4, 2e-4)
		}
	}
}

// TestBatchMomentsUsedTwice: a graph that uses the batch moments both to
// normalise and in its loss gets the sum of both paths' gradients.
func TestBatchMomentsUsedTwice(t *testing.T) {
	in := []*tensor.Dense{gradcheck.Rand(74, -2, 2, 6, 3), gradcheck.Rand(75, 0.5, 1.5, 3), gradcheck.Rand(76, -1, 1, 3),
		gradcheck.Rand(77, -1, 1, 6, 3), gradcheck.Rand(78, -1, 1, 2, 3)}
	f := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		m, err := BatchMoments(in[0])
		if err != nil {
			return nil, err
		}
		y, err := BatchNormTrain(in[0], m, in[1], in[2], 1e-3)
		if err != nil {
			return nil, err
		}
		a, err := weightedSum(y, in[3])
		if err != nil {
			return nil, err
		}
		b, err := weightedSum(m, in[4])
		if err != nil {
			return nil, err
		}
		return G.Add(a, b)
	}
	if m, err := gradcheck.Check(f, in, gradcheck.Options{NoGrad: []bool{false, false, false, true, true}}); err != nil {
		t.Fatalf("%v (worst %+v)", err, m)
	}
	// BatchMoments alone.
	mf := func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return BatchMoments(in[0]) }
	if m, err := gradcheck.Check(mf, in[:1], gradcheck.Options{}); err != nil {
		t.Fatalf("moments: %v (worst %+v)", err, m)
	}
}

func weightedSum(a, w *G.Node) (*G.Node, error) {
	p, err := G.HadamardProd(a, w)
	if err != nil {
		return nil, err
	}
	for p.Dims() > 0 {
		if p, err = G.Sum(p, 0); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func TestBatchNormInference(t *testing.T) {
	f := builder(func(in G.Nodes) (*G.Node, error) { return BatchNormInference(in[0], in[1], in[2], in[3], in[4], 1e-3) })
	for _, xs := range normShapes {
		rows, c := rowsCols(tensor.Shape(xs))
		in := []*tensor.Dense{gradcheck.Rand(81, -2, 3, xs...), gradcheck.Rand(82, -1, 1, c), gradcheck.Rand(83, 0.1, 2, c),
			gradcheck.Rand(84, 0.5, 1.5, c), gradcheck.Rand(85, -1, 1, c)}
		x, mean, variance, gamma, beta := f64s(in[0]), f64s(in[1]), f64s(in[2]), f64s(in[3]), f64s(in[4])
		want := make([]float64, len(x))
		for r := 0; r < rows; r++ {
			for j := 0; j < c; j++ {
				want[r*c+j] = gamma[j]*(x[r*c+j]-mean[j])/math.Sqrt(variance[j]+1e-3) + beta[j]
			}
		}
		got, _, _ := evalGraph(t, tensor.Float64, f, in, []bool{false, true, true, false, false}, 1)
		assertClose(t, "inference", got, want, 1e-12, 1e-12)
		got32, _, _ := evalGraph(t, tensor.Float32, f, in, []bool{false, true, true, false, false}, 1)
		assertClose(t, "inference float32", got32, want, 5e-6, 5e-6)
		if m, err := gradcheck.Check(f.check(), in, gradcheck.Options{NoGrad: []bool{false, true, true, false, false}}); err != nil {
			t.Fatalf("%v: %v (worst %+v)", xs, err, m)
		}
	}
}

func TestLayerNorm(t *testing.T) {
	f := builder(func(in G.Nodes) (*G.Node, error) { return LayerNorm(in[0], in[1], in[2], 1e-3) })
	for _, xs := range normShapes {
		rows, c := rowsCols(tensor.Shape(xs))
		in := []*tensor.Dense{gradcheck.Rand(91, -2, 3, xs...), gradcheck.Rand(92, 0.5, 1.5, c), gradcheck.Rand(93, -1, 1, c)}
		want, _, _ := naiveNorm(f64s(in[0]), f64s(in[1]), f64s(in[2]), rows, c, true, 1e-3)
		got, _, g64 := evalGraph(t, tensor.Float64, f, in, nil, 4)
		assertClose(t, "layer norm", got, want, 1e-12, 1e-12)
		got32, _, g32 := evalGraph(t, tensor.Float32, f, in, nil, 4)
		assertClose(t, "layer norm float32", got32, want, 5e-6, 5e-6)
		for i := range g64 {
			assertClose(t, "float32 gradient", g32[i], g64[i], 2e-4, 2e-4)
		}
		if m, err := gradcheck.Check(f.check(), in, gradcheck.Options{}); err != nil {
			t.Fatalf("%v: %v (worst %+v)", xs, err, m)
		}
	}
}

func TestNormBadInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 3), G.WithName("x"))
	x2 := G.NewTensor(g, tensor.Float64, 2, G.WithShape(4, 3), G.WithName("x2"))
	v3 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("v3"))
	v4 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(4), G.WithName("v4"))
	v32 := G.NewTensor(g, tensor.Float32, 1, G.WithShape(3), G.WithName("v32"))
	vec := G.NewTensor(g, tensor.Float64, 1, G.WithShape(5), G.WithName("vec"))
	m, err := BatchMoments(x)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"moments of a vector", second(BatchMoments(vec)), "want rank 2 or more"},
		{"moments of another x", second(BatchNormTrain(x2, m, v3, v3, 1e-3)), "BatchMoments(x) of the same x"},
		{"moments not from BatchMoments", second(BatchNormTrain(x, x, v3, v3, 1e-3)), "must be BatchMoments"},
		{"gamma shape", second(BatchNormTrain(x, m, v4, v3, 1e-3)), "gamma has shape (4), want (3)"},
		{"beta dtype", second(BatchNormTrain(x, m, v3, v32, 1e-3)), "beta is float32"},
		{"negative epsilon", second(BatchNormTrain(x, m, v3, v3, -1)), "epsilon"},
		{"NaN epsilon", second(LayerNorm(x, v3, v3, math.NaN())), "epsilon"},
		{"variance shape", second(BatchNormInference(x, v3, v4, v3, v3, 1e-3)), "variance has shape (4)"},
		{"nil mean", second(BatchNormInference(x, nil, v3, v3, v3, 1e-3)), "mean is nil"},
		{"layer norm gamma", second(LayerNorm(x, v4, v3, 1e-3)), "gamma has shape (4)"},
		{"nil x", second(LayerNorm(nil, v3, v3, 1e-3)), "x is nil"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}
