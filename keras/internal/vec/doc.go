// Package vec holds the vector loops gokeras runs over input data: scans
// for values a model cannot train on (NaN, infinities, float64 values
// beyond float32's range) and copies that convert a batch's rows into a
// program's input buffer and check them on the way.
//
// On amd64 the loops are AVX assembly (uint8 conversion AVX2), chosen at
// start-up from the CPU's features; elsewhere, with the purego build tag or
// without AVX, portable Go loops compute the same results. Copies and
// conversions give exactly what Go's conversions give (float32(v) of a
// float64 rounds to nearest even; uint8 and float32 convert exactly), and
// every scan finds the first bad element, so callers can report its
// position.
//
// The package imports nothing of gokeras.
package vec
