package backend

import (
	"fmt"
	"math/rand"
	"runtime"
	"strconv"
	"sync"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// TensorSpec describes one input or output of a model: its name and one
// sample's shape, without the batch axis. A dimension of -1 has any size
// (Keras's None): each program is built for the sizes of the data it
// runs on.
type TensorSpec struct {
	Name  string
	Shape []int
}

// LossFunc returns the per-sample loss (a vector as long as its first
// axis) of predictions yPred against targets yTrue, both (rows, ...).
type LossFunc func(s *Scope, yTrue, yPred *G.Node) (*G.Node, error)

// Spec describes a model to the Engine: its element type, inputs, weights,
// a function that adds the forward pass to a graph, and the loss of each
// output.
type Spec struct {
	// Dtype is the element type of every graph: tensor.Float32 or
	// tensor.Float64.
	Dtype tensor.Dtype
	// Inputs are the model's inputs, in the order Forward receives them.
	Inputs []TensorSpec
	// Variables are all of the model's weights. Train graphs differentiate
	// the loss with respect to the trainable ones.
	Variables []*Variable
	// Forward adds the model's forward pass to s for inputs xs (batch,
	// shape...) and returns one node (batch, ...) per output.
	Forward func(s *Scope, xs []*G.Node) ([]*G.Node, error)
	// Losses holds, per output, the loss that trains it (nil for an
	// output without one). It may be empty when the model's layers add
	// their own losses (Scope.AddLoss). An output of rank > 2 (batch, t,
	// ..., u) is fed to its loss as (batch*t*..., u), one "sample" per
	// row, as Keras reduces over all but the last axis.
	Losses []LossFunc
	// LossWeights scales each output's loss in the total (nil: all 1).
	LossWeights []float64
	// TrainOutputs makes train graphs also copy out the model's outputs
	// after every step (needed to compute training metrics).
	TrainOutputs bool
	// WeightsLock, when set, is held while a new program binds the shared
	// weights (Gorgonia's tape machine writes into every value bound to
	// its graph); give the model's weights lock so that no other
	// goroutine reads the weights meanwhile.
	WeightsLock sync.Locker
}

// Engine builds, caches and hands out compiled graphs ("programs") for one
// model. One program exists per (mode, batch size, input sizes) and
// caller: a program is single-threaded, so Acquire hands each concurrent
// caller its own, and Release returns it for reuse. All programs share
// the model's Variables by reference.
type Engine struct {
	spec    Spec
	mu      sync.Mutex
	idle    map[string][]*Program // by programKey.id
	maxIdle int
}

type programKey struct {
	mode   Mode
	batch  int
	shapes string // the concrete per-sample input shapes
	id     string // all of it, as the idle map's key (keyBytes)
}

// keyBytes appends the idle map's key of (mode, batch, shapes) to buf, so
// that Acquire can look a program up without allocating.
func keyBytes(buf []byte, mode Mode, batch int, shapes [][]int) []byte {
	buf = strconv.AppendInt(buf, int64(mode), 10)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, int64(batch), 10)
	for _, s := range shapes {
		buf = append(buf, ':')
		for j, d := range s {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendInt(buf, int64(d), 10)
		}
	}
	return buf
}

