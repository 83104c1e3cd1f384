package keras

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/graph"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

// Tensor is a symbolic tensor of a functional model (Keras's KerasTensor):
// what Input returns and what applying a layer to tensors returns.
type Tensor = layers.Tensor

// Data is the x or y argument of Fit, Evaluate and Predict (and of
// ValidationData). It is one of:
//   - a tensor.Tensor (a *tensor.Dense of any numeric dtype, sample axis
//     first), for a model with one input (x) or one output with a loss (y);
//   - a []tensor.Tensor, one per input (x) or per output (y), in order;
//     for y, outputs without a loss take nil or are left out;
//   - a map[string]tensor.Tensor keyed by input or output name.
//
// Any other type is an error naming it.
type Data = any

// MaxParams bounds the number of values a model's weights may hold (2^30,
// 4 GiB of float32): a model declaring more fails to build with an error,
// before anything is allocated.
var MaxParams = 1 << 30

// Model is a graph of layers that trains and predicts: Sequential makes a
// stack of layers, NewModel a graph from Input tensors to output tensors
// (Keras's functional API). A Model is also a layer: apply it to tensors
// to nest it in another model.
//
// A Model is safe for concurrent use. Predict, PredictAll, Evaluate,
// Summary, GetWeights and Save may run from many goroutines, also while
// the model trains (each sees the weights between two training steps);
// building is done once, by whichever call needs it first. Fit runs one
// at a time: a second Fit, or Compile, Add, SetSeed or SetDtype during
// Fit, returns ErrTraining. Callbacks may call Evaluate, Predict, Save,
// GetWeights and SetWeights on the model they observe.
type Model struct {
	layers.Base

	mu          sync.Mutex // building, Compile, Add, SetSeed, SetDtype
	sequential  bool
	seq         []layers.Layer   // Sequential: the layers as added
	inputs      []*layers.Tensor // functional: as given to NewModel
	outputs     []*layers.Tensor
	outputNames []string
	dtype       tensor.Dtype
	seed        int64
	maxParams   int // > 0 while loading a saved model: the values the file holds

	built   atomic.Bool
	g       *graph.Graph
	vars    []*backend.Variable
	inSpecs []backend.TensorSpec
	outs    []outputSpec
	infer   *backend.Engine // inference engine made by Build

	compiled   atomic.Pointer[compiled]
	weightsMu  sync.RWMutex // readers: graph runs; writer: optimizer steps, SetWeights
	fitting    atomic.Bool
	stop       atomic.Bool
	startEpoch atomic.Int64 // 1 + the running Fit's first epoch while its OnTrainBegin hooks run
	checked    checkCache   // the input arrays already scanned for values that cannot be trained on
}

// outputSpec is one model output: its name and one sample's shape.
type outputSpec struct {
	name  string
	shape []int
}

// Sequential returns a model that applies the given layers in order
// (Keras: keras_model_sequential() / keras.Sequential). The first layer
// declares the input shape (layers.InputShape, or layers.Input first);
// without one, the model is built from the shape of the first data it is
// given (Fit, Evaluate or Predict). The model is built (weights created)
// by the first call that needs it: Summary, Compile, GetWeights, Fit,
// Predict.
func Sequential(ls ...layers.Layer) *Model {
	m := newModel("sequential", "Sequential")
	m.sequential = true
	m.seq = append(m.seq, ls...)
	return m
}

func newModel(name, class string) *Model {
	m := &Model{dtype: tensor.Float32, seed: randomSeed()}
	m.Init(&modelLayer{m}, class, layers.Name(name))
	return m
}

