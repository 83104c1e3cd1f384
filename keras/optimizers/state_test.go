package optimizers_test

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// twoVars returns a (2, 3) kernel and a (3) bias, plus a frozen (2)
// variable, with fixed values.
func twoVars(t *testing.T, dt tensor.Dtype) []*backend.Variable {
	t.Helper()
	var vars []*backend.Variable
	for i, spec := range []struct {
		name      string
		shape     []int
		trainable bool
	}{{"d/kernel", []int{2, 3}, true}, {"d/bias", []int{3}, true}, {"bn/mean", []int{2}, false}} {
		v, err := backend.NewVariable(spec.name, dt, spec.shape, spec.trainable)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]float64, v.Size())
		for j := range vals {
			vals[j] = math.Sin(float64(i*10+j)) * 0.7
		}
		_ = v.SetFloat64s(vals)
		vars = append(vars, v)
	}
	return vars
}

// step sets each trainable variable's gradient from k and applies o.
func step(t *testing.T, o optimizers.Optimizer, vars []*backend.Variable, k int) {
	t.Helper()
	for i, v := range vars {
		if !v.Trainable() {
			continue
		}
		switch d := v.Grad().Data().(type) {
		case []float32:
			for j := range d {
				d[j] = float32(math.Cos(float64(k*7+i*3+j)) * 0.3)
			}
		case []float64:
			for j := range d {
				d[j] = math.Cos(float64(k*7+i*3+j)) * 0.3
			}
		}
	}
	if err := o.Apply(vars); err != nil {
		t.Fatal(err)
	}
}

func bits(vars []*backend.Variable) string {
	var b strings.Builder
	for _, v := range vars {
		switch d := v.Value().Data().(type) {
		case []float32:
			for _, x := range d {
				fmt.Fprintf(&b, "%08x ", math.Float32bits(x))
			}
		case []float64:
			for _, x := range d {
				fmt.Fprintf(&b, "%016x ", math.Float64bits(x))
			}
		}
	}
	return b.String()
}

// configs gives each registered optimizer in its default form and, for
// some, a variant that uses more slots.
func configs() []optimizers.Config {
	var cs []optimizers.Config
	for _, n := range optimizers.Names() {
		cs = append(cs, optimizers.Config{Name: n})
	}
	return append(cs,
		optimizers.Config{Name: "sgd", Params: json.RawMessage(`{"momentum": 0.9, "nesterov": true}`)},
		optimizers.Config{Name: "rmsprop", Params: json.RawMessage(`{"momentum": 0.5, "centered": true}`)},
		optimizers.Config{Name: "adam", Params: json.RawMessage(`{"amsgrad": true}`)},
	)
}

// TestStateRoundTrip: for every registered optimizer, state captured
// after two steps and restored into a fresh optimizer over copies of the
// variables makes the third step identical, bit for bit.
func TestStateRoundTrip(t *testing.T) {
	for _, c := range configs() {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s%s_%v", c.Name, c.Params, dt), func(t *testing.T) {
				a, err := optimizers.FromConfig(c)
				if err != nil {
					t.Fatal(err)
				}
				va := twoVars(t, dt)
				step(t, a, va, 1)
				_ = a.SetLearningRate(a.LearningRate() * 0.5) // as a callback might
				step(t, a, va, 2)
				st, err := optimizers.StateOf(a, va...)
				if err != nil {
					t.Fatal(err)
				}
				if st.Name != a.Name() || st.Iterations != 2 || st.LearningRate != a.LearningRate() || st.Partial {
					t.Fatalf("state %+v", st)
				}
				if _, ok := st.Slots["bn/mean"]; ok {
					t.Fatal("slots for a frozen variable")
				}
				b, _ := optimizers.FromConfig(c)
				vb := twoVars(t, dt)
				for i := range va {
					_ = vb[i].SetFloat64s(va[i].Float64s())
				}
				if err := optimizers.RestoreState(b, st, vb); err != nil {
					t.Fatal(err)
				}
				if b.Iterations() != 2 || b.LearningRate() != a.LearningRate() {
					t.Fatalf("restored iterations %d lr %v", b.Iterations(), b.LearningRate())
				}
				again, _ := optimizers.StateOf(b, vb...)
				if !reflect.DeepEqual(again, st) {
					t.Fatal("StateOf after RestoreState differs")
				}
				step(t, a, va, 3)
				step(t, b, vb, 3)
				if bits(va) != bits(vb) {
					t.Fatal("the step after restoring differs")
				}
			})
		}
	}
}

