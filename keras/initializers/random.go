package initializers

import (
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"
)

// RandomInitializer draws every element independently from a normal,
// truncated normal or uniform distribution with fixed parameters.
type RandomInitializer struct {
	seeded
	name       string
	a, b       float64 // mean and stddev, or minval and maxval
	err        error
	paramNames [2]string
}

// RandomNormal returns the normal initializer ("random_normal"): N(mean,
// stddev^2). Options: Mean (default 0), Stddev (default 0.05), Seed.
func RandomNormal(opts ...Option) *RandomInitializer {
	return newRandom("random_normal", opts, "mean", 0, "stddev", 0.05)
}

// TruncatedNormal returns the truncated normal initializer
// ("truncated_normal"): N(mean, stddev^2) with values more than two
// standard deviations from the mean drawn again. Options: Mean (default
// 0), Stddev (default 0.05), Seed.
func TruncatedNormal(opts ...Option) *RandomInitializer {
	return newRandom("truncated_normal", opts, "mean", 0, "stddev", 0.05)
}

// RandomUniform returns the uniform initializer ("random_uniform"):
// U[minval, maxval). Options: Minval (default -0.05), Maxval (default
// 0.05), Seed.
func RandomUniform(opts ...Option) *RandomInitializer {
	return newRandom("random_uniform", opts, "minval", -0.05, "maxval", 0.05)
}

func newRandom(name string, options []Option, pa string, da float64, pb string, db float64) *RandomInitializer {
	o, err := collect(name, options, pa, pb, "seed")
	r := &RandomInitializer{seeded: seeded{o.seed}, name: name, a: o.get(pa, da), b: o.get(pb, db), err: err,
		paramNames: [2]string{pa, pb}}
	switch {
	case err != nil:
	case pb == "stddev" && r.b < 0:
		r.err = errors.Errorf("initializers: %s: stddev must be >= 0, got %v", name, r.b)
	case pb == "maxval" && r.b < r.a:
		r.err = errors.Errorf("initializers: %s: maxval must be >= minval, got minval %v, maxval %v", name, r.a, r.b)
	}
	return r
}

// Name returns the Keras name.
func (r *RandomInitializer) Name() string { return r.name }

// Err returns the error found in the options, or nil.
func (r *RandomInitializer) Err() error { return r.err }

// Init draws prod(shape) values.
func (r *RandomInitializer) Init(rng *rand.Rand, shape []int) []float64 {
	rng = r.stream(rng)
	v := make([]float64, size(shape))
	switch r.name {
	case "random_normal":
		for i := range v {
			v[i] = r.a + r.b*rng.NormFloat64()
		}
	case "truncated_normal":
		for i := range v {
			v[i] = r.a + r.b*truncated(rng)
		}
	default:
		for i := range v {
			v[i] = r.a + (r.b-r.a)*rng.Float64()
		}
	}
	return v
}

// Config returns the initializer's parameters.
func (r *RandomInitializer) Config() Config {
	return Config{Name: r.name, Params: map[string]float64{r.paramNames[0]: r.a, r.paramNames[1]: r.b}, Seed: r.seed}
}

// truncated draws from N(0, 1) conditioned on |x| <= 2.
func truncated(rng *rand.Rand) float64 {
	for {
		if x := rng.NormFloat64(); x >= -2 && x <= 2 {
			return x
		}
	}
}

// truncatedStd is the standard deviation of N(0, 1) truncated to [-2, 2]
// (Keras's 0.87962566103423978): VarianceScaling divides by it so that
// the truncated values have the intended variance.
const truncatedStd = 0.87962566103423978

// VarianceScalingInitializer scales its distribution to the weight's fans.
type VarianceScalingInitializer struct {
	seeded
	name         string
	scale        float64
	mode         string
	distribution string
	err          error
}

