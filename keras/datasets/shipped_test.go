package datasets_test

import (
	"context"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/internal/testenv"
)

// kerasHome returns $KERAS_HOME when it holds a datasets folder, and skips
// the test otherwise.
func kerasHome(t *testing.T, file string) string {
	t.Helper()
	kh := testenv.KerasHome(t, file)
	t.Setenv("KERAS_HOME", kh)
	return kh
}

// offline are options that keep a test from touching the network.
var offline = []datasets.CommonOption{datasets.Download(false), datasets.Progress(nil)}

// common returns opts as options of the loader whose option type is O
// (every loader takes the common options).
func common[O any](opts ...datasets.CommonOption) []O {
	out := make([]O, len(opts))
	for i, o := range opts {
		out[i] = any(o).(O)
	}
	return out
}

func checkShape(t *testing.T, name string, x *tensor.Dense, dt tensor.Dtype, shape ...int) {
	t.Helper()
	if x.Dtype() != dt || !x.Shape().Eq(tensor.Shape(shape)) {
		t.Errorf("%s: %v %v, want %v %v", name, x.Dtype(), x.Shape(), dt, tensor.Shape(shape))
	}
}

func labelRange(t *testing.T, name string, y *tensor.Dense, max uint8) {
	t.Helper()
	var seen [256]bool
	for _, v := range y.Data().([]uint8) {
		seen[v] = true
	}
	for v := 0; v < 256; v++ {
		if seen[v] != (v <= int(max)) {
			t.Errorf("%s: label %d seen=%v, want labels exactly 0-%d", name, v, seen[v], max)
		}
	}
}

func TestMNISTShipped(t *testing.T) {
	kerasHome(t, "mnist.npz")
	train, test, err := datasets.MNIST(context.Background(), common[datasets.MNISTOption](offline...)...)
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "x_train", train.X, tensor.Uint8, 60000, 28, 28)
	checkShape(t, "y_train", train.Y, tensor.Uint8, 60000)
	checkShape(t, "x_test", test.X, tensor.Uint8, 10000, 28, 28)
	checkShape(t, "y_test", test.Y, tensor.Uint8, 10000)
	labelRange(t, "y_train", train.Y, 9)
	labelRange(t, "y_test", test.Y, 9)
	// Pinned values, read with NumPy from the same file.
	pins := []struct {
		name string
		x    *tensor.Dense
		at   []int
		want uint8
	}{
		{"y_train[0]", train.Y, []int{0}, 5},
		{"y_train[4]", train.Y, []int{4}, 9},
		{"y_test[0]", test.Y, []int{0}, 7},
		{"y_test[7]", test.Y, []int{7}, 9},
		{"x_train[0,10,11]", train.X, []int{0, 10, 11}, 154},
		{"x_train[0,13,14]", train.X, []int{0, 13, 14}, 225},
		{"y_train[59999]", train.Y, []int{59999}, 8},
		{"y_test[9999]", test.Y, []int{9999}, 6},
	}
	for _, p := range pins {
		v, err := p.x.At(p.at...)
		if err != nil || v.(uint8) != p.want {
			t.Errorf("%s = %v (%v), want %d", p.name, v, err, p.want)
		}
	}
	if s := sumUint8(train.X); s != 1567298545 {
		t.Errorf("sum of x_train = %d, want 1567298545", s)
	}
	if s := sumUint8(test.X); s != 264923200 {
		t.Errorf("sum of x_test = %d, want 264923200", s)
	}
}

func sumUint8(x *tensor.Dense) int {
	s := 0
	for _, v := range x.Data().([]uint8) {
		s += int(v)
	}
	return s
}

func TestFashionMNISTShipped(t *testing.T) {
	kerasHome(t, "fashion-mnist/train-images-idx3-ubyte.gz")
	train, test, err := datasets.FashionMNIST(context.Background(), common[datasets.FashionMNISTOption](offline...)...)
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "x_train", train.X, tensor.Uint8, 60000, 28, 28)
	checkShape(t, "y_train", train.Y, tensor.Uint8, 60000)
	checkShape(t, "x_test", test.X, tensor.Uint8, 10000, 28, 28)
	checkShape(t, "y_test", test.Y, tensor.Uint8, 10000)
	labelRange(t, "y_train", train.Y, 9)
	labelRange(t, "y_test", test.Y, 9)
	// Fashion-MNIST is balanced: 6000 and 1000 images per class.
	for _, c := range []struct {
		name string
		y    *tensor.Dense
		want int
	}{{"y_train", train.Y, 6000}, {"y_test", test.Y, 1000}} {
		var count [10]int
		for _, v := range c.y.Data().([]uint8) {
			count[v]++
		}
		for k, n := range count {
			if n != c.want {
				t.Errorf("%s: class %d has %d images, want %d", c.name, k, n, c.want)
			}
		}
	}
	// Pinned values, read with NumPy from the same files. The first test
	// image is an ankle boot (9), as in the Keras tutorial.
	pins := []struct {
		name string
		x    *tensor.Dense
		at   []int
		want uint8
	}{
		{"y_train[0]", train.Y, []int{0}, 9},
		{"y_train[3]", train.Y, []int{3}, 3},
		{"y_train[59999]", train.Y, []int{59999}, 5},
		{"y_test[0]", test.Y, []int{0}, 9},
		{"y_test[4]", test.Y, []int{4}, 6},
		{"x_train[0,5,14]", train.X, []int{0, 5, 14}, 102},
		{"x_train[0,5,15]", train.X, []int{0, 5, 15}, 204},
		{"x_test[0,20,13]", test.X, []int{0, 20, 13}, 185},
	}
	for _, p := range pins {
		v, err := p.x.At(p.at...)
		if err != nil || v.(uint8) != p.want {
			t.Errorf("%s = %v (%v), want %d", p.name, v, err, p.want)
		}
	}
	if s := sumUint8(train.X); s != 3431114169 {
		t.Errorf("sum of x_train = %d, want 3431114169", s)
	}
	if s := sumUint8(test.X); s != 573469082 {
		t.Errorf("sum of x_test = %d, want 573469082", s)
	}
	if got := datasets.FashionMNISTClassNames()[9]; got != "Ankle boot" {
		t.Errorf("class 9 = %q, want Ankle boot", got)
	}
}
