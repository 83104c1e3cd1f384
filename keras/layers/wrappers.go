package layers

import (
	"encoding/json"
	"fmt"
	"math/rand"
	randv2 "math/rand/v2"
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// WrappedLayerConfig is how a wrapper's configuration holds the layer it
// wraps: Keras's {"class_name": ..., "config": ...}.
type WrappedLayerConfig struct {
	ClassName string          `json:"class_name"`
	Config    json.RawMessage `json:"config"`
}

func wrappedConfig(l Layer) WrappedLayerConfig {
	raw, err := json.Marshal(l.Config())
	if err != nil {
		// Every built-in layer's configuration marshals; a user layer's
		// failure is reported by the model's own encoding of it.
		raw = json.RawMessage("null")
	}
	return WrappedLayerConfig{ClassName: l.ClassName(), Config: raw}
}

// adopt makes the weights of inner, a layer wrapped by b's layer, weights
// of b's layer too, named "<wrapper>/<inner>/<weight>", so that models
// initialise, train and save them as the wrapper's (Keras tracks a
// wrapped layer's variables the same way).
func (b *Base) adopt(inner Layer) {
	ib := inner.LayerBase()
	for i, v := range ib.vars {
		local := ib.name + "/" + ib.local[i]
		b.vars = append(b.vars, v)
		b.specs = append(b.specs, ib.specs[i])
		b.local = append(b.local, local)
		v.SetName(b.name + "/" + local)
		v.SetTrainable(b.trainable && ib.trainable && !ib.specs[i].NonTrainable)
	}
}

// BidirectionalLayer runs a recurrent layer forwards and a copy of it
// backwards over the same sequence and merges their outputs.
type BidirectionalLayer struct {
	Base
	forward, backward *RecurrentLayer
	mergeMode         string // concat, sum, mul, ave or none
	given             *RecurrentLayer
}

// BidirectionalOption is an option of Bidirectional: Common, MergeMode or
// BackwardLayer.
type BidirectionalOption interface{ applyBidirectional(*BidirectionalLayer) }

func (c Common) applyBidirectional(l *BidirectionalLayer) { c.ApplyTo(&l.Base) }

// MergeModeOption says how Bidirectional combines its two outputs.
type MergeModeOption string

// MergeMode sets how Bidirectional combines the forward and backward
// outputs (Keras: merge_mode; default "concat"): "concat" (along the last
// axis, forward first), "sum", "mul", "ave", or "none" (Keras's None: no
// merge, the layer returns both outputs, to apply with ApplyAll).
func MergeMode(mode string) MergeModeOption { return MergeModeOption(mode) }

func (o MergeModeOption) applyBidirectional(l *BidirectionalLayer) {
	switch o {
	case "concat", "sum", "mul", "ave", "none":
		l.mergeMode = string(o)
	default:
		l.Fail(&kerrors.OptionError{Call: "Bidirectional", Option: "merge_mode", Value: string(o),
			Msg: `must be "concat", "sum", "mul", "ave" or "none"`})
	}
}

// BackwardLayerOption gives Bidirectional its backward layer.
type BackwardLayerOption struct{ l *RecurrentLayer }

// BackwardLayer gives Bidirectional the layer that processes the sequence
// backwards (Keras: backward_layer; default a copy of the forward layer
// with GoBackwards flipped, named "backward_<name>"). It must go the other
// way from the forward layer and agree with it on ReturnSequences and
// ReturnState; it is used as given (with zero_output_for_mask set as
// Bidirectional sets it).
func BackwardLayer(l *RecurrentLayer) BackwardLayerOption { return BackwardLayerOption{l} }

func (o BackwardLayerOption) applyBidirectional(l *BidirectionalLayer) {
	if o.l == nil {
		l.Fail(errors.Wrap(kerrors.ErrNil, "layers: Bidirectional: backward_layer"))
		return
	}
	l.given = o.l
}

// Bidirectional returns a wrapper that runs layer forwards and a copy of
// it backwards over its input sequence and merges their outputs (Keras:
// bidirectional / Bidirectional). The forward layer is a copy of layer
// named "forward_<name>" (layer itself is not used, as in Keras, so its
// weights are not shared); the backward one is BackwardLayer or a copy
// with GoBackwards flipped, named "backward_<name>". When the layers
// return sequences, the backward sequence is reversed to align with the
// input steps, and masked steps give zeros (Keras forces
// zero_output_for_mask). Output: the merged output, (timesteps, 2*units)
// with "concat" and return_sequences; with ReturnState, then the forward
// states and the backward states; with MergeMode("none"), both outputs
// first. Initial states, when given (ApplyAll(x, states...)), are split
// in half: the forward layer's, then the backward layer's. Options:
// MergeMode ("concat"), BackwardLayer and the Common options. Weights: the
// forward layer's, then the backward layer's, each named
// "<bidirectional>/<forward_lstm>/<weight>".
func Bidirectional(layer *RecurrentLayer, opts ...BidirectionalOption) *BidirectionalLayer {
	l := &BidirectionalLayer{mergeMode: "concat"}
	l.Init(l, "Bidirectional")
	for _, o := range opts {
		if o == nil {
			l.Fail(nilOption("Bidirectional"))
			continue
		}
		o.applyBidirectional(l)
	}
	if err := Check(layer); err != nil {
		l.Fail(errors.Wrap(err, "layers: Bidirectional: layer"))
		return l
	}
	name := layer.name
	if name == "" {
		name = DefaultName(layer.class)
	}
	l.forward = layer.clone("forward_" + strings.TrimPrefix(name, "forward_"))
	if l.given != nil {
		if err := Check(l.given); err != nil {
			l.Fail(errors.Wrap(err, "layers: Bidirectional: backward_layer"))
			return l
		}
		l.backward = l.given
		if l.backward.name == "" {
			l.backward.SetName("backward_" + strings.TrimPrefix(DefaultName(l.backward.class), "backward_"))
		}
	} else {
		l.backward = layer.clone("backward_" + strings.TrimPrefix(name, "backward_"))
		l.backward.goBackwards = !layer.goBackwards
	}
	f, b := l.forward, l.backward
	switch {
	case f.goBackwards == b.goBackwards:
		l.Fail(&kerrors.OptionError{Call: "Bidirectional", Option: "backward_layer", Value: b.name,
			Msg: fmt.Sprintf("the forward and backward layers must have different go_backwards, both have %v", f.goBackwards)})
	case f.returnSeq != b.returnSeq || f.returnState != b.returnState:
		l.Fail(&kerrors.OptionError{Call: "Bidirectional", Option: "backward_layer", Value: b.name,
			Msg: "the forward and backward layers must agree on return_sequences and return_state"})
	case f.name == b.name:
		l.Fail(&kerrors.OptionError{Call: "Bidirectional", Option: "backward_layer", Value: b.name,
			Msg: "the forward and backward layers need different names"})
	case f.ActivityRegularizer() != nil || b.ActivityRegularizer() != nil:
		l.Fail(&kerrors.OptionError{Call: "Bidirectional", Option: "layer", Value: "activity_regularizer",
			Msg: "give the activity regularizer to Bidirectional, not to the layers it wraps"})
	}
	f.zeroOutput, b.zeroOutput = f.returnSeq, b.returnSeq
	return l
}

// clone returns a new layer with l's options (not its weights), named
// name, as Keras's Bidirectional re-creates its layer from its config.
func (l *RecurrentLayer) clone(name string) *RecurrentLayer {
	c := &RecurrentLayer{class: l.class, units: l.units, activation: l.activation, recActivation: l.recActivation,
		kb: l.kb, recInit: l.recInit, recReg: l.recReg, recCon: l.recCon, unitForgetBias: l.unitForgetBias,
		resetAfter: l.resetAfter, dropout: l.dropout, recDropout: l.recDropout, returnSeq: l.returnSeq,
		returnState: l.returnState, goBackwards: l.goBackwards, zeroOutput: l.zeroOutput}
	c.Init(c, l.class, Name(name))
	c.trainable, c.actReg = l.trainable, l.actReg
	if err := l.Err(); err != nil {
		c.Fail(err)
	}
	if l.seed != nil {
		seed := *l.seed
		c.seed = &seed
		c.src = &pcgSource{randv2.NewPCG(uint64(seed), dropoutStream)}
		c.rng = rand.New(c.src)
	}
	return c
}

// ClassName returns "Bidirectional".
func (l *BidirectionalLayer) ClassName() string { return "Bidirectional" }

// ForwardLayer returns the layer that processes the sequence forwards (a
// copy of the layer given to Bidirectional).
func (l *BidirectionalLayer) ForwardLayer() *RecurrentLayer { return l.forward }

// BackwardLayer returns the layer that processes the sequence backwards.
func (l *BidirectionalLayer) BackwardLayer() *RecurrentLayer { return l.backward }

// MergeMode returns how the outputs are combined ("concat", "sum", "mul",
// "ave" or "none").
func (l *BidirectionalLayer) MergeMode() string { return l.mergeMode }

// Build is BuildMulti for one input and one output.
func (l *BidirectionalLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	out, err := l.BuildMulti(ctx, [][]int{in})
	if err != nil {
		return nil, err
	}
	if len(out) != 1 {
		return nil, errors.Errorf("layers: %s: the layer has %d outputs; apply it with ApplyAll", l.name, len(out))
	}
	return out[0], nil
}

// BuildMulti builds the forward and backward layers for the sequence
// (and their halves of the initial states) and returns the output shapes.
func (l *BidirectionalLayer) BuildMulti(ctx *BuildContext, in [][]int) ([][]int, error) {
	if done, err := l.StartBuildMulti(in); done || err != nil {
		return l.OutputShapes(), err
	}
	if len(in) == 0 {
		return nil, errors.Errorf("layers: %s: applied to no tensors", l.name)
	}
	nst := l.forward.NumStates()
	if n := len(in) - 1; n != 0 && n != 2*nst {
		return nil, errors.Errorf("layers: %s: Bidirectional takes the sequence and %d initial states (the forward layer's, then the backward layer's), got %d", l.name, 2*nst, n)
	}
	fin, bin := [][]int{in[0]}, [][]int{in[0]}
	if len(in) > 1 {
		fin = append(fin, in[1:1+nst]...)
		bin = append(bin, in[1+nst:]...)
	}
	fout, err := buildMulti(l.forward, ctx, fin)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	bout, err := buildMulti(l.backward, ctx, bin)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	if !sameInts(fout[0], bout[0]) {
		return nil, errors.Errorf("layers: %s: the forward layer gives %s and the backward layer %s; they must have one shape", l.name, ShapeString(fout[0]), ShapeString(bout[0]))
	}
	l.adopt(l.forward)
	l.adopt(l.backward)
	y := append([]int(nil), fout[0]...)
	out := [][]int{y}
	switch l.mergeMode {
	case "concat":
		y[len(y)-1] *= 2
	case "none":
		out = append(out, append([]int(nil), y...))
	}
	out = append(out, fout[1:]...)
	out = append(out, bout[1:]...)
	return l.FinishBuildMulti(in, out), nil
}

// Forward is ForwardMulti for one input and one output.
func (l *BidirectionalLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	outs, err := l.ForwardMulti(s, []*G.Node{x})
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("layers: %s: the layer has %d outputs", l.name, len(outs))
	}
	return outs[0], nil
}

