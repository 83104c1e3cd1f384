package constraints_test

import (
	"encoding/json"
	"fmt"
	"github.com/pkg/errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/kerrors"
)

const eps = 1e-7

func TestProjections(t *testing.T) {
	// A (2, 2) kernel: column norms 5 and 1, row norms 3 and sqrt(17).
	w := []float64{3, 0, 4, 1}
	cases := []struct {
		c     constraints.Constraint
		shape []int
		in    []float64
		want  []float64
	}{
		// max_norm 2 over axis 0: column 0 (norm 5) scaled by 2/(eps+5),
		// column 1 (norm 1) by 1/(eps+1).
		{constraints.MaxNorm(), []int{2, 2}, w, []float64{3 * 2 / (eps + 5), 0, 4 * 2 / (eps + 5), 1 / (eps + 1)}},
		{constraints.MaxNorm(constraints.MaxValue(4), constraints.Axis(1)), []int{2, 2}, w,
			[]float64{3 * 3 / (eps + 3), 0, 4 * 4 / (eps + math.Sqrt(17)), 1 * 4 / (eps + math.Sqrt(17))}},
		{constraints.MaxNorm(constraints.Axis(-1)), []int{2, 2}, w,
			[]float64{3 * 2 / (eps + 3), 0, 4 * 2 / (eps + math.Sqrt(17)), 1 * 2 / (eps + math.Sqrt(17))}},
		{constraints.UnitNorm(), []int{2, 2}, w, []float64{3 / (eps + 5), 0, 4 / (eps + 5), 1 / (eps + 1)}},
		// min_max_norm [2, 4], rate 0.5: column 0 norm 5 -> 0.5*4 + 0.5*5 = 4.5;
		// column 1 norm 1 -> 0.5*2 + 0.5*1 = 1.5.
		{constraints.MinMaxNorm(constraints.MinValue(2), constraints.MaxValue(4), constraints.Rate(0.5)), []int{2, 2}, w,
			[]float64{3 * 4.5 / (eps + 5), 0, 4 * 4.5 / (eps + 5), 1.5 / (eps + 1)}},
		{constraints.MinMaxNorm(), []int{2, 2}, w, []float64{3 / (eps + 5), 0, 4 / (eps + 5), 1 / (eps + 1)}},
		{constraints.NonNeg(), []int{2, 2}, []float64{-1, 2, 0, -0.5}, []float64{0, 2, 0, 0}},
		// A bias (a vector): the norm of the whole vector.
		{constraints.MaxNorm(constraints.MaxValue(1)), []int{2}, []float64{3, 4}, []float64{3 / (eps + 5), 4 / (eps + 5)}},
		// A zero vector stays zero.
		{constraints.UnitNorm(), []int{2}, []float64{0, 0}, []float64{0, 0}},
		// A conv kernel (1, 2, 1, 2) over axes 0, 1, 2: each filter.
		{constraints.MaxNorm(constraints.MaxValue(1), constraints.Axis(0, 1, 2)), []int{1, 2, 1, 2}, []float64{3, 0, 4, 0.5},
			[]float64{3 / (eps + 5), 0, 4 / (eps + 5), 0.5 / (eps + 0.5) * 0.5}},
	}
	for i, c := range cases {
		got := append([]float64(nil), c.in...)
		if err := c.c.CheckShape(c.shape); err != nil {
			t.Fatal(err)
		}
		c.c.Project(c.shape, got)
		for j := range got {
			if math.Abs(got[j]-c.want[j]) > 1e-15 {
				t.Errorf("case %d %s: %v, want %v", i, c.c.Name(), got, c.want)
				break
			}
		}
		// The same through a float32 variable.
		v, err := backend.NewVariable("w", tensor.Float32, c.shape, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.SetFloat64s(c.in); err != nil {
			t.Fatal(err)
		}
		v.SetConstraint(c.c)
		v.ApplyConstraint()
		for j, x := range v.Float64s() {
			if math.Abs(x-c.want[j]) > 1e-6 {
				t.Errorf("case %d %s float32: %v, want %v", i, c.c.Name(), v.Float64s(), c.want)
				break
			}
		}
	}
}

func TestNamesConfigAndErrors(t *testing.T) {
	if got := strings.Join(constraints.Names(), " "); got != "max_norm min_max_norm non_neg unit_norm" {
		t.Errorf("Names() = %s", got)
	}
	for _, name := range []string{"max_norm", "MaxNorm", "non_neg", "NonNeg", "unit_norm", "min_max_norm"} {
		if _, err := constraints.Get(name); err != nil {
			t.Errorf("Get(%s): %v", name, err)
		}
	}
	for c, want := range map[constraints.Constraint]string{
		constraints.MaxNorm(constraints.MaxValue(3)):   `{"name":"max_norm","params":{"max_value":3}}`,
		constraints.MaxNorm(constraints.Axis(0, 1, 2)): `{"name":"max_norm","params":{"axis":[0,1,2]}}`,
		constraints.UnitNorm(constraints.Axis()):       `{"name":"unit_norm"}`,
		constraints.MinMaxNorm(constraints.Rate(0.5)):  `{"name":"min_max_norm","params":{"rate":0.5}}`,
		constraints.NonNeg():                           `{"name":"non_neg"}`,
	} {
		if raw, _ := json.Marshal(constraints.ConfigOf(c)); string(raw) != want {
			t.Errorf("config %s, want %s", raw, want)
		}
	}
	for _, c := range []constraints.Constraint{constraints.MaxNorm(constraints.Axis(0, 1)), constraints.NonNeg(), constraints.UnitNorm(),
		constraints.MinMaxNorm(constraints.MinValue(0.5), constraints.Rate(0.3))} {
		raw, _ := json.Marshal(constraints.ConfigOf(c))
		var back constraints.Config
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		cc, err := constraints.FromConfig(back)
		if err != nil {
			t.Fatal(err)
		}
		raw2, _ := json.Marshal(constraints.ConfigOf(cc))
		if string(raw) != string(raw2) {
			t.Errorf("round trip %s -> %s", raw, raw2)
		}
	}
	bad := []struct {
		c                   constraints.Constraint
		call, option, value string
		msg                 string
	}{
		{constraints.MaxNorm(constraints.MaxValue(-1)), "max_norm", "max_value", "-1", "must be >= 0"},
		{constraints.MinMaxNorm(constraints.MinValue(2), constraints.MaxValue(1)), "min_max_norm", "min_value", "2", "must be in [0, max_value] (max_value 1)"},
		{constraints.MinMaxNorm(constraints.Rate(1.5)), "min_max_norm", "rate", "1.5", "must be in [0, 1]"},
		{constraints.MaxNorm(constraints.MaxValue(math.Inf(1))), "max_norm", "max_value", "+Inf", "must be finite"},
	}
	for _, b := range bad {
		for where, err := range map[string]error{"Err": constraints.Err(b.c), "Resolve": func() error { _, err := constraints.Resolve(b.c); return err }(),
			"CheckShape": b.c.CheckShape([]int{3, 2})} {
			var oe *kerrors.OptionError
			if !errors.As(err, &oe) || oe.Call != b.call || oe.Option != b.option || oe.Value != b.value || oe.Msg != b.msg || !strings.HasPrefix(err.Error(), "constraints: ") {
				t.Errorf("%s: %v, want an OptionError %s: %s = %s: %s", where, err, b.call, b.option, b.value, b.msg)
			}
		}
	}
	for _, c := range []struct{ name, params, option, msg string }{
		{"unit_norm", `{"max_value": 1}`, "max_value", "unknown parameter (unit_norm takes axis)"},
		{"non_neg", `{"axis": [1]}`, "axis", "unknown parameter (non_neg takes no parameters)"},
		{"max_norm", `{"axis": 1}`, "axis", "must be a list of integers"},
	} {
		_, err := constraints.FromConfig(constraints.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	var oe *kerrors.OptionError
	if _, err := constraints.Resolve(1.5); !errors.As(err, &oe) || oe.Value != "float64" {
		t.Errorf("Resolve(1.5) = %v", err)
	}
	if err := constraints.Register("NonNeg", func(constraints.Config) (constraints.Constraint, error) { return constraints.NonNeg(), nil }); err == nil {
		t.Error("NonNeg could be registered over non_neg")
	}
	if err := constraints.MaxNorm(constraints.Axis(2)).CheckShape([]int{3, 4}); err == nil || !strings.Contains(err.Error(), "axis 2 does not exist in shape [3 4]") {
		t.Errorf("CheckShape: %v", err)
	}
	_, err := constraints.Get("maxnorm2")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || strings.Join(un.Known, ", ") != "max_norm, min_max_norm, non_neg, unit_norm" {
		t.Errorf("Get(maxnorm2) = %v", err)
	}
}

// TestLegacyConfigs loads constraint configs as files written before the
// parameters were typed hold them (axis beside params) and checks that
// they project as the typed ones.
func TestLegacyConfigs(t *testing.T) {
	for raw, want := range map[string]constraints.Constraint{
		`{"name":"max_norm","params":{"max_value":0.5},"axis":[1]}`:                            constraints.MaxNorm(constraints.MaxValue(0.5), constraints.Axis(1)),
		`{"name":"unit_norm","params":{},"axis":[0]}`:                                          constraints.UnitNorm(),
		`{"name":"min_max_norm","params":{"max_value":1,"min_value":0.2,"rate":1},"axis":[0]}`: constraints.MinMaxNorm(constraints.MinValue(0.2)),
		`{"name":"non_neg"}`: constraints.NonNeg(),
	} {
		var c constraints.Config
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		con, err := constraints.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		a := []float64{1, -2, 0.5, 3, -0.25, 0.1}
		b := append([]float64(nil), a...)
		con.Project([]int{2, 3}, a)
		want.Project([]int{2, 3}, b)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s projects to %v, want %v", raw, a, b)
		}
	}
}

// TestOptionsCompileChecked: options a constraint does not take do not
// compile (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

func ExampleMaxNorm() {
	c := constraints.MaxNorm(constraints.MaxValue(1))
	w := []float64{3, 4} // a bias of norm 5
	c.Project([]int{2}, w)
	fmt.Printf("%.4f %.4f\n", w[0], w[1])
	// Output: 0.6000 0.8000
}
