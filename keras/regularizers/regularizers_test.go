package regularizers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/gradcheck"
	"github.com/gokeras/gokeras/keras/kerrors"
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
		err                 error
		call, option, value string
	}{
		{regularizers.L1(-0.1).Err(), "l1", "l1", "-0.1"},
		{regularizers.L2(math.NaN()).Err(), "l2", "l2", "NaN"},
		{regularizers.L1L2(0.1, -1).Err(), "l1_l2", "l2", "-1"},
		{func() error { _, err := regularizers.Resolve(regularizers.L1(-1)); return err }(), "l1", "l1", "-1"},
		{func() error {
			_, err := regularizers.FromConfig(regularizers.Config{Name: "l2", Params: json.RawMessage(`{"l2": -3}`)})
			return err
		}(), "l2", "l2", "-3"},
	}
	for _, b := range bad {
		var oe *kerrors.OptionError
		if !errors.As(b.err, &oe) || oe.Call != b.call || oe.Option != b.option || oe.Value != b.value || oe.Msg != "must be a finite number >= 0" {
			t.Errorf("error = %v, want an OptionError for %s %s = %s", b.err, b.call, b.option, b.value)
		}
	}
	if err := regularizers.L1(-0.1).Err(); err.Error() != "regularizers: l1: l1 = -0.1: must be a finite number >= 0" {
		t.Errorf("message %q", err)
	}
	_, err := regularizers.Get("l3")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || strings.Join(un.Known, ", ") != "l1, l1_l2, l2" {
		t.Errorf("Get(l3) = %v", err)
	}
	if r, err := regularizers.Get("L1L2"); err != nil || r.Name() != "l1_l2" {
		t.Errorf("Get(L1L2) = %v, %v", r, err)
	}
	for _, c := range []struct{ name, params, option, msg string }{
		{"l1", `{"l2": 1}`, "l2", "unknown parameter (l1 takes l1)"},
		{"l1_l2", `{"l1": "big"}`, "l1", "must be a number"},
	} {
		_, err := regularizers.FromConfig(regularizers.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	var oe *kerrors.OptionError
	if _, err := regularizers.Resolve(3); !errors.As(err, &oe) || oe.Value != "int" {
		t.Errorf("Resolve(3) = %v", err)
	}
	if err := regularizers.Register("L2", func(regularizers.Config) (regularizers.Regularizer, error) { return regularizers.L2(1), nil }); err == nil {
		t.Error("L2 could be registered over l2")
	}
	if err := regularizers.Register("mine", nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Register with a nil factory: %v", err)
	}
}

// TestLegacyConfigs loads regularizer configs as files written before the
// parameters were typed hold them: every factor written, the defaults
// included.
func TestLegacyConfigs(t *testing.T) {
	for raw, want := range map[string]regularizers.Regularizer{
		`{"name":"l2","params":{"l2":0.01}}`:            regularizers.L2(0.01),
		`{"name":"l1_l2","params":{"l1":0.1,"l2":0.2}}`: regularizers.L1L2(0.1, 0.2),
		`{"name":"l1","params":{"l1":0.5}}`:             regularizers.L1(0.5),
	} {
		var c regularizers.Config
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		r, err := regularizers.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		x := []float64{1, -2, 0.5}
		if r.Value(x) != want.Value(x) || r.Name() != want.Name() {
			t.Errorf("%s: %s %v, want %s %v", raw, r.Name(), r.Value(x), want.Name(), want.Value(x))
		}
	}
}

func ExampleL2() {
	r := regularizers.L2(0.01)
	fmt.Println(r.Name(), r.Value([]float64{1, -2, 3}))
	// Output: l2 0.14
}

func ExampleGet() {
	r, err := regularizers.Get("l1_l2")
	fmt.Println(r.Name(), r.(*regularizers.L1L2Regularizer).L1(), err)
	// Only the factors that differ from the default 0.01 are written.
	raw, _ := json.Marshal(regularizers.ConfigOf(regularizers.L1L2(0.01, 0.001)))
	fmt.Println(string(raw))
	// Output:
	// l1_l2 0.01 <nil>
	// {"name":"l1_l2","params":{"l2":0.001}}
}
