// Package vmath computes package math's elementary functions over whole
// slices, with vector instructions where the CPU has them, and returns
// exactly what package math returns for every element, bit for bit. A
// loop that calls math.Exp can call Exp instead and nothing it computes
// changes, only its speed.
//
// On amd64 with AVX2 and FMA, Exp runs the same sequence of operations as
// the Go runtime's own assembly math.Exp (which uses FMA on such CPUs),
// four values at a time; the few arguments that take one of its special
// paths (NaN, infinities, overflow, results that are subnormal or zero)
// are handed to math.Exp itself. The loop is checked against math.Exp at
// start-up and not used if they disagree (math.Exp takes its unfused path
// when GODEBUG turns the runtime's AVX off). Elsewhere, with the purego
// build tag or without those features, Exp is a loop over math.Exp.
//
// The package imports nothing of gokeras.
package vmath
