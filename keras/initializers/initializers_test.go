package initializers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// truncVar is the variance of N(0, 1) truncated to [-2, 2].
const truncVar = 0.87962566103423978 * 0.87962566103423978

// TestDistributions draws 120,000 values from each initializer for a
// (400, 300) weight (fan_in 400, fan_out 300) and checks the sample mean
// and variance against the distribution's, and every value against its
// bounds.
func TestDistributions(t *testing.T) {
	shape := []int{400, 300}
	inf := math.Inf(1)
	cases := []struct {
		init           initializers.Initializer
		mean, variance float64
		lo, hi         float64 // closed bounds
	}{
		{initializers.RandomNormal(), 0, 0.0025, -inf, inf},
		{initializers.RandomNormal(initializers.Mean(1), initializers.Stddev(0.5)), 1, 0.25, -inf, inf},
		{initializers.RandomUniform(), 0, 0.01 / 12, -0.05, 0.05},
		{initializers.RandomUniform(initializers.Minval(2), initializers.Maxval(4)), 3, 4.0 / 12, 2, 4},
		{initializers.TruncatedNormal(), 0, 0.0025 * truncVar, -0.1, 0.1},
		{initializers.TruncatedNormal(initializers.Mean(-1), initializers.Stddev(0.2)), -1, 0.04 * truncVar, -1.4, -0.6},
		{initializers.GlorotUniform(), 0, 1.0 / 350, -math.Sqrt(3.0 / 350), math.Sqrt(3.0 / 350)},
		{initializers.GlorotNormal(), 0, 1.0 / 350, -2 * math.Sqrt(1.0/350) / 0.87962566103423978, 2 * math.Sqrt(1.0/350) / 0.87962566103423978},
		{initializers.HeUniform(), 0, 2.0 / 400, -math.Sqrt(6.0 / 400), math.Sqrt(6.0 / 400)},
		{initializers.HeNormal(), 0, 2.0 / 400, -2 * math.Sqrt(2.0/400) / 0.87962566103423978, 2 * math.Sqrt(2.0/400) / 0.87962566103423978},
		{initializers.LecunUniform(), 0, 1.0 / 400, -math.Sqrt(3.0 / 400), math.Sqrt(3.0 / 400)},
		{initializers.LecunNormal(), 0, 1.0 / 400, -2 * math.Sqrt(1.0/400) / 0.87962566103423978, 2 * math.Sqrt(1.0/400) / 0.87962566103423978},
		{initializers.VarianceScaling(), 0, 1.0 / 400, -2 * math.Sqrt(1.0/400) / 0.87962566103423978, 2 * math.Sqrt(1.0/400) / 0.87962566103423978},
		{initializers.VarianceScaling(initializers.Scale(3), initializers.Mode("fan_out"), initializers.Distribution("untruncated_normal")), 0, 3.0 / 300, -inf, inf},
		{initializers.VarianceScaling(initializers.Mode("fan_avg"), initializers.Distribution("uniform")), 0, 1.0 / 350, -math.Sqrt(3.0 / 350), math.Sqrt(3.0 / 350)},
	}
	for i, c := range cases {
		name := fmt.Sprintf("%d_%s", i, c.init.Name())
		if err := initializers.Err(c.init); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v := c.init.Init(rand.New(rand.NewSource(int64(i+1))), shape)
		if len(v) != 120000 {
			t.Fatalf("%s: %d values", name, len(v))
		}
		var sum, sq float64
		sd := math.Sqrt(c.variance)
		for _, x := range v {
			if x < c.lo || x > c.hi {
				t.Fatalf("%s: value %v outside [%v, %v]", name, x, c.lo, c.hi)
			}
			sum += x
			sq += (x - c.mean) * (x - c.mean)
		}
		n := float64(len(v))
		mean, variance := sum/n, sq/n
		if math.Abs(mean-c.mean) > 4*sd/math.Sqrt(n) {
			t.Errorf("%s: mean %v, want %v", name, mean, c.mean)
		}
		if math.Abs(variance/c.variance-1) > 0.02 {
			t.Errorf("%s: variance %v, want %v", name, variance, c.variance)
		}
	}
}

