package keras

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/metrics"
)

// Fit trains the model on x and y (Keras: fit). x holds one tensor per
// input, shaped (N, input shape...); y one tensor per output with a loss:
// shaped like the output, (N) for an output of width 1, or class indices
// for sparse categorical cross-entropy (see Data for how several are
// passed). y may be nil when no output has a loss (the model's layers add
// their own).
//
// Options: Epochs (1), BatchSize (32), Verbose (1), ValidationSplit (0),
// ValidationData, Shuffle (true), InitialEpoch (0), ClassWeight,
// OutputClassWeight, SampleWeight, OutputSampleWeight, Callbacks,
// ProgressOutput (os.Stdout).
//
// Every input is checked before training starts: a mismatch in shapes or
// row counts, NaN or Inf (or a float64 beyond float32's range for a
// float32 model), out-of-range class indices or an invalid option gives
// an error naming the problem (ShapeError, DataError, OptionError). A
// model that is not compiled gives ErrNotCompiled, a second Fit while one
// runs ErrTraining. The scan for NaN and Inf is skipped for a tensor the
// model has scanned before (Fit called once per epoch scans its data once);
// every batch is checked again as it is copied, so a value written into
// such a tensor since is still a DataError with its row and column, raised
// before the batch that holds it is trained on (the batches before it in
// that call have been).
//
// Cancelling ctx stops training between two batches: Fit returns the
// history of the completed epochs together with ctx.Err(); the weights
// are those after the last completed batch, and OnTrainEnd is not called
// (so that, like an interrupted Keras fit, backups are kept).
func (m *Model) Fit(ctx context.Context, x, y Data, opts ...FitOption) (h *History, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = kerrors.Recovered("keras: Fit", r)
		}
	}()
	cfg := defaultRunConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.Wrap(ErrNil, "keras: Fit: nil option")
		}
		o.applyFit(cfg)
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
	m.mu.Lock()
	c := m.compiled.Load()
	switch {
	case m.fitting.Load():
		m.mu.Unlock()
		return nil, errors.Wrap(ErrTraining, "keras: Fit: the model is already training")
	case c == nil:
		m.mu.Unlock()
		return nil, errors.Wrap(ErrNotCompiled, "keras: Fit")
	}
	m.fitting.Store(true)
	m.mu.Unlock()
	defer m.fitting.Store(false)
	train, val, err := m.fitData(c, x, y, cfg)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Fit")
	}
	return m.fit(ctx, c, train, val, cfg)
}

// fitData checks x, y, the weights and the validation data, and splits off
// the validation rows.
func (m *Model) fitData(c *compiled, x, y Data, cfg *runConfig) (train dataset, val *dataset, err error) {
	if train, err = m.checkData(c, "x", "y", x, y, cfg.sampleWeight, cfg.outSampleWeight); err != nil {
		return train, nil, err
	}
	if err := m.applyClassWeights(c, &train, cfg); err != nil {
		return train, nil, err
	}
	switch {
	case cfg.valX != nil || cfg.valY != nil:
		v, err := m.checkData(c, "validation x", "validation y", cfg.valX, cfg.valY, cfg.valSW, nil)
		if err != nil {
			return train, nil, err
		}
		val = &v
	case cfg.validationSplit > 0:
		n := train.n()
		splitAt := int(float64(n) * (1 - cfg.validationSplit))
		if splitAt < 1 || splitAt >= n {
			return train, nil, &OptionError{Call: "Fit", Option: "validation_split", Value: fmt.Sprint(cfg.validationSplit),
				Msg: fmt.Sprintf("of %d samples leaves %d for training and %d for validation; both need at least one", n, splitAt, n-splitAt)}
		}
		v := train.rows(splitAt, n)
		val = &v
		train = train.rows(0, splitAt)
	}
	return train, val, nil
}

// checkData checks inputs, targets and sample weights (one tensor for
// every output, or per output by name).
func (m *Model) checkData(c *compiled, xWhat, yWhat string, x, y Data, sw tensor.Tensor, outSW map[string]tensor.Tensor) (dataset, error) {
	xs, err := m.checkInputs(xWhat, x)
	if err != nil {
		return dataset{}, err
	}
	n := xs[0].n
	d := dataset{xs: xs}
	if c != nil {
		if d.ys, err = m.checkTargets(yWhat, y, c, n); err != nil {
			return d, err
		}
		d.sw = make([][]float64, len(c.outputs))
		if sw != nil {
			w, err := checkWeights("sample_weight", sw, n)
			if err != nil {
				return d, err
			}
			for k := range d.sw {
				d.sw[k] = w
			}
		}
		for _, name := range sortedKeys(outSW) {
			k := m.outputIndex(name)
			if k < 0 {
				return d, errors.Errorf("OutputSampleWeight names output %q; the model's outputs are %v", name, m.outputNamesList())
			}
			w, err := checkWeights("sample_weight["+name+"]", outSW[name], n)
			if err != nil {
				return d, err
			}
			d.sw[k] = w
		}
	}
	return d, nil
}

