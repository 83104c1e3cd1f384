package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
)

// ActivationLayer applies an activation function to its input. It is also
// an Option: layers.Dense(64, layers.Activation("relu")) gives Dense its
// activation, keras.Sequential(..., layers.Activation("relu")) adds a
// layer.
type ActivationLayer struct {
	Base
	activation activations.Activation
	actErr     error
}

// Activation returns an activation layer, or option, for act: a Keras name
// ("relu", "softmax", ...) or an activations.Activation (Keras:
// layer_activation / Activation, and the activation argument of Dense). An
// unknown name is reported at build time with the list of known names.
func Activation(act interface{}, opts ...Option) *ActivationLayer {
	l := &ActivationLayer{}
	l.Init("Activation", opts)
	a, err := activations.Resolve(act)
	if err != nil {
		l.actErr = errors.Wrap(err, "layers: activation")
		l.Fail(l.actErr)
		a = activations.Linear()
	}
	l.activation = a
	return l
}

// apply makes ActivationLayer an Option.
func (l *ActivationLayer) apply(o *options) {
	o.mark("activation")
	o.activation = l.activation
	if l.actErr != nil {
		o.fail(l.actErr)
	}
}

type activationOption struct{ a activations.Activation }

func (a activationOption) apply(o *options) { o.mark("activation"); o.activation = a.a }

// ClassName returns "Activation".
func (l *ActivationLayer) ClassName() string { return "Activation" }

// Function returns the layer's activation.
func (l *ActivationLayer) Function() activations.Activation { return l.activation }

// Build returns the input shape unchanged.
func (l *ActivationLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	return l.FinishBuild(in, in), nil
}

// Forward applies the activation.
func (l *ActivationLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	return applyActivation(s, l.name, l.activation, x)
}

// ActivationConfig is Activation's serialisable configuration.
type ActivationConfig struct {
	BaseConfig
	Activation activations.Config `json:"activation"`
}

// Config returns the layer's configuration.
func (l *ActivationLayer) Config() interface{} {
	return ActivationConfig{BaseConfig: l.baseConfig(), Activation: activations.ConfigOf(l.activation)}
}

func init() {
	registry["Activation"] = func(raw json.RawMessage) (Layer, error) {
		var c ActivationConfig
		if err := decode("Activation", raw, &c); err != nil {
			return nil, err
		}
		a, err := activations.FromConfig(c.Activation)
		if err != nil {
			return nil, err
		}
		return Activation(a, c.BaseConfig.options()...), nil
	}
}
