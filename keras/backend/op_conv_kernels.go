package backend

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/gokeras/gokeras/keras/internal/gemm"
)

// Tuning of the convolution drivers (measured on the project's 2-core
// machine, see op_conv_bench_test.go). Variables so that tests can force
// many small blocks and the parallel path on small shapes.
var (
	// convChunkBytes is the size of one block of the patch (im2col)
	// matrix: a block is written and then multiplied while it is still in
	// the core's L2 cache, so the patch matrix never goes to memory.
	convChunkBytes = 192 << 10
	// convParallelWork is the smallest convolution (multiply-adds) split
	// across goroutines; below it the hand-off costs more than it saves.
	convParallelWork = 1 << 20
	// maxConvWorkers caps the goroutines of one op: only two cores were
	// available to measure on (as in package gemm).
	maxConvWorkers = 2
)

// gemmT computes C = op(A)·op(B) + beta·C for row-major matrices (alpha 1),
// with the GEMM MatMul uses: package gemm, or the BLAS registered with
// gonum's blas32.Use / blas64.Use.
func gemmT[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		b, c := any(b).([]float32), any(c).([]float32)
		if impl := blas32.Implementation(); !ownGEMM(impl) {
			impl.Sgemm(blasTrans(tA), blasTrans(tB), m, n, k, 1, a, lda, b, ldb, float32(beta), c, ldc)
			return
		}
		gemm.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, float32(beta), c, ldc)
	case []float64:
		b, c := any(b).([]float64), any(c).([]float64)
		if impl := blas64.Implementation(); !ownGEMM(impl) {
			impl.Dgemm(blasTrans(tA), blasTrans(tB), m, n, k, 1, a, lda, b, ldb, float64(beta), c, ldc)
			return
		}
		gemm.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, float64(beta), c, ldc)
	}
}

func blasTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// ownGEMMFor reports whether gemmT[T] runs package gemm (which the
// drivers may call from several goroutines at once) rather than a
// registered BLAS (which does its own threading).
func ownGEMMFor[T Float]() bool {
	var z T
	if _, ok := any(z).(float32); ok {
		return ownGEMM(blas32.Implementation())
	}
	return ownGEMM(blas64.Implementation())
}

// workersFor returns how many goroutines should share work of the given
// size (multiply-adds) split into at most units independent parts.
func workersFor(work float64, units int) int {
	if work < float64(convParallelWork) {
		return 1
	}
	return max(1, min(maxConvWorkers, runtime.GOMAXPROCS(0), units))
}

// parallel runs f(0..w-1), f(w-1) on the calling goroutine. A panic in
// another worker is raised again on the calling goroutine once all have
// finished, where the caller's recover (the engine's run loop) sees it,
// instead of killing the process.
func parallel(w int, f func(q int)) {
	if w <= 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed any
	work := func(q int) {
		defer func() {
			if r := recover(); r != nil {
				mu.Lock()
				failed = r
				mu.Unlock()
			}
		}()
		f(q)
	}
	wg.Add(w - 1)
	for q := 0; q < w-1; q++ {
		go func() {
			defer wg.Done()
			work(q)
		}()
	}
	// The caller's share too: every worker has stopped before a panic
	// leaves, so none writes into the op's buffers afterwards.
	work(w - 1)
	wg.Wait()
	if failed != nil {
		panic(failed)
	}
}

// span returns the q-th of w near-equal parts of [0, n).
func span(n, w, q int) (int, int) { return n * q / w, n * (q + 1) / w }

// convBufs holds an op's scratch for one dtype: per worker a block of the
// patch matrix and a partial kernel gradient. Allocated on the first run,
// reused by every later one.
type convBufs[T Float] struct {
	col [][]T
	acc [][]T
	kt  [][]T
}

func grown[T Float](bufs *[][]T, q, n int) []T {
	for len(*bufs) <= q {
		*bufs = append(*bufs, nil)
	}
	if cap((*bufs)[q]) < n {
		(*bufs)[q] = make([]T, n)
	}
	return (*bufs)[q][:n]
}

// convScratch is convBufs for both dtypes.
type convScratch struct {
	f32 convBufs[float32]
	f64 convBufs[float64]
}

