package constraints_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
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
	cfg := constraints.ConfigOf(constraints.MaxNorm(constraints.MaxValue(3)))
	if cfg.Params["max_value"] != 3 || fmt.Sprint(cfg.Axis) != "[0]" {
		t.Errorf("max_norm config %+v", cfg)
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
		c    constraints.Constraint
		want string
	}{
		{constraints.MaxNorm(constraints.MaxValue(-1)), "max_norm: max_value must be >= 0, got -1"},
		{constraints.MinMaxNorm(constraints.MinValue(2), constraints.MaxValue(1)), "need 0 <= min_value <= max_value, got min_value 2, max_value 1"},
		{constraints.MinMaxNorm(constraints.Rate(1.5)), "rate must be in [0, 1], got 1.5"},
		{constraints.UnitNorm(constraints.MaxValue(1)), `unit_norm has no option "max_value" (it has: axis)`},
		{constraints.NonNeg(constraints.Axis(1)), `non_neg has no option "axis" (no options)`},
		{constraints.MaxNorm(constraints.MaxValue(math.Inf(1))), "max_norm: max_value = +Inf"},
	}
	for _, b := range bad {
		if err := constraints.Err(b.c); err == nil || !strings.Contains(err.Error(), b.want) || !strings.HasPrefix(err.Error(), "constraints: ") {
			t.Errorf("error = %v, want it to contain %q", err, b.want)
		}
	}
	if err := constraints.MaxNorm(constraints.Axis(2)).CheckShape([]int{3, 4}); err == nil || !strings.Contains(err.Error(), "axis 2 does not exist in shape [3 4]") {
		t.Errorf("CheckShape: %v", err)
	}
	if _, err := constraints.Get("maxnorm2"); err == nil || !strings.Contains(err.Error(), "known: max_norm, min_max_norm, non_neg, unit_norm") {
		t.Errorf("Get(maxnorm2) = %v", err)
	}
}

func ExampleMaxNorm() {
	c := constraints.MaxNorm(constraints.MaxValue(1))
	w := []float64{3, 4} // a bias of norm 5
	c.Project([]int{2}, w)
	fmt.Printf("%.4f %.4f\n", w[0], w[1])
	// Output: 0.6000 0.8000
}
