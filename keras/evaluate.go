package keras

import (
	"context"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/internal/par"
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
		if err := m.fill(p, c, d, idx, eb.hostY); err != nil {
			return err
		}
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
	hooks := cl.uses(OnPredictBatchBegin) || cl.uses(OnPredictBatchEnd)
	if hooks {
		outs, err = m.predictHooked(ctx, d, bs, cl)
	} else {
		outs, err = m.predictBatches(ctx, d, bs)
	}
	if err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	if err := cl.call(OnPredictEnd, 0, Logs{}); err != nil {
		return nil, errors.Wrap(err, "keras: "+call)
	}
	return outs, nil
}

// predictHooked runs the batches in order on this goroutine, calling the
// batch hooks around each, which see the program's outputs.
func (m *Model) predictHooked(ctx context.Context, d dataset, bs int, cl *callbackList) (outs []*tensor.Dense, err error) {
	n := d.n()
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
		if err := m.fill(p, nil, d, idx, nil); err != nil {
			return err
		}
		if err := m.run(p); err != nil {
			return err
		}
		if outs == nil {
			outs = m.predictOutputs(p, n)
		}
		lo, hi := idx[0], idx[len(idx)-1]+1
		for k, o := range p.Outputs() {
			width := o.Shape().TotalSize() / len(idx)
			dst, src := floatsOf(outs[k]), floatsOf(o)
			if dst.f32 != nil {
				copy(dst.f32[lo*width:hi*width], src.f32)
			} else {
				copy(dst.f64[lo*width:hi*width], src.f64)
			}
		}
		if cl.uses(OnPredictBatchEnd) {
			return cl.call(OnPredictBatchEnd, b, Logs{}, p.Outputs()...)
		}
		return nil
	})
	return outs, err
}

// predictOutputs allocates the results of predicting n rows with a
// program shaped like p.
func (m *Model) predictOutputs(p *backend.Program, n int) []*tensor.Dense {
	var outs []*tensor.Dense
	for _, o := range p.Outputs() {
		shape := append([]int{n}, o.Shape()[1:]...)
		outs = append(outs, tensor.New(tensor.WithShape(shape...), tensor.Of(m.dtype)))
	}
	return outs
}

// predictSplit is the number of input values per goroutine below which
// the batches of one Predict call run on one goroutine.
const predictSplit = 1 << 16

// predictBatches runs the batches of rows 0..n-1 without batch hooks:
// each writes its outputs straight into its rows of the results, and when
// there are several batches and enough data, runs of consecutive batches
// go to several goroutines, each with programs of its own (the weights
// are read under the read lock, as always). Every row's result is the
// same as on one goroutine: rows do not interact.
func (m *Model) predictBatches(ctx context.Context, d dataset, bs int) ([]*tensor.Dense, error) {
	n := d.n()
	steps := (n + bs - 1) / bs
	width := 0
	for _, x := range d.xs {
		width += x.width
	}
	w := min(steps, par.Workers(n*width, predictSplit))
	shapes := d.shapes()
	// The first batch's program gives the output shapes; the first
	// worker keeps it.
	first, err := m.infer.Acquire(backend.Predict, min(bs, n), shapes...)
	if err != nil {
		return nil, err
	}
	outs := m.predictOutputs(first, n)
	if w == 1 {
		return outs, m.predictRange(ctx, d, shapes, bs, 0, steps, outs, first)
	}
	errs := make([]error, w)
	par.Run(w, func(q int) {
		lo, hi := par.Part(steps, w, q, 1)
		var p *backend.Program
		if q == 0 {
			p = first
		}
		errs[q] = m.predictRange(ctx, d, shapes, bs, lo, hi, outs, p)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// predictRange runs batches [lo, hi) of size bs (the last one of the data
// may be smaller) into outs, with p (nil: acquired here) for the batches
// of p's size; it releases its programs.
func (m *Model) predictRange(ctx context.Context, d dataset, shapes [][]int, bs, lo, hi int, outs []*tensor.Dense, p *backend.Program) error {
	n := d.n()
	var tail *backend.Program
	if p != nil && p.BatchSize() != bs {
		p, tail = nil, p
	}
	defer func() {
		m.infer.Release(p)
		m.infer.Release(tail)
	}()
	idx := make([]int, 0, bs)
	for b := lo; b < hi; b++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		r0, r1 := b*bs, min((b+1)*bs, n)
		idx = idx[:0]
		for r := r0; r < r1; r++ {
			idx = append(idx, r)
		}
		prog := &p
		if r1-r0 != bs {
			prog = &tail
		}
		if *prog == nil {
			var err error
			if *prog, err = m.infer.Acquire(backend.Predict, r1-r0, shapes...); err != nil {
				return err
			}
		}
		pr := *prog
		if err := m.fill(pr, nil, d, idx, nil); err != nil {
			return err
		}
		for k, o := range pr.Outputs() {
			width := o.Shape().TotalSize() / (r1 - r0)
			dst := floatsOf(outs[k])
			var err error
			if dst.f32 != nil {
				err = pr.OutputInto(k, dst.f32[r0*width:r1*width])
			} else {
				err = pr.OutputInto(k, dst.f64[r0*width:r1*width])
			}
			if err != nil {
				return err
			}
		}
		if err := m.run(pr); err != nil {
			return err
		}
	}
	return nil
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
