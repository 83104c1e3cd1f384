package keras

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/metrics"
)

// Scores are the results of Evaluate: "loss" and each compiled metric by
// the name given in Compile.
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
// inference mode (Keras: evaluate). Options: BatchSize (32), Verbose (1),
// SampleWeight, Callbacks, ProgressOutput.
//
// The loss is sum(loss_i * w_i) / N over all samples, which with equal
// weights is the mean loss. It can differ from the last epoch's training
// loss, which Fit averages over batches while the weights change and
// dropout is active.
func (m *Model) Evaluate(ctx context.Context, x, y tensor.Tensor, opts ...Option) (s Scores, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("keras: Evaluate panicked: %v", r)
		}
	}()
	cfg, err := collect("Evaluate", opts, "batch_size", "verbose", "sample_weight", "callbacks", "progress_output")
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if m.compiled == nil {
		return nil, errors.New("keras: Evaluate: the model is not compiled; call Compile first")
	}
	if err := checkRunConfig(cfg); err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	xs, err := m.checkX("x", x)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	ys, err := m.checkY("y", y, xs.n)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	d := dataset{x: xs, y: ys}
	if cfg.sampleWeight != nil {
		if d.sw, err = checkWeights("sample_weight", cfg.sampleWeight, xs.n); err != nil {
			return nil, errors.Wrap(err, "keras: Evaluate")
		}
	}
	steps := (xs.n + cfg.batchSize - 1) / cfg.batchSize
	params := Params{Epochs: 1, Steps: steps, BatchSize: cfg.batchSize, Samples: xs.n, Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, nil))
	logs, err := m.evaluateData(ctx, d, cfg.batchSize, cl)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Evaluate")
	}
	return Scores(logs), nil
}

// evaluateData runs d through eval graphs and returns "loss" and the
// metrics. Fit's validation uses it too.
func (m *Model) evaluateData(ctx context.Context, d dataset, bs int, cl *callbackList) (Logs, error) {
	m.evalMu.Lock()
	defer m.evalMu.Unlock()
	mets := m.compiled.evalMets
	for _, met := range mets {
		met.Reset()
	}
	if err := cl.call(OnTestBegin, 0, Logs{}); err != nil {
		return nil, err
	}
	eb := m.newBatcher(backend.Eval, bs, true)
	defer eb.release()
	n := d.n()
	var lossSum float64
	logs := func(seen int) Logs {
		l := Logs{"loss": lossSum / float64(seen)}
		for _, met := range mets {
			l[met.Name()] = met.Result()
		}
		return l
	}
	err := inOrder(ctx, n, bs, func(b int, idx []int) error {
		if cl.uses(OnTestBatchBegin) {
			if err := cl.call(OnTestBatchBegin, b, Logs{}); err != nil {
				return err
			}
		}
		p, err := eb.program(len(idx))
		if err != nil {
			return err
		}
		m.fill(p, d, idx, eb.hostY)
		if err := m.run(p); err != nil {
			return err
		}
		lossSum += p.Loss() * float64(len(idx))
		if err := eb.updateMetrics(mets, p, d, idx); err != nil {
			return err
		}
		if cl.uses(OnTestBatchEnd) {
			return cl.call(OnTestBatchEnd, b, logs(idx[len(idx)-1]+1))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := logs(n)
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

// Predict returns the model's output for every row of x, shape (N, output
// shape...), in the model's dtype (Keras: predict). It needs no Compile
// and works for any N, including 1. Options: BatchSize (32), Verbose (1,
// Keras's default: pass Verbose(0) in servers), Callbacks, ProgressOutput.
//
// Predict is safe to call from many goroutines at once, also while the
// model trains: each call runs its own compiled graph on the shared
// weights, and each batch sees the weights between two training steps.
func (m *Model) Predict(ctx context.Context, x tensor.Tensor, opts ...Option) (out *tensor.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, errors.Errorf("keras: Predict panicked: %v", r)
		}
	}()
	cfg, err := collect("Predict", opts, "batch_size", "verbose", "callbacks", "progress_output")
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := m.Build(); err != nil {
		return nil, err
	}
	if err := checkRunConfig(cfg); err != nil {
		return nil, errors.Wrap(err, "keras: Predict")
	}
	xs, err := m.checkX("x", x)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Predict")
	}
	n, bs := xs.n, cfg.batchSize
	steps := (n + bs - 1) / bs
	params := Params{Epochs: 1, Steps: steps, BatchSize: bs, Samples: n, Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, nil))
	if err := cl.call(OnPredictBegin, 0, Logs{}); err != nil {
		return nil, errors.Wrap(err, "keras: Predict")
	}
	out = tensor.New(tensor.WithShape(append([]int{n}, m.outShape...)...), tensor.Of(m.dtype))
	width := prod(m.outShape)
	pb := m.newBatcher(backend.Predict, bs, false)
	defer pb.release()
	d := dataset{x: xs}
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
		m.fill(p, d, idx, nil)
		if err := m.run(p); err != nil {
			return err
		}
		lo, hi := idx[0], idx[len(idx)-1]+1
		switch o := out.Data().(type) {
		case []float32:
			copy(o[lo*width:hi*width], p.Output().Data().([]float32))
		case []float64:
			copy(o[lo*width:hi*width], p.Output().Data().([]float64))
		}
		if cl.uses(OnPredictBatchEnd) {
			return cl.call(OnPredictBatchEnd, b, Logs{})
		}
		return nil
	})
	if err != nil {
		return nil, errors.Wrap(err, "keras: Predict")
	}
	if err := cl.call(OnPredictEnd, 0, Logs{}); err != nil {
		return nil, errors.Wrap(err, "keras: Predict")
	}
	return out, nil
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
