package losses

import (
	"encoding/json"
	"fmt"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Loss is a training objective.
type Loss interface {
	// Name returns the canonical Keras name ("mean_squared_error").
	Name() string
	// PerSample returns the loss of each row of yPred against yTrue, a
	// vector as long as the batch.
	PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error)
}

// SparseTargets is implemented by losses whose targets are class indices
// (shape (N) or (N, 1)). The model turns each index into a one-hot row
// before it reaches PerSample, and checks that every index is an integer in
// [0, classes).
type SparseTargets interface {
	SparseTargets() bool
}

// Config is the serialisable form of a loss:
//
//	{"name": "huber", "params": {"delta": 0.5}}
//
// Params is the JSON of the loss's typed parameters (HuberParams,
// CrossentropyParams, ...) with Keras's keyword names, holding those that
// differ from the defaults; it is absent when all are defaults (and for
// losses without parameters). FromConfig rejects unknown keywords and
// still reads the 0/1 numbers that files written before the parameters
// were typed stored for from_logits.
type Config struct {
	// Name is the loss's Keras name.
	Name string `json:"name"`
	// Params holds the non-default parameters as a JSON object (nil:
	// none).
	Params json.RawMessage `json:"params,omitempty"`
}

// Configurable is implemented by every loss of this package.
type Configurable interface {
	Config() Config
}

// ConfigOf returns l's serialisable form: its Config, or its name alone
// for a loss that has no Config method.
func ConfigOf(l Loss) Config {
	if c, ok := l.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: l.Name()}
}

// Factory builds a loss from its Config (for user-defined losses, see
// Register). c.Name is the name it was looked up by.
type Factory func(c Config) (Loss, error)

var lossRegistry = registry.New[Factory]("losses", "loss")

// errLoss is implemented by every built-in loss: the first invalid option
// it was built with.
type errLoss interface {
	Loss
	Err() error
}

// builtin registers a built-in loss: defaults gives its parameters'
// defaults and make builds it from decoded ones.
func builtin[P any, L errLoss](name string, defaults P, make func(P) L) {
	lossRegistry.Builtin(name, func(c Config) (Loss, error) {
		p := defaults
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "losses")
		}
		l := make(p)
		if err := l.Err(); err != nil {
			return nil, err
		}
		return l, nil
	})
}

// none is the parameters of a loss that has none.
type none struct{}

// noParams registers a loss without parameters.
func noParams(name string, construct func() *Func) {
	builtin(name, none{}, func(none) *Func { return construct() })
}

func init() {
	noParams("mean_squared_error", MeanSquaredError)
	noParams("mean_absolute_error", MeanAbsoluteError)
	noParams("mean_absolute_percentage_error", MeanAbsolutePercentageError)
	noParams("mean_squared_logarithmic_error", MeanSquaredLogarithmicError)
	builtin("binary_crossentropy", CrossentropyParams{}, func(p CrossentropyParams) *Crossentropy {
		return newCrossentropy("binary_crossentropy", p, true, false)
	})
	builtin("categorical_crossentropy", CrossentropyParams{}, func(p CrossentropyParams) *Crossentropy {
		return newCrossentropy("categorical_crossentropy", p, false, false)
	})
	builtin("sparse_categorical_crossentropy", SparseCategoricalCrossentropyParams{}, func(p SparseCategoricalCrossentropyParams) *Crossentropy {
		return newCrossentropy("sparse_categorical_crossentropy", CrossentropyParams{FromLogits: p.FromLogits}, false, true)
	})
	noParams("hinge", Hinge)
	noParams("squared_hinge", SquaredHinge)
	noParams("categorical_hinge", CategoricalHinge)
	builtin("huber", huberDefaults, newHuber)
	noParams("log_cosh", LogCosh)
	noParams("kl_divergence", KLDivergence)
	noParams("poisson", Poisson)
	noParams("cosine_similarity", CosineSimilarity)
	// Keras 3's short names (keras.losses.get accepts them).
	lossRegistry.Alias("mse", "mean_squared_error")
	lossRegistry.Alias("mae", "mean_absolute_error")
	lossRegistry.Alias("mape", "mean_absolute_percentage_error")
	lossRegistry.Alias("msle", "mean_squared_logarithmic_error")
	lossRegistry.Alias("bce", "binary_crossentropy")
	lossRegistry.Alias("kld", "kl_divergence")
}

