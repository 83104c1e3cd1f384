package optimizers_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

var (
	w0    = []float64{1, -2, 0.5}
	grads = [][]float64{{0.5, -1, 0.25}, {0.1, 0.2, -0.3}, {-0.4, 0.3, 0.05}}
)

// run applies three steps of o to a copy of w0 in the given dtype and
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
		switch d := v.Grad().Data().(type) {
		case []float64:
			copy(d, g)
		case []float32:
			for i := range g {
				d[i] = float32(g[i])
			}
		}
		if err := o.Apply([]*backend.Variable{v}); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.Float64s())
	}
	if o.Iterations() != 3 {
		t.Errorf("Iterations() = %d, want 3", o.Iterations())
	}
	return out
}

// The references below restate each update rule one scalar at a time, as
// written in Keras 3's optimizer sources.

func refSGD(lr, mu float64, nesterov bool) [][]float64 {
	w := append([]float64(nil), w0...)
	m := make([]float64, 3)
	var out [][]float64
	for _, g := range grads {
		for i := range w {
			if mu == 0 {
				w[i] = w[i] - lr*g[i]
				continue
			}
			m[i] = mu*m[i] - lr*g[i]
			if nesterov {
				w[i] = w[i] + mu*m[i] - lr*g[i]
			} else {
				w[i] = w[i] + m[i]
			}
		}
		out = append(out, append([]float64(nil), w...))
	}
	return out
}

func refRMSprop(lr, rho, mu, eps float64, centered bool) [][]float64 {
	w := append([]float64(nil), w0...)
	vel, mom, avg := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	var out [][]float64
	for _, g := range grads {
		for i := range w {
			vel[i] = rho*vel[i] + (1-rho)*g[i]*g[i]
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
		out = append(out, append([]float64(nil), w...))
	}
	return out
}

func refAdam(lr, b1, b2, eps float64, amsgrad bool) [][]float64 {
	w := append([]float64(nil), w0...)
	m, v, vmax := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	var out [][]float64
	for step, g := range grads {
		t := float64(step + 1)
		alpha := lr * math.Sqrt(1-math.Pow(b2, t)) / (1 - math.Pow(b1, t))
		for i := range w {
			m[i] = m[i] + (g[i]-m[i])*(1-b1)
			v[i] = v[i] + (g[i]*g[i]-v[i])*(1-b2)
			den := v[i]
			if amsgrad {
				vmax[i] = math.Max(vmax[i], v[i])
				den = vmax[i]
			}
			w[i] -= alpha * m[i] / (math.Sqrt(den) + eps)
		}
		out = append(out, append([]float64(nil), w...))
	}
	return out
}

func TestStepsMatchFormulas(t *testing.T) {
	cases := []struct {
		name string
		opt  func() optimizers.Optimizer
		want [][]float64
	}{
		{"sgd", func() optimizers.Optimizer { return optimizers.SGD() }, refSGD(0.01, 0, false)},
		{"sgd_momentum", func() optimizers.Optimizer { return optimizers.SGD(optimizers.Momentum(0.9)) }, refSGD(0.01, 0.9, false)},
		{"sgd_nesterov", func() optimizers.Optimizer {
			return optimizers.SGD(optimizers.LearningRate(0.1), optimizers.Momentum(0.5), optimizers.Nesterov(true))
		}, refSGD(0.1, 0.5, true)},
		{"rmsprop", func() optimizers.Optimizer { return optimizers.RMSprop() }, refRMSprop(0.001, 0.9, 0, 1e-7, false)},
		{"rmsprop_centered_momentum", func() optimizers.Optimizer {
			return optimizers.RMSprop(optimizers.Centered(true), optimizers.Momentum(0.5), optimizers.Rho(0.8))
		}, refRMSprop(0.001, 0.8, 0.5, 1e-7, true)},
		{"adam", func() optimizers.Optimizer { return optimizers.Adam() }, refAdam(0.001, 0.9, 0.999, 1e-7, false)},
		{"adam_amsgrad", func() optimizers.Optimizer {
			return optimizers.Adam(optimizers.Amsgrad(true), optimizers.LearningRate(0.01))
		}, refAdam(0.01, 0.9, 0.999, 1e-7, true)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.opt(), tensor.Float64)
			for s := range got {
				for i := range got[s] {
					if math.Abs(got[s][i]-c.want[s][i]) > 1e-15*math.Max(1, math.Abs(c.want[s][i])) {
						t.Errorf("step %d, weight %d: %.17g, want %.17g", s+1, i, got[s][i], c.want[s][i])
					}
				}
			}
			got32 := run(t, c.opt(), tensor.Float32)
			for s := range got32 {
				for i := range got32[s] {
					if math.Abs(got32[s][i]-c.want[s][i]) > 1e-6*math.Max(1, math.Abs(c.want[s][i])) {
						t.Errorf("float32 step %d, weight %d: %v, want %v", s+1, i, got32[s][i], c.want[s][i])
					}
				}
			}
		})
	}
}