// VarianceScaling returns Keras's VarianceScaling ("variance_scaling"):
// with n = fan_in, fan_out or (fan_in+fan_out)/2 by mode (at least 1),
// "truncated_normal" draws from a normal with standard deviation
// sqrt(scale/n)/0.8796... truncated at two standard deviations (so the
// values' variance is scale/n), "untruncated_normal" from N(0, scale/n) and
// "uniform" from U[-sqrt(3*scale/n), sqrt(3*scale/n)). Options: Scale
// (default 1, > 0), Mode (default "fan_in"), Distribution (default
// "truncated_normal"), Seed.
func VarianceScaling(opts ...Option) *VarianceScalingInitializer {
	o, err := collect("variance_scaling", opts, "scale", "mode", "distribution", "seed")
	v := &VarianceScalingInitializer{seeded: seeded{o.seed}, name: "variance_scaling", scale: o.get("scale", 1),
		mode: "fan_in", distribution: "truncated_normal", err: err}
	if o.mode != nil {
		v.mode = *o.mode
	}
	if o.distribution != nil {
		v.distribution = *o.distribution
		if v.distribution == "normal" {
			v.distribution = "truncated_normal"
		}
	}
	switch {
	case err != nil:
	case v.scale <= 0:
		v.err = errors.Errorf("initializers: variance_scaling: scale must be > 0, got %v", v.scale)
	case v.mode != "fan_in" && v.mode != "fan_out" && v.mode != "fan_avg":
		v.err = errors.Errorf("initializers: variance_scaling: unknown mode %q (known: fan_avg, fan_in, fan_out)", v.mode)
	case v.distribution != "truncated_normal" && v.distribution != "untruncated_normal" && v.distribution != "uniform":
		v.err = errors.Errorf("initializers: variance_scaling: unknown distribution %q (known: normal, truncated_normal, uniform, untruncated_normal)", v.distribution)
	}
	return v
}

func named(name string, scale float64, mode, distribution string, opts []Option) *VarianceScalingInitializer {
	o, err := collect(name, opts, "seed")
	return &VarianceScalingInitializer{seeded: seeded{o.seed}, name: name, scale: scale, mode: mode,
		distribution: distribution, err: err}
}

// GlorotUniform returns the Glorot (Xavier) uniform initializer
// ("glorot_uniform"), Keras's kernel default: U[-limit, limit) with
// limit = sqrt(6/(fan_in+fan_out)). Options: Seed.
func GlorotUniform(opts ...Option) *VarianceScalingInitializer {
	return named("glorot_uniform", 1, "fan_avg", "uniform", opts)
}

// GlorotNormal returns the Glorot (Xavier) normal initializer
// ("glorot_normal"): truncated normal with variance 2/(fan_in+fan_out).
// Options: Seed.
func GlorotNormal(opts ...Option) *VarianceScalingInitializer {
	return named("glorot_normal", 1, "fan_avg", "truncated_normal", opts)
}

// HeUniform returns the He uniform initializer ("he_uniform"):
// U[-limit, limit) with limit = sqrt(6/fan_in). Options: Seed.
func HeUniform(opts ...Option) *VarianceScalingInitializer {
	return named("he_uniform", 2, "fan_in", "uniform", opts)
}

// HeNormal returns the He normal initializer ("he_normal"): truncated
// normal with variance 2/fan_in. Options: Seed.
func HeNormal(opts ...Option) *VarianceScalingInitializer {
	return named("he_normal", 2, "fan_in", "truncated_normal", opts)
}

// LecunUniform returns the LeCun uniform initializer ("lecun_uniform"):
// U[-limit, limit) with limit = sqrt(3/fan_in). Options: Seed.
func LecunUniform(opts ...Option) *VarianceScalingInitializer {
	return named("lecun_uniform", 1, "fan_in", "uniform", opts)
}

// LecunNormal returns the LeCun normal initializer ("lecun_normal"):
// truncated normal with variance 1/fan_in. Options: Seed.
func LecunNormal(opts ...Option) *VarianceScalingInitializer {
	return named("lecun_normal", 1, "fan_in", "truncated_normal", opts)
}

// Name returns the Keras name.
func (v *VarianceScalingInitializer) Name() string { return v.name }

