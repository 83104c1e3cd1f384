package keras

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/metrics"
)

// Scores are the results of Evaluate: "loss", for models with several
// losses each "<output>_loss", and each compiled metric by its history key.
type Scores map[string]float64

// Get returns the score for key, also under the other spellings Keras
// users know ("acc"/"accuracy", "mae"/"mean_absolute_error", ...; see
// metrics.Aliases).
func (s Scores) Get(key string) (float64, bool) {
	if v, ok := s[key]; ok {
		return v, true
	}
	for _, alt := range metrics.Aliases(key) {
		if v, ok := s[alt]; ok {
			return v, true
		}
	}
	return 0, false
}

// Evaluate returns the loss and metrics of the model on x and y, in
// inference mode (Keras: evaluate). x and y are as for Fit. Options:
// BatchSize (32), Verbose (1), SampleWeight, OutputSampleWeight,
// Callbacks, ProgressOutput. It returns ErrNotCompiled before Compile. It
// may run while the model trains, and from its callbacks.
//
// The loss is sum(loss_i * w_i) / N over all samples, which with equal
// weights is the mean loss. It can differ from the last epoch's training
// loss, which Fit averages over batches while the weights change and
// dropout is active.
func (m *Model) Evaluate(ctx context.Context, x, y Data, opts ...EvaluateOption) (s Scores, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: Evaluate", r)
		}
	}()
	cfg := defaultRunConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.Wrap(ErrNil, "keras: Evaluate: nil option")
		}
		o.applyEvaluate(cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, errors.Wrap(cfg.errs[0], "keras")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := m.buildFor(x); err != nil {
		return nil, err
	}
	c := m.compiled.Load()
	if c == nil {
		return nil, errors.Wrap(ErrNotCompiled, "keras: Evaluate")
	}
	d, err := m.checkData(c, "x", "y", x, y, cfg.sampleWeight, cfg.outSampleWeight)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	bs := min(cfg.batchSize, d.n())
	steps := (d.n() + bs - 1) / bs
	params := Params{Epochs: 1, Steps: steps, BatchSize: bs, Samples: d.n(), Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, nil))
	logs, err := m.evaluateData(ctx, c, d, bs, cl)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	return Scores(logs), nil
}