func bufsFor[T Float](s *convScratch) *convBufs[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&s.f32).(*convBufs[T])
	}
	return any(&s.f64).(*convBufs[T])
}

// chunkRows is the number of patch rows in one block.
func chunkRows[T Float](g *convGeom) int {
	var z T
	size := 4
	if _, ok := any(z).(float64); ok {
		size = 8
	}
	return max(1, min(g.rows(), convChunkBytes/(g.kcols()*size)))
}

// im2col writes rows r0..r1-1 of x's patch matrix into col: row r is
// output cell (n, oh, ow) in row-major order and holds, group by group,
// the kernel taps (i, j) in order with the group's channels of x at
// (n, oh*sh + i*dh - pt, ow*sw + j*dw - pl), zero where that is padding.
// With one group a row is (i, j, c) in order, the kernel's own layout, and
// in NHWC each tap is a contiguous run of c values (with dilation 1 a
// whole kernel row is one run of kw*c values).
func im2col[T Float](g *convGeom, x, col []T, r0, r1 int) {
	kc, cg, kg := g.kcols(), g.cg(), g.kg()
	rowStride := g.w * g.c
	imgStride := g.h * rowStride
	n, rem := r0/(g.oh*g.ow), r0%(g.oh*g.ow)
	oh, ow := rem/g.ow, rem%g.ow
	runKW := g.kw * g.c
	for r := r0; r < r1; r++ {
		dst := col[(r-r0)*kc : (r-r0+1)*kc]
		xn := x[n*imgStride : (n+1)*imgStride]
		ih0, iw0 := oh*g.sh-g.pt, ow*g.sw-g.pl
		if g.groups == 1 {
			whole := g.dw == 1 && iw0 >= 0 && iw0+g.kw <= g.w
			for i := 0; i < g.kh; i++ {
				d := dst[i*runKW : (i+1)*runKW]
				ih := ih0 + i*g.dh
				if ih < 0 || ih >= g.h {
					clear(d)
					continue
				}
				xr := xn[ih*rowStride : (ih+1)*rowStride]
				if whole {
					copy(d, xr[iw0*g.c:])
					continue
				}
				for j := 0; j < g.kw; j++ {
					dj := d[j*g.c : (j+1)*g.c]
					if iw := iw0 + j*g.dw; iw < 0 || iw >= g.w {
						clear(dj)
					} else {
						copy(dj, xr[iw*g.c:])
					}
				}
			}
		} else {
			for gi := 0; gi < g.groups; gi++ {
				dg := dst[gi*kg : (gi+1)*kg]
				for i := 0; i < g.kh; i++ {
					ih := ih0 + i*g.dh
					for j := 0; j < g.kw; j++ {
						d := dg[(i*g.kw+j)*cg : (i*g.kw+j+1)*cg]
						iw := iw0 + j*g.dw
						if ih < 0 || ih >= g.h || iw < 0 || iw >= g.w {
							clear(d)
						} else {
							copy(d, xn[ih*rowStride+iw*g.c+gi*cg:])
						}
					}
				}
			}
		}
		if ow++; ow == g.ow {
			if ow, oh = 0, oh+1; oh == g.oh {
				oh, n = 0, n+1
			}
		}
	}
}

