package optimizers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/optimizers"
)

var (
	w0    = []float64{1, -2, 0.5}
	grads = [][]float64{{0.5, -1, 0.25}, {0.1, 0.2, -0.3}, {-0.4, 0.3, 0.05}}
)

// run applies len(grads) steps of o to a copy of w0 in the given dtype and
// returns the weights after each step.
func run(t *testing.T, o optimizers.Optimizer, dt tensor.Dtype) [][]float64 {
	t.Helper()
	v, err := backend.NewVariable("w", dt, []int{3}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetFloat64s(w0); err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, g := range grads {
		setGrad(v, g)
		if err := o.Apply([]*backend.Variable{v}); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Float64s())
	}
	if o.Iterations() != int64(len(grads)) {
		t.Errorf("Iterations() = %d, want %d", o.Iterations(), len(grads))
	}
	return out
}

func setGrad(v *backend.Variable, g []float64) {
	switch d := v.Grad().Data().(type) {
	case []float64:
		copy(d, g)
	case []float32:
		for i := range g {
			d[i] = float32(g[i])
		}
	}
}

// reference runs step (one scalar update rule, with its own state) over
// the fixed gradient sequence; t counts from 1.
func reference(step func(t int, w, g []float64)) [][]float64 {
	w := append([]float64(nil), w0...)
	var out [][]float64
	for i, g := range grads {
		step(i+1, w, g)
		out = append(out, append([]float64(nil), w...))
	}
	return out
}

// The references below restate each update rule one scalar at a time, as
// written in Keras 3's optimizer sources (keras/src/optimizers/*.py), in
// float64.

func refSGD(lr, mu float64, nesterov bool) [][]float64 {
	m := make([]float64, 3)
	return reference(func(_ int, w, g []float64) {
		for i := range w {
			if mu == 0 {
				w[i] -= lr * g[i]
				continue
			}
			m[i] = mu*m[i] - lr*g[i]
			if nesterov {
				w[i] += mu*m[i] - lr*g[i]
			} else {
				w[i] += m[i]
			}
		}
	})
}

func refRMSprop(lr, rho, mu, eps float64, centered bool) [][]float64 {
	vel, mom, avg := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	return reference(func(_ int, w, g []float64) {
		for i := range w {
			vel[i] = rho*vel[i] + (1-rho)*(g[i]*g[i])
			den := vel[i]
			if centered {
				avg[i] = rho*avg[i] + (1-rho)*g[i]
				den = vel[i] - avg[i]*avg[i]
			}
			inc := lr * g[i] / math.Sqrt(den+eps)
			if mu > 0 {
				mom[i] = mu*mom[i] + inc
				w[i] -= mom[i]
			} else {
				w[i] -= inc
			}
		}
	})
}

func refAdam(lr, b1, b2, eps, wd float64, amsgrad bool) [][]float64 {
	m, v, vmax := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	return reference(func(t int, w, g []float64) {
		alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t))) / (1 - math.Pow(b1, float64(t)))
		for i := range w {
			w[i] -= w[i] * (wd * lr)
			m[i] += (g[i] - m[i]) * (1 - b1)
			v[i] += (g[i]*g[i] - v[i]) * (1 - b2)
			den := v[i]
			if amsgrad {
				vmax[i] = math.Max(vmax[i], v[i])
				den = vmax[i]
			}
			w[i] -= alpha * m[i] / (math.Sqrt(den) + eps)
		}
	})
}

func refAdagrad(lr, init, eps float64) [][]float64 {
	acc := []float64{init, init, init}
	return reference(func(_ int, w, g []float64) {
		for i := range w {
			acc[i] += g[i] * g[i]
			w[i] -= lr * g[i] / math.Sqrt(acc[i]+eps)
		}
	})
}

func refAdadelta(lr, rho, eps float64) [][]float64 {
	ag, ad := make([]float64, 3), make([]float64, 3)
	return reference(func(_ int, w, g []float64) {
		for i := range w {
			ag[i] = rho*ag[i] + (1-rho)*(g[i]*g[i])
			d := -(math.Sqrt(ad[i]+eps) * g[i] / math.Sqrt(ag[i]+eps))
			ad[i] = rho*ad[i] + (1-rho)*(d*d)
			w[i] += lr * d
		}
	})
}

func refAdamax(lr, b1, b2, eps float64) [][]float64 {
	m, u := make([]float64, 3), make([]float64, 3)
	return reference(func(t int, w, g []float64) {
		for i := range w {
			m[i] += (g[i] - m[i]) * (1 - b1)
			u[i] = math.Max(b2*u[i], math.Abs(g[i]))
			w[i] -= lr * m[i] / ((1 - math.Pow(b1, float64(t))) * (u[i] + eps))
		}
	})
}

