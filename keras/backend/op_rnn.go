package backend

import (
	"fmt"
	"strings"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RNNCell is the kind of cell a Recurrent op runs at every time step.
// Gate order and weight layout are Keras 3's, so weights exchange with
// Keras unchanged (keras/src/layers/rnn/simple_rnn.py, lstm.py, gru.py).
type RNNCell int

const (
	// SimpleRNNCell is Keras's SimpleRNN: h = act(x·W + b + h·U). One
	// gate: kernel (features, units), recurrent kernel (units, units),
	// bias (units).
	SimpleRNNCell RNNCell = iota + 1
	// LSTMCell is Keras's LSTM with gates in the order i, f, c, o:
	// kernel (features, 4*units), recurrent kernel (units, 4*units), bias
	// (4*units). i, f, o use the recurrent activation, the candidate c and
	// the output tanh(c) the activation; c' = f*c + i*act(zc),
	// h' = o*act(c'). It has two states, h and c.
	LSTMCell
	// GRUCell is Keras 3's default GRU (reset_after=True), gates in the
	// order z, r, h: kernel (features, 3*units), recurrent kernel (units,
	// 3*units), bias (2, 3*units) with the input bias in row 0 and the
	// recurrent bias in row 1. The reset gate multiplies the recurrent
	// projection: hh = act(xW_h + b_h + r*(hU_h + rb_h)),
	// h' = z*h + (1-z)*hh. This is torch's nn.GRU.
	GRUCell
	// GRUResetBeforeCell is Keras's GRU with reset_after=False: the reset
	// gate multiplies the state before the projection,
	// hh = act(xW_h + b_h + (r*h)·U_h); bias (3*units), no recurrent bias.
	GRUResetBeforeCell
)

// String returns the cell's name as used in op names and errors.
func (c RNNCell) String() string {
	switch c {
	case SimpleRNNCell:
		return "SimpleRNN"
	case LSTMCell:
		return "LSTM"
	case GRUCell:
		return "GRU"
	case GRUResetBeforeCell:
		return "GRU(reset_after=False)"
	}
	return fmt.Sprintf("RNNCell(%d)", int(c))
}

// Gates returns the number of gate blocks of the cell's kernels: 1, 4 or 3.
func (c RNNCell) Gates() int {
	switch c {
	case SimpleRNNCell:
		return 1
	case LSTMCell:
		return 4
	case GRUCell, GRUResetBeforeCell:
		return 3
	}
	return 0
}

// NumStates returns how many states the cell carries: 2 for LSTM (h, c),
// 1 for the others (h).
func (c RNNCell) NumStates() int {
	if c == LSTMCell {
		return 2
	}
	return 1
}

// RNNSpec holds the options of a Recurrent op. The zero value of each
// optional field is Keras's default.
type RNNSpec struct {
	// Cell is the cell kind (required).
	Cell RNNCell
	// Units is the size of the state and of the output (required, >= 1).
	Units int
	// Activation is the cell's activation by Keras name: "tanh" (the
	// default, ""), "sigmoid", "relu", "linear", "hard_sigmoid" (Keras 3's
	// clip(x/6 + 1/2, 0, 1)), "keras2_hard_sigmoid" (Keras 2's and
	// TensorFlow.js's clip(0.2x + 0.5, 0, 1)), "gelu" (exact, Keras's
	// default) or "silu" ("swish").
	Activation string
	// RecurrentActivation is the gates' activation for LSTM and GRU,
	// "sigmoid" by default (""), any name Activation accepts. SimpleRNN
	// has no gates and rejects a non-empty value.
	RecurrentActivation string
	// GoBackwards processes the sequence from its last step to its first
	// and returns the outputs in processing order (Keras's go_backwards:
	// the output sequence is reversed with respect to the input).
	GoBackwards bool
	// ZeroOutputForMask makes the output of a masked step zero instead of
	// the previous step's output (Keras's zero_output_for_mask, false by
	// default; Bidirectional sets it when returning sequences).
	ZeroOutputForMask bool
	// Name labels the op in errors and in the program listing (the
	// layer's name, such as "lstm_1"). Empty means the cell's name.
	Name string
}

// RNNInputs are the nodes a Recurrent op reads. All must have the graph's
// float dtype. X, Kernel and RecurrentKernel are required; a nil optional
// node means "absent" with Keras's meaning.
type RNNInputs struct {
	// X is the input sequence (batch, timesteps, features).
	X *G.Node
	// Kernel is (features, gates*units).
	Kernel *G.Node
	// RecurrentKernel is (units, gates*units).
	RecurrentKernel *G.Node
	// Bias is (gates*units), or (2, 3*units) for GRUCell; nil when the
	// layer has use_bias=False.
	Bias *G.Node
	// InitialH is the initial state h (batch, units); nil means zeros.
	InitialH *G.Node
	// InitialC is the LSTM's initial carry c (batch, units); nil means
	// zeros. Only LSTMCell accepts it.
	InitialC *G.Node
	// Mask is (batch, timesteps), indexed by input time step: a step whose
	// value is 0 is skipped (the states carry over unchanged and the
	// output repeats the previous output, or is 0 with
	// ZeroOutputForMask); any other value keeps the step, as Keras's cast
	// to bool does. nil means no mask.
	Mask *G.Node
	// InputDropout multiplies the input at every step: (batch, features),
	// one mask shared by all gates (what Keras draws when
	// recurrent_dropout is 0), or (gates, batch, features), one per gate
	// (Keras's implementation 1, used when recurrent_dropout > 0). The
	// values are the kept-and-scaled 1/(1-rate) or 0 that Keras's dropout
	// of ones gives; the same mask is used at every step. nil: none.
	InputDropout *G.Node
	// RecurrentDropout multiplies the state h before the recurrent
	// projection: (batch, units) shared or (gates, batch, units) per gate.
	// nil: none.
	RecurrentDropout *G.Node
}

// RNN is the result of a Recurrent op: a node holding the whole output
// tape, and cheap views of it that a layer returns. Every view has an
// exact gradient that flows back through the op's backpropagation
// through time.
type RNN struct {
	spec       RNNSpec
	tape       *G.Node
	batch, T   int
	units, nst int
}

// Recurrent adds one op to the graph that runs the cell over all time
// steps of in.X and returns its outputs. The op's value is a tape holding
// the outputs of all steps and the final states; the RNN's views
// (Sequence, LastOutput, States, ...) copy out what a layer returns, and
// their gradients meet in the tape's gradient, so a layer may use any
// combination of them. The op projects the inputs of
// all steps with one matrix product before the loop, then does one
// product with the recurrent kernel and one fused gate kernel per step,
// and keeps its buffers from run to run. Its gradient runs
// backpropagation through time in one op and gives the gradients with
// respect to X, Kernel, RecurrentKernel, Bias, InitialH and InitialC (not
// the masks), with the weight gradients summed over all steps by single
// matrix products.
//
// Masked steps, go_backwards and zero_output_for_mask follow Keras 3's
// TensorFlow and torch backends (keras/src/backend/tensorflow/rnn.py):
// before the first kept step the "previous output" is zeros, also when
// an initial state is given (the JAX backend repeats the initial h
// instead).
func Recurrent(spec RNNSpec, in RNNInputs) (r *RNN, err error) {
	label := spec.Name
	if label == "" {
		label = spec.Cell.String()
	}
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, errors.Errorf("backend: %v %q: panic while building: %v", spec.Cell, label, p)
		}
	}()
	cfg, nodes, err := newRNNConfig(spec, label, in)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: %v %q", spec.Cell, label)
	}
	op := &rnnOp{opBase: opBase{cfg.opName(), len(nodes)}, cfg: cfg}
	tape, err := G.ApplyOp(op, nodes...)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: %v %q", spec.Cell, label)
	}
	return &RNN{spec: spec, tape: tape, batch: cfg.batch, T: cfg.steps, units: cfg.units, nst: cfg.cell.NumStates()}, nil
}

