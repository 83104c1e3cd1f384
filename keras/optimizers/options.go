package optimizers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Option sets a hyperparameter. An option that an optimizer does not have
// is reported as an error when it is built (see the optimizers' Err
// method, which keras.Compile calls).
type Option func(*params)

type params struct {
	values   map[string]float64
	schedule Schedule
	keras2   bool
	err      error
}

func (p *params) set(name string, v float64) { p.values[name] = v }

func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// LearningRate sets the learning rate (Keras: learning_rate): a number
// (LearningRate(0.01)) or a Schedule (LearningRate(ExponentialDecay(...))),
// which is evaluated at the optimizer's iteration count before every step,
// as Keras does. Each optimizer's default is stated with its constructor.
func LearningRate(lr interface{}) Option {
	return func(p *params) {
		switch v := lr.(type) {
		case float64:
			p.set("learning_rate", v)
		case float32:
			p.set("learning_rate", float64(v))
		case int:
			p.set("learning_rate", float64(v))
		case int64:
			p.set("learning_rate", float64(v))
		case Schedule:
			if v == nil {
				p.fail(errors.New("learning_rate: nil schedule"))
				return
			}
			if e, ok := v.(interface{ Err() error }); ok && e.Err() != nil {
				p.fail(e.Err())
				return
			}
			p.schedule = v
			delete(p.values, "learning_rate")
		default:
			p.fail(errors.Errorf("learning_rate must be a number or a Schedule, got %T", lr))
		}
	}
}

// Keras2Defaults makes an optimizer start from the default learning rate
// of old Keras (2.2.4, which the 2018 R keras examples assumed) instead of
// Keras 3's: Adadelta 1.0 (Keras 3: 0.001), Adagrad 0.01 (0.001), Adamax
// and Nadam 0.002 (0.001). SGD, RMSprop and Adam had the same defaults in
// both. An explicit LearningRate wins over it, whatever the order. Only
// the default learning rate changes: the update formulas stay Keras 3's.
func Keras2Defaults() Option { return func(p *params) { p.keras2 = true } }

// Momentum sets the momentum of SGD (default 0, in [0, 1]) or RMSprop
// (default 0, in [0, 1)).
func Momentum(m float64) Option { return func(p *params) { p.set("momentum", m) } }

// Nesterov turns on Nesterov momentum for SGD (default false).
func Nesterov(b bool) Option { return func(p *params) { p.set("nesterov", boolf(b)) } }

// Rho sets the discount factor of the moving averages of RMSprop (default
// 0.9) and Adadelta (default 0.95), in [0, 1).
func Rho(r float64) Option { return func(p *params) { p.set("rho", r) } }

// Centered makes RMSprop normalise by the estimated variance of the
// gradient instead of its second moment (default false).
func Centered(b bool) Option { return func(p *params) { p.set("centered", boolf(b)) } }

// Beta1 sets the decay rate of the first moment: Adam, AdamW, Adamax and
// Nadam (default 0.9, in [0, 1)); Lion's interpolation factor (default
// 0.9, in (0, 1]).
func Beta1(b float64) Option { return func(p *params) { p.set("beta_1", b) } }

// Beta2 sets the decay rate of the second moment: Adam, AdamW, Nadam
// (default 0.999), Adamax's infinity norm (default 0.999), Lion's momentum
// (default 0.99); in [0, 1).
func Beta2(b float64) Option { return func(p *params) { p.set("beta_2", b) } }

// Epsilon sets the small constant added for numerical stability (default
// 1e-7, Keras's value; Gorgonia's solvers use 1e-8). It must be >= 0.
func Epsilon(e float64) Option { return func(p *params) { p.set("epsilon", e) } }

// Amsgrad turns on the AMSGrad variant of Adam and AdamW (default false).
func Amsgrad(b bool) Option { return func(p *params) { p.set("amsgrad", boolf(b)) } }

// InitialAccumulatorValue sets the starting value of the accumulators of
// Adagrad and Ftrl (default 0.1, >= 0).
func InitialAccumulatorValue(v float64) Option {
	return func(p *params) { p.set("initial_accumulator_value", v) }
}

// LearningRatePower sets how fast Ftrl's per-weight learning rate decays
// (default -0.5, <= 0; 0 keeps it fixed).
func LearningRatePower(v float64) Option {
	return func(p *params) { p.set("learning_rate_power", v) }
}

// L1RegularizationStrength sets Ftrl's L1 strength (default 0, >= 0).
func L1RegularizationStrength(v float64) Option {
	return func(p *params) { p.set("l1_regularization_strength", v) }
}

// L2RegularizationStrength sets Ftrl's stabilising L2 strength (default 0,
// >= 0).
func L2RegularizationStrength(v float64) Option {
	return func(p *params) { p.set("l2_regularization_strength", v) }
}

