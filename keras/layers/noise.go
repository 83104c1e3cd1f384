package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// The regularisation layers that draw noise while training, beside
// Dropout: SpatialDropout1D/2D, GaussianNoise and GaussianDropout (Keras
// 3's keras/src/layers/regularization/spatial_dropout.py,
// gaussian_noise.py, gaussian_dropout.py). Like Dropout they are active in
// training graphs only, draw from the model's noise stream (derived from
// the model's seed and the epoch) or from their own Seed, whose position
// is saved with the model (LayerState).

// NoiseLayer is SpatialDropout1D, SpatialDropout2D, GaussianNoise or
// GaussianDropout.
type NoiseLayer struct {
	Base
	class      string
	value      float64 // rate, or GaussianNoise's stddev
	seed       *int64
	src        *pcgSource
	rng        *rand.Rand
	dataFormat string
}

// NoiseOption is an option of SpatialDropout1D/2D, GaussianNoise and
// GaussianDropout: Seed, DataFormat (SpatialDropout2D only) or a Common
// option.
type NoiseOption interface{ applyNoise(*NoiseLayer) }

func (c Common) applyNoise(l *NoiseLayer) { c.ApplyTo(&l.Base) }
func (o SeedOption) applyNoise(l *NoiseLayer) {
	seed := o.seed
	l.seed = &seed
}
func (o DataFormatOption) applyNoise(l *NoiseLayer) {
	if l.class != "SpatialDropout2D" {
		l.Fail(&kerrors.OptionError{Call: l.class, Option: "data_format", Value: o.f, Msg: "only SpatialDropout2D takes it"})
		return
	}
	l.dataFormat = o.f
}

// The PCG stream selectors of the seeded noise layers (each class its
// own, so that layers given one seed draw different numbers).
var noiseStreams = map[string]uint64{
	"SpatialDropout1D": 0x7370647231, // "spdr1"
	"SpatialDropout2D": 0x7370647232, // "spdr2"
	"GaussianNoise":    0x676e6f697365,
	"GaussianDropout":  0x6764726f70,
}

// SpatialDropout2D returns a layer that, in training only, drops whole
// feature maps of images (batch, rows, cols, channels): each (sample,
// channel) pair is zeroed with probability rate, and kept ones are scaled
// by 1/(1-rate) (Keras: layer_spatial_dropout_2d / SpatialDropout2D,
// Dropout with noise_shape (batch, 1, 1, channels)). rate must be in [0,
// 1). Options: Seed, DataFormat ("channels_last") and the Common options.
func SpatialDropout2D(rate float64, opts ...NoiseOption) *NoiseLayer {
	return newNoise("SpatialDropout2D", rate, opts)
}

// SpatialDropout1D is SpatialDropout2D for sequences (batch, steps,
// channels): each (sample, channel) pair is dropped for every step
// (Keras: layer_spatial_dropout_1d / SpatialDropout1D). Options: Seed and
// the Common options.
func SpatialDropout1D(rate float64, opts ...NoiseOption) *NoiseLayer {
	return newNoise("SpatialDropout1D", rate, opts)
}

// GaussianNoise returns a layer that, in training only, adds zero-mean
// Gaussian noise of the given standard deviation to its input (Keras:
// layer_gaussian_noise / GaussianNoise). stddev must be in [0, 1], as
// Keras 3 requires. Options: Seed and the Common options.
func GaussianNoise(stddev float64, opts ...NoiseOption) *NoiseLayer {
	return newNoise("GaussianNoise", stddev, opts)
}

// GaussianDropout returns a layer that, in training only, multiplies its
// input by Gaussian noise of mean 1 and standard deviation
// sqrt(rate/(1-rate)) (Keras: layer_gaussian_dropout / GaussianDropout).
// rate must be in [0, 1). Options: Seed and the Common options.
func GaussianDropout(rate float64, opts ...NoiseOption) *NoiseLayer {
	return newNoise("GaussianDropout", rate, opts)
}

func newNoise(class string, value float64, opts []NoiseOption) *NoiseLayer {
	l := &NoiseLayer{class: class, value: value, dataFormat: "channels_last"}
	l.Init(l, class)
	l.SetSupportsMasking(true)
	applyOptions(l, class, opts, func(o NoiseOption) { o.applyNoise(l) })
	if class == "GaussianNoise" {
		if !(value >= 0 && value <= 1) {
			l.Fail(&kerrors.OptionError{Call: class, Option: "stddev", Value: fmt.Sprint(value), Msg: "must be in [0, 1] (Keras's range)"})
		}
	} else if !(value >= 0 && value < 1) {
		l.Fail(&kerrors.OptionError{Call: class, Option: "rate", Value: fmt.Sprint(value), Msg: "must be in [0, 1)"})
	}
	if err := checkDataFormat(class, l.dataFormat); err != nil {
		l.Fail(err)
	}
	if l.seed != nil {
		l.src = &pcgSource{randv2.NewPCG(uint64(*l.seed), noiseStreams[class])}
		l.rng = rand.New(l.src)
	}
	return l
}

// ClassName returns the layer's Keras class.
func (l *NoiseLayer) ClassName() string { return l.class }

// Rate returns the drop rate (SpatialDropout, GaussianDropout) or the
// standard deviation (GaussianNoise).
func (l *NoiseLayer) Rate() float64 { return l.value }