// Input returns a symbolic tensor for one input of a functional model
// (Keras: keras.Input / layer_input): shape is one sample's shape, without
// the batch axis; -1 is a dimension of any size (Keras's None, e.g. the
// time axis of text). Options: InputName, InputDtype.
func Input(shape []int, opts ...InputOption) *Tensor {
	cfg := inputConfig{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	l := layers.Input(shape...)
	if cfg.name != "" {
		l.SetName(cfg.name)
	}
	return layers.NewInput(l, cfg.dtype)
}

// InputOption configures Input.
type InputOption func(*inputConfig)

type inputConfig struct {
	name  string
	dtype tensor.Dtype
}

// InputName names the input (Keras: name); data may then be passed by
// this name. Unnamed inputs are named input_layer, input_layer_1, ...
func InputName(name string) InputOption { return func(c *inputConfig) { c.name = name } }

// InputDtype declares the element type of the data fed to the input
// (Keras: dtype), for example tensor.Int64 for token ids. Computation
// happens in the model's float dtype: integer data must hold integers
// exactly representable in it (|v| <= 2^24 for float32), which Fit and
// Predict check.
func InputDtype(dt tensor.Dtype) InputOption { return func(c *inputConfig) { c.dtype = dt } }

// NewModel returns the functional model computing outputs from inputs
// (Keras: keras.Model(inputs, outputs) / keras_model). inputs are tensors
// returned by Input; outputs are tensors computed from them by applying
// layers. The graph is checked now: an output not reachable from the
// inputs, an input not used, a cycle, layers applied to shapes that do not
// fit (a merge of incompatible shapes) or duplicate names give an error
// naming the layers. Unnamed layers are named as Keras names them, in the
// graph's order. Output names are the names of the layers producing the
// outputs unless OutputNames gives others.
func NewModel(inputs, outputs []*Tensor, opts ...ModelOption) (*Model, error) {
	cfg := modelConfig{name: "functional"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	g, err := graph.New(inputs, outputs)
	if err != nil {
		return nil, errors.Wrap(err, "keras: NewModel")
	}
	m := newModel(cfg.name, "Functional")
	m.inputs = append([]*layers.Tensor(nil), inputs...)
	m.outputs = append([]*layers.Tensor(nil), outputs...)
	m.g = g
	names := cfg.outputNames
	if names == nil {
		for _, t := range outputs {
			names = append(names, t.Layer().Name())
		}
	}
	if len(names) != len(outputs) {
		return nil, errors.Errorf("keras: NewModel: %d output names for %d outputs", len(names), len(outputs))
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] || n == "" {
			return nil, errors.Errorf("keras: NewModel: output name %q is empty or used twice (outputs %v); give distinct names with OutputNames", n, names)
		}
		seen[n] = true
	}
	m.outputNames = names
	return m, nil
}

// ModelOption configures NewModel.
type ModelOption func(*modelConfig)

type modelConfig struct {
	name        string
	outputNames []string
}

// ModelName names the model (default "functional").
func ModelName(name string) ModelOption { return func(c *modelConfig) { c.name = name } }

// OutputNames names the outputs, in order (Keras: the keys of an outputs
// dict); by default each output is named after the layer producing it.
func OutputNames(names ...string) ModelOption {
	names = append([]string(nil), names...)
	return func(c *modelConfig) { c.outputNames = names }
}

// Add appends a layer to a Sequential model. It fails once the model is
// built (ErrBuilt), while it trains (ErrTraining), for a nil layer
// (ErrNil), a layer already in the model, or on a functional model.
func (m *Model) Add(l layers.Layer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !m.sequential:
		return errors.New("keras: Add: only Sequential models take layers one by one")
	case m.fitting.Load():
		return errors.Wrap(ErrTraining, "keras: Add")
	case m.built.Load():
		return errors.Wrap(ErrBuilt, "keras: Add: add layers before Summary, Compile, Fit or Predict")
	}
	if err := layers.Check(l); err != nil {
		return errors.Wrap(err, "keras: Add")
	}
	for _, x := range m.seq {
		if x == l {
			return errors.Wrapf(ErrBuilt, "keras: Add: layer %s is already in the model; a Sequential model uses a layer once (apply it twice in a functional model to share its weights)", layerLabel(l))
		}
	}
	m.seq = append(m.seq, l)
	return nil
}

func layerLabel(l layers.Layer) string {
	if l.Name() != "" {
		return l.Name()
	}
	return "(unnamed " + l.ClassName() + ")"
}

// ClassName returns "Sequential" or "Functional", Keras's class names.
func (m *Model) ClassName() string {
	if m.sequential {
		return "Sequential"
	}
	return "Functional"
}

// SetSeed fixes the seed that decides the model's initial weights, the
// order of every epoch's batches and its dropout masks. Without it the
// seed is random. It must be called before the model is built (ErrBuilt).
func (m *Model) SetSeed(seed int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.built.Load() {
		return errors.Wrap(ErrBuilt, "keras: SetSeed: set the seed before Summary, Compile, Fit or Predict")
	}
	m.seed = seed
	return nil
}

// Seed returns the model's seed.
func (m *Model) Seed() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seed
}

