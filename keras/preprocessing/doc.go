// Package preprocessing prepares arrays for training, the way the Keras
// tutorials do between loading a data set and fitting a model: it scales
// and standardises features with statistics stored from the training part,
// one-hot encodes labels, pads sequences, splits rows into train and test
// parts or k folds, shuffles several arrays together, and converts between
// tensors, row slices and CSV columns.
//
// The package is named preprocessing, like keras.preprocessing and R
// keras's preprocessing functions, rather than utils: everything in it
// transforms data before a model sees it. It depends only on
// gorgonia.org/tensor, so it can be used without the rest of gokeras.
//
// # Conventions
//
// Samples are along the first axis. Scalers treat every other position as a
// feature: a (N, 13) table has 13 features, a (N, 28, 28) image stack has 784.
// Functions return new tensors and leave their inputs unchanged, except the
// row views of [Rows64] and [Rows32], which share memory when the dtype
// matches.
//
// Randomness is always seeded. Shuffles use NumPy's legacy
// RandomState(seed) permutation, so a seed gives the same rows as
// sklearn.model_selection.train_test_split(random_state=seed),
// sklearn.utils.shuffle(random_state=seed) and
// KFold(shuffle=True, random_state=seed) in Python. The default seed is 0:
// results are the same on every run unless [Seed] says otherwise.
//
// Optional arguments are [Option] values named like the Keras or
// scikit-learn keyword (DDOF, FeatureRange, NumClasses, MaxLen, Padding,
// Truncating, Value, Seed, Shuffle, Dtype, Header, Comma). Each function
// lists the options it accepts; passing another one is an error.
//
// Errors start with "preprocessing: " and the function name, and wrap their
// cause with github.com/pkg/errors. No function panics on bad input.
//
// # Text and time series
//
// [TextVectorization] is Keras's text layer run on the host: models take
// numeric tensors, so texts become index rows or bag-of-words vectors here,
// before Fit. [TextDatasetFromDirectory] and [TimeseriesDatasetFromArray]
// are Keras's dataset utilities returning whole arrays (Fit batches them).
// Their optional arguments are typed per call ([TextVectorizationOption],
// [TextDatasetOption], [TimeseriesOption]), so the compiler rejects an
// option a function does not take; [Shuffling] and [ShuffleSeed] are
// accepted by both dataset functions.
package preprocessing
