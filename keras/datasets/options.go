package datasets

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// KerasOrigin is the folder Keras downloads its data sets from. It is the
// default of [Origin] for every loader but [CIFAR10].
const KerasOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

// CIFAROrigin is the folder of the CIFAR-10 binary archive on the data set
// authors' site. It is the default of [Origin] for [CIFAR10].
const CIFAROrigin = "https://www.cs.toronto.edu/~kriz/"

// Each loader takes options of its own type, so that the compiler rejects
// an option the loader does not use: MNIST(ctx, NumWords(10)) does not
// compile. An option several loaders take is a concrete type implementing
// each of their option interfaces: CommonOption (every loader: Dir,
// Origin, Progress, Download, HTTPClient, SHA256), SeedOption
// (BostonHousing, IMDB, Reuters), TestSplitOption (BostonHousing, Reuters)
// and SequenceOption (IMDB, Reuters: NumWords, SkipTop, MaxLen, StartChar,
// OOVChar, IndexFrom). A value out of range is reported by the loader as a
// *kerrors.OptionError.

// MNISTOption is an option of MNIST: a CommonOption.
type MNISTOption interface{ applyMNIST(*config) error }

// FashionMNISTOption is an option of FashionMNIST: a CommonOption.
type FashionMNISTOption interface{ applyFashionMNIST(*config) error }

// CIFAR10Option is an option of CIFAR10: a CommonOption.
type CIFAR10Option interface{ applyCIFAR10(*config) error }

// BostonHousingOption is an option of BostonHousing: a CommonOption,
// TestSplit or Seed.
type BostonHousingOption interface{ applyBostonHousing(*config) error }

// IMDBOption is an option of IMDB: a CommonOption, Seed or a
// SequenceOption.
type IMDBOption interface{ applyIMDB(*config) error }

// ReutersOption is an option of Reuters: a CommonOption, TestSplit, Seed
// or a SequenceOption.
type ReutersOption interface{ applyReuters(*config) error }

// option is what every option type holds: the change it makes.
type option struct {
	apply func(*config) error
}

func (o option) do(c *config) error {
	if o.apply == nil {
		return errors.Wrap(kerrors.ErrNil, "zero option (build options with the functions of this package)")
	}
	return o.apply(c)
}

// CommonOption is an option every loader takes: Dir, Origin, Progress,
// Download, HTTPClient and SHA256 return one. The zero value is an error.
type CommonOption struct{ option }

func (o CommonOption) applyMNIST(c *config) error         { return o.do(c) }
func (o CommonOption) applyFashionMNIST(c *config) error  { return o.do(c) }
func (o CommonOption) applyCIFAR10(c *config) error       { return o.do(c) }
func (o CommonOption) applyBostonHousing(c *config) error { return o.do(c) }
func (o CommonOption) applyIMDB(c *config) error          { return o.do(c) }
func (o CommonOption) applyReuters(c *config) error       { return o.do(c) }

// SeedOption is the option Seed returns; BostonHousing, IMDB and Reuters
// take it. The zero value is an error.
type SeedOption struct{ option }

func (o SeedOption) applyBostonHousing(c *config) error { return o.do(c) }
func (o SeedOption) applyIMDB(c *config) error          { return o.do(c) }
func (o SeedOption) applyReuters(c *config) error       { return o.do(c) }

// TestSplitOption is the option TestSplit returns; BostonHousing and
// Reuters take it. The zero value is an error.
type TestSplitOption struct{ option }

func (o TestSplitOption) applyBostonHousing(c *config) error { return o.do(c) }
func (o TestSplitOption) applyReuters(c *config) error       { return o.do(c) }

// SequenceOption is an option of the word-index loaders IMDB and Reuters:
// NumWords, SkipTop, MaxLen, StartChar, OOVChar and IndexFrom return one.
// The zero value is an error.
type SequenceOption struct{ option }

func (o SequenceOption) applyIMDB(c *config) error    { return o.do(c) }
func (o SequenceOption) applyReuters(c *config) error { return o.do(c) }

// invalid returns the error of an option function call given a value out
// of range: call is the function ("TestSplit"), arg its parameter.
func invalid(call, arg string, v any, msg string) error {
	value := fmt.Sprint(v)
	if s, ok := v.(string); ok {
		value = strconv.Quote(s)
	}
	return &kerrors.OptionError{Call: call, Option: arg, Value: value, Msg: msg}
}

// config holds the options of one loader call.
type config struct {
	dataset string

	dir       string
	origin    string
	progress  io.Writer
	download  bool
	client    *http.Client
	hashes    map[string]string
	testSplit float64
	seed      uint32
	numWords  int
	skipTop   int
	maxLen    int
	startChar int
	oovChar   int
	indexFrom int
}

// Dir makes the loader look in dir before $KERAS_HOME/datasets and
// ~/.keras/datasets, and download into it. The directory is used as a Keras
// "datasets" folder: mnist.npz directly inside, Fashion-MNIST under
// fashion-mnist/. Default: none.
func Dir(dir string) CommonOption {
	return CommonOption{option{func(c *config) error {
		if dir == "" {
			return invalid("Dir", "dir", dir, "must not be empty")
		}
		c.dir = dir
		return nil
	}}}
}

// Origin replaces the base URL that missing files are downloaded from; the
// file name is appended to it. Use it for a mirror or a local test server.
// Default: [KerasOrigin], or [CIFAROrigin] for CIFAR-10.
func Origin(baseURL string) CommonOption {
	return CommonOption{option{func(c *config) error {
		if baseURL == "" {
			return invalid("Origin", "baseURL", baseURL, "must not be empty")
		}
		if !strings.HasSuffix(baseURL, "/") {
			baseURL += "/"
		}
		c.origin = baseURL
		return nil
	}}}
}