// NewEngine checks spec and returns an Engine for it. No graph is built
// until the first Acquire.
func NewEngine(spec Spec) (*Engine, error) {
	if err := checkFloatDtype(spec.Dtype); err != nil {
		return nil, errors.Wrap(err, "backend: NewEngine")
	}
	if spec.Forward == nil {
		return nil, errors.Wrap(kerrors.ErrNil, "backend: NewEngine: Spec.Forward")
	}
	if len(spec.Inputs) == 0 {
		return nil, errors.New("backend: NewEngine: the model has no inputs")
	}
	for _, in := range spec.Inputs {
		for _, d := range in.Shape {
			if d < 1 && d != -1 {
				return nil, errors.Errorf("backend: NewEngine: input %s has invalid shape %v", in.Name, in.Shape)
			}
		}
	}
	for _, v := range spec.Variables {
		if !v.Materialized() {
			return nil, errors.Errorf("backend: NewEngine: variable %s has no values (not materialised)", v.name)
		}
		if v.Dtype() != spec.Dtype {
			return nil, errors.Errorf("backend: NewEngine: variable %s is %v, spec is %v", v.name, v.Dtype(), spec.Dtype)
		}
	}
	if spec.LossWeights != nil && len(spec.LossWeights) != len(spec.Losses) {
		return nil, errors.Errorf("backend: NewEngine: %d loss weights for %d losses", len(spec.LossWeights), len(spec.Losses))
	}
	return &Engine{spec: spec, idle: map[string][]*Program{}, maxIdle: 2 * runtime.NumCPU()}, nil
}

// Spec returns the engine's spec.
func (e *Engine) Spec() Spec { return e.spec }

// Acquire returns a compiled program for mode and batch size, reusing an
// idle one when there is one. Give it back with Release when done.
// inputShapes gives each input's per-sample shape; it may be omitted when
// no input has a -1 dimension.
func (e *Engine) Acquire(mode Mode, batch int, inputShapes ...[]int) (*Program, error) {
	if batch < 1 {
		return nil, errors.Errorf("backend: batch size %d < 1", batch)
	}
	shapes, err := e.concreteShapes(inputShapes)
	if err != nil {
		return nil, err
	}
	var buf [64]byte
	id := keyBytes(buf[:0], mode, batch, shapes)
	e.mu.Lock()
	if ps := e.idle[string(id)]; len(ps) > 0 {
		p := ps[len(ps)-1]
		ps[len(ps)-1] = nil
		e.idle[p.key.id] = ps[:len(ps)-1]
		e.mu.Unlock()
		return p, nil
	}
	e.mu.Unlock()
	return e.build(programKey{mode, batch, fmt.Sprint(shapes), string(id)}, shapes)
}

// concreteShapes checks given per-sample input shapes against the spec.
func (e *Engine) concreteShapes(given [][]int) ([][]int, error) {
	specs := e.spec.Inputs
	if len(given) == 0 {
		out := make([][]int, len(specs))
		for i, in := range specs {
			for _, d := range in.Shape {
				if d < 0 {
					return nil, errors.Errorf("backend: input %s has shape %s: give the data's shape", in.Name, kerrors.FormatShape(in.Shape))
				}
			}
			out[i] = in.Shape
		}
		return out, nil
	}
	if len(given) != len(specs) {
		return nil, errors.Errorf("backend: %d input shapes for %d inputs", len(given), len(specs))
	}
	for i, in := range specs {
		g := given[i]
		ok := len(g) == len(in.Shape)
		for j := 0; ok && j < len(g); j++ {
			ok = g[j] >= 1 && (in.Shape[j] == -1 || in.Shape[j] == g[j])
		}
		if !ok {
			return nil, &kerrors.ShapeError{Where: "backend", Arg: "input " + in.Name,
				Got: append([]int{-1}, g...), Want: append([]int{-1}, in.Shape...)}
		}
	}
	return given, nil
}

// Release returns p for reuse by a later Acquire.
func (e *Engine) Release(p *Program) {
	if p == nil || p.engine != e {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.idle[p.key.id]) < e.maxIdle {
		e.idle[p.key.id] = append(e.idle[p.key.id], p)
	}
}

