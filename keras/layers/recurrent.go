package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/constraints"
	"github.com/gokeras/gokeras/keras/initializers"
	"github.com/gokeras/gokeras/keras/internal/hparams"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/regularizers"
)

// RecurrentLayer is a recurrent layer: SimpleRNN, LSTM or GRU (Keras 3's
// keras/src/layers/rnn/simple_rnn.py, lstm.py, gru.py). It reads a
// sequence (batch, timesteps, features) and runs its cell over all time
// steps inside one op of the compiled program (backend.Recurrent), with
// backpropagation through time as that op's gradient.
//
// It is a MultiLayer: applied to one tensor it returns the output, plus
// the final states with ReturnState ([output, h] for SimpleRNN and GRU,
// [output, h, c] for LSTM; use ApplyAll); applied to the sequence and
// initial states (ApplyAll(x, h0) or, for LSTM, ApplyAll(x, h0, c0):
// Keras's initial_state) it starts from them instead of zeros.
type RecurrentLayer struct {
	Base
	class          string
	units          int
	activation     activations.Activation
	recActivation  activations.Activation
	kb             kernelBias
	recInit        initializers.Initializer
	recReg         regularizers.Regularizer
	recCon         constraints.Constraint
	unitForgetBias bool
	resetAfter     bool
	dropout        float64
	recDropout     float64
	seed           *int64
	src            *pcgSource
	rng            *rand.Rand
	returnSeq      bool
	returnState    bool
	goBackwards    bool
	zeroOutput     bool

	kernel, recKernel, bias *backend.Variable
	// path names the op and its noise inputs in a graph: the layer's name,
	// or "<wrapper>/<name>" inside Bidirectional.
	path string
}

// RNNOption is an option of SimpleRNN, LSTM and GRU: Common, Activation,
// a WeightOption, Seed or a RecurrentOption.
type RNNOption interface{ applyRNN(*RecurrentLayer) }

func (c Common) applyRNN(l *RecurrentLayer)           { c.ApplyTo(&l.Base) }
func (o WeightOption) applyRNN(l *RecurrentLayer)     { o.applyTo(&l.kb) }
func (l *ActivationLayer) applyRNN(r *RecurrentLayer) { l.setActivation(&r.Base, &r.activation) }
func (o activationOption) applyRNN(r *RecurrentLayer) { r.activation = o.a }
func (o SeedOption) applyRNN(l *RecurrentLayer) {
	seed := o.seed
	l.seed = &seed
}

// RecurrentOption is an option only the recurrent layers take
// (RecurrentActivation, RecurrentInitializer, InputDropout, ReturnState,
// ...). Some belong to one cell: UnitForgetBias to LSTM, ResetAfter to
// GRU, RecurrentActivation to LSTM and GRU; giving one to another layer is
// reported when the model is built.
type RecurrentOption struct {
	kw    string
	cells []string // the classes that take it; nil: all
	set   func(*RecurrentLayer) error
}

func (o RecurrentOption) applyRNN(l *RecurrentLayer) {
	if o.set == nil {
		l.Fail(errors.Wrap(kerrors.ErrNil, "layers: a zero RecurrentOption"))
		return
	}
	if o.cells != nil {
		ok := false
		for _, c := range o.cells {
			ok = ok || c == l.class
		}
		if !ok {
			l.Fail(&kerrors.OptionError{Call: l.class, Option: o.kw, Value: "given",
				Msg: fmt.Sprintf("%s has no %s (it is an option of %v)", l.class, o.kw, o.cells)})
			return
		}
	}
	if err := o.set(l); err != nil {
		l.Fail(errors.Wrap(err, "layers: "+l.class+": "+o.kw))
	}
}

// Keyword returns the Keras keyword of the option ("return_sequences").
func (o RecurrentOption) Keyword() string { return o.kw }

var gated = []string{"LSTM", "GRU"}

// RecurrentActivation sets the activation of the gates of LSTM and GRU
// (Keras: recurrent_activation; default "sigmoid"). See Activation for
// the activations a recurrent layer computes.
func RecurrentActivation(act any) RecurrentOption {
	return RecurrentOption{"recurrent_activation", gated, func(l *RecurrentLayer) error {
		a, err := activations.Resolve(act)
		if err == nil {
			l.recActivation = a
		}
		return err
	}}
}

