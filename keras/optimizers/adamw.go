package optimizers

// AdamWOptimizer is Adam with decoupled weight decay.
type AdamWOptimizer struct {
	AdamOptimizer
}

var adamwSpec = spec{name: "adamw", defaults: map[string]float64{"learning_rate": 0.001, "weight_decay": 0.004,
	"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": 0}}

// AdamW returns AdamW ("adamw") with Keras 3 defaults: learning rate
// 0.001, weight_decay 0.004, beta_1 0.9, beta_2 0.999, epsilon 1e-7,
// AMSGrad off. Each step first decays every weight, w -= w*weight_decay*lr,
// then takes an Adam step (see Adam). Options: as Adam's, with
// WeightDecay. An invalid option is reported by Err (and so by Compile).
func AdamW(opts ...Option) *AdamWOptimizer {
	return &AdamWOptimizer{*newAdam(adamwSpec, opts)}
}