// SetDtype selects the element type of the weights and every computation:
// tensor.Float32 (the default) or tensor.Float64. It must be called before
// the model is built (ErrBuilt).
func (m *Model) SetDtype(dt tensor.Dtype) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.built.Load() {
		return errors.Wrap(ErrBuilt, "keras: SetDtype")
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return &OptionError{Call: "SetDtype", Option: "dtype", Value: dt.String(), Msg: "must be float32 or float64"}
	}
	m.dtype = dt
	return nil
}

// Dtype returns the model's element type.
func (m *Model) Dtype() tensor.Dtype {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dtype
}

// Layers returns the model's layers (Keras: model.layers): for a
// Sequential model the layers as added, without the input layer; for a
// functional model every layer once, input layers first, in the graph's
// order. Before a Sequential model is built its layers are unnamed.
func (m *Model) Layers() []layers.Layer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sequential {
		out := make([]layers.Layer, 0, len(m.seq))
		for _, l := range m.seq {
			if _, ok := l.(*layers.InputLayer); !ok {
				out = append(out, l)
			}
		}
		return out
	}
	return m.g.Layers()
}

// GetLayer returns the layer with the given name (Keras: get_layer).
func (m *Model) GetLayer(name string) (layers.Layer, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	for _, l := range m.g.Layers() {
		if l.Name() == name {
			return l, nil
		}
	}
	known := make([]string, 0, len(m.g.Layers()))
	for _, l := range m.g.Layers() {
		known = append(known, l.Name())
	}
	return nil, errors.Wrap(&UnknownNameError{Kind: "layer", Name: name, Known: known}, "keras: GetLayer")
}

// GetLayerAt returns the layer at index i of Layers (Keras: get_layer(index=i)).
func (m *Model) GetLayerAt(i int) (layers.Layer, error) {
	ls := m.Layers()
	if i < 0 || i >= len(ls) {
		return nil, &OptionError{Call: "GetLayerAt", Option: "index", Value: fmt.Sprint(i), Msg: fmt.Sprintf("the model has %d layers", len(ls))}
	}
	return ls[i], nil
}

// Inputs returns the model's input tensors, building it if needed (nil if
// building fails).
func (m *Model) Inputs() []*Tensor {
	if m.Build() != nil {
		return nil
	}
	return m.g.Inputs()
}

// Outputs returns the model's output tensors, building it if needed.
func (m *Model) Outputs() []*Tensor {
	if m.Build() != nil {
		return nil
	}
	return m.g.Outputs()
}

// InputNames returns the names of the model's inputs, in order.
func (m *Model) InputNames() ([]string, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	out := make([]string, len(m.inSpecs))
	for i, s := range m.inSpecs {
		out[i] = s.Name
	}
	return out, nil
}

// OutputNames returns the names of the model's outputs, in order.
func (m *Model) OutputNames() ([]string, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	out := make([]string, len(m.outs))
	for i, o := range m.outs {
		out[i] = o.name
	}
	return out, nil
}

// InputShape returns one sample's input shape (without the batch axis)
// of a model with one input, building it if needed.
func (m *Model) InputShape() ([]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	if len(m.inSpecs) != 1 {
		return nil, errors.Errorf("keras: InputShape: the model has %d inputs; use InputShapes", len(m.inSpecs))
	}
	return append([]int(nil), m.inSpecs[0].Shape...), nil
}

// InputShapes returns every input's per-sample shape.
func (m *Model) InputShapes() ([][]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	out := make([][]int, len(m.inSpecs))
	for i, s := range m.inSpecs {
		out[i] = append([]int(nil), s.Shape...)
	}
	return out, nil
}

// OutputShape returns one sample's output shape of a model with one
// output, building it if needed.
func (m *Model) OutputShape() ([]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	if len(m.outs) != 1 {
		return nil, errors.Errorf("keras: OutputShape: the model has %d outputs; use OutputShapes", len(m.outs))
	}
	return append([]int(nil), m.outs[0].shape...), nil
}

// OutputShapes returns every output's per-sample shape.
func (m *Model) OutputShapes() ([][]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	out := make([][]int, len(m.outs))
	for i, o := range m.outs {
		out[i] = append([]int(nil), o.shape...)
	}
	return out, nil
}

// InputDtypes returns the element type declared for each input's data
// (InputDtype; the zero Dtype: the model's float type).
func (m *Model) InputDtypes() ([]tensor.Dtype, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	out := make([]tensor.Dtype, len(m.g.Inputs()))
	for i, t := range m.g.Inputs() {
		out[i] = t.Dtype()
	}
	return out, nil
}

