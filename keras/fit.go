package keras

import (
	"context"
	"fmt"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/backend"
	"github.com/gokeras/gokeras/keras/metrics"
)

// Fit trains the model on x and y (Keras: fit). x has shape (N, input
// shape...), y has one target per sample: shaped like the model's output,
// (N) for a single output, or class indices (N) for sparse categorical
// cross-entropy.
//
// Options: Epochs (1), BatchSize (32), Verbose (1), ValidationSplit (0),
// ValidationData, Shuffle (true), InitialEpoch (0), ClassWeight,
// SampleWeight, Callbacks, ProgressOutput (os.Stdout).
//
// Every input is checked before training starts: a mismatch in shapes or
// row counts, NaN or Inf, out-of-range class indices or an invalid option
// gives an error naming the problem.
//
// Cancelling ctx stops training between two batches: Fit returns the
// history of the completed epochs together with ctx.Err(); the weights
// are those after the last completed batch, and OnTrainEnd is not called
// (so that, like an interrupted Keras fit, backups are kept).
func (m *Model) Fit(ctx context.Context, x, y tensor.Tensor, opts ...Option) (h *History, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("keras: Fit panicked: %v", r)
		}
	}()
	cfg, err := collect("Fit", opts, "epochs", "batch_size", "verbose", "validation_split", "validation_data",
		"shuffle", "initial_epoch", "class_weight", "sample_weight", "callbacks", "progress_output")
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if m.compiled == nil {
		return nil, errors.New("keras: Fit: the model is not compiled; call Compile first")
	}
	if !m.fitting.CompareAndSwap(false, true) {
		return nil, errors.New("keras: Fit: the model is already training")
	}
	defer m.fitting.Store(false)
	if err := checkRunConfig(cfg); err != nil {
		return nil, errors.Wrap(err, "keras: Fit")
	}
	train, val, err := m.fitData(x, y, cfg)
	if err != nil {
		return nil, errors.Wrap(err, "keras: Fit")
	}
	return m.fit(ctx, train, val, cfg)
}

func checkRunConfig(cfg *config) error {
	switch {
	case cfg.epochs < 0:
		return errors.Errorf("epochs must be >= 0, got %d", cfg.epochs)
	case cfg.batchSize < 1:
		return errors.Errorf("batch_size must be >= 1, got %d", cfg.batchSize)
	case cfg.verbose < 0 || cfg.verbose > 2:
		return errors.Errorf("verbose must be 0, 1 or 2, got %d", cfg.verbose)
	case !(cfg.validationSplit >= 0 && cfg.validationSplit < 1):
		return errors.Errorf("validation_split must be in [0, 1), got %v", cfg.validationSplit)
	case cfg.initialEpoch < 0:
		return errors.Errorf("initial_epoch must be >= 0, got %d", cfg.initialEpoch)
	}
	for class, w := range cfg.classWeight {
		if !(w >= 0) || w > 1e300 {
			return errors.Errorf("class_weight[%d] = %v: weights must be finite and >= 0", class, w)
		}
	}
	return nil
}

// fitData checks x, y, the weights and the validation data, and splits off
// the validation rows.
func (m *Model) fitData(x, y tensor.Tensor, cfg *config) (train dataset, val *dataset, err error) {
	xs, err := m.checkX("x", x)
	if err != nil {
		return train, nil, err
	}
	ys, err := m.checkY("y", y, xs.n)
	if err != nil {
		return train, nil, err
	}
	train = dataset{x: xs, y: ys}
	if cfg.sampleWeight != nil {
		if train.sw, err = checkWeights("sample_weight", cfg.sampleWeight, xs.n); err != nil {
			return train, nil, err
		}
	}
	if cfg.classWeight != nil {
		if train.sw == nil {
			train.sw = make([]float64, xs.n)
			for i := range train.sw {
				train.sw[i] = 1
			}
		}
		for r := range train.sw {
			if w, ok := cfg.classWeight[classOf(ys, r)]; ok {
				train.sw[r] *= w
			}
		}
	}
	switch {
	case cfg.valX != nil || cfg.valY != nil:
		vx, err := m.checkX("validation x", cfg.valX)
		if err != nil {
			return train, nil, err
		}
		vy, err := m.checkY("validation y", cfg.valY, vx.n)
		if err != nil {
			return train, nil, err
		}
		v := dataset{x: vx, y: vy}
		if cfg.valSW != nil {
			if v.sw, err = checkWeights("validation sample_weight", cfg.valSW, vx.n); err != nil {
				return train, nil, err
			}
		}
		val = &v
	case cfg.validationSplit > 0:
		n := xs.n
		splitAt := int(float64(n) * (1 - cfg.validationSplit))
		if splitAt < 1 || splitAt >= n {
			return train, nil, errors.Errorf("validation_split %v of %d samples leaves %d for training and %d for validation; both need at least one",
				cfg.validationSplit, n, splitAt, n-splitAt)
		}
		v := train.rows(splitAt, n)
		val = &v
		train = train.rows(0, splitAt)
	}
	return train, val, nil
}

