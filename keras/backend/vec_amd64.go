//go:build amd64 && !purego

package backend

import "golang.org/x/sys/cpu"

// vecAVX selects the AVX kernels of the element-wise float32 ops (relu,
// its gradient, bias addition, column sums); tests turn it off to check
// them against the portable loops.
var vecAVX = cpu.X86.HasAVX

//go:noescape
func reluAVX(dst, x *float32, n int)

//go:noescape
func reluGradAVX(dst, y, gp *float32, n int)

//go:noescape
func biasRowsAVX(dst, x, b *float32, rows, cols, head int, relu bool)

//go:noescape
func colSumAVX(dst, x *float32, rows, cols, head int)

// vecHead returns how many leading elements of n the AVX kernels take.
func vecHead(n int) int {
	if !vecAVX {
		return 0
	}
	return n &^ 7
}

func relu32(dst, x []float32) {
	dst = dst[:len(x)]
	head := vecHead(len(x))
	if head > 0 {
		reluAVX(&dst[0], &x[0], head)
	}
	relu(dst[head:], x[head:])
}

func reluGrad32(dst, y, g []float32) {
	dst, g = dst[:len(y)], g[:len(y)]
	head := vecHead(len(y))
	if head > 0 {
		reluGradAVX(&dst[0], &y[0], &g[0], head)
	}
	reluGrad(dst[head:], y[head:], g[head:])
}

// biasRows32 writes x + b (then relu when asked) row by row; x and dst
// are (rows, len(b)).
func biasRows32(dst, x, b []float32, relu bool) {
	cols := len(b)
	if cols == 0 {
		return
	}
	rows := len(x) / cols
	dst, x = dst[:rows*cols], x[:rows*cols]
	head := vecHead(cols)
	if head > 0 && rows > 0 {
		biasRowsAVX(&dst[0], &x[0], &b[0], rows, cols, head, relu)
	}
	if head < cols {
		for r := 0; r < rows; r++ {
			addRow(dst[r*cols+head:(r+1)*cols], x[r*cols+head:(r+1)*cols], b[head:], relu)
		}
	}
}

// colSums32 writes the sums of columns lo..hi-1 of x (rows, cols) into
// dst[lo:hi].
func colSums32(dst, x []float32, rows, cols, lo, hi int) {
	head := vecHead(hi - lo)
	if rows == 0 {
		head = 0
	}
	if head > 0 {
		colSumAVX(&dst[lo], &x[lo], rows, cols, head)
	}
	if lo+head < hi {
		colSums(dst, x, rows, cols, lo+head, hi)
	}
}
