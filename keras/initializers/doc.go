// Package initializers fills new weights, by Keras name ("glorot_uniform",
// "zeros", ...) and as typed values.
//
// Every initializer draws from the *rand.Rand it is given, so a model's
// seed decides every initial weight. Fans follow Keras: for a matrix
// (in, out) fan_in = in and fan_out = out; for a convolution kernel
// (kh, kw, in, out) both are multiplied by kh*kw.
package initializers
