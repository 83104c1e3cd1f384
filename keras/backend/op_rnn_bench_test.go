package backend_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// The reference workloads W5 and W6 of shared/bench: Embedding(10000, 64)
// -> LSTM(64) (W6: GRU(64)) -> Dense(1, sigmoid), binary cross-entropy,
// Adam(1e-3, eps 1e-7), batch 32, sequences of 100 random ids. Compare
// with `torch_reference.py --w lstm|gru` run beside it (ratios, the
// machine is shared) and with testdata/bench_rnn_torch.py for the
// embedding + recurrent op alone.
const (
	benchVocab = 10000
	benchEmbed = 64
	benchUnits = 64
	benchSteps = 100
	benchBatch = 32
)

type rnnBenchModel struct {
	vars []*backend.Variable
	ids  []float32 // benchBatch*64 sequences of benchSteps ids
	ys   []float32
}

func newRNNBenchModel(b *testing.B, cell backend.RNNCell, dense bool) *rnnBenchModel {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	m := &rnnBenchModel{}
	g := cell.Gates()
	shapes := []struct {
		name  string
		shape []int
		scale float64
	}{
		{"embedding/embeddings", []int{benchVocab, benchEmbed}, 0.05},
		{"rnn/kernel", []int{benchEmbed, g * benchUnits}, 0.15},
		{"rnn/recurrent_kernel", []int{benchUnits, g * benchUnits}, 0.15},
		{"rnn/bias", []int{g * benchUnits}, 0},
	}
	if cell == backend.GRUCell {
		shapes[3].shape = []int{2, g * benchUnits}
	}
	if dense {
		shapes = append(shapes, struct {
			name  string
			shape []int
			scale float64
		}{"dense/kernel", []int{benchUnits, 1}, 0.3}, struct {
			name  string
			shape []int
			scale float64
		}{"dense/bias", []int{1}, 0})
	}
	for _, s := range shapes {
		v, err := backend.NewVariable(s.name, tensor.Float32, s.shape, true)
		if err != nil {
			b.Fatal(err)
		}
		w := make([]float64, v.Size())
		for i := range w {
			w[i] = s.scale * (2*rng.Float64() - 1)
		}
		if err := v.SetFloat64s(w); err != nil {
			b.Fatal(err)
		}
		m.vars = append(m.vars, v)
	}
	m.ids = make([]float32, 64*benchBatch*benchSteps)
	for i := range m.ids {
		m.ids[i] = float32(1 + rng.Intn(benchVocab-1))
	}
	m.ys = make([]float32, 64*benchBatch)
	for i := range m.ys {
		m.ys[i] = float32(rng.Intn(2))
	}
	return m
}