// Program is one compiled graph: fixed batch size, input sizes and mode.
// Fill its input buffers (Inputs, Targets, SampleWeights), call Run, then
// read Loss and Outputs; after a train run every trainable Variable's Grad
// holds the gradient of the loss, and ApplyUpdates stores the state
// updates the layers asked for (Scope.Update).
type Program struct {
	engine *Engine
	key    programKey
	scope  *Scope
	vm     G.VM
	plan   *plan // the decoded program (nil: run through the tape machine's loop)
	// planErr says why the program runs through the tape machine's loop.
	planErr error

	inputs   []*tensor.Dense
	targets  []*tensor.Dense // per output; nil for outputs without a loss
	weights  []*tensor.Dense // per output sample weights (rows of its loss)
	outputs  []*tensor.Dense // per output
	outCells []*G.Value      // the cells the outputs are read into
	redirect []floats        // per output: where the next Run writes it instead (OutputInto)
	readOut  bool
	loss     G.Value   // total loss
	outLoss  []G.Value // per output (nil entries for outputs without a loss)
	updates  []pendingUpdate
	errCh    chan error
	done     chan struct{}
	lossRows []int // per output: rows its loss sees per batch (batch * t * ...)
}

type pendingUpdate struct {
	v   *Variable
	val *tensor.Dense
}

// Mode returns what the program computes.
func (p *Program) Mode() Mode { return p.key.mode }

// BatchSize returns the program's fixed batch size.
func (p *Program) BatchSize() int { return p.key.batch }

// Inputs returns the (batch, shape...) input buffers, one per model input.
// Write the next batch into their backing slices before Run; they are
// never reallocated.
func (p *Program) Inputs() []*tensor.Dense { return p.inputs }

// Targets returns the target buffers, one per output, shaped like the
// output; the entry of an output without a loss, and every entry of a
// predict program, is nil.
func (p *Program) Targets() []*tensor.Dense { return p.targets }

// SampleWeights returns, per output with a loss, the per-row weight
// buffer of its loss: (batch) for outputs of rank <= 2, (batch*t*...) for
// higher ranks (repeat each sample's weight over its rows). They start
// filled with ones.
func (p *Program) SampleWeights() []*tensor.Dense { return p.weights }

// Outputs returns the model's outputs from the last Run, (batch, ...).
// They are nil for train programs unless Spec.TrainOutputs is set. The
// buffers are reused by the next Run.
func (p *Program) Outputs() []*tensor.Dense {
	if !p.readOut {
		return nil
	}
	return p.outputs
}

// Loss returns the total loss of the last Run (train and eval programs):
// the loss-weighted sum of the outputs' mean weighted losses plus the
// extra losses added with Scope.AddLoss and the weights' penalties.
func (p *Program) Loss() float64 { return scalarOf(p.loss) }

// OutputLoss returns output k's mean weighted loss of the last Run,
// before its loss weight (Keras logs it as "<output>_loss"); 0 for an
// output without a loss.
func (p *Program) OutputLoss(k int) float64 {
	if k < 0 || k >= len(p.outLoss) {
		return 0
	}
	return scalarOf(p.outLoss[k])
}

func scalarOf(v G.Value) float64 {
	switch v := v.(type) {
	case *G.F32:
		return float64(*v)
	case *G.F64:
		return float64(*v)
	}
	return 0
}

// Run fills the noise inputs from rng and runs the graph once.
func (p *Program) Run(rng *rand.Rand) (err error) {
	p.scope.FillNoise(rng)
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered(fmt.Sprintf("backend: %v graph (batch %d)", p.key.mode, p.key.batch), r)
		}
	}()
	defer clear(p.redirect)
	if p.plan != nil {
		err = p.plan.run()
	} else {
		p.vm.Reset()
		err = runProgram(p.vm, p.errCh, p.done)
		if err == nil {
			p.copyRedirected()
		}
	}
	if err != nil {
		return errors.Wrapf(err, "backend: running %v graph (batch %d)", p.key.mode, p.key.batch)
	}
	return nil
}

