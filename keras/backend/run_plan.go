package backend

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A plan runs a tape machine's compiled program without the machine's
// per-instruction overhead. Gorgonia's run loop boxes its arguments for a
// log call at every instruction (even with logging off), allocates a new
// input slice for every op and a closure to set each result's engine:
// about 280 allocations per training step of a small MLP, more than all
// of its arithmetic at batch 32. The plan decodes the program's
// instructions once, when the program is built, and runs them with the
// same semantics (the same op methods in the same cases, the same
// registers, node bindings and reads), reusing one input slice per op.
//
// Decoding reads Gorgonia's unexported instruction types through their
// reflected layout; every field is checked by name and type, and a
// program the plan cannot decode exactly (an unknown instruction, a
// device other than the CPU, a machine with logging, tracing, NaN or Inf
// watching or dual values turned on) runs through the tape machine's own
// loop instead (runSync). It was verified against gorgonia v0.9.18
// (VerifiedGorgonia; TestGorgoniaVersion), and tests compare it with
// RunAll op by op.
type plan struct {
	steps  []planStep
	regs   []G.Value // the register file, cleared before every run
	engine tensor.Engine
	vm     G.VM // for flush (DoWork) and error messages
	flush  interface{ DoWork() error }
}

type stepKind uint8

const (
	stepLoad  stepKind = iota // loadArg: a node's bound value into a register
	stepExec                  // execOp: run an op
	stepRead                  // readInstr: copy a register into a G.Read cell
	stepAlloc                 // alloc: make a value for a register
	stepFlush                 // flushInstr: the machine's DoWork
	stepNop                   // free, let, device transport: nothing on the CPU
)

type planStep struct {
	kind             stepKind
	instr            any // the original instruction, for error messages
	node             *G.Node
	op               G.Op
	reads            []int
	write            int
	prealloc, unsafe bool
	in               []G.Value  // reused inputs of an op
	into             *G.Value   // read destination cell
	copier           *splitCopy // a large read's copy, split (made on first use)
	route            *floats    // a program output's read: write here instead, when set
	typ              hm.Type    // alloc
	shape            tensor.Shape
	dtype            tensor.Dtype
}

// gRegister mirrors gorgonia's register {id int; device Device}.
type gRegister struct {
	id     int
	device G.Device
}

//go:linkname gNodeBind gorgonia.org/gorgonia.(*Node).bind
func gNodeBind(n *G.Node, v G.Value) error

//go:linkname gMakeValue gorgonia.org/gorgonia.makeValue
func gMakeValue(t hm.Type, s tensor.Shape) (G.Value, error)

//go:linkname gDtypeOf gorgonia.org/gorgonia.dtypeOf
func gDtypeOf(t hm.Type) (tensor.Dtype, error)

//go:linkname gSetEngine gorgonia.org/gorgonia.setEngine
func gSetEngine(v G.Value, e tensor.Engine)

// layout finds fields of one of Gorgonia's unexported structs, checking
// each field's name and type first; the first mismatch is kept in err.
type layout struct {
	t   reflect.Type
	err error
}

// field returns the offset of field name, which must satisfy ok.
func (l *layout) field(name string, ok func(reflect.Type) bool) uintptr {
	if l.err != nil {
		return 0
	}
	f, found := l.t.FieldByName(name)
	switch {
	case !found:
		l.err = errors.Errorf("%v has no field %s", l.t, name)
	case !ok(f.Type):
		l.err = errors.Errorf("%v.%s has the unexpected type %v", l.t, name, f.Type)
	}
	return f.Offset
}

func is(want reflect.Type) func(reflect.Type) bool {
	return func(t reflect.Type) bool { return t == want }
}

// isRegister reports whether t has gRegister's layout.
func isRegister(t reflect.Type) bool {
	mirror := reflect.TypeOf(gRegister{})
	if t.Kind() != reflect.Struct || t.Size() != mirror.Size() || t.NumField() != mirror.NumField() {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		a, b := t.Field(i), mirror.Field(i)
		if a.Name != b.Name || a.Offset != b.Offset || a.Type != b.Type {
			return false
		}
	}
	return true
}

func isRegisters(t reflect.Type) bool { return t.Kind() == reflect.Slice && isRegister(t.Elem()) }

var (
	typOp     = reflect.TypeOf((*G.Op)(nil)).Elem()
	typInt64  = reflect.TypeOf(int64(0))
	typInt    = reflect.TypeOf(0)
	typBool   = reflect.TypeOf(false)
	typFlags  = reflect.TypeOf(uint16(0))
	typCell   = reflect.TypeOf((*G.Value)(nil))
	typHMType = reflect.TypeOf((*hm.Type)(nil)).Elem()
	typShape  = reflect.TypeOf(tensor.Shape(nil))
)

