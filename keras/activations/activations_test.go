package activations_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/internal/gradcheck"
)

// Points away from the kinks of relu.
var xs = []float64{-3, -1.2, -0.4, 0.3, 0.9, 2.5}

func TestValuesAndGradients(t *testing.T) {
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	cases := []struct {
		name string
		want func(x float64) float64 // elementwise reference; nil for softmax
	}{
		{"linear", func(x float64) float64 { return x }},
		{"relu", func(x float64) float64 { return math.Max(x, 0) }},
		{"sigmoid", sig},
		{"tanh", math.Tanh},
		{"softmax", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := activations.Get(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if a.Name() != c.name {
				t.Errorf("Name() = %q", a.Name())
			}
			f := func(g *G.ExprGraph, in G.Nodes) (*G.Node, error) { return a.Apply(in[0]) }
			x := gradcheck.FromSlice(xs, 2, 3)
			got, _, err := gradcheck.Forward(f, []*tensor.Dense{x})
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range xs {
				want := 0.0
				if c.want != nil {
					want = c.want(v)
				} else {
					row := xs[i/3*3 : i/3*3+3]
					den := math.Exp(row[0]) + math.Exp(row[1]) + math.Exp(row[2])
					want = math.Exp(v) / den
				}
				if math.Abs(got[i]-want) > 1e-12 {
					t.Errorf("%s(%v) = %v, want %v", c.name, v, got[i], want)
				}
			}
			if c.name == "linear" {
				return // the identity adds no node to differentiate
			}
			if m, err := gradcheck.Check(f, []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
				t.Errorf("%v (worst %+v)", err, m)
			}
		})
	}
}

func TestUnknownNameListsKnownOnes(t *testing.T) {
	_, err := activations.Get("rleu")
	if err == nil || !strings.Contains(err.Error(), `"rleu"`) || !strings.Contains(err.Error(), "relu, sigmoid, softmax, tanh") {
		t.Fatalf("error = %v", err)
	}
	if _, err := activations.Resolve(42); err == nil {
		t.Error("Resolve(42) should fail")
	}
	if a, err := activations.Get(""); err != nil || a.Name() != "linear" {
		t.Errorf(`Get("") = %v, %v; want linear`, a, err)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, name := range activations.Names() {
		a, err := activations.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := activations.FromConfig(activations.ConfigOf(a))
		if err != nil || b.Name() != name {
			t.Errorf("%s: round trip gave %v, %v", name, b, err)
		}
	}
}

func ExampleGet() {
	a, err := activations.Get("relu")
	if err != nil {
		panic(err)
	}
	_, err = activations.Get("rleu")
	fmt.Println(a.Name())
	fmt.Println(err)
	// Output:
	// relu
	// activations: unknown activation "rleu" (known: linear, relu, sigmoid, softmax, tanh)
}