// applyClassWeights folds ClassWeight and OutputClassWeight into the
// training data's sample weights.
func (m *Model) applyClassWeights(c *compiled, d *dataset, cfg *runConfig) error {
	if cfg.classWeight != nil {
		k := -1
		for i, o := range c.outputs {
			if o.loss != nil {
				if k >= 0 {
					return errors.New("ClassWeight needs a model with one output trained by a loss; use OutputClassWeight")
				}
				k = i
			}
		}
		if k < 0 {
			return errors.New("ClassWeight needs an output trained by a loss")
		}
		if err := m.classWeightOn(c, d, k, cfg.classWeight); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(cfg.outClassWeight) {
		k := m.outputIndex(name)
		if k < 0 || c.outputs[k].loss == nil {
			return errors.Errorf("OutputClassWeight names output %q; the outputs with a loss are %v", name, m.lossOutputs(c))
		}
		if err := m.classWeightOn(c, d, k, cfg.outClassWeight[name]); err != nil {
			return err
		}
	}
	return nil
}

func (m *Model) classWeightOn(c *compiled, d *dataset, k int, cw map[int]float64) error {
	var sw []float64
	if d.sw[k] != nil {
		sw = append([]float64(nil), d.sw[k]...)
	}
	sw, err := applyClassWeight("class_weight", cw, c.outputs[k], d.ys[k], sw)
	if err != nil {
		return err
	}
	d.sw[k] = sw
	return nil
}

func (m *Model) lossOutputs(c *compiled) []string {
	var out []string
	for _, o := range c.outputs {
		if o.loss != nil {
			out = append(out, o.name)
		}
	}
	return out
}

// batcher holds the per-run buffers and compiled programs of one pass over
// data in one mode.
type batcher struct {
	m        *Model
	c        *compiled
	mode     backend.Mode
	engine   *backend.Engine
	shapes   [][]int
	programs map[int]*backend.Program
	hostY    [][]float64 // per output, for metrics
	hostPred [][]float64
	hostSW   [][]float64
}

// newBatcher returns a batcher over engine's programs for inputs of the
// given per-sample shapes.
func (m *Model) newBatcher(c *compiled, mode backend.Mode, engine *backend.Engine, shapes [][]int) *batcher {
	b := &batcher{m: m, c: c, mode: mode, engine: engine, shapes: shapes, programs: map[int]*backend.Program{}}
	if c != nil && mode != backend.Predict {
		// Sized by prepare on first use: shapes may be known only then.
		b.hostY = make([][]float64, len(c.outputs))
		b.hostPred = make([][]float64, len(c.outputs))
		b.hostSW = make([][]float64, len(c.outputs))
	}
	return b
}

func (b *batcher) program(size int) (*backend.Program, error) {
	if p, ok := b.programs[size]; ok {
		return p, nil
	}
	p, err := b.engine.Acquire(b.mode, size, b.shapes...)
	if err != nil {
		return nil, err
	}
	b.programs[size] = p
	return p, nil
}

func (b *batcher) release() {
	for _, p := range b.programs {
		b.engine.Release(p)
	}
}

// prepare sizes the host target buffers for a program's batch.
func (b *batcher) prepare(p *backend.Program) {
	if b.hostY == nil {
		return
	}
	for k, o := range b.c.outputs {
		if o.loss == nil || len(o.metricNames) == 0 {
			continue
		}
		n := p.Targets()[k].Shape().TotalSize()
		if o.sparse {
			n /= o.classes
		}
		if len(b.hostY[k]) < n {
			b.hostY[k] = make([]float64, n)
		}
	}
}

// updateMetrics feeds the last run's outputs and the batch's targets to
// each output's metrics.
func (b *batcher) updateMetrics(mets [][]metrics.Metric, p *backend.Program, d dataset, idx []int) error {
	for k, ms := range mets {
		if len(ms) == 0 {
			continue
		}
		out := p.Outputs()[k]
		shape := out.Shape()
		rows := len(idx)
		if len(shape) > 2 {
			rows = shape.TotalSize() / shape[len(shape)-1]
		}
		total := shape.TotalSize()
		if cap(b.hostPred[k]) < total {
			b.hostPred[k] = make([]float64, total)
		}
		pred := b.hostPred[k][:total]
		if o := floatsOf(out); o.f32 != nil {
			for i, v := range o.f32[:total] {
				pred[i] = float64(v)
			}
		} else {
			copy(pred, o.f64[:total])
		}
		yWidth := d.ys[k].width * len(idx) / rows
		batch := metrics.Batch{Rows: rows, YTrue: b.hostY[k][:rows*yWidth], YPred: pred}
		if d.k(k) {
			if cap(b.hostSW[k]) < rows {
				b.hostSW[k] = make([]float64, rows)
			}
			sw := b.hostSW[k][:rows]
			per := rows / len(idx)
			for j, r := range idx {
				w := d.weight(k, r)
				for t := 0; t < per; t++ {
					sw[j*per+t] = w
				}
			}
			batch.SampleWeight = sw
		}
		for _, met := range ms {
			if err := met.Update(batch); err != nil {
				return errors.Wrapf(err, "metric %s", met.Name())
			}
		}
	}
	return nil
}

// k reports whether output k has sample weights.
func (d dataset) k(k int) bool { return k < len(d.sw) && d.sw[k] != nil }

// freshMetrics makes one set of metric instances per output.
func freshMetrics(c *compiled) ([][]metrics.Metric, error) {
	out := make([][]metrics.Metric, len(c.outputs))
	for k, o := range c.outputs {
		if o.newMetrics == nil {
			continue
		}
		ms, err := o.newMetrics()
		if err != nil {
			return nil, err
		}
		out[k] = ms
	}
	return out, nil
}

// lossMeans accumulates the batch-size-weighted running means of the total
// loss and, for models with several losses, of each output's loss.
type lossMeans struct {
	c     *compiled
	total float64
	per   []float64
	seen  int
}

func (l *lossMeans) add(p *backend.Program, rows int) {
	l.total += p.Loss() * float64(rows)
	if l.c.lossCount() > 1 {
		if l.per == nil {
			l.per = make([]float64, len(l.c.outputs))
		}
		for k := range l.c.outputs {
			l.per[k] += p.OutputLoss(k) * float64(rows)
		}
	}
	l.seen += rows
}

// logs returns "loss", the per-output losses and the metrics.
func (l *lossMeans) logs(mets [][]metrics.Metric) Logs {
	logs := Logs{"loss": l.total / float64(l.seen)}
	for k, o := range l.c.outputs {
		if l.per != nil && o.loss != nil {
			logs[o.lossKey()] = l.per[k] / float64(l.seen)
		}
		for i, met := range mets[k] {
			logs[o.metricNames[i]] = met.Result()
		}
	}
	return logs
}

func (m *Model) fit(ctx context.Context, c *compiled, train dataset, val *dataset, cfg *runConfig) (*History, error) {
	n := train.n()
	bs := min(cfg.batchSize, n)
	steps := (n + bs - 1) / bs
	history := NewHistory()
	params := Params{Epochs: cfg.epochs, Steps: steps, BatchSize: bs, Samples: n, Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, history))
	m.stop.Store(false)

	tb := m.newBatcher(c, backend.Train, c.engine, train.shapes())
	defer tb.release()

	m.startEpoch.Store(int64(cfg.initialEpoch) + 1)
	err := cl.call(OnTrainBegin, 0, Logs{})
	start := int(m.startEpoch.Swap(0)) - 1
	if err != nil {
		return history, errors.Wrap(err, "keras: Fit")
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	mets, err := freshMetrics(c)
	if err != nil {
		return history, errors.Wrap(err, "keras: Fit")
	}
	var lastLogs Logs
	for epoch := start; epoch < cfg.epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return history, err
		}
		if err := cl.call(OnEpochBegin, epoch, Logs{}); err != nil {
			return history, errors.Wrapf(err, "keras: Fit: epoch %d", epoch+1)
		}
		if cfg.shuffle {
			for i := range perm {
				perm[i] = i
			}
			m.epochStream(streamShuffle, epoch).Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		noise := m.epochStream(streamNoise, epoch)
		for _, ms := range mets {
			for _, met := range ms {
				met.Reset()
			}
		}
		means := &lossMeans{c: c}
		for b := 0; b < steps; b++ {
			if err := ctx.Err(); err != nil {
				return history, err
			}
			if cl.uses(OnTrainBatchBegin) {
				if err := cl.call(OnTrainBatchBegin, b, Logs{}); err != nil {
					return history, errors.Wrapf(err, "keras: Fit: epoch %d", epoch+1)
				}
			}
			idx := perm[b*bs : min((b+1)*bs, n)]
			p, err := m.trainStep(tb, train, idx, noise)
			if err != nil {
				return history, errors.Wrapf(err, "keras: Fit: epoch %d, batch %d", epoch+1, b+1)
			}
			means.add(p, len(idx))
			if err := tb.updateMetrics(mets, p, train, idx); err != nil {
				return history, errors.Wrap(err, "keras: Fit")
			}
			if cl.uses(OnTrainBatchEnd) {
				if err := cl.call(OnTrainBatchEnd, b, means.logs(mets)); err != nil {
					return history, errors.Wrapf(err, "keras: Fit: epoch %d", epoch+1)
				}
			}
			if m.stop.Load() {
				break
			}
		}
		logs := means.logs(mets)
		if val != nil {
			vlogs, err := m.evaluateData(ctx, c, *val, bs, cl)
			if err != nil {
				return history, errors.Wrapf(err, "keras: Fit: validating epoch %d", epoch+1)
			}
			for k, v := range vlogs {
				logs["val_"+k] = v
			}
		}
		if err := cl.call(OnEpochEnd, epoch, logs); err != nil {
			return history, errors.Wrapf(err, "keras: Fit: epoch %d", epoch+1)
		}
		lastLogs = logs
		if m.stop.Load() {
			break
		}
	}
	if err := cl.call(OnTrainEnd, 0, lastLogs); err != nil {
		return history, errors.Wrap(err, "keras: Fit")
	}
	return history, nil
}

