package activations_test

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

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// vectors is testdata/vectors.json, written by testdata/gen_vectors.py
// from PyTorch.
type vectors struct {
	X, R  [][]float64
	Cases []struct {
		Name   string
		Params json.RawMessage
		Y      [][]float64
		Grad   [][]float64
	}
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func flat(m [][]float64) []float64 {
	var out []float64
	for _, r := range m {
		out = append(out, r...)
	}
	return out
}

func close(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// apply is the activation as a gradcheck function of one input.
func apply(a activations.Activation) gradcheck.Func {
	return func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return a.Apply(in[0]) }
}

// TestAgainstTorch checks every activation's values and gradients against
// PyTorch's on a 3x4 input with no point on a kink.
func TestAgainstTorch(t *testing.T) {
	v := loadVectors(t)
	x := gradcheck.FromSlice(flat(v.X), 3, 4)
	r := gradcheck.FromSlice(flat(v.R), 3, 4)
	seen := map[string]bool{}
	for _, c := range v.Cases {
		seen[c.Name] = true
		t.Run(fmt.Sprintf("%s%s", c.Name, c.Params), func(t *testing.T) {
			a, err := activations.FromConfig(activations.Config{Name: c.Name, Params: c.Params})
			if err != nil {
				t.Fatal(err)
			}
			got, shape, err := gradcheck.Forward(apply(a), []*tensor.Dense{x})
			if err != nil {
				t.Fatal(err)
			}
			if !shape.Eq(tensor.Shape{3, 4}) {
				t.Fatalf("shape %v", shape)
			}
			for i, want := range flat(c.Y) {
				if !close(got[i], want, 1e-12) {
					t.Errorf("f(%v) = %.17g, torch %.17g", x.Data().([]float64)[i], got[i], want)
				}
			}
			// d sum(r * f(x)) / dx, the direction torch recorded.
			weighted := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) {
				y, err := a.Apply(in[0])
				if err != nil {
					return nil, err
				}
				return G.HadamardProd(y, in[1])
			}
			grads, err := gradcheck.Gradient(weighted, []*tensor.Dense{x, r}, []bool{false, true})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range flat(c.Grad) {
				if !close(grads[0][i], want, 1e-10) {
					t.Errorf("gradient at %v = %.17g, torch %.17g", x.Data().([]float64)[i], grads[0][i], want)
				}
			}
		})
	}
	for _, name := range activations.Names() {
		if !seen[name] {
			t.Errorf("%s has no reference vector", name)
		}
	}
}