// engine returns an Engine for the model: the full W5/W6 model with dense
// set, else the embedding and the recurrent op with a per-sample loss on
// the last output.
func (m *rnnBenchModel) engine(b *testing.B, cell backend.RNNCell, dense bool) *backend.Engine {
	b.Helper()
	forward := func(s *backend.Scope, x *G.Node) (*G.Node, error) {
		p := make([]*G.Node, len(m.vars))
		for i, v := range m.vars {
			n, err := s.Param(v)
			if err != nil {
				return nil, err
			}
			p[i] = n
		}
		emb, err := backend.Embedding(x, p[0], "embedding")
		if err != nil {
			return nil, err
		}
		r, err := backend.Recurrent(backend.RNNSpec{Cell: cell, Units: benchUnits, Name: "rnn"},
			backend.RNNInputs{X: emb, Kernel: p[1], RecurrentKernel: p[2], Bias: p[3]})
		if err != nil {
			return nil, err
		}
		last, err := r.LastOutput()
		if err != nil || !dense {
			return last, err
		}
		y, err := backend.MatMul(last, p[4], false, false)
		if err != nil {
			return nil, err
		}
		return backend.BiasAdd(y, p[5])
	}
	e, err := backend.NewEngine(backend.Spec{
		Dtype: tensor.Float32, Inputs: []backend.TensorSpec{{Name: "ids", Shape: []int{benchSteps}}}, Variables: m.vars,
		Forward: func(s *backend.Scope, xs []*G.Node) ([]*G.Node, error) {
			y, err := forward(s, xs[0])
			return []*G.Node{y}, err
		},
		Losses: []backend.LossFunc{func(s *backend.Scope, yTrue, yPred *G.Node) (*G.Node, error) {
			return backend.SigmoidCrossEntropy(yPred, yTrue)
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func (m *rnnBenchModel) fill(p *backend.Program, step int) {
	bs := p.BatchSize()
	k := step % (len(m.ids) / (bs * benchSteps))
	copy(p.Inputs()[0].Data().([]float32), m.ids[k*bs*benchSteps:(k+1)*bs*benchSteps])
	if ts := p.Targets(); len(ts) > 0 && ts[0] != nil {
		t := ts[0]
		d := t.Data().([]float32)
		if len(d) == bs {
			copy(d, m.ys[k*bs:(k+1)*bs])
		} else {
			for i := range d {
				d[i] = m.ys[(k*bs+i)%len(m.ys)]
			}
		}
	}
}

var benchCells = []struct {
	name string
	cell backend.RNNCell
}{{"lstm", backend.LSTMCell}, {"gru", backend.GRUCell}}

// BenchmarkEmbeddingRecurrent: forward and backward of Embedding(10000,
// 64) + the recurrent op (64 units) on a (32, 100) batch of ids, one
// train program run per iteration (no optimizer), on one and two cores.
func BenchmarkEmbeddingRecurrent(b *testing.B) {
	for _, c := range benchCells {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", c.name, w), func(b *testing.B) {
				defer backend.SetRNNWorkers(w)()
				m := newRNNBenchModel(b, c.cell, false)
				p, err := m.engine(b, c.cell, false).Acquire(backend.Train, benchBatch)
				if err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewSource(2))
				for i := 0; i < 3; i++ {
					m.fill(p, i)
					if err := p.Run(rng); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				c0 := processNanos()
				for i := 0; i < b.N; i++ {
					m.fill(p, i)
					if err := p.Run(rng); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// BenchmarkRNNWorkload is W5 (lstm) and W6 (gru) at the backend level:
// the whole model's train step (program run + Adam update), reported as
// seconds per 100 steps like torch_reference.py, and prediction
// throughput in batches of 256 (as torch_reference.py predicts).
func BenchmarkRNNWorkload(b *testing.B) {
	for _, c := range benchCells {
		b.Run(c.name+"/train", func(b *testing.B) {
			m := newRNNBenchModel(b, c.cell, true)
			p, err := m.engine(b, c.cell, true).Acquire(backend.Train, benchBatch)
			if err != nil {
				b.Fatal(err)
			}
			opt := optimizers.Adam()
			rng := rand.New(rand.NewSource(2))
			step := func(i int) {
				m.fill(p, i)
				if err := p.Run(rng); err != nil {
					b.Fatal(err)
				}
				if err := opt.Apply(m.vars); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < 3; i++ {
				step(i)
			}
			b.ReportAllocs()
			b.ResetTimer()
			t0, c0 := time.Now(), processNanos()
			for i := 0; i < b.N; i++ {
				step(i)
			}
			b.ReportMetric(time.Since(t0).Seconds()*100/float64(b.N), "s/100steps")
			b.ReportMetric(float64(processNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
		b.Run(c.name+"/predict256", func(b *testing.B) {
			m := newRNNBenchModel(b, c.cell, true)
			p, err := m.engine(b, c.cell, true).Acquire(backend.Predict, 256)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewSource(2))
			m.fill(p, 0)
			if err := p.Run(rng); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			t0, c0 := time.Now(), processNanos()
			for i := 0; i < b.N; i++ {
				m.fill(p, i)
				if err := p.Run(rng); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(256*b.N)/time.Since(t0).Seconds(), "samples/s")
			b.ReportMetric(float64(processNanos()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}
