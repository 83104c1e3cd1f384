package datasets

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/randomstate"
)

// IMDB loads the IMDB movie review sentiment data from imdb.npz and processes
// it exactly as Keras's imdb.load_data does: the 25000 training and 25000
// test reviews are shuffled by NumPy's legacy RandomState(seed) (train
// first, then test, from the same generator); every word index w becomes
// w+IndexFrom and each review starts with StartChar; with MaxLen, reviews
// whose length (start included) is not below MaxLen are dropped; then every
// index outside [SkipTop, NumWords) becomes OOVChar (or is dropped when
// OOVChar is negative). Y is 1 for a positive review, 0 for a negative one.
//
// Like Keras, NumWords(0) means "the largest index present", which is
// itself outside the kept range and so becomes OOVChar; and a MaxLen that
// leaves no train or no test review is an error.
//
// Accepted options: Seed, NumWords, SkipTop, MaxLen, StartChar, OOVChar,
// IndexFrom, Dir, Origin, Progress, Download, HTTPClient, SHA256.
func IMDB(ctx context.Context, opts ...IMDBOption) (train, test Sequences, err error) {
	defer guard("imdb", &err)
	train, test, err = loadIMDB(ctx, opts)
	if err != nil {
		return Sequences{}, Sequences{}, loadError("imdb", err)
	}
	return train, test, nil
}

