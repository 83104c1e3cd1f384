package historyplot

import (
	"math"
	"sort"
)

// Loess evaluates a local quadratic regression smoother, like R's
// loess(y ~ x, span = span, degree = 2) with family "gaussian" and exact
// ("direct") evaluation, at each point of at. Around each point the q =
// floor(n*span) nearest observations (all of them when span >= 1, with the
// neighbourhood widened by span as R does) are weighted by the tricube
// kernel (1 - (d/h)^3)^3 of their distance d over the neighbourhood's
// radius h and fitted by weighted least squares with a quadratic; the fit's
// value at the point is returned. Where the quadratic is not determined
// (fewer than three distinct x values with weight) a local line, then a
// weighted mean, is used instead.
//
// x and y must have equal length; non-finite pairs are ignored. With no
// finite pair every result is NaN.
func Loess(x, y []float64, span float64, at []float64) []float64 {
	var xs, ys []float64
	for i := range x {
		if i < len(y) && isFinite(x[i]) && isFinite(y[i]) {
			xs = append(xs, x[i])
			ys = append(ys, y[i])
		}
	}
	out := make([]float64, len(at))
	n := len(xs)
	if n == 0 || !(span > 0) {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	q := int(math.Floor(float64(n) * span))
	if q < 1 {
		q = 1
	}
	if q > n {
		q = n
	}
	dist := make([]float64, n)
	sorted := make([]float64, n)
	w := make([]float64, n)
	for k, x0 := range at {
		for i, xi := range xs {
			dist[i] = math.Abs(xi - x0)
		}
		copy(sorted, dist)
		sort.Float64s(sorted)
		h := sorted[q-1]
		if span > 1 {
			h *= span // R: beyond the data, the neighbourhood grows with span
		}
		for i, d := range dist {
			switch {
			case h == 0:
				w[i] = b2f(d == 0)
			case d < h:
				r := d / h
				r = 1 - r*r*r
				w[i] = r * r * r
			default:
				w[i] = 0
			}
		}
		out[k] = localFit(xs, ys, w, x0)
	}
	return out
}

// localFit returns the value at x0 of the weighted least-squares quadratic
// (or line, or mean, when the quadratic is not determined).
func localFit(xs, ys, w []float64, x0 float64) float64 {
	for degree := 2; degree >= 0; degree-- {
		var a [3][3]float64
		var b [3]float64
		for i := range xs {
			if w[i] == 0 {
				continue
			}
			u := xs[i] - x0
			basis := [3]float64{1, u, u * u}
			for r := 0; r <= degree; r++ {
				b[r] += w[i] * basis[r] * ys[i]
				for c := 0; c <= degree; c++ {
					a[r][c] += w[i] * basis[r] * basis[c]
				}
			}
		}
		if beta, ok := solve(a, b, degree+1); ok {
			return beta[0]
		}
	}
	return math.NaN()
}

// solve solves the leading n x n system by Gaussian elimination with
// partial pivoting; ok is false when it is (nearly) singular.
func solve(a [3][3]float64, b [3]float64, n int) ([3]float64, bool) {
	scale := 0.0
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			scale = math.Max(scale, math.Abs(a[r][c]))
		}
	}
	if scale == 0 {
		return b, false
	}
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) <= 1e-12*scale {
			return b, false
		}
		a[col], a[p] = a[p], a[col]
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	var x [3]float64
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < n; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
