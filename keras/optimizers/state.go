package optimizers

import (
	"math"
	"sort"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// State is an optimizer's training state: what must be saved, beside the
// weights and the hyperparameters (Config), for training to resume exactly
// where it stopped. StateOf captures it and RestoreState puts it back, for
// every optimizer built on this package's shared state (which must
// therefore hold all of an optimizer's mutable state: the learning rate,
// the step count and the per-variable slots); user-defined optimizers can
// implement Stateful.
type State struct {
	// Name is the optimizer's Keras name ("adam").
	Name string `json:"name"`
	// Iterations is the number of steps applied so far.
	Iterations int64 `json:"iterations"`
	// LearningRate is the current learning rate (a callback may have
	// changed it since the optimizer was built).
	LearningRate float64 `json:"learning_rate"`
	// Slots holds each variable's state buffers (momentum, moving
	// averages), keyed by the variable's name, in the order the optimizer
	// uses them; each buffer is row-major and as long as the variable.
	// It is empty before the first step.
	Slots map[string][][]float64 `json:"slots,omitempty"`
	// Partial is true when the slots could not be captured: the optimizer
	// is neither built on this package's shared state nor Stateful.
	Partial bool `json:"partial,omitempty"`
}

// Stateful is implemented by user-defined optimizers that keep per-step
// state, so that StateOf and RestoreState can save and restore it. The
// optimizers of this package do not need it: their state lives in a
// shared structure that StateOf reads directly.
type Stateful interface {
	// OptimizerState returns a copy of the optimizer's state.
	OptimizerState() (State, error)
	// RestoreOptimizerState replaces the state; vars are the model's
	// variables, whose names key State.Slots. On error nothing changes.
	RestoreOptimizerState(s State, vars []*backend.Variable) error
}

// withBase is implemented by every optimizer that embeds base.
type withBase interface {
	optimizerBase() *base
}

func (b *base) optimizerBase() *base { return b }

// StateOf returns a copy of o's state: of every variable it has stepped,
// or, when vars are given, of those only (an optimizer value shared by two
// models holds slots for both). It works for every optimizer of this
// package (and any other built on the same shared state), and for
// user-defined optimizers that implement Stateful; for other optimizers
// it captures the iterations and learning rate and sets Partial.
func StateOf(o Optimizer, vars ...*backend.Variable) (State, error) {
	if o == nil {
		return State{}, errors.New("optimizers: StateOf: nil optimizer")
	}
	if s, ok := o.(Stateful); ok {
		st, err := s.OptimizerState()
		return st, errors.Wrapf(err, "optimizers: %s: state", o.Name())
	}
	wb, ok := o.(withBase)
	if !ok {
		return State{Name: o.Name(), Iterations: o.Iterations(), LearningRate: o.LearningRate(), Partial: true}, nil
	}
	b := wb.optimizerBase()
	st := State{Name: o.Name(), Iterations: b.iters, LearningRate: b.lr}
	if len(b.slots) > 0 {
		st.Slots = make(map[string][][]float64, len(b.slots))
	}
	var only map[*backend.Variable]bool
	if len(vars) > 0 {
		only = make(map[*backend.Variable]bool, len(vars))
		for _, v := range vars {
			only[v] = true
		}
	}
	for v := range b.slots {
		if only != nil && !only[v] {
			continue
		}
		if _, dup := st.Slots[v.Name()]; dup {
			return State{}, errors.Errorf("optimizers: %s: two variables are named %q", o.Name(), v.Name())
		}
		st.Slots[v.Name()] = b.Slots(v)
	}
	return st, nil
}

// SlotNames returns the names of the variables that have slots in s,
// sorted.
func (s State) SlotNames() []string {
	names := make([]string, 0, len(s.Slots))
	for n := range s.Slots {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RestoreState replaces o's state with s. vars are the model's variables;
// s.Slots is matched to them by name. Everything is checked first (the
// optimizer's name, that every slot belongs to a trainable variable, has
// its size and finite values, and that each variable has as many slots as
// o uses); on error o is unchanged.
//
// Values are converted to each variable's dtype: float64 slots restored
// into a float32 model are rounded to the nearest float32. For an
// optimizer that is neither built on this package's shared state nor
// Stateful only the learning rate is restored.
func RestoreState(o Optimizer, s State, vars []*backend.Variable) error {
	if o == nil {
		return errors.New("optimizers: RestoreState: nil optimizer")
	}
	if s.Name != o.Name() {
		return errors.Errorf("optimizers: the state is for optimizer %q, this one is %q", s.Name, o.Name())
	}
	if s.Iterations < 0 {
		return errors.Errorf("optimizers: %s: iterations %d < 0", o.Name(), s.Iterations)
	}
	if s.LearningRate < 0 || math.IsNaN(s.LearningRate) || math.IsInf(s.LearningRate, 0) {
		return errors.Errorf("optimizers: %s: invalid learning rate %v", o.Name(), s.LearningRate)
	}
	if st, ok := o.(Stateful); ok {
		return errors.Wrapf(st.RestoreOptimizerState(s, vars), "optimizers: %s: restoring state", o.Name())
	}
	wb, ok := o.(withBase)
	if !ok {
		return o.SetLearningRate(s.LearningRate)
	}
	b := wb.optimizerBase()
	if s.Partial {
		return errors.Errorf("optimizers: %s: the state is partial (saved from an optimizer whose slots could not be read)", o.Name())
	}
	byName := make(map[string]*backend.Variable, len(vars))
	for _, v := range vars {
		if _, dup := byName[v.Name()]; dup {
			return errors.Errorf("optimizers: %s: two variables are named %q", o.Name(), v.Name())
		}
		byName[v.Name()] = v
	}
	slots := make(map[*backend.Variable][]slot, len(s.Slots))
	want := map[tensor.Dtype]int{}
	for _, name := range s.SlotNames() {
		bufs := s.Slots[name]
		v, ok := byName[name]
		switch {
		case !ok:
			return errors.Errorf("optimizers: %s: the state has slots for variable %q, which the model does not have", o.Name(), name)
		case !v.Trainable():
			return errors.Errorf("optimizers: %s: the state has slots for variable %q, which is not trainable", o.Name(), name)
		}
		n, ok := want[v.Dtype()]
		if !ok {
			var err error
			if n, err = slotCount(o, b, v.Dtype()); err != nil {
				return err
			}
			want[v.Dtype()] = n
		}
		if len(bufs) != n {
			return errors.Errorf("optimizers: %s: variable %q has %d slots in the state, the optimizer uses %d", o.Name(), name, len(bufs), n)
		}
		sl := make([]slot, n)
		for i, buf := range bufs {
			if len(buf) != v.Size() {
				return errors.Errorf("optimizers: %s: slot %d of variable %q has %d values, the variable has %d (shape %v)",
					o.Name(), i, name, len(buf), v.Size(), v.Shape())
			}
			switch v.Dtype() {
			case tensor.Float32:
				sl[i].f32 = make([]float32, len(buf))
				for j, x := range buf {
					sl[i].f32[j] = float32(x)
					if f := float64(sl[i].f32[j]); math.IsNaN(f) || math.IsInf(f, 0) {
						return errors.Errorf("optimizers: %s: slot %d of variable %q holds %v at position %d (as float32: %v)", o.Name(), i, name, x, j, f)
					}
				}
			default:
				for j, x := range buf {
					if math.IsNaN(x) || math.IsInf(x, 0) {
						return errors.Errorf("optimizers: %s: slot %d of variable %q holds %v at position %d", o.Name(), i, name, x, j)
					}
				}
				sl[i].f64 = append([]float64(nil), buf...)
			}
		}
		slots[v] = sl
	}
	b.slots, b.iters, b.lr = slots, s.Iterations, s.LearningRate
	return nil
}

// slotCount finds how many slots o keeps per variable of dtype dt by
// applying one step to a throw-away variable, then puts b back as it was.
// It works for any optimizer that keeps its state in base.
func slotCount(o Optimizer, b *base, dt tensor.Dtype) (n int, err error) {
	probe, err := backend.NewVariable("optimizers/slot_probe", dt, []int{1}, true)
	if err != nil {
		return 0, err
	}
	savedSlots, savedIters, savedLR := b.slots, b.iters, b.lr
	b.slots = nil
	b.parts = nil
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("optimizers: "+o.Name()+": probing its slots", r)
		}
		b.slots, b.iters, b.lr = savedSlots, savedIters, savedLR
	}()
	if err := o.Apply([]*backend.Variable{probe}); err != nil {
		return 0, errors.Wrapf(err, "optimizers: %s: probing its slots", o.Name())
	}
	return len(b.slots[probe]), nil
}
