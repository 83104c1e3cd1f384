package backend

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// sameBits reports whether a and b hold the same bits, any NaN matching
// any NaN: which NaN an addition of two NaNs (or of two infinities) gives
// depends on operand order, which Go's compiler may swap for a
// commutative operation. (A float32 widens to float64 exactly, so
// comparing the widened bits compares the float32 bits.)
func sameBits[T Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		if math.Float64bits(x) != math.Float64bits(y) && !(x != x && y != y) {
			return false
		}
	}
	return true
}

// expTestLogits returns rows×cols logits: ordinary ones, some rows of
// large magnitude (whose exponentials underflow to zero, a special path
// of math.Exp), ties and a few float32-range extremes.
func expTestLogits[T Float](rng *rand.Rand, rows, cols int) []T {
	z := make([]T, rows*cols)
	for r := 0; r < rows; r++ {
		scale := 3.0
		switch r % 5 {
		case 1:
			scale = 400 // exp of differences below -708 underflows
		case 2:
			scale = 1e30
		}
		for j := 0; j < cols; j++ {
			z[r*cols+j] = T(rng.NormFloat64() * scale)
			if r%7 == 3 && j%2 == 1 {
				z[r*cols+j] = z[r*cols+j-1] // a tie
			}
		}
	}
	return z
}

// expTestTargets returns one-hot rows, soft-label rows and all-zero rows.
func expTestTargets[T Float](rng *rand.Rand, rows, cols int) []T {
	t := make([]T, rows*cols)
	for r := 0; r < rows; r++ {
		switch r % 3 {
		case 0:
			t[r*cols+rng.Intn(cols)] = 1
		case 1:
			for j := 0; j < cols; j++ {
				t[r*cols+j] = T(rng.Float64())
			}
		}
	}
	return t
}

// TestExpBlocksAreExact: the softmax, the softmax cross-entropy and its
// gradient computed with vmath.Exp over blocks of rows give the bits of
// the loops that call math.Exp once per element, in both dtypes, for row
// lengths around the block size and row counts around rows per block.
func TestExpBlocksAreExact(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testExpBlocks[float32](t) })
	t.Run("float64", func(t *testing.T) { testExpBlocks[float64](t) })
}

func testExpBlocks[T Float](t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, cols := range []int{1, 2, 3, 10, 31, 100, 255, 256, 511, 512, 513} {
		for _, rows := range []int{1, 2, 7, 52, 53, 300} {
			name := fmt.Sprintf("%dx%d", rows, cols)
			z, tg := expTestLogits[T](rng, rows, cols), expTestTargets[T](rng, rows, cols)
			g := make([]T, rows)
			for i := range g {
				g[i] = T(rng.NormFloat64())
			}
			for _, log := range []bool{false, true} {
				got, want := make([]T, len(z)), make([]T, len(z))
				softmaxRows(got, z, rows, cols, log)
				softmaxRowsScalar(want, z, rows, cols, log)
				if !sameBits(got, want) {
					t.Fatalf("%s: softmax (log=%v) differs from the scalar loop", name, log)
				}
			}
			got, want := make([]T, rows), make([]T, rows)
			var lse []float64 // the log-sum-exps the loss keeps for its gradient
			if cols <= expBlock {
				lse = make([]float64, rows)
			}
			xentForward(softmaxLogits, got, z, tg, lse, rows, cols)
			xentForwardScalar(softmaxLogits, want, z, tg, rows, cols)
			if !sameBits(got, want) {
				t.Fatalf("%s: softmax cross-entropy differs from the scalar loop", name)
			}
			for r := range lse {
				if ls := logSumExp(z[r*cols : (r+1)*cols]); lse[r] != ls {
					t.Fatalf("%s: the loss kept log-sum-exp %v for row %d, want %v", name, lse[r], r, ls)
				}
			}
			wantD := make([]T, len(z))
			xentBackwardScalar(softmaxLogits, wantD, z, tg, g, rows, cols)
			for _, known := range [][]float64{nil, lse} {
				gotD := make([]T, len(z))
				xentBackward(softmaxLogits, gotD, z, tg, g, known, rows, cols)
				if !sameBits(gotD, wantD) {
					t.Fatalf("%s: softmax cross-entropy gradient (kept log-sum-exps %v) differs from the scalar loop", name, known != nil)
				}
			}
		}
	}
}
