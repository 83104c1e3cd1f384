package datasets_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

func u8(shape []int, vals ...uint8) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(vals) == 0 {
		vals = make([]uint8, n)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(vals))
}

func npyOf(t *testing.T, x *tensor.Dense) []byte {
	var b bytes.Buffer
	if err := datasets.WriteNPY(&b, x); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDecodersRejectBadInput feeds each decoder corrupted input: every case
// must give an error saying what is wrong, and no tensor.
func TestDecodersRejectBadInput(t *testing.T) {
	idx := idxBytes(t, u8([]int{2, 3}, 1, 2, 3, 4, 5, 6))
	gz := gzipBytes(t, idx)
	badCRC := append([]byte(nil), gz...)
	badCRC[len(badCRC)-6] ^= 0xff
	npy := npyOf(t, u8([]int{2, 3}, 1, 2, 3, 4, 5, 6))
	objNPY := func() []byte {
		var b bytes.Buffer
		_ = datasets.WriteNPYSequences(&b, [][]int{{1, 2}, {3}})
		return b.Bytes()
	}()
	cifar := cifarBatch(t, 2, 0)
	badLabel := append([]byte(nil), cifar...)
	badLabel[3073] = 12

	readIDX := func(b []byte) error { x, err := datasets.ReadIDX(bytes.NewReader(b)); return nilTensor(x, err) }
	readNPY := func(b []byte) error { x, err := datasets.ReadNPY(bytes.NewReader(b)); return nilTensor(x, err) }
	readSeq := func(b []byte) error {
		s, err := datasets.ReadNPYSequences(bytes.NewReader(b))
		if err != nil && s != nil {
			return nil
		}
		return err
	}
	readCIFAR := func(b []byte) error {
		x, y, err := datasets.ReadCIFAR10(bytes.NewReader(b))
		if err != nil && (x != nil || y != nil) {
			return nil
		}
		return err
	}
	for _, c := range []struct {
		name string
		read func([]byte) error
		in   []byte
		want string
	}{
		{"idx empty", readIDX, nil, "datasets: idx: short header"},
		{"idx wrong magic", readIDX, append([]byte{0x01, 0x02}, idx[2:]...), "bad magic 01 02 08 02"},
		{"idx bad type", readIDX, append([]byte{0, 0, 0x07}, idx[3:]...), "bad type byte 0x07"},
		{"idx zero dims", readIDX, []byte{0, 0, 8, 0}, "zero dimensions"},
		{"idx zero dim", readIDX, []byte{0, 0, 8, 1, 0, 0, 0, 0}, "dimension 0 is zero"},
		{"idx truncated header", readIDX, idx[:9], "short header"},
		{"idx truncated data", readIDX, idx[:len(idx)-1], "truncated: dimensions [2 3] need 6 data bytes, got 5"},
		{"idx trailing data", readIDX, append(append([]byte(nil), idx...), 9), "trailing bytes"},
		{"idx huge dims", readIDX, []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "too large"},
		{"gzip truncated", readIDX, gz[:len(gz)/2], "datasets: idx: "},
		{"gzip bad crc", readIDX, badCRC, "bad gzip stream"},
		{"gzip bad header", readIDX, []byte{0x1f, 0x8b, 0, 0}, "bad gzip stream"},
		{"npy empty", readNPY, nil, "datasets: npy: bad header"},
		{"npy wrong magic", readNPY, append([]byte("\x93NUMPX"), npy[6:]...), "bad header"},
		{"npy truncated data", readNPY, npy[:len(npy)-2], "truncated: shape [2 3] of |u1 needs 6 data bytes, got 4"},
		{"npy trailing data", readNPY, append(append([]byte(nil), npy...), 7), "trailing bytes after the 6 data bytes of shape [2 3]"},
		{"npy header cut", readNPY, npy[:20], "bad header"},
		{"npy bad dtype", readNPY, bytes.Replace(npy, []byte("|u1"), []byte("|c8"), 1), "unsupported dtype"},
		{"npy bad shape", readNPY, bytes.Replace(npy, []byte("(2, 3)"), []byte("(2, x)"), 1), "bad header"},
		{"npy object as numbers", readNPY, objNPY, "object array: read it with Sequences"},
		{"npy numbers as sequences", readSeq, npy, "not an object array of sequences"},
		{"npy pickle cut", readSeq, objNPY[:len(objNPY)-5], "datasets: npy: "},
		{"npy pickle evil global", readSeq, bytes.Replace(objNPY, []byte("numpy\nndarray"), []byte("os\x00\x00\x00\nsystem\x00"), 1), "datasets: npy: "},
		{"cifar empty", readCIFAR, nil, "datasets: cifar10: empty batch"},
		{"cifar partial record", readCIFAR, cifar[:3073+100], "3173 bytes is not a whole number of 3073-byte records"},
		{"cifar bad label", readCIFAR, badLabel, "record 1 has label 12, want 0-9"},
	} {
		err := c.read(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// nilTensor passes err on, or reports a tensor returned with an error.
func nilTensor(x *tensor.Dense, err error) error {
	if err != nil && x != nil {
		return nil // makes the case fail: an error with data
	}
	return err
}

func TestNPZRejectsBadInput(t *testing.T) {
	good := npzBytes(t, map[string]any{"x": u8([]int{2}, 1, 2)})
	if _, err := datasets.ReadNPZ(bytes.NewReader(good[:len(good)-10])); err == nil || !strings.Contains(err.Error(), "datasets: npz: not a zip archive") {
		t.Errorf("cut zip: err = %v", err)
	}
	z, err := datasets.ReadNPZ(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.Array("y"); err == nil || err.Error() != `datasets: npz: no array "y" (the archive has [x])` {
		t.Errorf("missing array: err = %v", err)
	}
	if _, err := z.Sequences("x"); err == nil || !strings.Contains(err.Error(), "datasets: npz: x: not an object array") {
		t.Errorf("numbers as sequences: err = %v", err)
	}
	// A member whose stored bytes were damaged fails its CRC check.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "x.npy", Method: zip.Store})
	_, _ = w.Write(npyOf(t, u8([]int{4}, 1, 2, 3, 4)))
	_ = zw.Close()
	raw := b.Bytes()
	i := bytes.Index(raw, []byte{1, 2, 3, 4})
	raw[i] = 9
	z, err = datasets.ReadNPZ(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := z.Array("x"); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged member: err = %v, want a checksum error", err)
	}
}

// TestLoadersNameTheBadFile checks that a loader's error names the file
// and what is wrong, and that nothing is returned with it.
func TestLoadersNameTheBadFile(t *testing.T) {
	ctx := context.Background()
	xtr, ytr := images(5, 1, 28, 28)
	xte, yte := images(3, 2, 28, 28)
	for _, c := range []struct {
		name  string
		file  string
		data  func(t *testing.T) []byte
		load  func(dir string) (any, error)
		wants []string
	}{
		{"mnist missing array", "mnist.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": xtr, "y_train": ytr, "x_test": xte})
			}, loadMNIST, []string{`no array "y_test" (the archive has [x_test x_train y_train])`}},
		{"mnist wrong dims", "mnist.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": u8([]int{5, 28, 27}), "y_train": ytr, "x_test": xte, "y_test": yte})
			}, loadMNIST, []string{"x_train has shape (5, 28, 27), want (N, 28, 28)"}},
		{"mnist wrong dtype", "mnist.npz",
			func(t *testing.T) []byte {
				f := tensor.New(tensor.WithShape(5), tensor.WithBacking(make([]float64, 5)))
				return npzBytes(t, map[string]any{"x_train": xtr, "y_train": f, "x_test": xte, "y_test": yte})
			}, loadMNIST, []string{"y_train has dtype float64, want uint8"}},
		{"mnist label count", "mnist.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": xtr, "y_train": yte, "x_test": xte, "y_test": yte})
			}, loadMNIST, []string{"x_train has 5 samples but y_train has 3"}},
		{"mnist label range", "mnist.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": xtr, "y_train": u8([]int{5}, 1, 2, 3, 42, 0), "x_test": xte, "y_test": yte})
			}, loadMNIST, []string{"y_train[3] = 42, want 0-9"}},
		{"mnist not a zip", "mnist.npz", func(t *testing.T) []byte { return []byte("<html>404</html>") }, loadMNIST, []string{"not a zip archive"}},
		{"fashion bad gzip", "fashion-mnist/train-labels-idx1-ubyte.gz",
			func(t *testing.T) []byte { return []byte{0x1f, 0x8b, 8, 0, 1, 2} }, loadFashion, []string{"bad gzip stream"}},
		{"fashion wrong magic", "fashion-mnist/t10k-images-idx3-ubyte.gz",
			func(t *testing.T) []byte { return gzipBytes(t, []byte{8, 3, 0, 0, 0, 0, 0, 1}) }, loadFashion, []string{"bad magic 08 03 00 00"}},
		{"fashion truncated", "fashion-mnist/train-images-idx3-ubyte.gz",
			func(t *testing.T) []byte { b := idxBytes(t, xtr); return gzipBytes(t, b[:len(b)-100]) }, loadFashion, []string{"truncated"}},
		{"boston wrong width", "boston_housing.npz",
			func(t *testing.T) []byte {
				x := tensor.New(tensor.WithShape(3, 12), tensor.WithBacking(make([]float64, 36)))
				y := tensor.New(tensor.WithShape(3), tensor.WithBacking(make([]float64, 3)))
				return npzBytes(t, map[string]any{"x": x, "y": y})
			}, loadBoston, []string{"x has shape (3, 12), want (N, 13)"}},
		{"imdb labels missing", "imdb.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": [][]int{{1}}, "y_train": int64Tensor([]int64{1}), "x_test": [][]int{{2}}})
			}, loadIMDB, []string{`no array "y_test"`}},
		{"imdb length mismatch", "imdb.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x_train": [][]int{{1}, {2}}, "y_train": int64Tensor([]int64{1}), "x_test": [][]int{{2}}, "y_test": int64Tensor([]int64{1})})
			}, loadIMDB, []string{"x_train has 2 sequences but y_train has 1 labels"}},
		{"reuters numbers for x", "reuters.npz",
			func(t *testing.T) []byte {
				return npzBytes(t, map[string]any{"x": int64Tensor([]int64{1}), "y": int64Tensor([]int64{1})})
			}, loadReuters, []string{"x: not an object array of sequences"}},
		{"cifar bad batch", "cifar-10-batches-bin/data_batch_3.bin",
			func(t *testing.T) []byte { return make([]byte, 3000) }, loadCIFAR, []string{"data_batch_3.bin: 3000 bytes is not a whole number"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			isolate(t)
			dir := t.TempDir()
			// Start from a valid set of files, then damage one.
			writeFile(t, filepath.Join(dir, "mnist.npz"), mnistNPZ(t))
			writeFashion(t, dir)
			for i, n := range cifarNames {
				writeFile(t, filepath.Join(dir, "cifar-10-batches-bin", n), cifarBatch(t, 1, i))
			}
			path := filepath.Join(dir, filepath.FromSlash(c.file))
			writeFile(t, path, c.data(t))
			got, err := c.load(dir)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "datasets: ") || !strings.Contains(msg, path) {
				t.Errorf("err = %q, want the package prefix and the path %s", msg, path)
			}
			for _, w := range c.wants {
				if !strings.Contains(msg, w) {
					t.Errorf("err = %q, want it to contain %q", msg, w)
				}
			}
			if got != nil {
				t.Errorf("returned %v with the error", got)
			}
		})
	}
	_ = ctx
}

func loadMNIST(dir string) (any, error) {
	tr, te, err := datasets.MNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	return nonEmpty(tr.X, te.X), err
}

func loadFashion(dir string) (any, error) {
	tr, te, err := datasets.FashionMNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	return nonEmpty(tr.X, te.X), err
}

func loadBoston(dir string) (any, error) {
	tr, te, err := datasets.BostonHousing(context.Background(), datasets.Dir(dir), datasets.Download(false))
	return nonEmpty(tr.X, te.X), err
}

func loadCIFAR(dir string) (any, error) {
	tr, te, err := datasets.CIFAR10(context.Background(), datasets.Dir(dir), datasets.Download(false))
	return nonEmpty(tr.X, te.X), err
}

func loadIMDB(dir string) (any, error) {
	tr, te, err := datasets.IMDB(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if tr.X != nil || te.X != nil {
		return tr, err
	}
	return nil, err
}

func loadReuters(dir string) (any, error) {
	tr, te, err := datasets.Reuters(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if tr.X != nil || te.X != nil {
		return tr, err
	}
	return nil, err
}

func nonEmpty(a, b *tensor.Dense) any {
	if a != nil || b != nil {
		return []*tensor.Dense{a, b}
	}
	return nil
}

var _ = os.Remove
