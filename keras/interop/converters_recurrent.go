package interop

import (
	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
)

// The converters of the recurrent layers SimpleRNN, LSTM and GRU. Keys
// and defaults follow Keras 3's get_config (keras/src/layers/rnn/rnn.py:
// return_sequences, return_state, go_backwards, stateful, unroll,
// zero_output_for_mask; simple_rnn.py, lstm.py, gru.py: units, the
// activations, the three weights' initializers, regularizers and
// constraints, dropout, recurrent_dropout, seed, LSTM's unit_forget_bias,
// GRU's reset_after), and accept Keras 2's (implementation, time_major)
// and TensorFlow.js's spellings.
//
// gokeras keeps the weights in Keras's layout and gate order (kernel
// (features, g*units), recurrent_kernel (units, g*units), bias (g*units),
// or (2, 3*units) for GRU with reset_after; LSTM gates i, f, c, o, GRU
// gates z, r, h), so no weight is reordered; Keras 3 keeps them in the
// layer's cell ("layers/lstm/cell/vars").
//
// Differences: TensorFlow.js's GRU is always reset_after=false (tfjs 4
// writes the key as false, older tfjs not at all), and an older Keras 2
// GRU without the key was too; both read as reset_after=false, and a
// reset_after=true GRU cannot be written to TensorFlow.js. "hard_sigmoid" in Keras 2 and
// TensorFlow.js files is clip(0.2x + 0.5, 0, 1) (gokeras's
// keras2_hard_sigmoid), in Keras 3 files Keras 3's relu6(x + 3) / 6.
// stateful=true is not supported; unroll, implementation and use_cudnn
// choose how Keras computes the same values and are accepted (and not
// kept); seed and zero_output_for_mask have no TensorFlow.js spelling.

func init() {
	for _, class := range []string{"SimpleRNN", "LSTM", "GRU"} {
		class := class
		builtin(class, Converter{
			FromKeras: func(c *LayerConfig) (layers.Layer, error) { return recurrentFrom(class, c) },
			ToKeras: func(l layers.Layer, w *KerasConfig) error {
				return recurrentTo(l, w, false)
			},
			Keras3Vars: cellVars,
		})
	}
}

// cellVars places every weight of a recurrent layer in its cell, as
// Keras 3 does (the cell creates them).
func cellVars(l layers.Layer) []string {
	out := make([]string, len(l.LayerBase().WeightNames()))
	for i := range out {
		out[i] = "cell"
	}
	return out
}

