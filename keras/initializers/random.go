package initializers

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gonum.org/v1/gonum/mat"

	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// RandomInitializer draws every element independently from a normal,
// truncated normal or uniform distribution with fixed parameters.
type RandomInitializer struct {
	seeded
	name   string
	a, b   float64 // mean and stddev, or minval and maxval
	err    error
	normal NormalParams
	unif   UniformParams
}

// NormalParams are the parameters of RandomNormal and TruncatedNormal.
type NormalParams struct {
	// Mean of the distribution (default 0).
	Mean float64 `json:"mean"`
	// Stddev is its standard deviation (default 0.05, >= 0; before
	// truncation for TruncatedNormal).
	Stddev float64 `json:"stddev"`
	// Seed gives the initializer its own stream (nil, the default: the
	// model's).
	Seed *int64 `json:"seed"`
}

// UniformParams are RandomUniform's parameters.
type UniformParams struct {
	// Minval is the lower bound, inclusive (default -0.05).
	Minval float64 `json:"minval"`
	// Maxval is the upper bound, exclusive (default 0.05, >= Minval).
	Maxval float64 `json:"maxval"`
	// Seed gives the initializer its own stream (nil, the default: the
	// model's).
	Seed *int64 `json:"seed"`
}

var (
	normalDefaults  = NormalParams{Stddev: 0.05}
	uniformDefaults = UniformParams{Minval: -0.05, Maxval: 0.05}
)

// RandomNormal returns the normal initializer ("random_normal"): N(mean,
// stddev^2). Options: see RandomNormalOption.
func RandomNormal(opts ...RandomNormalOption) *RandomInitializer {
	return newNormal("random_normal", build(normalDefaults, opts, RandomNormalOption.applyRandomNormal))
}

// TruncatedNormal returns the truncated normal initializer
// ("truncated_normal"): N(mean, stddev^2) with values more than two
// standard deviations from the mean drawn again. Options: see
// TruncatedNormalOption.
func TruncatedNormal(opts ...TruncatedNormalOption) *RandomInitializer {
	return newNormal("truncated_normal", build(normalDefaults, opts, TruncatedNormalOption.applyTruncatedNormal))
}

// RandomUniform returns the uniform initializer ("random_uniform"):
// U[minval, maxval). Options: see RandomUniformOption.
func RandomUniform(opts ...RandomUniformOption) *RandomInitializer {
	return newUniform(build(uniformDefaults, opts, RandomUniformOption.applyRandomUniform))
}

func newNormal(name string, p NormalParams) *RandomInitializer {
	p.Seed = copySeed(p.Seed)
	r := &RandomInitializer{seeded: seeded{p.Seed}, name: name, a: p.Mean, b: p.Stddev, normal: p, err: finite(name, p)}
	if r.err == nil && p.Stddev < 0 {
		r.err = invalid(name, "stddev", p.Stddev, "must be >= 0")
	}
	return r
}

func newUniform(p UniformParams) *RandomInitializer {
	p.Seed = copySeed(p.Seed)
	r := &RandomInitializer{seeded: seeded{p.Seed}, name: "random_uniform", a: p.Minval, b: p.Maxval, unif: p, err: finite("random_uniform", p)}
	if r.err == nil && p.Maxval < p.Minval {
		r.err = invalid("random_uniform", "maxval", p.Maxval, "must be >= minval ("+fmt.Sprint(p.Minval)+")")
	}
	return r
}

