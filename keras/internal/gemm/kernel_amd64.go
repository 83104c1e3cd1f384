//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go

// Whether the CPU and the OS (saved vector state) support each family of
// assembly kernels; x/sys/cpu checks both. The AVX-512 kernels use only
// AVX-512F instructions; the AVX2 ones need FMA as well.
var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// init picks the widest kernels this CPU runs; otherwise the portable
// ones set in gemm.go stay.
func init() {
	switch {
	case hasAVX512:
		sImpl, dImpl = avx512Impls()
	case hasAVX2:
		sImpl, dImpl = avx2Impls()
	}
}

// Block sizes: kc = 512 lets k up to 512 (the CNN's 288) be done in one
// pass, so C is loaded and stored once: 73728×64×288 runs 25% faster than
// with kc = 256, and no measured shape is slower (docs/performance.md).
// The packed B block (kc×nc) is 2 MB, for L3; an mc×kc block of A is
// 480 kB (float32), for L2.
func avx512Impls() (*impl[float32], *impl[float64]) {
	s := &impl[float32]{name: "avx512", mr: sgemmKernelAVX512MR, nr: sgemmKernelAVX512NR, kc: 512, mc: 240, nc: 1024,
		kern: wrap(sgemmKernelAVX512), edge: wrapAll(sgemmKernelAVX512Edge[:]), masked: wrapMasked(sgemmKernelAVX512Masked[:]), parFlops: asmParallelFlops}
	d := &impl[float64]{name: "avx512", mr: dgemmKernelAVX512MR, nr: dgemmKernelAVX512NR, kc: 512, mc: 120, nc: 512,
		kern: wrap(dgemmKernelAVX512), edge: wrapAll(dgemmKernelAVX512Edge[:]), masked: wrapMasked(dgemmKernelAVX512Masked[:]), parFlops: asmParallelFlops}
	return s, d
}

func avx2Impls() (*impl[float32], *impl[float64]) {
	s := &impl[float32]{name: "avx2", mr: sgemmKernelAVX2MR, nr: sgemmKernelAVX2NR, kc: 512, mc: 120, nc: 1024,
		kern: wrap(sgemmKernelAVX2), edge: wrapAll(sgemmKernelAVX2Edge[:]), parFlops: asmParallelFlops}
	d := &impl[float64]{name: "avx2", mr: dgemmKernelAVX2MR, nr: dgemmKernelAVX2NR, kc: 512, mc: 120, nc: 512,
		kern: wrap(dgemmKernelAVX2), edge: wrapAll(dgemmKernelAVX2Edge[:]), parFlops: asmParallelFlops}
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

// asmKernel is the signature of the generated kernels.
type asmKernel[T float] func(kc int, a *T, ai, ap int, b *T, bp int, c *T, ldc int, alpha, beta T)

// wrap adapts an assembly kernel to kernelFunc. The driver only passes
// slices whose first element starts the tile, so &x[0] is in bounds.
func wrap[T float](f asmKernel[T]) kernelFunc[T] {
	return func(kc int, a []T, ai, ap int, b []T, bp int, c []T, ldc int, alpha, beta T) {
		f(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta)
	}
}

// wrapAll wraps every kernel of fs, keeping nil entries nil.
func wrapAll[T float](fs []func(kc int, a *T, ai, ap int, b *T, bp int, c *T, ldc int, alpha, beta T)) []kernelFunc[T] {
	out := make([]kernelFunc[T], len(fs))
	for i, f := range fs {
		if f != nil {
			out[i] = wrap(asmKernel[T](f))
		}
	}
	return out
}

// wrapMasked adapts the column-masked assembly kernels, keeping nil
// entries nil. B's slice may end inside the tile's row: the kernels never
// touch masked-out lanes, so &b[0] is the only element that must exist.
func wrapMasked[T float](fs []func(kc int, a *T, ai, ap int, b *T, bp int, c *T, ldc int, alpha, beta T, mask uint64)) []maskedFunc[T] {
	out := make([]maskedFunc[T], len(fs))
	for i, f := range fs {
		if f != nil {
			out[i] = func(kc int, a []T, ai, ap int, b []T, bp int, c []T, ldc int, alpha, beta T, mask uint64) {
				f(kc, &a[0], ai, ap, &b[0], bp, &c[0], ldc, alpha, beta, mask)
			}
		}
	}
	return out
}