func recurrentFrom(class string, c *LayerConfig) (layers.Layer, error) {
	opts := []layers.RNNOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	// An absent activation is Keras's default (tanh); null is linear.
	if c.Raw("activation") == nil {
		opts = append(opts, activationOf(activations.Tanh()))
	} else {
		opts = append(opts, activationOf(c.Activation("activation")))
	}
	if class != "SimpleRNN" {
		if c.Raw("recurrent_activation") == nil {
			var def activations.Activation = activations.Sigmoid()
			if c.Dialect == TFJS {
				def = keras2HardSigmoid{}
			}
			opts = append(opts, layers.RecurrentActivation(def))
		} else {
			opts = append(opts, layers.RecurrentActivation(c.Activation("recurrent_activation")))
		}
	}
	for _, o := range kernelKeys(c) {
		opts = append(opts, o)
	}
	opts = append(opts, layers.RecurrentInitializer(c.Initializer("recurrent_initializer", initializers.Orthogonal())))
	if r := c.Regularizer("recurrent_regularizer"); r != nil {
		opts = append(opts, layers.RecurrentRegularizer(r))
	}
	if k := c.Constraint("recurrent_constraint"); k != nil {
		opts = append(opts, layers.RecurrentConstraint(k))
	}
	switch class {
	case "LSTM":
		// TensorFlow.js writes null for its default, which is false there.
		opts = append(opts, layers.UnitForgetBias(c.Bool("unit_forget_bias", c.Dialect != TFJS)))
	case "GRU":
		// Keras 3 (and tf.keras 2, which always writes the key) default to
		// reset_after=true; TensorFlow.js's GRU and Keras 2's before 2.1.3
		// compute reset_after=false and write no key.
		opts = append(opts, layers.ResetAfter(c.Bool("reset_after", c.Dialect == Keras3)))
	}
	if rate := c.Float("dropout", 0); rate != 0 {
		opts = append(opts, layers.InputDropout(rate))
	}
	if rate := c.Float("recurrent_dropout", 0); rate != 0 {
		opts = append(opts, layers.RecurrentDropout(rate))
	}
	if c.Has("seed") {
		opts = append(opts, layers.Seed(int64(c.Int("seed", 0))))
	}
	opts = append(opts,
		layers.ReturnSequences(c.Bool("return_sequences", false)),
		layers.ReturnState(c.Bool("return_state", false)),
		layers.GoBackwards(c.Bool("go_backwards", false)),
		layers.ZeroOutputForMask(c.Bool("zero_output_for_mask", false)))
	if c.Bool("stateful", false) {
		c.Fail("stateful", errors.New("stateful recurrent layers are not supported by gokeras (it starts every batch from zero or given initial states; load the weights into a stateless layer)"))
	}
	if c.Bool("time_major", false) {
		c.Fail("time_major", errors.New("time-major recurrent layers are not supported by gokeras (its sequences are (batch, timesteps, features))"))
	}
	// unroll computes the same values with an unrolled loop; gokeras
	// always runs its fused loop.
	c.Bool("unroll", false)
	if class != "SimpleRNN" {
		// Keras 2's implementation 1 and 2 compute the same values (they
		// differ in the layout of the matrix products and in whether
		// dropout masks are drawn per gate).
		c.Expect("implementation", 1, 2)
	}
	c.Ignore("use_cudnn")
	if c.Has("cell") {
		c.Fail("cell", errors.Errorf("a %s config with a cell is not supported by gokeras", class))
	}
	units := c.Int("units", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	switch class {
	case "SimpleRNN":
		return layers.SimpleRNN(units, opts...), nil
	case "LSTM":
		return layers.LSTM(units, opts...), nil
	}
	return layers.GRU(units, opts...), nil
}

// recurrentTo writes a recurrent layer's config in Keras's order. Inside
// Bidirectional (wrapped) zero_output_for_mask is the wrapper's doing and
// is written only where Keras writes it.
func recurrentTo(l layers.Layer, w *KerasConfig, wrapped bool) error {
	r, ok := l.(*layers.RecurrentLayer)
	if !ok {
		return errors.Errorf("the recurrent converter got a %T", l)
	}
	c, ok := r.Config().(layers.RecurrentConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", r.ClassName(), r.Config())
	}
	class := r.ClassName()
	d := w.Dialect()
	if d == TFJS {
		if c.ResetAfter != nil && *c.ResetAfter {
			return errors.New("GRU with reset_after=true has no TensorFlow.js equivalent (TensorFlow.js's GRU computes reset_after=false); use layers.ResetAfter(false)")
		}
		if c.ZeroOutputForMask && !wrapped {
			return errors.New("zero_output_for_mask has no TensorFlow.js equivalent")
		}
	}
	rnnBase := func() {
		w.Set("return_sequences", c.ReturnSequences)
		w.Set("return_state", c.ReturnState)
		w.Set("go_backwards", c.GoBackwards)
		w.Set("stateful", false)
		w.Set("unroll", false)
		switch {
		case d == Keras3:
			w.Set("zero_output_for_mask", c.ZeroOutputForMask)
		case d == Keras2:
			w.Set("time_major", false)
			// tf.keras writes the key only when set; a wrapped layer's is
			// Bidirectional's doing.
			if c.ZeroOutputForMask && !wrapped {
				w.Set("zero_output_for_mask", true)
			}
		}
	}
	if d == Keras3 {
		rnnBase()
	}
	w.Set("units", c.Units)
	act, err := activations.FromConfig(c.Activation)
	if err != nil {
		return errors.Wrap(err, "activation")
	}
	w.SetActivation("activation", act)
	if c.RecurrentActivation != nil {
		ra, err := activations.FromConfig(*c.RecurrentActivation)
		if err != nil {
			return errors.Wrap(err, "recurrent_activation")
		}
		w.SetActivation("recurrent_activation", ra)
	}
	w.Set("use_bias", c.UseBias)
	setInit(w, "kernel_initializer", c.KernelInitializer)
	setInit(w, "recurrent_initializer", c.RecurrentInitializer)
	setInit(w, "bias_initializer", c.BiasInitializer)
	if c.UnitForgetBias != nil {
		w.Set("unit_forget_bias", *c.UnitForgetBias)
	}
	setReg(w, "kernel_regularizer", c.KernelRegularizer)
	setReg(w, "recurrent_regularizer", c.RecurrentRegularizer)
	setReg(w, "bias_regularizer", c.BiasRegularizer)
	setReg(w, "activity_regularizer", c.ActivityRegularizer)
	setCon(w, "kernel_constraint", c.KernelConstraint)
	setCon(w, "recurrent_constraint", c.RecurrentConstraint)
	setCon(w, "bias_constraint", c.BiasConstraint)
	w.Set("dropout", c.Dropout)
	w.Set("recurrent_dropout", c.RecurrentDropout)
	switch d {
	case Keras3:
		if c.ResetAfter != nil {
			w.Set("reset_after", *c.ResetAfter)
		}
		if c.Seed != nil {
			w.Set("seed", *c.Seed)
		} else {
			w.Set("seed", nil)
		}
	case Keras2:
		if class != "SimpleRNN" {
			// gokeras draws one recurrent dropout mask per gate, Keras 2's
			// implementation 1; otherwise Keras 2's default, 2.
			impl := 2
			if c.RecurrentDropout > 0 {
				impl = 1
			}
			w.Set("implementation", impl)
		}
		if c.ResetAfter != nil {
			w.Set("reset_after", *c.ResetAfter)
		}
		rnnBase()
	case TFJS:
		if class != "SimpleRNN" {
			w.Set("implementation", nil)
		}
		// tfjs 4 writes its GRU's (only) convention.
		if c.ResetAfter != nil {
			w.Set("reset_after", false)
		}
		rnnBase()
	}
	return nil
}
