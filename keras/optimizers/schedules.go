package optimizers

import (
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Schedule gives the learning rate as a function of the optimizer's step
// count (Keras: LearningRateSchedule). Pass one to LearningRate; the
// optimizer evaluates it at Iterations() (0 for the first step) before
// every step, as Keras does.
type Schedule interface {
	// Rate returns the learning rate for the given step (>= 0).
	Rate(step int64) float64
	// Config returns the schedule's serialisable form.
	Config() ScheduleConfig
}

// ScheduleConfig is the serialisable form of a schedule: its Keras class
// name and parameters.
type ScheduleConfig struct {
	Name       string             `json:"class_name"`
	Params     map[string]float64 `json:"params,omitempty"`
	Boundaries []int64            `json:"boundaries,omitempty"`
	Values     []float64          `json:"values,omitempty"`
}

// ScheduleFromConfig rebuilds a built-in schedule from its serialisable
// form. An unknown name gives an error listing the known ones.
func ScheduleFromConfig(c ScheduleConfig) (Schedule, error) {
	p := func(k string) float64 { return c.Params[k] }
	var s interface {
		Schedule
		Err() error
	}
	switch c.Name {
	case "ExponentialDecay":
		s = ExponentialDecay(p("initial_learning_rate"), int64(p("decay_steps")), p("decay_rate"), Staircase(p("staircase") != 0))
	case "InverseTimeDecay":
		s = InverseTimeDecay(p("initial_learning_rate"), int64(p("decay_steps")), p("decay_rate"), Staircase(p("staircase") != 0))
	case "CosineDecay":
		opts := []ScheduleOption{Alpha(p("alpha")), WarmupSteps(int64(p("warmup_steps")))}
		if t, ok := c.Params["warmup_target"]; ok {
			opts = append(opts, WarmupTarget(t))
		}
		s = CosineDecay(p("initial_learning_rate"), int64(p("decay_steps")), opts...)
	case "PiecewiseConstantDecay":
		s = PiecewiseConstantDecay(c.Boundaries, c.Values)
	default:
		known := []string{"CosineDecay", "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay"}
		sort.Strings(known)
		return nil, errors.Errorf("optimizers: unknown learning-rate schedule %q (known: %s)", c.Name, strings.Join(known, ", "))
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// ScheduleOption sets an optional parameter of a schedule; a schedule
// given an option it does not have reports it in Err.
type ScheduleOption func(*scheduleOpts)

type scheduleOpts struct {
	given        []string
	staircase    bool
	alpha        float64
	warmupTarget *float64
	warmupSteps  int64
}

// Staircase makes ExponentialDecay and InverseTimeDecay decay at discrete
// intervals (step / decay_steps rounded down; default false).
func Staircase(b bool) ScheduleOption {
	return func(o *scheduleOpts) { o.given = append(o.given, "staircase"); o.staircase = b }
}

// Alpha sets CosineDecay's floor as a fraction of the decayed-from rate
// (default 0, in [0, 1]).
func Alpha(a float64) ScheduleOption {
	return func(o *scheduleOpts) { o.given = append(o.given, "alpha"); o.alpha = a }
}

// WarmupTarget turns on CosineDecay's linear warmup from the initial
// learning rate to target over WarmupSteps steps (default: no warmup).
func WarmupTarget(target float64) ScheduleOption {
	return func(o *scheduleOpts) { o.given = append(o.given, "warmup_target"); o.warmupTarget = &target }
}

// WarmupSteps sets the length of CosineDecay's warmup in steps (default 0).
func WarmupSteps(n int64) ScheduleOption {
	return func(o *scheduleOpts) { o.given = append(o.given, "warmup_steps"); o.warmupSteps = n }
}

func scheduleOptions(name string, opts []ScheduleOption, allowed ...string) (scheduleOpts, error) {
	var o scheduleOpts
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	for _, g := range o.given {
		ok := false
		for _, a := range allowed {
			ok = ok || a == g
		}
		if !ok {
			return o, errors.Errorf("optimizers: %s has no option %q (it has: %s)", name, g, strings.Join(allowed, ", "))
		}
	}
	return o, nil
}

func checkSchedule(name string, initial float64, decaySteps int64) error {
	if initial < 0 || math.IsNaN(initial) || math.IsInf(initial, 0) {
		return errors.Errorf("optimizers: %s: initial_learning_rate must be a finite number >= 0, got %v", name, initial)
	}
	if decaySteps <= 0 {
		return errors.Errorf("optimizers: %s: decay_steps must be > 0, got %d", name, decaySteps)
	}
	return nil
}

// ExponentialDecaySchedule is initial * decay_rate^(step/decay_steps).
type ExponentialDecaySchedule struct {
	initial, rate float64
	steps         int64
	staircase     bool
	err           error
}

// ExponentialDecay returns the schedule
// initial * decayRate^(step / decaySteps) (Keras: ExponentialDecay; with
// Staircase(true) the exponent is rounded down). decaySteps must be > 0
// and decayRate >= 0; an invalid parameter is reported by Err and by the
// optimizer it is given to.
func ExponentialDecay(initial float64, decaySteps int64, decayRate float64, opts ...ScheduleOption) *ExponentialDecaySchedule {
	o, err := scheduleOptions("ExponentialDecay", opts, "staircase")
	s := &ExponentialDecaySchedule{initial: initial, rate: decayRate, steps: decaySteps, staircase: o.staircase}
	s.err = firstErr(err, checkSchedule("ExponentialDecay", initial, decaySteps))
	if s.err == nil && (decayRate < 0 || math.IsNaN(decayRate) || math.IsInf(decayRate, 0)) {
		s.err = errors.Errorf("optimizers: ExponentialDecay: decay_rate must be a finite number >= 0, got %v", decayRate)
	}
	return s
}

// Rate returns the learning rate at step.
func (s *ExponentialDecaySchedule) Rate(step int64) float64 {
	p := float64(step) / float64(s.steps)
	if s.staircase {
		p = math.Floor(p)
	}
	return s.initial * math.Pow(s.rate, p)
}

// Err returns the error found in the parameters, or nil.
func (s *ExponentialDecaySchedule) Err() error { return s.err }

// Config returns the schedule's parameters.
func (s *ExponentialDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "ExponentialDecay", Params: map[string]float64{"initial_learning_rate": s.initial,
		"decay_steps": float64(s.steps), "decay_rate": s.rate, "staircase": boolf(s.staircase)}}
}

// InverseTimeDecaySchedule is initial / (1 + decay_rate*step/decay_steps).
type InverseTimeDecaySchedule struct {
	initial, rate float64
	steps         int64
	staircase     bool
	err           error
}

// InverseTimeDecay returns the schedule
// initial / (1 + decayRate * step / decaySteps) (Keras: InverseTimeDecay;
// with Staircase(true) step/decaySteps is rounded down). decaySteps must
// be > 0 and decayRate >= 0.
func InverseTimeDecay(initial float64, decaySteps int64, decayRate float64, opts ...ScheduleOption) *InverseTimeDecaySchedule {
	o, err := scheduleOptions("InverseTimeDecay", opts, "staircase")
	s := &InverseTimeDecaySchedule{initial: initial, rate: decayRate, steps: decaySteps, staircase: o.staircase}
	s.err = firstErr(err, checkSchedule("InverseTimeDecay", initial, decaySteps))
	if s.err == nil && (decayRate < 0 || math.IsNaN(decayRate) || math.IsInf(decayRate, 0)) {
		s.err = errors.Errorf("optimizers: InverseTimeDecay: decay_rate must be a finite number >= 0, got %v", decayRate)
	}
	return s
}

// Rate returns the learning rate at step.
func (s *InverseTimeDecaySchedule) Rate(step int64) float64 {
	p := float64(step) / float64(s.steps)
	if s.staircase {
		p = math.Floor(p)
	}
	return s.initial / (1 + s.rate*p)
}

// Err returns the error found in the parameters, or nil.
func (s *InverseTimeDecaySchedule) Err() error { return s.err }

// Config returns the schedule's parameters.
func (s *InverseTimeDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "InverseTimeDecay", Params: map[string]float64{"initial_learning_rate": s.initial,
		"decay_steps": float64(s.steps), "decay_rate": s.rate, "staircase": boolf(s.staircase)}}
}

// CosineDecaySchedule is a cosine decay with an optional linear warmup.
type CosineDecaySchedule struct {
	initial, alpha float64
	steps          int64
	warmupTarget   *float64
	warmupSteps    int64
	err            error
}

// CosineDecay returns Keras's CosineDecay: without warmup, the rate at
// step s is initial * ((1-alpha)*0.5*(1+cos(pi*min(s, decaySteps)/decaySteps)) + alpha).
// With WarmupTarget(t) and WarmupSteps(w) the rate first rises linearly
// from initial to t over w steps, then decays from t as above over
// decaySteps more steps. Options: Alpha (default 0), WarmupTarget
// (default none), WarmupSteps (default 0). decaySteps must be > 0.
func CosineDecay(initial float64, decaySteps int64, opts ...ScheduleOption) *CosineDecaySchedule {
	o, err := scheduleOptions("CosineDecay", opts, "alpha", "warmup_target", "warmup_steps")
	s := &CosineDecaySchedule{initial: initial, alpha: o.alpha, steps: decaySteps, warmupTarget: o.warmupTarget, warmupSteps: o.warmupSteps}
	s.err = firstErr(err, checkSchedule("CosineDecay", initial, decaySteps))
	switch {
	case s.err != nil:
	case o.alpha < 0 || o.alpha > 1 || math.IsNaN(o.alpha):
		s.err = errors.Errorf("optimizers: CosineDecay: alpha must be in [0, 1], got %v", o.alpha)
	case o.warmupSteps < 0:
		s.err = errors.Errorf("optimizers: CosineDecay: warmup_steps must be >= 0, got %d", o.warmupSteps)
	case o.warmupTarget != nil && (*o.warmupTarget < 0 || math.IsNaN(*o.warmupTarget) || math.IsInf(*o.warmupTarget, 0)):
		s.err = errors.Errorf("optimizers: CosineDecay: warmup_target must be a finite number >= 0, got %v", *o.warmupTarget)
	}
	return s
}

// Rate returns the learning rate at step.
func (s *CosineDecaySchedule) Rate(step int64) float64 {
	decay := func(step float64, from float64) float64 {
		cos := 0.5 * (1 + math.Cos(math.Pi*step/float64(s.steps)))
		return from * ((1-s.alpha)*cos + s.alpha)
	}
	st := float64(step)
	if s.warmupTarget == nil {
		return decay(math.Min(st, float64(s.steps)), s.initial)
	}
	w := float64(s.warmupSteps)
	st = math.Min(st, float64(s.steps)+w)
	if st < w {
		return (*s.warmupTarget-s.initial)*(st/w) + s.initial
	}
	return decay(st-w, *s.warmupTarget)
}

// Err returns the error found in the parameters, or nil.
func (s *CosineDecaySchedule) Err() error { return s.err }

// Config returns the schedule's parameters.
func (s *CosineDecaySchedule) Config() ScheduleConfig {
	p := map[string]float64{"initial_learning_rate": s.initial, "decay_steps": float64(s.steps), "alpha": s.alpha,
		"warmup_steps": float64(s.warmupSteps)}
	if s.warmupTarget != nil {
		p["warmup_target"] = *s.warmupTarget
	}
	return ScheduleConfig{Name: "CosineDecay", Params: p}
}

// PiecewiseConstantDecaySchedule is a step function of the step count.
type PiecewiseConstantDecaySchedule struct {
	boundaries []int64
	values     []float64
	err        error
}

// PiecewiseConstantDecay returns Keras's PiecewiseConstantDecay: the rate
// is values[0] while step <= boundaries[0], values[i] while
// boundaries[i-1] < step <= boundaries[i], and the last value after the
// last boundary. len(values) must be len(boundaries)+1, boundaries
// strictly increasing and values >= 0.
func PiecewiseConstantDecay(boundaries []int64, values []float64) *PiecewiseConstantDecaySchedule {
	s := &PiecewiseConstantDecaySchedule{boundaries: append([]int64(nil), boundaries...), values: append([]float64(nil), values...)}
	if len(boundaries) != len(values)-1 {
		s.err = errors.Errorf("optimizers: PiecewiseConstantDecay: %d boundaries need %d values, got %d", len(boundaries), len(boundaries)+1, len(values))
		return s
	}
	for i := 1; i < len(boundaries); i++ {
		if boundaries[i] <= boundaries[i-1] {
			s.err = errors.Errorf("optimizers: PiecewiseConstantDecay: boundaries must increase strictly, got %v", boundaries)
			return s
		}
	}
	for i, v := range values {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			s.err = errors.Errorf("optimizers: PiecewiseConstantDecay: values[%d] must be a finite number >= 0, got %v", i, v)
			return s
		}
	}
	return s
}

// Rate returns the learning rate at step.
func (s *PiecewiseConstantDecaySchedule) Rate(step int64) float64 {
	if s.err != nil {
		return 0
	}
	for i, b := range s.boundaries {
		if step <= b {
			return s.values[i]
		}
	}
	return s.values[len(s.values)-1]
}

// Err returns the error found in the parameters, or nil.
func (s *PiecewiseConstantDecaySchedule) Err() error { return s.err }

// Config returns the schedule's parameters.
func (s *PiecewiseConstantDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "PiecewiseConstantDecay", Boundaries: append([]int64(nil), s.boundaries...),
		Values: append([]float64(nil), s.values...)}
}
