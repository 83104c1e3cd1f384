package preprocessing

import (
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/hugepages"
)

// StandardScaler holds the per-feature statistics of a training set, so
// that the same centring and scaling can be applied to new data, as the
// Boston housing tutorial scales the test set with the train mean and
// standard deviation.
type StandardScaler struct {
	// Mean is the mean of each feature in the training data.
	Mean []float64
	// Scale is the standard deviation of each feature, computed with
	// divisor N-DDOF; a feature with zero deviation gets Scale 1, so it
	// becomes 0 rather than NaN.
	Scale []float64
	// DDOF is the delta degrees of freedom used for Scale (1 by default).
	DDOF int
	// Shape is the shape of one sample, the training data's shape without
	// its first axis; Transform requires the same.
	Shape []int
}

// FitStandard computes the mean and standard deviation of every feature of
// x, samples along the first axis. x may have any numeric dtype and must
// hold more than DDOF samples. Accepted option: DDOF (default 1, like R's
// scale()).
func FitStandard(x *tensor.Dense, opts ...StandardOption) (s *StandardScaler, err error) {
	defer guard("FitStandard", &err)
	c, err := newConfig("FitStandard", opts, StandardOption.standard)
	if err != nil {
		return nil, err
	}
	n, f, err := samples(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: FitStandard")
	}
	if n <= c.ddof {
		return nil, errors.Errorf("preprocessing: FitStandard: %d samples, need more than DDOF=%d", n, c.ddof)
	}
	data, err := float64s(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: FitStandard")
	}
	s = &StandardScaler{Mean: make([]float64, f), Scale: make([]float64, f), DDOF: c.ddof, Shape: append([]int(nil), x.Shape()[1:]...)}
	for i := 0; i < n; i++ {
		for j, v := range data[i*f : (i+1)*f] {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= float64(n)
	}
	// Second pass on the centred values, for accuracy.
	ss := make([]float64, f)
	for i := 0; i < n; i++ {
		for j, v := range data[i*f : (i+1)*f] {
			d := v - s.Mean[j]
			ss[j] += d * d
		}
	}
	for j := range ss {
		sd := math.Sqrt(ss[j] / float64(n-c.ddof))
		if sd == 0 {
			sd = 1
		}
		s.Scale[j] = sd
	}
	return s, nil
}

// Transform returns (x - Mean) / Scale feature by feature. The result has
// x's shape and is float32 for float32 input, float64 otherwise. x must
// have the sample shape of the training data.
func (s *StandardScaler) Transform(x *tensor.Dense) (out *tensor.Dense, err error) {
	defer guard("StandardScaler.Transform", &err)
	return s.apply("Transform", x, func(v float64, j int) float64 { return (v - s.Mean[j]) / s.Scale[j] })
}

// InverseTransform undoes Transform: x*Scale + Mean, feature by feature.
func (s *StandardScaler) InverseTransform(x *tensor.Dense) (out *tensor.Dense, err error) {
	defer guard("StandardScaler.InverseTransform", &err)
	return s.apply("InverseTransform", x, func(v float64, j int) float64 { return v*s.Scale[j] + s.Mean[j] })
}

func (s *StandardScaler) apply(fn string, x *tensor.Dense, f func(v float64, j int) float64) (*tensor.Dense, error) {
	if s == nil || len(s.Mean) != len(s.Scale) {
		return nil, errors.Errorf("preprocessing: StandardScaler.%s: scaler not fitted", fn)
	}
	return mapFeatures("StandardScaler."+fn, x, s.Shape, len(s.Mean), f)
}

// mapFeatures applies f to every element of x, j being the feature index,
// after checking that x's samples have the fitted shape.
func mapFeatures(fn string, x *tensor.Dense, shape []int, features int, f func(v float64, j int) float64) (*tensor.Dense, error) {
	_, nf, err := samples(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: "+fn)
	}
	if nf != features || !tensor.Shape(x.Shape()[1:]).Eq(tensor.Shape(shape)) {
		return nil, errors.Errorf("preprocessing: %s: samples of shape %v, the scaler was fitted on %v", fn, x.Shape()[1:], tensor.Shape(shape))
	}
	data, err := float64s(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: "+fn)
	}
	for i, v := range data {
		data[i] = f(v, i%features)
	}
	return fromFloat64s(data, floatDtype(x), x.Shape()...), nil
}

// Standardize fits a StandardScaler on x and returns x transformed with it,
// and the scaler to apply to new data: R's scale(x) in one line. Accepted
// option: DDOF (default 1).
func Standardize(x *tensor.Dense, opts ...StandardOption) (*tensor.Dense, *StandardScaler, error) {
	s, err := FitStandard(x, opts...)
	if err != nil {
		return nil, nil, err
	}
	out, err := s.Transform(x)
	if err != nil {
		return nil, nil, err
	}
	return out, s, nil
}

// MinMaxScaler holds the per-feature minimum and maximum of a training set
// and maps them linearly to [Low, High].
type MinMaxScaler struct {
	// Min and Max are each feature's extremes in the training data.
	Min, Max []float64
	// Low and High bound the scaled values ([0, 1] by default).
	Low, High float64
	// Shape is the shape of one training sample.
	Shape []int
}

// FitMinMax records the minimum and maximum of every feature of x, samples
// along the first axis; NaN values are ignored. Accepted option:
// FeatureRange (default [0, 1]).
func FitMinMax(x *tensor.Dense, opts ...MinMaxOption) (s *MinMaxScaler, err error) {
	defer guard("FitMinMax", &err)
	c, err := newConfig("FitMinMax", opts, MinMaxOption.minMax)
	if err != nil {
		return nil, err
	}
	n, f, err := samples(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: FitMinMax")
	}
	if n == 0 {
		return nil, errors.New("preprocessing: FitMinMax: no samples")
	}
	data, err := float64s(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: FitMinMax")
	}
	s = &MinMaxScaler{Min: make([]float64, f), Max: make([]float64, f), Low: c.low, High: c.high, Shape: append([]int(nil), x.Shape()[1:]...)}
	for j := range s.Min {
		s.Min[j], s.Max[j] = math.Inf(1), math.Inf(-1)
	}
	for i, v := range data {
		j := i % f
		s.Min[j] = math.Min(s.Min[j], v)
		s.Max[j] = math.Max(s.Max[j], v)
	}
	return s, nil
}

// Transform maps each feature from [Min, Max] to [Low, High]; values
// outside the training range fall outside [Low, High]. A feature that was
// constant in training maps to Low. The result is float32 for float32
// input, float64 otherwise.
func (s *MinMaxScaler) Transform(x *tensor.Dense) (out *tensor.Dense, err error) {
	defer guard("MinMaxScaler.Transform", &err)
	if s == nil || len(s.Min) != len(s.Max) {
		return nil, errors.New("preprocessing: MinMaxScaler.Transform: scaler not fitted")
	}
	return mapFeatures("MinMaxScaler.Transform", x, s.Shape, len(s.Min), func(v float64, j int) float64 {
		r := s.Max[j] - s.Min[j]
		if r == 0 {
			r = 1
		}
		return s.Low + (v-s.Min[j])/r*(s.High-s.Low)
	})
}

// InverseTransform undoes Transform.
func (s *MinMaxScaler) InverseTransform(x *tensor.Dense) (out *tensor.Dense, err error) {
	defer guard("MinMaxScaler.InverseTransform", &err)
	if s == nil || len(s.Min) != len(s.Max) {
		return nil, errors.New("preprocessing: MinMaxScaler.InverseTransform: scaler not fitted")
	}
	return mapFeatures("MinMaxScaler.InverseTransform", x, s.Shape, len(s.Min), func(v float64, j int) float64 {
		r := s.Max[j] - s.Min[j]
		if r == 0 {
			r = 1
		}
		return (v-s.Low)/(s.High-s.Low)*r + s.Min[j]
	})
}

// MinMax fits a MinMaxScaler on x and returns x transformed with it, and the
// scaler. Accepted option: FeatureRange (default [0, 1]).
func MinMax(x *tensor.Dense, opts ...MinMaxOption) (*tensor.Dense, *MinMaxScaler, error) {
	s, err := FitMinMax(x, opts...)
	if err != nil {
		return nil, nil, err
	}
	out, err := s.Transform(x)
	if err != nil {
		return nil, nil, err
	}
	return out, s, nil
}

// Rescale returns x*scale as a float tensor, the usual first step for
// images (Rescale(x, 1.0/255) maps uint8 pixels to [0, 1]), like Keras's
// Rescaling layer. Accepted option: Dtype (Float32, the default, or Float64).
func Rescale(x *tensor.Dense, scale float64, opts ...RescaleOption) (out *tensor.Dense, err error) {
	defer guard("Rescale", &err)
	c, err := newConfig("Rescale", opts, RescaleOption.rescale)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(scale) || math.IsInf(scale, 0) {
		return nil, errors.Errorf("preprocessing: Rescale: scale %v must be finite", scale)
	}
	dt := tensor.Float32
	if c.dtype == tensor.Float64 {
		dt = tensor.Float64
	} else if c.dtype != (tensor.Dtype{}) && c.dtype != tensor.Float32 {
		return nil, errors.Errorf("preprocessing: Rescale: Dtype(%v): want float32 or float64", c.dtype)
	}
	x, err = contiguous(x)
	if err != nil {
		return nil, errors.WithMessage(err, "preprocessing: Rescale")
	}
	shape := x.Shape()
	if x.IsScalar() {
		shape = tensor.Shape{1}
	}
	// Convert straight into the result's dtype: a 60000x28x28 uint8 image
	// set would otherwise pass through a 376 MB float64 copy.
	var data interface{}
	switch d := x.Data().(type) {
	case []uint8:
		data = rescale(d, scale, dt)
	case []float32:
		data = rescale(d, scale, dt)
	default:
		f, err := float64s(x)
		if err != nil {
			return nil, errors.WithMessage(err, "preprocessing: Rescale")
		}
		data = rescale(f, scale, dt)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)), nil
}

// rescale returns float64(v)*scale for every v, as []float32 or []float64
// (the product is taken in float64 either way, as R's x / 255 is).
// The result is what batches are gathered from: a large one gets huge
// pages (keras/internal/hugepages).
func rescale[S number](src []S, scale float64, dt tensor.Dtype) interface{} {
	if dt == tensor.Float32 {
		out := hugepages.Make[float32](len(src))
		for i, v := range src {
			out[i] = float32(float64(v) * scale)
		}
		return out
	}
	out := hugepages.Make[float64](len(src))
	for i, v := range src {
		out[i] = float64(v) * scale
	}
	return out
}