// Variables returns every weight in Keras's order (layer by layer; Dense:
// kernel then bias), nil before the model is built. Weights shared by
// several layers appear once.
func (m *Model) Variables() []*backend.Variable {
	if !m.built.Load() {
		return nil
	}
	return append([]*backend.Variable(nil), m.vars...)
}

// Build names the layers, checks their options and shapes, and creates the
// weights from the model's seed. Calls after the first do nothing.
// Summary, Compile, Fit, Predict and the weight accessors call it. A
// Sequential model whose first layer declares no input shape cannot be
// built before it sees data.
func (m *Model) Build() error {
	if m.built.Load() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buildLocked(nil)
}

// buildFor builds a model for the shapes of its first data when it has no
// declared input shape (a Sequential model whose first layer has no
// InputShape, as Keras builds on the first fit).
func (m *Model) buildFor(x Data) error {
	if m.built.Load() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.built.Load() {
		return nil
	}
	var shape []int
	if t, ok := x.(tensor.Tensor); ok && t != nil && m.sequential && len(m.seq) > 0 && m.seq[0].DeclaredInputShape() == nil {
		if _, isInput := m.seq[0].(*layers.InputLayer); !isInput && t.Dims() >= 2 {
			shape = append([]int(nil), t.Shape()[1:]...)
		}
	}
	return m.buildLocked(shape)
}

func (m *Model) buildLocked(dataShape []int) (err error) {
	if m.built.Load() {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: building the model", r)
		}
	}()
	if err := m.graphLocked(dataShape); err != nil {
		return err
	}
	if err := m.checkSize(); err != nil {
		return err
	}
	return m.materializeLocked(m.stream(streamInit))
}

// graphLocked makes the model's graph of layers (a Sequential model's
// from its layers; a functional model has it from NewModel): shapes and
// names, no weights yet.
func (m *Model) graphLocked(dataShape []int) error {
	if m.g != nil {
		return nil
	}
	if m.sequential {
		return m.sequentialGraph(dataShape)
	}
	return errors.New("keras: the model has no graph")
}

// checkSize bounds the weights the model would allocate, nested models'
// included, before anything is allocated.
func (m *Model) checkSize() error {
	total := 0
	var walk func(g *graph.Graph) error
	walk = func(g *graph.Graph) error {
		for _, l := range g.Layers() {
			if inner, nested := modelOf(l); nested {
				if inner.g != nil && !inner.built.Load() {
					if err := walk(inner.g); err != nil {
						return err
					}
				}
				continue
			}
			for _, v := range l.Variables() {
				if !v.Materialized() {
					if total += v.Size(); total > MaxParams || total < 0 {
						return errors.Wrapf(ErrTooLarge, "keras: the model's weights need more than keras.MaxParams = %d values (layer %s)", MaxParams, l.Name())
					}
				}
			}
		}
		return nil
	}
	return walk(m.g)
}

// materializeLocked allocates and initialises, from rng and in the
// model's dtype, every weight without values, in Keras's order (layer by
// layer; a nested model that was not built yet takes this model's dtype
// and draws its weights from this model's stream, so that one seed decides
// all), and makes the inference engine.
func (m *Model) materializeLocked(rng *rand.Rand) error {
	g := m.g
	var vars []*backend.Variable
	seen := map[*backend.Variable]bool{}
	for _, l := range g.Layers() {
		if inner, nested := modelOf(l); nested {
			if err := inner.materializeAsPart(m.dtype, rng); err != nil {
				return errors.Wrapf(err, "keras: nested model %s", inner.Name())
			}
		} else {
			if c, ok := l.(layers.DtypeChecker); ok {
				if err := c.CheckDtype(m.dtype); err != nil {
					return errors.Wrap(err, "keras")
				}
			}
			if err := l.LayerBase().InitWeights(m.dtype, rng); err != nil {
				return errors.Wrap(err, "keras")
			}
		}
		for _, v := range l.Variables() {
			if !seen[v] {
				seen[v] = true
				vars = append(vars, v)
			}
		}
	}
	qualifyNestedWeights(g)
	inSpecs, outs := m.specs()
	eng, err := backend.NewEngine(backend.Spec{Dtype: m.dtype, Inputs: inSpecs, Variables: vars, Forward: g.Forward, WeightsLock: &m.weightsMu})
	if err != nil {
		return errors.Wrap(err, "keras")
	}
	m.vars, m.inSpecs, m.outs, m.infer = vars, inSpecs, outs, eng
	m.built.Store(true)
	return nil
}

