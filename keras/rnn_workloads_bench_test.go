package keras_test

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// W5 and W6 of ../shared/bench through the real API: Embedding(10000, 64)
// -> LSTM(64) (W6: GRU(64)) -> Dense(1, sigmoid), binary cross-entropy,
// Adam (Keras's eps 1e-7), Fit at batch 32 on sequences of 100 random
// token ids. Compare with `torch_reference.py --w lstm|gru` run beside it,
// interleaved (the machine is shared; compare ratios of medians):
//
//	go test ./keras -run '^$' -bench 'RNNWorkload' -benchtime 3x
const (
	rnnVocab = 10000
	rnnSteps = 100
	rnnBatch = 32
	rnnRows  = rnnBatch * 100 // one epoch is 100 training steps
)

// rnnWorkloadData returns rnnRows sequences of random ids in [1, vocab)
// (int64, as TextVectorization gives them) and random 0/1 labels.
func rnnWorkloadData() (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(1))
	x := make([]int64, rnnRows*rnnSteps)
	for i := range x {
		x[i] = int64(1 + rng.Intn(rnnVocab-1))
	}
	y := make([]float32, rnnRows)
	for i := range y {
		y[i] = float32(rng.Intn(2))
	}
	return tensor.New(tensor.WithShape(rnnRows, rnnSteps), tensor.WithBacking(x)), tensor.New(tensor.WithShape(rnnRows, 1), tensor.WithBacking(y))
}

func rnnWorkloadModel(b *testing.B, cell string) *keras.Model {
	b.Helper()
	var rnn layers.Layer = layers.LSTM(64)
	if cell == "gru" {
		rnn = layers.GRU(64)
	}
	m := keras.Sequential(
		layers.Embedding(rnnVocab, 64, layers.InputShape(rnnSteps)),
		rnn,
		layers.Dense(1, layers.Activation("sigmoid")),
	)
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam")); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRNNWorkload reports, for W5 (lstm) and W6 (gru), the seconds
// per 100 training steps (one Fit epoch of 100 batches of 32, after a
// warm-up epoch that builds the program) and the prediction throughput
// (Predict in batches of 256, as torch_reference.py predicts).
func BenchmarkRNNWorkload(b *testing.B) {
	ctx := context.Background()
	x, y := rnnWorkloadData()
	for _, cell := range []string{"lstm", "gru"} {
		b.Run(cell+"/train", func(b *testing.B) {
			m := rnnWorkloadModel(b, cell)
			if _, err := m.Fit(ctx, x, y, keras.Epochs(1), keras.BatchSize(rnnBatch), keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := m.Fit(ctx, x, y, keras.Epochs(1), keras.BatchSize(rnnBatch), keras.Verbose(0)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(time.Since(t0).Seconds()/float64(b.N), "s/100steps")
		})
		b.Run(cell+"/predict", func(b *testing.B) {
			m := rnnWorkloadModel(b, cell)
			if _, err := m.Predict(ctx, x, keras.BatchSize(256), keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := m.Predict(ctx, x, keras.BatchSize(256), keras.Verbose(0)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rnnRows*b.N)/time.Since(t0).Seconds(), "samples/s")
		})
	}
}
