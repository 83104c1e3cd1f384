package interop_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/layers"
)

// array is one tensor of a predictions file.
type array struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

type reference struct {
	Inputs  []array `json:"inputs"`
	Outputs []array `json:"outputs"`
}

func readJSON(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

// predictAll runs m on the reference inputs.
func predictAll(t *testing.T, m *keras.Model, ins []array) []*tensor.Dense {
	t.Helper()
	var xs []tensor.Tensor
	for _, a := range ins {
		xs = append(xs, tensor.New(tensor.WithShape(a.Shape...), tensor.WithBacking(append([]float64(nil), a.Data...))))
	}
	var x keras.Data = xs
	if len(xs) == 1 {
		x = xs[0]
	}
	outs, err := m.PredictAll(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// checkClose compares outputs with reference values within tol.
func checkClose(t *testing.T, got []*tensor.Dense, want []array, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d outputs, want %d", len(got), len(want))
	}
	for k, g := range got {
		w := want[k]
		if !equalShape(g.Shape(), w.Shape) {
			t.Fatalf("output %d: shape %v, want %v", k, g.Shape(), w.Shape)
		}
		vals := toFloats(g)
		worst := 0.0
		for i, v := range vals {
			if d := math.Abs(v - w.Data[i]); d > worst {
				worst = d
			}
		}
		if worst > tol {
			t.Errorf("output %d: largest difference %g > %g", k, worst, tol)
		}
	}
}

func toFloats(d *tensor.Dense) []float64 {
	switch x := d.Data().(type) {
	case []float32:
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return x
	}
	return nil
}

func equalShape(a tensor.Shape, b []int) bool {
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

// TestTFJSFixtures loads the models TensorFlow.js saved and compares
// gokeras's predictions with tfjs's, within 1e-5 (float32).
func TestTFJSFixtures(t *testing.T) {
	var preds struct {
		Models map[string]reference `json:"models"`
	}
	readJSON(t, "testdata/tfjs/predictions.json", &preds)
	missing := map[string]string{"cnn": "Conv2D", "bn": "BatchNormalization"}
	for _, name := range []string{"mlp", "mlp_float16", "mlp_uint8", "functional", "cnn", "lstm", "bn", "seq"} {
		t.Run(name, func(t *testing.T) {
			if class, ok := missing[name]; ok && !hasConverter(class) {
				t.Skipf("gokeras has no %s layer yet (the fixture needs it; its converter comes with the layer)", class)
			}
			ref, ok := preds.Models[name]
			if !ok {
				t.Fatalf("predictions.json has no %s", name)
			}
			m, err := interop.LoadModel(filepath.Join("testdata", "tfjs", name))
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, predictAll(t, m, ref.Inputs), ref.Outputs, 1e-5)
		})
	}
}

func hasConverter(class string) bool {
	for _, c := range interop.ConverterClasses() {
		if c == class {
			return true
		}
	}
	return false
}

// TestKerasFixtures loads the Keras 3 and Keras 2 files written with h5py
// in Keras's layouts and compares predictions with numpy's.
func TestKerasFixtures(t *testing.T) {
	var exp struct {
		Models map[string]reference `json:"models"`
	}
	readJSON(t, "testdata/keras/expected.json", &exp)
	for _, c := range []struct{ name, file string }{
		{"sequential", "sequential.keras"},
		{"functional", "functional.keras"},
		{"keras2_sequential", "keras2_sequential.h5"},
		{"keras2_functional", "keras2_functional.h5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := interop.LoadModel(filepath.Join("testdata", "keras", c.file))
			if err != nil {
				t.Fatal(err)
			}
			checkClose(t, predictAll(t, m, exp.Models[c.name].Inputs), exp.Models[c.name].Outputs, 1e-5)
		})
	}
}

// TestKerasWeightsFixtures loads weights-only files into models built in
// gokeras.
func TestKerasWeightsFixtures(t *testing.T) {
	var exp struct {
		Models map[string]reference `json:"models"`
	}
	readJSON(t, "testdata/keras/expected.json", &exp)
	t.Run("keras3", func(t *testing.T) {
		m := keras.Sequential(
			layers.Dense(16, layers.Activation("relu"), layers.InputShape(13)),
			layers.Dropout(0.2),
			layers.Dense(8, layers.Activation("tanh")),
			layers.Dense(1))
		if err := interop.LoadWeights(m, "testdata/keras/sequential.weights.h5"); err != nil {
			t.Fatal(err)
		}
		ref := exp.Models["sequential"]
		checkClose(t, predictAll(t, m, ref.Inputs), ref.Outputs, 1e-5)
	})
	t.Run("keras2", func(t *testing.T) {
		m := keras.Sequential(
			layers.Dense(10, layers.Activation("relu"), layers.InputShape(6)),
			layers.Dropout(0.3),
			layers.Dense(3, layers.Activation("softmax")))
		if err := interop.LoadWeights(m, "testdata/keras/keras2_sequential.weights.h5"); err != nil {
			t.Fatal(err)
		}
		ref := exp.Models["keras2_weights"]
		checkClose(t, predictAll(t, m, ref.Inputs), ref.Outputs, 1e-5)
	})
	t.Run("keras2_split_layer_names", func(t *testing.T) {
		m := keras.Sequential(
			layers.Dense(4, layers.InputShape(3)),
			layers.Activation("linear"),
			layers.Activation("linear"),
			layers.Dense(2))
		if err := interop.LoadWeights(m, "testdata/keras/keras2_split.weights.h5"); err != nil {
			t.Fatal(err)
		}
		ref := exp.Models["keras2_split"]
		checkClose(t, predictAll(t, m, ref.Inputs), ref.Outputs, 1e-5)
	})
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		path string
		want interop.Format
	}{
		{"testdata/keras/sequential.keras", interop.FormatKeras},
		{"testdata/keras/sequential.weights.h5", interop.FormatKerasWeights},
		{"testdata/keras/keras2_sequential.h5", interop.FormatH5},
		{"testdata/keras/keras2_sequential.weights.h5", interop.FormatH5Weights},
		{"testdata/tfjs/mlp", interop.FormatTFJS},
		{"testdata/tfjs/mlp/model.json", interop.FormatTFJS},
		{"testdata/keras/make_fixtures.py", interop.FormatUnknown},
	} {
		got, err := interop.Detect(c.path)
		if err != nil || got != c.want {
			t.Errorf("Detect(%s) = %v, %v; want %v", c.path, got, err, c.want)
		}
	}
}

var _ = strings.Contains
