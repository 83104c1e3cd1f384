package interop

import (
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of Embedding (Keras 3 keras/src/layers/core/embedding.py:
// input_dim, output_dim, embeddings_initializer (default "uniform",
// RandomUniform(-0.05, 0.05)), embeddings_regularizer,
// activity_regularizer, embeddings_constraint, mask_zero (default false);
// Keras 2 and TensorFlow.js also write input_length) and of the sequence
// layers Masking (mask_value, default 0), RepeatVector (n) and Permute
// (dims) (Keras 3 keras/src/layers/core/masking.py,
// reshaping/repeat_vector.py, reshaping/permute.py). gokeras's embeddings
// table is Keras's, (input_dim, output_dim).

func init() {
	builtin("Embedding", Converter{FromKeras: embeddingFrom, ToKeras: embeddingTo})
	builtin("Masking", Converter{FromKeras: maskingFrom, ToKeras: maskingTo})
	builtin("RepeatVector", Converter{FromKeras: repeatVectorFrom, ToKeras: repeatVectorTo})
	builtin("Permute", Converter{FromKeras: permuteFrom, ToKeras: permuteTo})
}

func embeddingFrom(c *LayerConfig) (layers.Layer, error) {
	opts := []layers.EmbeddingOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	opts = append(opts,
		layers.EmbeddingsInitializer(c.Initializer("embeddings_initializer", initializers.RandomUniform())),
		layers.MaskZero(c.Bool("mask_zero", false)))
	if r := c.Regularizer("embeddings_regularizer"); r != nil {
		opts = append(opts, layers.EmbeddingsRegularizer(r))
	}
	if k := c.Constraint("embeddings_constraint"); k != nil {
		opts = append(opts, layers.EmbeddingsConstraint(k))
	}
	// Keras 2's input_length is the length of the index sequences; the
	// model's input shape (batch_input_shape, which Keras 2 writes with
	// it) carries the same, so it only has to be a length.
	if n := c.Int("input_length", 0); n < 0 {
		c.Fail("input_length", errors.Errorf("%d is not a sequence length", n))
	}
	if c.Has("lora_rank") {
		c.Fail("lora_rank", errors.New("LoRA layers are not supported by gokeras (merge the LoRA weights into the embeddings in Keras first)"))
	}
	c.Ignore("lora_alpha")
	if c.Has("quantization_config") {
		c.Fail("quantization_config", errors.New("quantized layers are not supported by gokeras"))
	}
	if c.Bool("sparse", false) {
		c.Fail("sparse", errors.New("sparse embeddings are not supported by gokeras"))
	}
	in, out := c.Int("input_dim", 0), c.Int("output_dim", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Embedding(in, out, opts...), nil
}

func embeddingTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.EmbeddingConfig)
	if !ok {
		return errors.Errorf("the Embedding converter got a %T", l)
	}
	w.Set("input_dim", c.InputDim)
	w.Set("output_dim", c.OutputDim)
	setInit(w, "embeddings_initializer", c.EmbeddingsInitializer)
	setReg(w, "embeddings_regularizer", c.EmbeddingsRegularizer)
	setReg(w, "activity_regularizer", c.ActivityRegularizer)
	setCon(w, "embeddings_constraint", c.EmbeddingsConstraint)
	w.Set("mask_zero", c.MaskZero)
	if w.Dialect() != Keras3 {
		// Keras 2 and TensorFlow.js record the length of the sequences.
		var n any
		if s := l.LayerBase().InputShapes(); len(s) == 1 && len(s[0]) == 1 && s[0][0] > 0 {
			n = s[0][0]
		}
		w.Set("input_length", n)
	}
	return nil
}

func maskingFrom(c *LayerConfig) (layers.Layer, error) {
	opts := []layers.MaskingOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	// null (Python's None) compares equal to nothing: gokeras's NaN.
	if raw := c.Raw("mask_value"); raw != nil && isNull(raw) {
		opts = append(opts, layers.MaskValue(math.NaN()))
	} else {
		opts = append(opts, layers.MaskValue(c.Float("mask_value", 0)))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Masking(opts...), nil
}

func maskingTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.MaskingConfig)
	if !ok {
		return errors.Errorf("the Masking converter got a %T", l)
	}
	if c.MaskValue == nil {
		if w.Dialect() == TFJS {
			return errors.New("Masking with a NaN (None) mask_value has no TensorFlow.js equivalent")
		}
		w.Set("mask_value", nil)
		return nil
	}
	w.Set("mask_value", *c.MaskValue)
	return nil
}

func repeatVectorFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	n := c.Int("n", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("RepeatVector has no n")
	}
	return layers.RepeatVector(n, opts...), nil
}

func repeatVectorTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.RepeatVectorConfig)
	if !ok {
		return errors.Errorf("the RepeatVector converter got a %T", l)
	}
	w.Set("n", c.N)
	return nil
}

func permuteFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	dims := c.Ints("dims")
	if err := c.Err(); err != nil {
		return nil, err
	}
	if dims == nil {
		return nil, errors.New("Permute has no dims")
	}
	return layers.Permute(dims, opts...), nil
}

func permuteTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.PermuteConfig)
	if !ok {
		return errors.Errorf("the Permute converter got a %T", l)
	}
	w.Set("dims", c.Dims)
	return nil
}
