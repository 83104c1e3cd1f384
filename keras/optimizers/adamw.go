package optimizers

// AdamWOptimizer is Adam with decoupled weight decay.
type AdamWOptimizer struct {
	AdamOptimizer
}

func adamwDefaults() AdamParams {
	p := adamDefaults()
	p.WeightDecay = 0.004
	return p
}

// AdamW returns AdamW ("adamw") with Keras 3 defaults: learning rate
// 0.001, weight_decay 0.004, beta_1 0.9, beta_2 0.999, epsilon 1e-7,
// AMSGrad off. Each step first decays every weight, w -= w*weight_decay*lr,
// then takes an Adam step (see Adam). Options: see AdamWOption. An invalid
// value is reported by Err (and so by Compile) as a *kerrors.OptionError.
func AdamW(opts ...AdamWOption) *AdamWOptimizer {
	b := adamBuild{p: adamwDefaults()}
	for _, o := range opts {
		if o != nil {
			o.applyAdamW(&b)
		}
	}
	b.finish(&b.p.BaseParams, 0)
	return &AdamWOptimizer{*newAdam("adamw", b.p, b.build)}
}
