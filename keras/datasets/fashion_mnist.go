package datasets

import (
	"context"
	"os"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// fashionFiles are the four gzipped IDX files of Fashion-MNIST in the order
// x_train, y_train, x_test, y_test, with the SHA-256 that Keras publishes.
var fashionFiles = []remoteFile{
	{"fashion-mnist/train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
	{"fashion-mnist/train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
	{"fashion-mnist/t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
	{"fashion-mnist/t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
}

// FashionMNIST loads Zalando's Fashion-MNIST from the four gzipped IDX files
// under fashion-mnist/, as Keras's fashion_mnist.load_data does: 60000
// training and 10000 test images of 10 kinds of clothing (see
// [FashionMNISTClassNames]).
//
// X is uint8 (N, 28, 28) with pixel values 0-255 and Y is uint8 (N) with
// classes 0-9. Accepted options: Dir, Origin, Progress, Download, HTTPClient,
// SHA256.
func FashionMNIST(ctx context.Context, opts ...FashionMNISTOption) (train, test Split, err error) {
	defer guard("fashion_mnist", &err)
	train, test, err = loadFashion(ctx, opts)
	if err != nil {
		return Split{}, Split{}, loadError("fashion_mnist", err)
	}
	return train, test, nil
}

func loadFashion(ctx context.Context, opts []FashionMNISTOption) (train, test Split, err error) {
	cfg, err := newConfig("fashion_mnist", KerasOrigin, opts, FashionMNISTOption.applyFashionMNIST)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.fetch(ctx, fashionFiles)
	if err != nil {
		return train, test, err
	}
	ts := make([]*tensor.Dense, len(paths))
	for i, p := range paths {
		if ts[i], err = readIDXFile(p); err != nil {
			return train, test, err
		}
	}
	train, test = Split{ts[0], ts[1]}, Split{ts[2], ts[3]}
	if err := checkImages(train, test, 28, 28); err != nil {
		return Split{}, Split{}, errors.WithMessagef(err, "%s", paths)
	}
	return train, test, nil
}

func readIDXFile(path string) (*tensor.Dense, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := readIDXStream(f)
	return t, errors.WithMessage(err, path)
}

// FashionMNISTClassNames returns the names of the Fashion-MNIST classes,
// indexed by label: "T-shirt/top", "Trouser", ... "Ankle boot".
func FashionMNISTClassNames() []string {
	return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
}