func refNadam(lr, b1, b2, eps float64) [][]float64 {
	m, v := make([]float64, 3), make([]float64, 3)
	uProduct := 1.0
	return reference(func(t int, w, g []float64) {
		ut := b1 * (1 - 0.5*math.Pow(0.96, float64(t)))
		ut1 := b1 * (1 - 0.5*math.Pow(0.96, float64(t+1)))
		uProduct *= ut
		for i := range w {
			m[i] += (g[i] - m[i]) * (1 - b1)
			v[i] += (g[i]*g[i] - v[i]) * (1 - b2)
			mhat := ut1*m[i]/(1-uProduct*ut1) + (1-ut)*g[i]/(1-uProduct)
			vhat := v[i] / (1 - math.Pow(b2, float64(t)))
			w[i] -= mhat * lr / (math.Sqrt(vhat) + eps)
		}
	})
}

func refFtrl(lr, power, init, l1, l2, shrink, beta float64) [][]float64 {
	acc := []float64{init, init, init}
	lin := make([]float64, 3)
	return reference(func(_ int, w, g []float64) {
		l2r := l2 + beta/(2*lr)
		for i := range w {
			gs := g[i] + 2*shrink*w[i]
			na := acc[i] + g[i]*g[i]
			lin[i] += gs - (math.Pow(na, -power)-math.Pow(acc[i], -power))/lr*w[i]
			q := math.Pow(na, -power)/lr + 2*l2r
			w[i] = (math.Max(-l1, math.Min(l1, lin[i])) - lin[i]) / q
			acc[i] = na
		}
	})
}

func refLion(lr, b1, b2 float64) [][]float64 {
	m := make([]float64, 3)
	sign := func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	return reference(func(_ int, w, g []float64) {
		for i := range w {
			w[i] -= lr * sign(m[i]*b1+g[i]*(1-b1))
			m[i] = m[i]*b2 + g[i]*(1-b2)
		}
	})
}

type stepCase struct {
	name string
	opt  func() optimizers.Optimizer
	want [][]float64
}

func stepCases() []stepCase {
	o := optimizers.LearningRate
	return []stepCase{
		{"sgd", func() optimizers.Optimizer { return optimizers.SGD() }, refSGD(0.01, 0, false)},
		{"sgd_momentum", func() optimizers.Optimizer { return optimizers.SGD(optimizers.Momentum(0.9)) }, refSGD(0.01, 0.9, false)},
		{"sgd_nesterov", func() optimizers.Optimizer {
			return optimizers.SGD(o(0.1), optimizers.Momentum(0.5), optimizers.Nesterov(true))
		}, refSGD(0.1, 0.5, true)},
		{"rmsprop", func() optimizers.Optimizer { return optimizers.RMSprop() }, refRMSprop(0.001, 0.9, 0, 1e-7, false)},
		{"rmsprop_momentum", func() optimizers.Optimizer { return optimizers.RMSprop(optimizers.Momentum(0.5)) }, refRMSprop(0.001, 0.9, 0.5, 1e-7, false)},
		{"rmsprop_centered_momentum", func() optimizers.Optimizer {
			return optimizers.RMSprop(optimizers.Centered(true), optimizers.Momentum(0.5), optimizers.Rho(0.8))
		}, refRMSprop(0.001, 0.8, 0.5, 1e-7, true)},
		{"adam", func() optimizers.Optimizer { return optimizers.Adam() }, refAdam(0.001, 0.9, 0.999, 1e-7, 0, false)},
		{"adam_amsgrad", func() optimizers.Optimizer {
			return optimizers.Adam(optimizers.Amsgrad(true), o(0.01))
		}, refAdam(0.01, 0.9, 0.999, 1e-7, 0, true)},
		{"adamw", func() optimizers.Optimizer { return optimizers.AdamW() }, refAdam(0.001, 0.9, 0.999, 1e-7, 0.004, false)},
		{"adamw_big_decay", func() optimizers.Optimizer {
			return optimizers.AdamW(optimizers.WeightDecay(0.5), o(0.1), optimizers.Beta1(0.8))
		}, refAdam(0.1, 0.8, 0.999, 1e-7, 0.5, false)},
		{"adagrad", func() optimizers.Optimizer { return optimizers.Adagrad() }, refAdagrad(0.001, 0.1, 1e-7)},
		{"adagrad_keras2", func() optimizers.Optimizer {
			return optimizers.Adagrad(optimizers.Keras2Defaults(), optimizers.InitialAccumulatorValue(0.5))
		}, refAdagrad(0.01, 0.5, 1e-7)},
		{"adadelta", func() optimizers.Optimizer { return optimizers.Adadelta() }, refAdadelta(0.001, 0.95, 1e-7)},
		{"adadelta_keras2", func() optimizers.Optimizer {
			return optimizers.Adadelta(optimizers.Keras2Defaults(), optimizers.Rho(0.9))
		}, refAdadelta(1.0, 0.9, 1e-7)},
		{"adamax", func() optimizers.Optimizer { return optimizers.Adamax() }, refAdamax(0.001, 0.9, 0.999, 1e-7)},
		{"adamax_keras2", func() optimizers.Optimizer { return optimizers.Adamax(optimizers.Keras2Defaults()) }, refAdamax(0.002, 0.9, 0.999, 1e-7)},
		{"nadam", func() optimizers.Optimizer { return optimizers.Nadam() }, refNadam(0.001, 0.9, 0.999, 1e-7)},
		{"nadam_keras2", func() optimizers.Optimizer {
			return optimizers.Nadam(optimizers.Keras2Defaults(), optimizers.Beta2(0.99))
		}, refNadam(0.002, 0.9, 0.99, 1e-7)},
		{"ftrl", func() optimizers.Optimizer { return optimizers.Ftrl() }, refFtrl(0.001, -0.5, 0.1, 0, 0, 0, 0)},
		{"ftrl_regularized", func() optimizers.Optimizer {
			return optimizers.Ftrl(o(0.5), optimizers.L1RegularizationStrength(0.05), optimizers.L2RegularizationStrength(0.1),
				optimizers.L2ShrinkageRegularizationStrength(0.2), optimizers.Beta(0.3))
		}, refFtrl(0.5, -0.5, 0.1, 0.05, 0.1, 0.2, 0.3)},
		{"ftrl_power", func() optimizers.Optimizer {
			return optimizers.Ftrl(o(0.5), optimizers.LearningRatePower(-0.25), optimizers.InitialAccumulatorValue(1))
		}, refFtrl(0.5, -0.25, 1, 0, 0, 0, 0)},
		{"lion", func() optimizers.Optimizer { return optimizers.Lion() }, refLion(0.001, 0.9, 0.99)},
		{"lion_beta", func() optimizers.Optimizer {
			return optimizers.Lion(o(0.1), optimizers.Beta1(0.3), optimizers.Beta2(0.5))
		}, refLion(0.1, 0.3, 0.5)},
	}
}

