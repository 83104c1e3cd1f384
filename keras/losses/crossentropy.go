package losses

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
)

// Crossentropy is a cross-entropy loss (binary, categorical or sparse
// categorical).
type Crossentropy struct {
	name       string
	fromLogits bool
	sparse     bool
	binary     bool
}

// BinaryCrossentropy returns the mean over each sample's outputs of
// -(y log p + (1-y) log(1-p)) ("binary_crossentropy"). Probabilities are
// clipped to [1e-7, 1-1e-7] as in Keras; after a sigmoid activation or
// with FromLogits(true) the stable logits form is used instead.
func BinaryCrossentropy(opts ...Option) *Crossentropy {
	o := apply(opts)
	return &Crossentropy{name: "binary_crossentropy", fromLogits: o.fromLogits, binary: true}
}

// CategoricalCrossentropy returns -sum(y log p) per sample over one-hot
// (or soft) targets ("categorical_crossentropy"). After a softmax
// activation or with FromLogits(true) it is computed from the logits.
func CategoricalCrossentropy(opts ...Option) *Crossentropy {
	o := apply(opts)
	return &Crossentropy{name: "categorical_crossentropy", fromLogits: o.fromLogits}
}

// SparseCategoricalCrossentropy is CategoricalCrossentropy for targets
// given as class indices ("sparse_categorical_crossentropy").
func SparseCategoricalCrossentropy(opts ...Option) *Crossentropy {
	o := apply(opts)
	return &Crossentropy{name: "sparse_categorical_crossentropy", fromLogits: o.fromLogits, sparse: true}
}

// Name returns the Keras name.
func (l *Crossentropy) Name() string { return l.name }

// SparseTargets reports whether targets are class indices.
func (l *Crossentropy) SparseTargets() bool { return l.sparse }

// FromLogits reports whether the model's output is taken as logits.
func (l *Crossentropy) FromLogits() bool { return l.fromLogits }

// Config returns the serialisable form.
func (l *Crossentropy) Config() Config {
	c := Config{Name: l.name}
	if l.fromLogits {
		c.Params = map[string]float64{"from_logits": 1}
	}
	return c
}

// PerSample returns the cross-entropy of each sample.
func (l *Crossentropy) PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	if err := checkSameShape(l.name, yTrue, yPred); err != nil {
		return nil, err
	}
	logits, fromLogits := yPred, l.fromLogits
	want := "softmax"
	if l.binary {
		want = "sigmoid"
	}
	if in, act, ok := s.ActivationOf(yPred); ok && act == want {
		logits, fromLogits = in, true
	}
	if !l.binary && yPred.Dims() != 2 {
		return nil, errors.Errorf("losses: %s: predictions must be (batch, classes), got %v", l.name, yPred.Shape())
	}
	z, err := rows(logits)
	if err != nil {
		return nil, err
	}
	t, err := rows(yTrue)
	if err != nil {
		return nil, err
	}
	switch {
	case l.binary && fromLogits:
		return backend.SigmoidCrossEntropy(z, t)
	case l.binary:
		return backend.BinaryCrossEntropy(z, t)
	case fromLogits:
		return backend.SoftmaxCrossEntropy(z, t)
	}
	return backend.CategoricalCrossEntropy(z, t)
}
