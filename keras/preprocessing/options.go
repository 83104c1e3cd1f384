package preprocessing

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// option changes an optional argument of a function of this package.
type option struct {
	name  string
	apply func(*config) error
}

// Options are checked by the compiler: each function takes its own option
// interface, and an option several functions take (Dtype, Seed, Shuffle)
// is a type implementing each of their interfaces.

// ToCategoricalOption is an option of ToCategorical: NumClasses, Dtype.
type ToCategoricalOption interface{ toCategorical() option }

// ReadCSVOption is an option of ReadCSV: Header, Comma.
type ReadCSVOption interface{ readCSV() option }

// PadSequencesOption is an option of PadSequences: MaxLen, Padding,
// Truncating, Value, Dtype.
type PadSequencesOption interface{ padSequences() option }

// StandardOption is an option of FitStandard and Standardize: DDOF.
type StandardOption interface{ standard() option }

// MinMaxOption is an option of FitMinMax and MinMax: FeatureRange.
type MinMaxOption interface{ minMax() option }

// RescaleOption is an option of Rescale: Dtype.
type RescaleOption interface{ rescale() option }

// PermutationOption is an option of Permutation and ShuffleTogether: Seed.
type PermutationOption interface{ permutation() option }

// SplitOption is an option of SplitIndices, TrainTestSplit and KFold:
// Seed, Shuffle.
type SplitOption interface{ split() option }

// DDOFOption is the option DDOF returns.
type DDOFOption option

func (o DDOFOption) standard() option { return option(o) }

// FeatureRangeOption is the option FeatureRange returns.
type FeatureRangeOption option

func (o FeatureRangeOption) minMax() option { return option(o) }

// NumClassesOption is the option NumClasses returns.
type NumClassesOption option

func (o NumClassesOption) toCategorical() option { return option(o) }

// DtypeOption is the option Dtype returns: ToCategorical, PadSequences and
// Rescale take it.
type DtypeOption option

func (o DtypeOption) toCategorical() option { return option(o) }
func (o DtypeOption) padSequences() option  { return option(o) }
func (o DtypeOption) rescale() option       { return option(o) }

// PadOption is an option of PadSequences only: MaxLen, Padding,
// Truncating, Value.
type PadOption option

func (o PadOption) padSequences() option { return option(o) }

// SeedOption is the option Seed returns: the random functions take it.
type SeedOption option

func (o SeedOption) permutation() option { return option(o) }
func (o SeedOption) split() option       { return option(o) }

// ShuffleOption is the option Shuffle returns.
type ShuffleOption option

func (o ShuffleOption) split() option { return option(o) }

// CSVOption is an option of ReadCSV: Header, Comma.
type CSVOption option

func (o CSVOption) readCSV() option { return option(o) }

// unwrap returns the options behind typed ones; a nil one is an error.
func unwrap[O any](fn string, opts []O, get func(O) option) ([]option, error) {
	out := make([]option, len(opts))
	for i, o := range opts {
		if any(o) == nil {
			return nil, errors.Wrapf(kerrors.ErrNil, "preprocessing: %s: nil option", fn)
		}
		out[i] = get(o)
	}
	return out, nil
}

type config struct {
	ddof       int
	low, high  float64
	numClasses int
	dtype      tensor.Dtype
	maxLen     int
	maxLenSet  bool
	padding    string
	truncating string
	value      float64
	seed       uint32
	seedSet    bool
	shuffle    bool
	shuffleSet bool
	header     bool
	comma      rune
}

// DDOF sets the delta degrees of freedom of the standard deviation: it
// divides the sum of squares by N-ddof. Accepted by FitStandard and
// Standardize. Default: 1, the sample standard deviation of R's scale() (use
// DDOF(0) for scikit-learn's StandardScaler).
func DDOF(ddof int) DDOFOption {
	return DDOFOption{"DDOF", func(c *config) error {
		if ddof < 0 {
			return errors.Errorf("DDOF(%d): want >= 0", ddof)
		}
		c.ddof = ddof
		return nil
	}}
}

// FeatureRange sets the interval [low, high] that min-max scaling maps each
// feature to. Accepted by FitMinMax and MinMax. Default: [0, 1].
func FeatureRange(low, high float64) FeatureRangeOption {
	return FeatureRangeOption{"FeatureRange", func(c *config) error {
		if !(low < high) || math.IsInf(low, 0) || math.IsInf(high, 0) {
			return errors.Errorf("FeatureRange(%v, %v): want finite low < high", low, high)
		}
		c.low, c.high = low, high
		return nil
	}}
}

