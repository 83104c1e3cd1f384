// Package regularizers penalises large weights or activations, by Keras
// name ("l1", "l2", "l1_l2") and as typed values, with Keras 3's defaults.
//
// A penalty is a scalar added to the model's loss: l1*sum(|x|) +
// l2*sum(x^2) (no factor 1/2). Layers take regularizers through the
// layers.KernelRegularizer, BiasRegularizer and ActivityRegularizer
// options and add the penalties to the training and evaluation graphs
// (backend.Scope.AddLoss), so the loss that Fit and Evaluate report
// includes them, as in Keras. As in Keras 3, an activity penalty is the
// penalty of the layer's whole output batch (tf.keras 2 divided it by the
// batch size).
//
// The factors are positional (L1(0.01), L1L2(0.01, 0.001)). Config carries
// the JSON of those that differ from Get's default 0.01, with Keras's
// keyword names, and FromConfig decodes it strictly. An invalid factor is
// a *kerrors.OptionError, an unknown name a *kerrors.UnknownNameError.
// Register adds a user-defined regularizer, built from its Config.
package regularizers
