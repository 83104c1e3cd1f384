package interop

import (
	"sort"
	"sync"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Converter translates one Keras layer class between Keras's
// configuration and gokeras's layer, and the layer's weights between
// Keras's order and layout and gokeras's. Each built-in class has one
// (converters_*.go); RegisterConverter adds more, for layers of your own
// or for classes gokeras gains.
type Converter struct {
	// FromKeras builds the gokeras layer from the Keras configuration
	// (required). Read every key the class has with c's accessors; keys
	// left unread that hold a setting make the load fail, naming them.
	FromKeras func(c *LayerConfig) (layers.Layer, error)
	// ToKeras writes the layer's configuration (required to save to
	// Keras or TensorFlow.js files). The writer has already set name,
	// trainable and dtype (Keras's base keys); set the class's own keys
	// in Keras's order.
	ToKeras func(l layers.Layer, w *KerasConfig) error
	// WeightNames returns the Keras names of the layer's weights in
	// Keras's order ("kernel", "bias"; for BatchNormalization "gamma",
	// "beta", "moving_mean", "moving_variance"), used in legacy .h5 and
	// TensorFlow.js files. Nil: the gokeras weight names.
	WeightNames func(l layers.Layer) []string
	// ImportWeights turns weights in Keras's order and layout (as the file
	// holds them, one per WeightNames entry) into the order and layout of
	// l.Variables(). Nil: the same order and layout (each shape is checked
	// against the variable's).
	ImportWeights func(l layers.Layer, ws []Weight) ([]Weight, error)
	// ExportWeights is ImportWeights's inverse. Nil: the same order and
	// layout.
	ExportWeights func(l layers.Layer, ws []Weight) ([]Weight, error)
	// Keras3Vars returns, for each weight in WeightNames's order, the
	// object Keras 3's saving_lib keeps it under, as a path relative to
	// the layer's ("" the layer's own vars group; "cell" for a recurrent
	// layer, whose cell owns the weights; "forward_layer/cell" inside
	// Bidirectional): the weights of one object are consecutive and read
	// from and written to "<layer>/<path>/vars/<i>". Nil: every weight in
	// the layer's own vars group.
	Keras3Vars func(l layers.Layer) []string
}

// Weight is one weight's values, row-major, in float64 (exact for the
// float16, float32 and float64 values files hold).
type Weight struct {
	// Name is the weight's name within its layer ("kernel"), or the path
	// it was read from.
	Name string
	// Shape is the weight's shape.
	Shape []int
	// Values holds prod(Shape) values.
	Values []float64
}

var (
	convMu     sync.RWMutex
	converters = map[string]Converter{}
	builtins   = map[string]bool{}
)

// RegisterConverter adds the converter of a Keras layer class (Keras's
// class name, "MyLayer"; for a Keras 3 custom class registered as
// "my_package>MyLayer", register that registered name). The gokeras
// layer it builds must also be known to layers.Register for gokeras's own
// files. It returns an error when the class has a converter already or
// when FromKeras is nil. It is safe for concurrent use.
func RegisterConverter(class string, c Converter) error {
	if class == "" {
		return errors.New("interop: RegisterConverter: empty class name")
	}
	if c.FromKeras == nil {
		return errors.Wrapf(kerrors.ErrNil, "interop: RegisterConverter %s: FromKeras", class)
	}
	convMu.Lock()
	defer convMu.Unlock()
	if _, taken := converters[class]; taken {
		return errors.Errorf("interop: RegisterConverter: class %s has a converter already", class)
	}
	converters[class] = c
	return nil
}

// builtin registers a converter of this package.
func builtin(class string, c Converter) {
	if err := RegisterConverter(class, c); err != nil {
		panic(err)
	}
	builtins[class] = true
}

// ConverterClasses returns the Keras classes that have a converter,
// sorted.
func ConverterClasses() []string {
	convMu.RLock()
	defer convMu.RUnlock()
	out := make([]string, 0, len(converters))
	for k := range converters {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func converterFor(class string) (Converter, bool) {
	convMu.RLock()
	defer convMu.RUnlock()
	c, ok := converters[class]
	return c, ok
}

// unknownClass is the error for a Keras class without converter.
func unknownClass(class, registered string) error {
	what := class
	if registered != "" && registered != class {
		what = class + " (registered as " + registered + ")"
	}
	return errors.Wrapf(&kerrors.UnknownNameError{Kind: "Keras layer class", Name: class, Known: ConverterClasses()},
		"interop: gokeras has no converter for layer class %s: write the layer (layers.Register for gokeras's own files) and add its converter with interop.RegisterConverter", what)
}

// convertLayer runs a converter's FromKeras, turning a panic into an
// error, and checks the keys it left unread.
func convertLayer(conv Converter, c *LayerConfig) (l layers.Layer, err error) {
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, kerrors.Recovered("interop: the converter of "+c.ClassName, r)
		}
	}()
	l, err = conv.FromKeras(c)
	if err == nil {
		err = c.Err()
	}
	if err == nil && l == nil {
		err = errors.Errorf("the converter of %s returned no layer", c.ClassName)
	}
	if err == nil {
		err = layers.Check(l)
	}
	if err == nil {
		err = l.LayerBase().Err()
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// kerasWeightNames returns the Keras names of l's weights.
func kerasWeightNames(conv Converter, l layers.Layer) []string {
	if conv.WeightNames != nil {
		return conv.WeightNames(l)
	}
	return l.LayerBase().WeightNames()
}
