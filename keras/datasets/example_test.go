package datasets_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

// The loader examples build a tiny data set in Keras's cache layout in a
// temporary folder, so that they run anywhere; with a real Keras cache the
// same one-line call needs no Dir option:
//
//	train, test, err := datasets.MNIST(ctx)

// exampleDir returns a fresh temporary folder; the examples remove it.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "gokeras-example-")
	if err != nil {
		panic(err)
	}
	return dir
}

// zeros returns a tensor of the given shape filled with zeros of type T.
func zeros[T any](shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(make([]T, n)))
}

func save(path string, write func(*os.File) error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		panic(err)
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := write(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}

func ExampleMNIST() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	save(filepath.Join(dir, "mnist.npz"), func(f *os.File) error {
		return datasets.WriteNPZ(f, map[string]any{
			"x_train": zeros[uint8](3, 28, 28), "y_train": zeros[uint8](3),
			"x_test": zeros[uint8](2, 28, 28), "y_test": zeros[uint8](2),
		})
	})

	train, test, err := datasets.MNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	fmt.Println(train.X.Dtype(), train.X.Shape(), train.Y.Shape(), test.X.Shape(), test.Y.Shape())
	// Output: uint8 (3, 28, 28) (3) (2, 28, 28) (2)
}

func ExampleFashionMNIST() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	for name, t := range map[string]*tensor.Dense{
		"train-images-idx3-ubyte.gz": zeros[uint8](4, 28, 28), "train-labels-idx1-ubyte.gz": zeros[uint8](4),
		"t10k-images-idx3-ubyte.gz": zeros[uint8](1, 28, 28), "t10k-labels-idx1-ubyte.gz": tensor.New(tensor.WithShape(1), tensor.WithBacking([]uint8{9})),
	} {
		save(filepath.Join(dir, "fashion-mnist", name), func(f *os.File) error {
			zw := gzip.NewWriter(f)
			if err := datasets.WriteIDX(zw, t); err != nil {
				return err
			}
			return zw.Close()
		})
	}

	train, test, err := datasets.FashionMNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	label, _ := test.Y.At(0)
	fmt.Println(train.X.Shape(), test.X.Shape(), datasets.FashionMNISTClassNames()[label.(uint8)])
	// Output: (4, 28, 28) (1, 28, 28) Ankle boot
}

func ExampleBostonHousing() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	y := zeros[float64](10)
	for i := range y.Data().([]float64) {
		y.Data().([]float64)[i] = float64(i) // row numbers, to see the shuffle
	}
	save(filepath.Join(dir, "boston_housing.npz"), func(f *os.File) error {
		return datasets.WriteNPZ(f, map[string]any{"x": zeros[float64](10, 13), "y": y})
	})

	// Keras's defaults: TestSplit(0.2), Seed(113).
	train, test, err := datasets.BostonHousing(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	fmt.Println(train.X.Shape(), test.X.Shape(), train.Y.Data(), test.Y.Data())
	// Output: (8, 13) (2, 13) [9 3 6 1 0 7 4 8] [2 5]
}

func ExampleCIFAR10() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		save(filepath.Join(dir, "cifar-10-batches-bin", name), func(f *os.File) error {
			return datasets.WriteCIFAR10(f, zeros[uint8](2, 32, 32, 3), zeros[uint8](2))
		})
	}

	train, test, err := datasets.CIFAR10(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	fmt.Println(train.X.Shape(), train.Y.Shape(), test.X.Shape(), test.Y.Shape())
	// Output: (10, 32, 32, 3) (10, 1) (2, 32, 32, 3) (2, 1)
}

func ExampleIMDB() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	labels := func(v ...int64) *tensor.Dense { return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v)) }
	save(filepath.Join(dir, "imdb.npz"), func(f *os.File) error {
		return datasets.WriteNPZ(f, map[string]any{
			"x_train": [][]int{{1, 2, 3}, {4, 5}}, "y_train": labels(1, 0),
			"x_test": [][]int{{9, 1}}, "y_test": labels(1),
		})
	})

	// Indices are offset by IndexFrom (3) after the start mark (1); those
	// not below NumWords become the out-of-vocabulary mark (2).
	train, test, err := datasets.IMDB(context.Background(), datasets.NumWords(8), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	fmt.Println(train.X, train.Y, test.X, test.Y)
	// Output: [[1 4 5 6] [1 7 2]] [1 0] [[1 2 4]] [1]
}

func ExampleReuters() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	save(filepath.Join(dir, "reuters.npz"), func(f *os.File) error {
		return datasets.WriteNPZ(f, map[string]any{
			"x": [][]int{{1, 2}, {3}, {4, 5, 6}, {7}, {8, 9}},
			"y": tensor.New(tensor.WithShape(5), tensor.WithBacking([]int64{3, 4, 3, 19, 1})),
		})
	})

	train, test, err := datasets.Reuters(context.Background(), datasets.TestSplit(0.4), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		panic(err)
	}
	names := datasets.ReutersClassNames()
	fmt.Println(train.Len(), test.Len(), names[test.Y[0]], test.X[0])
	// Output: 3 2 earn [1 7 8 9]
}

