package keras_test

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/internal/testenv"
	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// The reference workloads of ../shared/bench (W1 is
// BenchmarkFashionMNISTEpoch in fashion_test.go); compare each with
// torch_reference.py run on the same machine at the same time.

func loadBoston(tb testing.TB) (xTrain, yTrain, xTest, yTest *tensor.Dense) {
	tb.Helper()
	home := testenv.KerasHome(tb, "boston_housing.npz")
	train, test, err := datasets.BostonHousing(context.Background(), datasets.Dir(filepath.Join(home, "datasets")), datasets.Download(false))
	if err != nil {
		tb.Fatal(err)
	}
	// W3 z-scores with numpy's default n standard deviation.
	x, scaler, err := preprocessing.Standardize(train.X, preprocessing.DDOF(0))
	if err != nil {
		tb.Fatal(err)
	}
	xt, err := scaler.Transform(test.X)
	if err != nil {
		tb.Fatal(err)
	}
	return x, train.Y, xt, test.Y
}

// BenchmarkBostonW3 is workload W3: the Boston model (64-64-1, RMSprop,
// mse, mae metric), batch 32, validation_split 0.2, 500 epochs with
// validation every epoch. It reports seconds per 500-epoch run and the
// test MAE. Run: go test ./keras -run '^$' -bench BostonW3 -benchtime 3x
func BenchmarkBostonW3(b *testing.B) {
	x, y, xt, yt := loadBoston(b)
	var mae float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := keras.Sequential(
			layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
			layers.Dense(64, layers.Activation("relu")),
			layers.Dense(1),
		)
		_ = m.SetSeed(int64(i + 1))
		if err := m.Compile(keras.Loss("mse"), keras.Optimizer("rmsprop"), keras.Metrics("mae")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := m.Fit(context.Background(), x, y, keras.Epochs(500), keras.ValidationSplit(0.2), keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s, err := m.Evaluate(context.Background(), xt, yt, keras.Verbose(0))
		if err != nil {
			b.Fatal(err)
		}
		mae += s["mae"]
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.ReportMetric(mae/float64(b.N), "test_mae")
}

// BenchmarkPredictW4 is workload W4: the Fashion-MNIST MLP predicting one
// row (latency) and 10,000 rows in one call.
func BenchmarkPredictW4(b *testing.B) {
	_, test := loadFashion(b)
	m := fashionModel(b)
	one := rowsOfImages(test.X, 0, 1)
	b.Run("one_row", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := m.Predict(context.Background(), one, keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("10000_rows", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := m.Predict(context.Background(), test.X, keras.Verbose(0), keras.BatchSize(10000)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("10000_rows_batch_32", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := m.Predict(context.Background(), test.X, keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// rowsOfImages copies images [from, to) of a float32 (N, 28, 28) tensor.
func rowsOfImages(x *tensor.Dense, from, to int) *tensor.Dense {
	data := x.Data().([]float32)[from*784 : to*784]
	return tensor.New(tensor.WithShape(to-from, 28, 28), tensor.WithBacking(append([]float32(nil), data...)))
}

// syntheticImages returns n random 28x28 float32 images in [0, 1) and
// labels in [0, 10), from a fixed seed.
func syntheticImages(n int) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(7))
	xs := make([]float32, n*784)
	for i := range xs {
		if rng.Intn(2) == 0 {
			xs[i] = rng.Float32()
		}
	}
	ys := make([]float32, n)
	for i := range ys {
		ys[i] = float32(rng.Intn(10))
	}
	return tensor.New(tensor.WithShape(n, 28, 28), tensor.WithBacking(xs)), tensor.New(tensor.WithShape(n), tensor.WithBacking(ys))
}

// BenchmarkTrainStepW1 times training steps of the W1 model (784-128-10,
// Adam, sparse categorical cross-entropy, accuracy) on synthetic data,
// 1,024 rows, and reports the allocations of one step: each iteration
// trains one epoch and then five, and the difference of their
// allocations, divided by the four epochs' steps, leaves out what a Fit
// call allocates once. Run:
// go test ./keras -run '^$' -bench TrainStepW1 -benchmem
func BenchmarkTrainStepW1(b *testing.B) {
	for _, bs := range []int{32, 512} {
		b.Run(fmt.Sprintf("bs=%d", bs), func(b *testing.B) {
			const rows = 1024
			x, y := syntheticImages(rows)
			m := fashionModel(b)
			fit := func(epochs int) uint64 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				before := ms.Mallocs
				if _, err := m.Fit(context.Background(), x, y, keras.Verbose(0), keras.BatchSize(bs), keras.Epochs(epochs)); err != nil {
					b.Fatal(err)
				}
				runtime.ReadMemStats(&ms)
				return ms.Mallocs - before
			}
			fit(1)
			perEpoch := (rows + bs - 1) / bs
			var extra uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				one := fit(1)
				five := fit(5)
				extra += five - min(five, one)
			}
			b.StopTimer()
			b.ReportMetric(float64(extra)/float64(b.N*4*perEpoch), "allocs/step")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*6*perEpoch), "us/step")
		})
	}
}

// TestTrainStepAllocations holds the engine to the budget: at
// most 16 allocations per training step of the W1 model, counted as the
// difference between a 5-epoch and a 1-epoch Fit (which leaves out what a
// Fit call allocates once).
func TestTrainStepAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a 784-128-10 model (-short)")
	}
	for _, c := range []struct{ rows, bs int }{{256, 32}, {2048, 512}} {
		x, y := syntheticImages(c.rows)
		m := fashionModel(t)
		fit := func(epochs int) uint64 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			if _, err := m.Fit(context.Background(), x, y, keras.Verbose(0), keras.BatchSize(c.bs), keras.Epochs(epochs)); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&ms)
			return ms.Mallocs - before
		}
		fit(1)
		one, five := fit(1), fit(5)
		perStep := float64(five-min(five, one)) / float64(4*c.rows/c.bs)
		if perStep > 16 {
			t.Errorf("batch %d: a training step allocates %.1f times, want at most 16", c.bs, perStep)
		}
		t.Logf("batch %d: %.2f allocations per step", c.bs, perStep)
	}
}
