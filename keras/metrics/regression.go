package metrics

import "math"

// MeanAbsoluteError returns mean(|y_pred - y_true|) over samples and
// outputs ("mean_absolute_error", alias "mae").
func MeanAbsoluteError(opts ...Option) *Mean {
	o := metricOpts("mean_absolute_error", opts)
	return NewMean(o.name, false, func(t, p []float64) float64 {
		var s float64
		for j := range p {
			s += math.Abs(p[j] - t[j])
		}
		return s / float64(len(p))
	})
}

// MeanSquaredError returns mean((y_pred - y_true)^2) over samples and
// outputs ("mean_squared_error", alias "mse").
func MeanSquaredError(opts ...Option) *Mean {
	o := metricOpts("mean_squared_error", opts)
	return NewMean(o.name, false, func(t, p []float64) float64 {
		var s float64
		for j := range p {
			d := p[j] - t[j]
			s += d * d
		}
		return s / float64(len(p))
	})
}
