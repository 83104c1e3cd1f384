package layers_test

import (
	"fmt"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/layers"
)

// TestSpatialLayersNeverPanic builds thousands of layers with random,
// often invalid, arguments (zero, negative or huge sizes, strides with
// dilation, groups that do not divide) on random input shapes (wrong
// ranks, unknown sizes), calling Build directly, and runs the
// forward pass of those that build: each either works, with the output
// shape Build promised, or returns an error; none panics.
func TestSpatialLayersNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	small := func() int { // mostly 1 .. 4, sometimes -2 .. 0
		if rng.Intn(8) == 0 {
			return rng.Intn(3) - 2
		}
		return 1 + rng.Intn(4)
	}
	pick := func(vs ...string) string { return vs[rng.Intn(len(vs))] }
	ints := func(n int) []int {
		v := make([]int, 1+rng.Intn(n))
		for i := range v {
			v[i] = small()
			if rng.Intn(40) == 0 {
				v[i] = 1 << 40
			}
		}
		return v
	}
	// Each maker with the number of spatial axes its layer wants (0: any).
	type maker struct {
		axes int
		make func() layers.Layer
	}
	makers := []maker{
		{2, func() layers.Layer {
			return layers.Conv2D(small(), [2]int{small(), small()}, layers.Strides(ints(3)...), layers.DilationRate(ints(3)...),
				layers.Padding(pick("valid", "same", "causal", "full")), layers.Groups(small()), layers.Activation(pick("relu", "linear", "softmax")))
		}},
		{1, func() layers.Layer {
			return layers.Conv1D(small(), small(), layers.Strides(ints(2)...), layers.DilationRate(ints(2)...), layers.Padding(pick("valid", "same", "causal")))
		}},
		{2, func() layers.Layer {
			return layers.Conv2DTranspose(small(), [2]int{small(), small()}, layers.Strides(ints(3)...), layers.DilationRate(ints(3)...),
				layers.OutputPadding(ints(3)...), layers.Padding(pick("valid", "same")))
		}},
		{1, func() layers.Layer {
			return layers.Conv1DTranspose(small(), small(), layers.Strides(ints(2)...), layers.Padding(pick("valid", "same")))
		}},
		{2, func() layers.Layer {
			return layers.DepthwiseConv2D([2]int{small(), small()}, layers.DepthMultiplier(small()), layers.Strides(ints(3)...),
				layers.DilationRate(ints(3)...), layers.Padding(pick("valid", "same")))
		}},
		{2, func() layers.Layer {
			return layers.SeparableConv2D(small(), [2]int{small(), small()}, layers.DepthMultiplier(small()), layers.Strides(ints(3)...),
				layers.Padding(pick("valid", "same")))
		}},
		{1, func() layers.Layer {
			return layers.SeparableConv1D(small(), small(), layers.DepthMultiplier(small()), layers.DilationRate(ints(2)...))
		}},
		{2, func() layers.Layer {
			return layers.MaxPooling2D(layers.PoolSize(ints(3)...), layers.Strides(ints(3)...), layers.Padding(pick("valid", "same")))
		}},
		{1, func() layers.Layer {
			return layers.AveragePooling1D(layers.PoolSize(ints(2)...), layers.Strides(ints(2)...), layers.Padding(pick("valid", "same")))
		}},
		{2, func() layers.Layer { return layers.GlobalMaxPooling2D(layers.Keepdims(rng.Intn(2) == 0)) }},
		{1, func() layers.Layer { return layers.GlobalAveragePooling1D() }},
		{2, func() layers.Layer { return layers.ZeroPadding2D(ints(5)) }},
		{2, func() layers.Layer { return layers.Cropping2D(ints(5)) }},
		{1, func() layers.Layer { return layers.Cropping1D(ints(3)) }},
		{2, func() layers.Layer {
			return layers.UpSampling2D(layers.Size(ints(3)...), layers.Interpolation(pick("nearest", "bilinear", "area")))
		}},
		{1, func() layers.Layer { return layers.UpSampling1D(layers.Size(ints(2)...)) }},
		{0, func() layers.Layer {
			return layers.BatchNormalization(layers.Axis(small()), layers.Momentum(rng.Float64()*1.2), layers.Center(rng.Intn(2) == 0))
		}},
		{0, func() layers.Layer {
			return layers.LayerNormalization(layers.Axis(small()), layers.Epsilon(rng.Float64()-0.1))
		}},
		{2, func() layers.Layer { return layers.SpatialDropout2D(rng.Float64() * 1.1) }},
		{0, func() layers.Layer { return layers.GaussianNoise(rng.Float64()*1.2 - 0.1) }},
	}
	built, ran := 0, 0
	for i := 0; i < 3000; i++ {
		mk := makers[rng.Intn(len(makers))]
		l := mk.make()
		l.SetName("l")
		rank := 1 + rng.Intn(4)
		if mk.axes > 0 && rng.Intn(4) != 0 {
			rank = mk.axes + 1
		}
		in := make([]int, rank)
		for j := range in {
			in[j] = rng.Intn(8) // -1 (any size), 1 .. 7; models never give 0
			if in[j] == 0 {
				in[j] = -1
			}
		}
		label := fmt.Sprintf("case %d: %s %+v on %v", i, l.ClassName(), l.Config(), in)
		out, err := buildNoPanic(t, label, l, in)
		if err != nil {
			continue
		}
		built++
		known := append([]int{2}, in...)
		for j, d := range known {
			if d < 1 {
				known[j] = 1 + rng.Intn(6)
			}
		}
		if _, err := layertest.Build(l, "l", tensor.Float64, 1, in); err != nil {
			t.Fatalf("%s: rebuilding: %v", label, err)
		}
		for _, mode := range []backend.Mode{backend.Train, backend.Predict} {
			x := gradcheck.Rand(int64(i), -1, 1, known...)
			_, shape, err := forwardNoPanic(t, label, l, mode, x)
			if err != nil {
				continue
			}
			ran++
			for j, d := range out {
				if d >= 0 && shape[j+1] != d {
					t.Errorf("%s: forward shape %v, built %v", label, shape, out)
				}
			}
		}
	}
	t.Logf("%d of 3000 random layers built, %d forward runs", built, ran)
	if built < 600 || ran < 600 {
		t.Errorf("too few valid cases to mean anything: %d built, %d ran", built, ran)
	}
}

func buildNoPanic(t *testing.T, label string, l layers.Layer, in []int) (out []int, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: Build panicked: %v", label, r)
		}
	}()
	return l.Build(&layers.BuildContext{MaxParams: 1 << 24}, in)
}

func forwardNoPanic(t *testing.T, label string, l layers.Layer, mode backend.Mode, x *tensor.Dense) (out []float64, shape tensor.Shape, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: Forward panicked: %v", label, r)
		}
	}()
	return layertest.Forward(l, mode, x)
}