// Register makes a user-defined loss available by name to Get, FromConfig
// and so to keras.Compile and keras.Load. factory receives the Config (the
// name, and the params JSON the loss was saved with) and decodes the
// params itself. It returns an error when name is empty or already taken
// (names differing only in case or underscores count as the same).
func Register(name string, factory Factory) error {
	if factory == nil {
		return errors.Wrap(kerrors.ErrNil, "losses: Register: nil factory")
	}
	if _, found, err := hparams.Lookup(lossRegistry, name); err == nil && name != "" {
		return errors.Errorf("losses: Register: loss %q is already registered (as %q)", name, found)
	}
	return lossRegistry.Register(name, factory)
}

// Get returns the loss with the given Keras name or alias ("mse", "mae",
// "mape", "msle", "bce", "kld") with Keras's defaults. An unknown name
// gives a *kerrors.UnknownNameError listing the known ones.
func Get(name string) (Loss, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a loss from its serialisable form. An unknown name
// gives a *kerrors.UnknownNameError; a parameter the loss does not take, of
// the wrong type or out of range a *kerrors.OptionError naming it.
func FromConfig(c Config) (Loss, error) {
	f, _, err := hparams.Lookup(lossRegistry, c.Name)
	if err != nil {
		return nil, err
	}
	return f(c)
}

// Names returns the known loss names and aliases, sorted.
func Names() []string { return lossRegistry.Names() }

// Resolve turns what keras.Loss accepts into a Loss: a Keras name
// (string, as for Get) or a Loss value. A Loss built with an invalid
// option gives that error here (Compile reports it). nil gives an error
// wrapping kerrors.ErrNil; any other type a *kerrors.OptionError.
func Resolve(spec interface{}) (Loss, error) {
	switch v := spec.(type) {
	case string:
		return Get(v)
	case Loss:
		if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		return v, nil
	case nil:
		return nil, errors.Wrap(kerrors.ErrNil, "losses: Resolve: no loss given")
	}
	return nil, errors.Wrap(&kerrors.OptionError{Call: "Resolve", Option: "loss", Value: fmt.Sprintf("%T", spec),
		Msg: "want a Keras name (string) or a losses.Loss"}, "losses")
}

// BinaryCrossentropyOption is an option of BinaryCrossentropy: FromLogits
// and LabelSmoothing.
type BinaryCrossentropyOption interface{ applyBinary(*CrossentropyParams) }

// CategoricalCrossentropyOption is an option of CategoricalCrossentropy:
// FromLogits and LabelSmoothing.
type CategoricalCrossentropyOption interface {
	applyCategorical(*CrossentropyParams)
}

// SparseCategoricalCrossentropyOption is an option of
// SparseCategoricalCrossentropy: FromLogits.
type SparseCategoricalCrossentropyOption interface {
	applySparse(*SparseCategoricalCrossentropyParams)
}

// HuberOption is an option of Huber: Delta.
type HuberOption interface{ applyHuber(*HuberParams) }

// FromLogitsOption is the option FromLogits returns; the three
// cross-entropies take it.
type FromLogitsOption bool

func (o FromLogitsOption) applyBinary(p *CrossentropyParams)      { p.FromLogits = bool(o) }
func (o FromLogitsOption) applyCategorical(p *CrossentropyParams) { p.FromLogits = bool(o) }
func (o FromLogitsOption) applySparse(p *SparseCategoricalCrossentropyParams) {
	p.FromLogits = bool(o)
}

// FromLogits says whether the model's output is logits (true) or
// probabilities (false, the default) for the cross-entropies
// ("from_logits"). When the output comes straight from a softmax or
// sigmoid activation the loss uses the activation's input (the logits)
// either way.
func FromLogits(on bool) FromLogitsOption { return FromLogitsOption(on) }

// LabelSmoothingOption is the option LabelSmoothing returns;
// BinaryCrossentropy and CategoricalCrossentropy take it.
type LabelSmoothingOption float64

func (o LabelSmoothingOption) applyBinary(p *CrossentropyParams) { p.LabelSmoothing = float64(o) }
func (o LabelSmoothingOption) applyCategorical(p *CrossentropyParams) {
	p.LabelSmoothing = float64(o)
}

// LabelSmoothing squeezes the targets of binary_crossentropy towards 0.5
// (t*(1-s) + s/2) and those of categorical_crossentropy towards uniform
// (t*(1-s) + s/classes) ("label_smoothing"; default 0, in [0, 1]).
func LabelSmoothing(s float64) LabelSmoothingOption { return LabelSmoothingOption(s) }

type deltaOption float64

func (o deltaOption) applyHuber(p *HuberParams) { p.Delta = float64(o) }

// Delta sets where the Huber loss turns from quadratic to linear
// ("delta"; default 1, must be > 0).
func Delta(d float64) HuberOption { return deltaOption(d) }

// invalid returns the error for a parameter out of range.
func invalid(name, key string, v any, msg string) error {
	return errors.Wrap(hparams.Invalid(name, key, v, msg), "losses")
}

// Func is a built-in loss other than the cross-entropies: its Keras name,
// its parameters and the graph it builds. The constructors (Huber, Hinge,
// ...) return one.
type Func struct {
	name     string
	params   any // the typed parameters (none{} for a loss without)
	defaults any
	err      error
	persamp  func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error)
}

