package metrics

import "math"

// This file holds every loss of keras/losses as a metric: the weighted
// mean over samples of the per-sample loss, computed on the host in
// float64 from Keras's formulas. They are written independently of the
// graph losses, which their tests use them to check.

// clip limits v to [lo, hi].
func clip(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// stableSigmoidXent is the binary cross-entropy of sigmoid(z) against t,
// max(z, 0) - z*t + log(1 + exp(-|z|)).
func stableSigmoidXent(z, t float64) float64 {
	return math.Max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z)))
}

// checkSmoothing returns the error for a label smoothing outside [0, 1].
func checkSmoothing(name string, ls float64) error {
	if !inUnit(ls) {
		return invalid(name, "label_smoothing", ls, "in [0, 1]")
	}
	return nil
}

// BinaryCrossentropy returns the mean binary cross-entropy
// ("binary_crossentropy", alias "bce"): per sample the mean over outputs
// of -(t log p + (1-t) log(1-p)) with p clipped to [1e-7, 1-1e-7], or the
// stable logits form with FromLogits(true). Options: Name, FromLogits
// (default false), LabelSmoothing (default 0: targets t*(1-s) + s/2).
func BinaryCrossentropy(opts ...BinaryCrossentropyOption) *Mean {
	return newBinaryCrossentropy(build(CrossentropyParams{}, opts, BinaryCrossentropyOption.applyBinaryCrossentropy))
}

func newBinaryCrossentropy(p CrossentropyParams) *Mean {
	p = withName(p, "binary_crossentropy")
	ls, logits := p.LabelSmoothing, p.FromLogits
	return newMean("binary_crossentropy", p, CrossentropyParams{}, checkSmoothing(p.Name, ls), false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 {
			t = t*(1-ls) + 0.5*ls
			if logits {
				return stableSigmoidXent(p, t)
			}
			p = clip(p, epsilon, 1-epsilon)
			return -(t*math.Log(p) + (1-t)*math.Log(1-p))
		})
	})
}

// categoricalXent is -sum(t' log q) for q the row p divided by its sum
// and clipped to [eps, 1-eps], or sum(t' * (logsumexp(z) - z)) for
// logits, with t' = t*(1-ls) + ls/classes.
func categoricalXent(t, p []float64, logits bool, ls float64) float64 {
	var l float64
	c := float64(len(p))
	if logits {
		lse := logSumExp(p)
		for j, tj := range t {
			if tj = tj*(1-ls) + ls/c; tj != 0 {
				l += tj * (lse - p[j])
			}
		}
		return l
	}
	var s float64
	for _, v := range p {
		s += v
	}
	for j, tj := range t {
		if tj = tj*(1-ls) + ls/c; tj != 0 {
			l -= tj * math.Log(clip(p[j]/s, epsilon, 1-epsilon))
		}
	}
	return l
}

func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// CategoricalCrossentropy returns the mean categorical cross-entropy
// ("categorical_crossentropy"): per sample -sum(t log q) with q the
// predictions divided by their sum and clipped to [1e-7, 1-1e-7], or
// from logits with FromLogits(true). Options: Name, FromLogits (default
// false), LabelSmoothing (default 0: targets t*(1-s) + s/classes).
func CategoricalCrossentropy(opts ...CategoricalCrossentropyOption) *Mean {
	return newCategoricalCrossentropy(build(CrossentropyParams{}, opts, CategoricalCrossentropyOption.applyCategoricalCrossentropy))
}

func newCategoricalCrossentropy(p CrossentropyParams) *Mean {
	p = withName(p, "categorical_crossentropy")
	ls, logits := p.LabelSmoothing, p.FromLogits
	return newMean("categorical_crossentropy", p, CrossentropyParams{}, checkSmoothing(p.Name, ls), false,
		func(t, p []float64) float64 { return categoricalXent(t, p, logits, ls) })
}

// SparseCategoricalCrossentropy returns the mean categorical cross-entropy
// for class-index targets ("sparse_categorical_crossentropy"): per sample
// -log q_k for the target class k, q as in CategoricalCrossentropy
// (normalised, then clipped: Keras's JAX and PyTorch backends; its
// TensorFlow backend clips first, which differs only for probabilities
// below 1e-7 or rows that do not sum to 1). A target that is not a class
// index gives NaN. Options: Name, FromLogits (default false).
func SparseCategoricalCrossentropy(opts ...SparseCategoricalCrossentropyOption) *Mean {
	return newSparseCategoricalCrossentropy(build(SparseCategoricalCrossentropyParams{}, opts,
		SparseCategoricalCrossentropyOption.applySparseCategoricalCrossentropy))
}

func newSparseCategoricalCrossentropy(p SparseCategoricalCrossentropyParams) *Mean {
	p = withName(p, "sparse_categorical_crossentropy")
	logits := p.FromLogits
	return newMean("sparse_categorical_crossentropy", p, SparseCategoricalCrossentropyParams{}, nil, true, func(t, p []float64) float64 {
		k := int(t[0])
		if t[0] != math.Trunc(t[0]) || k < 0 || k >= len(p) {
			return math.NaN()
		}
		if logits {
			return logSumExp(p) - p[k]
		}
		var s float64
		for _, v := range p {
			s += v
		}
		return -math.Log(clip(p[k]/s, epsilon, 1-epsilon))
	})
}

