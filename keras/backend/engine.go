package backend

import (
	"fmt"
	"math/rand"
	"runtime"
	"sync"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Spec describes a model to the Engine: its element type, one sample's
// input and target shapes, its variables, and two functions that add the
// forward pass and the per-sample loss to a graph.
type Spec struct {
	// Dtype is the element type of every graph: tensor.Float32 or
	// tensor.Float64.
	Dtype tensor.Dtype
	// InputShape is one sample's input shape, without the batch axis.
	InputShape []int
	// TargetShape is one sample's target shape as fed to Loss, without the
	// batch axis. Only train and eval graphs have a target input.
	TargetShape []int
	// Variables are all of the model's weights. Train graphs differentiate
	// the loss with respect to the trainable ones.
	Variables []*Variable
	// Forward adds the model's forward pass for input x (batch, InputShape...)
	// to s and returns the output node (batch, ...).
	Forward func(s *Scope, x *G.Node) (*G.Node, error)
	// Loss returns the per-sample loss (a vector of length batch) of the
	// predictions yPred against the targets yTrue. The engine weights it by
	// the sample weights, sums it, divides by the batch size (Keras's
	// "sum_over_batch_size") and adds the scopes' extra losses.
	Loss func(s *Scope, yTrue, yPred *G.Node) (*G.Node, error)
	// TrainOutputs makes train graphs also copy out the model's output after
	// every step (needed to compute training metrics).
	TrainOutputs bool
}

// Engine builds, caches and hands out compiled graphs ("programs") for one
// model. One program exists per (mode, batch size) pair and caller: a
// program is single-threaded, so Acquire hands each concurrent caller its
// own, and Release returns it for reuse. All programs share the model's
// Variables by reference.
type Engine struct {
	spec    Spec
	mu      sync.Mutex
	idle    map[programKey][]*Program
	maxIdle int
}

type programKey struct {
	mode  Mode
	batch int
}

// NewEngine checks spec and returns an Engine for it. No graph is built
// until the first Acquire.
func NewEngine(spec Spec) (*Engine, error) {
	if err := checkFloatDtype(spec.Dtype); err != nil {
		return nil, errors.Wrap(err, "backend: NewEngine")
	}
	if spec.Forward == nil {
		return nil, errors.New("backend: NewEngine: Spec.Forward is nil")
	}
	for _, d := range spec.InputShape {
		if d < 1 {
			return nil, errors.Errorf("backend: NewEngine: invalid input shape %v", spec.InputShape)
		}
	}
	for _, v := range spec.Variables {
		if v.Dtype() != spec.Dtype {
			return nil, errors.Errorf("backend: NewEngine: variable %s is %v, spec is %v", v.name, v.Dtype(), spec.Dtype)
		}
	}
	return &Engine{spec: spec, idle: map[programKey][]*Program{}, maxIdle: 2 * runtime.NumCPU()}, nil
}

// Spec returns the engine's spec.
func (e *Engine) Spec() Spec { return e.spec }

// Acquire returns a compiled program for mode and batch size, reusing an
// idle one when there is one. Give it back with Release when done.
func (e *Engine) Acquire(mode Mode, batch int) (*Program, error) {
	if batch < 1 {
		return nil, errors.Errorf("backend: batch size %d < 1", batch)
	}
	if mode != Predict && e.spec.Loss == nil {
		return nil, errors.Errorf("backend: a %v graph needs Spec.Loss", mode)
	}
	key := programKey{mode, batch}
	e.mu.Lock()
	if ps := e.idle[key]; len(ps) > 0 {
		p := ps[len(ps)-1]
		e.idle[key] = ps[:len(ps)-1]
		e.mu.Unlock()
		return p, nil
	}
	e.mu.Unlock()
	return e.build(key)
}

// Release returns p for reuse by a later Acquire.
func (e *Engine) Release(p *Program) {
	if p == nil || p.engine != e {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.idle[p.key]) < e.maxIdle {
		e.idle[p.key] = append(e.idle[p.key], p)
	}
}

// Program is one compiled graph: fixed batch size, fixed mode. Fill its
// input buffers (Input, Target, SampleWeight), call Run, then read Loss
// and Output; after a train run every trainable Variable's Grad holds the
// gradient of the loss.
type Program struct {
	engine *Engine
	key    programKey
	scope  *Scope
	vm     G.VM

	x, y, sw *tensor.Dense
	out      *tensor.Dense
	reads    []G.Value // read targets: [output, loss, grads...] as applicable
	readOut  bool
	errCh    chan error
	done     chan struct{}
}

// Mode returns what the program computes.
func (p *Program) Mode() Mode { return p.key.mode }

// BatchSize returns the program's fixed batch size.
func (p *Program) BatchSize() int { return p.key.batch }

// Input returns the (batch, InputShape...) input buffer. Write the next
// batch into its backing slice before Run; it is never reallocated.
func (p *Program) Input() *tensor.Dense { return p.x }

// Target returns the (batch, TargetShape...) target buffer, or nil in
// predict programs.
func (p *Program) Target() *tensor.Dense { return p.y }

// SampleWeight returns the (batch) per-sample weight buffer, or nil in
// predict programs. It starts filled with ones.
func (p *Program) SampleWeight() *tensor.Dense { return p.sw }

// Output returns the model's output from the last Run, (batch, ...). It is
// nil for train programs unless Spec.TrainOutputs is set. The buffer is
// reused by the next Run.
func (p *Program) Output() *tensor.Dense {
	if !p.readOut {
		return nil
	}
	return p.out
}

// Loss returns the mean weighted loss of the last Run (train and eval
// programs), including extra losses added with Scope.AddLoss.
func (p *Program) Loss() float64 {
	if p.key.mode == Predict || len(p.reads) < 2 {
		return 0
	}
	switch v := p.reads[1].(type) {
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
	p.vm.Reset()
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("backend: %v graph (batch %d) panicked: %v", p.key.mode, p.key.batch, r)
		}
	}()
	if err := runSync(p.vm, p.errCh, p.done); err != nil {
		return errors.Wrapf(err, "backend: running %v graph (batch %d)", p.key.mode, p.key.batch)
	}
	return nil
}