// RecurrentInitializer sets how the recurrent kernel is initialised
// (Keras: recurrent_initializer; default "orthogonal"): a Keras name or an
// initializers.Initializer.
func RecurrentInitializer(init any) RecurrentOption {
	return RecurrentOption{"recurrent_initializer", nil, func(l *RecurrentLayer) error {
		i, err := initializers.Resolve(init)
		l.recInit = i
		return err
	}}
}

// RecurrentRegularizer adds a penalty on the recurrent kernel to the
// model's loss (Keras: recurrent_regularizer; default none).
func RecurrentRegularizer(r any) RecurrentOption {
	return RecurrentOption{"recurrent_regularizer", nil, func(l *RecurrentLayer) error {
		reg, err := regularizers.Resolve(r)
		l.recReg = reg
		return err
	}}
}

// RecurrentConstraint projects the recurrent kernel after every optimizer
// update (Keras: recurrent_constraint; default none).
func RecurrentConstraint(c any) RecurrentOption {
	return RecurrentOption{"recurrent_constraint", nil, func(l *RecurrentLayer) error {
		con, err := constraints.Resolve(c)
		l.recCon = con
		return err
	}}
}

func checkRate(kw string, rate float64) error {
	if !(rate >= 0 && rate < 1) {
		return &kerrors.OptionError{Call: "recurrent layer", Option: kw, Value: fmt.Sprint(rate), Msg: "must be in [0, 1)"}
	}
	return nil
}

// InputDropout sets the fraction of the input features dropped in
// training (Keras: dropout; default 0), in [0, 1). As in Keras, one mask
// per sequence is drawn for each training step and applied at every time
// step (one per gate when RecurrentDropout is also set, Keras's
// implementation 1); kept values are scaled by 1/(1-rate).
func InputDropout(rate float64) RecurrentOption {
	return RecurrentOption{"dropout", nil, func(l *RecurrentLayer) error {
		l.dropout = rate
		return checkRate("dropout", rate)
	}}
}

// RecurrentDropout sets the fraction of the state h dropped before the
// recurrent projection in training (Keras: recurrent_dropout; default 0),
// in [0, 1), with one mask per sequence (per gate for LSTM and GRU) for
// all time steps.
func RecurrentDropout(rate float64) RecurrentOption {
	return RecurrentOption{"recurrent_dropout", nil, func(l *RecurrentLayer) error {
		l.recDropout = rate
		return checkRate("recurrent_dropout", rate)
	}}
}

// ReturnSequences makes the layer return the output of every time step,
// (batch, timesteps, units), instead of the last one, (batch, units)
// (Keras: return_sequences; default false). The sequence keeps the input's
// mask.
func ReturnSequences(on bool) RecurrentOption {
	return RecurrentOption{"return_sequences", nil, func(l *RecurrentLayer) error { l.returnSeq = on; return nil }}
}

// ReturnState makes the layer also return its final states (Keras:
// return_state; default false): apply it with ApplyAll to get [output,
// h] (SimpleRNN, GRU) or [output, h, c] (LSTM).
func ReturnState(on bool) RecurrentOption {
	return RecurrentOption{"return_state", nil, func(l *RecurrentLayer) error { l.returnState = on; return nil }}
}

// GoBackwards processes the sequence from its last step to its first and
// returns the outputs in that order (Keras: go_backwards; default false).
func GoBackwards(on bool) RecurrentOption {
	return RecurrentOption{"go_backwards", nil, func(l *RecurrentLayer) error { l.goBackwards = on; return nil }}
}

// ZeroOutputForMask makes the output of a masked step zeros instead of the
// previous step's output (Keras: zero_output_for_mask; default false;
// Bidirectional sets it when it returns sequences).
func ZeroOutputForMask(on bool) RecurrentOption {
	return RecurrentOption{"zero_output_for_mask", nil, func(l *RecurrentLayer) error { l.zeroOutput = on; return nil }}
}