// Name returns the canonical Keras name.
func (f *Func) Name() string { return f.name }

// Err returns the first invalid option the loss was built with, or nil.
func (f *Func) Err() error { return f.err }

// Config returns the serialisable form.
func (f *Func) Config() Config {
	return Config{Name: f.name, Params: hparams.Diff(f.params, f.defaults)}
}

// PerSample returns the loss of each sample (row).
func (f *Func) PerSample(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
	if f.err != nil {
		return nil, f.err
	}
	if err := checkSameShape(f.name, yTrue, yPred); err != nil {
		return nil, err
	}
	out, err := f.persamp(s, yTrue, yPred)
	if err != nil {
		return nil, errors.Wrapf(err, "losses: %s", f.name)
	}
	return out, nil
}

// elem applies a scalar function to every element (backend.Elementwise).
// name must identify the function and every constant it closes over.
func elem(x *G.Node, name string, f func(float64) float64, df func(x, y float64) float64) (*G.Node, error) {
	return backend.Elementwise(x, backend.ElemFunc{Name: name, F: f, DF: df})
}

// rows reshapes a (batch, ...) node to (batch, rest) so per-row ops apply.
func rows(n *G.Node) (*G.Node, error) {
	s := n.Shape()
	if n.Dims() == 2 {
		return n, nil
	}
	rest := 1
	for _, d := range s[1:] {
		rest *= d
	}
	return backend.Reshape(n, tensor.Shape{s[0], rest})
}

// meanRows averages a (batch, ...) node over everything but the batch axis.
func meanRows(n *G.Node) (*G.Node, error) {
	r, err := rows(n)
	if err != nil {
		return nil, err
	}
	return G.Mean(r, 1)
}

// sumRows sums a (batch, ...) node over everything but the batch axis.
func sumRows(n *G.Node) (*G.Node, error) {
	r, err := rows(n)
	if err != nil {
		return nil, err
	}
	return G.Sum(r, 1)
}

func checkSameShape(name string, yTrue, yPred *G.Node) error {
	if !yTrue.Shape().Eq(yPred.Shape()) || yTrue.Dims() != yPred.Dims() {
		return errors.Errorf("losses: %s: targets have shape %v, predictions %v", name, yTrue.Shape(), yPred.Shape())
	}
	return nil
}

// g formats a constant for an op name.
func g(v float64) string { return fmt.Sprintf("%g", v) }