// OutputInto makes the next Run write output k straight into dst (a
// []float32 or []float64 of the output's size and the program's dtype)
// instead of the buffer Outputs returns, which that run leaves as it was:
// prediction writes each batch into its rows of the result. It applies to
// one Run only.
func (p *Program) OutputInto(k int, dst any) error {
	if k < 0 || k >= len(p.redirect) || !p.readOut {
		return errors.Errorf("backend: OutputInto: the program has no output %d", k)
	}
	n := p.outputs[k].Shape().TotalSize()
	var f floats
	switch d := dst.(type) {
	case []float32:
		f.f32 = d
	case []float64:
		f.f64 = d
	}
	if (f.f32 != nil) != (p.outputs[k].Dtype() == tensor.Float32) || len(f.f32)+len(f.f64) != n {
		return errors.Errorf("backend: OutputInto: output %d is %v %v, got a %T of %d values", k, p.outputs[k].Dtype(), p.outputs[k].Shape(), dst, len(f.f32)+len(f.f64))
	}
	p.redirect[k] = f
	return nil
}

// copyRedirected copies outputs into their OutputInto destinations after
// a run through the tape machine's loop (the plan writes them directly).
func (p *Program) copyRedirected() {
	for k, f := range p.redirect {
		switch {
		case f.f32 != nil:
			copy(f.f32, p.outputs[k].Float32s())
		case f.f64 != nil:
			copy(f.f64, p.outputs[k].Float64s())
		}
	}
}

// floats is a float32 or float64 slice (the other nil).
type floats struct {
	f32 []float32
	f64 []float64
}

// ApplyUpdates writes the state updates recorded by the last train Run
// (Scope.Update) into their variables. Call it holding the weights lock,
// after the optimizer step.
func (p *Program) ApplyUpdates() {
	for _, u := range p.updates {
		switch d := u.v.value.Data().(type) {
		case []float32:
			copy(d, u.val.Data().([]float32))
		case []float64:
			copy(d, u.val.Data().([]float64))
		}
	}
}

// HasUpdates reports whether the program updates state (Scope.Update).
func (p *Program) HasUpdates() bool { return len(p.updates) > 0 }

// disablePlans makes programs run through the tape machine's own loop
// (tests compare the two).
var disablePlans = false

// buildMu serialises graph construction: graphs of one model share
// variables, and NewTapeMachine writes into every value bound to its
// graph.
var buildMu sync.Mutex