// ForwardMulti runs both layers and merges their outputs.
func (l *BidirectionalLayer) ForwardMulti(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
	nst := l.forward.NumStates()
	if len(xs) != 1 && len(xs) != 1+2*nst {
		return nil, errors.Errorf("layers: %s: %d inputs; Bidirectional takes the sequence and optionally %d initial states", l.name, len(xs), 2*nst)
	}
	fin, bin := xs[:1], xs[:1]
	if len(xs) > 1 {
		fin = append([]*G.Node{xs[0]}, xs[1:1+nst]...)
		bin = append([]*G.Node{xs[0]}, xs[1+nst:]...)
	}
	l.forward.path = l.name + "/" + l.forward.name
	l.backward.path = l.name + "/" + l.backward.name
	seq := l.forward.returnSeq
	rf, mask, err := l.forward.run(s, fin, seq)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	rb, _, err := l.backward.run(s, bin, seq)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	var y, yr *G.Node
	if seq {
		if y, err = rf.Sequence(); err == nil {
			yr, err = rb.ReversedSequence()
		}
	} else if y, err = rf.LastOutput(); err == nil {
		yr, err = rb.LastOutput()
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	var outs []*G.Node
	if l.mergeMode == "none" {
		outs = []*G.Node{y, yr}
	} else {
		m, err := backend.Merge(backend.MergeMode(l.mergeMode), y, yr)
		if err != nil {
			return nil, errors.Wrapf(err, "layers: %s", l.name)
		}
		outs = []*G.Node{m}
	}
	if seq && mask != nil {
		for _, o := range outs {
			s.SetMask(o, mask)
		}
	}
	if l.forward.returnState {
		for _, r := range []*backend.RNN{rf, rb} {
			st, err := r.States()
			if err != nil {
				return nil, errors.Wrapf(err, "layers: %s", l.name)
			}
			outs = append(outs, st...)
		}
	}
	return outs, nil
}

// bidirectionalState is the saved state of a Bidirectional layer: the
// random streams of its two layers (nil when a layer has no Seed).
type bidirectionalState struct {
	Forward  []byte `json:"forward,omitempty"`
	Backward []byte `json:"backward,omitempty"`
}

// LayerState returns the positions of the two layers' own random streams
// (nil when neither has a Seed).
func (l *BidirectionalLayer) LayerState() ([]byte, error) {
	f, err := l.forward.LayerState()
	if err != nil {
		return nil, err
	}
	b, err := l.backward.LayerState()
	if err != nil {
		return nil, err
	}
	if f == nil && b == nil {
		return nil, nil
	}
	return json.Marshal(bidirectionalState{f, b})
}

// SetLayerState restores a state saved by LayerState.
func (l *BidirectionalLayer) SetLayerState(state []byte) error {
	var st bidirectionalState
	if err := json.Unmarshal(state, &st); err != nil {
		return errors.Wrapf(err, "layers: %s: state", l.name)
	}
	if (st.Forward != nil) != (l.forward.src != nil) || (st.Backward != nil) != (l.backward.src != nil) {
		return errors.Errorf("layers: %s: the saved state does not match the layers' seeds", l.name)
	}
	// Check both before changing either.
	var fp, bp *pcgSource
	for _, p := range []struct {
		data []byte
		dst  **pcgSource
	}{{st.Forward, &fp}, {st.Backward, &bp}} {
		if p.data == nil {
			continue
		}
		src := &pcgSource{&randv2.PCG{}}
		if err := src.p.UnmarshalBinary(p.data); err != nil {
			return errors.Wrapf(err, "layers: %s: random stream state", l.name)
		}
		*p.dst = src
	}
	if fp != nil {
		l.forward.src.p = fp.p
	}
	if bp != nil {
		l.backward.src.p = bp.p
	}
	return nil
}

// BidirectionalConfig is Bidirectional's serialisable configuration
// (Keras's keywords; merge_mode is null for "none").
type BidirectionalConfig struct {
	BaseConfig
	MergeMode     *string            `json:"merge_mode"`
	Layer         WrappedLayerConfig `json:"layer"`
	BackwardLayer WrappedLayerConfig `json:"backward_layer"`
}

// Config returns the layer's configuration.
func (l *BidirectionalLayer) Config() any {
	c := BidirectionalConfig{BaseConfig: l.BaseConfig()}
	if l.mergeMode != "none" {
		m := l.mergeMode
		c.MergeMode = &m
	}
	if l.forward != nil {
		c.Layer = wrappedConfig(l.forward)
		c.BackwardLayer = wrappedConfig(l.backward)
	}
	return c
}

// TimeDistributedLayer applies a layer to every time step of its input.
type TimeDistributedLayer struct {
	Base
	layer Layer
}

// TimeDistributed returns a wrapper that applies layer, with one set of
// weights, to every step along axis 1 of its input (Keras:
// time_distributed / TimeDistributed): an input (timesteps, rest...) gives
// (timesteps, layer's output for rest...). The steps are computed together
// as one batch of batch*timesteps samples; a mask passes through
// unchanged (the wrapped layer does not see it). Weights: layer's, named
// "<time_distributed>/<layer>/<weight>". It takes the Common options.
func TimeDistributed(layer Layer, opts ...Common) *TimeDistributedLayer {
	l := &TimeDistributedLayer{layer: layer}
	l.Init(l, "TimeDistributed", opts...)
	l.SetSupportsMasking(true)
	if err := Check(layer); err != nil {
		l.Fail(errors.Wrap(err, "layers: TimeDistributed: layer"))
		return l
	}
	if layer.LayerBase().ActivityRegularizer() != nil {
		l.Fail(&kerrors.OptionError{Call: "TimeDistributed", Option: "layer", Value: "activity_regularizer",
			Msg: "give the activity regularizer to TimeDistributed, not to the layer it wraps"})
	}
	return l
}

// ClassName returns "TimeDistributed".
func (l *TimeDistributedLayer) ClassName() string { return "TimeDistributed" }

// Layer returns the wrapped layer.
func (l *TimeDistributedLayer) Layer() Layer { return l.layer }

// Build builds the wrapped layer for one step, rest..., and returns
// (timesteps, its output shape...).
func (l *TimeDistributedLayer) Build(ctx *BuildContext, in []int) ([]int, error) {
	if done, err := l.StartBuild(in); done || err != nil {
		return l.OutputShape(), err
	}
	if len(in) < 2 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: withBatch(in),
			Msg: "TimeDistributed needs inputs (batch, timesteps, ...) of rank 3 or more"}
	}
	inner := l.layer
	if inner.LayerBase().Name() == "" {
		inner.SetName(DefaultName(inner.ClassName()))
	}
	var out []int
	var err error
	if ml, ok := inner.(MultiLayer); ok {
		var outs [][]int
		if outs, err = buildMulti(ml, ctx, [][]int{in[1:]}); err == nil && len(outs) != 1 {
			err = errors.Errorf("%s has %d outputs", inner.Name(), len(outs))
		}
		if err == nil {
			out = outs[0]
		}
	} else {
		out, err = buildSingle(inner, ctx, in[1:])
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s: the wrapped layer", l.name)
	}
	if len(inner.Variables()) != len(inner.LayerBase().vars) {
		return nil, errors.Errorf("layers: %s: TimeDistributed cannot wrap a model (%s); wrap its layers", l.name, inner.Name())
	}
	l.adopt(inner)
	return l.FinishBuild(in, append([]int{in[0]}, out...)), nil
}

