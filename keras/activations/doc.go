// Package activations holds the activation functions layers apply to their
// output, by Keras name ("relu", "softmax", ...) and as typed values with
// options (ReLU(MaxValue(6)), GELU(Approximate(true)), ...), with Keras 3's
// definitions and defaults. docs/reference/activations.md lists them.
//
// Get resolves a Keras name or alias ("swish" is "silu", "hard_swish" is
// "hard_silu"); Names lists them; FromConfig rebuilds an activation from
// its serialisable Config. Every Activation adds its nodes to a Gorgonia
// graph in Apply. The functions Gorgonia lacks are computed by
// backend.Elementwise with their exact derivative (each is checked against
// PyTorch and finite differences). Layers record the activation's input
// with backend.Scope.MarkActivation so that losses can work from logits
// (softmax followed by categorical cross-entropy is computed as one stable
// op, as Keras does).
//
// Options are checked by the compiler: ReLU takes ReLUOptions, GELU
// GELUOptions, and NegativeSlope serves ReLU and LeakyReLU, so
// ELU(NegativeSlope(1)) does not compile; functions without parameters
// take no arguments. Parameters are typed structs (ReLUParams, ...);
// Config carries the JSON of those that differ from the defaults, with
// Keras's keyword names, decoded strictly by FromConfig (which still
// reads the 0/1 booleans of older files). Register adds a user-defined
// activation, built from its Config.
//
// Bad input: a constructor never fails. A value out of range (a negative
// max_value, say) is kept and reported by Func.Err, by Apply, and by
// Resolve and FromConfig, so a layer given such an activation fails when
// it is built (at the latest by Compile) with a *kerrors.OptionError
// naming the parameter and the value. An unknown name gives a
// *kerrors.UnknownNameError listing the known ones.
package activations
