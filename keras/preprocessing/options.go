package preprocessing

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// An Option changes an optional argument of a function of this package.
// Each function documents the options it accepts; passing one it does not
// accept is an error.
type Option struct {
	name  string
	apply func(*config) error
}

type config struct {
	ddof       int
	low, high  float64
	numClasses int
	dtype      tensor.Dtype
	maxLen     int
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
func DDOF(ddof int) Option {
	return Option{"DDOF", func(c *config) error {
		if ddof < 0 {
			return errors.Errorf("DDOF(%d): want >= 0", ddof)
		}
		c.ddof = ddof
		return nil
	}}
}

// FeatureRange sets the interval [low, high] that min-max scaling maps each
// feature to. Accepted by FitMinMax and MinMax. Default: [0, 1].
func FeatureRange(low, high float64) Option {
	return Option{"FeatureRange", func(c *config) error {
		if !(low < high) || math.IsInf(low, 0) || math.IsInf(high, 0) {
			return errors.Errorf("FeatureRange(%v, %v): want finite low < high", low, high)
		}
		c.low, c.high = low, high
		return nil
	}}
}

// NumClasses sets the number of classes of ToCategorical. Default: the
// largest label plus one.
func NumClasses(n int) Option {
	return Option{"NumClasses", func(c *config) error {
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
func Dtype(dt tensor.Dtype) Option {
	return Option{"Dtype", func(c *config) error {
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
func MaxLen(n int) Option {
	return Option{"MaxLen", func(c *config) error {
		if n < 0 {
			return errors.Errorf("MaxLen(%d): want >= 0", n)
		}
		c.maxLen = n
		return nil
	}}
}

// Padding sets where PadSequences adds padding to short sequences: "pre"
// (before) or "post" (after). Default: "pre", as Keras.
func Padding(where string) Option {
	return Option{"Padding", prePost("Padding", where, func(c *config) { c.padding = where })}
}

// Truncating sets where PadSequences cuts long sequences: "pre" (drop the
// start) or "post" (drop the end). Default: "pre", as Keras.
func Truncating(where string) Option {
	return Option{"Truncating", prePost("Truncating", where, func(c *config) { c.truncating = where })}
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
func Value(v float64) Option {
	return Option{"Value", func(c *config) error { c.value = v; return nil }}
}

// Seed sets the seed of the NumPy legacy RandomState that draws the
// permutation; 0 <= seed < 2^32. Accepted by TrainTestSplit, SplitIndices,
// KFold (where it also turns shuffling on), ShuffleTogether and Permutation.
// Default: 0.
func Seed(seed int64) Option {
	return Option{"Seed", func(c *config) error {
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
func Shuffle(on bool) Option {
	return Option{"Shuffle", func(c *config) error { c.shuffle, c.shuffleSet = on, true; return nil }}
}

// Header tells ReadCSV whether the first record holds column names.
// Default: true. Without a header, columns are named "V1", "V2", ... as in R.
func Header(on bool) Option {
	return Option{"Header", func(c *config) error { c.header = on; return nil }}
}

// Comma sets the field separator of ReadCSV. Default: ','.
func Comma(r rune) Option {
	return Option{"Comma", func(c *config) error {
		if r == '"' || r == '\r' || r == '\n' || r == 0 {
			return errors.Errorf("Comma(%q): not a valid separator", r)
		}
		c.comma = r
		return nil
	}}
}

// newConfig applies opts for function fn, which accepts the named options.
func newConfig(fn string, opts []Option, accepted ...string) (*config, error) {
	c := &config{ddof: 1, low: 0, high: 1, dtype: tensor.Dtype{}, padding: "pre", truncating: "pre", header: true, comma: ','}
	for _, o := range opts {
		if o.apply == nil {
			return nil, errors.Errorf("preprocessing: %s: zero Option", fn)
		}
		ok := false
		for _, a := range accepted {
			ok = ok || a == o.name
		}
		if !ok {
			return nil, errors.Errorf("preprocessing: %s: option %s does not apply", fn, o.name)
		}
		if err := o.apply(c); err != nil {
			return nil, errors.WithMessage(err, "preprocessing: "+fn)
		}
	}
	return c, nil
}