// batcher holds the per-run buffers and compiled programs of one pass over
// data in one mode.
type batcher struct {
	m        *Model
	mode     backend.Mode
	engine   *backend.Engine
	programs map[int]*backend.Program
	yWidth   int
	hostY    []float64
	hostPred []float64
	hostSW   []float64
}

func (m *Model) newBatcher(mode backend.Mode, batchSize int, withTargets bool) *batcher {
	b := &batcher{m: m, mode: mode, engine: m.engine(), programs: map[int]*backend.Program{}}
	if withTargets && m.compiled != nil && len(m.compiled.metricNames) > 0 {
		yWidth := prod(m.outShape)
		if m.compiled.sparse {
			yWidth = 1
		}
		b.yWidth = yWidth
		b.hostY = make([]float64, batchSize*yWidth)
		b.hostPred = make([]float64, batchSize*prod(m.outShape))
		b.hostSW = make([]float64, batchSize)
	}
	return b
}

func (b *batcher) program(size int) (*backend.Program, error) {
	if p, ok := b.programs[size]; ok {
		return p, nil
	}
	p, err := b.engine.Acquire(b.mode, size)
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

// updateMetrics feeds the last run's output and the batch's targets to mets.
func (b *batcher) updateMetrics(mets []metrics.Metric, p *backend.Program, d dataset, idx []int) error {
	if len(mets) == 0 {
		return nil
	}
	n := len(idx)
	out := p.Output()
	width := prod(b.m.outShape)
	pred := b.hostPred[:n*width]
	switch o := out.Data().(type) {
	case []float32:
		for i, v := range o[:n*width] {
			pred[i] = float64(v)
		}
	case []float64:
		copy(pred, o[:n*width])
	}
	batch := metrics.Batch{Rows: n, YTrue: b.hostY[:n*b.yWidth], YPred: pred}
	if d.sw != nil {
		batch.SampleWeight = b.hostSW[:n]
		for k, r := range idx {
			batch.SampleWeight[k] = d.weight(r)
		}
	}
	for _, met := range mets {
		if err := met.Update(batch); err != nil {
			return err
		}
	}
	return nil
}

func (m *Model) fit(ctx context.Context, train dataset, val *dataset, cfg *config) (*History, error) {
	comp := m.compiled
	bs := cfg.batchSize
	n := train.n()
	steps := (n + bs - 1) / bs
	history := NewHistory()
	params := Params{Epochs: cfg.epochs, Steps: steps, BatchSize: bs, Samples: n, Verbose: cfg.verbose}
	cl := newCallbackList(m, params, m.runCallbacks(cfg, history))
	m.stop.Store(false)

	tb := m.newBatcher(backend.Train, bs, true)
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
		for _, met := range comp.trainMets {
			met.Reset()
		}
		var lossSum float64
		seen := 0
		epochLogs := func() Logs {
			logs := Logs{"loss": lossSum / float64(seen)}
			for _, met := range comp.trainMets {
				logs[met.Name()] = met.Result()
			}
			return logs
		}
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
			loss, err := m.trainStep(tb, train, idx, noise)
			if err != nil {
				return history, errors.Wrapf(err, "keras: Fit: epoch %d, batch %d", epoch+1, b+1)
			}
			lossSum += loss * float64(len(idx))
			seen += len(idx)
			if err := tb.updateMetrics(comp.trainMets, tb.programs[len(idx)], train, idx); err != nil {
				return history, errors.Wrap(err, "keras: Fit")
			}
			if cl.uses(OnTrainBatchEnd) {
				if err := cl.call(OnTrainBatchEnd, b, epochLogs()); err != nil {
					return history, errors.Wrapf(err, "keras: Fit: epoch %d", epoch+1)
				}
			}
			if m.stop.Load() {
				break
			}
		}
		logs := epochLogs()
		if val != nil {
			vlogs, err := m.evaluateData(ctx, *val, bs, cl)
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

// trainStep runs one batch through the training graph and applies the
// optimizer, holding the weights' write lock.
func (m *Model) trainStep(tb *batcher, d dataset, idx []int, noise *rand.Rand) (float64, error) {
	p, err := tb.program(len(idx))
	if err != nil {
		return 0, err
	}
	m.fill(p, d, idx, tb.hostY)
	m.weightsMu.Lock()
	defer m.weightsMu.Unlock()
	if err := p.Run(noise); err != nil {
		return 0, err
	}
	if err := m.compiled.optimizer.Apply(m.vars); err != nil {
		return 0, err
	}
	return p.Loss(), nil
}

// runCallbacks puts the progress printer first (unless the user gave
// one), the user's callbacks next and the history last, as Keras does.
func (m *Model) runCallbacks(cfg *config, history *History) []Callback {
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
		return errors.Errorf("keras: SetInitialEpoch: epoch must be >= 0, got %d", epoch)
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

func (m *Model) String() string {
	return fmt.Sprintf("Model(%s, %d layers)", m.name, len(m.layers))
}