// KLDivergence returns the mean Kullback-Leibler divergence
// ("kl_divergence", alias "kld"): per sample sum(t log(t/p)) with t and p
// clipped to [1e-7, 1]. Option: Name.
func KLDivergence(opts ...KLDivergenceOption) *Mean {
	return newKLDivergence(build(NameParams{}, opts, KLDivergenceOption.applyKLDivergence))
}

func newKLDivergence(p NameParams) *Mean {
	return nameOnly("kl_divergence", "kl_divergence", p, false, func(t, p []float64) float64 {
		var s float64
		for j := range p {
			tj, pj := clip(t[j], epsilon, 1), clip(p[j], epsilon, 1)
			s += tj * math.Log(tj/pj)
		}
		return s
	})
}

// Poisson returns the mean Poisson loss ("poisson"): per sample the mean
// over outputs of p - t log(p + 1e-7). Option: Name.
func Poisson(opts ...PoissonOption) *Mean {
	return newPoisson(build(NameParams{}, opts, PoissonOption.applyPoisson))
}

func newPoisson(p NameParams) *Mean {
	return nameOnly("poisson", "poisson", p, false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 { return p - t*math.Log(p+epsilon) })
	})
}

// hingeBatch fills vals with each row's mean of margin(1 - t*p), reading
// the targets as -1/+1: when every target of the batch is 0 or 1 they are
// mapped to -1 and 1 first (Keras decides per batch, and so does this).
func hingeBatch(margin func(float64) float64) func(b Batch, wt, wp int, vals []float64) {
	return func(b Batch, wt, wp int, vals []float64) {
		binary := true
		for _, t := range b.YTrue {
			binary = binary && (t == 0 || t == 1)
		}
		for i := range vals {
			var s float64
			for j := 0; j < wp; j++ {
				t := b.YTrue[i*wt+j]
				if binary {
					t = 2*t - 1
				}
				s += margin(1 - t*b.YPred[i*wp+j])
			}
			vals[i] = s / float64(wp)
		}
	}
}

// Hinge returns the mean hinge loss ("hinge"): per sample the mean over
// outputs of max(1 - t*p, 0), targets read as -1/+1 (0/1 batches are
// mapped). Option: Name.
func Hinge(opts ...HingeOption) *Mean {
	return newHinge(build(NameParams{}, opts, HingeOption.applyHinge))
}

func newHinge(p NameParams) *Mean {
	m := nameOnly("hinge", "hinge", p, false, nil)
	m.perBatch = hingeBatch(func(v float64) float64 { return math.Max(v, 0) })
	return m
}

// SquaredHinge returns the mean squared hinge loss ("squared_hinge"):
// per sample the mean of max(1 - t*p, 0)^2, targets read as in Hinge.
// Option: Name.
func SquaredHinge(opts ...SquaredHingeOption) *Mean {
	return newSquaredHinge(build(NameParams{}, opts, SquaredHingeOption.applySquaredHinge))
}

func newSquaredHinge(p NameParams) *Mean {
	m := nameOnly("squared_hinge", "squared_hinge", p, false, nil)
	m.perBatch = hingeBatch(func(v float64) float64 { v = math.Max(v, 0); return v * v })
	return m
}

// CategoricalHinge returns the mean categorical hinge loss
// ("categorical_hinge"): per sample max(max((1-t)*p) - sum(t*p) + 1, 0).
// Option: Name.
func CategoricalHinge(opts ...CategoricalHingeOption) *Mean {
	return newCategoricalHinge(build(NameParams{}, opts, CategoricalHingeOption.applyCategoricalHinge))
}

func newCategoricalHinge(p NameParams) *Mean {
	return nameOnly("categorical_hinge", "categorical_hinge", p, false, func(t, p []float64) float64 {
		pos, neg := 0.0, math.Inf(-1)
		for j := range p {
			pos += t[j] * p[j]
			neg = math.Max(neg, (1-t[j])*p[j])
		}
		return math.Max(neg-pos+1, 0)
	})
}

// Huber returns the mean Huber loss ("huber"): per sample the mean over
// outputs of e^2/2 for |e| <= delta and delta*|e| - delta^2/2 beyond, with
// e = p - t. Options: Name, Delta (default 1, > 0).
func Huber(opts ...HuberOption) *Mean {
	return newHuber(build(huberDefaults, opts, HuberOption.applyHuber))
}

var huberDefaults = HuberParams{Delta: 1}

func newHuber(p HuberParams) *Mean {
	p = withName(p, "huber")
	var err error
	if !finitePositive(p.Delta) {
		err = invalid(p.Name, "delta", p.Delta, "finite and > 0")
	}
	d := p.Delta
	return newMean("huber", p, huberDefaults, err, false, func(t, p []float64) float64 {
		return meanOf(t, p, func(t, p float64) float64 {
			e := math.Abs(p - t)
			if e <= d {
				return 0.5 * e * e
			}
			return d*e - 0.5*d*d
		})
	})
}

// LogCosh returns the mean of log(cosh(p - t)) ("log_cosh", the loss's
// name; the same values as LogCoshError). Option: Name.
func LogCosh(opts ...LogCoshOption) *Mean {
	return newLogCosh(build(NameParams{}, opts, LogCoshOption.applyLogCosh))
}

func newLogCosh(p NameParams) *Mean {
	return nameOnly("log_cosh", "log_cosh", p, false, logCosh)
}
