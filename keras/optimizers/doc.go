// Package optimizers updates a model's weights from their gradients, in
// place, with Keras 3's defaults and update formulas: SGD (momentum,
// Nesterov), RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl
// and Lion, by Keras name ("sgd", "adam", ...) and as typed values with
// options named like Keras's keywords.
//
// Each constructor takes options of its own type, checked by the
// compiler: SGD takes SGDOptions, Adam AdamOptions, and SGD(Beta1(0.9))
// does not compile. Every optimizer takes the shared options (type
// SharedOption): LearningRate (a number), LearningRateSchedule (a
// Schedule: ExponentialDecay, PiecewiseConstantDecay, CosineDecay,
// InverseTimeDecay, evaluated at the iteration count before each step),
// Clipnorm, Clipvalue, GlobalClipnorm, WeightDecay and Keras2Defaults,
// which restores the default learning rates of old Keras that the 2018 R
// examples assumed (Adadelta 1.0, Adagrad 0.01, Adamax and Nadam 0.002);
// it is never applied silently. Options several optimizers take are one
// type each (Beta1Option serves Adam, AdamW, Adamax, Nadam and Lion).
//
// Hyperparameters live in a typed struct per optimizer (SGDParams,
// AdamParams, ...; Params returns them). Config carries that struct's
// JSON, with Keras's keyword names, under "params"; FromConfig decodes it
// strictly (an unknown keyword is a *kerrors.OptionError listing the valid
// ones) and still reads the 0/1 booleans of older files. A value out of
// range is reported by the optimizer's Err (and so by keras.Compile) as a
// *kerrors.OptionError; an unknown name as a *kerrors.UnknownNameError.
// Register adds a user-defined optimizer, built from its Config.
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
