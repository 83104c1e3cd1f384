package regularizers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/regularizers"
)

func penalty(r regularizers.Regularizer) gradcheck.Func {
	return func(_ *G.ExprGraph, in G.Nodes) (*G.Node, error) { return r.Penalty(in[0]) }
}

func TestPenalties(t *testing.T) {
	x := []float64{1, -2, 0.5, 0, 3, -0.25}
	absSum, sqSum := 6.75, 1+4+0.25+9+0.0625
	cases := []struct {
		r    regularizers.Regularizer
		want float64
	}{
		{regularizers.L1(0.3), 0.3 * absSum},
		{regularizers.L2(0.1), 0.1 * sqSum},
		{regularizers.L1L2(0.3, 0.1), 0.3*absSum + 0.1*sqSum},
		{regularizers.L1L2(0, 0), 0},
	}
	for _, c := range cases {
		if got := c.r.Value(x); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s Value = %v, want %v", c.r.Name(), got, c.want)
		}
		for _, shape := range [][]int{{6}, {2, 3}, {3, 1, 2}} {
			got, _, err := gradcheck.Forward(penalty(c.r), []*tensor.Dense{gradcheck.FromSlice(x, shape...)})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got[0]-c.want) > 1e-12 {
				t.Errorf("%s Penalty%v = %v, want %v", c.r.Name(), shape, got[0], c.want)
			}
		}
	}
	// The penalty of float32 values is a float32 scalar.
	g := G.NewGraph()
	n := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("w"))
	p, err := regularizers.L2(0.01).Penalty(n)
	if err != nil || p.Dtype() != tensor.Float32 || !p.IsScalar() {
		t.Errorf("float32 penalty: %v %v", p, err)
	}
}

// TestPenaltyGradients checks d penalty / dx against finite differences
// (away from 0, where |x| has no derivative).
func TestPenaltyGradients(t *testing.T) {
	for _, r := range []regularizers.Regularizer{regularizers.L1(0.3), regularizers.L2(0.1), regularizers.L1L2(0.2, 0.05)} {
		for _, shape := range [][]int{{7}, {3, 4}, {2, 2, 3}} {
			x := gradcheck.Rand(int64(len(shape)), 0.1, 2, shape...)
			d := x.Data().([]float64)
			for i := range d {
				if i%2 == 0 {
					d[i] = -d[i]
				}
			}
			if m, err := gradcheck.Check(penalty(r), []*tensor.Dense{x}, gradcheck.Options{}); err != nil {
				t.Errorf("%s %v: %v (%+v)", r.Name(), shape, err, m)
			}
		}
	}
}

// TestPenaltyLeavesInputAlone guards against in-place ops: running the
// penalty must not change the tensor it reads.
func TestPenaltyLeavesInputAlone(t *testing.T) {
	x := []float64{1, -2, 0.5, 3}
	in := gradcheck.FromSlice(append([]float64(nil), x...), 2, 2)
	if _, _, err := gradcheck.Forward(penalty(regularizers.L1L2(0.1, 0.2)), []*tensor.Dense{in}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in.Data()) != fmt.Sprint(x) {
		t.Errorf("input changed to %v", in.Data())
	}
}

func TestNamesDefaultsAndErrors(t *testing.T) {
	if got := strings.Join(regularizers.Names(), " "); got != "l1 l1_l2 l2" {
		t.Errorf("Names() = %s", got)
	}
	defaults := map[string][2]float64{"l1": {0.01, 0}, "l2": {0, 0.01}, "l1_l2": {0.01, 0.01}, "L1L2": {0.01, 0.01}, "L2": {0, 0.01}}
	for name, want := range defaults {
		r, err := regularizers.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		l := r.(*regularizers.L1L2Regularizer)
		if l.L1() != want[0] || l.L2() != want[1] {
			t.Errorf("%s: l1 %v l2 %v, want %v", name, l.L1(), l.L2(), want)
		}
	}
	for _, r := range []regularizers.Regularizer{regularizers.L1(0.2), regularizers.L2(0.3), regularizers.L1L2(0.1, 0)} {
		raw, _ := json.Marshal(regularizers.ConfigOf(r))
		var c regularizers.Config
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		back, err := regularizers.FromConfig(c)
		if err != nil {
			t.Fatal(err)
		}
		raw2, _ := json.Marshal(regularizers.ConfigOf(back))
		if string(raw) != string(raw2) {
			t.Errorf("round trip %s -> %s", raw, raw2)
		}
	}
	bad := []struct {
		err  error
		want string
	}{
		{regularizers.L1(-0.1).Err(), "regularizers: l1: l1 must be a finite number >= 0, got -0.1"},
		{regularizers.L2(math.NaN()).Err(), "regularizers: l2: l2 must be a finite number >= 0, got NaN"},
		{regularizers.L1L2(0.1, -1).Err(), "regularizers: l1_l2: l2 must be a finite number >= 0, got -1"},
	}
	for _, b := range bad {
		if b.err == nil || b.err.Error() != b.want {
			t.Errorf("error = %v, want %q", b.err, b.want)
		}
	}
	if _, err := regularizers.Get("l3"); err == nil || !strings.Contains(err.Error(), `unknown regularizer "l3" (known: l1, l1_l2, l2)`) {
		t.Errorf("Get(l3) = %v", err)
	}
	if _, err := regularizers.FromConfig(regularizers.Config{Name: "l1", Params: map[string]float64{"l2": 1}}); err == nil {
		t.Error("l1 accepted an l2 parameter")
	}
	if _, err := regularizers.Resolve(regularizers.L1(-1)); err == nil {
		t.Error("Resolve accepted l1 = -1")
	}
	if _, err := regularizers.Resolve(3); err == nil {
		t.Error("Resolve accepted an int")
	}
}

func ExampleL2() {
	r := regularizers.L2(0.01)
	fmt.Println(r.Name(), r.Value([]float64{1, -2, 3}))
	// Output: l2 0.14
}

func ExampleGet() {
	r, err := regularizers.Get("l1_l2")
	fmt.Println(r.Name(), regularizers.ConfigOf(r).Params, err)
	// Output: l1_l2 map[l1:0.01 l2:0.01] <nil>
}
