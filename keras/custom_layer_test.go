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
