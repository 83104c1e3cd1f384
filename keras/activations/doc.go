// Package activations holds the activation functions layers apply to their
// output, by Keras name ("relu", "softmax", ...) and as typed values.
//
// Get resolves a Keras name; Names lists them. Every Activation adds its
// nodes to a Gorgonia graph in Apply. Layers record the activation's input
// with backend.Scope.MarkActivation so that losses can work from logits
// (softmax followed by categorical cross-entropy is computed as one stable
// op, as Keras does).
package activations
