package losses_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/losses"
)

// lossVectors is testdata/vectors.json, written by testdata/gen_vectors.py
// from PyTorch.
type lossVectors struct {
	R     []float64
	Cases []struct {
		Loss   string
		Params json.RawMessage
		Act    string
		Pred   [][]float64
		True   [][]float64
		Want   []float64
		Grad   [][]float64
	}
}

func loadLossVectors(t *testing.T) lossVectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v lossVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func matrix(m [][]float64) *tensor.Dense {
	var data []float64
	for _, r := range m {
		data = append(data, r...)
	}
	return gradcheck.FromSlice(data, len(m), len(m[0]))
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestAgainstTorch checks every loss's per-sample values and its gradient
// with respect to the predictions (or logits) against PyTorch's.
func TestAgainstTorch(t *testing.T) {
	v := loadLossVectors(t)
	seen := map[string]bool{}
	for _, c := range v.Cases {
		seen[c.Loss] = true
		t.Run(fmt.Sprintf("%s%v/%s", c.Loss, c.Params, c.Act), func(t *testing.T) {
			l, err := losses.FromConfig(losses.Config{Name: c.Loss, Params: c.Params})
			if err != nil {
				t.Fatal(err)
			}
			in := []*tensor.Dense{matrix(c.Pred), matrix(c.True)}
			got, shape, err := gradcheck.Forward(perSample(l, c.Act), in)
			if err != nil {
				t.Fatal(err)
			}
			if !shape.Eq(tensor.Shape{3}) {
				t.Fatalf("per-sample loss shape %v", shape)
			}
			for i, want := range c.Want {
				if !near(got[i], want, 1e-12) {
					t.Errorf("sample %d: %.17g, torch %.17g", i, got[i], want)
				}
			}
			r := gradcheck.FromSlice(v.R, 3)
			weighted := func(g *G.ExprGraph, nodes G.Nodes) (*G.Node, error) {
				per, err := perSample(l, c.Act)(g, nodes[:2])
				if err != nil {
					return nil, err
				}
				return G.HadamardProd(per, nodes[2])
			}
			grads, err := gradcheck.Gradient(weighted, append(in, r), []bool{false, true, true})
			if err != nil {
				t.Fatal(err)
			}
			want := matrix(c.Grad).Data().([]float64)
			for i := range want {
				if !near(grads[0][i], want[i], 1e-10) {
					t.Errorf("gradient %d: %.17g, torch %.17g", i, grads[0][i], want[i])
				}
			}
		})
	}
	for _, name := range losses.Names() {
		l, _ := losses.Get(name)
		if !seen[l.Name()] {
			t.Errorf("%s has no reference vector", name)
		}
	}
}

// TestGradientCheck compares every loss's gradient with finite
// differences, on the reference inputs (which avoid every kink).
func TestGradientCheck(t *testing.T) {
	v := loadLossVectors(t)
	for _, c := range v.Cases {
		t.Run(fmt.Sprintf("%s%v/%s", c.Loss, c.Params, c.Act), func(t *testing.T) {
			l, err := losses.FromConfig(losses.Config{Name: c.Loss, Params: c.Params})
			if err != nil {
				t.Fatal(err)
			}
			yTrue := matrix(c.True)
			if c.Loss == "mean_absolute_percentage_error" {
				// A zero target weighs its error by 100/1e-7, too much
				// for finite differences of the summed loss (the torch
				// vectors cover that case): use 0.3 instead.
				for i, x := range yTrue.Data().([]float64) {
					if x == 0 {
						yTrue.Data().([]float64)[i] = 0.3
					}
				}
			}
			opt := gradcheck.Options{NoGrad: []bool{false, true}}
			if m, err := gradcheck.Check(perSample(l, c.Act), []*tensor.Dense{matrix(c.Pred), yTrue}, opt); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

// TestKerasDocExamples checks the values printed in the Keras 3 docstrings
// (float32 results rounded by the docs, hence the tolerance).
func TestKerasDocExamples(t *testing.T) {
	cases := []struct {
		loss       string
		true, pred []float64
		rows       int
		want       []float64 // per sample
	}{
		{"binary_crossentropy", []float64{0, 1, 0, 0}, []float64{0.6, 0.4, 0.4, 0.6}, 2, []float64{0.916, 0.714}},
		{"categorical_crossentropy", []float64{0, 1, 0, 0, 0, 1}, []float64{0.05, 0.95, 0, 0.1, 0.8, 0.1}, 2, []float64{0.0513, 2.303}},
		{"cosine_similarity", []float64{0, 1, 1, 1, 1, 1}, []float64{1, 0, 1, 1, -1, -1}, 3, []float64{0, -0.99999994, 0.99999994}},
	}
	for _, c := range cases {
		cols := len(c.true) / c.rows
		in := []*tensor.Dense{gradcheck.FromSlice(c.pred, c.rows, cols), gradcheck.FromSlice(c.true, c.rows, cols)}
		got, _, err := gradcheck.Forward(perSample(get(t, c.loss), ""), in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > 1e-3 {
				t.Errorf("%s sample %d = %v, Keras docs %v", c.loss, i, got[i], c.want[i])
			}
		}
	}
	// Means over the batch: huber 0.155 and log_cosh 0.108 in the docs.
	batchMean := []struct {
		loss       string
		true, pred []float64
		want       float64
	}{
		{"huber", []float64{0, 1, 0, 0}, []float64{0.6, 0.4, 0.4, 0.6}, 0.155},
		{"log_cosh", []float64{0, 1, 0, 0}, []float64{1, 1, 0, 0}, 0.108},
	}
	for _, c := range batchMean {
		in := []*tensor.Dense{gradcheck.FromSlice(c.pred, 2, 2), gradcheck.FromSlice(c.true, 2, 2)}
		got, _, err := gradcheck.Forward(perSample(get(t, c.loss), ""), in)
		if err != nil {
			t.Fatal(err)
		}
		if m := (got[0] + got[1]) / 2; math.Abs(m-c.want) > 1e-3 {
			t.Errorf("%s = %v, Keras docs %v", c.loss, m, c.want)
		}
	}
}

// TestHandWorked checks losses whose values are easy to work by hand.
func TestHandWorked(t *testing.T) {
	cases := []struct {
		loss       losses.Loss
		pred, true []float64
		want       []float64
	}{
		// hinge with 0/1 targets (read as -1/+1): row 0 margins
		// max(1-0.5,0)=0.5 and max(1-(-1)(-2),0)=0 -> 0.25; row 1
		// max(1-(-1)(0.5),0)=1.5 and max(1-3,0)=0 -> 0.75.
		{losses.Hinge(), []float64{0.5, -2, 0.5, 3}, []float64{1, 0, 0, 1}, []float64{0.25, 0.75}},
		// Targets that are not all 0/1 are used as they are: -1, 2.
		{losses.Hinge(), []float64{0.5, -2, 0.5, 3}, []float64{-1, 2, 1, 1}, []float64{(1.5 + 5) / 2, 0.25}},
		{losses.SquaredHinge(), []float64{0.5, -2, 0.5, 3}, []float64{1, 0, 0, 1}, []float64{0.125, 1.125}},
		// categorical hinge: row 0 pos 0.3, neg 0.6 -> 1.3; row 1 pos 2,
		// neg 0.5 -> 0.
		{losses.CategoricalHinge(), []float64{0.3, 0.6, 2, 0.5}, []float64{1, 0, 1, 0}, []float64{1.3, 0}},
		// huber delta 1: errors 0.5 (0.125) and 3 (3-0.5=2.5).
		{losses.Huber(), []float64{0.5, 3, 0, 0}, []float64{0, 0, 0, 0}, []float64{(0.125 + 2.5) / 2, 0}},
		{losses.Huber(losses.Delta(2)), []float64{0.5, 3, 0, 0}, []float64{0, 0, 0, 0}, []float64{(0.125 + 4) / 2, 0}},
		// mape: |1-2|/1 and |4-2|/4 -> 100*(1+0.5)/2.
		{losses.MeanAbsolutePercentageError(), []float64{2, 2, 1, 1}, []float64{1, 4, 1, 1}, []float64{75, 0}},
		// poisson: p - t log(p + eps).
		{losses.Poisson(), []float64{1, 2, 0.5, 0.5}, []float64{0, 3, 1, 1}, []float64{(1 + 2 - 3*math.Log(2+1e-7)) / 2, 0.5 - math.Log(0.5+1e-7)}},
		// kl: t log(t/p) with t=(0.5,0.5), p=(0.25,0.75).
		{losses.KLDivergence(), []float64{0.25, 0.75, 0.5, 0.5}, []float64{0.5, 0.5, 0.5, 0.5}, []float64{0.5*math.Log(2) + 0.5*math.Log(2.0/3), 0}},
		// label smoothing 0.2 on binary targets: 1 -> 0.9, 0 -> 0.1.
		{losses.BinaryCrossentropy(losses.LabelSmoothing(0.2)), []float64{0.9, 0.2, 0.5, 0.5}, []float64{1, 0, 1, 1},
			[]float64{-(0.9*math.Log(0.9) + 0.1*math.Log(0.1) + 0.1*math.Log(0.2) + 0.9*math.Log(0.8)) / 2, math.Ln2}},
	}
	for _, c := range cases {
		in := []*tensor.Dense{gradcheck.FromSlice(c.pred, 2, 2), gradcheck.FromSlice(c.true, 2, 2)}
		got, _, err := gradcheck.Forward(perSample(c.loss, ""), in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.want {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Errorf("%s sample %d = %.15g, want %.15g", c.loss.Name(), i, got[i], c.want[i])
			}
		}
	}
}

// TestExtremeInputs: logits of ±1e4 through every cross-entropy (fused,
// from_logits, with label smoothing) give finite losses and gradients; so
// do predictions of ±1e4 for the regression and hinge losses (poisson
// excepted: log of a negative rate is undefined, as in Keras).
func TestExtremeInputs(t *testing.T) {
	z := gradcheck.FromSlice([]float64{1e4, -1e4, -1e4, 1e4}, 2, 2)
	y := gradcheck.FromSlice([]float64{0, 1, 0, 1}, 2, 2)
	cases := []struct {
		loss losses.Loss
		act  string
	}{
		{losses.BinaryCrossentropy(), "sigmoid"},
		{losses.BinaryCrossentropy(losses.LabelSmoothing(0.1)), "sigmoid"},
		{losses.BinaryCrossentropy(losses.FromLogits(true)), ""},
		{losses.BinaryCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.3)), ""},
		{losses.CategoricalCrossentropy(), "softmax"},
		{losses.CategoricalCrossentropy(losses.LabelSmoothing(0.2)), "softmax"},
		{losses.CategoricalCrossentropy(losses.FromLogits(true)), ""},
		{losses.SparseCategoricalCrossentropy(losses.FromLogits(true)), ""},
		{losses.SparseCategoricalCrossentropy(), "softmax"},
		// Probabilities from extreme logits saturate to exactly 0 and 1:
		// the clipped probability formulas stay finite too.
		{losses.BinaryCrossentropy(), "sigmoid_unfused"},
		{losses.CategoricalCrossentropy(), "softmax_unfused"},
	}
	for _, name := range losses.Names() {
		if l, _ := losses.Get(name); !strings.Contains(l.Name(), "crossentropy") && l.Name() != "poisson" {
			cases = append(cases, struct {
				loss losses.Loss
				act  string
			}{l, ""})
		}
	}
	for _, c := range cases {
		in := []*tensor.Dense{z, y}
		got, _, err := gradcheck.Forward(perSample(c.loss, c.act), in)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := gradcheck.Gradient(perSample(c.loss, c.act), in, []bool{false, true})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range append(got, grads[0]...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s (%s) of ±1e4: value %d is %v (loss %v, gradient %v)", c.loss.Name(), c.act, i, v, got, grads[0])
				break
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	cases := []struct {
		loss interface {
			losses.Loss
			Err() error
		}
		call, option, value, msg string
	}{
		{losses.Huber(losses.Delta(-1)), "huber", "delta", "-1", "must be finite and > 0"},
		{losses.Huber(losses.Delta(0)), "huber", "delta", "0", "must be finite and > 0"},
		{losses.Huber(losses.Delta(math.Inf(1))), "huber", "delta", "+Inf", "must be finite and > 0"},
		{losses.BinaryCrossentropy(losses.LabelSmoothing(1.5)), "binary_crossentropy", "label_smoothing", "1.5", "must be in [0, 1]"},
		{losses.CategoricalCrossentropy(losses.LabelSmoothing(-0.1)), "categorical_crossentropy", "label_smoothing", "-0.1", "must be in [0, 1]"},
		{losses.CategoricalCrossentropy(losses.LabelSmoothing(math.NaN())), "categorical_crossentropy", "label_smoothing", "NaN", "must be in [0, 1]"},
	}
	in := []*tensor.Dense{gradcheck.FromSlice([]float64{1, 2}, 1, 2), gradcheck.FromSlice([]float64{1, 0}, 1, 2)}
	for _, c := range cases {
		check := func(where string, err error) {
			var oe *kerrors.OptionError
			if !errors.As(err, &oe) || oe.Call != c.call || oe.Option != c.option || oe.Value != c.value || oe.Msg != c.msg {
				t.Errorf("%s: %v, want an OptionError %s %s = %s: %s", where, err, c.call, c.option, c.value, c.msg)
			}
		}
		check("Err", c.loss.Err())
		_, err := losses.Resolve(c.loss)
		check("Resolve", err)
		_, _, err = gradcheck.Forward(perSample(c.loss, ""), in)
		check("PerSample", err)
	}
	// The message names the loss, the keyword, the value and the rule.
	if err := losses.Huber(losses.Delta(-1)).Err(); err.Error() != "losses: huber: delta = -1: must be finite and > 0" {
		t.Errorf("message %q", err)
	}
	// Configs: unknown, mistyped and out-of-range parameters.
	for _, c := range []struct{ name, params, option, msg string }{
		{"binary_crossentropy", `{"from_logits": 2}`, "from_logits", "must be true or false (older files: 0 or 1)"},
		{"binary_crossentropy", `{"from_logits": "yes"}`, "from_logits", "must be true or false"},
		{"sparse_categorical_crossentropy", `{"label_smoothing": 0.1}`, "label_smoothing", "unknown parameter (sparse_categorical_crossentropy takes from_logits)"},
		{"mse", `{"delta": 1}`, "delta", "unknown parameter (mean_squared_error takes no parameters)"},
		{"huber", `{"delta": -2}`, "delta", "must be finite and > 0"},
	} {
		_, err := losses.FromConfig(losses.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	if err := losses.Register("mse", func(losses.Config) (losses.Loss, error) { return losses.MeanSquaredError(), nil }); err == nil {
		t.Error("registering the alias mse should fail")
	}
	if err := losses.Register("MeanSquaredError", func(losses.Config) (losses.Loss, error) { return losses.MeanSquaredError(), nil }); err == nil {
		t.Error("registering a spelling of mean_squared_error should fail")
	}
	if err := losses.Register("mine", nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Register with a nil factory: %v", err)
	}
}

// TestLegacyConfigs loads loss configs as files written before the
// parameters were typed hold them: from_logits as 0 or 1.
func TestLegacyConfigs(t *testing.T) {
	for raw, want := range map[string]losses.Loss{
		`{"name":"binary_crossentropy","params":{"from_logits":1,"label_smoothing":0.1}}`: losses.BinaryCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.1)),
		`{"name":"sparse_categorical_crossentropy","params":{"from_logits":0}}`:           losses.SparseCategoricalCrossentropy(),
		`{"name":"huber","params":{"delta":0.5}}`:                                         losses.Huber(losses.Delta(0.5)),
		`{"name":"mean_squared_error"}`:                                                   losses.MeanSquaredError(),
	} {
		var c losses.Config
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		l, err := losses.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		got, _ := json.Marshal(losses.ConfigOf(l))
		exp, _ := json.Marshal(losses.ConfigOf(want))
		if string(got) != string(exp) {
			t.Errorf("%s loads as %s, want %s", raw, got, exp)
		}
		pred := gradcheck.FromSlice([]float64{0.2, 0.8, 0.6, 0.4}, 2, 2)
		y := gradcheck.FromSlice([]float64{0, 1, 1, 0}, 2, 2)
		a, _, errA := gradcheck.Forward(perSample(l, ""), []*tensor.Dense{pred, y})
		b, _, errB := gradcheck.Forward(perSample(want, ""), []*tensor.Dense{pred, y})
		if errA != nil || errB != nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: %v %v, want %v %v", raw, a, errA, b, errB)
		}
	}
}

// TestOptionsCompileChecked: options a loss does not take do not compile
// (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

// TestFloat32 runs every loss in a float32 graph (the models' default
// dtype) and compares with the float64 graph.
func TestFloat32(t *testing.T) {
	v := loadLossVectors(t)
	for _, c := range v.Cases {
		l, err := losses.FromConfig(losses.Config{Name: c.Loss, Params: c.Params})
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := gradcheck.Forward(perSample(l, c.Act), []*tensor.Dense{matrix(c.Pred), matrix(c.True)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := forward32(l, c.Act, matrix(c.Pred), matrix(c.True))
		if err != nil {
			t.Fatalf("%s: %v", c.Loss, err)
		}
		for i := range want {
			if !near(got[i], want[i], 1e-5) {
				t.Errorf("%s%v/%s sample %d: float32 %v, float64 %v", c.Loss, c.Params, c.Act, i, got[i], want[i])
			}
		}
	}
}

func forward32(l losses.Loss, act string, pred, true *tensor.Dense) ([]float64, error) {
	g := G.NewGraph()
	var nodes G.Nodes
	for i, d := range []*tensor.Dense{pred, true} {
		src := d.Data().([]float64)
		data := make([]float32, len(src))
		for j, x := range src {
			data[j] = float32(x)
		}
		v := tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(data))
		nodes = append(nodes, G.NewTensor(g, tensor.Float32, 2, G.WithShape(d.Shape().Clone()...), G.WithName(fmt.Sprint("in", i)), G.WithValue(v)))
	}
	s := backend.NewScope(g, backend.Eval, pred.Shape()[0], tensor.Float32)
	f := perSampleIn(s, l, act)
	out, err := f(g, nodes)
	if err != nil {
		return nil, err
	}
	var val G.Value
	G.Read(out, &val)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, err
	}
	res := []float64{}
	for _, x := range val.Data().([]float32) {
		res = append(res, float64(x))
	}
	return res, nil
}

func ExampleFromConfig() {
	l, err := losses.FromConfig(losses.Config{Name: "huber", Params: json.RawMessage(`{"delta": 2}`)})
	fmt.Println(l.Name(), err)
	_, err = losses.FromConfig(losses.Config{Name: "hinge", Params: json.RawMessage(`{"delta": 2}`)})
	fmt.Println(err)
	// Output:
	// huber <nil>
	// losses: hinge: delta: unknown parameter (hinge takes no parameters)
}