// materializeAsPart builds a model nested in one of dtype dt, drawing its
// weights from rng unless it is built already (then its dtype must be dt).
func (m *Model) materializeAsPart(dt tensor.Dtype, rng *rand.Rand) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.built.Load() {
		if m.dtype != dt {
			return errors.Errorf("it is %v and the model holding it is %v", m.dtype, dt)
		}
		return nil
	}
	if err := m.graphLocked(nil); err != nil {
		return err
	}
	m.dtype = dt
	return m.materializeLocked(rng)
}

// specs returns the model's inputs and outputs from its graph.
func (m *Model) specs() ([]backend.TensorSpec, []outputSpec) {
	var inSpecs []backend.TensorSpec
	for _, t := range m.g.Inputs() {
		inSpecs = append(inSpecs, backend.TensorSpec{Name: t.Layer().Name(), Shape: t.Shape()})
	}
	var outs []outputSpec
	for i, t := range m.g.Outputs() {
		name := t.Layer().Name()
		if i < len(m.outputNames) {
			name = m.outputNames[i]
		}
		outs = append(outs, outputSpec{name: name, shape: t.Shape()})
	}
	return inSpecs, outs
}

// qualifyNestedWeights names the weights of models nested in g's model
// "<nested model>/<layer>/<weight>" (Keras 3's variable paths), so that
// every weight of a model has a name of its own: saved files and the
// optimizer's state key weights by name.
func qualifyNestedWeights(g *graph.Graph) {
	var walk func(prefix string, gg *graph.Graph)
	walk = func(prefix string, gg *graph.Graph) {
		for _, l := range gg.Layers() {
			if inner, ok := modelOf(l); ok {
				walk(prefix+inner.Name()+"/", inner.g)
				continue
			}
			if prefix == "" {
				continue
			}
			names := l.LayerBase().WeightNames()
			for i, v := range l.Variables() {
				v.SetName(prefix + l.Name() + "/" + names[i])
			}
		}
	}
	walk("", g)
}

// sequentialGraph applies the Sequential model's layers in order to an
// input tensor and makes the graph.
func (m *Model) sequentialGraph(dataShape []int) error {
	if len(m.seq) == 0 {
		return errors.New("keras: the model has no layers")
	}
	for i, l := range m.seq {
		if err := layers.Check(l); err != nil {
			return errors.Wrapf(err, "keras: layer %d", i)
		}
	}
	ls := m.seq
	var in *layers.Tensor
	if il, ok := ls[0].(*layers.InputLayer); ok {
		in = layers.NewInput(il, il.Dtype())
		ls = ls[1:]
		if len(ls) == 0 {
			return errors.New("keras: the model has only an input layer")
		}
	} else {
		shape := ls[0].DeclaredInputShape()
		if shape == nil {
			shape = dataShape
		}
		if shape == nil {
			return errors.Errorf("keras: the first layer (%s) needs an input shape: give it layers.InputShape(...), put layers.Input(...) first, or call Fit or Predict with data", layerLabel(ls[0]))
		}
		in = layers.NewInput(layers.Input(shape...), tensor.Dtype{})
	}
	used := map[layers.Layer]bool{}
	// Name the layers first, as the model will, so that build errors name
	// them.
	if err := graph.NameLayers(m.seq); err != nil {
		return errors.Wrap(err, "keras")
	}
	ctx := &layers.BuildContext{MaxParams: m.maxParams}
	t := in
	for _, l := range ls {
		if used[l] {
			return errors.Wrapf(ErrBuilt, "keras: layer %s appears twice in the Sequential model; apply it twice in a functional model to share its weights", l.Name())
		}
		used[l] = true
		if d := l.DeclaredInputShape(); d != nil && !equalInts(d, t.Shape()) {
			return &ShapeError{Where: "keras: layer " + l.Name(), Arg: "input_shape", Got: append([]int{-1}, t.Shape()...), Want: append([]int{-1}, d...),
				Msg: "the layer declares one input shape but receives another"}
		}
		outs := layers.ApplyLayer(ctx, l, t)
		if len(outs) != 1 {
			return errors.Errorf("keras: layer %s has %d outputs; a Sequential model's layers have one", l.Name(), len(outs))
		}
		if err := outs[0].Err(); err != nil {
			return errors.Wrap(err, "keras")
		}
		t = outs[0]
	}
	g, err := graph.New([]*layers.Tensor{in}, []*layers.Tensor{t})
	if err != nil {
		return errors.Wrap(err, "keras")
	}
	m.g = g
	return nil
}

