package backend

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/par"
)

// planSpec returns a model spec over fresh variables with values from a
// fixed seed; kind picks the graph.
func planSpec(t *testing.T, kind string, dt tensor.Dtype) Spec {
	t.Helper()
	rng := rand.New(rand.NewSource(5))
	newVar := func(name string, shape ...int) *Variable {
		v, err := NewVariable(name, dt, shape, true)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, v.Size())
		for i := range w {
			w[i] = rng.NormFloat64() * 0.3
		}
		if err := v.SetFloat64s(w); err != nil {
			t.Fatal(err)
		}
		return v
	}
	switch kind {
	case "mlp":
		w1, b1, w2, b2 := newVar("w1", 12, 8), newVar("b1", 8), newVar("w2", 8, 3), newVar("b2", 3)
		return Spec{Dtype: dt, Inputs: []TensorSpec{{Name: "x", Shape: []int{3, 4}}}, Variables: []*Variable{w1, b1, w2, b2},
			Forward: func(s *Scope, xs []*G.Node) ([]*G.Node, error) {
				x, err := G.Reshape(xs[0], tensor.Shape{xs[0].Shape()[0], 12})
				if err != nil {
					return nil, err
				}
				h, err := denseRelu(s, x, w1, b1, true)
				if err != nil {
					return nil, err
				}
				o, err := denseRelu(s, h, w2, b2, false)
				if err != nil {
					return nil, err
				}
				// A penalty made of Gorgonia's own ops (⊙, Σ, scalar ×).
				k, _ := s.Param(w1)
				sq, err := G.HadamardProd(k, k)
				if err != nil {
					return nil, err
				}
				sum, err := G.Sum(sq)
				if err != nil {
					return nil, err
				}
				pen, err := G.Mul(sum, s.Scalar(1e-3))
				if err != nil {
					return nil, err
				}
				s.AddLoss(pen)
				return []*G.Node{o}, nil
			},
			Losses: []LossFunc{func(s *Scope, yt, yp *G.Node) (*G.Node, error) { return SoftmaxCrossEntropy(yp, yt) }},
		}
	case "regression":
		w1, b1, w2 := newVar("w1", 5, 6), newVar("b1", 6), newVar("w2", 6, 2)
		return Spec{Dtype: dt, Inputs: []TensorSpec{{Name: "x", Shape: []int{5}}}, Variables: []*Variable{w1, b1, w2},
			Forward: func(s *Scope, xs []*G.Node) ([]*G.Node, error) {
				h, err := denseRelu(s, xs[0], w1, b1, true)
				if err != nil {
					return nil, err
				}
				k, _ := s.Param(w2)
				o, err := MatMul(h, k, false, false)
				if err != nil {
					return nil, err
				}
				return []*G.Node{o, h}, nil
			},
			Losses: []LossFunc{
				func(s *Scope, yt, yp *G.Node) (*G.Node, error) {
					d, err := G.Sub(yp, yt)
					if err != nil {
						return nil, err
					}
					sq, err := G.HadamardProd(d, d)
					if err != nil {
						return nil, err
					}
					return G.Mean(sq, 1)
				},
				func(s *Scope, yt, yp *G.Node) (*G.Node, error) { return SigmoidCrossEntropy(yp, yt) },
			},
			LossWeights: []float64{1, 0.5},
		}
	}
	t.Fatalf("unknown spec %s", kind)
	return Spec{}
}

func denseRelu(s *Scope, x *G.Node, w, b *Variable, relu bool) (*G.Node, error) {
	k, err := s.Param(w)
	if err != nil {
		return nil, err
	}
	bn, err := s.Param(b)
	if err != nil {
		return nil, err
	}
	h, err := MatMul(x, k, false, false)
	if err != nil {
		return nil, err
	}
	if h, err = BiasAdd(h, bn); err != nil {
		return nil, err
	}
	if relu {
		return Relu(h)
	}
	return h, nil
}

// fillRandom writes values from rng into a buffer (targets in [0, 1)).
func fillRandom(d *tensor.Dense, rng *rand.Rand) {
	switch x := d.Data().(type) {
	case []float32:
		for i := range x {
			x[i] = float32(rng.Float64())
		}
	case []float64:
		for i := range x {
			x[i] = rng.Float64()
		}
	}
}

func bitsOf(t *tensor.Dense) []uint64 {
	var out []uint64
	switch x := t.Data().(type) {
	case []float32:
		for _, v := range x {
			out = append(out, uint64(math.Float32bits(v)))
		}
	case []float64:
		for _, v := range x {
			out = append(out, math.Float64bits(v))
		}
	}
	return out
}

