package keras_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// scaleLayer is a user-defined layer: it multiplies each feature by a
// trained factor. It takes the Common options and one of its own.
type scaleLayer struct {
	layers.Base
	init  initializers.Initializer
	scale *backend.Variable
}

// scaleOption is an option of the user-defined layer: the compiler
// rejects options of other layers.
type scaleOption interface{ applyScale(*scaleLayer) }

// scaleCommon lets the layer take the options every layer takes.
type scaleCommon struct{ layers.Common }

func (c scaleCommon) applyScale(l *scaleLayer) { c.ApplyTo(&l.Base) }

// scaleInit is the layer's own option: how its factors start.
type scaleInit struct{ init initializers.Initializer }

func (o scaleInit) applyScale(l *scaleLayer) { l.init = o.init }

func newScale(opts ...scaleOption) *scaleLayer {
	l := &scaleLayer{init: initializers.GlorotUniform()}
	l.Init(l, "Scale")
	for _, o := range opts {
		o.applyScale(l)
	}
	return l
}

func (l *scaleLayer) ClassName() string { return "Scale" }

func (l *scaleLayer) Build(ctx *layers.BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	v, err := l.AddWeight(ctx, "scale", []int{in[len(in)-1]}, layers.WeightSpec{Initializer: l.init})
	if err != nil {
		return nil, err
	}
	l.scale = v
	return l.FinishBuild(in, in), nil
}

func (l *scaleLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	k, err := s.Param(l.scale)
	if err != nil {
		return nil, err
	}
	row, err := G.Reshape(k, tensor.Shape{1, k.Shape()[0]})
	if err != nil {
		return nil, err
	}
	return G.BroadcastHadamardProd(x, row, nil, []byte{0})
}

func (l *scaleLayer) Config() any { return l.BaseConfig() }

func scaleFromConfig(raw json.RawMessage) (layers.Layer, error) {
	var c layers.BaseConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, errors.Wrap(err, "Scale config")
	}
	common, err := c.Common()
	if err != nil {
		return nil, err
	}
	var opts []scaleOption
	for _, o := range common {
		opts = append(opts, scaleCommon{o})
	}
	return newScale(opts...), nil
}

// TestCustomLayerNeedsRegistering: a model with a user-defined layer
// saves; loading it without registering the layer gives the registry
// error (not a panic); after layers.Register it loads and predicts
// identically.
func TestCustomLayerNeedsRegistering(t *testing.T) {
	ctx := context.Background()
	m := keras.Sequential(newScale(scaleCommon{layers.InputShape(3)}, scaleInit{initializers.Ones()}), layers.Dense(2))
	_ = m.SetSeed(3)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer("adam")); err != nil {
		t.Fatal(err)
	}
	x, y := tableData(20, []int{3}, 2, 1)
	if _, err := m.Fit(ctx, x, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "custom.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	registered := false
	for _, n := range layers.Names() {
		registered = registered || n == "Scale"
	}
	if !registered { // (not on a second -count run)
		_, err := keras.LoadModel(path)
		var ue *keras.UnknownNameError
		if !errors.As(err, &ue) || ue.Name != "Scale" || ue.Hint != "register it with layers.Register" || !strings.Contains(err.Error(), path) {
			t.Fatalf("loading an unregistered layer: %v", err)
		}
		js, _ := m.ToJSON()
		if _, err := keras.ModelFromJSON(js); !errors.As(err, &ue) {
			t.Fatalf("ModelFromJSON with an unregistered layer: %v", err)
		}
		if err := layers.Register("Scale", scaleFromConfig); err != nil {
			t.Fatal(err)
		}
	}
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := m.Predict(ctx, x, keras.Verbose(0))
	pb, _ := l.Predict(ctx, x, keras.Verbose(0))
	sameBits(t, "custom layer predictions", pa, pb)
	for _, mm := range []*keras.Model{m, l} {
		if _, err := mm.Fit(ctx, x, y, keras.Epochs(3), keras.InitialEpoch(2), keras.Verbose(0)); err != nil {
			t.Fatal(err)
		}
	}
	sameWeights(t, "custom layer trained on", m, l)
}

// runningMean is a user-defined layer with state outside training: it
// passes its input through and, in training, keeps a running mean of it
// in a non-trainable weight (Keras's assign in call, the mechanism
// BatchNormalization uses), and adds a penalty on its input's mean to the
// model's loss (Keras's add_loss).
type runningMean struct {
	layers.Base
	mean    *backend.Variable
	penalty float64
}

func newRunningMean(penalty float64) *runningMean {
	l := &runningMean{penalty: penalty}
	l.Init(l, "RunningMean")
	return l
}

func (l *runningMean) ClassName() string { return "RunningMean" }

func (l *runningMean) Build(ctx *layers.BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	v, err := l.AddWeight(ctx, "mean", []int{in[len(in)-1]}, layers.WeightSpec{Initializer: initializers.Zeros(), NonTrainable: true})
	if err != nil {
		return nil, err
	}
	l.mean = v
	return l.FinishBuild(in, in), nil
}