// col2im adds rows r0..r1-1 of a patch-matrix gradient into dx, the
// adjoint of im2col (padding cells are dropped).
func col2im[T Float](g *convGeom, col, dx []T, r0, r1 int) {
	kc, cg, kg := g.kcols(), g.cg(), g.kg()
	rowStride := g.w * g.c
	imgStride := g.h * rowStride
	n, rem := r0/(g.oh*g.ow), r0%(g.oh*g.ow)
	oh, ow := rem/g.ow, rem%g.ow
	runKW := g.kw * g.c
	for r := r0; r < r1; r++ {
		src := col[(r-r0)*kc : (r-r0+1)*kc]
		xn := dx[n*imgStride : (n+1)*imgStride]
		ih0, iw0 := oh*g.sh-g.pt, ow*g.sw-g.pl
		if g.groups == 1 {
			whole := g.dw == 1 && iw0 >= 0 && iw0+g.kw <= g.w
			for i := 0; i < g.kh; i++ {
				ih := ih0 + i*g.dh
				if ih < 0 || ih >= g.h {
					continue
				}
				s := src[i*runKW : (i+1)*runKW]
				xr := xn[ih*rowStride : (ih+1)*rowStride]
				if whole {
					addTo(xr[iw0*g.c:iw0*g.c+runKW], s)
					continue
				}
				for j := 0; j < g.kw; j++ {
					if iw := iw0 + j*g.dw; iw >= 0 && iw < g.w {
						addTo(xr[iw*g.c:(iw+1)*g.c], s[j*g.c:(j+1)*g.c])
					}
				}
			}
		} else {
			for gi := 0; gi < g.groups; gi++ {
				sg := src[gi*kg : (gi+1)*kg]
				for i := 0; i < g.kh; i++ {
					ih := ih0 + i*g.dh
					if ih < 0 || ih >= g.h {
						continue
					}
					for j := 0; j < g.kw; j++ {
						if iw := iw0 + j*g.dw; iw >= 0 && iw < g.w {
							o := ih*rowStride + iw*g.c + gi*cg
							addTo(xn[o:o+cg], sg[(i*g.kw+j)*cg:(i*g.kw+j+1)*cg])
						}
					}
				}
			}
		}
		if ow++; ow == g.ow {
			if ow, oh = 0, oh+1; oh == g.oh {
				oh, n = 0, n+1
			}
		}
	}
}

// addTo adds src into dst, eight at a time (about 1.5 times faster than
// the plain loop, which the compiler does not vectorise).
func addTo[T Float](dst, src []T) {
	n := len(src)
	dst = dst[:n]
	i := 0
	for ; i+8 <= n; i += 8 {
		d, s := dst[i:i+8:i+8], src[i:i+8:i+8]
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
		d[4] += s[4]
		d[5] += s[5]
		d[6] += s[6]
		d[7] += s[7]
	}
	for ; i < n; i++ {
		dst[i] += src[i]
	}
}

// epilogue is what a convolution does to its output rows after the
// product: add a bias (nil: none) per row, then max(., 0) when relu is
// set. Applied block by block while the rows are in cache.
type epilogue[T Float] struct {
	bias []T
	relu bool
}

func (e epilogue[T]) none() bool { return e.bias == nil && !e.relu }

// apply finishes whole rows of len(e.bias) (or any length without bias).
func (e epilogue[T]) apply(y []T) {
	if e.bias != nil {
		addRows(y, y, e.bias)
	}
	if e.relu {
		for i, v := range y {
			y[i] = max(v, 0)
		}
	}
}

// applyAll finishes y, rows of width f, on w goroutines.
func (e epilogue[T]) applyAll(y []T, f, w int) {
	if e.none() {
		return
	}
	rows := len(y) / f
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		e.apply(y[r0*f : r1*f])
	})
}

// convForward computes y = conv(x, k), then the epilogue, for the
// geometry g: y (rows, f) row-major, x in NHWC, k as the (kh*kw*c/groups,
// f) matrix of Keras's kernel layout.
func convForward[T Float](g *convGeom, x, k []T, ep epilogue[T], y []T, s *convScratch) {
	if g.depthwise || (g.cg() == 1 && g.groups > 1) {
		depthwiseForward(g, x, k, ep, y)
		return
	}
	rows, f, cg, fg, kg := g.rows(), g.f, g.cg(), g.fg(), g.kg()
	if g.pointwise() {
		for gi := 0; gi < g.groups; gi++ {
			gemmT(false, false, rows, fg, cg, x[gi*cg:], g.c, k[gi*fg:], f, 0, y[gi*fg:], f)
		}
		ep.applyAll(y, f, workersFor(float64(len(y)), rows))
		return
	}
	b := bufsFor[T](s)
	cr := chunkRows[T](g)
	chunks := (rows + cr - 1) / cr
	w := 1
	if ownGEMMFor[T]() {
		w = workersFor(float64(rows)*float64(kg)*float64(f), chunks)
	}
	kc := g.kcols()
	for q := 0; q < w; q++ {
		grown(&b.col, q, cr*kc)
	}
	parallel(w, func(q int) {
		col := b.col[q]
		c0, c1 := span(chunks, w, q)
		for ch := c0; ch < c1; ch++ {
			r0, r1 := ch*cr, min(rows, (ch+1)*cr)
			im2col(g, x, col, r0, r1)
			for gi := 0; gi < g.groups; gi++ {
				gemmT(false, false, r1-r0, fg, kg, col[gi*kg:], kc, k[gi*fg:], f, 0, y[r0*f+gi*fg:], f)
			}
			ep.apply(y[r0*f : r1*f])
		}
	})
}