// Tape returns the op's output node, (batch, timesteps+states, units):
// rows 0..timesteps-1 of axis 1 are the outputs in processing order, row
// timesteps the final h and, for LSTM, row timesteps+1 the final c. Use
// the views below rather than slicing it.
func (r *RNN) Tape() *G.Node { return r.tape }

// Sequence returns the outputs of all steps (batch, timesteps, units) in
// processing order: Keras's return_sequences output (reversed with
// respect to the input when GoBackwards is set).
func (r *RNN) Sequence() (*G.Node, error) {
	return r.view(0, r.T, false, false, "sequence")
}

// ReversedSequence returns the outputs of all steps in the reverse of
// processing order: for a GoBackwards op, aligned with the input steps,
// which is what Bidirectional merges (Keras flips the backward layer's
// output sequence).
func (r *RNN) ReversedSequence() (*G.Node, error) {
	return r.view(0, r.T, true, false, "reversed_sequence")
}

// LastOutput returns the output of the last processed step (batch,
// units): Keras's output when return_sequences is false. With a mask it
// is the output of the last kept step (zeros when no step was kept), or,
// with ZeroOutputForMask, zeros when the last step is masked (Keras's
// TensorFlow backend does the same).
func (r *RNN) LastOutput() (*G.Node, error) {
	return r.view(r.T-1, 1, false, true, "last_output")
}