// Progress sends the download progress bar to w; nil silences it. The bar is
// redrawn in place only when w is a terminal; otherwise one line is written
// when a download starts and one when it ends. Default: os.Stderr.
func Progress(w io.Writer) CommonOption {
	return CommonOption{option{func(c *config) error {
		c.progress = w
		return nil
	}}}
}

// Download allows or forbids downloading a file that is in no cache
// directory. Default: true.
func Download(allowed bool) CommonOption {
	return CommonOption{option{func(c *config) error {
		c.download = allowed
		return nil
	}}}
}

// HTTPClient sets the client used for downloads. Default: http.DefaultClient.
func HTTPClient(client *http.Client) CommonOption {
	return CommonOption{option{func(c *config) error {
		if client == nil {
			return errors.Wrap(kerrors.ErrNil, "HTTPClient: nil client")
		}
		c.client = client
		return nil
	}}}
}

// SHA256 replaces the checksum a downloaded file must have; file is the base
// name (for example "mnist.npz") and sum 64 hex digits. Use it with a mirror
// that serves other bytes than Keras's origin. Default: the SHA-256 that Keras
// publishes for the file (for CIFAR-10, the one of the authors' archive).
func SHA256(file, sum string) CommonOption {
	return CommonOption{option{func(c *config) error {
		if len(sum) != 64 || strings.Trim(strings.ToLower(sum), "0123456789abcdef") != "" {
			return invalid("SHA256", "sum", sum, "must be 64 hex digits (for "+file+")")
		}
		if c.hashes == nil {
			c.hashes = map[string]string{}
		}
		c.hashes[file] = strings.ToLower(sum)
		return nil
	}}}
}

// TestSplit sets the fraction of the rows kept for the test part, like
// Keras's test_split: the first int(N*(1-f)) shuffled rows are the train
// part. It must satisfy 0 <= f < 1. Accepted by BostonHousing and Reuters.
// Default: 0.2.
func TestSplit(f float64) TestSplitOption {
	return TestSplitOption{option{func(c *config) error {
		if !(f >= 0 && f < 1) {
			return invalid("TestSplit", "f", f, "must be in [0, 1)")
		}
		c.testSplit = f
		return nil
	}}}
}

// Seed sets the seed of the NumPy legacy RandomState that shuffles the rows,
// as Keras's seed argument; 0 <= seed < 2^32 like NumPy. Accepted by
// BostonHousing, IMDB and Reuters. Default: 113.
func Seed(seed int64) SeedOption {
	return SeedOption{option{func(c *config) error {
		if seed < 0 || seed > math.MaxUint32 {
			return invalid("Seed", "seed", seed, "must be in [0, 2^32)")
		}
		c.seed = uint32(seed)
		return nil
	}}}
}

// NumWords keeps only the word indices below n (after IndexFrom is added);
// others become OOVChar. 0 keeps all words, which, exactly like Keras, still
// turns the single largest index into OOVChar. Accepted by IMDB and Reuters.
// Default: 0.
func NumWords(n int) SequenceOption {
	return SequenceOption{option{nonNegative("NumWords", n, func(c *config) { c.numWords = n })}}
}

// SkipTop turns the word indices below n (after IndexFrom is added) into
// OOVChar, like Keras's skip_top. Accepted by IMDB and Reuters. Default: 0.
func SkipTop(n int) SequenceOption {
	return SequenceOption{option{nonNegative("SkipTop", n, func(c *config) { c.skipTop = n })}}
}

// MaxLen drops every sequence whose length, start character included, is not
// below n, like Keras's maxlen (it drops, it does not truncate). 0 keeps all.
// Accepted by IMDB and Reuters. Default: 0.
func MaxLen(n int) SequenceOption {
	return SequenceOption{option{nonNegative("MaxLen", n, func(c *config) { c.maxLen = n })}}
}

// StartChar sets the index put at the start of every sequence; a negative
// value puts none (Keras's start_char=None). Accepted by IMDB and Reuters.
// Default: 1.
func StartChar(i int) SequenceOption {
	return SequenceOption{option{func(c *config) error { c.startChar = i; return nil }}}
}

// OOVChar sets the index that replaces words cut by NumWords or SkipTop; a
// negative value drops those words instead (Keras's oov_char=None). Accepted
// by IMDB and Reuters. Default: 2.
func OOVChar(i int) SequenceOption {
	return SequenceOption{option{func(c *config) error { c.oovChar = i; return nil }}}
}

// IndexFrom is added to every word index of the file, so that the indices
// below it stay free for padding (0), start (1) and out-of-vocabulary (2).
// Accepted by IMDB and Reuters. Default: 3.
func IndexFrom(n int) SequenceOption {
	return SequenceOption{option{nonNegative("IndexFrom", n, func(c *config) { c.indexFrom = n })}}
}

func nonNegative(name string, n int, set func(*config)) func(*config) error {
	return func(c *config) error {
		if n < 0 {
			return invalid(name, "n", n, "must be >= 0")
		}
		set(c)
		return nil
	}
}

// newConfig applies opts, through the loader's option method apply, for
// the named data set.
func newConfig[O any](dataset, origin string, opts []O, apply func(O, *config) error) (*config, error) {
	c := &config{
		dataset:   dataset,
		origin:    origin,
		progress:  os.Stderr,
		download:  true,
		client:    http.DefaultClient,
		testSplit: 0.2,
		seed:      113,
		startChar: 1,
		oovChar:   2,
		indexFrom: 3,
	}
	for _, o := range opts {
		if any(o) == nil {
			continue
		}
		if err := apply(o, c); err != nil {
			return nil, err
		}
	}
	return c, nil
}
