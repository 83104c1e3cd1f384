// Package metrics holds the quantities a model reports while it trains and
// evaluates, by Keras name ("accuracy", "mae", ...) and as typed values.
//
// Metrics are stateful, like Keras's: Reset at the start of an epoch,
// Update once per batch with the targets and predictions (on the host, in
// float64), Result at any time. Results are exact over all the samples
// seen, not an average of per-batch averages: a mean metric keeps the
// weighted sum and the total weight.
//
// "accuracy" (and "acc") is resolved by the model to BinaryAccuracy,
// CategoricalAccuracy or SparseCategoricalAccuracy from the loss and the
// output shape, as Keras does; the history key stays the name given.
package metrics
