package losses

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"

	"github.com/gokeras/gokeras/keras/internal/names"
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

// Config is the serialisable form of a loss: its Keras name and the
// options that differ from Keras's defaults (booleans as 0 or 1).
type Config struct {
	Name   string             `json:"name"`
	Params map[string]float64 `json:"params,omitempty"`
}

// Configurable is implemented by losses with options.
type Configurable interface {
	Config() Config
}

// ConfigOf returns l's serialisable form.
func ConfigOf(l Loss) Config {
	if c, ok := l.(Configurable); ok {
		return c.Config()
	}
	return Config{Name: l.Name()}
}

var registry = map[string]func(params map[string]float64) (Loss, error){}

// aliases are Keras 3's short names (keras.losses.get accepts them).
var aliases = map[string]string{
	"mse":  "mean_squared_error",
	"mae":  "mean_absolute_error",
	"mape": "mean_absolute_percentage_error",
	"msle": "mean_squared_logarithmic_error",
	"bce":  "binary_crossentropy",
	"kld":  "kl_divergence",
}

// errLoss is implemented by every built-in loss: the first invalid option
// it was built with.
type errLoss interface {
	Loss
	Err() error
}

func builtin[L errLoss](name string, construct func(opts ...Option) L) {
	registry[name] = func(params map[string]float64) (Loss, error) {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		opts := make([]Option, len(keys))
		for i, k := range keys {
			opts[i] = Option{key: k, value: params[k]}
		}
		l := construct(opts...)
		if err := l.Err(); err != nil {
			return nil, err
		}
		return l, nil
	}
}

func init() {
	builtin("mean_squared_error", MeanSquaredError)
	builtin("mean_absolute_error", MeanAbsoluteError)
	builtin("mean_absolute_percentage_error", MeanAbsolutePercentageError)
	builtin("mean_squared_logarithmic_error", MeanSquaredLogarithmicError)
	builtin("binary_crossentropy", BinaryCrossentropy)
	builtin("categorical_crossentropy", CategoricalCrossentropy)
	builtin("sparse_categorical_crossentropy", SparseCategoricalCrossentropy)
	builtin("hinge", Hinge)
	builtin("squared_hinge", SquaredHinge)
	builtin("categorical_hinge", CategoricalHinge)
	builtin("huber", Huber)
	builtin("log_cosh", LogCosh)
	builtin("kl_divergence", KLDivergence)
	builtin("poisson", Poisson)
	builtin("cosine_similarity", CosineSimilarity)
}

// Register makes a loss available by name (for user-defined losses). It
// returns an error if the name is taken.
func Register(name string, make func(params map[string]float64) (Loss, error)) error {
	if _, ok := registry[name]; ok || aliases[name] != "" || name == "" {
		return errors.Errorf("losses: %q is already registered", name)
	}
	registry[name] = make
	return nil
}

// Get returns the loss with the given Keras name or alias ("mse", "mae",
// "mape", "msle", "bce", "kld") with Keras's defaults. An unknown name
// gives an error listing the known ones.
func Get(name string) (Loss, error) { return FromConfig(Config{Name: name}) }

// FromConfig rebuilds a loss from its serialisable form. An unknown name,
// an option the loss does not take or an invalid value gives an error.
func FromConfig(c Config) (Loss, error) {
	name := c.Name
	if full, ok := aliases[name]; ok {
		name = full
	}
	make, ok := registry[name]
	if !ok {
		return nil, names.Unknown("losses", "loss", c.Name, Names())
	}
	return make(c.Params)
}

// Names returns the known loss names and aliases, sorted.
func Names() []string { return names.Sorted(names.Keys(registry), names.Keys(aliases)) }

// Resolve turns a Keras name or a Loss into a Loss. A Loss built with an
// invalid option gives that error here (Compile reports it).
func Resolve(l interface{}) (Loss, error) {
	switch v := l.(type) {
	case string:
		return Get(v)
	case Loss:
		if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, e.Err()
		}
		return v, nil
	case nil:
		return nil, errors.New("losses: no loss given")
	}
	return nil, errors.Errorf("losses: %T is neither a name nor a Loss", l)
}

