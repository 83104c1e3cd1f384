package interop

import (
	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// The converters of the core layers. Keys and defaults follow Keras 3's
// get_config (keras/src/layers/core/dense.py, input_layer.py;
// regularization/dropout.py; reshaping/flatten.py, reshape.py;
// activations/activation.py) and accept Keras 2's and TensorFlow.js's
// spellings of the same settings.

func init() {
	builtin("Dense", Converter{FromKeras: denseFrom, ToKeras: denseTo})
	builtin("Dropout", Converter{FromKeras: dropoutFrom, ToKeras: dropoutTo})
	builtin("Flatten", Converter{FromKeras: flattenFrom, ToKeras: flattenTo})
	builtin("Reshape", Converter{FromKeras: reshapeFrom, ToKeras: reshapeTo})
	builtin("Activation", Converter{FromKeras: activationLayerFrom, ToKeras: activationLayerTo})
	builtin("InputLayer", Converter{FromKeras: inputFrom, ToKeras: inputTo})
}

func denseFrom(c *LayerConfig) (layers.Layer, error) {
	opts := []layers.DenseOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	opts = append(opts, activationOf(c.Activation("activation")))
	for _, o := range kernelKeys(c) {
		opts = append(opts, o)
	}
	// LoRA and quantization change the weights Keras stores; a null or
	// absent value is the plain layer.
	if c.Has("lora_rank") {
		c.Fail("lora_rank", errors.New("LoRA layers are not supported by gokeras (merge the LoRA weights into the kernel in Keras first)"))
	}
	c.Ignore("lora_alpha")
	if c.Has("quantization_config") {
		c.Fail("quantization_config", errors.New("quantized layers are not supported by gokeras"))
	}
	units := c.Int("units", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Dense(units, opts...), nil
}

// kernelKeys reads use_bias and the kernel's and the bias's initializer,
// regularizer and constraint, the keys Dense, the convolutions (but the
// depthwise and separable ones) and the recurrent layers share.
func kernelKeys(c *LayerConfig) []layers.WeightOption {
	opts := []layers.WeightOption{
		layers.UseBias(c.Bool("use_bias", true)),
		layers.KernelInitializer(c.Initializer("kernel_initializer", initializers.GlorotUniform())),
	}
	if r := c.Regularizer("kernel_regularizer"); r != nil {
		opts = append(opts, layers.KernelRegularizer(r))
	}
	if k := c.Constraint("kernel_constraint"); k != nil {
		opts = append(opts, layers.KernelConstraint(k))
	}
	return append(opts, biasKeys(c)...)
}

// biasKeys reads the bias's initializer, regularizer and constraint.
func biasKeys(c *LayerConfig) []layers.WeightOption {
	opts := []layers.WeightOption{layers.BiasInitializer(c.Initializer("bias_initializer", initializers.Zeros()))}
	if r := c.Regularizer("bias_regularizer"); r != nil {
		opts = append(opts, layers.BiasRegularizer(r))
	}
	if k := c.Constraint("bias_constraint"); k != nil {
		opts = append(opts, layers.BiasConstraint(k))
	}
	return opts
}

// activationOf makes an activation into a Dense option.
func activationOf(a activations.Activation) *layers.ActivationLayer { return layers.Activation(a) }

func denseTo(l layers.Layer, w *KerasConfig) error {
	d, ok := l.(*layers.DenseLayer)
	if !ok {
		return errors.Errorf("the Dense converter got a %T", l)
	}
	c, ok := d.Config().(layers.DenseConfig)
	if !ok {
		return errors.Errorf("Dense config is a %T", d.Config())
	}
	w.Set("units", c.Units)
	w.SetActivation("activation", d.Activation())
	w.Set("use_bias", c.UseBias)
	setInit(w, "kernel_initializer", c.KernelInitializer)
	setInit(w, "bias_initializer", c.BiasInitializer)
	setReg(w, "kernel_regularizer", c.KernelRegularizer)
	setReg(w, "bias_regularizer", c.BiasRegularizer)
	if w.Dialect() != Keras3 {
		setReg(w, "activity_regularizer", c.ActivityRegularizer)
	}
	setCon(w, "kernel_constraint", c.KernelConstraint)
	setCon(w, "bias_constraint", c.BiasConstraint)
	return nil
}

func dropoutFrom(c *LayerConfig) (layers.Layer, error) {
	opts := []layers.DropoutOption{}
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	if c.Has("seed") {
		opts = append(opts, layers.Seed(int64(c.Int("seed", 0))))
	}
	if c.Has("noise_shape") {
		c.Fail("noise_shape", errors.New("Dropout with a noise_shape is not supported by gokeras"))
	}
	rate := c.Float("rate", 0)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Dropout(rate, opts...), nil
}

func dropoutTo(l layers.Layer, w *KerasConfig) error {
	d, ok := l.Config().(layers.DropoutConfig)
	if !ok {
		return errors.Errorf("the Dropout converter got a %T", l)
	}
	w.Set("rate", d.Rate)
	if d.Seed != nil {
		w.Set("seed", *d.Seed)
	} else {
		w.Set("seed", nil)
	}
	w.Set("noise_shape", nil)
	return nil
}

func flattenFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	c.Expect("data_format", "channels_last")
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Flatten(opts...), nil
}

func flattenTo(_ layers.Layer, w *KerasConfig) error {
	if w.Dialect() == Keras3 {
		w.Set("data_format", "channels_last")
	}
	return nil
}

func reshapeFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	target := c.Shape("target_shape")
	if err := c.Err(); err != nil {
		return nil, err
	}
	if target == nil {
		return nil, errors.New("Reshape has no target_shape")
	}
	return layers.Reshape(target, opts...), nil
}

