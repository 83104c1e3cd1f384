package interop

import (
	"bytes"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// The converters of the convolution layers. Keys and defaults follow
// Keras 3's get_config (keras/src/layers/convolutional/base_conv.py,
// base_conv_transpose.py, base_depthwise_conv.py, base_separable_conv.py)
// and accept Keras 2's and TensorFlow.js's spellings (tf.keras writes
// groups for Conv and the classes it derives from it, 1 but for Conv1D/2D,
// and output_padding for the transposed ones; TensorFlow.js writes
// neither).
//
// Keras's kernel layouts are gokeras's, so weights need no conversion:
// Conv (k..., in/groups, out), ConvTranspose (k..., out, in),
// DepthwiseConv (k..., in, depth_multiplier), SeparableConv
// depthwise_kernel (k..., in, depth_multiplier) and pointwise_kernel
// (1..., in*depth_multiplier, out). A file's weight of another shape is
// reported by the weight reader, naming the layer and the weight.
//
// Keras 3 calls DepthwiseConv's kernel "kernel", Keras 2 and TensorFlow.js
// "depthwise_kernel"; only TensorFlow.js files name weights (Keras files
// are read by position), so the converter gives the TensorFlow.js name.
//
// Keras 3's ConvTranspose takes output_padding but its get_config leaves it
// out; gokeras writes it only when it is set, so that Keras rebuilds the
// same output shape.
//
// tfjs-layers' DepthwiseConv2D does not dilate (it passes no dilation to
// its op and computes undilated whatever dilation_rate says), so a
// dilation_rate other than 1 is refused in TensorFlow.js files, read or
// written; and its getConfig writes the depthwise regularizer under
// depthwise_constraint, so that key is ignored when it repeats
// depthwise_regularizer (the file has lost the constraint).

// convOpt is an option every convolution family takes.
type convOpt interface {
	layers.ConvOption
	layers.ConvTransposeOption
	layers.DepthwiseConvOption
	layers.SeparableConvOption
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		rank := rank
		d := string(rune('0' + rank))
		conv := Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return convFrom(c, rank) }, ToKeras: convTo}
		builtin("Conv"+d+"D", conv)
		builtin("Convolution"+d+"D", conv)
		tr := Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return convTransposeFrom(c, rank) }, ToKeras: convTransposeTo}
		builtin("Conv"+d+"DTranspose", tr)
		builtin("Convolution"+d+"DTranspose", tr)
		builtin("DepthwiseConv"+d+"D", Converter{
			FromKeras:   func(c *LayerConfig) (layers.Layer, error) { return depthwiseFrom(c, rank) },
			ToKeras:     depthwiseTo,
			WeightNames: depthwiseWeightNames,
		})
		sep := Converter{FromKeras: func(c *LayerConfig) (layers.Layer, error) { return separableFrom(c, rank) }, ToKeras: separableTo}
		builtin("SeparableConv"+d+"D", sep)
		builtin("SeparableConvolution"+d+"D", sep)
	}
}

// convKeys reads the keys every convolution has (and the base keys):
// kernel_size, strides, padding, data_format, dilation_rate and
// activation. It returns the kernel size, rank values.
func convKeys(c *LayerConfig, rank int, causal bool) ([]int, []convOpt) {
	var opts []convOpt
	for _, o := range c.Common() {
		opts = append(opts, o)
	}
	kernel := spatialTuple(c, "kernel_size", rank)
	if kernel == nil && c.err == nil {
		c.Fail("kernel_size", errors.New("missing: a convolution needs a kernel size"))
	}
	if s := c.Ints("strides"); s != nil {
		opts = append(opts, layers.Strides(s...))
	}
	if d := c.Ints("dilation_rate"); d != nil {
		opts = append(opts, layers.DilationRate(d...))
	}
	opts = append(opts, layers.Padding(paddingKey(c, causal)))
	c.Expect("data_format", "channels_last")
	opts = append(opts, activationOf(c.Activation("activation")))
	for _, key := range []string{"lora_rank", "dora_rank"} {
		if c.Has(key) {
			c.Fail(key, errors.New("LoRA and DoRA layers are not supported by gokeras (merge the adapter weights into the kernel in Keras first)"))
		}
	}
	c.Ignore("lora_alpha", "dora_alpha")
	return kernel, opts
}

