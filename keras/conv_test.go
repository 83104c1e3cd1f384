package keras_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/internal/testenv"
	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// bnData returns n rows of c features, seeded, with per-feature offsets
// and scales so that the moving statistics have something to track.
func bnData(n, c int) *tensor.Dense {
	x, _ := tableData(n, []int{c}, 1, 17)
	d := x.Data().([]float64)
	for i := range d {
		d[i] = d[i]*float64(1+i%c) + float64(i%c) - 1
	}
	return x
}

// TestBatchNormMovingStatisticsInFit trains a model whose first layer is
// BatchNormalization and checks, step by step, that Fit updates the
// moving statistics exactly as moving = moving*momentum + batch*(1 -
// momentum) with the batch mean and biased variance (Keras 3), that
// Predict, Evaluate and programs of other batch sizes then normalise
// with them, and that Summary counts them as non-trainable.
func TestBatchNormMovingStatisticsInFit(t *testing.T) {
	const n, c, bs, epochs, momentum = 24, 3, 8, 2, 0.9
	x := bnData(n, c)
	y := tensor.New(tensor.WithShape(n, c), tensor.WithBacking(make([]float64, n*c)))
	bn := layers.BatchNormalization(layers.Momentum(momentum), layers.InputShape(c), layers.Name("bn"))
	m := keras.Sequential(bn)
	_ = m.SetDtype(tensor.Float64)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.1)))); err != nil {
		t.Fatal(err)
	}
	var sum bytes.Buffer
	if err := m.Summary(&sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum.String(), "Trainable params: 6\n") || !strings.Contains(sum.String(), "Non-trainable params: 6\n") {
		t.Errorf("summary:\n%s", sum.String())
	}
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(epochs), keras.BatchSize(bs), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	// The host's replay: the statistics depend on the data only (the layer
	// reads the input directly), batch after batch, epoch after epoch.
	xs := x.Data().([]float64)
	mean, variance := make([]float64, c), []float64{1, 1, 1}
	for e := 0; e < epochs; e++ {
		for b := 0; b < n/bs; b++ {
			for j := 0; j < c; j++ {
				var mu, v float64
				for r := b * bs; r < (b+1)*bs; r++ {
					mu += xs[r*c+j] / bs
				}
				for r := b * bs; r < (b+1)*bs; r++ {
					v += (xs[r*c+j] - mu) * (xs[r*c+j] - mu) / bs
				}
				mean[j] = mean[j]*momentum + mu*(1-momentum)
				variance[j] = variance[j]*momentum + v*(1-momentum)
			}
		}
	}
	w, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	closeSlices(t, "moving_mean", w[2].Data().([]float64), mean, 1e-13)
	closeSlices(t, "moving_variance", w[3].Data().([]float64), variance, 1e-13)
	gamma, beta := w[0].Data().([]float64), w[1].Data().([]float64)
	if gamma[0] == 1 || beta[0] == 0 {
		t.Error("gamma and beta were not trained")
	}
	want := make([]float64, n*c)
	var loss float64
	for r := 0; r < n; r++ {
		for j := 0; j < c; j++ {
			v := gamma[j]*(xs[r*c+j]-mean[j])/math.Sqrt(variance[j]+1e-3) + beta[j]
			want[r*c+j] = v
			loss += v * v / (n * c)
		}
	}
	for _, batch := range []int{5, 24, 32} {
		p, err := m.Predict(context.Background(), x, keras.BatchSize(batch), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		closeSlices(t, fmt.Sprintf("predictions at batch size %d", batch), p.Data().([]float64), want, 1e-12)
	}
	s, err := m.Evaluate(context.Background(), x, y, keras.BatchSize(n), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s["loss"]-loss) > 1e-12 {
		t.Errorf("evaluate loss %v, want %v (inference mode with the moving statistics)", s["loss"], loss)
	}
}