// Build checks the input's rank for the spatial dropouts and returns the
// input shape.
func (l *NoiseLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	switch l.class {
	case "SpatialDropout1D":
		if _, err := spatialInput(l.class, l.name, in, 1); err != nil {
			return nil, err
		}
	case "SpatialDropout2D":
		if _, err := spatialInput(l.class, l.name, in, 2); err != nil {
			return nil, err
		}
	}
	return l.FinishBuild(in, in), nil
}

// Forward adds or multiplies by fresh noise in training graphs and
// passes x through otherwise.
func (l *NoiseLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	if !s.Training() || l.value == 0 {
		return x, nil
	}
	shape := []int(x.Shape().Clone())
	var fill func(rng *rand.Rand, d any)
	combine := backend.MulNoise
	switch l.class {
	case "GaussianNoise":
		sd := l.value
		fill = func(rng *rand.Rand, d any) { gaussian(rng, d, 0, sd) }
		combine = backend.AddNoise
	case "GaussianDropout":
		sd := math.Sqrt(l.value / (1 - l.value))
		fill = func(rng *rand.Rand, d any) { gaussian(rng, d, 1, sd) }
	default:
		keep := 1 - l.value
		n, c := shape[0], shape[len(shape)-1]
		span := prod(shape[1 : len(shape)-1])
		fill = func(rng *rand.Rand, d any) {
			switch d := d.(type) {
			case []float32:
				spatialMask(rng, d, n, span, c, keep)
			case []float64:
				spatialMask(rng, d, n, span, c, keep)
			}
		}
	}
	noise := s.Noise(l.name+"/noise", shape, func(rng *rand.Rand, dst *tensor.Dense) {
		if l.rng != nil {
			rng = l.rng
		}
		fill(rng, dst.Data())
	})
	out, err := combine(x, noise)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

// gaussian fills d with mean + sd * N(0, 1).
func gaussian(rng *rand.Rand, d any, mean, sd float64) {
	switch d := d.(type) {
	case []float32:
		for i := range d {
			d[i] = float32(mean + sd*rng.NormFloat64())
		}
	case []float64:
		for i := range d {
			d[i] = mean + sd*rng.NormFloat64()
		}
	}
}

// spatialMask fills an (n, span, c) mask: one keep/drop draw per (sample,
// channel), in that order, repeated over the span positions.
func spatialMask[T backend.Float](rng *rand.Rand, d []T, n, span, c int, keep float64) {
	scale := T(1 / keep)
	row := make([]T, c)
	for i := 0; i < n; i++ {
		for j := range row {
			if rng.Float64() < keep {
				row[j] = scale
			} else {
				row[j] = 0
			}
		}
		block := d[i*span*c : (i+1)*span*c]
		for p := 0; p < span; p++ {
			copy(block[p*c:(p+1)*c], row)
		}
	}
}

// LayerState returns the position of the layer's own random stream (nil
// without a Seed).
func (l *NoiseLayer) LayerState() ([]byte, error) {
	if l.src == nil {
		return nil, nil
	}
	return l.src.p.MarshalBinary()
}

// SetLayerState moves the layer's own random stream to a position saved
// by LayerState.
func (l *NoiseLayer) SetLayerState(state []byte) error {
	if l.src == nil {
		return errors.Errorf("layers: %s: a %s without its own seed has no state to restore", l.name, l.class)
	}
	p := &randv2.PCG{}
	if err := p.UnmarshalBinary(state); err != nil {
		return errors.Wrapf(err, "layers: %s: random stream state", l.name)
	}
	l.src.p = p
	return nil
}

// NoiseConfig is the serialisable configuration of the noise layers:
// Rate for the dropouts, Stddev for GaussianNoise.
type NoiseConfig struct {
	BaseConfig
	Rate       *float64 `json:"rate,omitempty"`
	Stddev     *float64 `json:"stddev,omitempty"`
	Seed       *int64   `json:"seed,omitempty"`
	DataFormat string   `json:"data_format,omitempty"`
}

// Config returns the layer's configuration.
func (l *NoiseLayer) Config() any {
	v := l.value
	c := NoiseConfig{BaseConfig: l.BaseConfig(), Seed: l.seed}
	if l.class == "GaussianNoise" {
		c.Stddev = &v
	} else {
		c.Rate = &v
	}
	if l.class == "SpatialDropout2D" {
		c.DataFormat = l.dataFormat
	}
	return c
}

func init() {
	for class := range noiseStreams {
		class := class
		classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
			var c NoiseConfig
			if err := decode(class, raw, &c); err != nil {
				return nil, err
			}
			common, err := c.BaseConfig.Common()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", class)
			}
			var opts []NoiseOption
			for _, o := range common {
				opts = append(opts, o)
			}
			if c.Seed != nil {
				opts = append(opts, Seed(*c.Seed))
			}
			if c.DataFormat != "" {
				opts = append(opts, DataFormat(c.DataFormat))
			}
			v := c.Rate
			if class == "GaussianNoise" {
				v = c.Stddev
			}
			if v == nil {
				return nil, errors.Errorf("layers: %s config: no %s", class, map[bool]string{true: "stddev", false: "rate"}[class == "GaussianNoise"])
			}
			return newNoise(class, *v, opts), nil
		})
	}
}
