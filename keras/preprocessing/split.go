package preprocessing

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/randomstate"
)

// Permutation returns 0..n-1 in the order NumPy's
// RandomState(seed).permutation(n) gives. Accepted option: Seed (default 0).
func Permutation(n int, opts ...PermutationOption) ([]int, error) {
	c, err := newConfig("Permutation", opts, PermutationOption.permutation)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, errors.Errorf("preprocessing: Permutation: n = %d, want >= 0", n)
	}
	return randomstate.New(c.seed).Permutation(n), nil
}

// SplitIndices splits the row indices 0..n-1 into a train and a test part
// following scikit-learn's train_test_split: the test part has
// ceil(testSize*n) rows and the train part the rest. Shuffled (the default),
// the test part is the first rows of NumPy's RandomState(seed).permutation(n)
// and the train part the following ones, so a seed selects the same rows as
// train_test_split(random_state=seed); unshuffled, the test part is the last
// rows. testSize must be in (0, 1) and leave both parts non-empty.
//
// Accepted options: Seed (default 0), Shuffle (default true).
func SplitIndices(n int, testSize float64, opts ...SplitOption) (train, test []int, err error) {
	c, err := newConfig("SplitIndices", opts, SplitOption.split)
	if err != nil {
		return nil, nil, err
	}
	return splitIndices("SplitIndices", c, n, testSize)
}

func splitIndices(fn string, c *config, n int, testSize float64) (train, test []int, err error) {
	if !(testSize > 0 && testSize < 1) {
		return nil, nil, errors.Errorf("preprocessing: %s: testSize %v, want 0 < testSize < 1", fn, testSize)
	}
	nTest := int(math.Ceil(testSize * float64(n)))
	nTrain := n - nTest
	if nTest == 0 || nTrain <= 0 {
		return nil, nil, errors.Errorf("preprocessing: %s: testSize %v of %d rows leaves %d train and %d test rows", fn, testSize, n, nTrain, nTest)
	}
	if c.shuffleSet && !c.shuffle {
		return seq(0, nTrain), seq(nTrain, n), nil
	}
	perm := randomstate.New(c.seed).Permutation(n)
	return perm[nTest:], perm[:nTest], nil
}

func seq(from, to int) []int {
	s := make([]int, to-from)
	for i := range s {
		s[i] = from + i
	}
	return s
}

// TrainTestSplit splits the rows of x and y (samples along the first axis)
// into train and test parts with the rows SplitIndices chooses, returning
// them in scikit-learn's order. x and y must hold the same number of rows.
//
// Accepted options: Seed (default 0), Shuffle (default true).
func TrainTestSplit(x, y *tensor.Dense, testSize float64, opts ...SplitOption) (xTrain, xTest, yTrain, yTest *tensor.Dense, err error) {
	defer guard("TrainTestSplit", &err)
	c, err := newConfig("TrainTestSplit", opts, SplitOption.split)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	n, err := sameRows("TrainTestSplit", x, y)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	train, test, err := splitIndices("TrainTestSplit", c, n, testSize)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	parts := make([]*tensor.Dense, 4)
	for i, p := range []struct {
		t   *tensor.Dense
		idx []int
	}{{x, train}, {x, test}, {y, train}, {y, test}} {
		if parts[i], err = takeRows(p.t, p.idx); err != nil {
			return nil, nil, nil, nil, errors.WithMessage(err, "preprocessing: TrainTestSplit")
		}
	}
	return parts[0], parts[1], parts[2], parts[3], nil
}

// Take returns the rows idx of x (entries along the first axis), in that
// order, as a new tensor of x's dtype: the way to apply indices from
// SplitIndices, KFold or Permutation.
func Take(x *tensor.Dense, idx []int) (out *tensor.Dense, err error) {
	defer guard("Take", &err)
	out, err = takeRows(x, idx)
	return out, errors.WithMessage(err, "preprocessing: Take")
}

// sameRows checks that all tensors are non-nil, not scalars, and have the
// same number of rows, which it returns.
func sameRows(fn string, ts ...*tensor.Dense) (int, error) {
	n := -1
	for i, t := range ts {
		m, _, err := samples(t)
		if err != nil {
			return 0, errors.WithMessagef(err, "preprocessing: %s: argument %d", fn, i+1)
		}
		if n >= 0 && m != n {
			return 0, errors.Errorf("preprocessing: %s: argument %d has %d rows, argument 1 has %d", fn, i+1, m, n)
		}
		n = m
	}
	if n < 0 {
		return 0, errors.Errorf("preprocessing: %s: no tensors", fn)
	}
	return n, nil
}

// Fold is one round of k-fold cross-validation: the rows to train on and
// the rows to validate on, each in increasing order.
type Fold struct {
	// Train holds the indices of the training rows.
	Train []int
	// Val holds the indices of the validation rows.
	Val []int
}

// KFold splits the row indices 0..n-1 into k folds, following
// scikit-learn's KFold: fold i validates on one slice of the (optionally
// shuffled) indices and trains on all others; the first n%k folds have
// n/k+1 validation rows, the others n/k. Unshuffled (the default) the
// slices are consecutive, as in Deep Learning with R's Boston example
// (k = 4, 101 rows each); with a seed the indices are first shuffled by
// NumPy's RandomState(seed), matching KFold(shuffle=True, random_state=seed).
// It needs 2 <= k <= n.
//
// Accepted options: Seed (turns shuffling on), Shuffle.
func KFold(n, k int, opts ...SplitOption) ([]Fold, error) {
	c, err := newConfig("KFold", opts, SplitOption.split)
	if err != nil {
		return nil, err
	}
	if k < 2 || k > n {
		return nil, errors.Errorf("preprocessing: KFold: k = %d for %d rows, want 2 <= k <= n", k, n)
	}
	shuffle := c.seedSet
	if c.shuffleSet {
		shuffle = c.shuffle
	}
	order := seq(0, n)
	if shuffle {
		order = randomstate.New(c.seed).Permutation(n)
	}
	folds := make([]Fold, k)
	start := 0
	for i := range folds {
		size := n / k
		if i < n%k {
			size++
		}
		val := append([]int(nil), order[start:start+size]...)
		sort.Ints(val)
		in := make([]bool, n)
		for _, v := range val {
			in[v] = true
		}
		train := make([]int, 0, n-size)
		for j := 0; j < n; j++ {
			if !in[j] {
				train = append(train, j)
			}
		}
		folds[i] = Fold{Train: train, Val: val}
		start += size
	}
	return folds, nil
}

// ShuffleTogether reorders the rows of every tensor with one permutation,
// NumPy's RandomState(seed).permutation(n), so that x and y stay aligned:
// the same rows as sklearn.utils.shuffle(*arrays, random_state=seed). The
// tensors must have the same number of rows; new tensors are returned.
//
// Accepted option: Seed (default 0).
func ShuffleTogether(ts []*tensor.Dense, opts ...PermutationOption) (out []*tensor.Dense, err error) {
	defer guard("ShuffleTogether", &err)
	c, err := newConfig("ShuffleTogether", opts, PermutationOption.permutation)
	if err != nil {
		return nil, err
	}
	n, err := sameRows("ShuffleTogether", ts...)
	if err != nil {
		return nil, err
	}
	perm := randomstate.New(c.seed).Permutation(n)
	out = make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		if out[i], err = takeRows(t, perm); err != nil {
			return nil, errors.WithMessage(err, "preprocessing: ShuffleTogether")
		}
	}
	return out, nil
}
