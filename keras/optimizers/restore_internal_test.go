package optimizers

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
)

// TestStateIsSlotsAndIterations simulates what saving and restoring an
// optimizer does (copy slots, iters and lr into a fresh optimizer of the
// same kind) after two steps, and checks that the third step matches an
// uninterrupted run for every optimizer: no state hides outside base.
func TestStateIsSlotsAndIterations(t *testing.T) {
	makers := map[string]func() Optimizer{
		"sgd": func() Optimizer { return SGD(Momentum(0.9)) }, "rmsprop": func() Optimizer { return RMSprop(Centered(true), Momentum(0.5)) },
		"adam": func() Optimizer { return Adam(Amsgrad(true)) }, "adamw": func() Optimizer { return AdamW() },
		"adagrad": func() Optimizer { return Adagrad() }, "adadelta": func() Optimizer { return Adadelta() },
		"adamax": func() Optimizer { return Adamax() }, "nadam": func() Optimizer { return Nadam() },
		"ftrl": func() Optimizer { return Ftrl() }, "lion": func() Optimizer { return Lion() },
	}
	grads := [][]float64{{0.5, -1, 0.25}, {0.1, 0.2, -0.3}, {-0.4, 0.3, 0.05}}
	step := func(o Optimizer, v *backend.Variable, g []float64) {
		copy(v.Grad().Data().([]float64), g)
		if err := o.Apply([]*backend.Variable{v}); err != nil {
			t.Fatal(err)
		}
	}
	baseOf := func(o Optimizer) *base {
		switch x := o.(type) {
		case *SGDOptimizer:
			return &x.base
		case *RMSpropOptimizer:
			return &x.base
		case *AdamOptimizer:
			return &x.base
		case *AdamWOptimizer:
			return &x.base
		case *AdagradOptimizer:
			return &x.base
		case *AdadeltaOptimizer:
			return &x.base
		case *AdamaxOptimizer:
			return &x.base
		case *NadamOptimizer:
			return &x.base
		case *FtrlOptimizer:
			return &x.base
		case *LionOptimizer:
			return &x.base
		}
		t.Fatalf("unknown optimizer %T", o)
		return nil
	}
	for name, newOpt := range makers {
		a, _ := backend.NewVariable("w", tensor.Float64, []int{3}, true)
		_ = a.SetFloat64s([]float64{1, -2, 0.5})
		oa := newOpt()
		for _, g := range grads {
			step(oa, a, g)
		}

		b, _ := backend.NewVariable("w", tensor.Float64, []int{3}, true)
		_ = b.SetFloat64s([]float64{1, -2, 0.5})
		ob := newOpt()
		step(ob, b, grads[0])
		step(ob, b, grads[1])
		// "Save" ob's state and "restore" it into a fresh optimizer.
		oc := newOpt()
		src, dst := baseOf(ob), baseOf(oc)
		dst.iters, dst.lr = src.iters, src.lr
		dst.slots = map[*backend.Variable][]slot{}
		for v, ss := range src.slots {
			cp := make([]slot, len(ss))
			for i, s := range ss {
				cp[i].f64 = append([]float64(nil), s.f64...)
			}
			dst.slots[v] = cp
		}
		step(oc, b, grads[2])
		if fmt.Sprint(a.Float64s()) != fmt.Sprint(b.Float64s()) {
			t.Errorf("%s: restored run %v, uninterrupted %v", name, b.Float64s(), a.Float64s())
		}
	}
}
