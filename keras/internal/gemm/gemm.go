package gemm

import (
	"fmt"
	"sync"
)

// float is the element type of a product.
type float interface{ ~float32 | ~float64 }

// kernelFunc computes one MR×NR tile of C:
//
//	C[i*ldc+j] = alpha * Σ_p a[i*ai+p*ap] * b[p*bp+j] + beta * C[i*ldc+j]
//
// for i < MR, j < NR and p < kc. beta == 0 means C is written without
// being read. The slices start at the tile's first element; the caller
// guarantees every element addressed is inside them.
type kernelFunc[T float] func(kc int, a []T, ai, ap int, b []T, bp int, c []T, ldc int, alpha, beta T)

// maskedFunc is a kernelFunc limited to the columns j whose bit j is set
// in mask (the low bits, one per column of the tile); it neither reads
// nor writes the other columns of B and C.
type maskedFunc[T float] func(kc int, a []T, ai, ap int, b []T, bp int, c []T, ldc int, alpha, beta T, mask uint64)

// impl is one micro-kernel with the block sizes the driver uses around it.
type impl[T float] struct {
	name     string          // "avx512", "avx2" or "generic"
	mr, nr   int             // tile shape of kern
	kc       int             // depth of one pass over k (A and B panels fit L1/L2)
	mc       int             // rows of A swept per B panel (a multiple of mr)
	nc       int             // columns of B packed at once (a multiple of nr)
	kern     kernelFunc[T]   // the micro-kernel
	edge     []kernelFunc[T] // edge[r]: kern cut to r < mr rows; nil: pad instead
	masked   []maskedFunc[T] // masked[r]: r <= mr rows, columns by mask; nil: pad
	parFlops int             // smallest product split across goroutines
	pool     sync.Pool       // of *workspace[T] sized for this impl
	strips   sync.Pool       // of *strips[T], the state of a split product
}

// The implementations in use; kernel_amd64.go replaces the generic ones
// when the CPU has the instructions, and tests swap them to reach every path.
var (
	sImpl = genericImpl[float32]()
	dImpl = genericImpl[float64]()
)

// Kernel names the micro-kernel that Sgemm uses on this CPU: "avx512",
// "avx2" or "generic" (portable Go).
func Kernel() string { return sImpl.name }

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major float32
// matrices, where op(A) is m×k, op(B) is k×n and C is m×n; op transposes
// its argument when tA (tB) is true. lda, ldb and ldc are the row strides
// (leading dimensions) of the stored A, B and C, in elements. When beta is
// zero C is not read, so it may hold NaNs. Like a BLAS, Sgemm panics on
// inconsistent arguments; it is internal and its callers check shapes.
func Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gemm(sImpl, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64 matrices.
func Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemm(dImpl, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// check panics when a stored matrix of rows×cols with row stride ld
// does not fit its slice.
func check(name string, rows, cols, ld, length int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s = %d is less than %d columns", name, ld, cols))
	}
	if rows > 0 && cols > 0 && length < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: %s has %d elements, a %d×%d matrix with stride %d needs %d", name, length, rows, cols, ld, (rows-1)*ld+cols))
	}
}

