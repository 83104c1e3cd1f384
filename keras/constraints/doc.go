// Package constraints projects weights back into an allowed set after
// every optimizer update, by Keras name ("max_norm", "non_neg",
// "unit_norm", "min_max_norm") and as typed values, with Keras 3's
// defaults.
//
// Layers take constraints through the layers.KernelConstraint and
// BiasConstraint options and attach them to their variables
// (backend.Variable.SetConstraint); every optimizer applies a variable's
// constraint right after updating it, as Keras does. Norms are taken over
// the given axes (default axis 0: for a Dense kernel (in, out), the
// incoming weights of each unit) and a small epsilon (1e-7, Keras's) keeps
// zero vectors finite.
package constraints
