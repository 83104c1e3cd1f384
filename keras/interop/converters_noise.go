package interop

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the noise layers, active in training only. Keys follow
// Keras 3's get_config (keras/src/layers/regularization/
// spatial_dropout.py: rate, seed, and data_format for SpatialDropout2D;
// gaussian_noise.py: stddev, seed; gaussian_dropout.py: rate, seed).
// Keras 3's SpatialDropout constructors take no trainable argument, so it
// is left out of their Keras 3 configs. Keras 2's SpatialDropout carries
// Dropout's noise_shape, which must be null. TensorFlow.js has no
// SpatialDropout2D. The random numbers differ from Keras's whatever the
// seed (gokeras draws its own).

func init() {
	for _, class := range []string{"SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout"} {
		class := class
		builtin(class, Converter{
			FromKeras: func(c *LayerConfig) (layers.Layer, error) { return noiseFrom(c, class) },
			ToKeras:   noiseTo,
		})
	}
}

func noiseFrom(c *LayerConfig, class string) (layers.Layer, error) {
	var opts []layers.NoiseOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	if c.Has("seed") {
		opts = append(opts, layers.Seed(int64(c.Int("seed", 0))))
	}
	if c.Has("noise_shape") {
		c.Fail("noise_shape", errors.Errorf("%s with a noise_shape is not supported by gokeras", class))
	}
	c.Expect("data_format", "channels_last")
	key := "rate"
	if class == "GaussianNoise" {
		key = "stddev"
	}
	if !c.Has(key) && c.err == nil {
		c.Fail(key, errors.Errorf("missing: %s needs a %s", class, key))
	}
	v := c.Float(key, 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	switch class {
	case "SpatialDropout1D":
		return layers.SpatialDropout1D(v, opts...), nil
	case "SpatialDropout2D":
		return layers.SpatialDropout2D(v, opts...), nil
	case "GaussianNoise":
		return layers.GaussianNoise(v, opts...), nil
	}
	return layers.GaussianDropout(v, opts...), nil
}

func noiseTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.NoiseConfig)
	if !ok {
		return errors.Errorf("the noise converter got a %T", l)
	}
	class := l.ClassName()
	if class == "SpatialDropout2D" && w.Dialect() == TFJS {
		return noTFJS(class)
	}
	if w.Dialect() == Keras3 && (class == "SpatialDropout1D" || class == "SpatialDropout2D") {
		w.unset("trainable")
	}
	if c.Stddev != nil {
		w.Set("stddev", *c.Stddev)
	} else if c.Rate != nil {
		w.Set("rate", *c.Rate)
	}
	if c.Seed != nil {
		w.Set("seed", *c.Seed)
	} else {
		w.Set("seed", nil)
	}
	if class == "SpatialDropout2D" {
		w.Set("data_format", c.DataFormat)
	}
	return nil
}