// Option sets one option of a loss, named like the Keras keyword. Each
// constructor lists the options it takes; any other is an error, reported
// by the loss's Err, PerSample and Resolve (so by Compile).
type Option struct {
	key   string
	value float64
}

// FromLogits says whether the model's output is logits (true) or
// probabilities (false, the default) for the cross-entropies. When the
// output comes straight from a softmax or sigmoid activation the loss uses
// the activation's input (the logits) either way.
func FromLogits(b bool) Option {
	if b {
		return Option{"from_logits", 1}
	}
	return Option{"from_logits", 0}
}

// LabelSmoothing squeezes the targets of binary_crossentropy towards 0.5
// (t*(1-s) + s/2) and those of categorical_crossentropy towards uniform
// (t*(1-s) + s/classes) ("label_smoothing"; default 0, in [0, 1]).
func LabelSmoothing(s float64) Option { return Option{"label_smoothing", s} }

// Delta sets where the Huber loss turns from quadratic to linear
// ("delta"; default 1, must be > 0).
func Delta(d float64) Option { return Option{"delta", d} }

// param declares an option a constructor takes.
type param struct {
	key   string
	def   float64
	check func(v float64) string // what the value breaks, or ""
}

func boolean(v float64) string {
	if v != 0 && v != 1 {
		return "must be 0 or 1 (false or true)"
	}
	return ""
}

func unitInterval(v float64) string {
	if !(v >= 0 && v <= 1) {
		return "must be in [0, 1]"
	}
	return ""
}

func positive(v float64) string {
	if !(v > 0) || math.IsInf(v, 1) {
		return "must be finite and > 0"
	}
	return ""
}

var (
	fromLogitsParam     = param{"from_logits", 0, boolean}
	labelSmoothingParam = param{"label_smoothing", 0, unitInterval}
)

// collect checks opts against what the loss name takes and returns every
// value (defaults filled in), the explicitly given ones, and the first
// error.
func collect(name string, opts []Option, takes ...param) (vals, given map[string]float64, err error) {
	vals = make(map[string]float64, len(takes))
	for _, p := range takes {
		vals[p.key] = p.def
	}
	for _, o := range opts {
		var spec *param
		for i := range takes {
			if takes[i].key == o.key {
				spec = &takes[i]
			}
		}
		if spec == nil {
			if err == nil {
				keys := make([]string, len(takes))
				for i, p := range takes {
					keys[i] = p.key
				}
				list := strings.Join(keys, ", ")
				if list == "" {
					list = "none"
				}
				err = errors.Errorf("losses: %s has no option %s (it takes %s)", name, o.key, list)
			}
			continue
		}
		if msg := spec.check(o.value); msg != "" && err == nil {
			err = errors.Errorf("losses: %s: %s %s, got %v", name, o.key, msg, o.value)
		}
		vals[o.key] = o.value
		if o.value != spec.def {
			if given == nil {
				given = map[string]float64{}
			}
			given[o.key] = o.value
		}
	}
	return vals, given, err
}

// Func is a built-in loss other than the cross-entropies: its Keras name,
// its options and the graph it builds. The constructors (Huber, Hinge,
// ...) return one.
type Func struct {
	name    string
	params  map[string]float64
	err     error
	persamp func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error)
}

// Name returns the canonical Keras name.
func (f *Func) Name() string { return f.name }

// Err returns the first invalid option the loss was built with, or nil.
func (f *Func) Err() error { return f.err }

// Param returns the value of the named option if it was given with a
// value other than the default.
func (f *Func) Param(key string) (float64, bool) {
	v, ok := f.params[key]
	return v, ok
}

// Config returns the serialisable form.
func (f *Func) Config() Config { return Config{Name: f.name, Params: copyParams(f.params)} }

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

func copyParams(p map[string]float64) map[string]float64 {
	if len(p) == 0 {
		return nil
	}
	c := make(map[string]float64, len(p))
	for k, v := range p {
		c[k] = v
	}
	return c
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
	return G.Reshape(n, tensor.Shape{s[0], rest})
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