// spatialTuple reads an int-or-tuple key as rank values (nil when absent
// or wrong).
func spatialTuple(c *LayerConfig, key string, rank int) []int {
	v := c.Ints(key)
	switch {
	case v == nil:
		return nil
	case len(v) == 1 && rank > 1:
		out := make([]int, rank)
		for i := range out {
			out[i] = v[0]
		}
		return out
	case len(v) != rank:
		c.Fail(key, errors.Errorf("%v has %d values, want one or %d (one per spatial axis)", v, len(v), rank))
		return nil
	}
	return v
}

// paddingKey reads a convolution's or pooling's padding mode.
func paddingKey(c *LayerConfig, causal bool) string {
	p := strings.ToLower(c.String("padding", "valid"))
	switch {
	case p == "valid" || p == "same":
	case p == "causal" && causal:
	case p == "causal":
		c.Fail("padding", errors.Errorf(`"causal" is not supported by %s (Conv1D only); use "valid" or "same"`, c.ClassName))
	default:
		want := `"valid" or "same"`
		if causal {
			want = `"valid", "same" or "causal"`
		}
		c.Fail("padding", errors.Errorf("%q is not a padding mode (%s)", p, want))
	}
	return p
}

// depthwiseKeys reads the depthwise kernel's keys.
func depthwiseKeys(c *LayerConfig) []layers.DepthwiseWeightOption {
	opts := []layers.DepthwiseWeightOption{layers.DepthwiseInitializer(c.Initializer("depthwise_initializer", initializers.GlorotUniform()))}
	if c.Dialect == TFJS && c.ClassName == "DepthwiseConv2D" && c.Has("depthwise_constraint") &&
		bytes.Equal(bytes.TrimSpace(c.Raw("depthwise_constraint")), bytes.TrimSpace(c.Raw("depthwise_regularizer"))) {
		c.Ignore("depthwise_constraint") // tfjs-layers wrote the regularizer there
	} else if k := c.Constraint("depthwise_constraint"); k != nil {
		opts = append(opts, layers.DepthwiseConstraint(k))
	}
	if r := c.Regularizer("depthwise_regularizer"); r != nil {
		opts = append(opts, layers.DepthwiseRegularizer(r))
	}
	return opts
}

// tfjsUndilated refuses a dilation_rate other than 1 in a TensorFlow.js
// DepthwiseConv2D, which tfjs-layers computes undilated.
func tfjsUndilated(c *LayerConfig) {
	if d := c.Ints("dilation_rate"); c.Dialect == TFJS && d != nil && !ones(d) {
		c.Fail("dilation_rate", errors.Errorf("%v: TensorFlow.js's DepthwiseConv2D ignores dilation_rate (it computes undilated), so the file does not say which convolution it computed", d))
	}
}

// pointwiseKeys reads the pointwise kernel's keys.
func pointwiseKeys(c *LayerConfig) []layers.PointwiseWeightOption {
	opts := []layers.PointwiseWeightOption{layers.PointwiseInitializer(c.Initializer("pointwise_initializer", initializers.GlorotUniform()))}
	if r := c.Regularizer("pointwise_regularizer"); r != nil {
		opts = append(opts, layers.PointwiseRegularizer(r))
	}
	if k := c.Constraint("pointwise_constraint"); k != nil {
		opts = append(opts, layers.PointwiseConstraint(k))
	}
	return opts
}

