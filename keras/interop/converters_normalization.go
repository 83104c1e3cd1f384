package interop

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the normalization layers. Keys and defaults follow
// Keras 3's get_config (keras/src/layers/normalization/
// batch_normalization.py, layer_normalization.py). Keras, TensorFlow.js
// and gokeras compute the same thing: gamma*(x - mean)/sqrt(var +
// epsilon) + beta, with moving = moving*momentum + batch*(1 - momentum);
// the weights are gamma (if scale), beta (if center), moving_mean and
// moving_variance, in that order and with the same (C) shape, in all of
// them.
//
// axis is an int in Keras 3 and TensorFlow.js and a one-element list in
// tf.keras files ([3] for images, counted with the batch axis); gokeras
// normalises over the last axis only, which the layer checks when it is
// built. Keras 2's renorm, virtual_batch_size and adjustment, Keras 3's
// synchronized (TensorFlow's cross-replica statistics) and
// LayerNormalization's rms_scaling are refused, naming the key.

func init() {
	builtin("BatchNormalization", Converter{FromKeras: batchNormFrom, ToKeras: batchNormTo})
	builtin("LayerNormalization", Converter{FromKeras: layerNormFrom, ToKeras: layerNormTo})
}

// normAxis reads axis (an int or a one-element list).
func normAxis(c *LayerConfig) int {
	a := c.Ints("axis")
	switch len(a) {
	case 0:
		return -1
	case 1:
		return a[0]
	}
	c.Fail("axis", errors.Errorf("%v: gokeras normalises over one axis, the last", a))
	return -1
}

// gammaBetaKeys reads gamma's and beta's initializers, regularizers and
// constraints.
func gammaBetaKeys(c *LayerConfig) []layers.NormWeightOption {
	opts := []layers.NormWeightOption{
		layers.BetaInitializer(c.Initializer("beta_initializer", initializers.Zeros())),
		layers.GammaInitializer(c.Initializer("gamma_initializer", initializers.Ones())),
	}
	if r := c.Regularizer("beta_regularizer"); r != nil {
		opts = append(opts, layers.BetaRegularizer(r))
	}
	if r := c.Regularizer("gamma_regularizer"); r != nil {
		opts = append(opts, layers.GammaRegularizer(r))
	}
	if k := c.Constraint("beta_constraint"); k != nil {
		opts = append(opts, layers.BetaConstraint(k))
	}
	if k := c.Constraint("gamma_constraint"); k != nil {
		opts = append(opts, layers.GammaConstraint(k))
	}
	return opts
}

func batchNormFrom(c *LayerConfig) (layers.Layer, error) {
	var opts []layers.BatchNormOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	opts = append(opts,
		layers.Axis(normAxis(c)),
		layers.Momentum(c.Float("momentum", 0.99)),
		layers.Epsilon(c.Float("epsilon", 1e-3)),
		layers.Center(c.Bool("center", true)),
		layers.Scale(c.Bool("scale", true)),
		layers.MovingMeanInitializer(c.Initializer("moving_mean_initializer", initializers.Zeros())),
		layers.MovingVarianceInitializer(c.Initializer("moving_variance_initializer", initializers.Ones())))
	for _, o := range gammaBetaKeys(c) {
		opts = append(opts, o)
	}
	if c.Bool("synchronized", false) {
		c.Fail("synchronized", errors.New("true (TensorFlow's cross-replica batch statistics) is not supported by gokeras"))
	}
	if c.Bool("renorm", false) {
		c.Fail("renorm", errors.New("true (batch renormalization) is not supported by gokeras"))
	}
	// Settings of renorm (off) and of TensorFlow's kernel choice.
	c.Ignore("renorm_clipping", "renorm_momentum", "fused")
	if c.Has("virtual_batch_size") {
		c.Fail("virtual_batch_size", errors.New("ghost batch normalization is not supported by gokeras"))
	}
	if c.Has("adjustment") {
		c.Fail("adjustment", errors.New("an adjustment function is not supported by gokeras"))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.BatchNormalization(opts...), nil
}

func batchNormTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.BatchNormConfig)
	if !ok {
		return errors.Errorf("the BatchNormalization converter got a %T", l)
	}
	w.Set("axis", c.Axis)
	w.Set("momentum", c.Momentum)
	w.Set("epsilon", c.Epsilon)
	w.Set("center", c.Center)
	w.Set("scale", c.Scale)
	setInit(w, "beta_initializer", c.BetaInitializer)
	setInit(w, "gamma_initializer", c.GammaInitializer)
	setInit(w, "moving_mean_initializer", c.MovingMeanInitializer)
	setInit(w, "moving_variance_initializer", c.MovingVarianceInitializer)
	setReg(w, "beta_regularizer", c.BetaRegularizer)
	setReg(w, "gamma_regularizer", c.GammaRegularizer)
	setCon(w, "beta_constraint", c.BetaConstraint)
	setCon(w, "gamma_constraint", c.GammaConstraint)
	if w.Dialect() == Keras3 {
		w.Set("synchronized", false)
	}
	return nil
}

func layerNormFrom(c *LayerConfig) (layers.Layer, error) {
	var opts []layers.LayerNormOption
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	opts = append(opts,
		layers.Axis(normAxis(c)),
		layers.Epsilon(c.Float("epsilon", 1e-3)),
		layers.Center(c.Bool("center", true)),
		layers.Scale(c.Bool("scale", true)))
	for _, o := range gammaBetaKeys(c) {
		opts = append(opts, o)
	}
	if c.Bool("rms_scaling", false) {
		c.Fail("rms_scaling", errors.New("true (RMS normalization) is not supported by gokeras"))
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.LayerNormalization(opts...), nil
}

func layerNormTo(l layers.Layer, w *KerasConfig) error {
	c, ok := l.Config().(layers.LayerNormConfig)
	if !ok {
		return errors.Errorf("the LayerNormalization converter got a %T", l)
	}
	w.Set("axis", c.Axis)
	w.Set("epsilon", c.Epsilon)
	w.Set("center", c.Center)
	w.Set("scale", c.Scale)
	if w.Dialect() != TFJS {
		w.Set("rms_scaling", false)
	}
	setInit(w, "beta_initializer", c.BetaInitializer)
	setInit(w, "gamma_initializer", c.GammaInitializer)
	setReg(w, "beta_regularizer", c.BetaRegularizer)
	setReg(w, "gamma_regularizer", c.GammaRegularizer)
	if w.Dialect() == TFJS {
		if c.BetaConstraint != nil || c.GammaConstraint != nil {
			return errors.New("beta_constraint/gamma_constraint: TensorFlow.js's LayerNormalization has no constraints")
		}
		return nil
	}
	setCon(w, "beta_constraint", c.BetaConstraint)
	setCon(w, "gamma_constraint", c.GammaConstraint)
	return nil
}