func (l *runningMean) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	m, err := s.Param(l.mean)
	if err != nil {
		return nil, err
	}
	batchMean, err := G.Mean(x, 0)
	if err != nil {
		return nil, err
	}
	// new = 0.5 * old + 0.5 * batch mean
	half := s.Scalar(0.5)
	a, err := G.Mul(m, half)
	if err != nil {
		return nil, err
	}
	b, err := G.Mul(batchMean, half)
	if err != nil {
		return nil, err
	}
	next, err := G.Add(a, b)
	if err != nil {
		return nil, err
	}
	if err := s.Update(l.mean, next); err != nil {
		return nil, err
	}
	if l.penalty > 0 {
		sq, err := G.HadamardProd(batchMean, batchMean)
		if err != nil {
			return nil, err
		}
		sum, err := G.Sum(sq)
		if err != nil {
			return nil, err
		}
		loss, err := G.Mul(sum, s.Scalar(l.penalty))
		if err != nil {
			return nil, err
		}
		if err := s.AddLoss(loss); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (l *runningMean) Config() any { return l.BaseConfig() }

// TestCustomLayerStateAndLosses: a layer's state update runs once per
// training step (never in Predict), and a model whose only loss is one a
// layer adds compiles without Loss and trains on it (the VAE pattern).
func TestCustomLayerStateAndLosses(t *testing.T) {
	ctx := context.Background()
	rm := newRunningMean(0)
	m := keras.Sequential(layers.Dense(2, layers.InputShape(3)), rm)
	_ = m.SetSeed(2)
	_ = m.SetDtype(tensor.Float64)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0)))); err != nil {
		t.Fatal(err)
	}
	x, y := tableData(8, []int{3}, 2, 3)
	// With a learning rate of 0 the Dense output is fixed: after one
	// step on all rows, mean = 0.5*0 + 0.5*mean(dense(x)).
	out, err := m.Predict(ctx, x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got := rm.mean.Float64s(); got[0] != 0 || got[1] != 0 {
		t.Fatalf("Predict changed the state: %v", got)
	}
	want := make([]float64, 2)
	for r := 0; r < 8; r++ {
		for j := 0; j < 2; j++ {
			want[j] += out.Data().([]float64)[r*2+j] / 8
		}
	}
	if _, err := m.Fit(ctx, x, y, keras.BatchSize(8), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for j, got := range rm.mean.Float64s() {
		if d := got - 0.5*want[j]; d > 1e-12 || d < -1e-12 {
			t.Errorf("running mean[%d] = %v, want %v", j, got, 0.5*want[j])
		}
	}
	// No loss given: the layer's own penalty trains the Dense layer
	// towards outputs of mean zero.
	pen := keras.Sequential(layers.Dense(2, layers.InputShape(3), layers.BiasInitializer("ones")), newRunningMean(1))
	_ = pen.SetSeed(3)
	if err := pen.Compile(keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.1)))); err != nil {
		t.Fatal(err)
	}
	h, err := pen.Fit(ctx, x, nil, keras.Epochs(20), keras.BatchSize(8), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	losses, _ := h.Get("loss")
	if !(losses[len(losses)-1] < losses[0]/10) {
		t.Errorf("the added loss did not train: %v", losses)
	}
}

// TestLambdaLayer: a function of tensors as a layer; it saves and loads
// once its function is registered, and refuses to save otherwise.
func TestLambdaLayer(t *testing.T) {
	ctx := context.Background()
	double := func(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
		y, err := G.Add(xs[0], xs[1])
		if err != nil {
			return nil, err
		}
		return []*G.Node{y}, nil
	}
	a, b := keras.Input([]int{3}), keras.Input([]int{3})
	sum := layers.Lambda(double, layers.FunctionName("test_sum")).Apply(a, b)
	m, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{layers.Dense(1).Apply(sum)})
	if err != nil {
		t.Fatal(err)
	}
	xa, _ := tableData(4, []int{3}, 1, 1)
	xb, _ := tableData(4, []int{3}, 1, 2)
	p, err := m.Predict(ctx, []tensor.Tensor{xa, xb}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lambda.gokeras")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := keras.LoadModel(path); err == nil {
		t.Fatal("loading a Lambda whose function is not registered succeeded")
	}
	_ = layers.RegisterLambda("test_sum", double, nil)
	l, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	q, err := l.Predict(ctx, []tensor.Tensor{xa, xb}, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "loaded Lambda model", p, q)
	anon := layers.Lambda(double).Apply(a, b)
	m2, err := keras.NewModel([]*keras.Tensor{a, b}, []*keras.Tensor{anon})
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.Save(filepath.Join(t.TempDir(), "anon.gokeras")); err == nil {
		t.Error("saving a Lambda without FunctionName succeeded")
	}
}