// Forward folds the time axis into the batch, applies the layer and
// unfolds the result.
func (l *TimeDistributedLayer) Forward(s *backend.Scope, x *G.Node) (*G.Node, error) {
	shape := x.Shape().Clone()
	if len(shape) < 3 {
		return nil, &kerrors.ShapeError{Where: "layers: " + l.name, Arg: "input", Got: shape, Msg: "TimeDistributed needs inputs of rank 3 or more"}
	}
	b, t := shape[0], shape[1]
	flat := append(tensor.Shape{b * t}, shape[2:]...)
	// Copies, not Gorgonia's Reshape views: a layer inside or after the
	// wrapper may run an elementwise op in place on its input.
	x2, err := backend.ReshapeCopy(x, flat)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	var y *G.Node
	if ml, ok := l.layer.(MultiLayer); ok {
		var ys []*G.Node
		if ys, err = ml.ForwardMulti(s, []*G.Node{x2}); err == nil {
			y = ys[0]
		}
	} else {
		y, err = l.layer.Forward(s, x2)
	}
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	ys := y.Shape()
	if y.Dims() < 1 || ys[0] != b*t {
		return nil, errors.Errorf("layers: %s: the wrapped layer returned shape %v for %d rows", l.name, ys, b*t)
	}
	unfold := func(n *G.Node) (*G.Node, error) {
		return backend.ReshapeCopy(n, append(tensor.Shape{b, t}, n.Shape()[1:]...))
	}
	out, err := unfold(y)
	if err != nil {
		return nil, errors.Wrapf(err, "layers: %s", l.name)
	}
	// Keep the loss fusion of a softmax or sigmoid output (Dense with an
	// activation) working through the reshape.
	if in, act, ok := s.ActivationOf(y); ok {
		if logits, err := unfold(in); err == nil {
			s.MarkActivation(out, logits, act)
		}
	}
	return out, nil
}

