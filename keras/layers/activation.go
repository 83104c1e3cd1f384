package layers

import (
	"encoding/json"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
)

// ActivationLayer applies an activation function to its input. It is also
// an option: layers.Dense(64, layers.Activation("relu")) gives Dense its
// activation, keras.Sequential(..., layers.Activation("relu")) adds a
// layer.
type ActivationLayer struct {
	Base
	activation activations.Activation
	actErr     error
}

// Activation returns an activation layer, or option, for act: a Keras name
// ("relu", "softmax", ...) or an activations.Activation; any other type is
// an error (Keras: layer_activation / Activation, and the activation
// argument of Dense, the convolutions and the recurrent layers). An
// unknown name is reported when the model is built, with the list of known
// names. It takes the Common options.
func Activation(act any, opts ...Common) *ActivationLayer {
	l := &ActivationLayer{}
	l.Init(l, "Activation", opts...)
	l.SetSupportsMasking(true)
	a, err := activations.Resolve(act)
	if err != nil {
		l.actErr = errors.Wrap(err, "layers: activation")
		l.Fail(l.actErr)
		a = activations.Linear()
	}
	l.activation = a
	return l
}

func (l *ActivationLayer) applyDense(d *DenseLayer) { l.setActivation(&d.Base, &d.activation) }

// setActivation makes l's activation the one of a layer with base b.
func (l *ActivationLayer) setActivation(b *Base, dst *activations.Activation) {
	*dst = l.activation
	if l.actErr != nil {
		b.Fail(l.actErr)
	}
}

// activationOption sets an already resolved activation (configs).
type activationOption struct{ a activations.Activation }

func (o activationOption) applyDense(d *DenseLayer) { d.activation = o.a }

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
func (l *ActivationLayer) Config() any {
	return ActivationConfig{BaseConfig: l.BaseConfig(), Activation: activations.ConfigOf(l.activation)}
}

func init() {
	classes.Builtin("Activation", func(raw json.RawMessage) (Layer, error) {
		var c ActivationConfig
		if err := decode("Activation", raw, &c); err != nil {
			return nil, err
		}
		a, err := activations.FromConfig(c.Activation)
		if err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Activation config")
		}
		return Activation(a, common...), nil
	})
}