// channelSums sets out (f) to the sums of the rows of a (rows, f), in
// float64 partial sums per worker (acc), the gradient of a bias.
func channelSums[T Float](a, out []T, acc *[][]float64) {
	f := len(out)
	rows := len(a) / f
	w := workersFor(float64(len(a)), rows)
	for len(*acc) < w {
		*acc = append(*acc, make([]float64, f))
	}
	parallel(w, func(q int) {
		s := (*acc)[q][:f]
		clear(s)
		r0, r1 := span(rows, w, q)
		for r := r0; r < r1; r++ {
			for j, v := range a[r*f : (r+1)*f] {
				s[j] += float64(v)
			}
		}
	})
	for j := range out {
		t := 0.0
		for q := 0; q < w; q++ {
			t += (*acc)[q][j]
		}
		out[j] = T(t)
	}
}

// convInputGrad computes dx = convᵀ(dy, k), the gradient of conv(x, k)
// with respect to x, and then the epilogue (the transposed convolution of
// dy with its bias (c) and activation, applied per image once its scatter
// is complete).
func convInputGrad[T Float](g *convGeom, dy, k []T, ep epilogue[T], dx []T, s *convScratch) {
	if g.depthwise || (g.cg() == 1 && g.groups > 1) {
		depthwiseInputGrad(g, dy, k, dx)
		ep.applyAll(dx, g.c, workersFor(float64(len(dx)), g.n*g.h*g.w))
		return
	}
	rows, f, cg, fg, kg := g.rows(), g.f, g.cg(), g.fg(), g.kg()
	if g.pointwise() {
		for gi := 0; gi < g.groups; gi++ {
			gemmT(false, true, rows, cg, fg, dy[gi*fg:], f, k[gi*fg:], f, 0, dx[gi*cg:], g.c)
		}
		ep.applyAll(dx, g.c, workersFor(float64(len(dx)), g.n*g.h*g.w))
		return
	}
	b := bufsFor[T](s)
	cr := chunkRows[T](g)
	ohw, img := g.oh*g.ow, g.h*g.w*g.c
	w := 1
	if ownGEMMFor[T]() {
		w = workersFor(float64(rows)*float64(kg)*float64(f), g.n)
	}
	kc := g.kcols()
	for q := 0; q < w; q++ {
		grown(&b.col, q, cr*kc)
	}
	// kt holds the kernel transposed group by group, (fg, kg) per group,
	// so that every block is a plain product with B read in place instead
	// of a transposed B packed again for every block.
	kt := grown(&b.kt, 0, f*kg)
	for l := 0; l < kg; l++ {
		kr := k[l*f : (l+1)*f]
		for o, v := range kr {
			kt[o*kg+l] = v
		}
	}
	parallel(w, func(q int) {
		col := b.col[q]
		n0, n1 := span(g.n, w, q)
		clear(dx[n0*img : n1*img])
		for r0 := n0 * ohw; r0 < n1*ohw; r0 += cr {
			r1 := min(n1*ohw, r0+cr)
			for gi := 0; gi < g.groups; gi++ {
				gemmT(false, false, r1-r0, kg, fg, dy[r0*f+gi*fg:], f, kt[gi*fg*kg:], kg, 0, col[gi*kg:], kc)
			}
			col2im(g, col, dx, r0, r1)
		}
		ep.apply(dx[n0*img : n1*img])
	})
}

