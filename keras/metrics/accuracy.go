package metrics

// BinaryAccuracy returns the fraction of outputs where (prediction >
// threshold) equals the target ("binary_accuracy"; threshold 0.5). For
// several outputs per row each row scores the mean over its outputs.
func BinaryAccuracy(opts ...Option) *Mean {
	o := metricOpts("binary_accuracy", opts)
	th := o.threshold
	return NewMean(o.name, false, func(t, p []float64) float64 {
		var hit float64
		for j := range p {
			pred := 0.0
			if p[j] > th {
				pred = 1
			}
			if pred == t[j] {
				hit++
			}
		}
		return hit / float64(len(p))
	})
}

// CategoricalAccuracy returns the fraction of rows whose largest
// prediction is at the position of the largest target (one-hot targets,
// "categorical_accuracy").
func CategoricalAccuracy(opts ...Option) *Mean {
	o := metricOpts("categorical_accuracy", opts)
	return NewMean(o.name, false, func(t, p []float64) float64 {
		if argmax(t) == argmax(p) {
			return 1
		}
		return 0
	})
}

// SparseCategoricalAccuracy returns the fraction of rows whose largest
// prediction is at the target class index
// ("sparse_categorical_accuracy").
func SparseCategoricalAccuracy(opts ...Option) *Mean {
	o := metricOpts("sparse_categorical_accuracy", opts)
	return NewMean(o.name, true, func(t, p []float64) float64 {
		if float64(argmax(p)) == t[0] {
			return 1
		}
		return 0
	})
}

// argmax returns the index of the first largest value.
func argmax(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
