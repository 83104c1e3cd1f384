package interop

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the pooling layers. Keys follow Keras 3's get_config
// (keras/src/layers/pooling/base_pooling.py: pool_size, padding, strides,
// data_format; base_global_pooling.py: data_format, keepdims). Keras 2's
// and TensorFlow.js's spellings are the same; TensorFlow.js writes no
// data_format for the 1-D layers and has no keepdims. Keras 2's short
// aliases (MaxPool2D, AvgPool2D, GlobalAvgPool2D, ...) read as the long
// names.

func init() {
	for rank := 1; rank <= 2; rank++ {
		for _, mode := range []string{"max", "average"} {
			rank, mode := rank, mode
			d := string(rune('0' + rank))
			long, short := "MaxPooling", "MaxPool"
			if mode == "average" {
				long, short = "AveragePooling", "AvgPool"
			}
			pool := Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return poolFrom(c, rank, mode) }, ToKeras: poolTo}
			builtin(long+d+"D", pool)
			builtin(short+d+"D", pool)
			global := Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return globalPoolFrom(c, rank, mode) }, ToKeras: globalPoolTo}
			builtin("Global"+long+d+"D", global)
			builtin("Global"+short+d+"D", global)
		}
	}
}

func poolFrom(c *LayerConfig, rank int, mode string) (layers.Layer, error) {
	var opts []layers.PoolOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	if p := spatialTuple(c, "pool_size", rank); p != nil {
		opts = append(opts, layers.PoolSize(p...))
	}
	// strides null: Keras's default, the pool size.
	if s := spatialTuple(c, "strides", rank); s != nil {
		opts = append(opts, layers.Strides(s...))
	}
	opts = append(opts, layers.Padding(paddingKey(c, false)))
	c.Expect("data_format", "channels_last")
	if err := c.Err(); err != nil {
		return nil, err
	}
	switch {
	case mode == "max" && rank == 1:
		return layers.MaxPooling1D(opts...), nil
	case mode == "max":
		return layers.MaxPooling2D(opts...), nil
	case rank == 1:
		return layers.AveragePooling1D(opts...), nil
	}
	return layers.AveragePooling2D(opts...), nil
}

func poolTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.PoolConfig)
	if !ok {
		return errors.Errorf("the pooling converter got a %T", l)
	}
	w.Set("pool_size", c.PoolSize)
	w.Set("padding", c.Padding)
	w.Set("strides", c.Strides)
	if w.Dialect() != TFJS || len(c.PoolSize) == 2 {
		w.Set("data_format", c.DataFormat)
	}
	return nil
}

func globalPoolFrom(c *LayerConfig, rank int, mode string) (layers.Layer, error) {
	var opts []layers.GlobalPoolOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	c.Expect("data_format", "channels_last")
	opts = append(opts, layers.Keepdims(c.Bool("keepdims", false)))
	if err := c.Err(); err != nil {
		return nil, err
	}
	switch {
	case mode == "max" && rank == 1:
		return layers.GlobalMaxPooling1D(opts...), nil
	case mode == "max":
		return layers.GlobalMaxPooling2D(opts...), nil
	case rank == 1:
		return layers.GlobalAveragePooling1D(opts...), nil
	}
	return layers.GlobalAveragePooling2D(opts...), nil
}

func globalPoolTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.GlobalPoolConfig)
	if !ok {
		return errors.Errorf("the global pooling converter got a %T", l)
	}
	if w.Dialect() != TFJS {
		w.Set("data_format", c.DataFormat)
		w.Set("keepdims", c.Keepdims)
		return nil
	}
	if c.Keepdims {
		return errors.New("keepdims true: TensorFlow.js's global pooling layers have no keepdims")
	}
	if l.ClassName()[len(l.ClassName())-2] == '2' {
		w.Set("data_format", c.DataFormat)
	}
	return nil
}
