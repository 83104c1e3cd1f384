package datasets

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

const (
	cifarDir     = "cifar-10-batches-bin"
	cifarArchive = "cifar-10-binary.tar.gz"
	// cifarSHA256 is the SHA-256 of the authors' cifar-10-binary.tar.gz
	// (170052171 bytes, MD5 c32a1d4ab5d03f1284b67883e8d87530).
	cifarSHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
)

// cifarBatches are the files of cifar-10-batches-bin, train batches first.
var cifarBatches = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}

// CIFAR10 loads CIFAR-10 from the binary batches in cifar-10-batches-bin/
// (data_batch_1.bin to data_batch_5.bin for training, test_batch.bin for
// test): 50000 training and 10000 test colour images of 10 classes (see
// [CIFAR10ClassNames]). When a batch is missing, cifar-10-binary.tar.gz is
// downloaded from [CIFAROrigin], verified, and its batches extracted
// atomically into the cache; the archive is then deleted.
//
// X is uint8 (N, 32, 32, 3), channels last like Keras's default, and Y is
// uint8 (N, 1) as Keras returns it. Accepted options: Dir, Origin, Progress,
// Download, HTTPClient, SHA256 (for "cifar-10-binary.tar.gz").
func CIFAR10(ctx context.Context, opts ...CIFAR10Option) (train, test Split, err error) {
	defer guard("cifar10", &err)
	train, test, err = loadCIFAR10(ctx, opts)
	if err != nil {
		return Split{}, Split{}, loadError("cifar10", err)
	}
	return train, test, nil
}

func loadCIFAR10(ctx context.Context, opts []CIFAR10Option) (train, test Split, err error) {
	cfg, err := newConfig("cifar10", CIFAROrigin, opts, CIFAR10Option.applyCIFAR10)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.cifarBatches(ctx)
	if err != nil {
		return train, test, err
	}
	var xs, ys [][]uint8
	var ns []int
	for _, p := range paths {
		x, y, err := readCIFARFile(p)
		if err != nil {
			return train, test, err
		}
		xs = append(xs, x.Data().([]uint8))
		ys = append(ys, y.Data().([]uint8))
		ns = append(ns, x.Shape()[0])
	}
	last := len(paths) - 1
	train.X, train.Y = concatSplit(xs[:last], ys[:last], ns[:last])
	test.X, test.Y = concatSplit(xs[last:], ys[last:], ns[last:])
	return train, test, nil
}

// concatSplit joins decoded batches into one (N, 32, 32, 3) and (N, 1) pair.
func concatSplit(xs, ys [][]uint8, ns []int) (x, y *tensor.Dense) {
	n := 0
	for _, k := range ns {
		n += k
	}
	px := make([]uint8, 0, n*3*cifarPlane)
	py := make([]uint8, 0, n)
	for i := range xs {
		px = append(px, xs[i]...)
		py = append(py, ys[i]...)
	}
	x = tensor.New(tensor.WithShape(n, cifarSide, cifarSide, 3), tensor.WithBacking(px))
	y = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(py))
	return x, y
}

func readCIFARFile(path string) (x, y *tensor.Dense, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	x, y, err = readCIFAR10(f)
	return x, y, errors.WithMessage(err, path)
}

// cifarBatches returns the paths of the six batches, downloading and
// extracting the archive when one of them is in no cache folder.
func (c *config) cifarBatches(ctx context.Context) ([]string, error) {
	paths := make([]string, len(cifarBatches))
	missing := ""
	for i, b := range cifarBatches {
		p, ok := c.find(cifarDir + "/" + b)
		if !ok {
			missing = cifarDir + "/" + b
			break
		}
		paths[i] = p
	}
	if missing == "" {
		return paths, nil
	}
	archive, err := c.downloadToCache(ctx, remoteFile{cifarArchive, cifarSHA256}, missing)
	if err != nil {
		return nil, err
	}
	defer os.Remove(archive)
	dir := filepath.Join(filepath.Dir(archive), cifarDir)
	if err := extractCIFAR(archive, dir); err != nil {
		return nil, errors.WithMessage(err, archive)
	}
	for i, b := range cifarBatches {
		paths[i] = filepath.Join(dir, b)
	}
	return paths, nil
}

// extractCIFAR writes the batch files of the archive into dir, each one
// atomically, and fails if one is missing from the archive.
func extractCIFAR(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return errors.Wrap(err, "bad gzip stream")
	}
	defer zr.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, b := range cifarBatches {
		want[b] = true
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errors.Wrap(err, "bad tar stream")
		}
		base := path.Base(h.Name)
		if h.Typeflag != tar.TypeReg || !want[base] || path.Base(path.Dir(h.Name)) != cifarDir {
			continue
		}
		if err := writeAtomic(filepath.Join(dir, base), func(w io.Writer) error {
			_, err := io.Copy(w, tr)
			return err
		}); err != nil {
			return errors.WithMessagef(err, "extract %s", h.Name)
		}
		delete(want, base)
	}
	for _, b := range cifarBatches {
		if want[b] {
			return errors.Errorf("archive has no %s/%s", cifarDir, b)
		}
	}
	return nil
}

// CIFAR10ClassNames returns the names of the CIFAR-10 classes, indexed by
// label: "airplane", "automobile", ... "truck".
func CIFAR10ClassNames() []string {
	return []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}
}