func convFrom(c *LayerConfig, rank int) (layers.Layer, error) {
	kernel, shared := convKeys(c, rank, rank == 1)
	filters := c.Int("filters", 0)
	groups := c.Int("groups", 1)
	weights := kernelKeys(c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	opts := []layers.ConvOption{layers.Groups(groups)}
	for _, o := range shared {
		opts = append(opts, o)
	}
	for _, o := range weights {
		opts = append(opts, o)
	}
	if rank == 1 {
		return layers.Conv1D(filters, kernel[0], opts...), nil
	}
	return layers.Conv2D(filters, [2]int{kernel[0], kernel[1]}, opts...), nil
}

func convTransposeFrom(c *LayerConfig, rank int) (layers.Layer, error) {
	kernel, shared := convKeys(c, rank, false)
	filters := c.Int("filters", 0)
	c.Expect("groups", 1)
	outPad := c.Ints("output_padding")
	weights := kernelKeys(c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	var opts []layers.ConvTransposeOption
	for _, o := range shared {
		opts = append(opts, o)
	}
	for _, o := range weights {
		opts = append(opts, o)
	}
	if outPad != nil {
		opts = append(opts, layers.OutputPadding(outPad...))
	}
	if rank == 1 {
		return layers.Conv1DTranspose(filters, kernel[0], opts...), nil
	}
	return layers.Conv2DTranspose(filters, [2]int{kernel[0], kernel[1]}, opts...), nil
}

func depthwiseFrom(c *LayerConfig, rank int) (layers.Layer, error) {
	kernel, shared := convKeys(c, rank, false)
	mult := c.Int("depth_multiplier", 1)
	c.Expect("groups", 1)
	tfjsUndilated(c)
	useBias := c.Bool("use_bias", true)
	dw := depthwiseKeys(c)
	bias := biasKeys(c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	opts := []layers.DepthwiseConvOption{layers.DepthMultiplier(mult), layers.UseBias(useBias)}
	for _, o := range shared {
		opts = append(opts, o)
	}
	for _, o := range dw {
		opts = append(opts, o)
	}
	for _, o := range bias {
		opts = append(opts, o)
	}
	if rank == 1 {
		return layers.DepthwiseConv1D(kernel[0], opts...), nil
	}
	return layers.DepthwiseConv2D([2]int{kernel[0], kernel[1]}, opts...), nil
}

func separableFrom(c *LayerConfig, rank int) (layers.Layer, error) {
	kernel, shared := convKeys(c, rank, false)
	filters := c.Int("filters", 0)
	mult := c.Int("depth_multiplier", 1)
	c.Expect("groups", 1)
	useBias := c.Bool("use_bias", true)
	dw := depthwiseKeys(c)
	pw := pointwiseKeys(c)
	bias := biasKeys(c)
	if err := c.Err(); err != nil {
		return nil, err
	}
	opts := []layers.SeparableConvOption{layers.DepthMultiplier(mult), layers.UseBias(useBias)}
	for _, o := range shared {
		opts = append(opts, o)
	}
	for _, o := range dw {
		opts = append(opts, o)
	}
	for _, o := range pw {
		opts = append(opts, o)
	}
	for _, o := range bias {
		opts = append(opts, o)
	}
	if rank == 1 {
		return layers.SeparableConv1D(filters, kernel[0], opts...), nil
	}
	return layers.SeparableConv2D(filters, [2]int{kernel[0], kernel[1]}, opts...), nil
}

// weightKeys is one weight's initializer, regularizer and constraint, to
// be written under prefix_initializer, prefix_regularizer and
// prefix_constraint.
type weightKeys struct {
	prefix string
	init   initializers.Config
	reg    *regularizers.Config
	con    *constraints.Config
}

// setWeightKeys writes the weights' keys in Keras's order: every
// initializer, every regularizer, activity_regularizer, every constraint.
func setWeightKeys(w *KerasConfig, activity *regularizers.Config, ws ...weightKeys) {
	for _, k := range ws {
		setInit(w, k.prefix+"_initializer", k.init)
	}
	for _, k := range ws {
		setReg(w, k.prefix+"_regularizer", k.reg)
	}
	setReg(w, "activity_regularizer", activity)
	for _, k := range ws {
		setCon(w, k.prefix+"_constraint", k.con)
	}
}

// setConvShared writes kernel_size, strides, padding, data_format,
// dilation_rate and activation.
func setConvShared(w *KerasConfig, kernel, strides []int, padding, dataFormat string, dilation []int, act activations.Activation) {
	w.Set("kernel_size", kernel)
	w.Set("strides", strides)
	w.Set("padding", padding)
	w.Set("data_format", dataFormat)
	w.Set("dilation_rate", dilation)
	w.SetActivation("activation", act)
}

// noTFJS is the error for a layer class TensorFlow.js Layers does not
// have.
func noTFJS(class string) error {
	return errors.Errorf("TensorFlow.js Layers has no %s layer", class)
}

func ones(v []int) bool {
	for _, x := range v {
		if x != 1 {
			return false
		}
	}
	return true
}

func convTo(l layers.Layer, w *KerasConfig) error {
	cl, ok := l.(*layers.ConvLayer)
	if !ok {
		return errors.Errorf("the Conv converter got a %T", l)
	}
	c, ok := cl.Config().(layers.ConvConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", l.ClassName(), cl.Config())
	}
	w.Set("filters", c.Filters)
	setConvShared(w, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate, cl.Activation())
	if w.Dialect() == TFJS {
		if c.Groups != 1 {
			return errors.Errorf("groups %d: TensorFlow.js's %s has no groups", c.Groups, l.ClassName())
		}
	} else {
		w.Set("groups", c.Groups)
	}
	w.Set("use_bias", c.UseBias)
	setWeightKeys(w, c.ActivityRegularizer,
		weightKeys{"kernel", c.KernelInitializer, c.KernelRegularizer, c.KernelConstraint},
		weightKeys{"bias", c.BiasInitializer, c.BiasRegularizer, c.BiasConstraint})
	return nil
}

func convTransposeTo(l layers.Layer, w *KerasConfig) error {
	cl, ok := l.(*layers.ConvTransposeLayer)
	if !ok {
		return errors.Errorf("the ConvTranspose converter got a %T", l)
	}
	c, ok := cl.Config().(layers.ConvTransposeConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", l.ClassName(), cl.Config())
	}
	if w.Dialect() == TFJS {
		switch {
		case l.ClassName() != "Conv2DTranspose":
			return noTFJS(l.ClassName())
		case c.OutputPadding != nil:
			return errors.Errorf("output_padding %v: TensorFlow.js's Conv2DTranspose has no output_padding", c.OutputPadding)
		case !ones(c.DilationRate):
			return errors.Errorf("dilation_rate %v: TensorFlow.js's Conv2DTranspose does not dilate", c.DilationRate)
		}
	}
	w.Set("filters", c.Filters)
	setConvShared(w, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate, cl.Activation())
	w.Set("use_bias", c.UseBias)
	setWeightKeys(w, c.ActivityRegularizer,
		weightKeys{"kernel", c.KernelInitializer, c.KernelRegularizer, c.KernelConstraint},
		weightKeys{"bias", c.BiasInitializer, c.BiasRegularizer, c.BiasConstraint})
	if c.OutputPadding != nil {
		w.Set("output_padding", c.OutputPadding)
	}
	return nil
}

func depthwiseTo(l layers.Layer, w *KerasConfig) error {
	dl, ok := l.(*layers.DepthwiseConvLayer)
	if !ok {
		return errors.Errorf("the DepthwiseConv converter got a %T", l)
	}
	c, ok := dl.Config().(layers.DepthwiseConvConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", l.ClassName(), dl.Config())
	}
	if w.Dialect() == TFJS && l.ClassName() != "DepthwiseConv2D" {
		return noTFJS(l.ClassName())
	}
	if w.Dialect() == TFJS && !ones(c.DilationRate) {
		return errors.Errorf("dilation_rate %v: TensorFlow.js's DepthwiseConv2D does not dilate", c.DilationRate)
	}
	w.Set("depth_multiplier", c.DepthMultiplier)
	setConvShared(w, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate, dl.Activation())
	w.Set("use_bias", c.UseBias)
	setWeightKeys(w, c.ActivityRegularizer,
		weightKeys{"depthwise", c.DepthwiseInitializer, c.DepthwiseRegularizer, c.DepthwiseConstraint},
		weightKeys{"bias", c.BiasInitializer, c.BiasRegularizer, c.BiasConstraint})
	return nil
}

// depthwiseWeightNames names the depthwise kernel as Keras 2 and
// TensorFlow.js do.
func depthwiseWeightNames(l layers.Layer) []string {
	names := l.LayerBase().WeightNames()
	out := make([]string, len(names))
	for i, n := range names {
		if n == "kernel" {
			n = "depthwise_kernel"
		}
		out[i] = n
	}
	return out
}

func separableTo(l layers.Layer, w *KerasConfig) error {
	sl, ok := l.(*layers.SeparableConvLayer)
	if !ok {
		return errors.Errorf("the SeparableConv converter got a %T", l)
	}
	c, ok := sl.Config().(layers.SeparableConvConfig)
	if !ok {
		return errors.Errorf("%s config is a %T", l.ClassName(), sl.Config())
	}
	if w.Dialect() == TFJS && l.ClassName() != "SeparableConv2D" {
		return noTFJS(l.ClassName())
	}
	w.Set("depth_multiplier", c.DepthMultiplier)
	w.Set("filters", c.Filters)
	setConvShared(w, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate, sl.Activation())
	w.Set("use_bias", c.UseBias)
	setWeightKeys(w, c.ActivityRegularizer,
		weightKeys{"depthwise", c.DepthwiseInitializer, c.DepthwiseRegularizer, c.DepthwiseConstraint},
		weightKeys{"pointwise", c.PointwiseInitializer, c.PointwiseRegularizer, c.PointwiseConstraint},
		weightKeys{"bias", c.BiasInitializer, c.BiasRegularizer, c.BiasConstraint})
	return nil
}