func compare(t *testing.T, label string, got, want [][]float64, rel float64) {
	t.Helper()
	for s := range want {
		for i := range want[s] {
			if math.Abs(got[s][i]-want[s][i]) > rel*math.Max(1, math.Abs(want[s][i])) || math.IsNaN(got[s][i]) {
				t.Errorf("%s step %d, weight %d: %.17g, want %.17g", label, s+1, i, got[s][i], want[s][i])
			}
		}
	}
}

func TestStepsMatchFormulas(t *testing.T) {
	for _, c := range stepCases() {
		t.Run(c.name, func(t *testing.T) {
			compare(t, "float64", run(t, c.opt(), tensor.Float64), c.want, 1e-14)
			compare(t, "float32", run(t, c.opt(), tensor.Float32), c.want, 2e-6)
		})
	}
}

// TestTorchReference replays testdata/torch_optimizers.json, written by
// testdata/torch_optimizers.py from torch.optim in float64.
func TestTorchReference(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_optimizers.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		W0    []float64
		Grads [][]float64
		Cases []struct {
			Optimizer string
			Params    map[string]float64
			Steps     [][]float64
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ref.W0, ref.Grads) != fmt.Sprint(w0, grads) {
		t.Fatalf("testdata was made for w0 %v, grads %v", ref.W0, ref.Grads)
	}
	seen := map[string]bool{}
	for _, c := range ref.Cases {
		params, _ := json.Marshal(c.Params)
		o, err := optimizers.FromConfig(optimizers.Config{Name: c.Optimizer, Params: params})
		if err != nil {
			t.Fatal(err)
		}
		compare(t, fmt.Sprint(c.Optimizer, c.Params), run(t, o, tensor.Float64), c.Steps, 1e-12)
		seen[c.Optimizer] = true
	}
	if len(seen) != 8 {
		t.Errorf("torch cases cover %d optimizers, want 8", len(seen))
	}
}

// TestFirstStepsByHand pins numbers worked out on paper, independent of the
// reference functions above.
func TestFirstStepsByHand(t *testing.T) {
	cases := []struct {
		o    optimizers.Optimizer
		want float64
	}{
		// SGD: 1 - 0.01*0.5.
		{optimizers.SGD(), 0.995},
		// Adam step 1: m = 0.05, v = 0.00025, alpha = 0.001*sqrt(0.001)/0.1.
		{optimizers.Adam(), 1 - 0.001*math.Sqrt(0.001)/0.1*0.05/(math.Sqrt(0.00025)+1e-7)},
		// RMSprop step 1: v = 0.1*0.25 = 0.025.
		{optimizers.RMSprop(), 1 - 0.001*0.5/math.Sqrt(0.025+1e-7)},
		// Adagrad: acc = 0.1 + 0.25 = 0.35.
		{optimizers.Adagrad(), 1 - 0.001*0.5/math.Sqrt(0.35+1e-7)},
		// Adadelta: a = 0.05*0.25; d = -sqrt(1e-7)*0.5/sqrt(0.0125+1e-7).
		{optimizers.Adadelta(optimizers.Keras2Defaults()), 1 - math.Sqrt(1e-7)*0.5/math.Sqrt(0.0125+1e-7)},
		// Adamax: m = 0.05, u = 0.5, correction 0.1: 1 - 0.001*0.05/(0.1*(0.5+1e-7)).
		{optimizers.Adamax(), 1 - 0.001*0.05/(0.1*(0.5+1e-7))},
		// Lion: sign(0.1*0.5) = 1.
		{optimizers.Lion(), 0.999},
		// Ftrl: n' = 0.35, z = 0.5 - (sqrt(0.35)-sqrt(0.1))/0.001, w = -z/(sqrt(0.35)/0.001).
		{optimizers.Ftrl(), -(0.5 - (math.Sqrt(0.35)-math.Sqrt(0.1))/0.001) / (math.Sqrt(0.35) / 0.001)},
	}
	for _, c := range cases {
		if got := run(t, c.o, tensor.Float64)[0][0]; math.Abs(got-c.want) > 1e-15*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s step 1: %.17g, want %.17g", c.o.Name(), got, c.want)
		}
	}
	if got := run(t, optimizers.Adam(), tensor.Float64)[0][0]; math.Abs(got-0.999000006) > 1e-9 {
		t.Errorf("adam step 1 = %v, want about 0.999000006", got)
	}
}

