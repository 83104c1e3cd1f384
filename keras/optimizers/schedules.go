package optimizers

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Schedule gives the learning rate as a function of the optimizer's step
// count (Keras: LearningRateSchedule). Pass one to LearningRateSchedule;
// the optimizer evaluates it at Iterations() (0 for the first step)
// before every step, as Keras does.
type Schedule interface {
	// Rate returns the learning rate for the given step (>= 0).
	Rate(step int64) float64
	// Config returns the schedule's serialisable form.
	Config() ScheduleConfig
}

// ScheduleConfig is the serialisable form of a schedule:
//
//	{"class_name": "ExponentialDecay", "params": {"initial_learning_rate": 0.1, ...}}
//
// Params is the JSON of the schedule's typed parameters
// (ExponentialDecayParams, ...), every one of them written. Decoding also
// reads the form written before the parameters were typed: staircase as
// 0 or 1, and PiecewiseConstantDecay's boundaries and values beside params
// instead of inside.
type ScheduleConfig struct {
	// Name is Keras's class name ("ExponentialDecay").
	Name string `json:"class_name"`
	// Params holds the parameters as a JSON object.
	Params json.RawMessage `json:"params,omitempty"`
}

// UnmarshalJSON decodes a ScheduleConfig, moving the top-level
// boundaries and values of older files into Params.
func (c *ScheduleConfig) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name       string          `json:"class_name"`
		Params     json.RawMessage `json:"params"`
		Boundaries json.RawMessage `json:"boundaries"`
		Values     json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	params, err := mergeLegacy(raw.Params, map[string]json.RawMessage{"boundaries": raw.Boundaries, "values": raw.Values})
	if err != nil {
		return err
	}
	c.Name, c.Params = raw.Name, params
	return nil
}

