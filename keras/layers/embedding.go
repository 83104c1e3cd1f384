package layers

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// MaxFloat32Index is the largest input_dim an Embedding of a float32
// model may have (2^24): the model feeds its inputs in its float dtype,
// and float32 holds every integer up to 2^24 exactly.
const MaxFloat32Index = 1 << 24

// EmbeddingLayer turns integer indices into dense vectors: row i of its
// embeddings table for index i.
type EmbeddingLayer struct {
	Base
	inputDim, outputDim int
	init                initializers.Initializer
	reg                 regularizers.Regularizer
	con                 constraints.Constraint
	maskZero            bool
	embeddings          *backend.Variable
}

// EmbeddingOption is an option of Embedding: Common,
// EmbeddingsInitializer, EmbeddingsRegularizer, EmbeddingsConstraint or
// MaskZero.
type EmbeddingOption interface{ applyEmbedding(*EmbeddingLayer) }

func (c Common) applyEmbedding(l *EmbeddingLayer) { c.ApplyTo(&l.Base) }

// embeddingOption is an option only Embedding takes.
type embeddingOption struct {
	kw  string
	set func(*EmbeddingLayer) error
}

func (o embeddingOption) applyEmbedding(l *EmbeddingLayer) {
	if err := o.set(l); err != nil {
		l.Fail(errors.Wrap(err, "layers: Embedding: "+o.kw))
	}
}

// EmbeddingsInitializer sets how the embeddings table is initialised
// (Keras: embeddings_initializer; default "uniform", Keras's
// RandomUniform(-0.05, 0.05)): a Keras name or an
// initializers.Initializer.
func EmbeddingsInitializer(init any) EmbeddingOption {
	return embeddingOption{"embeddings_initializer", func(l *EmbeddingLayer) error {
		i, err := initializers.Resolve(init)
		l.init = i
		return err
	}}
}

// EmbeddingsRegularizer adds a penalty on the embeddings table to the
// model's loss (Keras: embeddings_regularizer; default none): a Keras name
// ("l1", "l2", "l1_l2") or a regularizers.Regularizer.
func EmbeddingsRegularizer(r any) EmbeddingOption {
	return embeddingOption{"embeddings_regularizer", func(l *EmbeddingLayer) error {
		reg, err := regularizers.Resolve(r)
		l.reg = reg
		return err
	}}
}

// EmbeddingsConstraint projects the embeddings table after every
// optimizer update (Keras: embeddings_constraint; default none): a Keras
// name or a constraints.Constraint.
func EmbeddingsConstraint(c any) EmbeddingOption {
	return embeddingOption{"embeddings_constraint", func(l *EmbeddingLayer) error {
		con, err := constraints.Resolve(c)
		l.con = con
		return err
	}}
}

// MaskZero makes index 0 the padding value (Keras: mask_zero; default
// false): the layer then gives its output a mask, (batch, steps...) of
// ids != 0, which recurrent layers and GlobalAveragePooling1D use to skip
// the padded steps and which Dense, Dropout and Activation pass on. Index
// 0 still has a row in the table, so input_dim must be the vocabulary
// size + 1.
func MaskZero(on bool) EmbeddingOption {
	return embeddingOption{"mask_zero", func(l *EmbeddingLayer) error { l.maskZero = on; return nil }}
}

// Embedding returns a layer that maps each integer index in [0, inputDim)
// to a vector of outputDim values (Keras: layer_embedding / Embedding): an
// input of one sample's shape (steps...) gives (steps..., outputDim).
// Options: EmbeddingsInitializer (default "uniform", U(-0.05, 0.05)),
// EmbeddingsRegularizer, EmbeddingsConstraint (default none), MaskZero
// (default false) and the Common options. Weights: embeddings (inputDim,
// outputDim).
//
// The indices arrive in the model's float dtype (declare the input with
// keras.InputDtype(tensor.Int64) so that Fit and Predict reject data that
// is not integer); Fit, Evaluate and Predict check that the data fed
// straight from a model input lies in [0, inputDim) and name the sample,
// and every run checks again, naming the layer, the index and its
// position. A float32 model holds indices exactly only up to 2^24
// (MaxFloat32Index): a larger inputDim fails when such a model is built.
// The gradient with respect to the table is a scatter-add: rows of
// repeated indices accumulate.
func Embedding(inputDim, outputDim int, opts ...EmbeddingOption) *EmbeddingLayer {
	l := &EmbeddingLayer{inputDim: inputDim, outputDim: outputDim, init: initializers.RandomUniform()}
	l.Init(l, "Embedding")
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Embedding"))
			continue
		}
		o.applyEmbedding(l)
	}
	if inputDim < 1 || inputDim > 1<<31-1 {
		l.Fail(&kerrors.OptionError{Call: "Embedding", Option: "input_dim", Value: itoa(inputDim), Msg: "must be >= 1 and < 2^31"})
	}
	if outputDim < 1 || outputDim > backend.MaxVariableSize {
		l.Fail(&kerrors.OptionError{Call: "Embedding", Option: "output_dim", Value: itoa(outputDim), Msg: "must be >= 1 and <= 2^32"})
	}
	return l
}

// ClassName returns "Embedding".
func (l *EmbeddingLayer) ClassName() string { return "Embedding" }

// InputDim returns the number of rows of the table: indices are in
// [0, InputDim).
func (l *EmbeddingLayer) InputDim() int { return l.inputDim }

// OutputDim returns the length of each embedding vector.
func (l *EmbeddingLayer) OutputDim() int { return l.outputDim }