// TestClippingAndDecay checks clipnorm, clipvalue, global_clipnorm and
// weight_decay against scalar restatements of Keras's base optimizer.
func TestClippingAndDecay(t *testing.T) {
	sgd := func(pre func(w, g []float64)) [][]float64 {
		return reference(func(_ int, w, g []float64) {
			g = append([]float64(nil), g...)
			pre(w, g)
			for i := range w {
				w[i] -= 0.1 * g[i]
			}
		})
	}
	clipnorm := func(c float64) func(w, g []float64) {
		return func(_, g []float64) {
			n := math.Sqrt(g[0]*g[0] + g[1]*g[1] + g[2]*g[2])
			for i := range g {
				g[i] = g[i] * (c / math.Max(n, c))
			}
		}
	}
	lr := optimizers.LearningRate(0.1)
	cases := []stepCase{
		{"clipnorm", func() optimizers.Optimizer { return optimizers.SGD(lr, optimizers.Clipnorm(0.5)) }, sgd(clipnorm(0.5))},
		{"clipnorm_inactive", func() optimizers.Optimizer { return optimizers.SGD(lr, optimizers.Clipnorm(10)) }, sgd(clipnorm(10))},
		{"global_clipnorm_one_var", func() optimizers.Optimizer { return optimizers.SGD(lr, optimizers.GlobalClipnorm(0.5)) }, sgd(clipnorm(0.5))},
		{"clipvalue", func() optimizers.Optimizer { return optimizers.SGD(lr, optimizers.Clipvalue(0.25)) }, sgd(func(_, g []float64) {
			for i := range g {
				g[i] = math.Max(-0.25, math.Min(0.25, g[i]))
			}
		})},
		{"weight_decay", func() optimizers.Optimizer { return optimizers.SGD(lr, optimizers.WeightDecay(0.2)) }, sgd(func(w, _ []float64) {
			for i := range w {
				w[i] -= w[i] * (0.2 * 0.1)
			}
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			compare(t, "float64", run(t, c.opt(), tensor.Float64), c.want, 1e-15)
			compare(t, "float32", run(t, c.opt(), tensor.Float32), c.want, 1e-6)
		})
	}

	// global_clipnorm scales two variables by their joint norm.
	a, _ := backend.NewVariable("a", tensor.Float64, []int{2}, true)
	b, _ := backend.NewVariable("b", tensor.Float64, []int{1}, true)
	setGrad(a, []float64{3, 0})
	setGrad(b, []float64{4})
	o := optimizers.SGD(optimizers.LearningRate(1), optimizers.GlobalClipnorm(1))
	if err := o.Apply([]*backend.Variable{a, b}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Float64s(), b.Float64s()) != "[-0.6000000000000001 0] [-0.8]" && fmt.Sprint(a.Float64s(), b.Float64s()) != "[-0.6 0] [-0.8]" {
		t.Errorf("global clipnorm: %v %v, want [-0.6 0] [-0.8]", a.Float64s(), b.Float64s())
	}
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		name string
		s    optimizers.Schedule
		want map[int64]float64
	}{
		{"exponential", optimizers.ExponentialDecay(0.1, 10, 0.5),
			map[int64]float64{0: 0.1, 5: 0.1 * math.Sqrt(0.5), 10: 0.05, 25: 0.1 * math.Pow(0.5, 2.5)}},
		{"exponential_staircase", optimizers.ExponentialDecay(0.1, 10, 0.5, optimizers.Staircase(true)),
			map[int64]float64{0: 0.1, 9: 0.1, 10: 0.05, 25: 0.025}},
		{"inverse_time", optimizers.InverseTimeDecay(0.1, 10, 0.5),
			map[int64]float64{0: 0.1, 5: 0.1 / 1.25, 20: 0.05}},
		{"inverse_time_staircase", optimizers.InverseTimeDecay(0.1, 10, 0.5, optimizers.Staircase(true)),
			map[int64]float64{5: 0.1, 10: 0.1 / 1.5, 25: 0.05}},
		{"cosine", optimizers.CosineDecay(0.1, 100),
			map[int64]float64{0: 0.1, 50: 0.05, 100: 0, 150: 0, 25: 0.05 * (1 + math.Cos(math.Pi/4))}},
		{"cosine_alpha", optimizers.CosineDecay(0.1, 100, optimizers.Alpha(0.2)),
			map[int64]float64{0: 0.1, 50: 0.1 * (0.8*0.5 + 0.2), 200: 0.02}},
		{"cosine_warmup", optimizers.CosineDecay(0, 100, optimizers.WarmupTarget(0.2), optimizers.WarmupSteps(10)),
			map[int64]float64{0: 0, 5: 0.1, 10: 0.2, 60: 0.1, 110: 0, 500: 0}},
		{"piecewise", optimizers.PiecewiseConstantDecay([]int64{2, 5}, []float64{1, 0.5, 0.1}),
			map[int64]float64{0: 1, 2: 1, 3: 0.5, 5: 0.5, 6: 0.1, 100: 0.1}},
	}
	for _, c := range cases {
		for step, want := range c.want {
			if got := c.s.Rate(step); math.Abs(got-want) > 1e-15 {
				t.Errorf("%s at step %d: %.17g, want %.17g", c.name, step, got, want)
			}
		}
		back, err := optimizers.ScheduleFromConfig(c.s.Config())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for step := int64(0); step < 30; step++ {
			if back.Rate(step) != c.s.Rate(step) {
				t.Errorf("%s: config round trip differs at step %d", c.name, step)
			}
		}
	}

	// An optimizer evaluates its schedule at its iteration count before
	// each step: SGD with rates 1 (step 0), 0.5 (steps 1-2).
	o := optimizers.SGD(optimizers.LearningRateSchedule(optimizers.PiecewiseConstantDecay([]int64{0, 2}, []float64{1, 0.5, 0.25})))
	lrs := []float64{1, 0.5, 0.5}
	want := reference(func(t int, w, g []float64) {
		for i := range w {
			w[i] -= lrs[t-1] * g[i]
		}
	})
	compare(t, "sgd with schedule", run(t, o, tensor.Float64), want, 1e-15)
	if o.LearningRate() != 0.25 {
		t.Errorf("LearningRate after 3 steps = %v, want 0.25", o.LearningRate())
	}
	if err := o.SetLearningRate(0.1); err == nil || !strings.Contains(err.Error(), "the learning rate is a schedule (PiecewiseConstantDecay)") {
		t.Errorf("SetLearningRate on a schedule: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	lrs := map[string]float64{"sgd": 0.01, "rmsprop": 0.001, "adam": 0.001, "Adam": 0.001, "adamw": 0.001,
		"adagrad": 0.001, "adadelta": 0.001, "adamax": 0.001, "nadam": 0.001, "ftrl": 0.001, "lion": 0.001}
	for name, lr := range lrs {
		o, err := optimizers.Get(name)
		if err != nil || o.LearningRate() != lr {
			t.Errorf("%s: %v, lr %v; want lr %v", name, err, o, lr)
		}
	}
	keras2 := map[string]float64{"sgd": 0.01, "rmsprop": 0.001, "adam": 0.001, "adagrad": 0.01, "adadelta": 1,
		"adamax": 0.002, "nadam": 0.002}
	for name, lr := range keras2 {
		o, err := optimizers.FromConfig(optimizers.Config{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		var k2 optimizers.Optimizer
		switch name {
		case "sgd":
			k2 = optimizers.SGD(optimizers.Keras2Defaults())
		case "rmsprop":
			k2 = optimizers.RMSprop(optimizers.Keras2Defaults())
		case "adam":
			k2 = optimizers.Adam(optimizers.Keras2Defaults())
		case "adagrad":
			k2 = optimizers.Adagrad(optimizers.Keras2Defaults())
		case "adadelta":
			k2 = optimizers.Adadelta(optimizers.Keras2Defaults())
		case "adamax":
			k2 = optimizers.Adamax(optimizers.Keras2Defaults())
		case "nadam":
			k2 = optimizers.Nadam(optimizers.Keras2Defaults())
		}
		if k2.LearningRate() != lr || o.Name() != k2.Name() {
			t.Errorf("%s with Keras2Defaults: lr %v, want %v", name, k2.LearningRate(), lr)
		}
	}
	// An explicit learning rate wins, whatever the order.
	if lr := optimizers.Adadelta(optimizers.LearningRate(0.5), optimizers.Keras2Defaults()).LearningRate(); lr != 0.5 {
		t.Errorf("explicit lr lost to Keras2Defaults: %v", lr)
	}
	if wd := optimizers.AdamW().Params().WeightDecay; wd != 0.004 {
		t.Errorf("adamw weight_decay = %v", wd)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	for _, c := range stepCases() {
		o := c.opt()
		cfg := o.(optimizers.Configurable).Config()
		back, err := optimizers.FromConfig(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		raw, _ := json.Marshal(cfg)
		raw2, _ := json.Marshal(back.(optimizers.Configurable).Config())
		if string(raw) != string(raw2) {
			t.Errorf("%s: %s -> %s", c.name, raw, raw2)
		}
		compare(t, c.name+" from config", run(t, back, tensor.Float64), c.want, 1e-14)
	}
	s := optimizers.Adam(optimizers.LearningRateSchedule(optimizers.CosineDecay(0.01, 10, optimizers.WarmupTarget(0.1), optimizers.WarmupSteps(2))),
		optimizers.Clipnorm(1))
	raw, err := json.Marshal(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	var cfg optimizers.Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	back, err := optimizers.FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := json.Marshal(back.(optimizers.Configurable).Config())
	if string(raw2) != string(raw) {
		t.Errorf("json round trip: %s -> %s", raw, raw2)
	}
}

func TestErrors(t *testing.T) {
	_, err := optimizers.Get("adamm")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "adamm" || un.Kind != "optimizer" ||
		strings.Join(un.Known, ",") != "adadelta,adagrad,adam,adamax,adamw,ftrl,lion,nadam,rmsprop,sgd" {
		t.Errorf("unknown optimizer: %v", err)
	}
	bad := []struct {
		o            interface{ Err() error }
		call, option string
		msg          string
	}{
		{optimizers.Adam(optimizers.LearningRate(-1)), "adam", "learning_rate", "must be >= 0"},
		{optimizers.RMSprop(optimizers.Rho(1)), "rmsprop", "rho", "must be in [0, 1)"},
		{optimizers.RMSprop(optimizers.Momentum(-0.1)), "rmsprop", "momentum", "must be in [0, 1)"},
		{optimizers.RMSprop(optimizers.Epsilon(-1)), "rmsprop", "epsilon", "must be >= 0"},
		{optimizers.SGD(optimizers.Momentum(1.5)), "sgd", "momentum", "must be in [0, 1]"},
		{optimizers.Adam(optimizers.Beta1(1.5)), "adam", "beta_1", "must be in [0, 1)"},
		{optimizers.AdamW(optimizers.Beta2(1)), "adamw", "beta_2", "must be in [0, 1)"},
		{optimizers.AdamW(optimizers.WeightDecay(-0.1)), "adamw", "weight_decay", "must be >= 0"},
		{optimizers.Adagrad(optimizers.InitialAccumulatorValue(-1)), "adagrad", "initial_accumulator_value", "must be >= 0"},
		{optimizers.Adadelta(optimizers.Rho(-0.5)), "adadelta", "rho", "must be in [0, 1)"},
		{optimizers.Adamax(optimizers.Beta2(2)), "adamax", "beta_2", "must be in [0, 1)"},
		{optimizers.Nadam(optimizers.Beta1(-1)), "nadam", "beta_1", "must be in [0, 1)"},
		{optimizers.Ftrl(optimizers.LearningRatePower(0.5)), "ftrl", "learning_rate_power", "must be <= 0"},
		{optimizers.Ftrl(optimizers.L1RegularizationStrength(-1)), "ftrl", "l1_regularization_strength", "must be >= 0"},
		{optimizers.Ftrl(optimizers.LearningRate(0)), "ftrl", "learning_rate", "must be > 0"},
		{optimizers.Lion(optimizers.Beta1(0)), "lion", "beta_1", "must be in (0, 1]"},
		{optimizers.SGD(optimizers.LearningRate(math.NaN())), "sgd", "learning_rate", "must be finite"},
		{optimizers.SGD(optimizers.Clipnorm(1), optimizers.Clipvalue(1)), "sgd", "clipnorm, clipvalue, global_clipnorm", "only one of them can be set"},
		{optimizers.SGD(optimizers.Clipvalue(-1)), "sgd", "clipvalue", "must be >= 0"},
		{optimizers.SGD(optimizers.LearningRateSchedule(optimizers.ExponentialDecay(0.1, 0, 0.5))), "ExponentialDecay", "decay_steps", "must be > 0"},
		{optimizers.ExponentialDecay(0.1, 10, -0.5), "ExponentialDecay", "decay_rate", "must be a finite number >= 0"},
		{optimizers.InverseTimeDecay(-1, 10, 0.5), "InverseTimeDecay", "initial_learning_rate", "must be a finite number >= 0"},
		{optimizers.CosineDecay(0.1, 10, optimizers.Alpha(2)), "CosineDecay", "alpha", "must be in [0, 1]"},
		{optimizers.CosineDecay(0.1, 10, optimizers.WarmupSteps(-1)), "CosineDecay", "warmup_steps", "must be >= 0"},
		{optimizers.PiecewiseConstantDecay([]int64{1, 2}, []float64{1}), "PiecewiseConstantDecay", "values", "2 boundaries need 3 values, got 1"},
		{optimizers.PiecewiseConstantDecay([]int64{2, 2}, []float64{1, 2, 3}), "PiecewiseConstantDecay", "boundaries", "must increase strictly"},
	}
	for _, b := range bad {
		err := b.o.Err()
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Call != b.call || oe.Option != b.option || oe.Msg != b.msg || !strings.HasPrefix(err.Error(), "optimizers: ") {
			t.Errorf("error = %v (%+v), want an OptionError for %s %s: %s", err, oe, b.call, b.option, b.msg)
		}
	}
	// The messages name the optimizer, the keyword, the value and the rule.
	for err, want := range map[error]string{
		optimizers.Adam(optimizers.Beta1(1.5)).Err():                          "optimizers: adam: beta_1 = 1.5: must be in [0, 1)",
		optimizers.SGD(optimizers.Clipnorm(1), optimizers.Clipvalue(2)).Err(): "optimizers: sgd: clipnorm, clipvalue, global_clipnorm = clipnorm=1, clipvalue=2: only one of them can be set",
	} {
		if err == nil || err.Error() != want {
			t.Errorf("message %v, want %q", err, want)
		}
	}
	if err := optimizers.SGD(optimizers.LearningRateSchedule(nil)).Err(); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("nil schedule: %v", err)
	}

	// Configs: out-of-range, unknown and mistyped parameters.
	for _, c := range []struct {
		name, params, option, msg string
	}{
		{"adam", `{"beta_1": 2}`, "beta_1", "must be in [0, 1)"},
		{"sgd", `{"rho": 0.5}`, "rho", "unknown parameter (sgd takes learning_rate, clipnorm, clipvalue, global_clipnorm, weight_decay, momentum, nesterov)"},
		{"adam", `{"amsgrad": "yes"}`, "amsgrad", "must be true or false"},
		{"sgd", `{"nesterov": 2}`, "nesterov", "must be true or false (older files: 0 or 1)"},
		{"ftrl", `{"beta": "big"}`, "beta", "must be a number"},
	} {
		_, err := optimizers.FromConfig(optimizers.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	_, err = optimizers.FromConfig(optimizers.Config{Name: "sgd", Schedule: &optimizers.ScheduleConfig{Name: "Linear"}})
	if !errors.As(err, &un) || un.Kind != "learning-rate schedule" || strings.Join(un.Known, ",") != "CosineDecay,ExponentialDecay,InverseTimeDecay,PiecewiseConstantDecay" {
		t.Errorf("unknown schedule: %v", err)
	}
	if strings.Contains(err.Error(), "optimizers.Register") {
		t.Errorf("unknown schedule suggests optimizers.Register: %v", err)
	}
	_, err = optimizers.FromConfig(optimizers.Config{Name: "sgd", Schedule: &optimizers.ScheduleConfig{Name: "CosineDecay",
		Params: json.RawMessage(`{"initial_learning_rate": 0.1, "decay_steps": 10, "staircase": true}`)}})
	var oe *kerrors.OptionError
	if !errors.As(err, &oe) || oe.Option != "staircase" || oe.Call != "CosineDecay" {
		t.Errorf("CosineDecay with staircase: %v", err)
	}

	// Resolve takes a name or an Optimizer, nothing else.
	if o, err := optimizers.Resolve("Adam"); err != nil || o.Name() != "adam" {
		t.Errorf("Resolve(Adam) = %v, %v", o, err)
	}
	if _, err := optimizers.Resolve(3.5); !errors.As(err, &oe) || oe.Option != "optimizer" || oe.Value != "float64" {
		t.Errorf("Resolve(3.5) = %v", err)
	}
	if _, err := optimizers.Resolve(nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Resolve(nil) = %v", err)
	}

	o := optimizers.SGD()
	if err := o.SetLearningRate(-0.1); !errors.As(err, &oe) || oe.Option != "learning_rate" {
		t.Errorf("SetLearningRate(-0.1) = %v", err)
	}
	if err := o.SetLearningRate(0.5); err != nil || o.LearningRate() != 0.5 || o.Params().LearningRate != 0.5 {
		t.Errorf("SetLearningRate(0.5): %v, %v", err, o.LearningRate())
	}
	v, _ := backend.NewVariable("w", tensor.Float64, []int{3}, true)
	if err := optimizers.Adam(optimizers.Beta1(2)).Apply([]*backend.Variable{v}); !errors.As(err, &oe) {
		t.Errorf("Apply of an invalid optimizer: %v", err)
	}
}

// TestLegacyConfigs loads optimizer configs as files written before the
// hyperparameters were typed hold them: booleans as 0 or 1, and
// PiecewiseConstantDecay's boundaries and values beside its params.
func TestLegacyConfigs(t *testing.T) {
	cases := []struct {
		json string
		want optimizers.Optimizer
	}{
		{`{"name":"sgd","params":{"learning_rate":0.1,"momentum":0.5,"nesterov":1}}`,
			optimizers.SGD(optimizers.LearningRate(0.1), optimizers.Momentum(0.5), optimizers.Nesterov(true))},
		{`{"name":"rmsprop","params":{"centered":1,"epsilon":1e-07,"learning_rate":0.001,"momentum":0,"rho":0.9}}`,
			optimizers.RMSprop(optimizers.Centered(true))},
		{`{"name":"adam","params":{"amsgrad":0,"beta_1":0.8,"beta_2":0.999,"clipnorm":1,"epsilon":1e-07},` +
			`"learning_rate_schedule":{"class_name":"ExponentialDecay","params":{"decay_rate":0.5,"decay_steps":2,"initial_learning_rate":0.1,"staircase":1}}}`,
			optimizers.Adam(optimizers.Beta1(0.8), optimizers.Clipnorm(1),
				optimizers.LearningRateSchedule(optimizers.ExponentialDecay(0.1, 2, 0.5, optimizers.Staircase(true))))},
		{`{"name":"sgd","params":{"momentum":0,"nesterov":0},"learning_rate_schedule":{"class_name":"PiecewiseConstantDecay","boundaries":[0,1],"values":[1,0.5,0.25]}}`,
			optimizers.SGD(optimizers.LearningRateSchedule(optimizers.PiecewiseConstantDecay([]int64{0, 1}, []float64{1, 0.5, 0.25})))},
	}
	for _, c := range cases {
		var cfg optimizers.Config
		if err := json.Unmarshal([]byte(c.json), &cfg); err != nil {
			t.Fatal(err)
		}
		o, err := optimizers.FromConfig(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		got, _ := json.Marshal(o.(optimizers.Configurable).Config())
		want, _ := json.Marshal(c.want.(optimizers.Configurable).Config())
		if string(got) != string(want) {
			t.Errorf("legacy %s\nloads as %s\nwant     %s", c.json, got, want)
		}
		compare(t, c.json, run(t, o, tensor.Float64), run(t, c.want, tensor.Float64), 0)
	}
}

// TestOptionsCompileChecked: options an optimizer or schedule does not
// take do not compile (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

// nonNeg is a test constraint: it clips negative weights to 0.
type nonNeg struct{ calls int }

func (c *nonNeg) Constrain(v *backend.Variable) {
	c.calls++
	d := v.Value().Data().([]float64)
	for i := range d {
		d[i] = math.Max(0, d[i])
	}
}

// TestConstraintAfterStep checks that every optimizer applies a variable's
// constraint right after updating it.
func TestConstraintAfterStep(t *testing.T) {
	for _, c := range stepCases() {
		v, _ := backend.NewVariable("w", tensor.Float64, []int{3}, true)
		if err := v.SetFloat64s(w0); err != nil {
			t.Fatal(err)
		}
		con := &nonNeg{}
		v.SetConstraint(con)
		setGrad(v, grads[0])
		if err := c.opt().Apply([]*backend.Variable{v}); err != nil {
			t.Fatal(err)
		}
		want := c.want[0]
		for i, w := range v.Float64s() {
			if math.Abs(w-math.Max(0, want[i])) > 1e-14 {
				t.Errorf("%s: weight %d = %v after the constraint, want %v", c.name, i, w, math.Max(0, want[i]))
			}
		}
		if con.calls != 1 {
			t.Errorf("%s: constraint called %d times", c.name, con.calls)
		}
	}
}

// TestNoAllocations checks that a step allocates nothing once the slots
// exist.
func TestNoAllocations(t *testing.T) {
	for _, c := range stepCases() {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			v, _ := backend.NewVariable("w", dt, []int{64}, true)
			o := c.opt()
			vars := []*backend.Variable{v}
			if err := o.Apply(vars); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(10, func() { _ = o.Apply(vars) }); n != 0 {
				t.Errorf("%s %v: %v allocations per step", c.name, dt, n)
			}
		}
	}
}

func ExampleAdam() {
	opt := optimizers.Adam(optimizers.LearningRate(1e-4))
	fmt.Println(opt.Name(), opt.LearningRate(), opt.Params().Epsilon)
	// Output: adam 0.0001 1e-07
}

func ExampleKeras2Defaults() {
	// The R mnist_cnn example's optimizer_adadelta() meant lr = 1.0.
	opt := optimizers.Adadelta(optimizers.Keras2Defaults())
	fmt.Println(opt.Name(), opt.LearningRate())
	// Output: adadelta 1
}

func ExampleExponentialDecay() {
	lr := optimizers.ExponentialDecay(0.1, 1000, 0.5, optimizers.Staircase(true))
	opt := optimizers.SGD(optimizers.LearningRateSchedule(lr))
	fmt.Println(opt.LearningRate(), lr.Rate(999), lr.Rate(1000), lr.Rate(2500))
	// Output: 0.1 0.1 0.05 0.025
}

func ExampleGet() {
	opt, err := optimizers.Get("nadam")
	fmt.Println(opt.Name(), opt.LearningRate(), err)
	_, err = optimizers.Get("adamm")
	fmt.Println(err)
	// Output:
	// nadam 0.001 <nil>
	// optimizers: unknown optimizer "adamm" (known: adadelta, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd); register it with optimizers.Register
}