// mergeLegacy adds the legacy top-level values to the params object
// (params win), or returns params unchanged when there are none.
func mergeLegacy(params json.RawMessage, legacy map[string]json.RawMessage) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	for k, v := range legacy {
		if len(v) > 0 {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return params, nil
	}
	if !hparams.Empty(params) {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(params, &p); err != nil {
			return nil, err
		}
		for k, v := range p {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// ScheduleFactory builds a schedule from its Config.
type ScheduleFactory func(c ScheduleConfig) (Schedule, error)

// scheduleRegistry holds the built-in schedules, by Keras class name.
var scheduleRegistry = registry.New[ScheduleFactory]("optimizers", "learning-rate schedule")

type withScheduleErr interface {
	Schedule
	Err() error
}

func builtinSchedule[P any, S withScheduleErr](name string, make func(P) S) {
	scheduleRegistry.Builtin(name, func(c ScheduleConfig) (Schedule, error) {
		var p P
		if err := hparams.Decode(name, c.Params, &p); err != nil {
			return nil, errors.Wrap(err, "optimizers")
		}
		s := make(p)
		if err := s.Err(); err != nil {
			return nil, err
		}
		return s, nil
	})
}

func init() {
	builtinSchedule("ExponentialDecay", newExponentialDecay)
	builtinSchedule("InverseTimeDecay", newInverseTimeDecay)
	builtinSchedule("CosineDecay", newCosineDecay)
	builtinSchedule("PiecewiseConstantDecay", newPiecewiseConstantDecay)
}

// ScheduleFromConfig rebuilds a built-in schedule from its serialisable
// form. An unknown name gives a *kerrors.UnknownNameError listing the
// known ones; an unknown, mistyped or invalid parameter a
// *kerrors.OptionError.
func ScheduleFromConfig(c ScheduleConfig) (Schedule, error) {
	f, err := scheduleRegistry.Get(c.Name)
	if err != nil {
		// Only the built-in schedules can be rebuilt from a config: drop
		// the registry's hint to register one.
		var un *kerrors.UnknownNameError
		if errors.As(err, &un) {
			un.Hint = "a user-defined Schedule is given to LearningRateSchedule as a value"
		}
		return nil, err
	}
	return f(c)
}

// ScheduleNames returns the class names ScheduleFromConfig knows, sorted.
func ScheduleNames() []string { return scheduleRegistry.Names() }

// ExponentialDecayOption is an option of ExponentialDecay: Staircase.
type ExponentialDecayOption interface {
	applyExponentialDecay(*ExponentialDecayParams)
}

// InverseTimeDecayOption is an option of InverseTimeDecay: Staircase.
type InverseTimeDecayOption interface {
	applyInverseTimeDecay(*InverseTimeDecayParams)
}

// CosineDecayOption is an option of CosineDecay: Alpha, WarmupTarget and
// WarmupSteps.
type CosineDecayOption interface{ applyCosineDecay(*CosineDecayParams) }

// StaircaseOption is the option Staircase returns; ExponentialDecay and
// InverseTimeDecay take it.
type StaircaseOption bool

func (o StaircaseOption) applyExponentialDecay(p *ExponentialDecayParams) { p.Staircase = bool(o) }
func (o StaircaseOption) applyInverseTimeDecay(p *InverseTimeDecayParams) { p.Staircase = bool(o) }

// Staircase makes ExponentialDecay and InverseTimeDecay decay at discrete
// intervals (step / decay_steps rounded down; default false).
func Staircase(on bool) StaircaseOption { return StaircaseOption(on) }

type cosineOption func(*CosineDecayParams)

func (o cosineOption) applyCosineDecay(p *CosineDecayParams) { o(p) }

// Alpha sets CosineDecay's floor as a fraction of the decayed-from rate
// (default 0, in [0, 1]).
func Alpha(a float64) CosineDecayOption {
	return cosineOption(func(p *CosineDecayParams) { p.Alpha = a })
}

// WarmupTarget turns on CosineDecay's linear warmup from the initial
// learning rate to target over WarmupSteps steps (default: no warmup).
func WarmupTarget(target float64) CosineDecayOption {
	return cosineOption(func(p *CosineDecayParams) { p.WarmupTarget = &target })
}

// WarmupSteps sets the length of CosineDecay's warmup in steps (default 0).
func WarmupSteps(n int64) CosineDecayOption {
	return cosineOption(func(p *CosineDecayParams) { p.WarmupSteps = n })
}

// scheduleInvalid returns the error for a schedule parameter out of range.
func scheduleInvalid(name, key string, v any, msg string) error {
	return invalid(name, key, v, msg)
}

func checkSchedule(name string, initial float64, decaySteps int64) error {
	if initial < 0 || math.IsNaN(initial) || math.IsInf(initial, 0) {
		return scheduleInvalid(name, "initial_learning_rate", initial, "must be a finite number >= 0")
	}
	if decaySteps <= 0 {
		return scheduleInvalid(name, "decay_steps", decaySteps, "must be > 0")
	}
	return nil
}

func checkDecayRate(name string, rate float64) error {
	if rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return scheduleInvalid(name, "decay_rate", rate, "must be a finite number >= 0")
	}
	return nil
}

// ExponentialDecayParams are ExponentialDecay's parameters.
type ExponentialDecayParams struct {
	// InitialLearningRate is the rate at step 0 (finite, >= 0).
	InitialLearningRate float64 `json:"initial_learning_rate"`
	// DecaySteps is the number of steps per decay by DecayRate (> 0).
	DecaySteps int64 `json:"decay_steps"`
	// DecayRate is the factor per DecaySteps steps (finite, >= 0).
	DecayRate float64 `json:"decay_rate"`
	// Staircase rounds step/decay_steps down (default false).
	Staircase bool `json:"staircase"`
}

// ExponentialDecaySchedule is initial * decay_rate^(step/decay_steps).
type ExponentialDecaySchedule struct {
	p   ExponentialDecayParams
	err error
}

// ExponentialDecay returns the schedule
// initial * decayRate^(step / decaySteps) (Keras: ExponentialDecay; with
// Staircase(true) the exponent is rounded down). decaySteps must be > 0
// and decayRate >= 0; an invalid parameter is reported by Err and by the
// optimizer it is given to.
func ExponentialDecay(initial float64, decaySteps int64, decayRate float64, opts ...ExponentialDecayOption) *ExponentialDecaySchedule {
	p := ExponentialDecayParams{InitialLearningRate: initial, DecaySteps: decaySteps, DecayRate: decayRate}
	for _, o := range opts {
		if o != nil {
			o.applyExponentialDecay(&p)
		}
	}
	return newExponentialDecay(p)
}

func newExponentialDecay(p ExponentialDecayParams) *ExponentialDecaySchedule {
	return &ExponentialDecaySchedule{p: p, err: firstErr(checkSchedule("ExponentialDecay", p.InitialLearningRate, p.DecaySteps),
		checkDecayRate("ExponentialDecay", p.DecayRate))}
}

// Rate returns the learning rate at step.
func (s *ExponentialDecaySchedule) Rate(step int64) float64 {
	p := float64(step) / float64(s.p.DecaySteps)
	if s.p.Staircase {
		p = math.Floor(p)
	}
	return s.p.InitialLearningRate * math.Pow(s.p.DecayRate, p)
}

// Err returns the error found in the parameters, or nil.
func (s *ExponentialDecaySchedule) Err() error { return s.err }

// Params returns the parameters.
func (s *ExponentialDecaySchedule) Params() ExponentialDecayParams { return s.p }

// Config returns the schedule's serialisable form.
func (s *ExponentialDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "ExponentialDecay", Params: hparams.Encode(s.p)}
}

// InverseTimeDecayParams are InverseTimeDecay's parameters.
type InverseTimeDecayParams struct {
	// InitialLearningRate is the rate at step 0 (finite, >= 0).
	InitialLearningRate float64 `json:"initial_learning_rate"`
	// DecaySteps is the step count unit (> 0).
	DecaySteps int64 `json:"decay_steps"`
	// DecayRate is the decay per DecaySteps steps (finite, >= 0).
	DecayRate float64 `json:"decay_rate"`
	// Staircase rounds step/decay_steps down (default false).
	Staircase bool `json:"staircase"`
}

// InverseTimeDecaySchedule is initial / (1 + decay_rate*step/decay_steps).
type InverseTimeDecaySchedule struct {
	p   InverseTimeDecayParams
	err error
}

// InverseTimeDecay returns the schedule
// initial / (1 + decayRate * step / decaySteps) (Keras: InverseTimeDecay;
// with Staircase(true) step/decaySteps is rounded down). decaySteps must
// be > 0 and decayRate >= 0.
func InverseTimeDecay(initial float64, decaySteps int64, decayRate float64, opts ...InverseTimeDecayOption) *InverseTimeDecaySchedule {
	p := InverseTimeDecayParams{InitialLearningRate: initial, DecaySteps: decaySteps, DecayRate: decayRate}
	for _, o := range opts {
		if o != nil {
			o.applyInverseTimeDecay(&p)
		}
	}
	return newInverseTimeDecay(p)
}

func newInverseTimeDecay(p InverseTimeDecayParams) *InverseTimeDecaySchedule {
	return &InverseTimeDecaySchedule{p: p, err: firstErr(checkSchedule("InverseTimeDecay", p.InitialLearningRate, p.DecaySteps),
		checkDecayRate("InverseTimeDecay", p.DecayRate))}
}

// Rate returns the learning rate at step.
func (s *InverseTimeDecaySchedule) Rate(step int64) float64 {
	p := float64(step) / float64(s.p.DecaySteps)
	if s.p.Staircase {
		p = math.Floor(p)
	}
	return s.p.InitialLearningRate / (1 + s.p.DecayRate*p)
}

// Err returns the error found in the parameters, or nil.
func (s *InverseTimeDecaySchedule) Err() error { return s.err }

// Params returns the parameters.
func (s *InverseTimeDecaySchedule) Params() InverseTimeDecayParams { return s.p }

// Config returns the schedule's serialisable form.
func (s *InverseTimeDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "InverseTimeDecay", Params: hparams.Encode(s.p)}
}

