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
// Bad input: a constructor never fails. An option a loss does not take,
// or a value out of range (a negative delta, label_smoothing outside
// [0, 1]), is kept and reported by the loss's Err, by PerSample and by
// Resolve, so Compile fails with an error naming the parameter and the
// value. An unknown name gives an error listing the known ones.
package losses
