package metrics

import "math"

// BinaryAccuracy returns the fraction of outputs where (prediction >
// threshold) equals the target ("binary_accuracy"). For several outputs
// per row each row scores the mean over its outputs. Options: Name,
// Threshold (default 0.5).
func BinaryAccuracy(opts ...BinaryAccuracyOption) *Mean {
	return newBinaryAccuracy(build(binaryAccuracyDefaults, opts, BinaryAccuracyOption.applyBinaryAccuracy))
}

var binaryAccuracyDefaults = BinaryAccuracyParams{Threshold: 0.5}

func newBinaryAccuracy(p BinaryAccuracyParams) *Mean {
	p = withName(p, "binary_accuracy")
	th := p.Threshold
	return newMean("binary_accuracy", p, binaryAccuracyDefaults, nil, false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 {
			pred := 0.0
			if p > th {
				pred = 1
			}
			if pred == t {
				return 1
			}
			return 0
		})
	})
}

// CategoricalAccuracy returns the fraction of rows whose largest
// prediction is at the position of the largest target (one-hot targets,
// "categorical_accuracy"; the first of equal values wins, like argmax).
// Option: Name.
func CategoricalAccuracy(opts ...CategoricalAccuracyOption) *Mean {
	return newCategoricalAccuracy(build(NameParams{}, opts, CategoricalAccuracyOption.applyCategoricalAccuracy))
}

func newCategoricalAccuracy(p NameParams) *Mean {
	return nameOnly("categorical_accuracy", "categorical_accuracy", p, false, func(t, p []float64) float64 {
		if argmax(t) == argmax(p) {
			return 1
		}
		return 0
	})
}

// SparseCategoricalAccuracy returns the fraction of rows whose largest
// prediction is at the target class index
// ("sparse_categorical_accuracy"). Option: Name.
func SparseCategoricalAccuracy(opts ...SparseCategoricalAccuracyOption) *Mean {
	return newSparseCategoricalAccuracy(build(NameParams{}, opts, SparseCategoricalAccuracyOption.applySparseCategoricalAccuracy))
}

func newSparseCategoricalAccuracy(p NameParams) *Mean {
	return nameOnly("sparse_categorical_accuracy", "sparse_categorical_accuracy", p, true, func(t, p []float64) float64 {
		if float64(argmax(p)) == t[0] {
			return 1
		}
		return 0
	})
}

// TopKCategoricalAccuracy returns the fraction of rows whose target class
// (the position of the largest target) is among the k largest
// predictions ("top_k_categorical_accuracy"). Ties count in the target's
// favour, as in Keras: the target is in the top k when fewer than k
// predictions are strictly larger than its own. Options: Name, K
// (default 5).
func TopKCategoricalAccuracy(opts ...TopKCategoricalAccuracyOption) *Mean {
	return newTopKCategoricalAccuracy(build(topKDefaults, opts, TopKCategoricalAccuracyOption.applyTopKCategoricalAccuracy))
}

var topKDefaults = TopKParams{K: 5}

// checkK returns p with its default name and the error for a k below 1.
func checkK(p TopKParams, class string) (TopKParams, error) {
	p = withName(p, class)
	if p.K < 1 {
		return p, invalid(p.Name, "k", p.K, ">= 1")
	}
	return p, nil
}

func newTopKCategoricalAccuracy(p TopKParams) *Mean {
	p, err := checkK(p, "top_k_categorical_accuracy")
	k := p.K
	return newMean("top_k_categorical_accuracy", p, topKDefaults, err, false, func(t, p []float64) float64 { return inTopK(p, argmax(t), k) })
}

// SparseTopKCategoricalAccuracy is TopKCategoricalAccuracy for targets
// given as class indices ("sparse_top_k_categorical_accuracy"). Options:
// Name, K (default 5).
func SparseTopKCategoricalAccuracy(opts ...SparseTopKCategoricalAccuracyOption) *Mean {
	return newSparseTopKCategoricalAccuracy(build(topKDefaults, opts, SparseTopKCategoricalAccuracyOption.applySparseTopKCategoricalAccuracy))
}

func newSparseTopKCategoricalAccuracy(p TopKParams) *Mean {
	p, err := checkK(p, "sparse_top_k_categorical_accuracy")
	k := p.K
	return newMean("sparse_top_k_categorical_accuracy", p, topKDefaults, err, true, func(t, p []float64) float64 {
		c := t[0]
		if c != math.Trunc(c) || c < 0 || int(c) >= len(p) {
			return 0
		}
		return inTopK(p, int(c), k)
	})
}

// inTopK is 1 when fewer than k predictions exceed p[target] (a
// non-finite target prediction never counts).
func inTopK(p []float64, target, k int) float64 {
	v := p[target]
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	larger := 0
	for _, x := range p {
		if x > v {
			larger++
		}
	}
	if larger < k {
		return 1
	}
	return 0
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