// convKernelGrad computes dk = Σ patchesᵀ·dy, the gradient of conv(x, k)
// with respect to k, accumulated block by block (and, with two workers,
// into two partial sums added at the end).
func convKernelGrad[T Float](g *convGeom, x, dy, dk []T, s *convScratch) {
	if g.depthwise || (g.cg() == 1 && g.groups > 1) {
		depthwiseKernelGrad(g, x, dy, dk, s)
		return
	}
	rows, f, cg, fg, kg := g.rows(), g.f, g.cg(), g.fg(), g.kg()
	if g.pointwise() {
		for gi := 0; gi < g.groups; gi++ {
			gemmT(true, false, cg, fg, rows, x[gi*cg:], g.c, dy[gi*fg:], f, 0, dk[gi*fg:], f)
		}
		return
	}
	b := bufsFor[T](s)
	cr := chunkRows[T](g)
	chunks := (rows + cr - 1) / cr
	w := 1
	if ownGEMMFor[T]() {
		w = workersFor(float64(rows)*float64(kg)*float64(f), chunks)
	}
	kc := g.kcols()
	for q := 0; q < w; q++ {
		grown(&b.col, q, cr*kc)
		grown(&b.acc, q, len(dk))
	}
	// Each worker accumulates its own partial sum. When the patch rows are
	// wider than the filters (kg > fg) it accumulates the transposed
	// gradient, (fg, kg) per group, as dyᵀ·patches: both blocks are read
	// in place and C is wide; patchesᵀ·dy would pack dy again for every
	// block (conv2 of W2: 7% faster). Narrow patches (conv1: kg = 9, fg =
	// 32) keep the kernel's orientation, whose C is one full tile wide.
	trans := kg > fg
	parallel(w, func(q int) {
		col, acc := b.col[q], b.acc[q]
		c0, c1 := span(chunks, w, q)
		if c0 == c1 {
			clear(acc)
		}
		for ch := c0; ch < c1; ch++ {
			r0, r1 := ch*cr, min(rows, (ch+1)*cr)
			im2col(g, x, col, r0, r1)
			beta := T(1)
			if ch == c0 {
				beta = 0
			}
			for gi := 0; gi < g.groups; gi++ {
				if trans {
					gemmT(true, false, fg, kg, r1-r0, dy[r0*f+gi*fg:], f, col[gi*kg:], kc, beta, acc[gi*fg*kg:], kg)
				} else {
					gemmT(true, false, kg, fg, r1-r0, col[gi*kg:], kc, dy[r0*f+gi*fg:], f, beta, acc[gi*fg:], f)
				}
			}
		}
	})
	if !trans {
		copy(dk, b.acc[0])
		for q := 1; q < w; q++ {
			addTo(dk, b.acc[q])
		}
		return
	}
	for l := 0; l < kg; l++ {
		dr := dk[l*f : (l+1)*f]
		for o := range dr {
			v := b.acc[0][o*kg+l]
			for q := 1; q < w; q++ {
				v += b.acc[q][o*kg+l]
			}
			dr[o] = v
		}
	}
}

// The depthwise kernels: one group per input channel (kernel (kh, kw, c,
// m), output channel ci*m + mi), computed directly; a GEMM per channel
// would be a product of a few columns.

func depthwiseForward[T Float](g *convGeom, x, k []T, ep epilogue[T], y []T) {
	rows, f := g.rows(), g.f
	w := workersFor(float64(rows)*float64(g.kh*g.kw)*float64(f), rows)
	parallel(w, func(q int) {
		r0, r1 := span(rows, w, q)
		depthwiseRows(g, x, k, y, r0, r1, 0)
		ep.apply(y[r0*f : r1*f])
	})
}

// reluMask sets dx = dy where y > 0 and 0 elsewhere (the gradient through
// a relu whose output is y; 0 at 0, as in TensorFlow), without branches:
// on random signs a branch is mispredicted half the time.
func reluMask[T Float](y, dy, dx []T) {
	w := workersFor(float64(len(y)), len(y))
	parallel(w, func(q int) {
		i0, i1 := span(len(y), w, q)
		ys, gs, out := y[i0:i1], dy[i0:i1], dx[i0:i1]
		for i, v := range ys {
			var pos int32
			if v > 0 {
				pos = 1
			}
			out[i] = gs[i] * T(pos)
		}
	})
}