// UnitForgetBias adds 1 to the forget gate's bias at initialisation
// (Keras: unit_forget_bias; default true), an LSTM option. The other gates'
// biases come from BiasInitializer.
func UnitForgetBias(on bool) RecurrentOption {
	return RecurrentOption{"unit_forget_bias", []string{"LSTM"}, func(l *RecurrentLayer) error { l.unitForgetBias = on; return nil }}
}

// ResetAfter chooses GRU's convention (Keras: reset_after; default true,
// cuDNN's and torch's): the reset gate multiplies the recurrent projection,
// and the bias is (2, 3*units), input and recurrent biases. With false the
// reset gate multiplies the state before the projection and the bias is
// (3*units). A GRU option.
func ResetAfter(on bool) RecurrentOption {
	return RecurrentOption{"reset_after", []string{"GRU"}, func(l *RecurrentLayer) error { l.resetAfter = on; return nil }}
}

func newRecurrent(class string, units int, opts []RNNOption) *RecurrentLayer {
	l := &RecurrentLayer{class: class, units: units, activation: activations.Tanh(), kb: defaultKernelBias(),
		recInit: initializers.Orthogonal(), unitForgetBias: class == "LSTM", resetAfter: class == "GRU"}
	if class != "SimpleRNN" {
		l.recActivation = activations.Sigmoid()
	}
	l.Init(l, class)
	applyOptions(l, class, opts, func(o RNNOption) { o.applyRNN(l) })
	if l.kb.err != nil {
		l.Fail(l.kb.err)
	}
	if units < 1 || units > 1<<20 {
		l.Fail(&kerrors.OptionError{Call: class, Option: "units", Value: itoa(units), Msg: "must be >= 1 and <= 2^20"})
	}
	if l.seed != nil {
		l.src = &pcgSource{randv2.NewPCG(uint64(*l.seed), dropoutStream)}
		l.rng = rand.New(l.src)
	}
	return l
}

// SimpleRNN returns a fully connected recurrent layer, h_t =
// activation(x_t·kernel + h_{t-1}·recurrent_kernel + bias) (Keras:
// layer_simple_rnn / SimpleRNN). Options: Activation (default "tanh"),
// UseBias (true), KernelInitializer ("glorot_uniform"),
// RecurrentInitializer ("orthogonal"), BiasInitializer ("zeros"), the
// regularizers and constraints of the three weights (none), InputDropout
// and RecurrentDropout (0), Seed, ReturnSequences, ReturnState,
// GoBackwards, ZeroOutputForMask (false) and the Common options. Weights
// (Keras order and layout): kernel (features, units), recurrent_kernel
// (units, units), bias (units).
func SimpleRNN(units int, opts ...RNNOption) *RecurrentLayer {
	return newRecurrent("SimpleRNN", units, opts)
}

// LSTM returns a long short-term memory layer (Keras: layer_lstm / LSTM)
// with gates in Keras's order i, f, c, o. Options: SimpleRNN's, plus
// RecurrentActivation (default "sigmoid") and UnitForgetBias (true).
// Weights: kernel (features, 4*units), recurrent_kernel (units, 4*units),
// bias (4*units). Its states are h and c.
func LSTM(units int, opts ...RNNOption) *RecurrentLayer {
	return newRecurrent("LSTM", units, opts)
}

// GRU returns a gated recurrent unit layer (Keras: layer_gru / GRU) with
// gates in Keras's order z, r, h. Options: SimpleRNN's, plus
// RecurrentActivation (default "sigmoid") and ResetAfter (true). Weights:
// kernel (features, 3*units), recurrent_kernel (units, 3*units), bias
// (2, 3*units) with reset_after, else (3*units).
func GRU(units int, opts ...RNNOption) *RecurrentLayer {
	return newRecurrent("GRU", units, opts)
}

// ClassName returns "SimpleRNN", "LSTM" or "GRU".
func (l *RecurrentLayer) ClassName() string { return l.class }

// Units returns the size of the state and of the output.
func (l *RecurrentLayer) Units() int { return l.units }