// TestTruncation checks that a truncated normal really is cut at two
// standard deviations and not just rescaled: about 4.55% of a normal
// sample lies beyond 2 sd, none of the truncated one does, and the
// truncated sample has more mass between 1 and 2 sd.
func TestTruncation(t *testing.T) {
	v := initializers.TruncatedNormal(initializers.Stddev(1)).Init(rand.New(rand.NewSource(9)), []int{100000})
	w := initializers.RandomNormal(initializers.Stddev(1)).Init(rand.New(rand.NewSource(9)), []int{100000})
	count := func(x []float64, lo, hi float64) float64 {
		n := 0
		for _, y := range x {
			if math.Abs(y) > lo && math.Abs(y) <= hi {
				n++
			}
		}
		return float64(n) / float64(len(x))
	}
	if f := count(v, 2, math.Inf(1)); f != 0 {
		t.Errorf("truncated: %v beyond 2 sd", f)
	}
	if f := count(w, 2, math.Inf(1)); math.Abs(f-0.0455) > 0.003 {
		t.Errorf("normal: %v beyond 2 sd, want about 0.0455", f)
	}
	// P(1 < |x| <= 2) is 0.2718 for N(0,1), 0.2718/0.9545 = 0.2848 truncated.
	if f := count(v, 1, 2); math.Abs(f-0.2848) > 0.005 {
		t.Errorf("truncated: %v between 1 and 2 sd, want about 0.2848", f)
	}
}

func TestOrthogonal(t *testing.T) {
	cases := []struct {
		shape []int
		gain  float64
	}{
		{[]int{5, 3}, 1},
		{[]int{3, 5}, 1},
		{[]int{4, 4}, 2},
		{[]int{3, 3, 4, 8}, 0.5},
		{[]int{2, 64}, 1},
	}
	for _, c := range cases {
		init := initializers.Orthogonal(initializers.Gain(c.gain))
		if err := init.CheckShape(c.shape); err != nil {
			t.Fatal(err)
		}
		v := init.Init(rand.New(rand.NewSource(5)), c.shape)
		cols := c.shape[len(c.shape)-1]
		rows := len(v) / cols
		// Vectors that must be orthonormal: the columns if rows >= cols,
		// else the rows.
		k, n := cols, rows
		at := func(a, i int) float64 { return v[i*cols+a] } // column a, element i
		if rows < cols {
			k, n = rows, cols
			at = func(a, i int) float64 { return v[a*cols+i] } // row a, element i
		}
		for a := 0; a < k; a++ {
			for b := 0; b < k; b++ {
				var dot float64
				for i := 0; i < n; i++ {
					dot += at(a, i) * at(b, i)
				}
				want := 0.0
				if a == b {
					want = c.gain * c.gain
				}
				if math.Abs(dot-want) > 1e-12 {
					t.Errorf("%v: <%d,%d> = %v, want %v", c.shape, a, b, dot, want)
				}
			}
		}
	}
	if err := initializers.Orthogonal().CheckShape([]int{7}); err == nil {
		t.Error("orthogonal accepted a vector")
	}
}

func TestConstantsAndIdentity(t *testing.T) {
	check := func(name string, got []float64, want ...float64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("zeros", initializers.Zeros().Init(nil, []int{2, 2}), 0, 0, 0, 0)
	check("ones", initializers.Ones().Init(nil, []int{3}), 1, 1, 1)
	check("constant", initializers.Constant(2.5).Init(nil, []int{1, 2}), 2.5, 2.5)
	check("identity", initializers.Identity().Init(nil, []int{2, 3}), 1, 0, 0, 0, 1, 0)
	check("identity_gain", initializers.Identity(initializers.Gain(3)).Init(nil, []int{3, 2}), 3, 0, 0, 3, 0, 0)
	if err := initializers.Identity().CheckShape([]int{2, 2, 2}); err == nil || !strings.Contains(err.Error(), "two-axis") {
		t.Errorf("identity on 3 axes: %v", err)
	}
}

func TestFans(t *testing.T) {
	cases := []struct {
		shape   []int
		in, out float64
	}{
		{[]int{13, 64}, 13, 64},
		{[]int{64}, 64, 64},
		{[]int{}, 1, 1},
		{[]int{3, 3, 1, 32}, 9, 288},
		{[]int{5, 2, 7}, 10, 35},
	}
	for _, c := range cases {
		if in, out := initializers.Fans(c.shape); in != c.in || out != c.out {
			t.Errorf("Fans(%v) = %v, %v", c.shape, in, out)
		}
	}
}

func TestSeeds(t *testing.T) {
	for _, name := range initializers.Names() {
		init, err := initializers.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		shape := []int{6, 4}
		a := init.Init(rand.New(rand.NewSource(1)), shape)
		b := init.Init(rand.New(rand.NewSource(1)), shape)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: the same stream gave different values", name)
		}
	}
	// With Seed, every call gives the same values whatever rng is passed.
	s := initializers.HeNormal(initializers.Seed(42))
	a := s.Init(rand.New(rand.NewSource(1)), []int{3, 3})
	b := s.Init(rand.New(rand.NewSource(2)), []int{3, 3})
	c := s.Init(nil, []int{3, 3})
	if fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(c) {
		t.Error("a seeded initializer depends on the rng passed")
	}
	d := initializers.HeNormal(initializers.Seed(43)).Init(nil, []int{3, 3})
	if fmt.Sprint(a) == fmt.Sprint(d) {
		t.Error("seeds 42 and 43 gave the same values")
	}
	// Without Seed, the stream passed decides.
	u := initializers.GlorotUniform()
	if fmt.Sprint(u.Init(rand.New(rand.NewSource(1)), []int{3})) == fmt.Sprint(u.Init(rand.New(rand.NewSource(2)), []int{3})) {
		t.Error("different streams gave the same values")
	}
}

