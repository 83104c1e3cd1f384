//go:build !amd64 || purego

package vec

import "unsafe"

func finite32(x []float32) bool                           { return finite32Go(x) }
func within64(x []float64, limit float64) bool            { return within64Go(x, limit) }
func copyFinite32(dst, src []float32) bool                { return copyFinite32Go(dst, src) }
func copyWithin64(dst, src []float64, limit float64) bool { return copyWithin64Go(dst, src, limit) }
func narrow64(dst []float32, src []float64, limit float64) bool {
	return narrow64Go(dst, src, limit)
}
func uint8To32(dst []float32, src []uint8) { uint8To32Go(dst, src) }

func setPortable(bool) bool { return false }

func prefetch(unsafe.Pointer, int) {}