// ReturnsSequences reports whether the output is the whole sequence.
func (l *RecurrentLayer) ReturnsSequences() bool { return l.returnSeq }

// ReturnsState reports whether the layer also returns its final states.
func (l *RecurrentLayer) ReturnsState() bool { return l.returnState }

// GoesBackwards reports whether the layer processes the sequence from its
// end.
func (l *RecurrentLayer) GoesBackwards() bool { return l.goBackwards }

// NumStates returns the number of states: 2 for LSTM (h, c), else 1.
func (l *RecurrentLayer) NumStates() int {
	if l.class == "LSTM" {
		return 2
	}
	return 1
}

func (l *RecurrentLayer) cell() backend.RNNCell {
	switch {
	case l.class == "SimpleRNN":
		return backend.SimpleRNNCell
	case l.class == "LSTM":
		return backend.LSTMCell
	case l.resetAfter:
		return backend.GRUCell
	}
	return backend.GRUResetBeforeCell
}

// rnnActivation returns the op's name for a, or an error for an
// activation the fused cell does not compute.
func rnnActivation(kw string, a activations.Activation) (string, error) {
	c := activations.ConfigOf(a)
	switch c.Name {
	case "tanh", "sigmoid", "relu", "linear", "hard_sigmoid", "keras2_hard_sigmoid", "gelu", "silu", "swish":
		if hparams.Empty(c.Params) {
			return c.Name, nil
		}
	}
	return "", &kerrors.OptionError{Call: "recurrent layer", Option: kw, Value: fmt.Sprintf("%s %s", c.Name, c.Params),
		Msg: "the recurrent cell computes tanh, sigmoid, relu, linear, hard_sigmoid, keras2_hard_sigmoid, gelu or silu (without parameters)"}
}

// Build is BuildMulti for one input; it fails when the layer returns its
// states (apply it with ApplyAll).
func (l *RecurrentLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	out, err := l.BuildMulti(ctx, [][]int{in})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, errors.Errorf("layers: %s: with return_state the layer has %d outputs; apply it with ApplyAll", l.name, len(out))
	}
	return out[0], nil
}

// BuildMulti checks the sequence (timesteps, features) and the optional
// initial states (units) each, declares kernel, recurrent_kernel and bias
// and returns the output shape, then one (units) per state with
// ReturnState.
func (l *RecurrentLayer) BuildMulti(ctx *BuildContext, in [][]int) ([][]int, error) {
	if done, err := l.StartBuildMulti(in); done || err != nil {
		return l.OutputShapes(), err
	}
	if len(in) == 0 {
		return nil, errors.Errorf("layers: %s: applied to no tensors", l.name)
	}
	seq := in[0]
	if len(seq) != 2 || seq[1] < 1 || (seq[0] < 1 && seq[0] != -1) {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(seq),
			Msg: l.class + " needs sequences (batch, timesteps, features) with a known number of features; for a table (batch, features) add a time axis (Reshape) or use RepeatVector"}
	}
	if n := len(in) - 1; n != 0 && n != l.NumStates() {
		return nil, errors.Errorf("layers: %s: %s takes the sequence and %d initial state(s), got %d initial states", l.name, l.class, l.NumStates(), n)
	}
	for i, s := range in[1:] {
		if len(s) != 1 || s[0] != l.units {
			return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: fmt.Sprintf("initial state %d", i), Got: withBatch(s), Want: withBatch([]int{l.units}),
				Msg: "an initial state has one value per unit"}
		}
	}
	if _, err := rnnActivation("activation", l.activation); err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if l.recActivation != nil {
		if _, err := rnnActivation("recurrent_activation", l.recActivation); err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	f, u, g := seq[1], l.units, l.cell().Gates()
	var err error
	if l.kernel, err = l.AddWeight(ctx, "kernel", []int{f, g * u}, l.kb.kernelSpec()); err != nil {
		return nil, err
	}
	rec := WeightSpec{Initializer: l.recInit, Regularizer: l.recReg, Constraint: l.recCon}
	if l.recKernel, err = l.AddWeight(ctx, "recurrent_kernel", []int{u, g * u}, rec); err != nil {
		return nil, err
	}
	if l.kb.useBias {
		spec := l.kb.biasSpec()
		shape := []int{g * u}
		switch {
		case l.cell() == backend.GRUCell:
			shape = []int{2, g * u}
		case l.class == "LSTM" && l.unitForgetBias:
			spec.Initializer = forgetBiasInit{inner: spec.Initializer, units: u}
		}
		if l.bias, err = l.AddWeight(ctx, "bias", shape, spec); err != nil {
			return nil, err
		}
	}
	out := [][]int{{u}}
	if l.returnSeq {
		out[0] = []int{seq[0], u}
	}
	if l.returnState {
		for i := 0; i < l.NumStates(); i++ {
			out = append(out, []int{u})
		}
	}
	return l.FinishBuildMulti(in, out), nil
}

