// Package losses holds the training objectives, by Keras name ("mse",
// "sparse_categorical_crossentropy", ...) and as typed values with options.
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
package losses
