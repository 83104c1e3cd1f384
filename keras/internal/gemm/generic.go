package gemm

// genericImpl returns the portable micro-kernel with its block sizes.
func genericImpl[T float]() *impl[T] {
	return &impl[T]{name: "generic", mr: 4, nr: 4, kc: 256, mc: 128, nc: 1024, kern: kernelGeneric[T], parFlops: genericParallelFlops}
}

// kernelGeneric is the portable 4×4 micro-kernel: sixteen accumulators
// in registers, one rank-1 update per step of k.
func kernelGeneric[T float](kc int, a []T, ai, ap int, b []T, bp int, c []T, ldc int, alpha, beta T) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	ia, ib := 0, 0
	for l := 0; l < kc; l++ {
		bb := b[ib : ib+4 : ib+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		a0 := a[ia]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[ia+ai]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[ia+2*ai]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[ia+3*ai]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ia += ap
		ib += bp
	}
	store4(c[0*ldc:0*ldc+4], c00, c01, c02, c03, alpha, beta)
	store4(c[1*ldc:1*ldc+4], c10, c11, c12, c13, alpha, beta)
	store4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	store4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

// store4 writes alpha*(x0..x3) + beta*row into row, not reading row when
// beta is zero.
func store4[T float](row []T, x0, x1, x2, x3, alpha, beta T) {
	row = row[:4]
	if beta == 0 {
		row[0], row[1], row[2], row[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
		return
	}
	row[0] = alpha*x0 + beta*row[0]
	row[1] = alpha*x1 + beta*row[1]
	row[2] = alpha*x2 + beta*row[2]
	row[3] = alpha*x3 + beta*row[3]
}
