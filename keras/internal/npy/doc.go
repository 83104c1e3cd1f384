// Package npy reads and writes NumPy's .npy format (versions 1.0 to 3.0)
// for little-endian float32 and float64 arrays in C order: the subset
// gokeras's saved models use. The reader is strict and never panics: any
// other input gives an error that says what was wrong.
//
// Format reference: numpy/lib/format.py ("\x93NUMPY", major, minor, a
// little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), an ASCII
// (1.0, 2.0) or UTF-8 (3.0) Python dict literal with the keys descr,
// fortran_order and shape, padded with spaces and a newline so that the
// data starts at a multiple of 64 bytes).
package npy