// TestRestoreStateRefusesBadState: every inconsistency is an error naming
// it, and the optimizer is unchanged after it.
func TestRestoreStateRefusesBadState(t *testing.T) {
	vars := twoVars(t, tensor.Float32)
	o := optimizers.Adam()
	step(t, o, vars, 1)
	good, _ := optimizers.StateOf(o, vars...)
	edit := func(f func(s *optimizers.State)) optimizers.State {
		s := good
		s.Slots = map[string][][]float64{}
		for k, v := range good.Slots {
			bufs := make([][]float64, len(v))
			for i := range v {
				bufs[i] = append([]float64(nil), v[i]...)
			}
			s.Slots[k] = bufs
		}
		f(&s)
		return s
	}
	cases := []struct {
		state optimizers.State
		want  string
	}{
		{edit(func(s *optimizers.State) { s.Name = "sgd" }), `the state is for optimizer "sgd", this one is "adam"`},
		{edit(func(s *optimizers.State) { s.Iterations = -1 }), "iterations -1 < 0"},
		{edit(func(s *optimizers.State) { s.LearningRate = math.NaN() }), "invalid learning rate NaN"},
		{edit(func(s *optimizers.State) { s.Slots["x/kernel"] = s.Slots["d/bias"] }), `slots for variable "x/kernel", which the model does not have`},
		{edit(func(s *optimizers.State) { s.Slots["bn/mean"] = [][]float64{{0, 0}, {0, 0}} }), `"bn/mean", which is not trainable`},
		{edit(func(s *optimizers.State) { s.Slots["d/bias"] = s.Slots["d/bias"][:1] }), `variable "d/bias" has 1 slots in the state, the optimizer uses 2`},
		{edit(func(s *optimizers.State) { s.Slots["d/bias"][1] = []float64{1} }), `slot 1 of variable "d/bias" has 1 values, the variable has 3`},
		{edit(func(s *optimizers.State) { s.Slots["d/kernel"][0][4] = math.Inf(-1) }), `slot 0 of variable "d/kernel" holds -Inf at position 4`},
		{edit(func(s *optimizers.State) { s.Slots["d/kernel"][0][2] = 1e300 }), "(as float32: +Inf)"},
		{edit(func(s *optimizers.State) { s.Partial = true }), "the state is partial"},
	}
	before := bits(vars)
	for _, c := range cases {
		err := optimizers.RestoreState(o, c.state, vars)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
		now, _ := optimizers.StateOf(o, vars...)
		if !reflect.DeepEqual(now, good) || bits(vars) != before {
			t.Fatalf("a refused state (%v) changed the optimizer", err)
		}
	}
	if err := optimizers.RestoreState(nil, good, vars); err == nil {
		t.Error("nil optimizer")
	}
	if _, err := optimizers.StateOf(nil); err == nil {
		t.Error("StateOf(nil)")
	}
}

// plain is a user-defined optimizer that is not built on the package's
// shared state.
type plain struct {
	lr    float64
	iters int64
}

func (p *plain) Name() string                     { return "plain" }
func (p *plain) LearningRate() float64            { return p.lr }
func (p *plain) SetLearningRate(lr float64) error { p.lr = lr; return nil }
func (p *plain) Iterations() int64                { return p.iters }
func (p *plain) Apply([]*backend.Variable) error  { p.iters++; return nil }

// stateful is one that implements Stateful.
type stateful struct {
	plain
	restored *optimizers.State
}

func (s *stateful) Name() string { return "stateful" }
func (s *stateful) OptimizerState() (optimizers.State, error) {
	return optimizers.State{Name: "stateful", Iterations: s.iters, LearningRate: s.lr, Slots: map[string][][]float64{"w": {{1}}}}, nil
}
func (s *stateful) RestoreOptimizerState(st optimizers.State, _ []*backend.Variable) error {
	s.restored = &st
	return nil
}

func TestStateOfUserOptimizers(t *testing.T) {
	p := &plain{lr: 0.1, iters: 5}
	st, err := optimizers.StateOf(p)
	if err != nil || !st.Partial || st.Iterations != 5 || st.LearningRate != 0.1 {
		t.Fatalf("%+v %v", st, err)
	}
	st.LearningRate = 0.2
	if err := optimizers.RestoreState(p, st, nil); err != nil || p.lr != 0.2 {
		t.Fatalf("partial restore: %v, lr %v", err, p.lr)
	}
	s := &stateful{plain: plain{lr: 0.3, iters: 2}}
	st, err = optimizers.StateOf(s)
	if err != nil || st.Partial || len(st.Slots["w"]) != 1 {
		t.Fatalf("%+v %v", st, err)
	}
	if err := optimizers.RestoreState(s, st, nil); err != nil || s.restored == nil || s.restored.Iterations != 2 {
		t.Fatalf("Stateful restore: %v", err)
	}
}

// TestStateOfSharedOptimizer: an optimizer value used by two sets of
// variables reports only those asked for.
func TestStateOfSharedOptimizer(t *testing.T) {
	o := optimizers.RMSprop()
	a := twoVars(t, tensor.Float64)
	b := twoVars(t, tensor.Float64) // the same names: another model
	step(t, o, a, 1)
	step(t, o, b, 1)
	if _, err := optimizers.StateOf(o); err == nil || !strings.Contains(err.Error(), "two variables are named") {
		t.Errorf("StateOf over clashing names: %v", err)
	}
	st, err := optimizers.StateOf(o, b...)
	if err != nil || len(st.Slots) != 2 {
		t.Fatalf("%v, %d slot lists", err, len(st.Slots))
	}
	if got := st.SlotNames(); fmt.Sprint(got) != "[d/bias d/kernel]" {
		t.Errorf("SlotNames %v", got)
	}
}