func at[T any](base unsafe.Pointer, off uintptr) T { return *(*T)(unsafe.Add(base, off)) }

// newPlan decodes vm's program (vm must be Gorgonia's tape machine, built
// on g). It returns an error, and the caller keeps the tape machine's
// loop, when anything does not match what the plan was written for.
func newPlan(vm G.VM, g *G.ExprGraph) (p *plan, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errors.Errorf("decoding the tape machine's program: %v", r)
		}
	}()
	if !isTapeMachine(vm) {
		return nil, errors.Errorf("%T is not Gorgonia's tape machine", vm)
	}
	if G.CUDA {
		// The cuda build's execOp moves values between devices.
		return nil, errors.New("Gorgonia is built with CUDA")
	}
	mv := reflect.ValueOf(vm).Elem()
	m := layout{t: mv.Type()}
	logOff, runOff := m.field("logFlags", is(typFlags)), m.field("runFlags", is(typFlags))
	progOff := m.field("p", func(t reflect.Type) bool { return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct })
	if m.err != nil {
		return nil, m.err
	}
	base := unsafe.Pointer(mv.UnsafeAddr())
	// runFlags bit 5 is allocVals (NewTapeMachine always sets it); any
	// other bit (NaN/Inf watching, trace, dual values) or any log flag
	// (pointer watching) changes what the loop does.
	const allocVals = 1 << 5
	if lf, rf := at[uint16](base, logOff), at[uint16](base, runOff); lf != 0 || rf&^allocVals != 0 {
		return nil, errors.Errorf("the tape machine has logging or run flags set (%#x, %#x)", lf, rf)
	}
	eng := mv.FieldByName("Engine")
	if !eng.IsValid() || !eng.CanInterface() {
		return nil, errors.New("the tape machine has no engine")
	}
	engine, _ := eng.Interface().(tensor.Engine)
	progType, _ := m.t.FieldByName("p")
	prog := at[unsafe.Pointer](base, progOff)
	if prog == nil {
		return nil, errors.New("the tape machine has no program")
	}
	pl := layout{t: progType.Type.Elem()}
	insOff := pl.field("instructions", func(t reflect.Type) bool {
		return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Interface
	})
	locsOff, gpuOff := pl.field("cpulocs", is(typInt)), pl.field("gpulocs", is(typInt))
	if pl.err != nil {
		return nil, pl.err
	}
	if at[int](prog, gpuOff) != 0 {
		return nil, errors.New("the program uses GPU memory")
	}
	insType, _ := pl.t.FieldByName("instructions")
	list := reflect.NewAt(insType.Type, unsafe.Add(prog, insOff)).Elem()
	p = &plan{regs: make([]G.Value, at[int](prog, locsOff)), engine: engine, vm: vm}
	p.flush, _ = vm.(interface{ DoWork() error })
	reg := func(r gRegister) (int, error) {
		if r.device != G.CPU || r.id < 0 || r.id >= len(p.regs) {
			return 0, errors.Errorf("register %v%d is not a CPU register of the program", r.device, r.id)
		}
		return r.id, nil
	}
	node := func(id int64) (*G.Node, error) {
		n, ok := g.Node(id).(*G.Node)
		if !ok || n == nil {
			return nil, errors.Errorf("no node %d in the graph", id)
		}
		return n, nil
	}
	for i := 0; i < list.Len(); i++ {
		iv := list.Index(i)
		if iv.IsNil() {
			return nil, errors.Errorf("instruction %d is nil", i)
		}
		ct := iv.Elem().Type()
		// The interface's data word: the pointer itself for pointer
		// types, the address of the boxed copy for struct values.
		data := (*[2]unsafe.Pointer)(unsafe.Pointer(iv.UnsafeAddr()))[1]
		s := planStep{instr: iv.Interface()}
		switch ct.String() {
		case "*gorgonia.execOp":
			l := layout{t: ct.Elem()}
			opOff, idOff := l.field("op", is(typOp)), l.field("id", is(typInt64))
			rfOff, wtOff := l.field("readFrom", isRegisters), l.field("writeTo", isRegister)
			paOff, unOff := l.field("preAllocated", is(typBool)), l.field("useUnsafe", is(typBool))
			if l.err != nil {
				return nil, l.err
			}
			s.kind, s.op = stepExec, at[G.Op](data, opOff)
			if s.node, err = node(at[int64](data, idOff)); err != nil {
				return nil, err
			}
			for _, r := range at[[]gRegister](data, rfOff) {
				id, err := reg(r)
				if err != nil {
					return nil, err
				}
				s.reads = append(s.reads, id)
			}
			s.in = make([]G.Value, len(s.reads))
			if s.write, err = reg(at[gRegister](data, wtOff)); err != nil {
				return nil, err
			}
			s.prealloc, s.unsafe = at[bool](data, paOff), at[bool](data, unOff)
		case "gorgonia.loadArg":
			l := layout{t: ct}
			idxOff, wtOff := l.field("index", is(typInt64)), l.field("writeTo", isRegister)
			if l.err != nil {
				return nil, l.err
			}
			s.kind = stepLoad
			if s.node, err = node(at[int64](data, idxOff)); err != nil {
				return nil, err
			}
			if s.write, err = reg(at[gRegister](data, wtOff)); err != nil {
				return nil, err
			}
		case "*gorgonia.readInstr":
			l := layout{t: ct.Elem()}
			rfOff, intoOff := l.field("readFrom", isRegister), l.field("into", is(typCell))
			if l.err != nil {
				return nil, l.err
			}
			s.kind, s.into = stepRead, at[*G.Value](data, intoOff)
			if s.write, err = reg(at[gRegister](data, rfOff)); err != nil {
				return nil, err
			}
		case "gorgonia.alloc":
			l := layout{t: ct}
			tOff, sOff, wtOff := l.field("t", is(typHMType)), l.field("s", is(typShape)), l.field("writeTo", isRegister)
			if l.err != nil {
				return nil, l.err
			}
			s.kind, s.typ, s.shape = stepAlloc, at[hm.Type](data, tOff), at[tensor.Shape](data, sOff)
			if s.dtype, err = gDtypeOf(s.typ); err != nil {
				return nil, err
			}
			if s.write, err = reg(at[gRegister](data, wtOff)); err != nil {
				return nil, err
			}
		case "gorgonia.flushInstr":
			s.kind = stepFlush
		case "gorgonia.free":
			l := layout{t: ct}
			off := l.field("readsFrom", isRegister)
			if l.err != nil {
				return nil, l.err
			}
			if _, err := reg(at[gRegister](data, off)); err != nil {
				return nil, err
			}
			s.kind = stepNop
		case "gorgonia.letInstr":
			s.kind = stepNop
		default:
			return nil, errors.Errorf("instruction %d is a %v, which the plan does not run", i, ct)
		}
		p.steps = append(p.steps, s)
	}
	return p, nil
}

