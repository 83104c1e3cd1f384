package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// DropoutLayer zeroes a random fraction of its inputs while training.
type DropoutLayer struct {
	Base
	rate float64
	seed *int64
	src  *pcgSource // the layer's own stream when Seed is given
	rng  *rand.Rand
}

// DropoutOption is an option of Dropout: Common or Seed.
type DropoutOption interface{ applyDropout(*DropoutLayer) }

func (c Common) applyDropout(l *DropoutLayer) { c.ApplyTo(&l.Base) }
func (o SeedOption) applyDropout(l *DropoutLayer) {
	seed := o.seed
	l.seed = &seed
}

// Dropout returns a layer that, in training only, sets each input to 0
// with probability rate and scales the others by 1/(1-rate), so the
// expected sum is unchanged (Keras: layer_dropout / Dropout). At inference
// it passes its input through. rate must be in [0, 1). The masks come from
// the model's seed (per epoch), or from the layer's own stream when Seed
// is given; that stream's position is part of the layer's state
// (LayerState), which saved models keep. Options: Seed and the Common
// options.
//
// Gorgonia's own Dropout op has a wrong gradient (it divides by rate
// instead of 1-rate); this layer multiplies by a mask drawn on the host
// instead (backend.MulNoise, which reuses its buffers), so the gradient is
// exactly the mask.
func Dropout(rate float64, opts ...DropoutOption) *DropoutLayer {
	l := &DropoutLayer{rate: rate}
	l.Init(l, "Dropout")
	l.SetSupportsMasking(true)
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Dropout"))
			continue
		}
		o.applyDropout(l)
	}
	if !(rate >= 0 && rate < 1) {
		l.Fail(&kerrors.OptionError{Call: "Dropout", Option: "rate", Value: fmt.Sprint(rate), Msg: "must be in [0, 1)"})
	}
	if l.seed != nil {
		l.src = &pcgSource{randv2.NewPCG(uint64(*l.seed), dropoutStream)}
		l.rng = rand.New(l.src)
	}
	return l
}

// ClassName returns "Dropout".
func (l *DropoutLayer) ClassName() string { return "Dropout" }

// Rate returns the fraction of inputs dropped in training.
func (l *DropoutLayer) Rate() float64 { return l.rate }

// Build returns the input shape unchanged.
func (l *DropoutLayer) Build(_ *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	return l.FinishBuild(in, in), nil
}

// Forward multiplies x by a fresh random mask in training graphs.
func (l *DropoutLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	if !s.Training() || l.rate == 0 {
		return x, nil
	}
	keep := 1 - l.rate
	scale := 1 / keep
	mask := s.Noise(l.name+"/mask", x.Shape().Clone(), func(rng *rand.Rand, dst *tensor.Dense) {
		if l.rng != nil {
			rng = l.rng
		}
		switch d := dst.Data().(type) {
		case []float32:
			fillMask(rng, d, keep, scale)
		case []float64:
			fillMask(rng, d, keep, scale)
		}
	})
	out, err := backend.MulNoise(x, mask)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return out, nil
}

func fillMask[T backend.Float](rng *rand.Rand, d []T, keep, scale float64) {
	s := T(scale)
	for i := range d {
		if rng.Float64() < keep {
			d[i] = s
		} else {
			d[i] = 0
		}
	}
}

// dropoutStream is the PCG stream selector of seeded Dropout layers.
const dropoutStream = 0x64726f706f7574 // "dropout"

// pcgSource is a math/rand source over a PCG generator, whose state can
// be saved and restored (math/rand's own source cannot).
type pcgSource struct{ p *randv2.PCG }

func (s *pcgSource) Uint64() uint64  { return s.p.Uint64() }
func (s *pcgSource) Int63() int64    { return int64(s.p.Uint64() >> 1) }
func (s *pcgSource) Seed(seed int64) { s.p.Seed(uint64(seed), dropoutStream) }

// LayerState returns the position of the layer's own random stream (nil
// when the layer has no Seed and draws from the model's streams, which
// need no saving).
func (l *DropoutLayer) LayerState() ([]byte, error) {
	if l.src == nil {
		return nil, nil
	}
	return l.src.p.MarshalBinary()
}

// SetLayerState moves the layer's own random stream to a position saved
// by LayerState.
func (l *DropoutLayer) SetLayerState(state []byte) error {
	if l.src == nil {
		return errors.Errorf("layers: %s: a Dropout without its own seed has no state to restore", l.name)
	}
	p := &randv2.PCG{}
	if err := p.UnmarshalBinary(state); err != nil {
		return errors.Wrapf(err, "layers: %s: random stream state", l.name)
	}
	l.src.p = p
	return nil
}

// DropoutConfig is Dropout's serialisable configuration.
type DropoutConfig struct {
	BaseConfig
	Rate float64 `json:"rate"`
	Seed *int64  `json:"seed,omitempty"`
}

// Config returns the layer's configuration.
func (l *DropoutLayer) Config() any {
	return DropoutConfig{BaseConfig: l.BaseConfig(), Rate: l.rate, Seed: l.seed}
}

func init() {
	classes.Builtin("Dropout", func(raw json.RawMessage) (Layer, error) {
		var c DropoutConfig
		if err := decode("Dropout", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Dropout config")
		}
		var opts []DropoutOption
		for _, o := range common {
			opts = append(opts, o)
		}
		if c.Seed != nil {
			opts = append(opts, Seed(*c.Seed))
		}
		return Dropout(c.Rate, opts...), nil
	})
}
