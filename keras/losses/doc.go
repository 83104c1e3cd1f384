// Package losses holds the training objectives, by Keras name ("mse",
// "sparse_categorical_crossentropy", ...) and as typed values with options
// (Huber(Delta(2)), BinaryCrossentropy(FromLogits(true),
// LabelSmoothing(0.1)), ...), with Keras 3's formulas and defaults.
// docs/reference/losses.md lists them.
//
// A Loss adds a per-sample loss (one value per row of the batch) to a
// graph; the engine weights it by the sample weights and divides the sum
// by the batch size, which is Keras's "sum_over_batch_size" reduction.
//
// Cross-entropies are numerically stable: when the model's output comes
// from a softmax (or sigmoid) activation, the loss is computed from the
// activation's input (the logits) with one fused op, exactly as Keras
// does, so extreme logits give finite losses and gradients. With
// FromLogits(true) the output itself is taken as logits.
//
// Every loss is also a metric of the same name in package metrics,
// computed on the host in float64 by separate code; the tests check the
// two against each other and against PyTorch.
//
// Options are checked by the compiler: each constructor takes its own
// option type (BinaryCrossentropyOption, HuberOption, ...), FromLogits
// serves the three cross-entropies and LabelSmoothing the binary and
// categorical ones, so SparseCategoricalCrossentropy(LabelSmoothing(0.1))
// does not compile; losses without parameters take no options at all.
// Parameters are typed structs (CrossentropyParams, HuberParams, ...);
// Config carries the JSON of those that differ from the defaults, with
// Keras's keyword names, and FromConfig decodes it strictly (an unknown
// keyword is an error naming the valid ones) while still reading the 0/1
// booleans of older files. Register adds a user-defined loss, built from
// its Config.
//
// Bad input: a constructor never fails. A value out of range (a negative
// delta, label_smoothing outside [0, 1]) is kept and reported by the
// loss's Err, by PerSample and by Resolve, so Compile fails, with a
// *kerrors.OptionError naming the parameter and the value. An unknown name
// gives a *kerrors.UnknownNameError listing the known ones.
package losses