func equalBits(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPlanMatchesTapeMachine runs the same programs through the plan and
// through the tape machine's own loop, for several graphs (custom ops,
// Gorgonia's in-place and preallocating ops, reshapes, scalar reads,
// several outputs) in every mode and both dtypes, and requires the same
// bits in every loss, output and gradient over several steps, with the
// weights moving between steps.
func TestPlanMatchesTapeMachine(t *testing.T) {
	defer func() { disablePlans = false }()
	for _, kind := range []string{"mlp", "regression"} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			for _, mode := range []Mode{Train, Eval, Predict} {
				type run struct {
					spec Spec
					p    *Program
				}
				var runs [2]run
				for i, usePlan := range []bool{true, false} {
					disablePlans = !usePlan
					spec := planSpec(t, kind, dt)
					e, err := NewEngine(spec)
					if err != nil {
						t.Fatal(err)
					}
					p, err := e.Acquire(mode, 4)
					if err != nil {
						t.Fatal(err)
					}
					if usePlan && p.plan == nil {
						t.Fatalf("%s %v %v: the program was not decoded: %v", kind, dt, mode, p.planErr)
					}
					if !usePlan && p.plan != nil {
						t.Fatal("disablePlans did not keep the tape machine's loop")
					}
					runs[i] = run{spec, p}
				}
				for step := 0; step < 3; step++ {
					for i := range runs {
						rng := rand.New(rand.NewSource(int64(step)))
						p := runs[i].p
						for _, in := range p.Inputs() {
							fillRandom(in, rng)
						}
						for _, y := range p.Targets() {
							if y != nil {
								fillRandom(y, rng)
							}
						}
						if err := p.Run(nil); err != nil {
							t.Fatalf("%s %v %v step %d (plan %v): %v", kind, dt, mode, step, i == 0, err)
						}
					}
					a, b := runs[0], runs[1]
					where := func(what string) string {
						return kind + " " + dt.String() + " " + mode.String() + " step " + string(rune('0'+step)) + ": " + what
					}
					if mode != Predict {
						if math.Float64bits(a.p.Loss()) != math.Float64bits(b.p.Loss()) {
							t.Fatalf("%s: plan %v, tape machine %v", where("loss"), a.p.Loss(), b.p.Loss())
						}
						for k := range a.p.outLoss {
							if math.Float64bits(a.p.OutputLoss(k)) != math.Float64bits(b.p.OutputLoss(k)) {
								t.Fatalf("%s: plan %v, tape machine %v", where("output loss"), a.p.OutputLoss(k), b.p.OutputLoss(k))
							}
						}
					}
					for k := range a.p.Outputs() {
						if !equalBits(bitsOf(a.p.Outputs()[k]), bitsOf(b.p.Outputs()[k])) {
							t.Fatalf("%s differ", where("outputs"))
						}
					}
					if mode == Train {
						for j, v := range a.spec.Variables {
							if !equalBits(bitsOf(v.Grad()), bitsOf(b.spec.Variables[j].Grad())) {
								t.Fatalf("%s of %s differs", where("gradient"), v.Name())
							}
							// Move both weights the same way.
							for _, vv := range []*Variable{v, b.spec.Variables[j]} {
								w := vv.Float64s()
								g := ToFloat64s(vv.Grad().Data())
								for i := range w {
									w[i] -= 0.1 * g[i]
								}
								_ = vv.SetFloat64s(w)
							}
						}
					}
				}
			}
		}
	}
}

// TestPlanErrors: an op failure surfaces as an error naming the
// instruction, and a machine whose flags change what its loop does is not
// decoded.
func TestPlanErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
	s, _ := Softmax(x)
	var v G.Value
	G.Read(s, &v)
	p, err := newPlan(G.NewTapeMachine(g), g)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(); err == nil {
		t.Error("running a graph with an unbound input should fail")
	}
	for _, opt := range []G.VMOpt{G.WithNaNWatch(), G.WithInfWatch(), G.TraceExec()} {
		if _, err := newPlan(G.NewTapeMachine(g, opt), g); err == nil {
			t.Error("a machine with a watch or trace option was decoded")
		}
	}
	if _, err := newPlan(&fakeVM{}, g); err == nil {
		t.Error("a VM that is not the tape machine was decoded")
	}
}

// TestSplitReadCopy: a large read copied by two goroutines gives the
// source exactly, in both dtypes, and reuses its split state.
func TestSplitReadCopy(t *testing.T) {
	defer SetMaxWorkers(0)
	defer par.SetBackoff(par.SetBackoff(false))
	SetMaxWorkers(2)
	n := 3*readSplitElems + 5
	if workersForSize(n, readSplitElems) < 2 {
		t.Fatalf("%d values are not split", n)
	}
	var cp *splitCopy
	src32, dst32 := make([]float32, n), make([]float32, n)
	src64, dst64 := make([]float64, n), make([]float64, n)
	for i := range src32 {
		src32[i], src64[i] = float32(i)+0.25, float64(i)-0.5
	}
	copyFloats(&cp, floats{f32: dst32}, floats{f32: src32})
	first := cp
	copyFloats(&cp, floats{f64: dst64}, floats{f64: src64})
	if cp == nil || cp != first {
		t.Fatalf("split state %p, then %p: want one, reused", first, cp)
	}
	for i := range src32 {
		if dst32[i] != src32[i] || dst64[i] != src64[i] {
			t.Fatalf("element %d: got %v, %v; want %v, %v", i, dst32[i], dst64[i], src32[i], src64[i])
		}
	}
}