func TestNamesAndConfig(t *testing.T) {
	want := "constant glorot_normal glorot_uniform he_normal he_uniform identity lecun_normal lecun_uniform ones orthogonal random_normal random_uniform truncated_normal variance_scaling zeros"
	if got := strings.Join(initializers.Names(), " "); got != want {
		t.Errorf("Names() = %s", got)
	}
	for _, class := range []string{"GlorotUniform", "HeNormal", "Zeros", "VarianceScaling", "TruncatedNormal"} {
		if _, err := initializers.Get(class); err != nil {
			t.Errorf("Get(%q): %v", class, err)
		}
	}
	inits := []initializers.Initializer{
		initializers.Constant(0.3), initializers.RandomNormal(initializers.Mean(1), initializers.Seed(7)),
		initializers.RandomUniform(initializers.Minval(-1), initializers.Maxval(2)),
		initializers.TruncatedNormal(initializers.Stddev(0.1)), initializers.HeUniform(initializers.Seed(3)),
		initializers.VarianceScaling(initializers.Scale(2), initializers.Mode("fan_avg"), initializers.Distribution("normal")),
		initializers.Orthogonal(initializers.Gain(2), initializers.Seed(1)), initializers.Identity(initializers.Gain(0.5)),
	}
	for _, init := range inits {
		raw, err := json.Marshal(initializers.ConfigOf(init))
		if err != nil {
			t.Fatal(err)
		}
		var c initializers.Config
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		back, err := initializers.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		raw2, _ := json.Marshal(initializers.ConfigOf(back))
		if string(raw) != string(raw2) {
			t.Errorf("config round trip: %s -> %s", raw, raw2)
		}
		shape := []int{4, 3}
		if fmt.Sprint(init.Init(rand.New(rand.NewSource(1)), shape)) != fmt.Sprint(back.Init(rand.New(rand.NewSource(1)), shape)) {
			t.Errorf("%s: rebuilt initializer draws different values", raw)
		}
	}
}