// Forward is ForwardMulti for one input and one output.
func (l *RecurrentLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	outs, err := l.ForwardMulti(s, []*G.Node{x})
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("layers: %s: with return_state the layer has %d outputs", l.name, len(outs))
	}
	return outs[0], nil
}

// ForwardMulti runs the cell over the sequence xs[0], starting from the
// initial states xs[1:] when given, and returns the output (the sequence
// with ReturnSequences, else the last output), then the final states with
// ReturnState. The input's mask (Scope.Mask) skips steps; a returned
// sequence keeps it.
func (l *RecurrentLayer) ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	r, mask, err := l.run(s, xs, l.zeroOutput)
	if err != nil {
		return nil, err
	}
	out, err := r.Output(l.returnSeq)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if l.returnSeq && mask != nil {
		s.SetMask(out, mask)
	}
	outs := []*G.Node{out}
	if l.returnState {
		states, err := r.States()
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
		outs = append(outs, states...)
	}
	return outs, nil
}

// run adds the recurrent op for xs (the sequence, then optional initial
// states) and returns it with the input's mask.
func (l *RecurrentLayer) run(s *backend.Scope, xs []*G.Node, zeroOutput bool) (*backend.RNN, *G.Node, error) {
	if len(xs) == 0 || (len(xs) != 1 && len(xs) != 1+l.NumStates()) {
		return nil, nil, errors.Errorf("layers: %s: %d inputs; %s takes the sequence and optionally %d initial state(s)", l.name, len(xs), l.class, l.NumStates())
	}
	x := xs[0]
	if x.Dims() != 3 {
		return nil, nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: x.Shape().Clone(),
			Msg: l.class + " needs sequences (batch, timesteps, features)"}
	}
	path := l.path
	if path == "" {
		path = l.name
	}
	act, err := rnnActivation("activation", l.activation)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	spec := backend.RNNSpec{Cell: l.cell(), Units: l.units, Activation: act, GoBackwards: l.goBackwards,
		ZeroOutputForMask: zeroOutput, Name: path}
	if l.recActivation != nil {
		if spec.RecurrentActivation, err = rnnActivation("recurrent_activation", l.recActivation); err != nil {
			return nil, nil, errors.Wrapf(err, "layers: %s", l.name)
		}
	}
	in := backend.RNNInputs{X: x}
	if in.Kernel, err = s.Param(l.kernel); err != nil {
		return nil, nil, err
	}
	if in.RecurrentKernel, err = s.Param(l.recKernel); err != nil {
		return nil, nil, err
	}
	if l.kb.useBias {
		if in.Bias, err = s.Param(l.bias); err != nil {
			return nil, nil, err
		}
	}
	if len(xs) > 1 {
		in.InitialH = xs[1]
		if len(xs) > 2 {
			in.InitialC = xs[2]
		}
	}
	shape := x.Shape()
	batch, steps, features := shape[0], shape[1], shape[2]
	mask := s.Mask(x)
	if mask != nil {
		if ms := mask.Shape(); mask.Dims() != 2 || ms[0] != batch || ms[1] != steps {
			return nil, nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "mask", Got: ms.Clone(), Want: []int{batch, steps},
				Msg: fmt.Sprintf("the mask of %s's input must have one value per sample and time step", l.class)}
		}
		in.Mask = mask
	}
	if s.Training() {
		perGate := l.recDropout > 0 && l.class != "SimpleRNN"
		gates := l.cell().Gates()
		dshape := func(n int) []int {
			if perGate {
				return []int{gates, batch, n}
			}
			return []int{batch, n}
		}
		if l.dropout > 0 {
			in.InputDropout = s.Noise(path+"/dropout_mask", dshape(features), l.maskFill(l.dropout))
		}
		if l.recDropout > 0 {
			in.RecurrentDropout = s.Noise(path+"/recurrent_dropout_mask", dshape(l.units), l.maskFill(l.recDropout))
		}
	}
	r, err := backend.Recurrent(spec, in)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	return r, mask, nil
}