func ExampleReadIDX() {
	// An IDX file: magic 00 00 08 (uint8) 02 (dimensions), then 2 and 3 as
	// big-endian uint32, then the data.
	file := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	x, err := datasets.ReadIDX(bytes.NewReader(file))
	fmt.Println(x.Dtype(), x.Shape(), x.Data(), err)

	_, err = datasets.ReadIDX(bytes.NewReader(file[:15]))
	fmt.Println(err)
	// Output:
	// uint8 (2, 3) [1 2 3 4 5 6] <nil>
	// datasets: idx: truncated: dimensions [2 3] need 6 data bytes, got 3
}

func ExampleWriteIDX() {
	var buf bytes.Buffer
	_ = datasets.WriteIDX(&buf, tensor.New(tensor.WithShape(2), tensor.WithBacking([]int32{1, -1})))
	fmt.Printf("% x\n", buf.Bytes())
	// Output: 00 00 0c 01 00 00 00 02 00 00 00 01 ff ff ff ff
}

func ExampleReadNPY() {
	var buf bytes.Buffer
	_ = datasets.WriteNPY(&buf, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1.5, 2, 3, 4})))
	x, err := datasets.ReadNPY(&buf)
	fmt.Println(x.Dtype(), x.Shape(), x.Data(), err)
	// Output: float64 (2, 2) [1.5 2 3 4] <nil>
}

func ExampleWriteNPY() {
	var buf bytes.Buffer
	_ = datasets.WriteNPY(&buf, tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{1, 2, 3})))
	fmt.Printf("%q\n", buf.String()[10:buf.Len()-3])
	// Output: "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }                                                            \n"
}

func ExampleReadNPYSequences() {
	var buf bytes.Buffer
	_ = datasets.WriteNPYSequences(&buf, [][]int{{1, 14, 22}, {}, {7}})
	seqs, err := datasets.ReadNPYSequences(&buf)
	fmt.Println(seqs, err)
	// Output: [[1 14 22] [] [7]] <nil>
}

func ExampleWriteNPYSequences() {
	var buf bytes.Buffer
	err := datasets.WriteNPYSequences(&buf, [][]int{{1, 2}})
	fmt.Println(err, bytes.Contains(buf.Bytes(), []byte("numpy.core.multiarray\n_reconstruct")))
	// Output: <nil> true
}

func ExampleReadNPZ() {
	var buf bytes.Buffer
	_ = datasets.WriteNPZ(&buf, map[string]any{
		"x": tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, 1})),
		"s": [][]int{{3, 4}},
	})
	z, err := datasets.ReadNPZ(&buf)
	if err != nil {
		panic(err)
	}
	x, _ := z.Array("x")
	s, _ := z.Sequences("s")
	_, err = z.Array("y")
	fmt.Println(z.Names(), x.Data(), s)
	fmt.Println(err)
	// Output:
	// [s x] [0.5 1] [[3 4]]
	// datasets: npz: no array "y" (the archive has [s x])
}

func ExampleOpenNPZ() {
	var buf bytes.Buffer
	_ = datasets.WriteNPZ(&buf, map[string]any{"y": tensor.New(tensor.WithShape(1), tensor.WithBacking([]int64{7}))})
	z, err := datasets.OpenNPZ(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		panic(err)
	}
	y, _ := z.Array("y")
	fmt.Println(y.Dtype(), y.Data())
	// Output: int64 [7]
}

func ExampleReadCIFAR10() {
	// One record: label 3, then 1024 red, 1024 green and 1024 blue bytes.
	rec := make([]byte, 3073)
	rec[0] = 3
	rec[1], rec[1+1024], rec[1+2048] = 255, 128, 7 // the top-left pixel
	x, y, err := datasets.ReadCIFAR10(bytes.NewReader(rec))
	r, _ := x.At(0, 0, 0, 0)
	g, _ := x.At(0, 0, 0, 1)
	b, _ := x.At(0, 0, 0, 2)
	fmt.Println(x.Shape(), y.Shape(), y.Data(), r, g, b, err, datasets.CIFAR10ClassNames()[3])
	// Output: (1, 32, 32, 3) (1, 1) [3] 255 128 7 <nil> cat
}

func ExampleWriteCIFAR10() {
	var buf bytes.Buffer
	err := datasets.WriteCIFAR10(&buf, zeros[uint8](2, 32, 32, 3), zeros[uint8](2, 1))
	fmt.Println(buf.Len(), err)
	// Output: 6146 <nil>
}
