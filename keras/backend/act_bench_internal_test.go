package backend

import "testing"

// BenchmarkActKernels: float32 sigmoid and tanh per element, portable Go
// against the AVX2 and AVX-512 kernels (a kernel the CPU lacks runs the
// portable code).
func BenchmarkActKernels(b *testing.B) {
	src := make([]float32, 4096)
	for i := range src {
		src[i] = float32(i%400-200) * 0.02
	}
	v := make([]float32, len(src))
	defer func() { useAVX2Act, useAVX512Act = detectedAVX2Act, detectedAVX512Act }()
	for _, l := range []struct {
		name         string
		avx2, avx512 bool
	}{{"portable", false, false}, {"avx2", detectedAVX2Act, false}, {"avx512", false, detectedAVX512Act}} {
		for _, k := range []struct {
			name string
			f    func([]float32)
		}{{"tanh", tanhSlice32}, {"sigmoid", sigmoidSlice32}} {
			b.Run(l.name+"/"+k.name, func(b *testing.B) {
				useAVX2Act, useAVX512Act = l.avx2, l.avx512
				for i := 0; i < b.N; i++ {
					copy(v, src)
					k.f(v)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(v)), "ns/elem")
			})
		}
	}
}