func (e *Engine) build(key programKey, shapes [][]int) (p *Program, err error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, kerrors.Recovered(fmt.Sprintf("backend: building %v graph (batch %d)", key.mode, key.batch), r)
		}
	}()
	spec := e.spec
	s := NewScope(G.NewGraph(), key.mode, key.batch, spec.Dtype)
	p = &Program{engine: e, key: key, scope: s, errCh: make(chan error, 1), done: make(chan struct{}, 1)}

	inputs := G.Nodes{}
	input := func(name string, shape []int) (*G.Node, *tensor.Dense) {
		v := tensor.New(tensor.WithShape(shape...), tensor.Of(spec.Dtype))
		n := G.NewTensor(s.g, spec.Dtype, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(v))
		inputs = append(inputs, n)
		return n, v
	}
	xs := make([]*G.Node, len(spec.Inputs))
	for i, in := range spec.Inputs {
		xs[i], _ = input(fmt.Sprintf("input%d/%s", i, in.Name), append([]int{key.batch}, shapes[i]...))
		p.inputs = append(p.inputs, xs[i].Value().(*tensor.Dense))
	}
	outs, err := spec.Forward(s, xs)
	if err != nil {
		return nil, err
	}
	for i, out := range outs {
		if out == nil || out.Dims() == 0 || out.Shape()[0] != key.batch {
			return nil, errors.Errorf("backend: forward output %d has shape %v, want batch %d first", i, shapeOf(out), key.batch)
		}
		p.outputs = append(p.outputs, tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.Of(spec.Dtype)))
	}
	if len(spec.Losses) > 0 && len(spec.Losses) != len(outs) {
		return nil, errors.Errorf("backend: %d losses for %d outputs", len(spec.Losses), len(outs))
	}

	var outputs G.Nodes
	p.readOut = key.mode != Train || spec.TrainOutputs
	if p.readOut {
		for i, out := range outs {
			cell := new(G.Value)
			*cell = p.outputs[i]
			p.outCells = append(p.outCells, cell)
			outputs = append(outputs, G.Read(out, cell))
		}
	}
	p.targets = make([]*tensor.Dense, len(outs))
	p.weights = make([]*tensor.Dense, len(outs))
	p.outLoss = make([]G.Value, len(outs))
	p.lossRows = make([]int, len(outs))

	if key.mode != Predict {
		total, lossReads, err := e.totalLoss(p, s, outs, input)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, G.Read(total, &p.loss))
		outputs = append(outputs, lossReads...)
		if key.mode == Train {
			var wrt G.Nodes
			var wrtVars []*Variable
			for _, v := range s.order {
				if v.trainable {
					wrt = append(wrt, s.params[v])
					wrtVars = append(wrtVars, v)
				}
			}
			if len(wrt) > 0 {
				grads, err := G.Grad(total, wrt...)
				if err != nil {
					return nil, errors.Wrap(err, "backend: differentiating the loss")
				}
				for i, gn := range grads {
					outputs = append(outputs, readInto(gn, wrtVars[i].grad))
				}
			}
			p.updates = make([]pendingUpdate, len(s.updates))
			for i, u := range s.updates {
				val := tensor.New(tensor.WithShape(u.v.shape...), tensor.Of(spec.Dtype))
				p.updates[i] = pendingUpdate{v: u.v, val: val}
				outputs = append(outputs, readInto(u.node, val))
			}
		}
	}
	for _, nf := range s.noise {
		inputs = append(inputs, nf.node)
	}
	for _, v := range s.order {
		inputs = append(inputs, s.params[v])
	}
	// A weight or noise input a layer touched but this mode's outputs do
	// not need (state read only in training, a mask in inference) is left
	// out: Gorgonia refuses to compile unused inputs.
	inputs = usedOnly(s.g, inputs, outputs)

	prog, locMap, err := G.CompileFunction(s.g, inputs, outputs)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: compiling %v graph (batch %d)", key.mode, key.batch)
	}
	opts := []G.VMOpt{G.WithPrecompiled(prog, locMap)}
	if key.mode != Train {
		opts = append(opts, G.EvalMode())
	}
	if spec.WeightsLock != nil {
		spec.WeightsLock.Lock()
		defer spec.WeightsLock.Unlock()
	}
	p.vm = G.NewTapeMachine(s.g, opts...)
	if !disablePlans {
		p.plan, p.planErr = newPlan(p.vm, s.g)
	}
	p.redirect = make([]floats, len(p.outputs))
	if p.plan != nil {
		p.plan.routeReads(p.outCells, p.redirect)
	}
	return p, nil
}

// usedOnly returns the nodes of inputs that the outputs depend on.
func usedOnly(g *G.ExprGraph, inputs, outputs G.Nodes) G.Nodes {
	seen := map[*G.Node]bool{}
	stack := append(G.Nodes(nil), outputs...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		for it := g.From(n.ID()); it.Next(); {
			if c, ok := it.Node().(*G.Node); ok {
				stack = append(stack, c)
			}
		}
	}
	out := inputs[:0:0]
	for _, n := range inputs {
		if seen[n] {
			out = append(out, n)
		}
	}
	return out
}

// readInto reads n's value after every run into dst, a preallocated
// buffer of n's shape, through a cell of its own (the tape machine keeps
// the cell's address).
func readInto(n *G.Node, dst G.Value) *G.Node {
	cell := new(G.Value)
	*cell = dst
	return G.Read(n, cell)
}

func shapeOf(n *G.Node) tensor.Shape {
	if n == nil {
		return nil
	}
	return n.Shape()
}