// routeReads points the reads into cells[k] at redirect[k]: when
// redirect[k] holds a slice, the read writes the value there instead.
func (p *plan) routeReads(cells []*G.Value, redirect []floats) {
	for i := range p.steps {
		s := &p.steps[i]
		for k, c := range cells {
			if s.kind == stepRead && s.into == c {
				s.route = &redirect[k]
			}
		}
	}
}

// run runs the program once on the calling goroutine, as the tape
// machine's loop would after a Reset.
func (p *plan) run() error {
	clear(p.regs)
	for pc := range p.steps {
		s := &p.steps[pc]
		if err := p.exec(s); err != nil {
			return errors.Wrapf(err, "PC %d. Failed to execute instruction %v", pc, s.instr)
		}
	}
	return nil
}

func (p *plan) exec(s *planStep) (err error) {
	switch s.kind {
	case stepLoad:
		v := s.node.Value()
		if v == nil {
			return errors.Errorf("No value bound to node %v (%x)", s.node, s.node.ID())
		}
		p.regs[s.write] = v
	case stepExec:
		for i, r := range s.reads {
			s.in[i] = p.regs[r]
		}
		v, err := p.do(s)
		clear(s.in) // drop references to this run's values
		if err != nil {
			return err
		}
		p.setEngine(v)
		p.regs[s.write] = v
		return gNodeBind(s.node, v)
	case stepRead:
		v := p.regs[s.write]
		if v == nil {
			return errors.New("nyi: value of nil in readInstr.exec")
		}
		if s.route != nil && (s.route.f32 != nil || s.route.f64 != nil) {
			return readRouted(*s.route, v)
		}
		return readValue(s.into, v, &s.copier)
	case stepAlloc:
		if r := p.regs[s.write]; r != nil && r.Dtype() == s.dtype && r.Shape().Eq(s.shape) {
			return nil
		}
		v, err := gMakeValue(s.typ, s.shape)
		if err != nil {
			return err
		}
		p.setEngine(v)
		p.regs[s.write] = v
	case stepFlush:
		if p.flush != nil {
			return p.flush.DoWork()
		}
	}
	return nil
}