// maskFill draws a dropout mask of 0 and 1/(1-rate), from the layer's own
// stream when it has a Seed.
func (l *RecurrentLayer) maskFill(rate float64) func(*rand.Rand, *tensor.Dense) {
	keep := 1 - rate
	return func(rng *rand.Rand, dst *tensor.Dense) {
		if l.rng != nil {
			rng = l.rng
		}
		switch d := dst.Data().(type) {
		case []float32:
			fillMask(rng, d, keep, 1/keep)
		case []float64:
			fillMask(rng, d, keep, 1/keep)
		}
	}
}

// LayerState returns the position of the layer's own random stream (nil
// without Seed).
func (l *RecurrentLayer) LayerState() ([]byte, error) {
	if l.src == nil {
		return nil, nil
	}
	return l.src.p.MarshalBinary()
}

// SetLayerState moves the layer's own random stream to a position saved
// by LayerState.
func (l *RecurrentLayer) SetLayerState(state []byte) error {
	if l.src == nil {
		return errors.Errorf("layers: %s: a %s without its own seed has no state to restore", l.name, l.class)
	}
	p := &randv2.PCG{}
	if err := p.UnmarshalBinary(state); err != nil {
		return errors.Wrapf(err, "layers: %s: random stream state", l.name)
	}
	l.src.p = p
	return nil
}

// forgetBiasInit is LSTM's bias initializer with unit_forget_bias (Keras
// lstm.py): the inner initializer's values for the i gate, ones for f, the
// inner initializer's values for c and o.
type forgetBiasInit struct {
	inner initializers.Initializer
	units int
}

func (f forgetBiasInit) Name() string { return f.inner.Name() }

func (f forgetBiasInit) CheckShape(shape []int) error {
	if len(shape) != 1 || shape[0] != 4*f.units {
		return errors.Errorf("unit_forget_bias fills a bias of %d values, got shape %v", 4*f.units, shape)
	}
	if sc, ok := f.inner.(initializers.ShapeChecker); ok {
		if err := sc.CheckShape([]int{f.units}); err != nil {
			return err
		}
	}
	return nil
}

func (f forgetBiasInit) Init(rng *rand.Rand, _ []int) []float64 {
	u := f.units
	out := make([]float64, 4*u)
	copy(out, f.inner.Init(rng, []int{u}))
	for i := u; i < 2*u; i++ {
		out[i] = 1
	}
	copy(out[2*u:], f.inner.Init(rng, []int{2 * u}))
	return out
}

// RecurrentConfig is the serialisable configuration of SimpleRNN, LSTM
// and GRU (Keras's keywords).
type RecurrentConfig struct {
	BaseConfig
	Units               int                 `json:"units"`
	Activation          activations.Config  `json:"activation"`
	RecurrentActivation *activations.Config `json:"recurrent_activation,omitempty"`
	kernelBiasConfig
	RecurrentInitializer initializers.Config  `json:"recurrent_initializer"`
	RecurrentRegularizer *regularizers.Config `json:"recurrent_regularizer,omitempty"`
	RecurrentConstraint  *constraints.Config  `json:"recurrent_constraint,omitempty"`
	UnitForgetBias       *bool                `json:"unit_forget_bias,omitempty"`
	ResetAfter           *bool                `json:"reset_after,omitempty"`
	Dropout              float64              `json:"dropout"`
	RecurrentDropout     float64              `json:"recurrent_dropout"`
	Seed                 *int64               `json:"seed,omitempty"`
	ReturnSequences      bool                 `json:"return_sequences"`
	ReturnState          bool                 `json:"return_state"`
	GoBackwards          bool                 `json:"go_backwards"`
	ZeroOutputForMask    bool                 `json:"zero_output_for_mask"`
}

