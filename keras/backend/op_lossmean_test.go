package backend

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestWeightedMeanMatchesGorgonia compares the fused loss mean with the
// Gorgonia graph it replaced (⊙ the weights, Σ, × 1/rows), value and
// gradient, bit for bit, in both dtypes, with the upstream gradient scaled
// as a loss weight does.
func TestWeightedMeanMatchesGorgonia(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, rows := range []int{1, 3, 32, 81} {
			xs := make([]float64, rows)
			ws := make([]float64, rows)
			for i := range xs {
				xs[i] = rng.ExpFloat64() * 3
				ws[i] = []float64{1, 0, 0.5, rng.Float64() * 4}[rng.Intn(4)]
			}
			type result struct {
				loss float64
				grad []uint64
			}
			var res [2]result
			for k, fused := range []bool{true, false} {
				g := G.NewGraph()
				s := NewScope(g, Train, rows, dt)
				val := func(v []float64) *tensor.Dense {
					d := like(dt, tensor.Shape{rows})
					for i, x := range v {
						if dt == tensor.Float32 {
							d.Float32s()[i] = float32(x)
						} else {
							d.Float64s()[i] = x
						}
					}
					return d
				}
				// per is a function of an input, so it has a gradient.
				x := G.NewVector(g, dt, G.WithShape(rows), G.WithName("x"), G.WithValue(val(xs)))
				sw := G.NewVector(g, dt, G.WithShape(rows), G.WithName("sw"), G.WithValue(val(ws)))
				per, err := Elementwise(x, ElemFunc{Name: "sq", F: func(v float64) float64 { return v * v }, DF: func(v, _ float64) float64 { return 2 * v }})
				if err != nil {
					t.Fatal(err)
				}
				var mean *G.Node
				if fused {
					mean, err = weightedMean(s, per, sw, rows)
				} else {
					var w *G.Node
					if w, err = G.HadamardProd(per, sw); err == nil {
						if mean, err = G.Sum(w); err == nil {
							mean, err = G.Mul(mean, s.Scalar(1/float64(rows)))
						}
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				total, err := G.Mul(mean, s.Scalar(0.7)) // a loss weight
				if err != nil {
					t.Fatal(err)
				}
				grads, err := G.Grad(total, x)
				if err != nil {
					t.Fatal(err)
				}
				var lv, gv G.Value
				G.Read(mean, &lv)
				G.Read(grads[0], &gv)
				vm := G.NewTapeMachine(g)
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				res[k] = result{scalarOf(lv), bitsOfDense(gv.(*tensor.Dense))}
			}
			if math.Float64bits(res[0].loss) != math.Float64bits(res[1].loss) {
				t.Fatalf("%v rows %d: fused mean %v, Gorgonia's %v", dt, rows, res[0].loss, res[1].loss)
			}
			for i := range res[0].grad {
				if res[0].grad[i] != res[1].grad[i] {
					t.Fatalf("%v rows %d: gradient %d differs", dt, rows, i)
				}
			}
		}
	}
}

func bitsOfDense(d *tensor.Dense) []uint64 {
	var out []uint64
	if d.Dtype() == tensor.Float32 {
		for _, v := range d.Float32s() {
			out = append(out, uint64(math.Float32bits(v)))
		}
		return out
	}
	for _, v := range d.Float64s() {
		out = append(out, math.Float64bits(v))
	}
	return out
}
