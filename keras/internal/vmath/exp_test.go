package vmath

import (
	"math"
	"math/rand"
	"testing"
)

// expArgs returns arguments for the exactness tests: the range where
// math.Exp is normal, both edges of it and beyond, the special values,
// integers and half-integers times ln 2 (where the exponent rounds
// between two values), tiny magnitudes, and softmax-like differences.
func expArgs(n int) []float64 {
	rng := rand.New(rand.NewSource(7))
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, math.Ln2, -math.Ln2,
		709.78, 709.782712893384, 709.7827128933841, 709.79, 710, 1000, 1e300,
		-708.39, -708.4, -708.74, -708.75, -709, -744.4, -745.1, -746, -1000, -1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1e-300, -1e-300, 1e-17, -1e-17}
	for k := -1100; k <= 1100; k++ {
		for _, d := range []float64{0, 0.5, -0.5} {
			x := (float64(k) + d) * math.Ln2
			xs = append(xs, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
		}
	}
	for len(xs) < n {
		switch len(xs) % 4 {
		case 0:
			xs = append(xs, rng.Float64()*1500-750)
		case 1:
			xs = append(xs, -rng.ExpFloat64()*10) // z - max(z) of a softmax
		case 2:
			xs = append(xs, rng.NormFloat64())
		default:
			xs = append(xs, rng.NormFloat64()*1e-8)
		}
	}
	rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	return xs
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// TestExpExact checks Exp against math.Exp bit for bit on every argument,
// at every length and offset of the slice (so that the vector rounds, the
// rounds a special value sends to math.Exp, and the tail all run).
func TestExpExact(t *testing.T) {
	if was := setPortable(false); was {
		t.Log("no AVX2 and FMA on this CPU (or purego): Exp is the math.Exp loop")
	}
	xs := expArgs(200000)
	got := make([]float64, len(xs))
	Exp(got, xs)
	bad := 0
	for i, x := range xs {
		if want := math.Exp(x); !sameBits(got[i], want) {
			if bad++; bad <= 10 {
				t.Errorf("Exp(%v) = %v (%#x), math.Exp = %v (%#x)", x, got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d of %d values differ", bad, len(xs))
	}
	for n := 0; n <= 40; n++ {
		for off := 0; off < 3; off++ {
			src := xs[off : off+n]
			dst := make([]float64, n)
			Exp(dst, src)
			for i, x := range src {
				if want := math.Exp(x); !sameBits(dst[i], want) {
					t.Fatalf("n=%d off=%d: Exp(%v) = %v, math.Exp = %v", n, off, x, dst[i], want)
				}
			}
		}
	}
}

// TestExpInPlace checks that dst may be src, and that Exp writes nothing
// past len(src).
func TestExpInPlace(t *testing.T) {
	xs := expArgs(1000)[:1000]
	want := make([]float64, len(xs))
	expGo(want, xs)
	buf := append(append([]float64(nil), xs...), 42)
	Exp(buf[:len(xs)], buf[:len(xs)])
	for i := range xs {
		if !sameBits(buf[i], want[i]) {
			t.Fatalf("in place: element %d = %v, want %v", i, buf[i], want[i])
		}
	}
	if buf[len(xs)] != 42 {
		t.Errorf("Exp wrote past len(src)")
	}
}

// TestExpSpecialRounds puts a special value in every position of a vector
// round and checks the round's other values still come out exact.
func TestExpSpecialRounds(t *testing.T) {
	for _, special := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 800, -800, -708.8} {
		for pos := 0; pos < 24; pos++ {
			src := make([]float64, 24)
			for i := range src {
				src[i] = -float64(i) * 0.37
			}
			src[pos] = special
			dst := make([]float64, len(src))
			Exp(dst, src)
			for i, x := range src {
				if want := math.Exp(x); !sameBits(dst[i], want) {
					t.Fatalf("special %v at %d: Exp(%v) = %v, math.Exp = %v", special, pos, x, dst[i], want)
				}
			}
		}
	}
}

func TestExpPortable(t *testing.T) {
	defer setPortable(setPortable(true))
	xs := expArgs(5000)
	got := make([]float64, len(xs))
	Exp(got, xs)
	for i, x := range xs {
		if want := math.Exp(x); !sameBits(got[i], want) {
			t.Fatalf("portable: Exp(%v) = %v, math.Exp = %v", x, got[i], want)
		}
	}
}

// BenchmarkExp times Exp and the math.Exp loop on 5,120 softmax-like
// arguments (W1's logits at batch 512).
func BenchmarkExp(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	src := make([]float64, 5120)
	for i := range src {
		src[i] = -rng.ExpFloat64() * 5
	}
	dst := make([]float64, len(src))
	b.Run("impl=vmath", func(b *testing.B) {
		for b.Loop() {
			Exp(dst, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/value")
	})
	b.Run("impl=math", func(b *testing.B) {
		for b.Loop() {
			expGo(dst, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/value")
	})
}