// Output returns Sequence when returnSequences is set, else LastOutput.
func (r *RNN) Output(returnSequences bool) (*G.Node, error) {
	if returnSequences {
		return r.Sequence()
	}
	return r.LastOutput()
}

// States returns the final states in Keras's return_state order, each
// (batch, units): [h] for SimpleRNN and GRU, [h, c] for LSTM. At masked
// last steps they are the carried-over states.
func (r *RNN) States() ([]*G.Node, error) {
	out := make([]*G.Node, r.nst)
	names := []string{"state_h", "state_c"}
	for i := range out {
		n, err := r.view(r.T+i, 1, false, true, names[i])
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (r *RNN) view(from, n int, flip, squeeze bool, what string) (*G.Node, error) {
	op := &rnnSelectOp{opBase: opBase{fmt.Sprintf("rnn_%s(%d:%d)", what, from, from+n), 1},
		from: from, n: n, flip: flip, squeeze: squeeze}
	out, err := G.ApplyOp(op, r.tape)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: %v %q: %s", r.spec.Cell, r.spec.Name, what)
	}
	return out, nil
}

// rnnConfig is everything a Recurrent op and its gradient ops know about
// their inputs, fixed when the graph is built.
type rnnConfig struct {
	cell                   RNNCell
	label                  string
	units, gates           int
	act, ract              rnnAct
	back, zof              bool
	batch, steps, features int
	// positions of the optional inputs, -1 when absent
	iBias, iH0, iC0, iMask, iDrop, iRDrop int
	// dropGates / rdropGates: 0 absent, 1 shared by all gates, gates: one per gate
	dropGates, rdropGates int
	dims                  []int // ranks of the inputs
	shapes                []tensor.Shape
}

func (c *rnnConfig) gu() int       { return c.gates * c.units }
func (c *rnnConfig) tapeRows() int { return c.steps + c.cell.NumStates() }

// tin returns the input time step processed at step s.
func (c *rnnConfig) tin(s int) int {
	if c.back {
		return c.steps - 1 - s
	}
	return s
}

func (c *rnnConfig) opName() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s[%s](units=%d,act=%v", strings.ToLower(c.cell.String()), c.label, c.units, c.act)
	if c.cell != SimpleRNNCell {
		fmt.Fprintf(&b, ",ract=%v", c.ract)
	}
	fmt.Fprintf(&b, ",back=%v,zof=%v,bias=%v,h0=%v,c0=%v,mask=%v,drop=%d,rdrop=%d)",
		c.back, c.zof, c.iBias >= 0, c.iH0 >= 0, c.iC0 >= 0, c.iMask >= 0, c.dropGates, c.rdropGates)
	return b.String()
}

// maxRNNElems bounds every buffer the op allocates (elements), so that a
// mistaken shape fails when the graph is built instead of exhausting
// memory at the first run.
const maxRNNElems = 1 << 31

func newRNNConfig(spec RNNSpec, label string, in RNNInputs) (*rnnConfig, G.Nodes, error) {
	c := &rnnConfig{cell: spec.Cell, label: label, units: spec.Units, gates: spec.Cell.Gates(),
		back: spec.GoBackwards, zof: spec.ZeroOutputForMask,
		iBias: -1, iH0: -1, iC0: -1, iMask: -1, iDrop: -1, iRDrop: -1}
	if c.gates == 0 {
		return nil, nil, errors.Errorf("unknown cell %v", spec.Cell)
	}
	if spec.Units < 1 {
		return nil, nil, errors.Errorf("units must be >= 1, got %d", spec.Units)
	}
	var err error
	if c.act, err = parseRNNAct(spec.Activation, actTanh); err != nil {
		return nil, nil, errors.Wrap(err, "activation")
	}
	if spec.Cell == SimpleRNNCell && spec.RecurrentActivation != "" {
		return nil, nil, errors.Errorf("SimpleRNN has no recurrent activation, got %q", spec.RecurrentActivation)
	}
	if c.ract, err = parseRNNAct(spec.RecurrentActivation, actSigmoid); err != nil {
		return nil, nil, errors.Wrap(err, "recurrent activation")
	}
	if in.X == nil || in.Kernel == nil || in.RecurrentKernel == nil {
		return nil, nil, errors.New("X, Kernel and RecurrentKernel are required")
	}
	xs := in.X.Shape()
	if in.X.Dims() != 3 || xs[0] < 1 || xs[1] < 1 || xs[2] < 1 {
		return nil, nil, errors.Errorf("input must be (batch, timesteps, features) with every size >= 1, got %v", xs)
	}
	c.batch, c.steps, c.features = xs[0], xs[1], xs[2]
	u, gu := c.units, c.gu()
	if float64(c.batch)*float64(c.steps)*float64(max(gu, c.features, 4*u)) > maxRNNElems || float64(u)*float64(gu) > maxRNNElems {
		return nil, nil, errors.Errorf("input %v with %d units needs more than 2^31 elements per buffer", xs, u)
	}
	dt := in.X.Dtype()
	if err := checkFloatDtype(dt); err != nil {
		return nil, nil, errors.Wrap(err, "input")
	}
	nodes := G.Nodes{}
	add := func(name string, n *G.Node, want ...tensor.Shape) (int, error) {
		if n.Dtype() != dt {
			return -1, errors.Errorf("%s is %v, the input is %v", name, n.Dtype(), dt)
		}
		s := n.Shape()
		ok := false
		for _, w := range want {
			if s.Eq(w) && n.Dims() == len(w) {
				ok = true
			}
		}
		if !ok {
			ws := make([]string, len(want))
			for i, w := range want {
				ws[i] = fmt.Sprint(w)
			}
			return -1, errors.Errorf("%s has shape %v, want %s (input %v, %d units, %d gates)", name, s, strings.Join(ws, " or "), xs, u, c.gates)
		}
		nodes = append(nodes, n)
		c.dims = append(c.dims, n.Dims())
		c.shapes = append(c.shapes, s.Clone())
		return len(nodes) - 1, nil
	}
	if _, err := add("input", in.X, tensor.Shape{c.batch, c.steps, c.features}); err != nil {
		return nil, nil, err
	}
	if _, err := add("kernel", in.Kernel, tensor.Shape{c.features, gu}); err != nil {
		return nil, nil, err
	}
	if _, err := add("recurrent kernel", in.RecurrentKernel, tensor.Shape{u, gu}); err != nil {
		return nil, nil, err
	}
	if in.Bias != nil {
		want := tensor.Shape{gu}
		if c.cell == GRUCell {
			want = tensor.Shape{2, gu}
		}
		if c.iBias, err = add("bias", in.Bias, want); err != nil {
			return nil, nil, err
		}
	}
	if in.InitialH != nil {
		if c.iH0, err = add("initial state h", in.InitialH, tensor.Shape{c.batch, u}); err != nil {
			return nil, nil, err
		}
	}
	if in.InitialC != nil {
		if c.cell != LSTMCell {
			return nil, nil, errors.New("only LSTM has an initial carry state c")
		}
		if c.iC0, err = add("initial state c", in.InitialC, tensor.Shape{c.batch, u}); err != nil {
			return nil, nil, err
		}
	}
	if in.Mask != nil {
		if c.iMask, err = add("mask", in.Mask, tensor.Shape{c.batch, c.steps}); err != nil {
			return nil, nil, err
		}
	}
	if in.InputDropout != nil {
		if c.iDrop, err = add("input dropout mask", in.InputDropout, tensor.Shape{c.batch, c.features}, tensor.Shape{c.gates, c.batch, c.features}); err != nil {
			return nil, nil, err
		}
		c.dropGates = 1
		if in.InputDropout.Dims() == 3 {
			c.dropGates = c.gates
		}
	}
	if in.RecurrentDropout != nil {
		if c.iRDrop, err = add("recurrent dropout mask", in.RecurrentDropout, tensor.Shape{c.batch, u}, tensor.Shape{c.gates, c.batch, u}); err != nil {
			return nil, nil, err
		}
		c.rdropGates = 1
		if in.RecurrentDropout.Dims() == 3 {
			c.rdropGates = c.gates
		}
	}
	return c, nodes, nil
}

// checkInputs checks the values a run received against the shapes the
// graph was built with.
func (c *rnnConfig) checkInputs(in []*tensor.Dense) error {
	for i, d := range in[:len(c.shapes)] {
		if !d.Shape().Eq(c.shapes[i]) || d.Dims() != len(c.shapes[i]) {
			return errors.Errorf("input %d has shape %v, the graph was built for %v", i, d.Shape(), c.shapes[i])
		}
		if !d.IsNativelyAccessible() || d.IsView() {
			return errors.Errorf("input %d is a view; the op needs contiguous tensors", i)
		}
	}
	return nil
}

// fnType is the type of an op whose inputs have the given ranks and whose
// output has rank out, all of one dtype.
func fnType(dims []int, out int) hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, len(dims)+1)
	for i, d := range dims {
		ts[i] = G.TensorType{Dims: d, Of: a}
	}
	ts[len(dims)] = G.TensorType{Dims: out, Of: a}
	return hm.NewFnType(ts...)
}

