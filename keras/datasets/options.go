package datasets

import (
	"io"
	"math"
	"net/http"
	"os"
	"strings"

	"github.com/pkg/errors"
)

// KerasOrigin is the folder Keras downloads its data sets from. It is the
// default of [Origin] for every loader but [CIFAR10].
const KerasOrigin = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

// CIFAROrigin is the folder of the CIFAR-10 binary archive on the data set
// authors' site. It is the default of [Origin] for [CIFAR10].
const CIFAROrigin = "https://www.cs.toronto.edu/~kriz/"

// An Option changes how a loader finds, downloads or processes its data. Each
// loader documents the options it accepts; passing one it does not accept is
// an error rather than silently ignored.
type Option struct {
	name  string
	apply func(*config) error
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
func Dir(dir string) Option {
	return Option{"Dir", func(c *config) error {
		if dir == "" {
			return errors.New("Dir: empty path")
		}
		c.dir = dir
		return nil
	}}
}

// Origin replaces the base URL that missing files are downloaded from; the
// file name is appended to it. Use it for a mirror or a local test server.
// Default: [KerasOrigin], or [CIFAROrigin] for CIFAR-10.
func Origin(baseURL string) Option {
	return Option{"Origin", func(c *config) error {
		if baseURL == "" {
			return errors.New("Origin: empty URL")
		}
		if !strings.HasSuffix(baseURL, "/") {
			baseURL += "/"
		}
		c.origin = baseURL
		return nil
	}}
}

// Progress sends the download progress bar to w; nil silences it. The bar is
// redrawn in place only when w is a terminal; otherwise one line is written
// when a download starts and one when it ends. Default: os.Stderr.
func Progress(w io.Writer) Option {
	return Option{"Progress", func(c *config) error {
		c.progress = w
		return nil
	}}
}

// Download allows or forbids downloading a file that is in no cache
// directory. Default: true.
func Download(allowed bool) Option {
	return Option{"Download", func(c *config) error {
		c.download = allowed
		return nil
	}}
}

// HTTPClient sets the client used for downloads. Default: http.DefaultClient.
func HTTPClient(client *http.Client) Option {
	return Option{"HTTPClient", func(c *config) error {
		if client == nil {
			return errors.New("HTTPClient: nil client")
		}
		c.client = client
		return nil
	}}
}

// SHA256 replaces the checksum a downloaded file must have; file is the base
// name (for example "mnist.npz") and sum 64 hex digits. Use it with a mirror
// that serves other bytes than Keras's origin. Default: the SHA-256 that Keras
// publishes for the file (for CIFAR-10, the one of the authors' archive).
func SHA256(file, sum string) Option {
	return Option{"SHA256", func(c *config) error {
		if len(sum) != 64 || strings.Trim(strings.ToLower(sum), "0123456789abcdef") != "" {
			return errors.Errorf("SHA256(%q): want 64 hex digits, got %q", file, sum)
		}
		if c.hashes == nil {
			c.hashes = map[string]string{}
		}
		c.hashes[file] = strings.ToLower(sum)
		return nil
	}}
}

// TestSplit sets the fraction of the rows kept for the test part, like
// Keras's test_split: the first int(N*(1-f)) shuffled rows are the train
// part. It must satisfy 0 <= f < 1. Accepted by BostonHousing and Reuters.
// Default: 0.2.
func TestSplit(f float64) Option {
	return Option{"TestSplit", func(c *config) error {
		if !(f >= 0 && f < 1) {
			return errors.Errorf("TestSplit(%v): want 0 <= f < 1", f)
		}
		c.testSplit = f
		return nil
	}}
}

// Seed sets the seed of the NumPy legacy RandomState that shuffles the rows,
// as Keras's seed argument; 0 <= seed < 2^32 like NumPy. Accepted by
// BostonHousing, IMDB and Reuters. Default: 113.
func Seed(seed int64) Option {
	return Option{"Seed", func(c *config) error {
		if seed < 0 || seed > math.MaxUint32 {
			return errors.Errorf("Seed(%d): want 0 <= seed < 2^32", seed)
		}
		c.seed = uint32(seed)
		return nil
	}}
}

// NumWords keeps only the word indices below n (after IndexFrom is added);
// others become OOVChar. 0 keeps all words, which, exactly like Keras, still
// turns the single largest index into OOVChar. Accepted by IMDB and Reuters.
// Default: 0.
func NumWords(n int) Option {
	return Option{"NumWords", nonNegative("NumWords", n, func(c *config) { c.numWords = n })}
}

// SkipTop turns the word indices below n (after IndexFrom is added) into
// OOVChar, like Keras's skip_top. Accepted by IMDB and Reuters. Default: 0.
func SkipTop(n int) Option {
	return Option{"SkipTop", nonNegative("SkipTop", n, func(c *config) { c.skipTop = n })}
}

// MaxLen drops every sequence whose length, start character included, is not
// below n, like Keras's maxlen (it drops, it does not truncate). 0 keeps all.
// Accepted by IMDB and Reuters. Default: 0.
func MaxLen(n int) Option {
	return Option{"MaxLen", nonNegative("MaxLen", n, func(c *config) { c.maxLen = n })}
}

// StartChar sets the index put at the start of every sequence; a negative
// value puts none (Keras's start_char=None). Accepted by IMDB and Reuters.
// Default: 1.
func StartChar(i int) Option {
	return Option{"StartChar", func(c *config) error { c.startChar = i; return nil }}
}

// OOVChar sets the index that replaces words cut by NumWords or SkipTop; a
// negative value drops those words instead (Keras's oov_char=None). Accepted
// by IMDB and Reuters. Default: 2.
func OOVChar(i int) Option {
	return Option{"OOVChar", func(c *config) error { c.oovChar = i; return nil }}
}

// IndexFrom is added to every word index of the file, so that the indices
// below it stay free for padding (0), start (1) and out-of-vocabulary (2).
// Accepted by IMDB and Reuters. Default: 3.
func IndexFrom(n int) Option {
	return Option{"IndexFrom", nonNegative("IndexFrom", n, func(c *config) { c.indexFrom = n })}
}

func nonNegative(name string, n int, set func(*config)) func(*config) error {
	return func(c *config) error {
		if n < 0 {
			return errors.Errorf("%s(%d): want >= 0", name, n)
		}
		set(c)
		return nil
	}
}

// commonOptions are accepted by every loader.
var commonOptions = []string{"Dir", "Origin", "Progress", "Download", "HTTPClient", "SHA256"}

// sequenceOptions are accepted by IMDB and Reuters (Reuters adds TestSplit).
var sequenceOptions = []string{"Seed", "NumWords", "SkipTop", "MaxLen", "StartChar", "OOVChar", "IndexFrom"}

// newConfig applies opts for the named data set, refusing options the loader
// does not take.
func newConfig(dataset, origin string, opts []Option, extra ...string) (*config, error) {
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
		if o.apply == nil {
			return nil, errors.New("zero Option")
		}
		if !contains(commonOptions, o.name) && !contains(extra, o.name) {
			return nil, errors.Errorf("option %s does not apply to %s", o.name, dataset)
		}
		if err := o.apply(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
