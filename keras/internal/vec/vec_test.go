package vec

import (
	"math"
	"math/rand"
	"testing"
)

// data returns n values, with bad ones (NaN, ±Inf, beyond float32's
// range) at the positions in bad, denormals and zeros elsewhere too.
func data(rng *rand.Rand, n int, bad []int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch rng.Intn(6) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = rng.NormFloat64() * 1e-41 // a float32 denormal
		case 2:
			x[i] = rng.NormFloat64() * 1e30
		default:
			x[i] = rng.NormFloat64()
		}
	}
	kinds := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e39, -3.5e38}
	for _, i := range bad {
		if i >= 0 && i < n {
			x[i] = kinds[rng.Intn(len(kinds))]
		}
	}
	return x
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestScansAndCopies checks every loop, portable and assembly, against the
// definitions: the index of the first bad element, exact copies and
// conversions, the ok flags, for lengths across the vector widths and for
// bad elements in the body, in the tail and none.
func TestScansAndCopies(t *testing.T) {
	defer setPortable(false)
	rng := rand.New(rand.NewSource(3))
	lengths := []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 64, 100, 4095, 4096, 4097, 9000}
	for _, portable := range []bool{true, false} {
		if !setPortable(portable) && !portable {
			t.Log("no assembly loops here")
			continue
		}
		for _, n := range lengths {
			for _, bad := range [][]int{nil, {n - 1}, {n / 2, n - 1}, {0}, {n - 3}, {4100}} {
				x64 := data(rng, n, bad)
				x32 := to32(x64)
				want32, want64, want64f := -1, -1, -1
				for i, v := range x64 {
					f := float64(x32[i])
					if want32 < 0 && (math.IsNaN(f) || math.IsInf(f, 0)) {
						want32 = i
					}
					if want64 < 0 && !(math.Abs(v) <= math.MaxFloat32) {
						want64 = i
					}
					if want64f < 0 && (math.IsNaN(v) || math.IsInf(v, 0)) {
						want64f = i
					}
				}
				if got := FirstNonFinite32(x32); got != want32 {
					t.Fatalf("portable=%v n=%d bad %v: FirstNonFinite32 = %d, want %d", portable, n, bad, got, want32)
				}
				if got := FirstBeyond64(x64, math.MaxFloat32); got != want64 {
					t.Fatalf("portable=%v n=%d bad %v: FirstBeyond64 = %d, want %d", portable, n, bad, got, want64)
				}
				if got := FirstBeyond64(x64, math.MaxFloat64); got != want64f {
					t.Fatalf("portable=%v n=%d bad %v: FirstBeyond64(MaxFloat64) = %d, want %d", portable, n, bad, got, want64f)
				}
				d32 := make([]float32, n+1)
				d32[n] = 42
				if ok := CopyFinite32(d32, x32); ok != (want32 < 0) || !same32(d32[:n], x32) || d32[n] != 42 {
					t.Fatalf("portable=%v n=%d: CopyFinite32 ok %v", portable, n, ok)
				}
				d64 := make([]float64, n)
				if ok := CopyWithin64(d64, x64, math.MaxFloat32); ok != (want64 < 0) || !same64(d64, x64) {
					t.Fatalf("portable=%v n=%d: CopyWithin64 ok %v", portable, n, ok)
				}
				if ok := Narrow64(d32, x64, math.MaxFloat32); ok != (want64 < 0) || !same32(d32[:n], x32) {
					t.Fatalf("portable=%v n=%d: Narrow64 ok %v, %v for %v", portable, n, ok, d32[:min(n, 8)], x32[:min(n, 8)])
				}
				if ok := Widen32(d64, x32); ok != (want32 < 0) {
					t.Fatalf("portable=%v n=%d: Widen32 ok %v", portable, n, ok)
				}
				for i, v := range x32 {
					if math.Float64bits(d64[i]) != math.Float64bits(float64(v)) {
						t.Fatalf("Widen32: element %d", i)
					}
				}
				u := make([]uint8, n)
				for i := range u {
					u[i] = uint8(rng.Intn(256))
				}
				Uint8To32(d32, u)
				for i, v := range u {
					if d32[i] != float32(v) {
						t.Fatalf("portable=%v n=%d: Uint8To32 element %d = %v, want %v", portable, n, i, d32[i], v)
					}
				}
			}
		}
	}
}

func same32(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

func same64(a, b []float64) bool {
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// BenchmarkScan32 measures the NaN/Inf scan of 47 million float32 values
// (Fashion-MNIST's 60,000 training images) in GB/s.
func BenchmarkScan32(b *testing.B) {
	for _, impl := range []string{"portable", "asm"} {
		b.Run(impl, func(b *testing.B) {
			if !setPortable(impl == "portable") && impl == "asm" {
				b.Skip("no assembly loops")
			}
			defer setPortable(false)
			x := make([]float32, 60000*784)
			for i := range x {
				x[i] = float32(i % 255)
			}
			b.SetBytes(int64(4 * len(x)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if FirstNonFinite32(x) >= 0 {
					b.Fatal("found a bad value in zeros")
				}
			}
		})
	}
}

// BenchmarkCopyRows32 measures copying and checking 32 random rows of 784
// float32 values out of 60,000 (one W1 batch), per batch.
func BenchmarkCopyRows32(b *testing.B) {
	for _, impl := range []string{"portable", "asm"} {
		b.Run(impl, func(b *testing.B) {
			if !setPortable(impl == "portable") && impl == "asm" {
				b.Skip("no assembly loops")
			}
			defer setPortable(false)
			src := make([]float32, 60000*784)
			dst := make([]float32, 32*784)
			rng := rand.New(rand.NewSource(1))
			idx := make([]int, 32)
			for i := range src {
				src[i] = float32(i % 255)
			}
			b.SetBytes(32 * 784 * 4)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range idx {
					idx[j] = rng.Intn(60000)
				}
				for j, r := range idx {
					if !CopyFinite32(dst[j*784:(j+1)*784], src[r*784:(r+1)*784]) {
						b.Fatal("bad")
					}
				}
			}
		})
	}
}

// TestPrefetch: Prefetch of any slice, empty or ending anywhere, returns
// and changes nothing.
func TestPrefetch(t *testing.T) {
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(i)
	}
	Prefetch[float32](nil)
	for lo := 0; lo < 20; lo++ {
		for hi := lo; hi <= len(x); hi += 37 {
			Prefetch(x[lo:hi])
		}
	}
	Prefetch([]uint8{1})
	Prefetch(make([]float64, 3))
	for i, v := range x {
		if v != float32(i) {
			t.Fatalf("x[%d] = %v after Prefetch", i, v)
		}
	}
}