func reshapeTo(l layers.Layer, w *KerasConfig) error {
	r, ok := l.Config().(layers.ReshapeConfig)
	if !ok {
		return errors.Errorf("the Reshape converter got a %T", l)
	}
	w.Set("target_shape", shapeJSON(r.TargetShape))
	return nil
}

func activationLayerFrom(c *LayerConfig) (layers.Layer, error) {
	opts := c.Common()
	a := c.Activation("activation")
	if err := c.Err(); err != nil {
		return nil, err
	}
	return layers.Activation(a, opts...), nil
}

func activationLayerTo(l layers.Layer, w *KerasConfig) error {
	a, ok := l.(*layers.ActivationLayer)
	if !ok {
		return errors.Errorf("the Activation converter got a %T", l)
	}
	w.SetActivation("activation", a.Function())
	return nil
}

// inputFrom builds an InputLayer and fixes its data's dtype: integer
// inputs (token ids) keep their type, float inputs take the model's.
func inputFrom(c *LayerConfig) (layers.Layer, error) {
	shape := c.Shape("batch_shape")
	if shape == nil {
		shape = c.Shape("batch_input_shape")
	}
	if shape == nil {
		if s := c.Shape("shape"); s != nil {
			shape = append([]int{-1}, s...)
		}
	}
	c.Ignore("batch_size")
	name := c.Name()
	if c.Bool("sparse", false) {
		c.Fail("sparse", errors.New("sparse inputs are not supported by gokeras"))
	}
	if c.Bool("ragged", false) {
		c.Fail("ragged", errors.New("ragged inputs are not supported by gokeras"))
	}
	if c.Bool("optional", false) {
		c.Fail("optional", errors.New("optional inputs are not supported by gokeras"))
	}
	dt, err := inputDtype(c.Raw("dtype"))
	if err != nil {
		c.Fail("dtype", err)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if len(shape) < 2 {
		return nil, errors.Errorf("InputLayer %s: batch shape %v has no sample axes", name, shape)
	}
	l := layers.Input(shape[1:]...)
	if name != "" {
		l.SetName(name)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	layers.NewInput(l, dt)
	return l, nil
}

// inputDtype maps an input's Keras dtype to the dtype of the data gokeras
// feeds it (the zero Dtype: the model's float type).
func inputDtype(raw []byte) (tensor.Dtype, error) {
	if raw == nil || isNull(raw) {
		return tensor.Dtype{}, nil
	}
	o, err := parseObject(raw)
	if err != nil {
		return tensor.Dtype{}, err
	}
	name := o.name
	if name == "" {
		if dt, err := policyOf(raw); err == nil {
			_ = dt
			return tensor.Dtype{}, nil
		}
		return tensor.Dtype{}, errors.Errorf("input dtype %s is not supported", truncate(raw))
	}
	switch name {
	case "float32", "float64":
		return tensor.Dtype{}, nil
	case "int32":
		return tensor.Int32, nil
	case "int64":
		return tensor.Int64, nil
	case "uint8":
		return tensor.Uint8, nil
	}
	return tensor.Dtype{}, errors.Errorf("input dtype %q is not supported (float32, float64, int32, int64, uint8)", name)
}

func inputDtypeName(dt tensor.Dtype, model tensor.Dtype) string {
	switch dt {
	case tensor.Int32:
		return "int32"
	case tensor.Int64:
		return "int64"
	case tensor.Uint8:
		return "uint8"
	}
	return model.String()
}

// inputTo is written by the model writer, which knows the model's dtype;
// this is its table entry.
func inputTo(layers.Layer, *KerasConfig) error { return nil }

func shapeJSON(shape []int) []any {
	out := make([]any, len(shape))
	for i, d := range shape {
		if d < 0 {
			out[i] = nil
		} else {
			out[i] = d
		}
	}
	return out
}

func setReg(w *KerasConfig, key string, c *regularizers.Config) {
	v, err := regConfigTo(c, w.Dialect())
	if err != nil {
		w.Fail(errors.Wrap(err, key))
		return
	}
	w.Set(key, v)
}

func setCon(w *KerasConfig, key string, c *constraints.Config) {
	v, err := conConfigTo(c, w.Dialect())
	if err != nil {
		w.Fail(errors.Wrap(err, key))
		return
	}
	w.Set(key, v)
}

// setInit writes an initializer's configuration under key.
func setInit(w *KerasConfig, key string, c initializers.Config) {
	v, err := initConfigTo(c, w.Dialect())
	if err != nil {
		w.Fail(errors.Wrap(err, key))
		return
	}
	w.Set(key, v)
}