// TestFirstStepsByHand pins numbers worked out on paper, independent of the
// reference functions above.
func TestFirstStepsByHand(t *testing.T) {
	// SGD: 1 - 0.01*0.5 = 0.995.
	if got := run(t, optimizers.SGD(), tensor.Float64)[0][0]; got != 0.995 {
		t.Errorf("sgd step 1: %v, want 0.995", got)
	}
	// Adam step 1: m = 0.05, v = 0.00025, alpha = 0.001*sqrt(0.001)/0.1,
	// w = 1 - alpha*0.05/(sqrt(0.00025)+1e-7) = 0.99900000632...
	want := 1 - 0.001*math.Sqrt(0.001)/0.1*0.05/(math.Sqrt(0.00025)+1e-7)
	if got := run(t, optimizers.Adam(), tensor.Float64)[0][0]; math.Abs(got-want) > 1e-15 || math.Abs(got-0.999000006) > 1e-9 {
		t.Errorf("adam step 1: %.12g, want %.12g", got, want)
	}
	// RMSprop step 1: v = 0.1*0.25 = 0.025, w = 1 - 0.001*0.5/sqrt(0.025+1e-7).
	want = 1 - 0.001*0.5/math.Sqrt(0.025+1e-7)
	if got := run(t, optimizers.RMSprop(), tensor.Float64)[0][0]; math.Abs(got-want) > 1e-15 {
		t.Errorf("rmsprop step 1: %.12g, want %.12g", got, want)
	}
}

func TestDefaultsAndErrors(t *testing.T) {
	for name, lr := range map[string]float64{"sgd": 0.01, "rmsprop": 0.001, "adam": 0.001, "Adam": 0.001} {
		o, err := optimizers.Get(name)
		if err != nil || o.LearningRate() != lr {
			t.Errorf("%s: %v, lr %v; want lr %v", name, err, o, lr)
		}
	}
	if _, err := optimizers.Get("adamm"); err == nil || !strings.Contains(err.Error(), "known: adam, rmsprop, sgd") {
		t.Errorf("unknown optimizer error = %v", err)
	}
	bad := []struct {
		o    interface{ Err() error }
		want string
	}{
		{optimizers.Adam(optimizers.LearningRate(-1)), "learning_rate must be >= 0, got -1"},
		{optimizers.RMSprop(optimizers.Rho(1)), "rho must be in [0, 1), got 1"},
		{optimizers.Adam(optimizers.Beta1(1.5)), "beta_1 must be in [0, 1), got 1.5"},
		{optimizers.SGD(optimizers.Rho(0.5)), `sgd has no option "rho"`},
		{optimizers.SGD(optimizers.LearningRate(math.NaN())), "learning_rate = NaN"},
	}
	for _, b := range bad {
		if err := b.o.Err(); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("error = %v, want it to contain %q", err, b.want)
		}
	}
	o := optimizers.SGD()
	if err := o.SetLearningRate(-0.1); err == nil {
		t.Error("SetLearningRate(-0.1) should fail")
	}
	if err := o.SetLearningRate(0.5); err != nil || o.LearningRate() != 0.5 {
		t.Errorf("SetLearningRate(0.5): %v, %v", err, o.LearningRate())
	}
}

func ExampleAdam() {
	opt := optimizers.Adam(optimizers.LearningRate(1e-4))
	fmt.Println(opt.Name(), opt.LearningRate(), opt.Config().Params["epsilon"])
	// Output: adam 0.0001 1e-07
}
