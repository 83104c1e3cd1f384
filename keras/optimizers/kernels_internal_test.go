package optimizers

import (
	"math"
	"math/rand"
	"testing"
)

// TestAdamKernelsAgree checks that the assembly float32 Adam kernel gives
// bit for bit what the portable one gives, over lengths that exercise the
// 8-lane body and the scalar tail, and over awkward values (zero second
// moments, tiny and huge gradients).
func TestAdamKernelsAgree(t *testing.T) {
	if !setPortable(false) {
		t.Skip("no assembly kernel on this platform or CPU")
	}
	defer setPortable(false)
	rng := rand.New(rand.NewSource(3))
	lengths := []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 1003}
	for _, n := range lengths {
		w, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64())
			switch i % 5 {
			case 0:
				g[i] = 0
			case 1:
				g[i] = float32(rng.NormFloat64() * 1e-20)
			case 2:
				g[i] = float32(rng.NormFloat64() * 1e15)
			default:
				g[i] = float32(rng.NormFloat64())
			}
		}
		type state struct{ w, m, v []float32 }
		results := map[bool]state{}
		for _, portable := range []bool{true, false} {
			setPortable(portable)
			ww, mm, vv := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
			for step := 1; step <= 3; step++ {
				alpha := float32(0.001 * math.Sqrt(1-math.Pow(0.999, float64(step))) / (1 - math.Pow(0.9, float64(step))))
				adam32(ww, g, mm, vv, 0.1, 0.001, alpha, 1e-7)
			}
			results[portable] = state{ww, mm, vv}
		}
		p, a := results[true], results[false]
		for i := 0; i < n; i++ {
			if math.Float32bits(p.w[i]) != math.Float32bits(a.w[i]) || math.Float32bits(p.m[i]) != math.Float32bits(a.m[i]) ||
				math.Float32bits(p.v[i]) != math.Float32bits(a.v[i]) {
				t.Fatalf("n=%d, i=%d: portable w,m,v = %v,%v,%v; assembly %v,%v,%v", n, i, p.w[i], p.m[i], p.v[i], a.w[i], a.m[i], a.v[i])
			}
		}
	}
}
