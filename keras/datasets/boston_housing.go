package datasets

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/randomstate"
)

// BostonHousing loads the Boston housing prices from boston_housing.npz and
// splits it exactly as Keras's boston_housing.load_data does: the 506 rows
// are shuffled by NumPy's legacy RandomState(seed).shuffle and the first
// int(506*(1-testSplit)) rows form the train part. With the defaults
// (TestSplit(0.2), Seed(113)) that is 404 train and 102 test rows, the first
// train row being 1.23247, 0, 8.14, ... with target 15.2. A part with no
// rows (TestSplit(0), or a tiny file) is a zero Split: nil X and Y, Len 0.
//
// X is float64 (N, 13), the 13 attributes of a suburb; Y is float64 (N), its
// median house value in k$. Accepted options: TestSplit, Seed, Dir, Origin,
// Progress, Download, HTTPClient, SHA256.
func BostonHousing(ctx context.Context, opts ...BostonHousingOption) (train, test Split, err error) {
	defer guard("boston_housing", &err)
	train, test, err = loadBoston(ctx, opts)
	if err != nil {
		return Split{}, Split{}, loadError("boston_housing", err)
	}
	return train, test, nil
}

func loadBoston(ctx context.Context, opts []BostonHousingOption) (train, test Split, err error) {
	cfg, err := newConfig("boston_housing", KerasOrigin, opts, BostonHousingOption.applyBostonHousing)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.fetch(ctx, []remoteFile{{"boston_housing.npz", "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"}})
	if err != nil {
		return train, test, err
	}
	z, f, err := openNPZFile(paths[0])
	if err != nil {
		return train, test, err
	}
	defer f.Close()
	x, err := z.array("x")
	if err != nil {
		return train, test, errors.WithMessage(err, paths[0])
	}
	y, err := z.array("y")
	if err != nil {
		return train, test, errors.WithMessage(err, paths[0])
	}
	if err := checkArray("x", x, tensor.Float64, -1, 13); err != nil {
		return train, test, errors.WithMessage(err, paths[0])
	}
	if err := checkArray("y", y, tensor.Float64, -1); err != nil {
		return train, test, errors.WithMessage(err, paths[0])
	}
	if err := sameLen("x", x, "y", y); err != nil {
		return train, test, errors.WithMessage(err, paths[0])
	}
	n := x.Shape()[0]
	perm := randomstate.New(cfg.seed).Permutation(n)
	cut := int(float64(n) * (1 - cfg.testSplit))
	xs, ys := x.Data().([]float64), y.Data().([]float64)
	return bostonPart(xs, ys, perm[:cut]), bostonPart(xs, ys, perm[cut:]), nil
}

// bostonPart gathers the rows idx; no rows give a zero Split, since a
// gorgonia tensor cannot be empty.
func bostonPart(xs, ys []float64, idx []int) Split {
	if len(idx) == 0 {
		return Split{}
	}
	y := takeRows(ys, 1, idx)
	_ = y.Reshape(len(idx))
	return Split{takeRows(xs, 13, idx), y}
}

// takeRows gathers the rows idx of a row-major matrix with width columns.
// For width 1 the result is still (len(idx), 1); callers reshape.
func takeRows[T any](data []T, width int, idx []int) *tensor.Dense {
	out := make([]T, 0, len(idx)*width)
	for _, i := range idx {
		out = append(out, data[i*width:(i+1)*width]...)
	}
	return tensor.New(tensor.WithShape(len(idx), width), tensor.WithBacking(out))
}