// NumClasses sets the number of classes of ToCategorical. Default: the
// largest label plus one.
func NumClasses(n int) NumClassesOption {
	return NumClassesOption{"NumClasses", func(c *config) error {
		if n < 1 {
			return errors.Errorf("NumClasses(%d): want >= 1", n)
		}
		c.numClasses = n
		return nil
	}}
}

// Dtype sets the dtype of the result. Accepted by ToCategorical (default
// Float32, as Keras), PadSequences (default Int32, as Keras) and Rescale
// (default Float32). Supported: Float32, Float64, and for PadSequences also
// Int32 and Int64.
func Dtype(dt tensor.Dtype) DtypeOption {
	return DtypeOption{"Dtype", func(c *config) error {
		switch dt {
		case tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64:
			c.dtype = dt
			return nil
		}
		return errors.Errorf("Dtype(%v): want float32, float64, int32 or int64", dt)
	}}
}

// MaxLen sets the length PadSequences pads or truncates every sequence to.
// Default: the length of the longest sequence.
func MaxLen(n int) PadOption {
	return PadOption{"MaxLen", func(c *config) error {
		if n < 0 {
			return errors.Errorf("MaxLen(%d): want >= 0", n)
		}
		c.maxLen, c.maxLenSet = n, true
		return nil
	}}
}

// Padding sets where PadSequences adds padding to short sequences: "pre"
// (before) or "post" (after). Default: "pre", as Keras.
func Padding(where string) PadOption {
	return PadOption{"Padding", prePost("Padding", where, func(c *config) { c.padding = where })}
}

// Truncating sets where PadSequences cuts long sequences: "pre" (drop the
// start) or "post" (drop the end). Default: "pre", as Keras.
func Truncating(where string) PadOption {
	return PadOption{"Truncating", prePost("Truncating", where, func(c *config) { c.truncating = where })}
}

func prePost(name, where string, set func(*config)) func(*config) error {
	return func(c *config) error {
		if where != "pre" && where != "post" {
			return errors.Errorf("%s(%q): want \"pre\" or \"post\"", name, where)
		}
		set(c)
		return nil
	}
}

// Value sets the padding value of PadSequences. Default: 0.
func Value(v float64) PadOption {
	return PadOption{"Value", func(c *config) error { c.value = v; return nil }}
}

// Seed sets the seed of the NumPy legacy RandomState that draws the
// permutation; 0 <= seed < 2^32. Accepted by TrainTestSplit, SplitIndices,
// KFold (where it also turns shuffling on), ShuffleTogether and Permutation.
// Default: 0.
func Seed(seed int64) SeedOption {
	return SeedOption{"Seed", func(c *config) error {
		if seed < 0 || seed > math.MaxUint32 {
			return errors.Errorf("Seed(%d): want 0 <= seed < 2^32", seed)
		}
		c.seed, c.seedSet = uint32(seed), true
		return nil
	}}
}

// Shuffle turns shuffling before splitting on or off. Accepted by
// TrainTestSplit, SplitIndices (default true) and KFold (default false, or
// true when Seed is given).
func Shuffle(on bool) ShuffleOption {
	return ShuffleOption{"Shuffle", func(c *config) error { c.shuffle, c.shuffleSet = on, true; return nil }}
}

// Header tells ReadCSV whether the first record holds column names.
// Default: true. Without a header, columns are named "V1", "V2", ... as in R.
func Header(on bool) CSVOption {
	return CSVOption{"Header", func(c *config) error { c.header = on; return nil }}
}

// Comma sets the field separator of ReadCSV. Default: ','.
func Comma(r rune) CSVOption {
	return CSVOption{"Comma", func(c *config) error {
		if r == '"' || r == '\r' || r == '\n' || r == 0 {
			return errors.Errorf("Comma(%q): not a valid separator", r)
		}
		c.comma = r
		return nil
	}}
}

// newConfig applies the options of function fn.
func newConfig[O any](fn string, typed []O, get func(O) option) (*config, error) {
	opts, err := unwrap(fn, typed, get)
	if err != nil {
		return nil, err
	}
	c := &config{ddof: 1, low: 0, high: 1, dtype: tensor.Dtype{}, padding: "pre", truncating: "pre", header: true, comma: ','}
	for _, o := range opts {
		if o.apply == nil {
			return nil, errors.Errorf("preprocessing: %s: zero option", fn)
		}
		if err := o.apply(c); err != nil {
			return nil, errors.WithMessage(err, "preprocessing: "+fn)
		}
	}
	return c, nil
}