// L2ShrinkageRegularizationStrength sets Ftrl's L2 shrinkage (a magnitude
// penalty added to the gradient as 2*strength*w; default 0, >= 0).
func L2ShrinkageRegularizationStrength(v float64) Option {
	return func(p *params) { p.set("l2_shrinkage_regularization_strength", v) }
}

// Beta sets Ftrl's beta (default 0, >= 0).
func Beta(v float64) Option { return func(p *params) { p.set("beta", v) } }

// Clipnorm clips each variable's gradient to an L2 norm of at most v
// before the update (Keras: clipnorm; default 0, off). At most one of
// Clipnorm, Clipvalue and GlobalClipnorm may be given. Clipping rewrites
// the variables' Grad buffers in place.
func Clipnorm(v float64) Option { return func(p *params) { p.set("clipnorm", v) } }

// Clipvalue clips every gradient element to [-v, v] before the update
// (Keras: clipvalue; default 0, off).
func Clipvalue(v float64) Option { return func(p *params) { p.set("clipvalue", v) } }

// GlobalClipnorm scales all gradients together so that their joint L2 norm
// is at most v (Keras: global_clipnorm; default 0, off).
func GlobalClipnorm(v float64) Option { return func(p *params) { p.set("global_clipnorm", v) } }

// WeightDecay sets decoupled weight decay: before each update every
// trainable weight is replaced by w - w*weight_decay*learning_rate (Keras:
// weight_decay; default 0, off, except AdamW's 0.004).
func WeightDecay(v float64) Option { return func(p *params) { p.set("weight_decay", v) } }

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// spec describes one optimizer's hyperparameters for collect.
type spec struct {
	name     string
	defaults map[string]float64 // its own keys, learning_rate included
	keras2LR float64            // default learning rate under Keras2Defaults (0: unchanged)
}

var baseDefaults = map[string]float64{"clipnorm": 0, "clipvalue": 0, "global_clipnorm": 0, "weight_decay": 0}

// collect applies opts over the defaults and checks that every option given
// is one the optimizer has and that the shared ones are valid.
func collect(sp spec, opts []Option) (map[string]float64, Schedule, error) {
	p := &params{values: map[string]float64{}}
	for _, o := range opts {
		if o != nil {
			o(p)
		}
	}
	if p.err != nil {
		if strings.HasPrefix(p.err.Error(), "optimizers: ") {
			return nil, nil, p.err
		}
		return nil, nil, errors.Wrapf(p.err, "optimizers: %s", sp.name)
	}
	out := make(map[string]float64, len(sp.defaults)+len(baseDefaults))
	for k, v := range baseDefaults {
		out[k] = v
	}
	for k, v := range sp.defaults {
		out[k] = v
	}
	if p.keras2 && sp.keras2LR > 0 {
		out["learning_rate"] = sp.keras2LR
	}
	for k, v := range p.values {
		if _, ok := out[k]; !ok {
			known := make([]string, 0, len(out))
			for d := range out {
				known = append(known, d)
			}
			sort.Strings(known)
			return nil, nil, errors.Errorf("optimizers: %s has no option %q (it has: %s)", sp.name, k, strings.Join(known, ", "))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, errors.Errorf("optimizers: %s: %s = %v", sp.name, k, v)
		}
		out[k] = v
	}
	if lr := out["learning_rate"]; lr < 0 {
		return nil, nil, errors.Errorf("optimizers: %s: learning_rate must be >= 0, got %v", sp.name, lr)
	}
	for _, k := range []string{"clipnorm", "clipvalue", "global_clipnorm", "weight_decay"} {
		if err := atLeast(sp.name, k, out[k], 0); err != nil {
			return nil, nil, err
		}
	}
	var set []string
	for _, k := range []string{"clipnorm", "clipvalue", "global_clipnorm"} {
		if out[k] > 0 {
			set = append(set, fmt.Sprintf("%s=%v", k, out[k]))
		}
	}
	if len(set) > 1 {
		return nil, nil, errors.Errorf("optimizers: %s: only one of clipnorm, clipvalue and global_clipnorm can be set, got %s", sp.name, strings.Join(set, ", "))
	}
	return out, p.schedule, nil
}

// inUnit checks that v lies in [0, 1) (or [0, 1] when closedTop).
func inUnit(name, param string, v float64, closedTop bool) error {
	if v < 0 || v > 1 || (v == 1 && !closedTop) {
		r := "[0, 1)"
		if closedTop {
			r = "[0, 1]"
		}
		return errors.Errorf("optimizers: %s: %s must be in %s, got %v", name, param, r, v)
	}
	return nil
}

func atLeast(name, param string, v, min float64) error {
	if v < min {
		return errors.Errorf("optimizers: %s: %s must be >= %v, got %v", name, param, min, v)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
