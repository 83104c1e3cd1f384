package layers_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/internal/layertest"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// TestSequenceLayersNeverPanic builds hundreds of random (often invalid)
// sequence layers for random input shapes and runs the valid ones in
// training and inference, with and without masks: every outcome is a
// value or an error, never a panic.
func TestSequenceLayersNeverPanic(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pick := func(xs ...int) int { return xs[rng.Intn(len(xs))] }
	rate := func() float64 { return []float64{0, 0, 0.3, 1, -0.5}[rng.Intn(5)] }
	rnnOpts := func(class string) []layers.RNNOption {
		opts := []layers.RNNOption{layers.ReturnSequences(rng.Intn(2) == 0), layers.GoBackwards(rng.Intn(2) == 0),
			layers.InputDropout(rate()), layers.RecurrentDropout(rate()), layers.UseBias(rng.Intn(3) > 0),
			layers.ZeroOutputForMask(rng.Intn(2) == 0)}
		if rng.Intn(4) == 0 {
			opts = append(opts, layers.ReturnState(true))
		}
		if rng.Intn(4) == 0 {
			opts = append(opts, layers.Activation([]string{"relu", "sigmoid", "softmax", "gelu"}[rng.Intn(4)]))
		}
		if rng.Intn(5) == 0 {
			opts = append(opts, layers.RecurrentActivation("hard_sigmoid"), layers.ResetAfter(false), layers.UnitForgetBias(false))
		}
		if rng.Intn(3) == 0 {
			opts = append(opts, layers.Seed(int64(rng.Intn(5))))
		}
		return opts
	}
	rnn := func() *layers.RecurrentLayer {
		units := pick(1, 2, 3, 0, -1)
		switch rng.Intn(3) {
		case 0:
			return layers.LSTM(units, rnnOpts("LSTM")...)
		case 1:
			return layers.GRU(units, rnnOpts("GRU")...)
		}
		return layers.SimpleRNN(units, rnnOpts("SimpleRNN")...)
	}
	makers := []func() layers.Layer{
		func() layers.Layer { return rnn() },
		func() layers.Layer {
			return layers.Bidirectional(rnn(), layers.MergeMode([]string{"concat", "sum", "mul", "ave", "none", "max"}[rng.Intn(6)]))
		},
		func() layers.Layer { return layers.TimeDistributed(layers.Dense(pick(1, 2, 0))) },
		func() layers.Layer { return layers.TimeDistributed(rnn()) },
		func() layers.Layer {
			return layers.Embedding(pick(1, 5, 0), pick(1, 3), layers.MaskZero(rng.Intn(2) == 0))
		},
		func() layers.Layer { return layers.Masking(layers.MaskValue(float64(pick(0, 1)))) },
		func() layers.Layer { return layers.RepeatVector(pick(1, 3, 0)) },
		func() layers.Layer { return layers.Permute([]int{pick(1, 2, 3), pick(1, 2, 3)}) },
	}
	ran := 0
	for i := 0; i < 400; i++ {
		l := makers[rng.Intn(len(makers))]()
		rank := pick(1, 2, 3)
		in := make([]int, rank)
		for j := range in {
			in[j] = pick(1, 2, 3, -1)
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("case %d: %s on %v panicked: %v", i, l.ClassName(), in, r)
				}
			}()
			if _, err := layertest.Build(l, fmt.Sprintf("l%d", i), tensor.Float64, int64(i), in); err != nil {
				noPanic(t, i, l, in, err)
				return
			}
			shape := []int{2}
			for _, d := range in {
				if d < 0 {
					d = 3
				}
				shape = append(shape, d)
			}
			x := gradcheck.Rand(int64(i), -1, 3, shape...)
			var mask *tensor.Dense
			if len(shape) >= 3 && rng.Intn(2) == 0 {
				mask = gradcheck.FromSlice(maskValues(rng, shape[0]*shape[1]), shape[0], shape[1])
			}
			for _, mode := range []backend.Mode{backend.Predict, backend.Train} {
				_, _, err := seqCheck{layer: l, mode: mode, inputs: []*tensor.Dense{x}, mask: mask}.forward()
				noPanic(t, i, l, in, err)
			}
			ran++
		}()
	}
	t.Logf("%d of 400 random layers were valid and ran", ran)
	if ran < 50 {
		t.Errorf("only %d of 400 random layers were valid and ran", ran)
	}
}

// noPanic fails when err is a recovered panic (ApplyLayer turns a panic
// while building into a *kerrors.PanicError; it must not happen either).
func noPanic(t *testing.T, i int, l layers.Layer, in []int, err error) {
	t.Helper()
	var pe *kerrors.PanicError
	if errors.As(err, &pe) || (err != nil && strings.Contains(err.Error(), "panic")) {
		t.Fatalf("case %d: %s on %v: %v", i, l.ClassName(), in, err)
	}
}

func maskValues(rng *rand.Rand, n int) []float64 {
	m := make([]float64, n)
	for i := range m {
		m[i] = float64(rng.Intn(2))
	}
	return m
}
