package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// fashion loads Fashion-MNIST from Keras's cache, images scaled to [0, 1]
// as float32 (the walkthrough's x/255).
func fashion(ctx context.Context) (train, test datasets.Split, err error) {
	train, test, err = datasets.FashionMNIST(ctx, datasets.Download(false))
	if err != nil {
		return train, test, err
	}
	if train.X, err = preprocessing.Rescale(train.X, 1.0/255); err != nil {
		return train, test, err
	}
	test.X, err = preprocessing.Rescale(test.X, 1.0/255)
	return train, test, err
}

// fashionModel is the walkthrough's model (docs/walkthroughs/fashion_mnist.md),
// compiled as there, with weights from seed.
func fashionModel(seed int64) (*keras.Model, error) {
	m := keras.Sequential(
		layers.Flatten(layers.InputShape(28, 28)),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dense(10, layers.Activation("softmax")),
	)
	if err := m.SetSeed(seed); err != nil {
		return nil, err
	}
	if err := m.Compile(keras.Optimizer("adam"), keras.Loss("sparse_categorical_crossentropy"), keras.Metrics("accuracy")); err != nil {
		return nil, err
	}
	return m, nil
}

// epochTimer records each epoch's wall-clock and CPU seconds and, when
// peakFor is set, measures the sgemm peak for that long after each epoch
// (outside the epoch's time).
type epochTimer struct {
	keras.CallbackBase
	watch     stopwatch
	wall, cpu []float64
	peakFor   time.Duration
	peaks     []float64 // GFLOP/s after each epoch
}

func (t *epochTimer) OnEpochBegin(int, keras.Logs) error {
	t.watch = startWatch()
	return nil
}

func (t *epochTimer) OnEpochEnd(int, keras.Logs) error {
	w, c := t.watch.elapsed()
	t.wall, t.cpu = append(t.wall, w), append(t.cpu, c)
	if t.peakFor == 0 {
		return nil
	}
	p, err := sgemmPeak(t.peakFor)
	t.peaks = append(t.peaks, p)
	return err
}

// runW1 trains the walkthrough's model for c.epochs epochs at batch 32 and
// at batch 512, each from the same initial weights, and reports the
// median epoch.
func runW1(ctx context.Context, c *config) error {
	train, test, err := fashion(ctx)
	if err != nil {
		return err
	}
	for _, bs := range c.w1Batch {
		if err := w1Batch(ctx, c, train, test, bs); err != nil {
			return err
		}
	}
	return nil
}

func w1Batch(ctx context.Context, c *config, train, test datasets.Split, bs int) error {
	m, err := fashionModel(42)
	if err != nil {
		return err
	}
	// The sgemm peak is measured right before the training and after
	// every epoch (outside its time), so that the epochs are compared with
	// the machine they ran on: its speed drifts by a fifth within a
	// minute, and one short measurement of the peak varies as much.
	peakBefore, err := sgemmPeak(peakTime)
	if err != nil {
		return err
	}
	timer := &epochTimer{peakFor: peakTime}
	watch := startWatch()
	if _, err := m.Fit(ctx, train.X, train.Y, keras.Epochs(c.epochs), keras.BatchSize(bs), keras.Verbose(0), keras.Callbacks(timer)); err != nil {
		return err
	}
	fitWall, fitCPU := watch.elapsed()
	acc, err := accuracy(ctx, m, test.X, test.Y)
	if err != nil {
		return err
	}
	peaks := append([]float64{peakBefore}, timer.peaks...)
	rate := w1GFLOP / median(timer.wall)
	fmt.Fprintf(c.out, "RESULT W1 bs=%d s_per_epoch=%.4f\n", bs, c.pick(median(timer.wall), median(timer.cpu)))
	fmt.Fprintf(c.out, "INFO W1 bs=%d epochs=%d wall_s=%s cpu_s=%s fit_wall_s=%.3f fit_cpu_s=%.3f test_accuracy=%.4f weights_fnv=%s\n",
		bs, c.epochs, list(timer.wall, "%.4f"), list(timer.cpu, "%.4f"), fitWall, fitCPU, acc, weightsHash(m))
	fmt.Fprintf(c.out, "INFO W1 bs=%d gflop_per_epoch=%.2f gflops=%.1f sgemm_peak_gflops=%.1f (%s) peak_share=%.3f\n",
		bs, w1GFLOP, rate, median(peaks), list(peaks, "%.1f"), rate/median(peaks))
	return nil
}

// accuracy evaluates m's accuracy on x, y.
func accuracy(ctx context.Context, m *keras.Model, x, y *tensor.Dense) (float64, error) {
	s, err := m.Evaluate(ctx, x, y, keras.Verbose(0))
	if err != nil {
		return 0, err
	}
	return s["accuracy"], nil
}

// weightsHash returns an FNV-1a hash of the bits of every weight, to check
// that two builds train to the same bits.
func weightsHash(m *keras.Model) string {
	ws, err := m.GetWeights()
	if err != nil {
		return "n/a"
	}
	h := fnv.New64a()
	var b [8]byte
	for _, w := range ws {
		switch d := w.Data().(type) {
		case []float32:
			for _, v := range d {
				binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
				h.Write(b[:4])
			}
		case []float64:
			for _, v := range d {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				h.Write(b[:])
			}
		}
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
