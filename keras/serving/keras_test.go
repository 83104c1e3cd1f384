package serving

// The tests that use real gokeras models. Every use of the keras API in
// the package's tests is in this file, next to model.go's.

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// fashionModel is the basic-classification tutorial's model,
// Flatten(28x28) -> Dense(128, relu) -> Dense(10, softmax), compiled as
// the tutorial compiles it.
func fashionModel(t testing.TB, seed int64, dt tensor.Dtype) *keras.Model {
	t.Helper()
	m := keras.Sequential(
		layers.Flatten(layers.InputShape(28, 28)),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dense(10, layers.Activation("softmax")),
	)
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	if err := m.SetDtype(dt); err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(keras.Optimizer("adam"), keras.Loss("sparse_categorical_crossentropy"), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	return m
}

// The data set, read once for all tests.
var fashion struct {
	once  sync.Once
	train *datasets.Split
	test  []float32 // test images scaled to [0, 1]
	err   error
}

// fashionImages returns n Fashion-MNIST test images scaled to [0, 1] and
// the training split, or n seeded random images and no training data when
// KERAS_HOME does not hold the data set or with -short (reading it takes
// long under the race detector).
func fashionImages(t testing.TB, n int) (images []float32, train *datasets.Split) {
	t.Helper()
	home := os.Getenv("KERAS_HOME")
	if home != "" && !testing.Short() {
		if _, err := os.Stat(filepath.Join(home, "datasets", "fashion-mnist", "t10k-images-idx3-ubyte.gz")); err == nil {
			fashion.once.Do(func() {
				tr, te, err := datasets.FashionMNIST(context.Background(), datasets.Download(false))
				if err != nil {
					fashion.err = err
					return
				}
				x, err := preprocessing.Rescale(te.X, 1.0/255)
				fashion.train, fashion.test, fashion.err = &tr, x.Data().([]float32), err
			})
			if fashion.err != nil {
				t.Fatal(fashion.err)
			}
			return append([]float32(nil), fashion.test[:n*784]...), fashion.train
		}
	}
	t.Logf("Fashion-MNIST not found (KERAS_HOME=%q): serving random images to an untrained model", home)
	rng := rand.New(rand.NewSource(7))
	images = make([]float32, n*784)
	for i := range images {
		images[i] = float32(rng.Intn(256)) / 255
	}
	return images, nil
}

// trainBriefly fits m for one epoch on the first rows of train.
func trainBriefly(t testing.TB, m *keras.Model, train *datasets.Split, rows int) {
	t.Helper()
	idx := make([]int, rows)
	for i := range idx {
		idx[i] = i
	}
	x, err := preprocessing.Take(train.X, idx)
	if err != nil {
		t.Fatal(err)
	}
	y, err := preprocessing.Take(train.Y, idx)
	if err != nil {
		t.Fatal(err)
	}
	if x, err = preprocessing.Rescale(x, 1.0/255); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(1), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := h.Last("accuracy")
	t.Logf("trained 1 epoch on %d images: accuracy %.3f", rows, acc)
}

// directPredict runs the model on images (n×784) and returns its output.
func directPredict(t testing.TB, m *keras.Model, images []float32) []float32 {
	t.Helper()
	x := tensor.New(tensor.WithShape(len(images)/784, 28, 28), tensor.WithBacking(append([]float32(nil), images...)))
	y, err := m.Predict(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return y.Data().([]float32)
}

// saveVersion saves m as version n under base.
func saveVersion(t testing.TB, m interface{ Save(string) error }, base string, n int) {
	t.Helper()
	dir := filepath.Join(base, itoa(n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(filepath.Join(dir, ModelFile)); err != nil {
		t.Fatal(err)
	}
}

// TestRowsAreIndependent is why batching cannot change an answer: the
// model's output for a row is bit for bit the same whatever rows share its
// batch and whatever the batch size, in both dtypes.
func TestRowsAreIndependent(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := fashionModel(t, 3, dt)
		p, err := newKerasPredictor(m)
		if err != nil {
			t.Fatal(err)
		}
		const n = 70
		images, _ := fashionImages(t, n)
		col := column{dtype: p.in[0].dtype}
		for _, v := range images {
			if dt == tensor.Float32 {
				col.f32 = append(col.f32, v)
			} else {
				col.f64 = append(col.f64, float64(v))
			}
		}
		var ref []column
		for _, bs := range []int{1, 2, 3, 7, 16, 32, 33, 64, 70} {
			out, err := p.predict(context.Background(), n, []column{col}, bs)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = out
				continue
			}
			if !reflect.DeepEqual(out, ref) {
				t.Errorf("%v: rows computed %d at a time differ from rows computed one at a time", dt, bs)
			}
		}
		// A row alone equals the same row inside a batch.
		for _, r := range []int{0, 5, 69} {
			one := col.slice(r*784, (r+1)*784)
			out, err := p.predict(context.Background(), 1, []column{one}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out[0], ref[0].slice(r*10, (r+1)*10)) {
				t.Errorf("%v: row %d alone differs from row %d in a batch of %d", dt, r, r, n)
			}
		}
	}
}

// TestKerasSignature checks the names, shapes and dtypes a gokeras model
// is served under: TF's names for a Keras Sequential model.
func TestKerasSignature(t *testing.T) {
	for _, tc := range []struct {
		m       *keras.Model
		in, out string
		dt      dtype
	}{
		{fashionModel(t, 1, tensor.Float32), "flatten_input", "dense_1", float32Type},
		{fashionModel(t, 1, tensor.Float64), "flatten_input", "dense_1", float64Type},
		{keras.Sequential(layers.Input(4), layers.Dense(2, layers.Name("scores"))), "scores_input", "scores", float32Type},
		{keras.Sequential(named(layers.Input(4), "pixels"), layers.Dense(2, layers.Name("scores"))), "pixels", "scores", float32Type},
	} {
		p, err := newKerasPredictor(tc.m)
		if err != nil {
			t.Fatal(err)
		}
		if p.in[0].name != tc.in || p.out[0].name != tc.out || p.in[0].dtype != tc.dt {
			t.Errorf("signature %+v -> %+v, want %s -> %s (%v)", p.in, p.out, tc.in, tc.out, tc.dt)
		}
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func named(l *layers.InputLayer, name string) *layers.InputLayer {
	l.SetName(name)
	return l
}

// TestKerasFunctionalModel serves a functional model with two named
// inputs and two outputs through the keras adapter: the signature carries
// their names and shapes, and answers equal PredictAll's.
func TestKerasFunctionalModel(t *testing.T) {
	a := keras.Input([]int{3}, keras.InputName("a"))
	b := keras.Input([]int{2}, keras.InputName("b"))
	h := layers.Concatenate().Apply(layers.Dense(4, layers.Activation("relu")).Apply(a), b)
	p1 := layers.Dense(1, layers.Name("score")).Apply(h)
	p2 := layers.Dense(2, layers.Activation("softmax"), layers.Name("kind")).Apply(h)
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{p1, p2})
	if err != nil {
		t.Fatal(err)
	}
	p, err := newKerasPredictor(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.in) != 2 || p.in[0].name != "a" || p.in[1].name != "b" || len(p.out) != 2 || p.out[0].name != "score" || p.out[1].name != "kind" {
		t.Fatalf("signature %+v -> %+v", p.in, p.out)
	}
	xa := []float32{1, 2, 3, -1, 0, 1}
	xb := []float32{0.5, -0.5, 2, 1}
	got, err := p.predict(context.Background(), 2, []column{{dtype: float32Type, f32: xa}, {dtype: float32Type, f32: xb}}, 32)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.PredictAll(context.Background(), []tensor.Tensor{
		tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float32(nil), xa...))),
		tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(append([]float32(nil), xb...))),
	}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		w := want[k].Data().([]float32)
		if len(got[k].f32) != len(w) {
			t.Fatalf("output %d: %d values, want %d", k, len(got[k].f32), len(w))
		}
		for i := range w {
			if math.Float32bits(got[k].f32[i]) != math.Float32bits(w[i]) {
				t.Fatalf("output %d[%d]: %v, PredictAll %v", k, i, got[k].f32[i], w[i])
			}
		}
	}
}
