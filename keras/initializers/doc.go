// Package initializers fills new weights, by Keras name ("glorot_uniform",
// "he_normal", "zeros", ...) and as typed values with options: zeros,
// ones, constant, random_normal, random_uniform, truncated_normal,
// glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal,
// lecun_uniform, variance_scaling, orthogonal and identity, with Keras 3's
// defaults.
//
// Every random initializer draws from the *rand.Rand it is given (a
// model passes its initialisation stream, so the model's seed decides every
// initial weight), unless it was built with the Seed option: then each
// call draws from its own stream seeded with that value and returns the
// same values, as a Keras initializer seeded with an integer does.
//
// Options are checked by the compiler: each constructor takes its own
// option type (HeNormalOption, VarianceScalingOption, ...), Seed serves
// every random initializer, so GlorotUniform(Gain(2)) does not compile.
// Parameters are typed structs (NormalParams, VarianceScalingParams, ...);
// Config carries the JSON of those that differ from the defaults, with
// Keras's keyword names, and FromConfig decodes it strictly (and still
// reads the older files that kept mode, distribution and seed beside the
// params). An invalid value is a *kerrors.OptionError, an unknown name a
// *kerrors.UnknownNameError. Register adds a user-defined initializer,
// built from its Config.
//
// Fans follow Keras: for a matrix (in, out) fan_in = in and fan_out = out;
// for a vector of n, both are n; for a convolution kernel (kh, kw, in, out)
// both are multiplied by kh*kw.
package initializers
