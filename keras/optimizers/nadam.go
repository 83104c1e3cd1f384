package optimizers

import (
	"math"

	"github.com/gokeras/gokeras/keras/backend"
)

// NadamOptimizer is Adam with Nesterov momentum.
type NadamOptimizer struct {
	base
	p NadamParams
	// uProd caches prod_{k=1..uIter} beta_1*(1-0.5*0.96^k); it is derived
	// from the iteration count, so it is recomputed when that changes
	// behind its back (a restored optimizer state).
	uProd float64
	uIter int64
}

// NadamParams are Nadam's hyperparameters.
type NadamParams struct {
	BaseParams
	// Beta1 is the decay rate of the first moment (default 0.9, in
	// [0, 1)).
	Beta1 float64 `json:"beta_1"`
	// Beta2 is the decay rate of the second moment (default 0.999, in
	// [0, 1)).
	Beta2 float64 `json:"beta_2"`
	// Epsilon is added to the denominator (default 1e-7, >= 0).
	Epsilon float64 `json:"epsilon"`
}

func nadamDefaults() NadamParams {
	return NadamParams{BaseParams: BaseParams{LearningRate: 0.001}, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Nadam returns Nadam ("nadam") with Keras 3 defaults: learning rate 0.001
// (old Keras: 0.002, see Keras2Defaults), beta_1 0.9, beta_2 0.999,
// epsilon 1e-7. Step t (from 1), with u_k = beta_1*(1-0.5*0.96^k) and
// P_t = u_1*...*u_t: m += (g-m)*(1-beta_1); v += (g^2-v)*(1-beta_2);
// m^ = u_{t+1}*m/(1-P_t*u_{t+1}) + (1-u_t)*g/(1-P_t);
// w -= lr*m^/(sqrt(v/(1-beta_2^t)) + eps). Options: see NadamOption. An
// invalid value is reported by Err (and so by Compile) as a
// *kerrors.OptionError.
func Nadam(opts ...NadamOption) *NadamOptimizer {
	b := nadamBuild{p: nadamDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyNadam(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0.002)
	return newNadam(b.p, b.build)
}

func newNadam(p NadamParams, b build) *NadamOptimizer {
	o := &NadamOptimizer{p: p}
	o.init("nadam", p, p.BaseParams, b)
	o.fail(firstErr(inUnit("nadam", "beta_1", p.Beta1, false), inUnit("nadam", "beta_2", p.Beta2, false),
		atLeast("nadam", "epsilon", p.Epsilon, 0)))
	return o
}

// Params returns the hyperparameters.
func (o *NadamOptimizer) Params() NadamParams {
	p := o.p
	p.BaseParams = o.baseParams()
	return p
}

// Config returns the serialisable form.
func (o *NadamOptimizer) Config() Config { return o.config(o.Params()) }

func (o *NadamOptimizer) u(k int64) float64 { return o.p.Beta1 * (1 - 0.5*math.Pow(0.96, float64(k))) }

// Apply performs one Nadam step.
func (o *NadamOptimizer) Apply(vars []*backend.Variable) error {
	if o.err != nil {
		return o.err
	}
	t := o.iters + 1
	if o.uIter != o.iters || o.uProd == 0 {
		o.uProd = 1
		for k := int64(1); k <= o.iters; k++ {
			o.uProd *= o.u(k)
		}
	}
	ut, ut1 := o.u(t), o.u(t+1)
	pt := o.uProd * ut
	pt1 := pt * ut1
	lr := o.LearningRate()
	// m^ = cm*m + cg*g; w -= lr*m^/(sqrt(v/bc2) + eps)
	beta1, beta2, eps := o.p.Beta1, o.p.Beta2, o.p.Epsilon
	cm, cg, bc2 := ut1/(1-pt1), (1-ut)/(1-pt), 1-math.Pow(beta2, float64(t))
	err := o.forEach(vars, 2,
		func(w, g []float32, s []slot) {
			nadamKernel(w, g, s[0].f32, s[1].f32, float32(lr), float32(1-beta1), float32(1-beta2), float32(cm), float32(cg), float32(bc2), float32(eps))
		},
		func(w, g []float64, s []slot) {
			nadamKernel(w, g, s[0].f64, s[1].f64, lr, 1-beta1, 1-beta2, cm, cg, bc2, eps)
		})
	if err == nil {
		o.uProd, o.uIter = pt, o.iters
	}
	return err
}

func nadamKernel[T backend.Float](w, g, m, v []T, lr, c1, c2, cm, cg, bc2, eps T) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	for i := range w {
		gi := g[i]
		mi := m[i] + (gi-m[i])*c1
		vi := v[i] + (gi*gi-v[i])*c2
		m[i], v[i] = mi, vi
		mh := cm*mi + cg*gi
		w[i] -= mh * lr / (T(math.Sqrt(float64(vi/bc2))) + eps)
	}
}
