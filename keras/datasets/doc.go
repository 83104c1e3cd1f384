// Package datasets loads the data sets of the Keras tutorials in Keras's own
// cache layout and exports the decoders it uses, so that a user can read their
// own NumPy, IDX and CIFAR files too.
//
// # Loaders
//
// Every loader is one line for the user and returns the train and the test part:
//
//	train, test, err := datasets.FashionMNIST(ctx)
//	train, test, err := datasets.BostonHousing(ctx, datasets.TestSplit(0.2), datasets.Seed(113))
//	train, test, err := datasets.IMDB(ctx, datasets.NumWords(10000))
//
// Image and table loaders (MNIST, FashionMNIST, BostonHousing, CIFAR10) return
// a [Split] of two *tensor.Dense, shaped and typed as Keras returns its NumPy
// arrays:
//
//	MNIST, FashionMNIST  X uint8 (N, 28, 28)     Y uint8 (N)
//	CIFAR10              X uint8 (N, 32, 32, 3)  Y uint8 (N, 1)   (channels last)
//	BostonHousing        X float64 (N, 13)       Y float64 (N)
//
// The word-index loaders (IMDB, Reuters) return [Sequences]: ragged [][]int
// reviews or newswires and []int labels, processed exactly like Keras
// (start_char 1, oov_char 2, index_from 3, num_words, skip_top, maxlen and the
// seed-113 shuffle).
//
// Options are checked by the compiler: each loader takes its own option
// type (MNISTOption, BostonHousingOption, IMDBOption, ...). The options
// every loader takes (Dir, Origin, Progress, Download, HTTPClient, SHA256)
// are a CommonOption, which implements all of them; Seed serves
// BostonHousing, IMDB and Reuters, TestSplit BostonHousing and Reuters,
// and the SequenceOptions (NumWords, SkipTop, MaxLen, StartChar, OOVChar,
// IndexFrom) IMDB and Reuters, so datasets.MNIST(ctx, datasets.NumWords(10))
// does not compile. A value out of range (TestSplit(1), Seed(-1)) is a
// *kerrors.OptionError.
//
// The context is honoured while downloading. On error the returned parts are
// zero: a loader never returns a half-filled tensor.
//
// # Where the files come from
//
// A loader looks for its files, in this order, in the directory given with
// [Dir], in $KERAS_HOME/datasets and in ~/.keras/datasets, under the names
// Keras uses (mnist.npz, fashion-mnist/train-images-idx3-ubyte.gz, ...), so a
// cache filled by Python Keras is reused as it is. A file found in a cache is
// trusted as it is: its checksum is only verified when it is downloaded.
//
// When a file is in none of them, the loader downloads it from Keras's origin
// (https://storage.googleapis.com/tensorflow/tf-keras-datasets/, or
// https://www.cs.toronto.edu/~kriz/ for CIFAR-10; see [Origin]) into the first
// of those directories that can be created, drawing a progress bar on standard
// error (see [Progress]). The download is checked against the SHA-256 that
// Keras publishes and written atomically: a temporary file in the same
// directory, synced, then renamed, so an interrupted or corrupted download
// never leaves a file in the cache. Offline, the error says where the loader
// looked and why the download failed, for example
//
//	datasets: fashion_mnist: fashion-mnist/train-images-idx3-ubyte.gz not in [/data/keras/datasets /home/me/.keras/datasets] and download failed: GET: ... connection refused
//
// CIFAR-10 is read from the python-free binary batches
// (cifar-10-batches-bin/data_batch_1.bin ... test_batch.bin), not from the
// pickled cifar-10-batches-py folder that Python Keras keeps.
//
// # Decoders
//
// [ReadNPY], [ReadNPZ] (NumPy, through codeberg.org/sbinet/npyio, including the
// pickled object arrays of imdb.npz and reuters.npz via [NPZ.Sequences]),
// [ReadIDX] (the MNIST family, gzip or not) and [ReadCIFAR10] read an
// io.Reader. Truncated or corrupted input gives an error that says what is
// wrong; it never panics, and a header cannot make a decoder allocate much
// more than the input holds. [WriteNPY], [WriteNPYSequences], [WriteNPZ],
// [WriteIDX] and [WriteCIFAR10] write the same formats.
//
// # Errors
//
// Errors start with "datasets: " and the loader's Keras name, name the file
// involved, and wrap their cause (github.com/pkg/errors; errors.Is and
// errors.As work).
package datasets