// trainStep runs one batch through the training graph, applies the
// optimizer and the layers' state updates, holding the weights' write
// lock.
func (m *Model) trainStep(tb *batcher, d dataset, idx []int, noise *rand.Rand) (*backend.Program, error) {
	p, err := tb.program(len(idx))
	if err != nil {
		return nil, err
	}
	tb.prepare(p)
	if err := m.fill(p, tb.c, d, idx, tb.hostY); err != nil {
		return nil, err
	}
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	if err := p.Run(noise); err != nil {
		return nil, err
	}
	if err := tb.c.optimizer.Apply(m.vars); err != nil {
		return nil, err
	}
	p.ApplyUpdates()
	return p, nil
}

// runCallbacks puts the progress printer first (unless the user gave
// one), the user's callbacks next and the history last, as Keras does.
func (m *Model) runCallbacks(cfg *runConfig, history *History) []Callback {
	var cbs []Callback
	hasProgbar := false
	for _, cb := range cfg.callbacks {
		if _, ok := cb.(*ProgbarLogger); ok {
			hasProgbar = true
		}
	}
	if cfg.verbose > 0 && !hasProgbar {
		cbs = append(cbs, NewProgbarLogger(cfg.out, cfg.verbose))
	}
	cbs = append(cbs, cfg.callbacks...)
	if history != nil {
		cbs = append(cbs, history)
	}
	return cbs
}

