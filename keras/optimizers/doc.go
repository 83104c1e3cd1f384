// Package optimizers updates a model's weights from their gradients, in
// place, with Keras 3's defaults and update formulas: SGD (momentum,
// Nesterov), RMSprop and Adam, by Keras name ("sgd", "rmsprop", "adam")
// and as typed values with options.
//
// An optimizer keeps one set of slots (momentum, moving averages) per
// variable, created on the first Apply, and counts its steps (Iterations).
// Updates run directly over the weights' backing slices: no tensor is
// allocated per step. Gorgonia's own solvers are not used (their defaults
// differ from Keras's and several allocate per step).
package optimizers
