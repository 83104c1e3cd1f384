package losses_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/losses"
)

// perSample builds loss(yTrue, act(z)) the way a model does: the
// activation is recorded on the scope so that cross-entropies can use the
// logits. An act ending in "_unfused" applies the activation without
// recording it, so the loss sees only probabilities.
func perSample(l losses.Loss, act string) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		s := backend.NewScope(g, backend.Train, in[0].Shape()[0], tensor.Float64)
		return perSampleIn(s, l, act)(g, in)
	}
}

func perSampleIn(s *backend.Scope, l losses.Loss, act string) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
		z, yTrue := in[0], in[1]
		yPred := z
		if act != "" {
			name := strings.TrimSuffix(act, "_unfused")
			a, err := activations.Get(name)
			if err != nil {
				return nil, err
			}
			if yPred, err = a.Apply(z); err != nil {
				return nil, err
			}
			if name == act {
				s.MarkActivation(yPred, z, act)
			}
		}
		return l.PerSample(s, yTrue, yPred)
	}
}

func get(t *testing.T, name string) losses.Loss {
	l, err := losses.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestValues(t *testing.T) {
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	z := []float64{0.5, -1, 2, 0.25}
	soft := func(r []float64) []float64 {
		d := math.Exp(r[0]) + math.Exp(r[1])
		return []float64{math.Exp(r[0]) / d, math.Exp(r[1]) / d}
	}
	s0, s1 := soft(z[:2]), soft(z[2:])
	cases := []struct {
		loss, act  string
		pred, true []float64
		want       []float64 // worked by hand from the formulas
	}{
		{"mse", "", []float64{1, 2, 3, 4}, []float64{1.5, 2.5, 2, 6}, []float64{0.25, 2.5}},
		{"mean_squared_error", "", []float64{1, 2, 3, 4}, []float64{1.5, 2.5, 2, 6}, []float64{0.25, 2.5}},
		{"mae", "", []float64{1, 2, 3, 4}, []float64{1.5, 2.5, 2, 6}, []float64{0.5, 1.5}},
		{"binary_crossentropy", "", []float64{0.9, 0.2, 0.6, 0.4}, []float64{1, 0, 0, 1},
			[]float64{-(math.Log(0.9) + math.Log(0.8)) / 2, -(math.Log(0.4) + math.Log(0.4)) / 2}},
		{"binary_crossentropy", "sigmoid", z, []float64{1, 0, 0, 1},
			[]float64{-(math.Log(sig(0.5)) + math.Log(1-sig(-1))) / 2, -(math.Log(1-sig(2)) + math.Log(sig(0.25))) / 2}},
		{"categorical_crossentropy", "", []float64{0.7, 0.3, 0.2, 0.8}, []float64{1, 0, 1, 0}, []float64{-math.Log(0.7), -math.Log(0.2)}},
		// Probabilities that do not sum to one are normalised first (Keras).
		{"categorical_crossentropy", "", []float64{1.4, 0.6, 0.2, 0.8}, []float64{1, 0, 1, 0}, []float64{-math.Log(0.7), -math.Log(0.2)}},
		{"categorical_crossentropy", "softmax", z, []float64{0, 1, 1, 0}, []float64{-math.Log(s0[1]), -math.Log(s1[0])}},
		{"sparse_categorical_crossentropy", "softmax", z, []float64{0, 1, 1, 0}, []float64{-math.Log(s0[1]), -math.Log(s1[0])}},
	}
	for _, c := range cases {
		t.Run(c.loss+"/"+c.act, func(t *testing.T) {
			in := []*tensor.Dense{gradcheck.FromSlice(c.pred, 2, 2), gradcheck.FromSlice(c.true, 2, 2)}
			got, shape, err := gradcheck.Forward(perSample(get(t, c.loss), c.act), in)
			if err != nil {
				t.Fatal(err)
			}
			if !shape.Eq(tensor.Shape{2}) {
				t.Fatalf("per-sample loss has shape %v, want (2)", shape)
			}
			for i := range c.want {
				if math.Abs(got[i]-c.want[i]) > 1e-12 {
					t.Errorf("sample %d: %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestGradients(t *testing.T) {
	logits := gradcheck.Rand(1, -2, 2, 3, 4)
	probs := gradcheck.Rand(2, 0.05, 0.95, 3, 4)
	onehot := gradcheck.FromSlice([]float64{0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1}, 3, 4)
	bin := gradcheck.FromSlice([]float64{0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0}, 3, 4)
	dense := gradcheck.Rand(3, -1, 1, 3, 4)
	cases := []struct {
		loss, act string
		pred, y   *tensor.Dense
	}{
		{"mse", "", logits, dense},
		{"mae", "", logits, dense},
		{"binary_crossentropy", "", probs, bin},
		{"binary_crossentropy", "sigmoid", logits, bin},
		{"categorical_crossentropy", "", probs, onehot},
		{"categorical_crossentropy", "softmax", logits, onehot},
		{"sparse_categorical_crossentropy", "softmax", logits, onehot},
	}
	for _, c := range cases {
		t.Run(c.loss+"/"+c.act, func(t *testing.T) {
			m, err := gradcheck.Check(perSample(get(t, c.loss), c.act), []*tensor.Dense{c.pred, c.y}, gradcheck.Options{NoGrad: []bool{false, true}})
			if err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
	// from_logits without an activation uses the same stable op.
	l := losses.CategoricalCrossentropy(losses.FromLogits(true))
	if m, err := gradcheck.Check(perSample(l, ""), []*tensor.Dense{logits, onehot}, gradcheck.Options{NoGrad: []bool{false, true}}); err != nil {
		t.Errorf("from_logits: %v (worst %+v)", err, m)
	}
}

func TestExtremeLogitsStayFinite(t *testing.T) {
	z := gradcheck.FromSlice([]float64{1e4, -1e4, -1e4, 1e4}, 2, 2)
	for _, c := range []struct{ loss, act string }{
		{"categorical_crossentropy", "softmax"},
		{"sparse_categorical_crossentropy", "softmax"},
		{"binary_crossentropy", "sigmoid"},
	} {
		y := gradcheck.FromSlice([]float64{0, 1, 0, 1}, 2, 2)
		got, _, err := gradcheck.Forward(perSample(get(t, c.loss), c.act), []*tensor.Dense{z, y})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range got {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s after %s of ±1e4: loss %v", c.loss, c.act, got)
			}
		}
		// The gradient is finite as well (checked with a coarse step, the
		// loss being piecewise linear out there).
		if m, err := gradcheck.Check(perSample(get(t, c.loss), c.act), []*tensor.Dense{z, y}, gradcheck.Options{NoGrad: []bool{false, true}, Step: 1e-3}); err != nil {
			t.Errorf("%s: %v (worst %+v)", c.loss, err, m)
		}
	}
}

func TestNamesAndErrors(t *testing.T) {
	_, err := losses.Get("mean_squared_eror")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "mean_squared_eror" || un.Kind != "loss" || len(un.Known) != 21 || un.Known[0] != "bce" {
		t.Errorf("unknown loss error = %v", err)
	}
	// Keras's class names find the function names.
	if l, err := losses.Get("MeanSquaredError"); err != nil || l.Name() != "mean_squared_error" {
		t.Errorf("Get(MeanSquaredError) = %v, %v", l, err)
	}
	if get(t, "mse").Name() != "mean_squared_error" || get(t, "mae").Name() != "mean_absolute_error" {
		t.Error("aliases do not resolve to the canonical names")
	}
	scce, ok := get(t, "sparse_categorical_crossentropy").(losses.SparseTargets)
	if !ok || !scce.SparseTargets() {
		t.Error("sparse_categorical_crossentropy does not declare sparse targets")
	}
	var oe *kerrors.OptionError
	if _, err := losses.Resolve(3.0); !errors.As(err, &oe) || oe.Option != "loss" || oe.Value != "float64" {
		t.Errorf("Resolve(3.0) = %v", err)
	}
	if _, err := losses.Resolve(nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Resolve(nil) = %v", err)
	}
	for _, name := range []string{"mse", "binary_crossentropy", "categorical_crossentropy"} {
		l := get(t, name)
		back, err := losses.FromConfig(losses.ConfigOf(l))
		if err != nil || back.Name() != l.Name() {
			t.Errorf("%s config round trip: %v %v", name, back, err)
		}
	}
}

func ExampleGet() {
	l, err := losses.Get("mse")
	fmt.Println(l.Name(), err)
	_, err = losses.Get("mean_squared_eror")
	fmt.Println(err)
	// Output:
	// mean_squared_error <nil>
	// losses: unknown loss "mean_squared_eror" (known: bce, binary_crossentropy, categorical_crossentropy, categorical_hinge, cosine_similarity, hinge, huber, kl_divergence, kld, log_cosh, mae, mape, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson, sparse_categorical_crossentropy, squared_hinge); register it with losses.Register
}

func ExampleHuber() {
	l := losses.Huber(losses.Delta(0.5))
	fmt.Println(l.Name(), string(losses.ConfigOf(l).Params), l.Err())
	fmt.Println(losses.Huber(losses.Delta(-1)).Err())
	// Output:
	// huber {"delta":0.5} <nil>
	// losses: huber: delta = -1: must be finite and > 0
}

func ExampleBinaryCrossentropy() {
	l := losses.BinaryCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.1))
	raw, _ := json.Marshal(losses.ConfigOf(l))
	fmt.Println(string(raw))
	_, err := losses.Resolve(losses.BinaryCrossentropy(losses.LabelSmoothing(1.5)))
	fmt.Println(err)
	// Output:
	// {"name":"binary_crossentropy","params":{"from_logits":true,"label_smoothing":0.1}}
	// losses: binary_crossentropy: label_smoothing = 1.5: must be in [0, 1]
}
