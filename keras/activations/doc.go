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
// Bad input: a constructor never fails. An option an activation does not
// take, or a value out of range (a negative max_value, say), is kept and
// reported by Func.Err, by Apply, and by Resolve and FromConfig, so a layer
// given such an activation fails when it is built (at the latest by
// Compile) with an error naming the parameter and the value. An unknown
// name gives an error listing the known ones.
package activations
