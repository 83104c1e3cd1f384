package main

import (
	"context"
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// W5 and W6 (torch_reference.py --w lstm|gru): Embedding(10000, 64) ->
// LSTM(64) or GRU(64) -> Dense(1, sigmoid), binary cross-entropy, Adam,
// batch 32, 100 steps on sequences of 100 random token ids with random
// labels (speed only), then Predict over the same 3,200 sequences in
// batches of 256.
const (
	seqVocab = 10000
	seqLen   = 100
	seqBatch = 32
	seqRows  = seqBatch * 100
)

func runW5(ctx context.Context, c *config) error { return runSequence(ctx, c, "W5", layers.LSTM(64)) }

func runW6(ctx context.Context, c *config) error { return runSequence(ctx, c, "W6", layers.GRU(64)) }

func runSequence(ctx context.Context, c *config, id string, rnn layers.Layer) error {
	rng := rand.New(rand.NewSource(1))
	ids := make([]int64, seqRows*seqLen)
	for i := range ids {
		ids[i] = int64(1 + rng.Intn(seqVocab-1))
	}
	labels := make([]float32, seqRows)
	for i := range labels {
		labels[i] = float32(rng.Intn(2))
	}
	x := tensor.New(tensor.WithShape(seqRows, seqLen), tensor.WithBacking(ids))
	y := tensor.New(tensor.WithShape(seqRows, 1), tensor.WithBacking(labels))
	m := keras.Sequential(
		layers.Embedding(seqVocab, 64, layers.InputShape(seqLen)),
		rnn,
		layers.Dense(1, layers.Activation("sigmoid")),
	)
	if err := m.SetSeed(1); err != nil {
		return err
	}
	if err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam")); err != nil {
		return err
	}
	if err := timeSteps(ctx, c, id, m, x, y, seqBatch); err != nil {
		return err
	}
	if _, err := m.Predict(ctx, x, keras.BatchSize(256), keras.Verbose(0)); err != nil { // warm-up
		return err
	}
	var wall, cpu []float64
	for r := 0; r < stepRuns; r++ {
		watch := startWatch()
		if _, err := m.Predict(ctx, x, keras.BatchSize(256), keras.Verbose(0)); err != nil {
			return err
		}
		w, cp := watch.elapsed()
		wall, cpu = append(wall, seqRows/w), append(cpu, seqRows/cp)
	}
	fmt.Fprintf(c.out, "INFO %s predict_samples_per_s=%.0f wall_samples_per_s=%s cpu_samples_per_s=%s\n",
		id, c.pick(median(wall), median(cpu)), list(wall, "%.0f"), list(cpu, "%.0f"))
	return nil
}