func loadIMDB(ctx context.Context, opts []IMDBOption) (train, test Sequences, err error) {
	cfg, err := newConfig("imdb", KerasOrigin, opts, IMDBOption.applyIMDB)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.fetch(ctx, []remoteFile{{"imdb.npz", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"}})
	if err != nil {
		return train, test, err
	}
	if train, err = readSequencesNPZ(paths[0], "x_train", "y_train"); err != nil {
		return train, test, err
	}
	if test, err = readSequencesNPZ(paths[0], "x_test", "y_test"); err != nil {
		return Sequences{}, test, err
	}
	rng := randomstate.New(cfg.seed)
	train = train.permute(rng.Permutation(train.Len()))
	test = test.permute(rng.Permutation(test.Len()))
	train.X = cfg.offset(train.X)
	test.X = cfg.offset(test.X)
	if cfg.maxLen > 0 {
		train = train.dropLong(cfg.maxLen)
		test = test.dropLong(cfg.maxLen)
		if train.Len() == 0 || test.Len() == 0 {
			return Sequences{}, Sequences{}, errors.Errorf("%s: after dropping the sequences not shorter than MaxLen(%d), no sequence was kept; increase MaxLen", paths[0], cfg.maxLen)
		}
	}
	all := append(append([][]int(nil), train.X...), test.X...)
	all = cfg.vocabulary(all)
	train.X, test.X = all[:train.Len()], all[train.Len():]
	return train, test, nil
}

// Reuters loads the Reuters newswire topics from reuters.npz and processes
// it exactly as Keras's reuters.load_data does: the 11228 newswires are
// shuffled by NumPy's legacy RandomState(seed); indices are offset, started,
// filtered by MaxLen and limited by NumWords and SkipTop as for [IMDB]
// (except that an empty result is not an error); then the first
// int(N*(1-TestSplit)) newswires form the train part. Y is one of 46 topics
// (0-45, see [ReutersClassNames]).
//
// Accepted options: TestSplit, Seed, NumWords, SkipTop, MaxLen, StartChar,
// OOVChar, IndexFrom, Dir, Origin, Progress, Download, HTTPClient, SHA256.
func Reuters(ctx context.Context, opts ...ReutersOption) (train, test Sequences, err error) {
	defer guard("reuters", &err)
	train, test, err = loadReuters(ctx, opts)
	if err != nil {
		return Sequences{}, Sequences{}, loadError("reuters", err)
	}
	return train, test, nil
}

func loadReuters(ctx context.Context, opts []ReutersOption) (train, test Sequences, err error) {
	cfg, err := newConfig("reuters", KerasOrigin, opts, ReutersOption.applyReuters)
	if err != nil {
		return train, test, err
	}
	paths, err := cfg.fetch(ctx, []remoteFile{{"reuters.npz", "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"}})
	if err != nil {
		return train, test, err
	}
	all, err := readSequencesNPZ(paths[0], "x", "y")
	if err != nil {
		return train, test, err
	}
	all = all.permute(randomstate.New(cfg.seed).Permutation(all.Len()))
	all.X = cfg.offset(all.X)
	if cfg.maxLen > 0 {
		all = all.dropLong(cfg.maxLen)
	}
	all.X = cfg.vocabulary(all.X)
	cut := int(float64(all.Len()) * (1 - cfg.testSplit))
	train = Sequences{all.X[:cut], all.Y[:cut]}
	test = Sequences{all.X[cut:], all.Y[cut:]}
	return train, test, nil
}

// readSequencesNPZ reads an object array of sequences and its label array.
func readSequencesNPZ(path, xName, yName string) (Sequences, error) {
	z, f, err := openNPZFile(path)
	if err != nil {
		return Sequences{}, err
	}
	defer f.Close()
	x, err := z.sequences(xName)
	if err != nil {
		return Sequences{}, errors.WithMessage(err, path)
	}
	yt, err := z.array(yName)
	if err != nil {
		return Sequences{}, errors.WithMessage(err, path)
	}
	y, err := labelInts(yName, yt)
	if err != nil {
		return Sequences{}, errors.WithMessage(err, path)
	}
	if len(x) != len(y) {
		return Sequences{}, errors.Errorf("%s: %s has %d sequences but %s has %d labels", path, xName, len(x), yName, len(y))
	}
	return Sequences{x, y}, nil
}

// labelInts converts a 1-D integer label array to []int.
func labelInts(name string, t *tensor.Dense) ([]int, error) {
	if t.Dims() != 1 {
		return nil, errors.Errorf("%s has shape %v, want (N)", name, t.Shape())
	}
	switch d := t.Data().(type) {
	case []int64:
		return convertInts(d), nil
	case []int32:
		return convertInts(d), nil
	case []int16:
		return convertInts(d), nil
	case []int8:
		return convertInts(d), nil
	case []uint8:
		return convertInts(d), nil
	case []uint16:
		return convertInts(d), nil
	case []uint32:
		return convertInts(d), nil
	}
	return nil, errors.Errorf("%s has dtype %v, want integers", name, t.Dtype())
}

// permute reorders the samples: the i-th result is sample perm[i].
func (s Sequences) permute(perm []int) Sequences {
	out := Sequences{make([][]int, len(perm)), make([]int, len(perm))}
	for i, j := range perm {
		out.X[i], out.Y[i] = s.X[j], s.Y[j]
	}
	return out
}

// dropLong keeps the samples strictly shorter than maxLen, as Keras's
// remove_long_seq does.
func (s Sequences) dropLong(maxLen int) Sequences {
	var out Sequences
	for i, x := range s.X {
		if len(x) < maxLen {
			out.X = append(out.X, x)
			out.Y = append(out.Y, s.Y[i])
		}
	}
	return out
}

// offset adds IndexFrom to every index and prepends StartChar, into new
// slices.
func (c *config) offset(xs [][]int) [][]int {
	out := make([][]int, len(xs))
	for i, x := range xs {
		var s []int
		if c.startChar >= 0 {
			s = make([]int, 0, len(x)+1)
			s = append(s, c.startChar)
		} else {
			s = make([]int, 0, len(x))
		}
		for _, w := range x {
			s = append(s, w+c.indexFrom)
		}
		out[i] = s
	}
	return out
}

// vocabulary replaces (or drops) the indices outside [SkipTop, NumWords);
// NumWords 0 means the largest index present, as in Keras.
func (c *config) vocabulary(xs [][]int) [][]int {
	numWords := c.numWords
	if numWords == 0 {
		for _, x := range xs {
			for _, w := range x {
				if w > numWords {
					numWords = w
				}
			}
		}
	}
	out := make([][]int, len(xs))
	for i, x := range xs {
		s := make([]int, 0, len(x))
		for _, w := range x {
			switch {
			case c.skipTop <= w && w < numWords:
				s = append(s, w)
			case c.oovChar >= 0:
				s = append(s, c.oovChar)
			}
		}
		out[i] = s
	}
	return out
}

// ReutersClassNames returns the names of the 46 Reuters topics, indexed by
// label: "cocoa", "grain", "veg-oil", "earn", ... "lead".
func ReutersClassNames() []string {
	return []string{
		"cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
		"coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
		"cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
		"strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
		"lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
	}
}
