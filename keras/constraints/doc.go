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
//
// Options are checked by the compiler: each constructor takes its own
// option type (MaxNormOption, ...), MaxValue serves MaxNorm and MinMaxNorm
// and Axis the three norm constraints, so UnitNorm(MaxValue(1)) does not
// compile. Config carries the JSON of the typed parameters that differ
// from the defaults, with Keras's keyword names, and FromConfig decodes it
// strictly (older files with axis beside the params still load). An
// invalid value is a *kerrors.OptionError, an unknown name a
// *kerrors.UnknownNameError. Register adds a user-defined constraint,
// built from its Config.
package constraints
