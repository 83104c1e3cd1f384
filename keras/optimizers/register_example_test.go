// This file sorts after optimizers_test.go on purpose: ExampleRegister adds
// "sign_sgd" to the process-wide registry, and ExampleGet there prints
// the list of names from before.
package optimizers_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// signSGD is a user-defined optimizer: w -= lr * sign(g).
type signSGD struct {
	p     signSGDParams
	iters int64
}

// signSGDParams are its hyperparameters, with the JSON keys its config
// uses.
type signSGDParams struct {
	LearningRate float64 `json:"learning_rate"`
}

func (o *signSGD) Name() string          { return "sign_sgd" }
func (o *signSGD) LearningRate() float64 { return o.p.LearningRate }
func (o *signSGD) Iterations() int64     { return o.iters }
func (o *signSGD) SetLearningRate(lr float64) error {
	o.p.LearningRate = lr
	return nil
}
func (o *signSGD) Apply(vars []*backend.Variable) error {
	for _, v := range vars {
		w, g := v.Float64s(), v.Grad().Data().([]float64)
		for i := range w {
			switch {
			case g[i] > 0:
				w[i] -= o.p.LearningRate
			case g[i] < 0:
				w[i] += o.p.LearningRate
			}
		}
		if err := v.SetFloat64s(w); err != nil {
			return err
		}
	}
	o.iters++
	return nil
}

// Config makes the optimizer savable: keras.Save writes it and Load
// rebuilds it through the registered factory.
func (o *signSGD) Config() optimizers.Config {
	params, _ := json.Marshal(o.p)
	return optimizers.Config{Name: "sign_sgd", Params: params}
}

func ExampleRegister() {
	err := optimizers.Register("sign_sgd", func(c optimizers.Config) (optimizers.Optimizer, error) {
		p := signSGDParams{LearningRate: 0.01} // the defaults
		if len(c.Params) > 0 {
			dec := json.NewDecoder(bytes.NewReader(c.Params))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&p); err != nil {
				return nil, fmt.Errorf("sign_sgd: %v", err)
			}
		}
		return &signSGD{p: p}, nil
	})
	fmt.Println(err)

	o, err := optimizers.Get("sign_sgd")
	fmt.Println(o.Name(), o.LearningRate(), err)
	o, err = optimizers.FromConfig(optimizers.Config{Name: "sign_sgd", Params: json.RawMessage(`{"learning_rate": 0.5}`)})
	fmt.Println(o.LearningRate(), err)
	_, err = optimizers.FromConfig(optimizers.Config{Name: "sign_sgd", Params: json.RawMessage(`{"momentum": 0.9}`)})
	fmt.Println(err)
	// Output:
	// <nil>
	// sign_sgd 0.01 <nil>
	// 0.5 <nil>
	// sign_sgd: json: unknown field "momentum"
}

func ExampleSGDOptimizer_Config() {
	raw, _ := json.Marshal(optimizers.SGD(optimizers.Momentum(0.9), optimizers.Nesterov(true)).Config())
	fmt.Println(string(raw))
	// A schedule replaces learning_rate.
	s := optimizers.SGD(optimizers.LearningRateSchedule(optimizers.ExponentialDecay(0.1, 1000, 0.5)))
	raw, _ = json.Marshal(s.Config())
	fmt.Println(string(raw))
	// Output:
	// {"name":"sgd","params":{"learning_rate":0.01,"clipnorm":0,"clipvalue":0,"global_clipnorm":0,"weight_decay":0,"momentum":0.9,"nesterov":true}}
	// {"name":"sgd","params":{"clipnorm":0,"clipvalue":0,"global_clipnorm":0,"momentum":0,"nesterov":false,"weight_decay":0},"learning_rate_schedule":{"class_name":"ExponentialDecay","params":{"initial_learning_rate":0.1,"decay_steps":1000,"decay_rate":0.5,"staircase":false}}}
}

func ExampleFromConfig() {
	// Keras's keyword names; the others keep their defaults. Files written
	// before the hyperparameters were typed stored booleans as 0 or 1,
	// which still load.
	o, err := optimizers.FromConfig(optimizers.Config{Name: "adam", Params: json.RawMessage(`{"beta_1": 0.8, "amsgrad": 1}`)})
	fmt.Printf("%+v %v\n", o.(*optimizers.AdamOptimizer).Params(), err)
	_, err = optimizers.FromConfig(optimizers.Config{Name: "adam", Params: json.RawMessage(`{"momentum": 0.9}`)})
	fmt.Println(err)
	// Output:
	// {BaseParams:{LearningRate:0.001 Clipnorm:0 Clipvalue:0 GlobalClipnorm:0 WeightDecay:0} Beta1:0.8 Beta2:0.999 Epsilon:1e-07 Amsgrad:true} <nil>
	// optimizers: adam: momentum: unknown parameter (adam takes learning_rate, clipnorm, clipvalue, global_clipnorm, weight_decay, beta_1, beta_2, epsilon, amsgrad)
}

func ExampleLearningRateSchedule() {
	opt := optimizers.Adam(optimizers.LearningRateSchedule(optimizers.CosineDecay(0.01, 100, optimizers.Alpha(0.1))))
	fmt.Printf("%.4f\n", opt.LearningRate())
	// Output: 0.0100
}
