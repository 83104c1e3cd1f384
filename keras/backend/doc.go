// Package backend is gokeras's one seam to Gorgonia that is not a layer.
//
// It owns what every model shares no matter which layers it uses:
//
//   - Variable: a weight tensor that lives once per model and is bound by
//     reference into every graph, together with the buffer its gradient is
//     copied into after each training step.
//   - Engine: builds one Gorgonia expression graph per (batch size, mode)
//     pair (train, eval, predict), compiles it once, caches it and runs it.
//     All graphs share the same Variables, so an optimizer that updates the
//     weights in place is seen by every graph.
//   - Scope: what a layer sees while it adds its nodes to one graph (the
//     graph, the mode, the batch size, its weights as nodes, per-step noise
//     inputs such as dropout masks, extra losses).
//   - Custom ops that Gorgonia lacks or gets wrong (a softmax whose hash
//     tells softmax from log-softmax, fused cross-entropy from logits, and
//     an elementwise op for functions Gorgonia has no op for).
//
// The package imports nothing else of gokeras; every other package may
// import it. Gorgonia's known traps that it steps around are listed in
// docs/architecture.md.
package backend
