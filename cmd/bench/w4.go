package main

import (
	"context"
	"fmt"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

// runW4 measures prediction with the W1 model (untrained weights, as
// torch_reference.py): the median latency of 2,000 one-row calls after
// 100 warm-up calls, and the median of ten 10,000-row calls after two
// warm-up calls.
func runW4(ctx context.Context, c *config) error {
	_, test, err := fashion(ctx)
	if err != nil {
		return err
	}
	m, err := fashionModel(42)
	if err != nil {
		return err
	}
	images := test.X.Data().([]float32)
	row := func(i int) *tensor.Dense {
		return tensor.New(tensor.WithShape(1, 28, 28), tensor.WithBacking(append([]float32(nil), images[i*784:(i+1)*784]...)))
	}
	rows := make([]*tensor.Dense, 2100)
	for i := range rows {
		rows[i] = row(i)
	}
	for i := 0; i < 100; i++ {
		if _, err := m.Predict(ctx, rows[i], keras.Verbose(0)); err != nil {
			return err
		}
	}
	lat := make([]float64, 0, 2000)
	watch := startWatch()
	for i := 100; i < 2100; i++ {
		t0 := time.Now()
		p, err := m.Predict(ctx, rows[i], keras.Verbose(0))
		if err != nil {
			return err
		}
		argmax(p.Data().([]float32))
		lat = append(lat, time.Since(t0).Seconds())
	}
	_, latCPU := watch.elapsed()
	latCPU /= 2000

	x := test.X
	if x.Shape()[0] != 10000 {
		return fmt.Errorf("the Fashion-MNIST test set has %d images, want 10,000", x.Shape()[0])
	}
	var wall, cpu []float64
	for r := 0; r < 12; r++ {
		watch := startWatch()
		if _, err := m.Predict(ctx, x, keras.Verbose(0), keras.BatchSize(10000)); err != nil {
			return err
		}
		w, cp := watch.elapsed()
		if r >= 2 {
			wall, cpu = append(wall, w), append(cpu, cp)
		}
	}
	latency := median(lat)
	if c.clock == "cpu" {
		latency = latCPU // per-call CPU time is too fine to take one by one: the mean
	}
	fmt.Fprintf(c.out, "RESULT W4 latency_us=%.2f rows10000_ms=%.3f\n", 1e6*latency, 1e3*c.pick(median(wall), median(cpu)))
	fmt.Fprintf(c.out, "INFO W4 latency_us_median=%.2f latency_us_p10=%.2f latency_us_p90=%.2f latency_cpu_us_mean=%.2f rows10000_wall_ms=%s rows10000_cpu_ms=%s\n",
		1e6*latency, 1e6*quantile(lat, 0.1), 1e6*quantile(lat, 0.9), 1e6*latCPU, list(scale(wall, 1e3), "%.3f"), list(scale(cpu, 1e3), "%.3f"))
	return nil
}

// argmax returns the index of the largest value, as torch_reference.py
// reads its prediction.
func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

func scale(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}