// MaskZero reports whether index 0 is padding that masks its step.
func (l *EmbeddingLayer) MaskZero() bool { return l.maskZero }

// InputIndexLimit returns InputDim: the model checks that the data it
// feeds to this layer straight from an input holds integers in
// [0, InputDim) (see IndexInput).
func (l *EmbeddingLayer) InputIndexLimit() int { return l.inputDim }

// CheckDtype fails for a float32 model when InputDim is above 2^24, the
// integers float32 represents exactly (see DtypeChecker).
func (l *EmbeddingLayer) CheckDtype(dt tensor.Dtype) error {
	if dt == tensor.Float32 && l.inputDim > MaxFloat32Index {
		return &kerrors.OptionError{Call: "Embedding " + l.name, Option: "input_dim", Value: itoa(l.inputDim),
			Msg: "a float32 model feeds indices as float32, which is exact only up to 2^24; use a float64 model (SetDtype) or a smaller vocabulary"}
	}
	return nil
}

// Build declares the table (inputDim, outputDim); any input shape is
// accepted and gets a last axis of outputDim.
func (l *EmbeddingLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) == 0 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: "Embedding needs samples of at least one index"}
	}
	var err error
	spec := WeightSpec{Initializer: l.init, Regularizer: l.reg, Constraint: l.con}
	if l.embeddings, err = l.AddWeight(ctx, "embeddings", []int{l.inputDim, l.outputDim}, spec); err != nil {
		return nil, err
	}
	out := append(append([]int(nil), in...), l.outputDim)
	return l.FinishBuild(in, out), nil
}

// Forward looks the indices up and, with MaskZero, records the mask of
// the non-zero indices for the layers downstream.
func (l *EmbeddingLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	if err := l.CheckDtype(s.Dtype()); err != nil {
		return nil, err
	}
	table, err := s.Param(l.embeddings)
	if err != nil {
		return nil, err
	}
	out, err := backend.Embedding(x, table, l.name)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if l.maskZero {
		mask, err := backend.EmbeddingMask(x, s.Dtype())
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s: mask", l.name)
		}
		s.SetMask(out, mask)
	}
	return out, nil
}

// EmbeddingConfig is Embedding's serialisable configuration.
type EmbeddingConfig struct {
	BaseConfig
	InputDim              int                  `json:"input_dim"`
	OutputDim             int                  `json:"output_dim"`
	EmbeddingsInitializer initializers.Config  `json:"embeddings_initializer"`
	EmbeddingsRegularizer *regularizers.Config `json:"embeddings_regularizer,omitempty"`
	EmbeddingsConstraint  *constraints.Config  `json:"embeddings_constraint,omitempty"`
	MaskZero              bool                 `json:"mask_zero"`
}

// Config returns the layer's configuration.
func (l *EmbeddingLayer) Config() any {
	return EmbeddingConfig{BaseConfig: l.BaseConfig(), InputDim: l.inputDim, OutputDim: l.outputDim,
		EmbeddingsInitializer: initializers.ConfigOf(l.init), EmbeddingsRegularizer: regularizerConfig(l.reg),
		EmbeddingsConstraint: constraintConfig(l.con), MaskZero: l.maskZero}
}

// IndexInput is implemented by layers whose input holds integer indices
// below a bound (Embedding). Fit, Evaluate and Predict check the data they
// feed straight from a model input to such a layer before running it, so
// a bad index is reported with its sample rather than from inside a run.
type IndexInput interface {
	Layer
	// InputIndexLimit returns the bound: indices must be integers in
	// [0, limit).
	InputIndexLimit() int
}

// DtypeChecker is implemented by layers that cannot work in every float
// dtype (an Embedding with more rows than float32 indexes exactly).
// Models call CheckDtype with their dtype when they are built.
type DtypeChecker interface {
	CheckDtype(dt tensor.Dtype) error
}

func init() {
	classes.Builtin("Embedding", func(raw json.RawMessage) (Layer, error) {
		var c EmbeddingConfig
		if err := decode("Embedding", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Embedding config")
		}
		init, err := initializers.FromConfig(c.EmbeddingsInitializer)
		if err != nil {
			return nil, errors.Wrap(err, "layers: Embedding config: embeddings_initializer")
		}
		opts := []EmbeddingOption{EmbeddingsInitializer(init), MaskZero(c.MaskZero)}
		if c.EmbeddingsRegularizer != nil {
			r, err := regularizers.FromConfig(*c.EmbeddingsRegularizer)
			if err != nil {
				return nil, errors.Wrap(err, "layers: Embedding config: embeddings_regularizer")
			}
			opts = append(opts, EmbeddingsRegularizer(r))
		}
		if c.EmbeddingsConstraint != nil {
			k, err := constraints.FromConfig(*c.EmbeddingsConstraint)
			if err != nil {
				return nil, errors.Wrap(err, "layers: Embedding config: embeddings_constraint")
			}
			opts = append(opts, EmbeddingsConstraint(k))
		}
		for _, o := range common {
			opts = append(opts, o)
		}
		return Embedding(c.InputDim, c.OutputDim, opts...), nil
	})
}

// IndexMessage returns why v is not an index below limit (an integer in
// [0, limit)), or "" when it is one. Models use it to check the data fed
// to an IndexInput layer.
func IndexMessage(v float64, limit int) string {
	switch {
	case math.IsNaN(v) || v != math.Trunc(v):
		return "an index must be an integer"
	case v < 0 || v >= float64(limit):
		return fmt.Sprintf("an index must be in [0, %d)", limit)
	}
	return ""
}
