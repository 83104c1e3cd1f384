package interop

import (
	"encoding/json"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the layers that pad, crop and upsample images and
// sequences. Keys follow Keras 3's get_config
// (keras/src/layers/reshaping/zero_padding1d.py, zero_padding2d.py,
// cropping1d.py, cropping2d.py, up_sampling1d.py, up_sampling2d.py):
// padding / cropping ([before, after] for 1-D, [[top, bottom], [left,
// right]] for 2-D, also an int or [rows, cols] as Keras's constructors take
// them), data_format (2-D), size and interpolation (UpSampling2D).
// TensorFlow.js has only the 2-D layers. The tfjs-layers sources at hand
// upsample by nearest neighbour only, and tfjs's resizeBilinear defaults to
// no half-pixel centres where Keras 3 and gokeras use them, so bilinear is
// refused in TensorFlow.js files, read or written, rather than risking
// other numbers than tfjs's.

func init() {
	for rank := 1; rank <= 2; rank++ {
		rank := rank
		d := string(rune('0' + rank))
		builtin("ZeroPadding"+d+"D", Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return padCropFrom(c, rank, false) }, ToKeras: padCropTo})
		builtin("Cropping"+d+"D", Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return padCropFrom(c, rank, true) }, ToKeras: padCropTo})
		builtin("UpSampling"+d+"D", Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return upSamplingFrom(c, rank) }, ToKeras: upSamplingTo})
	}
}

// amounts reads a padding or cropping value as the flat list gokeras's
// constructors take: an int, a list of ints, or (2-D) a pair of pairs.
func amounts(c *LayerConfig, key string, rank int) []int {
	raw := c.Raw(key)
	if raw == nil || isNull(raw) {
		return nil
	}
	if v, err := intsOf(raw, false); err == nil {
		return v
	}
	var pairs []json.RawMessage
	if err := json.Unmarshal(raw, &pairs); err != nil || rank != 2 || len(pairs) != 2 {
		c.Fail(key, errors.Errorf("%s is not an int, a list of ints or a pair of pairs", truncate(raw)))
		return nil
	}
	var out []int
	for _, p := range pairs {
		v, err := intsOf(p, false)
		if err != nil || len(v) > 2 {
			c.Fail(key, errors.Errorf("%s is not a pair of (before, after) pairs", truncate(raw)))
			return nil
		}
		if len(v) == 1 {
			v = append(v, v[0])
		}
		out = append(out, v...)
	}
	return out
}

func padCropFrom(c *LayerConfig, rank int, crop bool) (layers.Layer, error) {
	common := c.Common()
	key := "padding"
	if crop {
		key = "cropping"
	}
	a := amounts(c, key, rank)
	c.Expect("data_format", "channels_last")
	if err := c.Err(); err != nil {
		return nil, err
	}
	if a == nil && !crop {
		a = []int{1} // Keras's default padding
	}
	if a == nil && rank == 1 {
		a = []int{1} // Cropping1D's default (1, 1)
	}
	if a == nil {
		a = []int{0}
	}
	spatial := make([]layers.SpatialOption, len(common))
	for i, o := range common {
		spatial[i] = o
	}
	switch {
	case rank == 1 && crop:
		return layers.Cropping1D(a, common...), nil
	case rank == 1:
		return layers.ZeroPadding1D(a, common...), nil
	case crop:
		return layers.Cropping2D(a, spatial...), nil
	}
	return layers.ZeroPadding2D(a, spatial...), nil
}

func padCropTo(l layers.Layer, w *KerasConfig) error {
	p, ok := l.(*layers.PadCropLayer)
	if !ok {
		return errors.Errorf("the padding/cropping converter got a %T", l)
	}
	class := l.ClassName()
	rank2 := strings.HasSuffix(class, "2D")
	if w.Dialect() == TFJS && !rank2 {
		return noTFJS(class)
	}
	key := "padding"
	if strings.HasPrefix(class, "Cropping") {
		key = "cropping"
	}
	am := p.Amounts()
	if rank2 {
		w.Set(key, []any{[]int{am[0][0], am[0][1]}, []int{am[1][0], am[1][1]}})
		c, ok := l.Config().(layers.PadCropConfig)
		if !ok {
			return errors.Errorf("%s config is a %T", class, l.Config())
		}
		w.Set("data_format", c.DataFormat)
	} else {
		w.Set(key, []int{am[0][0], am[0][1]})
	}
	return nil
}

func upSamplingFrom(c *LayerConfig, rank int) (layers.Layer, error) {
	var opts []layers.UpSamplingOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	if s := spatialTuple(c, "size", rank); s != nil {
		opts = append(opts, layers.Size(s...))
	}
	c.Expect("data_format", "channels_last")
	if rank == 2 {
		switch in := strings.ToLower(c.String("interpolation", "nearest")); {
		case in == "bilinear" && c.Dialect == TFJS:
			c.Fail("interpolation", errors.New(`"bilinear": TensorFlow.js's bilinear upsampling is not known to match Keras 3's half-pixel resize, which gokeras computes`))
		case in == "nearest" || in == "bilinear":
			opts = append(opts, layers.Interpolation(in))
		default:
			c.Fail("interpolation", errors.Errorf("%q is not supported by gokeras (supported: \"nearest\", \"bilinear\")", in))
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if rank == 1 {
		return layers.UpSampling1D(opts...), nil
	}
	return layers.UpSampling2D(opts...), nil
}

func upSamplingTo(l layers.Layer, w *KerasConfig) error {
	u, ok := l.(*layers.UpSamplingLayer)
	if !ok {
		return errors.Errorf("the UpSampling converter got a %T", l)
	}
	size := u.Size()
	if len(size) == 1 {
		if w.Dialect() == TFJS {
			return noTFJS(l.ClassName())
		}
		w.Set("size", size[0])
		return nil
	}
	c, ok := l.Config().(layers.UpSamplingConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", l.ClassName(), l.Config())
	}
	if w.Dialect() == TFJS && u.Interpolation() != "nearest" {
		return errors.Errorf("interpolation %q: TensorFlow.js's bilinear upsampling is not known to match Keras 3's half-pixel resize, which gokeras computes", u.Interpolation())
	}
	w.Set("size", size)
	w.Set("data_format", c.DataFormat)
	w.Set("interpolation", u.Interpolation())
	return nil
}
