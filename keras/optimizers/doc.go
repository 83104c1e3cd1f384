// Package optimizers updates a model's weights from their gradients, in
// place, with Keras 3's defaults and update formulas: SGD (momentum,
// Nesterov), RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl
// and Lion, by Keras name ("sgd", "adam", ...) and as typed values with
// options named like Keras's keywords.
//
// Every optimizer takes the shared options LearningRate (a number or a
// Schedule: ExponentialDecay, PiecewiseConstantDecay, CosineDecay,
// InverseTimeDecay, evaluated at the iteration count before each step),
// Clipnorm, Clipvalue, GlobalClipnorm and WeightDecay. Keras2Defaults
// restores the default learning rates of old Keras that the 2018 R
// examples assumed (Adadelta 1.0, Adagrad 0.01, Adamax and Nadam 0.002);
// it is never applied silently.
//
// An optimizer keeps its state in one set of slots (momentum, moving
// averages) per variable, created on the first Apply, and counts its steps
// (Iterations). Updates run directly over the weights' backing slices and
// allocate nothing per step; float32 Adam uses an AVX kernel where the CPU
// has it, bit-identical to the portable loop. After updating a variable an
// optimizer applies its constraint (backend.Variable.SetConstraint), as
// Keras does. Gorgonia's own solvers are not used (their defaults differ
// from Keras's and several allocate per step).
package optimizers