// Err returns the error found in the options, or nil.
func (v *VarianceScalingInitializer) Err() error { return v.err }

// Init draws prod(shape) values.
func (v *VarianceScalingInitializer) Init(rng *rand.Rand, shape []int) []float64 {
	rng = v.stream(rng)
	in, out := Fans(shape)
	n := in
	switch v.mode {
	case "fan_out":
		n = out
	case "fan_avg":
		n = (in + out) / 2
	}
	variance := v.scale / math.Max(1, n)
	vals := make([]float64, size(shape))
	switch v.distribution {
	case "uniform":
		limit := math.Sqrt(3 * variance)
		for i := range vals {
			vals[i] = (2*rng.Float64() - 1) * limit
		}
	case "untruncated_normal":
		sd := math.Sqrt(variance)
		for i := range vals {
			vals[i] = sd * rng.NormFloat64()
		}
	default:
		sd := math.Sqrt(variance) / truncatedStd
		for i := range vals {
			vals[i] = sd * truncated(rng)
		}
	}
	return vals
}

// Config returns the initializer's parameters.
func (v *VarianceScalingInitializer) Config() Config {
	if v.name != "variance_scaling" {
		return Config{Name: v.name, Seed: v.seed}
	}
	return Config{Name: v.name, Params: map[string]float64{"scale": v.scale}, Mode: v.mode, Distribution: v.distribution, Seed: v.seed}
}

// OrthogonalInitializer fills a weight with a random orthogonal matrix.
type OrthogonalInitializer struct {
	seeded
	gain float64
	err  error
}

// Orthogonal returns the orthogonal initializer ("orthogonal"): the weight
// is viewed as a matrix (rows = product of all axes but the last, cols =
// the last axis); a matrix of N(0, 1) values of shape (max, min) is
// QR-factorised, Q's columns are multiplied by the signs of R's diagonal
// (making the result uniformly distributed), transposed if rows < cols
// and multiplied by gain. The rows (if rows <= cols) or the columns are
// then orthonormal (times gain). Options: Gain (default 1), Seed. The
// weight needs at least two axes.
func Orthogonal(opts ...Option) *OrthogonalInitializer {
	o, err := collect("orthogonal", opts, "gain", "seed")
	return &OrthogonalInitializer{seeded: seeded{o.seed}, gain: o.get("gain", 1), err: err}
}

// Name returns "orthogonal".
func (*OrthogonalInitializer) Name() string { return "orthogonal" }

// Err returns the error found in the options, or nil.
func (o *OrthogonalInitializer) Err() error { return o.err }

// CheckShape accepts shapes of two axes or more.
func (*OrthogonalInitializer) CheckShape(shape []int) error {
	if len(shape) < 2 {
		return errors.Errorf("initializers: orthogonal needs a weight of at least two axes, got shape %v", shape)
	}
	return nil
}

// Init returns the orthogonal matrix in row-major order; for a shape of
// fewer than two axes it returns zeros (CheckShape reports the problem).
func (o *OrthogonalInitializer) Init(rng *rand.Rand, shape []int) []float64 {
	vals := make([]float64, size(shape))
	if len(shape) < 2 {
		return vals
	}
	rng = o.stream(rng)
	rows := size(shape[:len(shape)-1])
	cols := shape[len(shape)-1]
	big, small := rows, cols
	if cols > rows {
		big, small = cols, rows
	}
	a := mat.NewDense(big, small, nil)
	for i := 0; i < big; i++ {
		for j := 0; j < small; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for i := 0; i < big; i++ {
		for j := 0; j < small; j++ {
			x := q.At(i, j) * o.gain
			if r.At(j, j) < 0 {
				x = -x
			}
			if rows >= cols {
				vals[i*cols+j] = x
			} else {
				vals[j*cols+i] = x
			}
		}
	}
	return vals
}

// Config returns the initializer's parameters.
func (o *OrthogonalInitializer) Config() Config {
	return Config{Name: "orthogonal", Params: map[string]float64{"gain": o.gain}, Seed: o.seed}
}
