package datasets_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

// isolate points KERAS_HOME and HOME at empty folders, so that a test sees
// only the files it writes itself.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("KERAS_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func npzBytes(t *testing.T, arrays map[string]any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := datasets.WriteNPZ(&b, arrays); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func idxBytes(t *testing.T, x *tensor.Dense) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := datasets.WriteIDX(&b, x); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// images returns n synthetic uint8 images of shape shape and labels 0-9;
// pixel values depend on seed.
func images(n, seed int, shape ...int) (x, y *tensor.Dense) {
	size := 1
	for _, d := range shape {
		size *= d
	}
	px := make([]uint8, n*size)
	for i := range px {
		px[i] = uint8(i*7 + seed*13)
	}
	ls := make([]uint8, n)
	for i := range ls {
		ls[i] = uint8((i + seed) % 10)
	}
	return tensor.New(tensor.WithShape(append([]int{n}, shape...)...), tensor.WithBacking(px)),
		tensor.New(tensor.WithShape(n), tensor.WithBacking(ls))
}

// mnistNPZ returns a small mnist.npz: 5 train and 3 test images.
func mnistNPZ(t *testing.T) []byte {
	xtr, ytr := images(5, 1, 28, 28)
	xte, yte := images(3, 2, 28, 28)
	return npzBytes(t, map[string]any{"x_train": xtr, "y_train": ytr, "x_test": xte, "y_test": yte})
}

// fashionFiles writes a small Fashion-MNIST into dir/fashion-mnist.
func writeFashion(t *testing.T, dir string) {
	xtr, ytr := images(4, 3, 28, 28)
	xte, yte := images(2, 4, 28, 28)
	for name, x := range map[string]*tensor.Dense{
		"train-images-idx3-ubyte.gz": xtr, "train-labels-idx1-ubyte.gz": ytr,
		"t10k-images-idx3-ubyte.gz": xte, "t10k-labels-idx1-ubyte.gz": yte,
	} {
		writeFile(t, filepath.Join(dir, "fashion-mnist", name), gzipBytes(t, idxBytes(t, x)))
	}
}

// bostonNPZ returns a boston_housing.npz of n rows whose cells encode their
// position: x[r][c] = r + c/100, y[r] = r.
func bostonNPZ(t *testing.T, n int) []byte {
	xs := make([]float64, n*13)
	for i := range xs {
		xs[i] = float64(i/13) + float64(i%13)/100
	}
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = float64(i)
	}
	return npzBytes(t, map[string]any{
		"x": tensor.New(tensor.WithShape(n, 13), tensor.WithBacking(xs)),
		"y": tensor.New(tensor.WithShape(n), tensor.WithBacking(ys)),
	})
}

// cifarBatch returns a CIFAR-10 binary batch of n records.
func cifarBatch(t *testing.T, n, seed int) []byte {
	t.Helper()
	x, y := images(n, seed, 32, 32, 3)
	var b bytes.Buffer
	if err := datasets.WriteCIFAR10(&b, x, y); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var cifarNames = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}

// cifarArchive returns a cifar-10-binary.tar.gz holding six batches of 2
// records (seeds 0-5) plus the meta file the real archive has.
func cifarArchive(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	add := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	add("cifar-10-batches-bin/batches.meta.txt", []byte("airplane\n"))
	for i, n := range cifarNames {
		add("cifar-10-batches-bin/"+n, cifarBatch(t, 2, i))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// syntheticIMDB and syntheticReuters rebuild the inputs of
// testdata/gen_reference.py value for value.
func syntheticIMDB(split, n int) ([][]int, []int64) {
	xs := make([][]int, n)
	ys := make([]int64, n)
	for i := range xs {
		l := 1 + (i*5+split)%13
		for j := 0; j < l; j++ {
			xs[i] = append(xs[i], (i*31+j*17+split*7)%60)
		}
		ys[i] = int64((i*3 + split) % 2)
	}
	return xs, ys
}

func syntheticReuters(n int) ([][]int, []int64) {
	xs := make([][]int, n)
	ys := make([]int64, n)
	for i := range xs {
		l := 1 + (i*7)%11
		for j := 0; j < l; j++ {
			xs[i] = append(xs[i], (i*13+j*29)%80)
		}
		ys[i] = int64((i * 5) % 46)
	}
	return xs, ys
}

func int64Tensor(v []int64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))
}

func imdbNPZ(t *testing.T) []byte {
	xtr, ytr := syntheticIMDB(0, 40)
	xte, yte := syntheticIMDB(1, 30)
	return npzBytes(t, map[string]any{"x_train": xtr, "y_train": int64Tensor(ytr), "x_test": xte, "y_test": int64Tensor(yte)})
}

func reutersNPZ(t *testing.T) []byte {
	x, y := syntheticReuters(50)
	return npzBytes(t, map[string]any{"x": x, "y": int64Tensor(y)})
}
