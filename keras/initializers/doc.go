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
// Fans follow Keras: for a matrix (in, out) fan_in = in and fan_out = out;
// for a vector of n, both are n; for a convolution kernel (kh, kw, in, out)
// both are multiplied by kh*kw.
package initializers
