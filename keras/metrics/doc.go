// Package metrics holds the quantities a model reports while it trains and
// evaluates, by Keras name ("accuracy", "mae", "auc", ...) and as typed
// values with options (AUC(Curve("PR")), Precision(Thresholds(0.3)),
// TopKCategoricalAccuracy(K(3)), ...), with Keras 3's definitions and
// defaults. docs/reference/metrics.md lists them.
//
// Metrics are stateful, like Keras's: Reset at the start of an epoch,
// Update once per batch with the targets and predictions (on the host, in
// float64), Result at any time. Results are exact over all the samples
// seen, not an average of per-batch averages: a mean metric keeps the
// weighted sum and the total weight, precision, recall, AUC and F-scores
// keep weighted confusion counts, R2 keeps weighted sums per output.
//
// Every loss name of package losses is also a metric name: the weighted
// mean of the loss over the samples, computed here independently of the
// graph loss ("cosine_similarity" is Keras's metric, the similarity, where
// the loss of that name is its negative).
//
// "accuracy" (and "acc") is resolved by the model to BinaryAccuracy,
// CategoricalAccuracy or SparseCategoricalAccuracy from the loss and the
// output shape, as Keras does; the history key stays the name given, and
// Aliases gives the other spellings ("acc", "mae", "mse", "mape", "msle",
// "bce", "kld", "logcosh") under which a key may be looked up.
//
// Options are checked by the compiler: each constructor takes its own
// option type (AUCOption, PrecisionOption, ...); Name serves every metric
// and the others the metrics that have the keyword, so Precision(K(3))
// does not compile. Parameters are typed structs (AUCParams, ...); Config
// carries the JSON of those that differ from the defaults, with Keras's
// keyword names and the history key under "name", and FromConfig decodes
// it strictly. Register adds a user-defined metric, built from its Config.
//
// Bad input: a constructor never fails. A value out of range (k < 1,
// thresholds outside [0, 1], an unknown curve) is kept and reported by
// the metric's Err and Update, and by Compile, with a *kerrors.OptionError
// naming the parameter and the value. An unknown name gives a
// *kerrors.UnknownNameError listing the known ones. A metric value given
// to Compile is cloned (Cloner), so its own state is never used.
package metrics