func copySeed(s *int64) *int64 {
	if s == nil {
		return nil
	}
	v := *s
	return &v
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

// Config returns the serialisable form.
func (r *RandomInitializer) Config() Config {
	if r.name == "random_uniform" {
		return Config{Name: r.name, Params: hparams.Diff(r.unif, uniformDefaults)}
	}
	return Config{Name: r.name, Params: hparams.Diff(r.normal, normalDefaults)}
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

// VarianceScalingParams are VarianceScaling's parameters.
type VarianceScalingParams struct {
	// Scale multiplies the variance (default 1, > 0).
	Scale float64 `json:"scale"`
	// Mode is the fan divided by: "fan_in" (default), "fan_out" or
	// "fan_avg".
	Mode string `json:"mode"`
	// Distribution is "truncated_normal" (default; "normal" is read as
	// it), "untruncated_normal" or "uniform".
	Distribution string `json:"distribution"`
	// Seed gives the initializer its own stream (nil, the default: the
	// model's).
	Seed *int64 `json:"seed"`
}

var varianceScalingDefaults = VarianceScalingParams{Scale: 1, Mode: "fan_in", Distribution: "truncated_normal"}

// VarianceScaling returns Keras's VarianceScaling ("variance_scaling"):
// with n = fan_in, fan_out or (fan_in+fan_out)/2 by mode (at least 1),
// "truncated_normal" draws from a normal with standard deviation
// sqrt(scale/n)/0.8796... truncated at two standard deviations (so the
// values' variance is scale/n), "untruncated_normal" from N(0, scale/n) and
// "uniform" from U[-sqrt(3*scale/n), sqrt(3*scale/n)). Options: see
// VarianceScalingOption.
func VarianceScaling(opts ...VarianceScalingOption) *VarianceScalingInitializer {
	return newVarianceScaling(build(varianceScalingDefaults, opts, VarianceScalingOption.applyVarianceScaling))
}

func newVarianceScaling(p VarianceScalingParams) *VarianceScalingInitializer {
	v := &VarianceScalingInitializer{seeded: seeded{copySeed(p.Seed)}, name: "variance_scaling", scale: p.Scale,
		mode: p.Mode, distribution: p.Distribution, err: finite("variance_scaling", p)}
	if v.distribution == "normal" {
		v.distribution = "truncated_normal"
	}
	switch {
	case v.err != nil:
	case v.scale <= 0:
		v.err = invalid("variance_scaling", "scale", v.scale, "must be > 0")
	case v.mode != "fan_in" && v.mode != "fan_out" && v.mode != "fan_avg":
		v.err = invalid("variance_scaling", "mode", v.mode, `must be "fan_in", "fan_out" or "fan_avg"`)
	case v.distribution != "truncated_normal" && v.distribution != "untruncated_normal" && v.distribution != "uniform":
		v.err = invalid("variance_scaling", "distribution", v.distribution, `must be "truncated_normal" ("normal"), "untruncated_normal" or "uniform"`)
	}
	return v
}

// SeedParams are the parameters of the initializers whose only option is
// Seed (GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
// LecunNormal).
type SeedParams struct {
	// Seed gives the initializer its own stream (nil, the default: the
	// model's).
	Seed *int64 `json:"seed"`
}

// namedScaling is a VarianceScaling with fixed scale, mode and
// distribution under a name of its own.
type namedScaling struct {
	name, mode, distribution string
	scale                    float64
}

func (n namedScaling) make(p SeedParams) *VarianceScalingInitializer {
	return &VarianceScalingInitializer{seeded: seeded{copySeed(p.Seed)}, name: n.name, scale: n.scale, mode: n.mode,
		distribution: n.distribution}
}

var namedScalings = []namedScaling{
	{"glorot_uniform", "fan_avg", "uniform", 1},
	{"glorot_normal", "fan_avg", "truncated_normal", 1},
	{"he_uniform", "fan_in", "uniform", 2},
	{"he_normal", "fan_in", "truncated_normal", 2},
	{"lecun_uniform", "fan_in", "uniform", 1},
	{"lecun_normal", "fan_in", "truncated_normal", 1},
}

// GlorotUniform returns the Glorot (Xavier) uniform initializer
// ("glorot_uniform"), Keras's kernel default: U[-limit, limit) with
// limit = sqrt(6/(fan_in+fan_out)). Options: Seed.
func GlorotUniform(opts ...GlorotUniformOption) *VarianceScalingInitializer {
	return namedScalings[0].make(build(SeedParams{}, opts, GlorotUniformOption.applyGlorotUniform))
}

// GlorotNormal returns the Glorot (Xavier) normal initializer
// ("glorot_normal"): truncated normal with variance 2/(fan_in+fan_out).
// Options: Seed.
func GlorotNormal(opts ...GlorotNormalOption) *VarianceScalingInitializer {
	return namedScalings[1].make(build(SeedParams{}, opts, GlorotNormalOption.applyGlorotNormal))
}

// HeUniform returns the He uniform initializer ("he_uniform"):
// U[-limit, limit) with limit = sqrt(6/fan_in). Options: Seed.
func HeUniform(opts ...HeUniformOption) *VarianceScalingInitializer {
	return namedScalings[2].make(build(SeedParams{}, opts, HeUniformOption.applyHeUniform))
}

// HeNormal returns the He normal initializer ("he_normal"): truncated
// normal with variance 2/fan_in. Options: Seed.
func HeNormal(opts ...HeNormalOption) *VarianceScalingInitializer {
	return namedScalings[3].make(build(SeedParams{}, opts, HeNormalOption.applyHeNormal))
}

// LecunUniform returns the LeCun uniform initializer ("lecun_uniform"):
// U[-limit, limit) with limit = sqrt(3/fan_in). Options: Seed.
func LecunUniform(opts ...LecunUniformOption) *VarianceScalingInitializer {
	return namedScalings[4].make(build(SeedParams{}, opts, LecunUniformOption.applyLecunUniform))
}

// LecunNormal returns the LeCun normal initializer ("lecun_normal"):
// truncated normal with variance 1/fan_in. Options: Seed.
func LecunNormal(opts ...LecunNormalOption) *VarianceScalingInitializer {
	return namedScalings[5].make(build(SeedParams{}, opts, LecunNormalOption.applyLecunNormal))
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

// Params returns the parameters (for the named variants, the scale, mode
// and distribution they fix).
func (v *VarianceScalingInitializer) Params() VarianceScalingParams {
	return VarianceScalingParams{Scale: v.scale, Mode: v.mode, Distribution: v.distribution, Seed: copySeed(v.seed)}
}

// Config returns the serialisable form.
func (v *VarianceScalingInitializer) Config() Config {
	if v.name != "variance_scaling" {
		return Config{Name: v.name, Params: hparams.Diff(SeedParams{Seed: v.seed}, SeedParams{})}
	}
	return Config{Name: v.name, Params: hparams.Diff(v.Params(), varianceScalingDefaults)}
}

// OrthogonalInitializer fills a weight with a random orthogonal matrix.
type OrthogonalInitializer struct {
	seeded
	gain float64
	err  error
}

// OrthogonalParams are Orthogonal's parameters.
type OrthogonalParams struct {
	// Gain multiplies the matrix (default 1, finite).
	Gain float64 `json:"gain"`
	// Seed gives the initializer its own stream (nil, the default: the
	// model's).
	Seed *int64 `json:"seed"`
}

var orthogonalDefaults = OrthogonalParams{Gain: 1}

// Orthogonal returns the orthogonal initializer ("orthogonal"): the weight
// is viewed as a matrix (rows = product of all axes but the last, cols =
// the last axis); a matrix of N(0, 1) values of shape (max, min) is
// QR-factorised, Q's columns are multiplied by the signs of R's diagonal
// (making the result uniformly distributed), transposed if rows < cols
// and multiplied by gain. The rows (if rows <= cols) or the columns are
// then orthonormal (times gain). Options: see OrthogonalOption. The
// weight needs at least two axes.
func Orthogonal(opts ...OrthogonalOption) *OrthogonalInitializer {
	return newOrthogonal(build(orthogonalDefaults, opts, OrthogonalOption.applyOrthogonal))
}

func newOrthogonal(p OrthogonalParams) *OrthogonalInitializer {
	return &OrthogonalInitializer{seeded: seeded{copySeed(p.Seed)}, gain: p.Gain, err: finite("orthogonal", p)}
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

// Params returns the parameters.
func (o *OrthogonalInitializer) Params() OrthogonalParams {
	return OrthogonalParams{Gain: o.gain, Seed: copySeed(o.seed)}
}

// Config returns the serialisable form.
func (o *OrthogonalInitializer) Config() Config {
	return Config{Name: "orthogonal", Params: hparams.Diff(o.Params(), orthogonalDefaults)}
}