func depthwiseInputGrad[T Float](g *convGeom, dy, k, dx []T) {
	img := g.h * g.w * g.c
	w := workersFor(float64(g.rows())*float64(g.kh*g.kw)*float64(g.f), g.n)
	parallel(w, func(q int) {
		n0, n1 := span(g.n, w, q)
		clear(dx[n0*img : n1*img])
		depthwiseRows(g, dx, k, dy, n0*g.oh*g.ow, n1*g.oh*g.ow, 1)
	})
}

func depthwiseKernelGrad[T Float](g *convGeom, x, dy, dk []T, s *convScratch) {
	rows := g.rows()
	b := bufsFor[T](s)
	w := workersFor(float64(rows)*float64(g.kh*g.kw)*float64(g.f), rows)
	for q := 1; q < w; q++ {
		grown(&b.acc, q, len(dk))
	}
	parallel(w, func(q int) {
		acc := dk
		if q > 0 {
			acc = b.acc[q]
		}
		clear(acc)
		r0, r1 := span(rows, w, q)
		depthwiseRows(g, x, acc, dy, r0, r1, 2)
	})
	for q := 1; q < w; q++ {
		addTo(dk, b.acc[q])
	}
}

// depthwiseRows walks output cells r0..r1-1 and, per kernel tap that
// falls inside the image, does one of three things with the input row
// xr (c values), the kernel tap kt (c*m values) and the output row yr
// (c*m values): mode 0 yr += xr ⊗ kt; mode 1 (input gradient, x holds
// dx) xr += Σm yr*kt; mode 2 (kernel gradient, k holds dk) kt += xr ⊗ yr.
// y must be cleared by the caller in mode 0 only for rows it owns; the
// function clears it itself.
func depthwiseRows[T Float](g *convGeom, x, k, y []T, r0, r1, mode int) {
	c, f := g.c, g.f
	m := f / c
	rowStride := g.w * c
	imgStride := g.h * rowStride
	n, rem := r0/(g.oh*g.ow), r0%(g.oh*g.ow)
	oh, ow := rem/g.ow, rem%g.ow
	for r := r0; r < r1; r++ {
		yr := y[r*f : (r+1)*f]
		if mode == 0 {
			clear(yr)
		}
		ih0, iw0 := oh*g.sh-g.pt, ow*g.sw-g.pl
		for i := 0; i < g.kh; i++ {
			ih := ih0 + i*g.dh
			if ih < 0 || ih >= g.h {
				continue
			}
			for j := 0; j < g.kw; j++ {
				iw := iw0 + j*g.dw
				if iw < 0 || iw >= g.w {
					continue
				}
				o := n*imgStride + ih*rowStride + iw*c
				xr := x[o : o+c]
				kt := k[(i*g.kw+j)*f : (i*g.kw+j+1)*f]
				switch {
				case m == 1 && mode == 0:
					for ci, xv := range xr {
						yr[ci] += xv * kt[ci]
					}
				case m == 1 && mode == 1:
					for ci := range xr {
						xr[ci] += yr[ci] * kt[ci]
					}
				case m == 1:
					for ci, xv := range xr {
						kt[ci] += xv * yr[ci]
					}
				case mode == 0:
					for ci, xv := range xr {
						kk, yy := kt[ci*m:(ci+1)*m], yr[ci*m:(ci+1)*m]
						for mi, kv := range kk {
							yy[mi] += xv * kv
						}
					}
				case mode == 1:
					for ci := range xr {
						kk, yy := kt[ci*m:(ci+1)*m], yr[ci*m:(ci+1)*m]
						var sum T
						for mi, kv := range kk {
							sum += yy[mi] * kv
						}
						xr[ci] += sum
					}
				default:
					for ci, xv := range xr {
						kk, yy := kt[ci*m:(ci+1)*m], yr[ci*m:(ci+1)*m]
						for mi, yv := range yy {
							kk[mi] += xv * yv
						}
					}
				}
			}
		}
		if ow++; ow == g.ow {
			if ow, oh = 0, oh+1; oh == g.oh {
				oh, n = 0, n+1
			}
		}
	}
}