// CosineDecayParams are CosineDecay's parameters.
type CosineDecayParams struct {
	// InitialLearningRate is the rate at step 0 (finite, >= 0).
	InitialLearningRate float64 `json:"initial_learning_rate"`
	// DecaySteps is the length of the decay in steps (> 0).
	DecaySteps int64 `json:"decay_steps"`
	// Alpha is the floor as a fraction of the decayed-from rate (default
	// 0, in [0, 1]).
	Alpha float64 `json:"alpha"`
	// WarmupTarget is the rate the warmup rises to (nil: no warmup).
	WarmupTarget *float64 `json:"warmup_target"`
	// WarmupSteps is the length of the warmup (default 0, >= 0).
	WarmupSteps int64 `json:"warmup_steps"`
}

// CosineDecaySchedule is a cosine decay with an optional linear warmup.
type CosineDecaySchedule struct {
	p   CosineDecayParams
	err error
}

// CosineDecay returns Keras's CosineDecay: without warmup, the rate at
// step s is initial * ((1-alpha)*0.5*(1+cos(pi*min(s, decaySteps)/decaySteps)) + alpha).
// With WarmupTarget(t) and WarmupSteps(w) the rate first rises linearly
// from initial to t over w steps, then decays from t as above over
// decaySteps more steps. Options: see CosineDecayOption. decaySteps must
// be > 0.
func CosineDecay(initial float64, decaySteps int64, opts ...CosineDecayOption) *CosineDecaySchedule {
	p := CosineDecayParams{InitialLearningRate: initial, DecaySteps: decaySteps}
	for _, o := range opts {
		if o != nil {
			o.applyCosineDecay(&p)
		}
	}
	return newCosineDecay(p)
}

func newCosineDecay(p CosineDecayParams) *CosineDecaySchedule {
	s := &CosineDecaySchedule{p: p, err: checkSchedule("CosineDecay", p.InitialLearningRate, p.DecaySteps)}
	switch {
	case s.err != nil:
	case p.Alpha < 0 || p.Alpha > 1 || math.IsNaN(p.Alpha):
		s.err = scheduleInvalid("CosineDecay", "alpha", p.Alpha, "must be in [0, 1]")
	case p.WarmupSteps < 0:
		s.err = scheduleInvalid("CosineDecay", "warmup_steps", p.WarmupSteps, "must be >= 0")
	case p.WarmupTarget != nil && (*p.WarmupTarget < 0 || math.IsNaN(*p.WarmupTarget) || math.IsInf(*p.WarmupTarget, 0)):
		s.err = scheduleInvalid("CosineDecay", "warmup_target", *p.WarmupTarget, "must be a finite number >= 0")
	}
	return s
}