// TestGradientCheck compares every activation's gradient with finite
// differences, with its defaults and with each option, away from kinks.
func TestGradientCheck(t *testing.T) {
	x := gradcheck.FromSlice([]float64{-4.1, -2.5, -1.2, -0.3, 0.2, 0.9, 1.7, 2.6, 3.4, 5.3, 6.8, -6.2}, 3, 4)
	var acts []activations.Activation
	for _, name := range activations.Names() {
		if name == "linear" {
			continue // adds no node to differentiate
		}
		a, err := activations.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, a)
	}
	acts = append(acts,
		activations.ReLU(activations.NegativeSlope(0.2)),
		activations.ReLU(activations.MaxValue(3), activations.Threshold(-1), activations.NegativeSlope(0.5)),
		activations.ReLU(activations.Threshold(1)),
		activations.LeakyReLU(activations.NegativeSlope(0.01)),
		activations.ELU(activations.Alpha(2)),
		activations.GELU(activations.Approximate(true)),
	)
	for _, a := range acts {
		t.Run(fmt.Sprint(a), func(t *testing.T) {
			if m, err := gradcheck.Check(apply(a), []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

// TestExtremeInputsStayFinite: inputs of ±1e4 give finite values and
// gradients (exponential excepted: exp(1e4) overflows, as in Keras).
func TestExtremeInputsStayFinite(t *testing.T) {
	x := gradcheck.FromSlice([]float64{1e4, -1e4, -1e4, 1e4}, 2, 2)
	for _, name := range activations.Names() {
		if name == "exponential" {
			continue
		}
		a, _ := activations.Get(name)
		y, _, err := gradcheck.Forward(apply(a), []*tensor.Dense{x})
		if err != nil {
			t.Fatal(err)
		}
		g, err := gradcheck.Gradient(apply(a), []*tensor.Dense{x}, nil)
		if err != nil && name != "linear" {
			t.Fatal(err)
		}
		for i := range y {
			if math.IsNaN(y[i]) || math.IsInf(y[i], 0) || (g != nil && (math.IsNaN(g[0][i]) || math.IsInf(g[0][i], 0))) {
				t.Errorf("%s(%v): value %v, gradient %v", name, x.Data().([]float64)[i], y, g)
				break
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	cases := []struct {
		a                   *activations.Func
		call, option, value string
		msg                 string
	}{
		{activations.ReLU(activations.MaxValue(-1)), "relu", "max_value", "-1", "must be finite and >= 0"},
		{activations.ReLU(activations.MaxValue(math.NaN())), "relu", "max_value", "NaN", "must be finite and >= 0"},
		{activations.ReLU(activations.NegativeSlope(-0.5)), "relu", "negative_slope", "-0.5", "must be finite and >= 0"},
		{activations.ReLU(activations.Threshold(math.NaN())), "relu", "threshold", "NaN", "must be finite"},
		{activations.LeakyReLU(activations.NegativeSlope(-1)), "leaky_relu", "negative_slope", "-1", "must be finite and >= 0"},
		{activations.ELU(activations.Alpha(math.Inf(1))), "elu", "alpha", "+Inf", "must be finite"},
	}
	for _, c := range cases {
		check := func(where string, err error) {
			var oe *kerrors.OptionError
			if !errors.As(err, &oe) || oe.Call != c.call || oe.Option != c.option || oe.Value != c.value || oe.Msg != c.msg {
				t.Errorf("%s: %v, want an OptionError %s: %s = %s: %s", where, err, c.call, c.option, c.value, c.msg)
			}
		}
		check("Err", c.a.Err())
		_, err := activations.Resolve(c.a)
		check("Resolve", err)
		x := G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
		_, err = c.a.Apply(x)
		check("Apply", err)
	}
	if err := activations.ReLU(activations.MaxValue(-1)).Err(); err.Error() != "activations: relu: max_value = -1: must be finite and >= 0" {
		t.Errorf("message %q", err)
	}
	for _, c := range []struct{ name, params, option, msg string }{
		{"gelu", `{"approximate": 0.5}`, "approximate", "must be true or false (older files: 0 or 1)"},
		{"relu", `{"alpha": 1}`, "alpha", "unknown parameter (relu takes negative_slope, max_value, threshold)"},
		{"sigmoid", `{"alpha": 1}`, "alpha", "unknown parameter (sigmoid takes no parameters)"},
		{"relu", `{"max_value": "six"}`, "max_value", "must be a number or null"},
		{"elu", `{"alpha": null, "x": 1}`, "x", "unknown parameter (elu takes alpha)"},
	} {
		_, err := activations.FromConfig(activations.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
}

func TestUnknownNameListsKnownOnes(t *testing.T) {
	_, err := activations.Get("rleu")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "rleu" || !strings.Contains(strings.Join(un.Known, ", "), "relu, relu6, selu, sigmoid, silu, softmax") {
		t.Fatalf("error = %v", err)
	}
	var oe *kerrors.OptionError
	if _, err := activations.Resolve(42); !errors.As(err, &oe) || oe.Value != "int" {
		t.Errorf("Resolve(42) = %v", err)
	}
	if a, err := activations.Get(""); err != nil || a.Name() != "linear" {
		t.Errorf(`Get("") = %v, %v; want linear`, a, err)
	}
	if a, err := activations.Resolve(nil); err != nil || a.Name() != "linear" {
		t.Errorf(`Resolve(nil) = %v, %v; want linear`, a, err)
	}
	if a, err := activations.Get("LeakyReLU"); err != nil || a.Name() != "leaky_relu" {
		t.Errorf(`Get("LeakyReLU") = %v, %v`, a, err)
	}
	if err := activations.Register("relu", func(activations.Config) (activations.Activation, error) { return activations.ReLU(), nil }); err == nil {
		t.Error("registering relu twice should fail")
	}
	if err := activations.Register("mine", nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Register with a nil factory: %v", err)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	canonical := map[string]string{"swish": "silu", "hard_swish": "hard_silu"}
	for _, name := range activations.Names() {
		a, err := activations.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		want := name
		if c, ok := canonical[name]; ok {
			want = c
		}
		b, err := activations.FromConfig(activations.ConfigOf(a))
		if err != nil || b.Name() != want || a.Name() != want {
			t.Errorf("%s: round trip gave %v, %v", name, b, err)
		}
		// Defaults leave no params.
		if c := activations.ConfigOf(a); c.Params != nil {
			t.Errorf("%s: default config has params %s", name, c.Params)
		}
	}
	a := activations.ReLU(activations.MaxValue(6), activations.NegativeSlope(0.1))
	raw, err := json.Marshal(activations.ConfigOf(a))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"name":"relu","params":{"negative_slope":0.1,"max_value":6}}` {
		t.Errorf("config JSON = %s", raw)
	}
	var c activations.Config
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	b, err := activations.FromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	if raw2, _ := json.Marshal(activations.ConfigOf(b)); string(raw2) != string(raw) {
		t.Errorf("round trip %s -> %s", raw, raw2)
	}
}

// TestLegacyConfigs loads activation configs as files written before the
// parameters were typed hold them (approximate as 0 or 1) and checks that
// they compute what the typed values compute.
func TestLegacyConfigs(t *testing.T) {
	x := gradcheck.Rand(1, -3, 3, 3, 4)
	for raw, want := range map[string]activations.Activation{
		`{"name":"gelu","params":{"approximate":1}}`:                    activations.GELU(activations.Approximate(true)),
		`{"name":"gelu","params":{"approximate":0}}`:                    activations.GELU(),
		`{"name":"relu","params":{"max_value":6,"negative_slope":0.1}}`: activations.ReLU(activations.MaxValue(6), activations.NegativeSlope(0.1)),
		`{"name":"swish"}`: activations.SiLU(),
	} {
		var c activations.Config
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		a, err := activations.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		got, _, err1 := gradcheck.Forward(apply(a), []*tensor.Dense{x})
		exp, _, err2 := gradcheck.Forward(apply(want), []*tensor.Dense{x})
		if err1 != nil || err2 != nil || fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("%s: %v %v, want %v %v", raw, got, err1, exp, err2)
		}
	}
}

// TestOptionsCompileChecked: options an activation does not take do not
// compile (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

func ExampleGet() {
	a, err := activations.Get("swish")
	fmt.Println(a.Name(), err)
	_, err = activations.Get("rleu")
	fmt.Println(err)
	// Output:
	// silu <nil>
	// activations: unknown activation "rleu" (known: elu, exponential, gelu, hard_sigmoid, hard_silu, hard_swish, leaky_relu, linear, log_softmax, mish, relu, relu6, selu, sigmoid, silu, softmax, softplus, softsign, swish, tanh); register it with activations.Register
}

func ExampleReLU() {
	a := activations.ReLU(activations.NegativeSlope(0.1), activations.MaxValue(6))
	fmt.Println(a, a.Err())
	bad := activations.ReLU(activations.MaxValue(-1))
	fmt.Println(bad.Err())
	// Output:
	// relu(max_value=6,negative_slope=0.1) <nil>
	// activations: relu: max_value = -1: must be finite and >= 0
}

func ExampleGELU() {
	a := activations.GELU(activations.Approximate(true))
	raw, _ := json.Marshal(activations.ConfigOf(a))
	fmt.Println(a.Name(), string(raw))
	// Output: gelu {"name":"gelu","params":{"approximate":true}}
}

func ExampleResolve() {
	a, err := activations.Resolve(activations.LeakyReLU())
	fmt.Println(a, err)
	_, err = activations.Resolve(activations.LeakyReLU(activations.NegativeSlope(-1)))
	fmt.Println(err)
	// Output:
	// leaky_relu <nil>
	// activations: leaky_relu: negative_slope = -1: must be finite and >= 0
}
