package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// RMSpropOptimizer divides the gradient by a running average of its
// recent magnitude.
type RMSpropOptimizer struct {
	base
	p RMSpropParams
}

// RMSpropParams are RMSprop's hyperparameters.
type RMSpropParams struct {
	BaseParams
	// Rho is the discount factor of the moving average (default 0.9, in
	// [0, 1)).
	Rho float64 `json:"rho"`
	// Momentum (default 0, in [0, 1)).
	Momentum float64 `json:"momentum"`
	// Epsilon is added inside the square root (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
	// Centered normalises by the estimated variance (default false).
	Centered bool `json:"centered"`
}

func rmspropDefaults() RMSpropParams {
	return RMSpropParams{BaseParams: BaseParams{LearningRate: 0.001}, Rho: 0.9, Epsilon: 1e-7}
}

// RMSprop returns RMSprop ("rmsprop") with Keras 3 defaults: learning rate
// 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered. Each step:
// v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps) (centered: the
// denominator is sqrt(v - a^2 + eps) with a = rho*a + (1-rho)*g; with
// momentum mu the increment is accumulated in m = mu*m + increment and
// w -= m). Options: see RMSpropOption. An invalid value is reported by Err
// (and so by Compile) as a *kerrors.OptionError.
func RMSprop(opts ...RMSpropOption) *RMSpropOptimizer {
	b := rmspropBuild{p: rmspropDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyRMSprop(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return newRMSprop(b.p, b.build)
}

func newRMSprop(p RMSpropParams, b build) *RMSpropOptimizer {
	o := &RMSpropOptimizer{p: p}
	o.init("rmsprop", p, p.BaseParams, b)
	o.fail(firstErr(inUnit("rmsprop", "rho", p.Rho, false), inUnit("rmsprop", "momentum", p.Momentum, false),
		atLeast("rmsprop", "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *RMSpropOptimizer) Params() RMSpropParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *RMSpropOptimizer) Config() Config { return o.config(o.Params()) }

// Apply performs one RMSprop step.
func (o *RMSpropOptimizer) Apply(vars []*backend.Variable) error {
	lr, rho, mu, eps, centered := o.LearningRate(), o.p.Rho, o.p.Momentum, o.p.Epsilon, o.p.Centered
	// slots: 0 velocity, 1 momentum, 2 average gradient (centered)
	if !centered && mu == 0 {
		o.k = [6]float64{lr, rho, eps}
		up32, up64 := o.splitFor(0,
			func() func(w, g []float32, s []slot) {
				return func(w, g []float32, s []slot) {
					k := &o.k
					rmsprop32(w, g, s[0].f32, float32(k[0]), float32(k[1]), float32(k[2]))
				}
			},
			func() func(w, g []float64, s []slot) {
				return func(w, g []float64, s []slot) {
					k := &o.k
					rmspropKernel(w, g, s[0].f64, s[1].f64, s[2].f64, k[0], k[1], 0, k[2], false)
				}
			})
		return o.forEachSplit(vars, 3, up32, up64)
	}
	return o.forEach(vars, 3,
		func(w, g []float32, s []slot) {
			if !centered && mu == 0 {
				rmsprop32(w, g, s[0].f32, float32(lr), float32(rho), float32(eps))
				return
			}
			rmspropKernel(w, g, s[0].f32, s[1].f32, s[2].f32, float32(lr), float32(rho), float32(mu), float32(eps), centered)
		},
		func(w, g []float64, s []slot) {
			rmspropKernel(w, g, s[0].f64, s[1].f64, s[2].f64, lr, rho, mu, eps, centered)
		})
}

// rmspropPlain is the portable update without momentum, not centered.
// The float32 assembly kernel performs the same operations in the same
// order, so both give identical bits.
func rmspropPlain[T backend.Float](w, g, v []T, lr, rho, eps T) {
	g, v = g[:len(w)], v[:len(w)]
	for i := range w {
		gi := g[i]
		vi := rho*v[i] + (1-rho)*(gi*gi)
		v[i] = vi
		w[i] -= lr * gi / T(math.Sqrt(float64(vi+eps)))
	}
}

func rmspropKernel[T backend.Float](w, g, v, m, avg []T, lr, rho, mu, eps T, centered bool) {
	n := len(w)
	g, v, m, avg = g[:n], v[:n], m[:n], avg[:n]
	if !centered && mu == 0 {
		rmspropPlain(w, g, v, lr, rho, eps)
		return
	}
	for i := range w {
		gi := g[i]
		vi := rho*v[i] + (1-rho)*(gi*gi)
		v[i] = vi
		den := vi
		if centered {
			ai := rho*avg[i] + (1-rho)*gi
			avg[i] = ai
			den = vi - ai*ai
		}
		inc := lr * gi / T(math.Sqrt(float64(den+eps)))
		if mu > 0 {
			mi := mu*m[i] + inc
			m[i] = mi
			w[i] -= mi
		} else {
			w[i] -= inc
		}
	}
}