func TestErrors(t *testing.T) {
	_, err := initializers.Get("glorot")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "glorot" || un.Known[0] != "constant" || un.Known[1] != "glorot_normal" {
		t.Errorf(`Get("glorot") = %v`, err)
	}
	bad := []struct {
		init                initializers.Initializer
		call, option, value string
		msg                 string
	}{
		{initializers.RandomNormal(initializers.Stddev(-1)), "random_normal", "stddev", "-1", "must be >= 0"},
		{initializers.RandomUniform(initializers.Minval(1), initializers.Maxval(0)), "random_uniform", "maxval", "0", "must be >= minval (1)"},
		{initializers.VarianceScaling(initializers.Scale(0)), "variance_scaling", "scale", "0", "must be > 0"},
		{initializers.VarianceScaling(initializers.Mode("fan_sum")), "variance_scaling", "mode", `"fan_sum"`, `must be "fan_in", "fan_out" or "fan_avg"`},
		{initializers.VarianceScaling(initializers.Distribution("cauchy")), "variance_scaling", "distribution", `"cauchy"`,
			`must be "truncated_normal" ("normal"), "untruncated_normal" or "uniform"`},
		{initializers.Constant(math.NaN()), "constant", "value", "NaN", "must be finite"},
		{initializers.Orthogonal(initializers.Gain(math.Inf(1))), "orthogonal", "gain", "+Inf", "must be finite"},
		{initializers.RandomNormal(initializers.Mean(math.NaN())), "random_normal", "mean", "NaN", "must be finite"},
	}
	for _, b := range bad {
		for where, err := range map[string]error{"Err": initializers.Err(b.init), "Resolve": func() error { _, err := initializers.Resolve(b.init); return err }()} {
			var oe *kerrors.OptionError
			if !errors.As(err, &oe) || oe.Call != b.call || oe.Option != b.option || oe.Value != b.value || oe.Msg != b.msg || !strings.HasPrefix(err.Error(), "initializers: ") {
				t.Errorf("%s: %v, want an OptionError %s: %s = %s: %s", where, err, b.call, b.option, b.value, b.msg)
			}
		}
	}
	if err := initializers.RandomNormal(initializers.Stddev(-1)).Err(); err.Error() != "initializers: random_normal: stddev = -1: must be >= 0" {
		t.Errorf("message %q", err)
	}
	for _, c := range []struct{ name, params, option, msg string }{
		{"random_normal", `{"stddev": -2}`, "stddev", "must be >= 0"},
		{"glorot_uniform", `{"gain": 2}`, "gain", "unknown parameter (glorot_uniform takes seed)"},
		{"zeros", `{"seed": 1}`, "seed", "unknown parameter (zeros takes no parameters)"},
		{"he_normal", `{"seed": 1.5}`, "seed", "must be an integer or null"},
		{"variance_scaling", `{"mode": 1}`, "mode", "must be a string"},
	} {
		_, err := initializers.FromConfig(initializers.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	var oe *kerrors.OptionError
	for _, spec := range []interface{}{3, nil, 2.5} {
		if _, err := initializers.Resolve(spec); !errors.As(err, &oe) || oe.Option != "initializer" {
			t.Errorf("Resolve(%v) = %v", spec, err)
		}
	}
	if err := initializers.Register("GlorotUniform", func(initializers.Config) (initializers.Initializer, error) { return initializers.Zeros(), nil }); err == nil {
		t.Error("GlorotUniform could be registered over glorot_uniform")
	}
	if err := initializers.Register("mine", nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Register with a nil factory: %v", err)
	}
}

// TestLegacyConfigs loads initializer configs as files written before the
// parameters were typed hold them (mode, distribution and seed beside
// params) and checks that they draw the same values as the typed ones.
func TestLegacyConfigs(t *testing.T) {
	for raw, want := range map[string]initializers.Initializer{
		`{"name":"variance_scaling","params":{"scale":2},"mode":"fan_avg","distribution":"uniform","seed":3}`: initializers.VarianceScaling(
			initializers.Scale(2), initializers.Mode("fan_avg"), initializers.Distribution("uniform"), initializers.Seed(3)),
		`{"name":"random_normal","params":{"mean":1,"stddev":0.05},"seed":7}`:                                initializers.RandomNormal(initializers.Mean(1), initializers.Seed(7)),
		`{"name":"he_uniform","seed":5}`:                                                                     initializers.HeUniform(initializers.Seed(5)),
		`{"name":"orthogonal","params":{"gain":2},"seed":1}`:                                                 initializers.Orthogonal(initializers.Gain(2), initializers.Seed(1)),
		`{"name":"constant","params":{"value":0.3}}`:                                                         initializers.Constant(0.3),
		`{"name":"glorot_uniform"}`:                                                                          initializers.GlorotUniform(),
		`{"name":"variance_scaling","params":{"scale":1},"mode":"fan_in","distribution":"truncated_normal"}`: initializers.VarianceScaling(),
	} {
		var c initializers.Config
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatal(err)
		}
		i, err := initializers.FromConfig(c)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		got, _ := json.Marshal(initializers.ConfigOf(i))
		exp, _ := json.Marshal(initializers.ConfigOf(want))
		if string(got) != string(exp) {
			t.Errorf("%s loads as %s, want %s", raw, got, exp)
		}
		shape := []int{4, 3}
		if fmt.Sprint(i.Init(rand.New(rand.NewSource(1)), shape)) != fmt.Sprint(want.Init(rand.New(rand.NewSource(1)), shape)) {
			t.Errorf("%s draws other values", raw)
		}
	}
}

// TestOptionsCompileChecked: options an initializer does not take do not
// compile (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

func ExampleGlorotUniform() {
	v := initializers.GlorotUniform().Init(rand.New(rand.NewSource(1)), []int{2, 3})
	fmt.Println(len(v), math.Abs(v[0]) <= math.Sqrt(6.0/5))
	// Output: 6 true
}

func ExampleOrthogonal() {
	w := initializers.Orthogonal(initializers.Seed(1)).Init(nil, []int{2, 2})
	// The columns of a 2x2 orthogonal matrix have unit length and are
	// perpendicular.
	fmt.Printf("%.3f %.3f\n", w[0]*w[0]+w[2]*w[2], math.Abs(w[0]*w[1]+w[2]*w[3]))
	// Output: 1.000 0.000
}

func ExampleGet() {
	init, err := initializers.Get("he_normal")
	fmt.Println(init.Name(), err, initializers.VarianceScaling().Params().Mode)
	// Output: he_normal <nil> fan_in
}

func ExampleConfigOf() {
	// Only the parameters that differ from the defaults are written; the
	// seed is one of them.
	for _, i := range []initializers.Initializer{
		initializers.GlorotUniform(),
		initializers.HeNormal(initializers.Seed(42)),
		initializers.VarianceScaling(initializers.Scale(2), initializers.Mode("fan_avg")),
	} {
		raw, _ := json.Marshal(initializers.ConfigOf(i))
		fmt.Println(string(raw))
	}
	// Output:
	// {"name":"glorot_uniform"}
	// {"name":"he_normal","params":{"seed":42}}
	// {"name":"variance_scaling","params":{"scale":2,"mode":"fan_avg"}}
}