// rnnOp is the whole-sequence recurrent op. Its output is the tape
// described at RNN.Tape; the per-step values backpropagation needs live in
// the op (tape32 / tape64) and are rewritten by every run.
type rnnOp struct {
	opBase
	cfg    *rnnConfig
	out    outBuf
	tape32 *rnnTape[float32]
	tape64 *rnnTape[float64]
}

func (op *rnnOp) Type() hm.Type { return fnType(op.cfg.dims, 3) }

func (op *rnnOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	c := op.cfg
	return tensor.Shape{c.batch, c.tapeRows(), c.units}, nil
}

// DiffWRT: x, kernels, bias and initial states are differentiable; the
// masks are not.
func (op *rnnOp) DiffWRT(n int) []bool {
	c := op.cfg
	d := make([]bool, n)
	for i := range d {
		d[i] = i != c.iMask && i != c.iDrop && i != c.iRDrop
	}
	return d
}

func (op *rnnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	c := op.cfg
	bp := &rnnBPTTOp{opBase: opBase{op.name + "_bptt", len(inputs) + 2}, fwd: op}
	args := append(append(G.Nodes{}, inputs...), output, grad)
	dp, err := G.ApplyOp(bp, args...)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: %s", bp.name)
	}
	res := make(G.Nodes, len(inputs))
	part := func(i int, kind rnnPart) error {
		p := &rnnPartOp{opBase: opBase{fmt.Sprintf("%s_grad_%v", op.name, kind), len(inputs) + 1}, kind: kind, bptt: bp}
		n, err := G.ApplyOp(p, append(G.Nodes{dp}, inputs...)...)
		if err != nil {
			return errors.Wrapf(err, "backend: %s", p.name)
		}
		res[i] = n
		return nil
	}
	parts := []struct {
		i    int
		kind rnnPart
	}{{0, partX}, {1, partKernel}, {2, partRecurrentKernel}, {c.iBias, partBias}, {c.iH0, partH0}, {c.iC0, partC0}}
	for _, p := range parts {
		if p.i < 0 {
			continue
		}
		if err := part(p.i, p.kind); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (op *rnnOp) Do(inputs ...G.Value) (G.Value, error) {
	in, err := denses(op, inputs)
	if err != nil {
		return nil, err
	}
	c := op.cfg
	if err := c.checkInputs(in); err != nil {
		return nil, opError(op, err)
	}
	out := op.out.get(in[0].Dtype(), tensor.Shape{c.batch, c.tapeRows(), c.units})
	switch in[0].Dtype() {
	case tensor.Float32:
		if op.tape32 == nil {
			op.tape32 = &rnnTape[float32]{}
		}
		err = rnnForward(c, op.tape32, rnnValues[float32](c, in), out.Data().([]float32))
	case tensor.Float64:
		if op.tape64 == nil {
			op.tape64 = &rnnTape[float64]{}
		}
		err = rnnForward(c, op.tape64, rnnValues[float64](c, in), out.Data().([]float64))
	}
	if err != nil {
		return nil, opError(op, err)
	}
	return out, nil
}

// rnnIn holds the input values of one run as slices (nil when absent).
type rnnIn[T Float] struct {
	x, w, u, bias, h0, c0, mask, drop, rdrop []T
}

func rnnValues[T Float](c *rnnConfig, in []*tensor.Dense) rnnIn[T] {
	get := func(i int) []T {
		if i < 0 {
			return nil
		}
		return in[i].Data().([]T)
	}
	return rnnIn[T]{x: get(0), w: get(1), u: get(2), bias: get(c.iBias), h0: get(c.iH0), c0: get(c.iC0),
		mask: get(c.iMask), drop: get(c.iDrop), rdrop: get(c.iRDrop)}
}