// Rate returns the learning rate at step.
func (s *CosineDecaySchedule) Rate(step int64) float64 {
	steps := float64(s.p.DecaySteps)
	decay := func(step float64, from float64) float64 {
		cos := 0.5 * (1 + math.Cos(math.Pi*step/steps))
		return from * ((1-s.p.Alpha)*cos + s.p.Alpha)
	}
	st := float64(step)
	if s.p.WarmupTarget == nil {
		return decay(math.Min(st, steps), s.p.InitialLearningRate)
	}
	w := float64(s.p.WarmupSteps)
	st = math.Min(st, steps+w)
	if st < w {
		return (*s.p.WarmupTarget-s.p.InitialLearningRate)*(st/w) + s.p.InitialLearningRate
	}
	return decay(st-w, *s.p.WarmupTarget)
}

// Err returns the error found in the parameters, or nil.
func (s *CosineDecaySchedule) Err() error { return s.err }

// Params returns the parameters.
func (s *CosineDecaySchedule) Params() CosineDecayParams {
	p := s.p
	if p.WarmupTarget != nil {
		t := *p.WarmupTarget
		p.WarmupTarget = &t
	}
	return p
}

// Config returns the schedule's serialisable form.
func (s *CosineDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "CosineDecay", Params: hparams.Encode(s.p)}
}

// PiecewiseConstantDecayParams are PiecewiseConstantDecay's parameters.
type PiecewiseConstantDecayParams struct {
	// Boundaries are the steps where the rate changes (strictly
	// increasing).
	Boundaries []int64 `json:"boundaries"`
	// Values are the rates, one more than Boundaries (finite, >= 0).
	Values []float64 `json:"values"`
}

// PiecewiseConstantDecaySchedule is a step function of the step count.
type PiecewiseConstantDecaySchedule struct {
	p   PiecewiseConstantDecayParams
	err error
}

// PiecewiseConstantDecay returns Keras's PiecewiseConstantDecay: the rate
// is values[0] while step <= boundaries[0], values[i] while
// boundaries[i-1] < step <= boundaries[i], and the last value after the
// last boundary. len(values) must be len(boundaries)+1, boundaries
// strictly increasing and values >= 0.
func PiecewiseConstantDecay(boundaries []int64, values []float64) *PiecewiseConstantDecaySchedule {
	return newPiecewiseConstantDecay(PiecewiseConstantDecayParams{Boundaries: boundaries, Values: values})
}

func newPiecewiseConstantDecay(p PiecewiseConstantDecayParams) *PiecewiseConstantDecaySchedule {
	s := &PiecewiseConstantDecaySchedule{p: PiecewiseConstantDecayParams{
		Boundaries: append([]int64(nil), p.Boundaries...), Values: append([]float64(nil), p.Values...)}}
	b, v := s.p.Boundaries, s.p.Values
	if len(b) != len(v)-1 {
		s.err = errors.Wrap(&kerrors.OptionError{Call: "PiecewiseConstantDecay", Option: "values",
			Msg: fmt.Sprintf("%d boundaries need %d values, got %d", len(b), len(b)+1, len(v))}, "optimizers")
		return s
	}
	for i := 1; i < len(b); i++ {
		if b[i] <= b[i-1] {
			s.err = scheduleInvalid("PiecewiseConstantDecay", "boundaries", b, "must increase strictly")
			return s
		}
	}
	for i, x := range v {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			s.err = scheduleInvalid("PiecewiseConstantDecay", "values", v, fmt.Sprintf("values[%d] must be a finite number >= 0", i))
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
	for i, b := range s.p.Boundaries {
		if step <= b {
			return s.p.Values[i]
		}
	}
	return s.p.Values[len(s.p.Values)-1]
}

// Err returns the error found in the parameters, or nil.
func (s *PiecewiseConstantDecaySchedule) Err() error { return s.err }

// Params returns a copy of the parameters.
func (s *PiecewiseConstantDecaySchedule) Params() PiecewiseConstantDecayParams {
	return PiecewiseConstantDecayParams{Boundaries: append([]int64(nil), s.p.Boundaries...), Values: append([]float64(nil), s.p.Values...)}
}

// Config returns the schedule's serialisable form.
func (s *PiecewiseConstantDecaySchedule) Config() ScheduleConfig {
	return ScheduleConfig{Name: "PiecewiseConstantDecay", Params: hparams.Encode(s.p)}
}
