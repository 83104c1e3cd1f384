package losses

import (
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
)

// Crossentropy is a cross-entropy loss (binary, categorical or sparse
// categorical).
type Crossentropy struct {
	name   string
	p      CrossentropyParams
	sparse bool
	binary bool
	err    error
}

// CrossentropyParams are the parameters of BinaryCrossentropy and
// CategoricalCrossentropy.
type CrossentropyParams struct {
	// FromLogits takes the model's output as logits (default false).
	FromLogits bool `json:"from_logits"`
	// LabelSmoothing squeezes the targets (default 0, in [0, 1]).
	LabelSmoothing float64 `json:"label_smoothing"`
}

// SparseCategoricalCrossentropyParams are the parameters of
// SparseCategoricalCrossentropy.
type SparseCategoricalCrossentropyParams struct {
	// FromLogits takes the model's output as logits (default false).
	FromLogits bool `json:"from_logits"`
}

// BinaryCrossentropy returns the mean over each sample's outputs of
// -(y log p + (1-y) log(1-p)) ("binary_crossentropy", alias "bce").
// Probabilities are clipped to [1e-7, 1-1e-7] as in Keras; after a
// sigmoid activation or with FromLogits(true) the stable logits form is
// used instead, so logits of any size give finite losses. Options:
// FromLogits (default false), LabelSmoothing (default 0, targets become
// t*(1-s) + s/2).
func BinaryCrossentropy(opts ...BinaryCrossentropyOption) *Crossentropy {
	var p CrossentropyParams
	for _, o := range opts {
		if o != nil {
			o.applyBinary(&p)
		}
	}
	return newCrossentropy("binary_crossentropy", p, true, false)
}

// CategoricalCrossentropy returns -sum(y log p) per sample over one-hot
// (or soft) targets ("categorical_crossentropy"). Probabilities are
// divided by their row sum and clipped to [1e-7, 1-1e-7] as in Keras;
// after a softmax activation or with FromLogits(true) it is computed from
// the logits as sum(y * (logsumexp(z) - z)). Options: FromLogits (default
// false), LabelSmoothing (default 0, targets become t*(1-s) + s/classes).
func CategoricalCrossentropy(opts ...CategoricalCrossentropyOption) *Crossentropy {
	var p CrossentropyParams
	for _, o := range opts {
		if o != nil {
			o.applyCategorical(&p)
		}
	}
	return newCrossentropy("categorical_crossentropy", p, false, false)
}

// SparseCategoricalCrossentropy is CategoricalCrossentropy for targets
// given as class indices ("sparse_categorical_crossentropy"). Option:
// FromLogits (default false); like Keras it has no label smoothing.
func SparseCategoricalCrossentropy(opts ...SparseCategoricalCrossentropyOption) *Crossentropy {
	var p SparseCategoricalCrossentropyParams
	for _, o := range opts {
		if o != nil {
			o.applySparse(&p)
		}
	}
	return newCrossentropy("sparse_categorical_crossentropy", CrossentropyParams{FromLogits: p.FromLogits}, false, true)
}

func newCrossentropy(name string, p CrossentropyParams, binary, sparse bool) *Crossentropy {
	l := &Crossentropy{name: name, p: p, binary: binary, sparse: sparse}
	if !(p.LabelSmoothing >= 0 && p.LabelSmoothing <= 1) {
		l.err = invalid(name, "label_smoothing", p.LabelSmoothing, "must be in [0, 1]")
	}
	return l
}

// Name returns the Keras name.
func (l *Crossentropy) Name() string { return l.name }

// SparseTargets reports whether targets are class indices.
func (l *Crossentropy) SparseTargets() bool { return l.sparse }

// FromLogits reports whether the model's output is taken as logits.
func (l *Crossentropy) FromLogits() bool { return l.p.FromLogits }

// LabelSmoothing returns the label smoothing factor (0: none).
func (l *Crossentropy) LabelSmoothing() float64 { return l.p.LabelSmoothing }

// Err returns the first invalid option the loss was built with, or nil.
func (l *Crossentropy) Err() error { return l.err }

// Config returns the serialisable form.
func (l *Crossentropy) Config() Config {
	if l.sparse {
		p := SparseCategoricalCrossentropyParams{FromLogits: l.p.FromLogits}
		return Config{Name: l.name, Params: hparams.Diff(p, SparseCategoricalCrossentropyParams{})}
	}
	return Config{Name: l.name, Params: hparams.Diff(l.p, CrossentropyParams{})}
}

// PerSample returns the cross-entropy of each sample.
func (l *Crossentropy) PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	if l.err != nil {
		return nil, l.err
	}
	if err := checkSameShape(l.name, yTrue, yPred); err != nil {
		return nil, err
	}
	logits, fromLogits := yPred, l.p.FromLogits
	want := "softmax"
	if l.binary {
		want = "sigmoid"
	}
	if s != nil {
		if in, act, ok := s.ActivationOf(yPred); ok && act == want {
			logits, fromLogits = in, true
		}
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
	if ls := l.p.LabelSmoothing; ls > 0 {
		// Smoothed targets: t*(1-s) + s/2 (binary), t*(1-s) + s/classes.
		shift := ls / 2
		if !l.binary {
			shift = ls / float64(t.Shape()[1])
		}
		if t, err = elem(t, "label_smoothing("+g(ls)+","+g(shift)+")",
			func(v float64) float64 { return v*(1-ls) + shift },
			func(float64, float64) float64 { return 1 - ls }); err != nil {
			return nil, err
		}
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
