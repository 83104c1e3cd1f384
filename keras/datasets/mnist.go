package datasets

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// MNIST loads the MNIST handwritten digits from mnist.npz, as Keras's
// mnist.load_data does: 60000 training and 10000 test images.
//
// X is uint8 (N, 28, 28) with pixel values 0-255 and Y is uint8 (N) with
// digits 0-9. Accepted options: Dir, Origin, Progress, Download, HTTPClient,
// SHA256.
func MNIST(ctx context.Context, opts ...MNISTOption) (train, test Split, err error) {
	defer guard("mnist", &err)
	train, test, err = loadMNISTNPZ(ctx, opts)
	if err != nil {
		return Split{}, Split{}, loadError("mnist", err)
	}
	return train, test, nil
}

func loadMNISTNPZ(ctx context.Context, opts []MNISTOption) (train, test Split, err error) {
	cfg, err := newConfig("mnist", KerasOrigin, opts, MNISTOption.applyMNIST)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.fetch(ctx, []remoteFile{{"mnist.npz", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"}})
	if err != nil {
		return train, test, err
	}
	z, f, err := openNPZFile(paths[0])
	if err != nil {
		return train, test, err
	}
	defer f.Close()
	parts := map[string]*tensor.Dense{}
	for _, name := range []string{"x_train", "y_train", "x_test", "y_test"} {
		t, err := z.array(name)
		if err != nil {
			return train, test, errors.WithMessage(err, paths[0])
		}
		parts[name] = t
	}
	train, test = Split{parts["x_train"], parts["y_train"]}, Split{parts["x_test"], parts["y_test"]}
	if err := checkImages(train, test, 28, 28); err != nil {
		return Split{}, Split{}, errors.WithMessage(err, paths[0])
	}
	return train, test, nil
}

// checkImages verifies the dtypes, shapes and label range of an MNIST-like
// pair of splits.
func checkImages(train, test Split, h, w int) error {
	for _, p := range []struct {
		part string
		s    Split
	}{{"train", train}, {"test", test}} {
		x, y := "x_"+p.part, "y_"+p.part
		if err := checkArray(x, p.s.X, tensor.Uint8, -1, h, w); err != nil {
			return err
		}
		if err := checkArray(y, p.s.Y, tensor.Uint8, -1); err != nil {
			return err
		}
		if err := sameLen(x, p.s.X, y, p.s.Y); err != nil {
			return err
		}
		if err := checkLabels(y, p.s.Y, 9); err != nil {
			return err
		}
	}
	return nil
}
