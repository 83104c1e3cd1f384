//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

// useAsm reports whether the CPU and OS support the assembly kernels.
var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

func init() {
	switch {
	case hasAVX512:
		sImpl, dImpl = avx512Impls()
	case hasAVX2:
		sImpl, dImpl = avx2Impls()
	}
}

func avx512Impls() (*impl[float32], *impl[float64]) {
	s := &impl[float32]{name: "avx512", mr: sgemmKernelAVX512MR, nr: sgemmKernelAVX512NR, kc: 256, mc: 240, nc: 2048,
		kern: func(kc int, a []float32, ai, ap int, b []float32, bp int, c []float32, ldc int, alpha, beta float32) {
			sgemmKernelAVX512(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta)
		}}
	d := &impl[float64]{name: "avx512", mr: dgemmKernelAVX512MR, nr: dgemmKernelAVX512NR, kc: 256, mc: 120, nc: 1024,
		kern: func(kc int, a []float64, ai, ap int, b []float64, bp int, c []float64, ldc int, alpha, beta float64) {
			dgemmKernelAVX512(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta)
		}}
	return s, d
}

func avx2Impls() (*impl[float32], *impl[float64]) {
	s := &impl[float32]{name: "avx2", mr: sgemmKernelAVX2MR, nr: sgemmKernelAVX2NR, kc: 256, mc: 120, nc: 2048,
		kern: func(kc int, a []float32, ai, ap int, b []float32, bp int, c []float32, ldc int, alpha, beta float32) {
			sgemmKernelAVX2(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta)
		}}
	d := &impl[float64]{name: "avx2", mr: dgemmKernelAVX2MR, nr: dgemmKernelAVX2NR, kc: 256, mc: 120, nc: 1024,
		kern: func(kc int, a []float64, ai, ap int, b []float64, bp int, c []float64, ldc int, alpha, beta float64) {
			dgemmKernelAVX2(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta)
		}}
	return s, d
}

// impls lists every implementation this CPU can run, generic first, for
// tests and benchmarks.
func impls() ([]*impl[float32], []*impl[float64]) {
	s, d := []*impl[float32]{genericImpl[float32]()}, []*impl[float64]{genericImpl[float64]()}
	if hasAVX2 {
		s1, d1 := avx2Impls()
		s, d = append(s, s1), append(d, d1)
	}
	if hasAVX512 {
		s1, d1 := avx512Impls()
		s, d = append(s, s1), append(d, d1)
	}
	return s, d
}