// evaluateData runs d through eval graphs and returns "loss", the
// per-output losses and the metrics. Fit's validation uses it too. Each
// call has metric instances of its own, so evaluations may run at the
// same time (a callback evaluating during Fit's validation, say).
func (m *Model) evaluateData(ctx context.Context, c *compiled, d dataset, bs int, cl *callbackList) (Logs, error) {
	mets, err := freshMetrics(c)
	if err != nil {
		return nil, err
	}
	if err := cl.call(OnTestBegin, 0, Logs{}); err != nil {
		return nil, err
	}
	eb := m.newBatcher(c, backend.Eval, c.engine, d.shapes())
	defer eb.release()
	n := d.n()
	means := &lossMeans{c: c}
	err = inOrder(ctx, n, min(bs, n), func(b int, idx []int) error {
		if cl.uses(OnTestBatchBegin) {
			if err := cl.call(OnTestBatchBegin, b, Logs{}); err != nil {
				return err
			}
		}
		p, err := eb.program(len(idx))
		if err != nil {
			return err
		}
		eb.prepare(p)
		m.fill(p, c, d, idx, eb.hostY)
		if err := m.run(p); err != nil {
			return err
		}
		means.add(p, len(idx))
		if err := eb.updateMetrics(mets, p, d, idx); err != nil {
			return err
		}
		if cl.uses(OnTestBatchEnd) {
			return cl.call(OnTestBatchEnd, b, means.logs(mets))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := means.logs(mets)
	if err := cl.call(OnTestEnd, 0, out); err != nil {
		return nil, err
	}
	return out, nil
}

// run runs an inference program under the weights' read lock.
func (m *Model) run(p *backend.Program) error {
	m.weightsMu.RLock()
	defer m.weightsMu.RUnlock()
	return p.Run(nil)
}

// Predict returns the output of a model with one output for every row of
// x, shape (N, output shape...), in the model's dtype (Keras: predict).
// x is as for Fit. It needs no Compile and works for any N, including 1.
// Options: BatchSize (32), Verbose (1, Keras's default: pass Verbose(0)
// in servers), Callbacks, ProgressOutput. A model with several outputs
// gives an error: use PredictAll.
//
// Predict is safe to call from many goroutines at once, also while the
// model trains: each call runs its own compiled graph on the shared
// weights, and each batch sees the weights between two training steps.
func (m *Model) Predict(ctx context.Context, x Data, opts ...PredictOption) (*tensor.Dense, error) {
	outs, err := m.predict(ctx, "Predict", x, opts)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, errors.Errorf("keras: Predict: the model has %d outputs; use PredictAll", len(outs))
	}
	return outs[0], nil
}

// PredictAll returns every output of the model for every row of x, in the
// order of OutputNames (Keras: predict on a model with several outputs).
// See Predict.
func (m *Model) PredictAll(ctx context.Context, x Data, opts ...PredictOption) ([]*tensor.Dense, error) {
	return m.predict(ctx, "PredictAll", x, opts)
}

func (m *Model) predict(ctx context.Context, call string, x Data, opts []PredictOption) (outs []*tensor.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, kerrors.Recovered("keras: "+call, r)
		}
	}()
	cfg := defaultRunConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.Wrapf(ErrNil, "keras: %s: nil option", call)
		}
		o.applyPredict(cfg)
	}
	if len(cfg.errs) > 0 {
		return nil, errors.Wrap(cfg.errs[0], "keras")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := m.buildFor(x); err != nil {
		return nil, err
	}
	xs, err := m.checkInputs("x", x)
	if err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	d := dataset{xs: xs}
	n := d.n()
	bs := min(cfg.batchSize, n)
	steps := (n + bs - 1) / bs
	params := Params{Epochs: 1, Steps: steps, BatchSize: bs, Samples: n, Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, nil))
	if err := cl.call(OnPredictBegin, 0, Logs{}); err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	pb := m.newBatcher(nil, backend.Predict, m.infer, d.shapes())
	defer pb.release()
	err = inOrder(ctx, n, bs, func(b int, idx []int) error {
		if cl.uses(OnPredictBatchBegin) {
			if err := cl.call(OnPredictBatchBegin, b, Logs{}); err != nil {
				return err
			}
		}
		p, err := pb.program(len(idx))
		if err != nil {
			return err
		}
		m.fill(p, nil, d, idx, nil)
		if err := m.run(p); err != nil {
			return err
		}
		if outs == nil {
			for _, o := range p.Outputs() {
				shape := append([]int{n}, o.Shape()[1:]...)
				outs = append(outs, tensor.New(tensor.WithShape(shape...), tensor.Of(m.dtype)))
			}
		}
		lo, hi := idx[0], idx[len(idx)-1]+1
		for k, o := range p.Outputs() {
			width := o.Shape().TotalSize() / len(idx)
			switch dst := outs[k].Data().(type) {
			case []float32:
				copy(dst[lo*width:hi*width], o.Data().([]float32))
			case []float64:
				copy(dst[lo*width:hi*width], o.Data().([]float64))
			}
		}
		if cl.uses(OnPredictBatchEnd) {
			return cl.call(OnPredictBatchEnd, b, Logs{}, p.Outputs()...)
		}
		return nil
	})
	if err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	if err := cl.call(OnPredictEnd, 0, Logs{}); err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	return outs, nil
}

// inOrder calls step for the batches of rows 0..n-1 in order, bs rows at a
// time (the last batch smaller), with the batch's index and row indices;
// it stops at the first error or when ctx is cancelled.
func inOrder(ctx context.Context, n, bs int, step func(b int, idx []int) error) error {
	idx := make([]int, 0, bs)
	for b, lo := 0, 0; lo < n; b, lo = b+1, lo+bs {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx = idx[:0]
		for r := lo; r < min(lo+bs, n); r++ {
			idx = append(idx, r)
		}
		if err := step(b, idx); err != nil {
			return err
		}
	}
	return nil
}