// TestBatchNormTorchReferenceUpdate: one training step on the PyTorch
// reference case moves the statistics to the reference's values.
func TestBatchNormTorchReferenceUpdate(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("layers", "testdata", "torch_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Name string
			X    struct {
				Shape []int
				Data  []float64
			}
			Weights []struct {
				Name  string
				Shape []int
				Data  []float64
			}
			MovingMeanAfter     []float64 `json:"moving_mean_after"`
			MovingVarianceAfter []float64 `json:"moving_variance_after"`
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, c := range file.Cases {
		if c.Name != "batchnorm_train" {
			continue
		}
		m := keras.Sequential(layers.BatchNormalization(layers.InputShape(c.X.Shape[1:]...)))
		_ = m.SetDtype(tensor.Float64)
		if err := m.Compile(keras.Loss("mse"), keras.Optimizer("sgd")); err != nil {
			t.Fatal(err)
		}
		var ws []*tensor.Dense
		for _, w := range c.Weights {
			ws = append(ws, tensor.New(tensor.WithShape(w.Shape...), tensor.WithBacking(w.Data)))
		}
		if err := m.SetWeights(ws); err != nil {
			t.Fatal(err)
		}
		x := tensor.New(tensor.WithShape(c.X.Shape...), tensor.WithBacking(c.X.Data))
		y := tensor.New(tensor.WithShape(c.X.Shape...), tensor.WithBacking(make([]float64, len(c.X.Data))))
		if _, err := m.Fit(context.Background(), x, y, keras.BatchSize(c.X.Shape[0]), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
		w, _ := m.GetWeights()
		closeSlices(t, "moving_mean", w[2].Data().([]float64), c.MovingMeanAfter, 1e-13)
		closeSlices(t, "moving_variance", w[3].Data().([]float64), c.MovingVarianceAfter, 1e-13)
		return
	}
	t.Fatal("no batchnorm_train case")
}

func closeSlices(t *testing.T, what string, got, want []float64, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > rtol*math.Max(1, math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// TestConvModelResume: for the convolutional round-trip models (Batch-
// Normalization's moving statistics, seeded and unseeded noise layers),
// training 3 epochs, saving, loading and training 2 more repeats 5
// uninterrupted epochs bit for bit.
func TestConvModelResume(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"conv2d", "conv1d"} {
		var c roundTripCase
		for _, rc := range roundTripCases {
			if rc.name == name {
				c = rc
			}
		}
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(name+"_"+dt.String(), func(t *testing.T) {
				x, y := tableData(30, c.inShape, c.out, 8)
				fit := func(m *keras.Model, opts ...keras.FitOption) *keras.History {
					h, err := m.Fit(ctx, x, y, append(opts, keras.BatchSize(8), keras.Verbose(0), keras.ValidationSplit(0.2))...)
					if err != nil {
						t.Fatal(err)
					}
					return h
				}
				whole := buildCase(t, c, dt, 5, nil)
				hw := fit(whole, keras.Epochs(5))
				first := buildCase(t, c, dt, 5, nil)
				fit(first, keras.Epochs(3))
				path := filepath.Join(t.TempDir(), "ckpt.gokeras")
				if err := first.Save(path); err != nil {
					t.Fatal(err)
				}
				resumed, err := keras.LoadModel(path)
				if err != nil {
					t.Fatal(err)
				}
				hr := fit(resumed, keras.Epochs(5), keras.InitialEpoch(3))
				sameWeights(t, "resumed vs uninterrupted", whole, resumed)
				for _, key := range []string{"loss", "val_loss"} {
					a, _ := hw.Get(key)
					b, _ := hr.Get(key)
					if len(a) != 5 || fmt.Sprint(a[3:]) != fmt.Sprint(b) {
						t.Fatalf("%s: epochs 4-5 %v uninterrupted, %v resumed", key, a, b)
					}
				}
			})
		}
	}
}

// loadMNIST returns MNIST as (N, 28, 28, 1) images scaled to [0, 1] and
// one-hot labels, as the R example prepares it.
func loadMNIST(tb testing.TB) (x, y, xt, yt *tensor.Dense) {
	tb.Helper()
	home := testenv.KerasHome(tb, "mnist.npz")
	train, test, err := datasets.MNIST(context.Background(), datasets.Dir(filepath.Join(home, "datasets")), datasets.Download(false))
	if err != nil {
		tb.Fatal(err)
	}
	prep := func(s datasets.Split) (*tensor.Dense, *tensor.Dense) {
		if err := s.X.Reshape(s.X.Shape()[0], 28, 28, 1); err != nil {
			tb.Fatal(err)
		}
		xs, err := preprocessing.Rescale(s.X, 1.0/255)
		if err != nil {
			tb.Fatal(err)
		}
		ys, err := preprocessing.ToCategorical(s.Y, preprocessing.NumClasses(10))
		if err != nil {
			tb.Fatal(err)
		}
		return xs, ys
	}
	x, y = prep(train)
	xt, yt = prep(test)
	return x, y, xt, yt
}

func takeRows(tb testing.TB, t *tensor.Dense, n int) *tensor.Dense {
	tb.Helper()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	out, err := preprocessing.Take(t, idx)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestMNISTSmallCNNLearns trains a small CNN (conv 8 -> pool -> conv 16
// -> pool -> dense 10) for 2 epochs of 282 steps on 9,000 MNIST images
// and checks it classifies held-out test images well (> 0.9; chance is
// 0.1).
func TestMNISTSmallCNNLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a CNN for a few seconds (-short)")
	}
	x, y, xt, yt := loadMNIST(t)
	x, y = takeRows(t, x, 9000), takeRows(t, y, 9000)
	xt, yt = takeRows(t, xt, 2000), takeRows(t, yt, 2000)
	m := keras.Sequential(
		layers.Conv2D(8, [2]int{3, 3}, layers.Activation("relu"), layers.InputShape(28, 28, 1)),
		layers.MaxPooling2D(),
		layers.Conv2D(16, [2]int{3, 3}, layers.Activation("relu")),
		layers.MaxPooling2D(),
		layers.Flatten(),
		layers.Dense(10, layers.Activation("softmax")),
	)
	_ = m.SetSeed(3)
	if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(32), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	s, err := m.Evaluate(context.Background(), xt, yt, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("564 steps in %v: test accuracy %.4f, loss %.4f", time.Since(start).Round(time.Millisecond), s["accuracy"], s["loss"])
	if s["accuracy"] < 0.9 {
		t.Errorf("test accuracy %.4f after 2 epochs on 9,000 images, want > 0.9", s["accuracy"])
	}
}

// mnistCNN is the R example mnist_cnn's model (and workload W2's).
func mnistCNN() *keras.Model {
	return keras.Sequential(
		layers.Conv2D(32, [2]int{3, 3}, layers.Activation("relu"), layers.InputShape(28, 28, 1)),
		layers.Conv2D(64, [2]int{3, 3}, layers.Activation("relu")),
		layers.MaxPooling2D(layers.PoolSize(2, 2)),
		layers.Dropout(0.25),
		layers.Flatten(),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dropout(0.5),
		layers.Dense(10, layers.Activation("softmax")),
	)
}

// BenchmarkMNISTCNNW2 is workload W2 of ../shared/bench: the mnist_cnn
// model with Adam (lr 1e-3), categorical cross-entropy, batch 128, 100
// training steps through Fit (MNIST's first 12,800 images, one epoch, no
// shuffle, as torch_reference.py --w cnn takes consecutive batches). It
// reports seconds per 100 steps, the process's CPU seconds per 100 steps
// and the bytes allocated per step. Run:
//
//	go test ./keras -run '^$' -bench MNISTCNNW2 -benchtime 3x -benchmem
func BenchmarkMNISTCNNW2(b *testing.B) {
	x, y, _, _ := loadMNIST(b)
	x, y = takeRows(b, x, 12800), takeRows(b, y, 12800)
	m := mnistCNN()
	_ = m.SetSeed(1)
	if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
		b.Fatal(err)
	}
	// Warm up: build the training program.
	if _, err := m.Fit(context.Background(), takeRows(b, x, 128), takeRows(b, y, 128), keras.BatchSize(128), keras.Verbose(0)); err != nil {
		b.Fatal(err)
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Fit(context.Background(), x, y, keras.BatchSize(128), keras.Shuffle(false), keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	steps := float64(100 * b.N)
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100steps")
	b.ReportMetric((processCPU()-cpu0).Seconds()/float64(b.N), "cpu-s/100steps")
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/steps, "B/step")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/steps, "allocs/step")
}

// BenchmarkMNISTCNNW2Epoch is W2's full epoch (torch_reference.py --w
// cnn --full): the same model and optimizer for one shuffled epoch of the
// 60,000 training images (469 steps of 128, the last one partial), then
// the test accuracy. It reports seconds per epoch and the accuracy.
//
//	go test ./keras -run '^$' -bench MNISTCNNW2Epoch -benchtime 1x
func BenchmarkMNISTCNNW2Epoch(b *testing.B) {
	x, y, xt, yt := loadMNIST(b)
	var acc float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		m := mnistCNN()
		_ = m.SetSeed(int64(i + 1))
		if err := m.Compile(keras.Loss("categorical_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := m.Fit(context.Background(), x, y, keras.BatchSize(128), keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s, err := m.Evaluate(context.Background(), xt, yt, keras.BatchSize(500), keras.Verbose(0))
		if err != nil {
			b.Fatal(err)
		}
		acc += s["accuracy"]
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	b.ReportMetric(acc/float64(b.N), "test_accuracy")
}

// BenchmarkMNISTCNNPredict times the mnist_cnn model's inference: one
// image per call (latency) and 10,000 images in one call. The weights are
// the initial ones (the work does not depend on their values); the
// example program examples/mnist_cnn reports the same for the trained
// model.
func BenchmarkMNISTCNNPredict(b *testing.B) {
	_, _, xt, _ := loadMNIST(b)
	m := mnistCNN()
	_ = m.SetSeed(1)
	if err := m.Build(); err != nil {
		b.Fatal(err)
	}
	one := takeRows(b, xt, 1)
	b.Run("one_image", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := m.Predict(context.Background(), one, keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("10000_images", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := m.Predict(context.Background(), xt, keras.BatchSize(1000), keras.Verbose(0)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "images/s")
	})
}
