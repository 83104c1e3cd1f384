package keras_test

import (
	"context"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// BenchmarkBostonSizedStep times one training step of the Boston
// walkthrough's model (13-64-64-1, RMSprop, batch 32): the per-step
// overhead of the engine, which dominates small models.
func BenchmarkBostonSizedStep(b *testing.B) {
	x, y := regression(320, 1)
	xs := x.Data().([]float64)
	wide := make([]float64, 320*13)
	for i := 0; i < 320; i++ {
		for j := 0; j < 13; j++ {
			wide[i*13+j] = xs[i*3+j%3]
		}
	}
	xw := dense([]int{320, 13}, wide)
	m := keras.Sequential(
		layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
		layers.Dense(64, layers.Activation("relu")),
		layers.Dense(1),
	)
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("rmsprop"), keras.Metrics("mae")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Fit(context.Background(), xw, y, keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*10), "us/step")
}