// do calls the op the way the tape machine's execOp does: through
// UsePreallocDo when the destination register is preallocated or already
// holds a value, UnsafeDo when the op may overwrite its input, else Do.
func (p *plan) do(s *planStep) (G.Value, error) {
	switch {
	case s.prealloc:
		if pd, ok := s.op.(G.UsePreallocDoer); ok {
			v, err := pd.UsePreallocDo(p.regs[s.write], s.in...)
			if err != nil {
				return nil, errors.Wrapf(err, "Happened while attempting to execute %v. Node is %x. Register was: %v ", s.instr, s.node.ID(), s.write)
			}
			return v, nil
		}
	case p.regs[s.write] != nil:
		if pd, ok := s.op.(G.UsePreallocDoer); ok {
			if v, err := pd.UsePreallocDo(p.regs[s.write], s.in...); err == nil {
				return v, nil
			}
		}
	case s.unsafe:
		if ud, ok := s.op.(G.UnsafeDoer); ok {
			v, err := ud.UnsafeDo(s.in...)
			if err != nil {
				return nil, errors.Wrap(err, "Failed to carry UnsafeDo()")
			}
			return v, nil
		}
	}
	v, err := s.op.Do(s.in...)
	if err != nil {
		return nil, errors.Wrap(err, "Failed to carry op.Do()")
	}
	return v, nil
}

// setEngine gives v the machine's engine, as the tape machine does after
// every op and allocation (without its per-call closure when the engine
// is already set).
func (p *plan) setEngine(v G.Value) {
	if d, ok := v.(*tensor.Dense); ok && d.Engine() == p.engine {
		return
	}
	gSetEngine(v, p.engine)
}

// readValue copies v into the cell of a G.Read: into the value already
// there, or a clone on the first run, as the tape machine's read does.
func readValue(into *G.Value, v G.Value, cp **splitCopy) error {
	dst := *into
	if dst == nil {
		c, err := G.CloneValue(v)
		if err != nil {
			return errors.Wrap(err, "Failed to carry clone()")
		}
		*into = c
		return nil
	}
	if d, ok := dst.(*tensor.Dense); ok {
		if s, ok := v.(*tensor.Dense); ok && d.Dtype() == s.Dtype() && d.DataSize() == s.DataSize() && !s.IsView() && !d.IsView() {
			switch d.Dtype() {
			case tensor.Float32:
				copyFloats(cp, floats{f32: d.Float32s()}, floats{f32: s.Float32s()})
				return nil
			case tensor.Float64:
				copyFloats(cp, floats{f64: d.Float64s()}, floats{f64: s.Float64s()})
				return nil
			}
		}
	}
	_, err := G.Copy(dst, v)
	return err
}

// readSplitElems is the number of elements per goroutine below which a
// read copies on one goroutine. The large reads are the weight gradients
// (W1's first layer: 100,352 values, 50-120 us on one goroutine on the
// Xeon measured), whose halves were just computed by the two goroutines
// of a split product: each goroutine copies the half in its own cache.
const readSplitElems = 1 << 15

// splitCopy copies a float32 or float64 slice on several goroutines; a
// read step keeps one and reuses it, so that a split allocates nothing.
type splitCopy struct {
	dst, src floats
	n, w     int
	part     func(q int) // c.run, bound once
}

// copyFloats copies src into dst (of one dtype and length), split across
// goroutines when it is large; *cp holds the split's state.
func copyFloats(cp **splitCopy, dst, src floats) {
	n := len(src.f32) + len(src.f64)
	w := workersForSize(n, readSplitElems)
	if w <= 1 || cp == nil {
		copy(dst.f32, src.f32)
		copy(dst.f64, src.f64)
		return
	}
	c := *cp
	if c == nil {
		c = &splitCopy{}
		c.part = c.run
		*cp = c
	}
	c.dst, c.src, c.n, c.w = dst, src, n, w
	fanOut(w, c.part)
	c.dst, c.src = floats{}, floats{}
}

func (c *splitCopy) run(q int) {
	lo, hi := part(c.n, c.w, q, 16)
	if c.src.f32 != nil {
		copy(c.dst.f32[lo:hi], c.src.f32[lo:hi])
		return
	}
	copy(c.dst.f64[lo:hi], c.src.f64[lo:hi])
}

// readRouted copies v, a tensor of the slice's length and dtype, into it.
func readRouted(dst floats, v G.Value) error {
	d, ok := v.(*tensor.Dense)
	switch {
	case !ok || d.IsView():
		return errors.Errorf("an output read into a slice is a %T", v)
	case dst.f32 != nil && d.Dtype() == tensor.Float32 && d.DataSize() >= len(dst.f32):
		copy(dst.f32, d.Float32s())
	case dst.f64 != nil && d.Dtype() == tensor.Float64 && d.DataSize() >= len(dst.f64):
		copy(dst.f64, d.Float64s())
	default:
		return errors.Errorf("an output of %v %v does not fit its destination", d.Dtype(), d.Shape())
	}
	return nil
}

func (p *plan) String() string {
	return fmt.Sprintf("plan of %d steps, %d registers", len(p.steps), len(p.regs))
}
