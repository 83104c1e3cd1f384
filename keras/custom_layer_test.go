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
)

// scaleLayer is a user-defined layer: it multiplies each feature by a
// trained factor.
type scaleLayer struct {
	layers.Base
	scale *backend.Variable
}

func newScale(opts ...layers.Option) *scaleLayer {
	l := &scaleLayer{}
	l.Init("Scale", opts)
	return l
}

func (l *scaleLayer) ClassName() string { return "Scale" }

func (l *scaleLayer) Build(ctx *layers.BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	v, err := ctx.NewVariable(l.Name(), "scale", []int{in[len(in)-1]}, initializers.GlorotUniform(), true)
	if err != nil {
		return nil, err
	}
	l.scale = v
	return l.FinishBuild(in, in, v), nil
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

func (l *scaleLayer) Config() interface{} {
	return layers.BaseConfig{Name: l.Name(), InputShape: l.DeclaredInputShape()}
}

func scaleFromConfig(raw json.RawMessage) (layers.Layer, error) {
	var c layers.BaseConfig
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, errors.Wrap(err, "Scale config")
	}
	opts := []layers.Option{layers.Name(c.Name)}
	if len(c.InputShape) > 0 {
		opts = append(opts, layers.InputShape(c.InputShape...))
	}
	return newScale(opts...), nil
}

// TestCustomLayerNeedsRegistering: a model with a user-defined layer
// saves; loading it without registering the layer gives the registry
// error (not a panic); after layers.Register it loads and predicts
// identically.
func TestCustomLayerNeedsRegistering(t *testing.T) {
	ctx := context.Background()
	m := keras.Sequential(newScale(layers.InputShape(3)), layers.Dense(2))
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
		want := "keras: LoadModel: " + path + ": layer 0 (scale): layers: unknown layer type Scale: register it with layers.Register"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("loading an unregistered layer:\n got %v\nwant %s...", err, want)
		}
		js, _ := m.ToJSON()
		if _, err := keras.ModelFromJSON(js); err == nil || !strings.Contains(err.Error(), "register it with layers.Register") {
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
