package keras

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/layers"
)

// Model is a stack of layers that trains and predicts. Build one with
// Sequential.
//
// A Model is safe for concurrent Predict calls, also while it trains
// (each prediction sees the weights between two training steps). Fit and
// Evaluate calls are serialised.
type Model struct {
	name   string
	layers []layers.Layer
	dtype  tensor.Dtype
	seed   int64

	built    bool
	inShape  []int
	outShape []int
	vars     []*backend.Variable

	maxParams int // > 0 while loading a saved model: the values the file holds

	compiled *compiled
	eng      atomic.Pointer[backend.Engine]

	weightsMu sync.RWMutex // readers: graph runs; writer: optimizer steps, SetWeights
	evalMu    sync.Mutex   // Evaluate and Fit's validation share metric state
	fitting   atomic.Bool
	stop      atomic.Bool
	// startEpoch is 1 + the first epoch of the running Fit while its
	// OnTrainBegin hooks run (they may move it: SetInitialEpoch), else 0.
	startEpoch atomic.Int64
}

// Sequential returns a model that applies the given layers in order
// (Keras: keras_model_sequential() / keras.Sequential). The first layer
// must declare the input shape (layers.InputShape, or layers.Input
// first). The model is built (weights created) on the first call that
// needs its weights: Summary, Compile, GetWeights, Fit.
func Sequential(ls ...layers.Layer) *Model {
	m := &Model{name: "sequential", dtype: tensor.Float32, seed: randomSeed()}
	m.layers = append(m.layers, ls...)
	return m
}

// Add appends a layer. It fails once the model is built.
func (m *Model) Add(l layers.Layer) error {
	if m.built {
		return errors.New("keras: Add: the model is already built; add layers before Summary, Compile or Fit")
	}
	if l == nil {
		return errors.New("keras: Add: nil layer")
	}
	m.layers = append(m.layers, l)
	return nil
}

// SetName sets the model's name (default "sequential"), shown by Summary.
func (m *Model) SetName(name string) { m.name = name }

// Name returns the model's name.
func (m *Model) Name() string { return m.name }

// SetSeed fixes the seed that decides the model's initial weights, the
// order of every epoch's batches and its dropout masks. Without it the
// seed is random. It must be called before the model is built.
func (m *Model) SetSeed(seed int64) error {
	if m.built {
		return errors.New("keras: SetSeed: the model is already built; set the seed before Summary, Compile or Fit")
	}
	m.seed = seed
	return nil
}

// Seed returns the model's seed.
func (m *Model) Seed() int64 { return m.seed }

// SetDtype selects the element type of the weights and every computation:
// tensor.Float32 (the default) or tensor.Float64. It must be called before
// the model is built.
func (m *Model) SetDtype(dt tensor.Dtype) error {
	if m.built {
		return errors.New("keras: SetDtype: the model is already built")
	}
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return errors.Errorf("keras: SetDtype: %v is not supported (float32 or float64)", dt)
	}
	m.dtype = dt
	return nil
}

// Dtype returns the model's element type.
func (m *Model) Dtype() tensor.Dtype { return m.dtype }

// Layers returns the model's layers in order.
func (m *Model) Layers() []layers.Layer { return append([]layers.Layer(nil), m.layers...) }

// InputShape returns one sample's input shape (without the batch axis),
// building the model if needed.
func (m *Model) InputShape() ([]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	return append([]int(nil), m.inShape...), nil
}

// OutputShape returns one sample's output shape, building the model if
// needed.
func (m *Model) OutputShape() ([]int, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	return append([]int(nil), m.outShape...), nil
}

// Variables returns every weight in Keras's order (layer by layer; Dense:
// kernel then bias), building the model if needed.
func (m *Model) Variables() ([]*backend.Variable, error) {
	if err := m.Build(); err != nil {
		return nil, err
	}
	return append([]*backend.Variable(nil), m.vars...), nil
}

// Build names the layers, checks their options and shapes, and creates the
// weights from the model's seed. Calls after the first do nothing. Summary,
// Compile, Fit and the weight accessors call it.
func (m *Model) Build() (err error) {
	if m.built {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("keras: building the model panicked: %v", r)
		}
	}()
	if len(m.layers) == 0 {
		return errors.New("keras: the model has no layers")
	}
	if err := m.nameLayers(); err != nil {
		return err
	}
	shape := m.layers[0].DeclaredInputShape()
	if len(shape) == 0 {
		return errors.Errorf("keras: the first layer (%s) needs an input shape: give it layers.InputShape(...) or put layers.Input(...) first", m.layers[0].Name())
	}
	ctx := &layers.BuildContext{Dtype: m.dtype, Rand: m.stream(streamInit), MaxParams: m.maxParams}
	in := append([]int(nil), shape...)
	var vars []*backend.Variable
	for i, l := range m.layers {
		if d := l.DeclaredInputShape(); i > 0 && d != nil && !equalInts(d, shape) {
			return errors.Errorf("keras: layer %s declares input shape %v but receives %v", l.Name(), layers.ShapeString(d), layers.ShapeString(shape))
		}
		out, err := l.Build(ctx, shape)
		if err != nil {
			return errors.Wrap(err, "keras")
		}
		shape = out
		vars = append(vars, l.Variables()...)
	}
	m.inShape, m.outShape, m.vars = in, append([]int(nil), shape...), vars
	eng, err := backend.NewEngine(backend.Spec{Dtype: m.dtype, InputShape: m.inShape, Variables: m.vars, Forward: m.forward})
	if err != nil {
		return errors.Wrap(err, "keras")
	}
	m.eng.Store(eng)
	m.built = true
	return nil
}

// engine returns the current engine: the inference-only one made by Build,
// or the one made by the last Compile.
func (m *Model) engine() *backend.Engine { return m.eng.Load() }

var camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// snake turns a Keras class name into its default layer name prefix
// (Dense -> dense, InputLayer -> input_layer).
func snake(class string) string {
	return strings.ToLower(camelBoundary.ReplaceAllString(class, "${1}_${2}"))
}

// nameLayers gives unnamed layers Keras-style names (dense, dense_1, ...)
// and rejects duplicate names.
func (m *Model) nameLayers() error {
	used := map[string]bool{}
	for _, l := range m.layers {
		if l.Name() != "" {
			if used[l.Name()] {
				return errors.Errorf("keras: two layers are named %q; layer names must be unique", l.Name())
			}
			used[l.Name()] = true
		}
	}
	counts := map[string]int{}
	for _, l := range m.layers {
		if l.Name() != "" {
			continue
		}
		base := snake(l.ClassName())
		for {
			name := base
			if n := counts[base]; n > 0 {
				name = fmt.Sprintf("%s_%d", base, n)
			}
			counts[base]++
			if !used[name] {
				l.SetName(name)
				used[name] = true
				break
			}
		}
	}
	return nil
}

// forward chains the layers' Forward functions into one graph.
func (m *Model) forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	var err error
	for _, l := range m.layers {
		if x, err = l.Forward(s, x); err != nil {
			return nil, errors.Wrapf(err, "keras: layer %s", l.Name())
		}
	}
	return x, nil
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