// buildMu serialises graph construction: NewTapeMachine writes the engine
// field of every value bound into the graph, the shared weights included.
var buildMu sync.Mutex

func (e *Engine) build(key programKey) (p *Program, err error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errors.Errorf("backend: building %v graph (batch %d) panicked: %v", key.mode, key.batch, r)
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
	var xNode *G.Node
	xNode, p.x = input("x", append([]int{key.batch}, spec.InputShape...))

	out, err := spec.Forward(s, xNode)
	if err != nil {
		return nil, err
	}
	if out.Shape()[0] != key.batch {
		return nil, errors.Errorf("backend: forward output has shape %v, want batch %d first", out.Shape(), key.batch)
	}
	p.out = tensor.New(tensor.WithShape(out.Shape().Clone()...), tensor.Of(spec.Dtype))

	// reads[0] is always the output slot, reads[1] the loss slot.
	nReads := 2
	var wrt G.Nodes
	var wrtVars []*Variable
	if key.mode == Train {
		for _, v := range s.order {
			if v.trainable {
				wrt = append(wrt, s.params[v])
				wrtVars = append(wrtVars, v)
			}
		}
		nReads += len(wrt)
	}
	p.reads = make([]G.Value, nReads)
	var outputs G.Nodes
	p.readOut = key.mode != Train || spec.TrainOutputs
	if p.readOut {
		p.reads[0] = p.out
		outputs = append(outputs, G.Read(out, &p.reads[0]))
	}

	if key.mode != Predict {
		var yNode, swNode *G.Node
		yNode, p.y = input("y", append([]int{key.batch}, spec.TargetShape...))
		swNode, p.sw = input("sample_weight", []int{key.batch})
		fillOnes(p.sw)
		total, err := e.totalLoss(s, yNode, out, swNode)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, G.Read(total, &p.reads[1]))
		if len(wrt) > 0 {
			grads, err := G.Grad(total, wrt...)
			if err != nil {
				return nil, errors.Wrap(err, "backend: differentiating the loss")
			}
			for i, gn := range grads {
				p.reads[2+i] = wrtVars[i].grad
				outputs = append(outputs, G.Read(gn, &p.reads[2+i]))
			}
		}
	}
	for _, nf := range s.noise {
		inputs = append(inputs, nf.node)
	}
	for _, v := range s.order {
		inputs = append(inputs, s.params[v])
	}

	prog, locMap, err := G.CompileFunction(s.g, inputs, outputs)
	if err != nil {
		return nil, errors.Wrapf(err, "backend: compiling %v graph (batch %d)", key.mode, key.batch)
	}
	opts := []G.VMOpt{G.WithPrecompiled(prog, locMap)}
	if key.mode != Train {
		opts = append(opts, G.EvalMode())
	}
	p.vm = G.NewTapeMachine(s.g, opts...)
	return p, nil
}

// totalLoss is sum(perSample * sw) / batch + extra losses.
func (e *Engine) totalLoss(s *Scope, y, out, sw *G.Node) (*G.Node, error) {
	per, err := e.spec.Loss(s, y, out)
	if err != nil {
		return nil, err
	}
	if !per.Shape().Eq(tensor.Shape{s.batch}) || per.Dims() != 1 {
		return nil, errors.Errorf("backend: per-sample loss has shape %v, want (%d)", per.Shape(), s.batch)
	}
	weighted, err := G.HadamardProd(per, sw)
	if err != nil {
		return nil, errors.Wrap(err, "backend: weighting the loss")
	}
	total, err := G.Sum(weighted)
	if err != nil {
		return nil, errors.Wrap(err, "backend: summing the loss")
	}
	total, err = G.Mul(total, s.Scalar(1/float64(s.batch)))
	if err != nil {
		return nil, errors.Wrap(err, "backend: averaging the loss")
	}
	for _, extra := range s.losses {
		if total, err = G.Add(total, extra); err != nil {
			return nil, errors.Wrap(err, "backend: adding an extra loss")
		}
	}
	return total, nil
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
