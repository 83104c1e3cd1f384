package keras_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeras/gokeras/internal/testenv"
	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// loadFashion loads Fashion-MNIST scaled to [0, 1], or skips the test
// when KERAS_HOME does not hold it.
func loadFashion(tb testing.TB) (train, test datasets.Split) {
	tb.Helper()
	home := testenv.KerasHome(tb, "fashion-mnist/train-images-idx3-ubyte.gz")
	train, test, err := datasets.FashionMNIST(context.Background(), datasets.Dir(filepath.Join(home, "datasets")), datasets.Download(false))
	if err != nil {
		tb.Fatal(err)
	}
	if train.X, err = preprocessing.Rescale(train.X, 1.0/255); err != nil {
		tb.Fatal(err)
	}
	if test.X, err = preprocessing.Rescale(test.X, 1.0/255); err != nil {
		tb.Fatal(err)
	}
	return train, test
}

// fashionModel is the basic-classification tutorial's model.
func fashionModel(tb testing.TB) *keras.Model {
	m := keras.Sequential(
		layers.Flatten(layers.InputShape(28, 28)),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dense(10, layers.Activation("softmax")),
	)
	_ = m.SetSeed(42)
	if err := m.Compile(keras.Optimizer("adam"), keras.Loss("sparse_categorical_crossentropy"), keras.Metrics("accuracy")); err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestFashionMNISTTutorial trains the tutorial's model for 5 epochs at batch
// size 32 and checks the tutorial's test accuracy (0.8644 reported).
func TestFashionMNISTTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for 5 epochs (about 20 s): skipped with -short")
	}
	train, test := loadFashion(t)
	m := fashionModel(t)
	start := time.Now()
	h, err := m.Fit(context.Background(), train.X, train.Y, keras.Epochs(5), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	s, err := m.Evaluate(context.Background(), test.X, test.Y, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	loss, _ := h.Last("loss")
	acc, _ := h.Last("accuracy")
	t.Logf("5 epochs in %v (%.2f s/epoch); last epoch loss %.4f accuracy %.4f; test loss %.4f accuracy %.4f",
		elapsed.Round(time.Millisecond), elapsed.Seconds()/5, loss, acc, s["loss"], s["accuracy"])
	if s["accuracy"] < 0.86 {
		t.Errorf("test accuracy %.4f, want >= 0.86 (tutorial: 0.8644)", s["accuracy"])
	}
	p, err := m.Predict(context.Background(), test.X, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	first := p.Data().([]float32)[:10]
	best := 0
	for i, v := range first {
		if v > first[best] {
			best = i
		}
	}
	if best != 9 {
		t.Errorf("first test image predicted as class %d, want 9 (Ankle boot)", best)
	}
}

// BenchmarkFashionMNISTEpoch times one epoch (60,000 images, batch 32) of
// the tutorial's model; compare with ../shared/bench/torch_reference.py
// --w mlp. Run: go test ./keras -run ^$ -bench FashionMNISTEpoch -benchtime 3x
func BenchmarkFashionMNISTEpoch(b *testing.B) {
	train, _ := loadFashion(b)
	m := fashionModel(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Fit(context.Background(), train.X, train.Y, keras.Verbose(0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