func gemm[T float](p *impl[T], tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	check("a", ar, ac, lda, len(a))
	check("b", br, bc, ldb, len(b))
	check("c", m, n, ldc, len(c))
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	pr := problem[T]{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	if w := workers(p, m, n, k); w > 1 {
		parallel(p, &pr, w)
		return
	}
	ws := getWorkspace(p)
	pr.run(p, ws)
	p.pool.Put(ws)
}

// scale sets C = beta*C; beta == 0 clears C even where it holds NaNs.
func scale[T float](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// problem is one product, or one part of it when split across goroutines:
// C[0:m, 0:n] of the slices given.
type problem[T float] struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta T
	a, b, c     []T
	lda, ldb    int
	ldc         int
}

// workspace holds the packing buffers of one goroutine.
type workspace[T float] struct {
	a   []T // one A panel of mr×kc, for rows past the last whole panel
	b   []T // a kc×nc block of B in nr-wide panels, or its last panel alone
	tmp []T // one mr×nr tile, for tiles past the edges of C
}

// getWorkspace returns a pooled workspace. Its buffers grow to what a
// product needs (most MLP products need none), so a pool emptied by the
// garbage collector costs no large allocation on the next small product.
func getWorkspace[T float](p *impl[T]) *workspace[T] {
	if ws, ok := p.pool.Get().(*workspace[T]); ok {
		return ws
	}
	return &workspace[T]{}
}

// grow returns (*buf)[:n], reallocating *buf when it is too small.
func grow[T float](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// packBMinRows, when positive, overrides the rule for packing a B that
// could be read in place (tests and benchmarks set it).
var packBMinRows = 0

// run computes the product on one goroutine, blocked as in BLIS: columns
// of C in blocks of nc, the k dimension in passes of at most kc, rows in
// blocks of mc, then mr×nr tiles. A is read in place both ways, since the
// kernels take row and column strides. B is packed into nr-wide panels
// when transposed (its rows are not contiguous) or reused by several row
// blocks. The last rows of C use the edge kernels (or a zero-padded copy
// of A); the last columns use the masked kernels (or a zero-padded panel
// of B and the tile buffer).
func (pr *problem[T]) run(p *impl[T], ws *workspace[T]) {
	mr, nr := p.mr, p.nr
	// Strides of A(i, l) and B(l, j) in the stored slices.
	ai, ap := pr.lda, 1
	if pr.tA {
		ai, ap = 1, pr.lda
	}
	for jc := 0; jc < pr.n; jc += p.nc {
		nc := min(p.nc, pr.n-jc)
		// Passes over k of equal depth (at most p.kc): 784 = 4×196, not
		// 3×256+16, whose last pass would mostly load and store C.
		passes := (pr.k + p.kc - 1) / p.kc
		step := (pr.k + passes - 1) / passes
		for pc := 0; pc < pr.k; pc += step {
			kc := min(step, pr.k-pc)
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			// B read in place strides by ldb per step of k; when ldb is a
			// multiple of the page size its rows collide in the L1 cache.
			// Copy it into panels once several row blocks will reuse it:
			// 1024³ runs 1.6× faster packed, 32×128×784 1.5× faster in place.
			packedB := pr.tB || pr.m > p.mc
			if packBMinRows > 0 {
				packedB = pr.tB || pr.m >= packBMinRows
			}
			if packedB {
				packB(grow(&ws.b, kc*((nc+nr-1)/nr*nr)), pr.b, pr.ldb, pr.tB, pc, kc, jc, nc, nr)
			} else if nc%nr != 0 && p.masked == nil {
				// Only the last panel is partial: pack it alone.
				j0 := nc - nc%nr
				packB(grow(&ws.b, kc*nr), pr.b, pr.ldb, false, pc, kc, jc+j0, nc-j0, nr)
			}
			for ic := 0; ic < pr.m; ic += p.mc {
				mc := min(p.mc, pr.m-ic)
				for jr := 0; jr < nc; jr += nr {
					nrr := min(nr, nc-jr)
					var bsl []T
					bp := nr
					if packedB {
						bsl = ws.b[jr*kc:]
					} else if nrr < nr && p.masked == nil {
						bsl = ws.b // the last panel, packed alone
					} else {
						bsl = pr.b[pc*pr.ldb+jc+jr:]
						bp = pr.ldb
					}
					for ir := 0; ir < mc; ir += mr {
						mrr := min(mr, mc-ir)
						i := ic + ir
						kern, asl, ai, ap := p.kern, pr.a[i*ai+pc*ap:], ai, ap
						inPlace := nrr == nr // write straight into C
						if mrr < mr {
							if p.edge != nil {
								kern = p.edge[mrr]
							} else {
								inPlace = false
								if jr == 0 {
									packA(grow(&ws.a, mr*kc), pr.a, ai, ap, i, mrr, pc, kc, mr)
								}
								asl, ai, ap = ws.a, 1, mr
							}
						}
						ci := i*pr.ldc + jc + jr
						if nrr < nr && p.masked != nil && (mrr == mr || p.edge != nil) {
							p.masked[mrr](kc, asl, ai, ap, bsl, bp, pr.c[ci:], pr.ldc, pr.alpha, beta, 1<<nrr-1)
							continue
						}
						if inPlace {
							kern(kc, asl, ai, ap, bsl, bp, pr.c[ci:], pr.ldc, pr.alpha, beta)
							continue
						}
						tmp := grow(&ws.tmp, mr*nr)
						kern(kc, asl, ai, ap, bsl, bp, tmp, nr, pr.alpha, 0)
						merge(tmp, nr, pr.c[ci:], pr.ldc, mrr, nrr, beta)
					}
				}
			}
		}
	}
}

// packA copies rows i0..i0+rows-1, columns l0..l0+kc-1 of A (strides ai,
// ap) into dst as one mr-row panel: dst[l*mr+i], zero past rows.
func packA[T float](dst, a []T, ai, ap, i0, rows, l0, kc, mr int) {
	for l := 0; l < kc; l++ {
		d := dst[l*mr : l*mr+mr]
		for i := range d {
			if i < rows {
				d[i] = a[(i0+i)*ai+(l0+l)*ap]
			} else {
				d[i] = 0
			}
		}
	}
}

// packB copies rows l0..l0+kc-1, columns j0..j0+cols-1 of op(B) into dst
// as nr-wide panels, panel q at dst[q*kc*nr:], element (l, j) of a panel at
// l*nr+j, zero past the last column.
func packB[T float](dst, b []T, ldb int, trans bool, l0, kc, j0, cols, nr int) {
	for q := 0; q*nr < cols; q++ {
		w := min(nr, cols-q*nr)
		panel := dst[q*kc*nr : (q+1)*kc*nr]
		if !trans {
			if w == nr && packRows(panel, b[l0*ldb+j0+q*nr:], ldb, kc, nr) {
				continue
			}
			for l := 0; l < kc; l++ {
				src := b[(l0+l)*ldb+j0+q*nr:]
				d := panel[l*nr : l*nr+nr]
				copy(d, src[:w])
				clear(d[w:])
			}
			continue
		}
		// op(B)(l, j) = B[j*ldb+l]: read rows of the stored B.
		for j := 0; j < nr; j++ {
			if j >= w {
				for l := 0; l < kc; l++ {
					panel[l*nr+j] = 0
				}
				continue
			}
			src := b[(j0+q*nr+j)*ldb+l0:]
			src = src[:kc]
			for l, v := range src {
				panel[l*nr+j] = v
			}
		}
	}
}

// merge adds the top-left rows×cols of the tile t (row stride ldt) into C:
// C = t + beta*C, with C not read when beta is zero.
func merge[T float](t []T, ldt int, c []T, ldc, rows, cols int, beta T) {
	for i := 0; i < rows; i++ {
		src := t[i*ldt : i*ldt+cols]
		dst := c[i*ldc : i*ldc+cols]
		switch beta {
		case 0:
			copy(dst, src)
		case 1:
			for j, v := range src {
				dst[j] += v
			}
		default:
			for j, v := range src {
				dst[j] = v + beta*dst[j]
			}
		}
	}
}

// Accelerated reports whether Sgemm and Dgemm run an assembly kernel on
// this CPU. When false they run the portable Go kernel, which is no faster
// than gonum's BLAS (see docs/performance.md), so callers may prefer that.
func Accelerated() bool { return sImpl.name != "generic" }