// The model as a layer of another model: modelLayer is what the outer
// graph holds (a Model's own Build takes no arguments, so the Model cannot
// be a layers.Layer itself). Model.Apply applies it.

type modelLayer struct{ m *Model }

// modelOf returns the model behind a layer of a graph, if it is one.
func modelOf(l layers.Layer) (*Model, bool) {
	ml, ok := l.(*modelLayer)
	if !ok {
		return nil, false
	}
	return ml.m, true
}

// AsLayer returns the model as a layer of another model. Apply (from the
// embedded layers.Base) applies it to tensors directly.
func (m *Model) AsLayer() layers.Layer { return m.Self() }

func (l *modelLayer) ClassName() string              { return l.m.ClassName() }
func (l *modelLayer) Name() string                   { return l.m.Name() }
func (l *modelLayer) SetName(name string)            { l.m.SetName(name) }
func (l *modelLayer) DeclaredInputShape() []int      { return nil }
func (l *modelLayer) LayerBase() *layers.Base        { return &l.m.Base }
func (l *modelLayer) Variables() []*backend.Variable { return l.m.Variables() }
func (l *modelLayer) Config() any                    { return l.m.layerConfig() }
func (l *modelLayer) Model() *Model                  { return l.m }

// BuildMulti builds the model and checks the shapes it is applied to.
func (l *modelLayer) BuildMulti(_ *layers.BuildContext, in [][]int) ([][]int, error) {
	m := l.m
	m.mu.Lock()
	err := m.graphLocked(nil)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	inSpecs, outSpecs := m.specs()
	if len(in) != len(inSpecs) {
		return nil, errors.Errorf("keras: model %s takes %d inputs, got %d", m.Name(), len(inSpecs), len(in))
	}
	for i, s := range inSpecs {
		if !compatible(s.Shape, in[i]) {
			return nil, &ShapeError{Where: "keras: model " + m.Name(), Arg: "input " + s.Name,
				Got: append([]int{-1}, in[i]...), Want: append([]int{-1}, s.Shape...)}
		}
	}
	out := make([][]int, len(outSpecs))
	for i, o := range outSpecs {
		out[i] = append([]int(nil), o.shape...)
	}
	m.FinishBuildMulti(in, out)
	return out, nil
}

// ForwardMulti adds the model's graph to another model's graph.
func (l *modelLayer) ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	if !l.m.built.Load() {
		return nil, errors.Wrapf(ErrNotBuilt, "keras: model %s", l.m.Name())
	}
	return l.m.g.Forward(s, xs)
}

// Build is BuildMulti for one input and one output.
func (l *modelLayer) Build(ctx *layers.BuildContext, in []int) ([]int, error) {
	out, err := l.BuildMulti(ctx, [][]int{in})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, errors.Errorf("keras: model %s has %d outputs", l.m.Name(), len(out))
	}
	return out[0], nil
}

// Forward is ForwardMulti for one input and one output.
func (l *modelLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	outs, err := l.ForwardMulti(s, []*G.Node{x})
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("keras: model %s has %d outputs", l.m.Name(), len(outs))
	}
	return outs[0], nil
}

func compatible(want, got []int) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if want[i] != -1 && want[i] != got[i] {
			return false
		}
	}
	return true
}

// The model's random streams, each derived from its seed.
const (
	streamInit = iota + 1
	streamShuffle
	streamNoise
)

func (m *Model) stream(id int64) *rand.Rand {
	return rand.New(rand.NewSource(int64(splitmix64(uint64(m.seed) ^ uint64(id)*0x9e3779b97f4a7c15))))
}

// epochStream returns the stream for one epoch: the shuffle order and the
// dropout masks of epoch e depend only on the seed and e, so a run resumed
// at epoch e (InitialEpoch, BackupAndRestore, a loaded model) repeats an
// uninterrupted run exactly.
func (m *Model) epochStream(id int64, epoch int) *rand.Rand {
	x := splitmix64(uint64(m.seed) ^ uint64(id)*0x9e3779b97f4a7c15)
	return rand.New(rand.NewSource(int64(splitmix64(x ^ uint64(epoch+1)*0xd1b54a32d192ed03))))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func randomSeed() int64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return 1
	}
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func (m *Model) String() string {
	return fmt.Sprintf("Model(%s, %s)", m.Name(), m.ClassName())
}
