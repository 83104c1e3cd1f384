package interop

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the merging layers (Keras 3
// keras/src/layers/merging/*.py): Add, Subtract, Multiply, Average,
// Maximum and Minimum have only the base keys; Concatenate has axis
// (default -1); Dot has axes (an int or a pair) and normalize (default
// false). TensorFlow.js has no Subtract layer.

func init() {
	for _, class := range []string{"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"} {
		class := class
		builtin(class, Converter{
			FromKeras: func(c *LayerConfig) (layers.Layer, error) {
				opts := c.Common()
				if err := c.Err(); err != nil {
					return nil, err
				}
				switch class {
				case "Add":
					return layers.Add(opts...), nil
				case "Subtract":
					return layers.Subtract(opts...), nil
				case "Multiply":
					return layers.Multiply(opts...), nil
				case "Average":
					return layers.Average(opts...), nil
				case "Maximum":
					return layers.Maximum(opts...), nil
				}
				return layers.Minimum(opts...), nil
			},
			ToKeras: func(l layers.Layer, w *KerasConfig) error {
				if class == "Subtract" && w.Dialect() == TFJS {
					return errors.New("TensorFlow.js Layers has no Subtract layer")
				}
				return nil
			},
		})
	}
	builtin("Concatenate", Converter{
		FromKeras: func(c *LayerConfig) (layers.Layer, error) {
			opts := []layers.ConcatenateOption{}
			for _, o := range c.Common() {
				opts = append(opts, o)
			}
			opts = append(opts, layers.Axis(c.Int("axis", -1)))
			if err := c.Err(); err != nil {
				return nil, err
			}
			return layers.Concatenate(opts...), nil
		},
		ToKeras: func(l layers.Layer, w *KerasConfig) error {
			mc, ok := l.Config().(layers.MergeConfig)
			if !ok || mc.Axis == nil {
				return errors.Errorf("the Concatenate converter got a %T", l)
			}
			w.Set("axis", *mc.Axis)
			return nil
		},
	})
	builtin("Dot", Converter{
		FromKeras: func(c *LayerConfig) (layers.Layer, error) {
			opts := []layers.DotOption{}
			for _, o := range c.Common() {
				opts = append(opts, o)
			}
			axes := c.Ints("axes")
			opts = append(opts, layers.Normalize(c.Bool("normalize", false)))
			if err := c.Err(); err != nil {
				return nil, err
			}
			if axes == nil {
				return nil, errors.New("Dot has no axes")
			}
			return layers.Dot(axes, opts...), nil
		},
		ToKeras: func(l layers.Layer, w *KerasConfig) error {
			mc, ok := l.Config().(layers.MergeConfig)
			if !ok {
				return errors.Errorf("the Dot converter got a %T", l)
			}
			if len(mc.Axes) == 2 && mc.Axes[0] == mc.Axes[1] || len(mc.Axes) == 1 {
				w.Set("axes", mc.Axes[0])
			} else {
				w.Set("axes", mc.Axes)
			}
			w.Set("normalize", mc.Normalize)
			return nil
		},
	})
}