// Config returns the layer's configuration.
func (l *RecurrentLayer) Config() any {
	c := RecurrentConfig{BaseConfig: l.BaseConfig(), Units: l.units, Activation: activations.ConfigOf(l.activation),
		kernelBiasConfig: l.kb.config(), RecurrentInitializer: initializers.ConfigOf(l.recInit),
		RecurrentRegularizer: regularizerConfig(l.recReg), RecurrentConstraint: constraintConfig(l.recCon),
		Dropout: l.dropout, RecurrentDropout: l.recDropout, Seed: l.seed, ReturnSequences: l.returnSeq,
		ReturnState: l.returnState, GoBackwards: l.goBackwards, ZeroOutputForMask: l.zeroOutput}
	if l.recActivation != nil {
		ra := activations.ConfigOf(l.recActivation)
		c.RecurrentActivation = &ra
	}
	switch l.class {
	case "LSTM":
		b := l.unitForgetBias
		c.UnitForgetBias = &b
	case "GRU":
		b := l.resetAfter
		c.ResetAfter = &b
	}
	return c
}

// options rebuilds the options of a configuration.
func (c RecurrentConfig) options() ([]RNNOption, error) {
	common, err := c.BaseConfig.Common()
	if err != nil {
		return nil, err
	}
	weights, err := c.kernelBiasConfig.options()
	if err != nil {
		return nil, err
	}
	act, err := activations.FromConfig(c.Activation)
	if err != nil {
		return nil, errors.Wrap(err, "activation")
	}
	ri, err := initializers.FromConfig(c.RecurrentInitializer)
	if err != nil {
		return nil, errors.Wrap(err, "recurrent_initializer")
	}
	opts := []RNNOption{activationOption{act}, RecurrentInitializer(ri), InputDropout(c.Dropout), RecurrentDropout(c.RecurrentDropout),
		ReturnSequences(c.ReturnSequences), ReturnState(c.ReturnState), GoBackwards(c.GoBackwards), ZeroOutputForMask(c.ZeroOutputForMask)}
	for _, o := range common {
		opts = append(opts, o)
	}
	for _, o := range weights {
		opts = append(opts, o)
	}
	if c.RecurrentActivation != nil {
		ra, err := activations.FromConfig(*c.RecurrentActivation)
		if err != nil {
			return nil, errors.Wrap(err, "recurrent_activation")
		}
		opts = append(opts, RecurrentActivation(ra))
	}
	if c.RecurrentRegularizer != nil {
		r, err := regularizers.FromConfig(*c.RecurrentRegularizer)
		if err != nil {
			return nil, errors.Wrap(err, "recurrent_regularizer")
		}
		opts = append(opts, RecurrentRegularizer(r))
	}
	if c.RecurrentConstraint != nil {
		k, err := constraints.FromConfig(*c.RecurrentConstraint)
		if err != nil {
			return nil, errors.Wrap(err, "recurrent_constraint")
		}
		opts = append(opts, RecurrentConstraint(k))
	}
	if c.UnitForgetBias != nil {
		opts = append(opts, UnitForgetBias(*c.UnitForgetBias))
	}
	if c.ResetAfter != nil {
		opts = append(opts, ResetAfter(*c.ResetAfter))
	}
	if c.Seed != nil {
		opts = append(opts, Seed(*c.Seed))
	}
	return opts, nil
}

func init() {
	for _, class := range []string{"SimpleRNN", "LSTM", "GRU"} {
		class := class
		classes.Builtin(class, func(raw json.RawMessage) (Layer, error) {
			var c RecurrentConfig
			if err := decode(class, raw, &c); err != nil {
				return nil, err
			}
			opts, err := c.options()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s config", class)
			}
			return newRecurrent(class, c.Units, opts), nil
		})
	}
}