// totalLoss adds, for each output with a loss, its target and sample
// weight inputs and its mean weighted loss; then the weights' penalties
// and the scope's extra losses. It returns the total and the read nodes of
// the per-output losses (models with several outputs).
func (e *Engine) totalLoss(p *Program, s *Scope, outs []*G.Node, input func(string, []int) (*G.Node, *tensor.Dense)) (*G.Node, G.Nodes, error) {
	var total *G.Node
	var reads G.Nodes
	add := func(n *G.Node) error {
		if total == nil {
			total = n
			return nil
		}
		var err error
		total, err = G.Add(total, n)
		return err
	}
	for k, out := range outs {
		if k >= len(e.spec.Losses) || e.spec.Losses[k] == nil {
			continue
		}
		yNode, y := input(fmt.Sprintf("target%d", k), out.Shape().Clone())
		p.targets[k] = y
		yTrue, yPred := yNode, out
		rows := out.Shape()[0]
		if out.Dims() > 2 {
			flat := tensor.Shape{out.Shape().TotalSize() / out.Shape()[out.Dims()-1], out.Shape()[out.Dims()-1]}
			var err error
			if yPred, err = Reshape(out, flat); err != nil {
				return nil, nil, errors.Wrapf(err, "backend: output %d", k)
			}
			if yTrue, err = Reshape(yNode, flat); err != nil {
				return nil, nil, errors.Wrapf(err, "backend: output %d", k)
			}
			rows = flat[0]
		}
		if yp, ok := s.acts[out]; ok && yPred != out {
			// Keep the activation record on the reshaped view so that
			// cross-entropies still work from logits.
			in, err := Reshape(yp.input, yPred.Shape().Clone())
			if err == nil {
				s.acts[yPred] = activationRecord{in, yp.name}
			}
		}
		p.lossRows[k] = rows
		swNode, sw := input(fmt.Sprintf("sample_weight%d", k), []int{rows})
		fillOnes(sw)
		p.weights[k] = sw
		per, err := e.spec.Losses[k](s, yTrue, yPred)
		if err != nil {
			return nil, nil, err
		}
		if !per.Shape().Eq(tensor.Shape{rows}) || per.Dims() != 1 {
			return nil, nil, errors.Errorf("backend: output %d: per-sample loss has shape %v, want (%d)", k, per.Shape(), rows)
		}
		mean, err := weightedMean(s, per, swNode, rows)
		if err != nil {
			return nil, nil, errors.Wrap(err, "backend: averaging the loss")
		}
		if len(outs) > 1 {
			reads = append(reads, G.Read(mean, &p.outLoss[k]))
		}
		scaled := mean
		if lw := e.spec.LossWeights; lw != nil && lw[k] != 1 {
			if scaled, err = G.Mul(mean, s.Scalar(lw[k])); err != nil {
				return nil, nil, errors.Wrap(err, "backend: weighting the loss")
			}
		}
		if err := add(scaled); err != nil {
			return nil, nil, errors.Wrap(err, "backend: adding the losses")
		}
	}
	for _, v := range s.order {
		if v.regularizer == nil {
			continue
		}
		pen, err := v.regularizer.Penalty(s.params[v])
		if err != nil {
			return nil, nil, errors.Wrapf(err, "backend: penalty of %s", v.name)
		}
		if err := add(pen); err != nil {
			return nil, nil, errors.Wrap(err, "backend: adding a penalty")
		}
	}
	for _, extra := range s.losses {
		if err := add(extra); err != nil {
			return nil, nil, errors.Wrap(err, "backend: adding an extra loss")
		}
	}
	if total == nil {
		return nil, nil, errors.Wrap(kerrors.ErrNoLoss, "backend")
	}
	return total, reads, nil
}

// Scalar returns a constant scalar node of the graph's dtype.
func (s *Scope) Scalar(v float64) *G.Node {
	if s.dtype == tensor.Float32 {
		return G.NewConstant(float32(v), G.WithName(fmt.Sprintf("%v", float32(v))))
	}
	return G.NewConstant(v, G.WithName(fmt.Sprintf("%v", v)))
}

func fillOnes(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 1
		}
	case []float64:
		for i := range d {
			d[i] = 1
		}
	}
}