// LayerState returns the wrapped layer's state when it has one.
func (l *TimeDistributedLayer) LayerState() ([]byte, error) {
	if st, ok := l.layer.(Stateful); ok {
		return st.LayerState()
	}
	return nil, nil
}

// SetLayerState restores the wrapped layer's state.
func (l *TimeDistributedLayer) SetLayerState(state []byte) error {
	if st, ok := l.layer.(Stateful); ok {
		return st.SetLayerState(state)
	}
	return errors.Errorf("layers: %s: the wrapped layer %s has no state", l.name, l.layer.Name())
}

// Validate reports why the layer cannot be saved, if its wrapped layer
// cannot be.
func (l *TimeDistributedLayer) Validate() error {
	if v, ok := l.layer.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

// CheckDtype passes the check on to the wrapped layer (see DtypeChecker).
func (l *TimeDistributedLayer) CheckDtype(dt tensor.Dtype) error {
	if c, ok := l.layer.(DtypeChecker); ok {
		return c.CheckDtype(dt)
	}
	return nil
}

// TimeDistributedConfig is TimeDistributed's serialisable configuration.
type TimeDistributedConfig struct {
	BaseConfig
	Layer WrappedLayerConfig `json:"layer"`
}

// Config returns the layer's configuration.
func (l *TimeDistributedLayer) Config() any {
	c := TimeDistributedConfig{BaseConfig: l.BaseConfig()}
	if l.layer != nil {
		c.Layer = wrappedConfig(l.layer)
	}
	return c
}

func init() {
	classes.Builtin("Bidirectional", func(raw json.RawMessage) (Layer, error) {
		var c BidirectionalConfig
		if err := decode("Bidirectional", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: Bidirectional config")
		}
		rnn := func(kw string, w WrappedLayerConfig) (*RecurrentLayer, error) {
			inner, err := FromConfig(w.ClassName, w.Config)
			if err != nil {
				return nil, errors.Wrapf(err, "layers: Bidirectional config: %s", kw)
			}
			r, ok := inner.(*RecurrentLayer)
			if !ok {
				return nil, errors.Errorf("layers: Bidirectional config: %s is a %s, want SimpleRNN, LSTM or GRU", kw, w.ClassName)
			}
			return r, nil
		}
		f, err := rnn("layer", c.Layer)
		if err != nil {
			return nil, err
		}
		b, err := rnn("backward_layer", c.BackwardLayer)
		if err != nil {
			return nil, err
		}
		mode := "none"
		if c.MergeMode != nil {
			mode = *c.MergeMode
		}
		opts := []BidirectionalOption{MergeMode(mode), BackwardLayer(b)}
		for _, o := range common {
			opts = append(opts, o)
		}
		return Bidirectional(f, opts...), nil
	})
	classes.Builtin("TimeDistributed", func(raw json.RawMessage) (Layer, error) {
		var c TimeDistributedConfig
		if err := decode("TimeDistributed", raw, &c); err != nil {
			return nil, err
		}
		common, err := c.BaseConfig.Common()
		if err != nil {
			return nil, errors.Wrap(err, "layers: TimeDistributed config")
		}
		inner, err := FromConfig(c.Layer.ClassName, c.Layer.Config)
		if err != nil {
			return nil, errors.Wrap(err, "layers: TimeDistributed config: layer")
		}
		return TimeDistributed(inner, common...), nil
	})
}