// StopTraining asks a running Fit to stop after the current batch (Keras:
// model.stop_training = True). Callbacks such as EarlyStopping call it.
func (m *Model) StopTraining() { m.stop.Store(true) }

// SetInitialEpoch moves the first epoch of the running Fit (Keras: the
// model's _initial_epoch, which BackupAndRestore sets). It may only be
// called from an OnTrainBegin hook; epochs then run from epoch to the
// Epochs option minus one (none when epoch >= Epochs). It returns an error
// when called at any other time or with a negative epoch.
func (m *Model) SetInitialEpoch(epoch int) error {
	if epoch < 0 {
		return &OptionError{Call: "SetInitialEpoch", Option: "epoch", Value: fmt.Sprint(epoch), Msg: "must be >= 0"}
	}
	for {
		cur := m.startEpoch.Load()
		if cur == 0 {
			return errors.New("keras: SetInitialEpoch: only an OnTrainBegin hook of a running Fit can move its first epoch")
		}
		if m.startEpoch.CompareAndSwap(cur, int64(epoch)+1) {
			return nil
		}
	}
}

// StopRequested reports whether StopTraining was called during the
// current Fit.
func (m *Model) StopRequested() bool { return m.stop.Load() }

// Training reports whether a Fit is running.
func (m *Model) Training() bool { return m.fitting.Load() }
