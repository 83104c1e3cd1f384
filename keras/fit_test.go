package keras_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/metrics"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// regression returns n rows of 3 features with y = x·(1, -2, 0.5) + 1.
func regression(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, n*3)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < 3; j++ {
			x[i*3+j] = rng.NormFloat64()
		}
		y[i] = x[i*3] - 2*x[i*3+1] + 0.5*x[i*3+2] + 1
	}
	return tensor.New(tensor.WithShape(n, 3), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

func regressionModel(t testing.TB, seed int64, metricsList ...interface{}) *keras.Model {
	t.Helper()
	m := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)),
		layers.Dropout(0.1),
		layers.Dense(1),
	)
	if err := m.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	opts := []keras.CompileOption{keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.01)))}
	if len(metricsList) > 0 {
		opts = append(opts, keras.Metrics(metricsList...))
	}
	if err := m.Compile(opts...); err != nil {
		t.Fatal(err)
	}
	return m
}

// probe is a metric that records the targets it is shown, batch by batch.
type probe struct {
	batches [][]float64
}

func (p *probe) Name() string    { return "probe" }
func (p *probe) Reset()          {}
func (p *probe) Result() float64 { return 0 }
func (p *probe) Update(b metrics.Batch) error {
	p.batches = append(p.batches, append([]float64(nil), b.YTrue...))
	return nil
}

// rowIDs returns x with 3 features and y = the row's index.
func rowIDs(n int) (*tensor.Dense, *tensor.Dense) {
	x, _ := regression(n, 1)
	y := make([]float64, n)
	for i := range y {
		y[i] = float64(i)
	}
	return x, tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

func TestFitSplitsLastRowsAndKeepsSmallLastBatch(t *testing.T) {
	p := &probe{}
	m := regressionModel(t, 1, p)
	x, y := rowIDs(100)
	// validation_split 0.2: train on rows 0..79, validate on rows 80..99.
	if _, err := m.Fit(context.Background(), x, y, keras.BatchSize(32), keras.ValidationSplit(0.2), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	seen := map[float64]bool{}
	for _, b := range p.batches[:3] {
		sizes = append(sizes, len(b))
		for _, v := range b {
			seen[v] = true
		}
	}
	if sizes[0] != 32 || sizes[1] != 32 || sizes[2] != 16 {
		t.Errorf("training batch sizes %v, want [32 32 16]", sizes)
	}
	for i := 0; i < 80; i++ {
		if !seen[float64(i)] {
			t.Fatalf("training rows miss row %d", i)
		}
	}
	if len(seen) != 80 {
		t.Errorf("training saw %d distinct rows, want 80", len(seen))
	}
	var val []float64
	for _, b := range p.batches[3:] {
		val = append(val, b...)
	}
	if len(val) != 20 {
		t.Fatalf("validation saw %d rows, want 20", len(val))
	}
	for i, v := range val {
		if v != float64(80+i) {
			t.Fatalf("validation rows %v, want 80..99 in order", val)
		}
	}
	// Shuffling: the first training batch is not rows 0..31 in order.
	inOrder := true
	for i, v := range p.batches[0] {
		inOrder = inOrder && v == float64(i)
	}
	if inOrder {
		t.Error("training batches are not shuffled")
	}
}

func TestShuffleOffKeepsOrder(t *testing.T) {
	p := &probe{}
	m := regressionModel(t, 1, p)
	x, y := rowIDs(40)
	if _, err := m.Fit(context.Background(), x, y, keras.BatchSize(16), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	for b, batch := range p.batches {
		for i, v := range batch {
			if v != float64(b*16+i) {
				t.Fatalf("batch %d = %v, want rows in order", b, batch)
			}
		}
	}
}

func TestSameSeedGivesIdenticalRuns(t *testing.T) {
	x, y := regression(200, 2)
	run := func(seed int64) ([]*tensor.Dense, *keras.History) {
		m := regressionModel(t, seed, "mae")
		h, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.BatchSize(16), keras.ValidationSplit(0.25), keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := m.GetWeights()
		return w, h
	}
	w1, h1 := run(7)
	w2, h2 := run(7)
	w3, _ := run(8)
	for i := range w1 {
		a, b := w1[i].Data().([]float32), w2[i].Data().([]float32)
		for j := range a {
			if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
				t.Fatalf("weight %d differs between two runs with seed 7", i)
			}
		}
	}
	for _, k := range h1.Keys() {
		a, _ := h1.Get(k)
		b, _ := h2.Get(k)
		for e := range a {
			if math.Float64bits(a[e]) != math.Float64bits(b[e]) {
				t.Fatalf("history %s differs: %v vs %v", k, a, b)
			}
		}
	}
	if w1[0].Data().([]float32)[0] == w3[0].Data().([]float32)[0] {
		t.Error("seeds 7 and 8 gave the same first weight")
	}
}

func TestHistoryKeysAndLearning(t *testing.T) {
	x, y := regression(300, 3)
	m := regressionModel(t, 3, "mae", "mean_squared_error")
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(30), keras.ValidationSplit(0.2), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"loss", "mae", "mean_squared_error", "val_loss", "val_mae", "val_mean_squared_error"}
	if got := h.Keys(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("history keys %v, want %v", got, want)
	}
	if h.Len() != 30 || len(h.Epoch) != 30 || h.Epoch[29] != 29 {
		t.Errorf("history has %d epochs %v", h.Len(), h.Epoch)
	}
	loss, _ := h.Get("loss")
	if !(loss[29] < loss[0]/4) {
		t.Errorf("loss did not fall: %v -> %v", loss[0], loss[29])
	}
	// Aliases: mae <-> mean_absolute_error, with and without val_.
	if _, ok := h.Get("mean_absolute_error"); !ok {
		t.Error("history lookup by mean_absolute_error failed")
	}
	if _, ok := h.Get("val_mse"); !ok {
		t.Error("history lookup by val_mse failed")
	}
	if h.Params.Steps != 8 || h.Params.Samples != 240 || h.Params.Epochs != 30 {
		t.Errorf("params %+v", h.Params)
	}
	// The val_loss the history holds equals Evaluate on the same rows.
	vx := x.Clone().(*tensor.Dense)
	vx, _ = sliceRows(vx, 240, 300)
	vy, _ := sliceRows(y.Clone().(*tensor.Dense), 240, 300)
	s, err := m.Evaluate(context.Background(), vx, vy, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	last, _ := h.Last("val_loss")
	if math.Abs(s["loss"]-last) > 1e-6*last {
		t.Errorf("Evaluate loss %v, last val_loss %v", s["loss"], last)
	}
}

func sliceRows(t *tensor.Dense, from, to int) (*tensor.Dense, error) {
	v, err := t.Slice(tensor.S(from, to))
	if err != nil {
		return nil, err
	}
	return v.(*tensor.Dense).Materialize().(*tensor.Dense), nil
}

// cancelAt cancels the run after its after-th training batch.
type cancelAt struct {
	keras.CallbackBase
	after, batch int
	cancel       func()
}

func (c *cancelAt) OnTrainBatchEnd(batch int, _ keras.Logs) error {
	c.batch++
	if c.batch == c.after {
		c.cancel()
	}
	return nil
}

func TestCancelReturnsHistorySoFar(t *testing.T) {
	x, y := regression(64, 4)
	m := regressionModel(t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	// 2 batches per epoch: cancelling after the 5th batch (the first of
	// epoch 3) leaves two completed epochs.
	cb := &cancelAt{after: 5, cancel: cancel}
	h, err := m.Fit(ctx, x, y, keras.Epochs(10), keras.Verbose(0), keras.Callbacks(cb))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if h == nil || h.Len() != 2 {
		t.Fatalf("history after cancel: %v", h)
	}
	// The model still works and can train again.
	if _, err := m.Fit(context.Background(), x, y, keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
}

type failing struct{ keras.CallbackBase }

func (failing) OnEpochEnd(epoch int, _ keras.Logs) error {
	if epoch == 1 {
		return errors.New("disk full")
	}
	return nil
}

func TestCallbackErrorStopsFit(t *testing.T) {
	x, y := regression(32, 5)
	m := regressionModel(t, 5)
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(&failing{}))
	if err == nil || !strings.Contains(err.Error(), "epoch 2") || !strings.Contains(err.Error(), "on_epoch_end") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	if h.Len() != 1 {
		t.Errorf("history has %d epochs, want 1", h.Len())
	}
}

type stopper struct{ keras.CallbackBase }

func (s *stopper) OnEpochEnd(epoch int, _ keras.Logs) error {
	if epoch == 2 {
		s.Model().StopTraining()
	}
	return nil
}

func TestStopTrainingAndInitialEpoch(t *testing.T) {
	x, y := regression(32, 6)
	m := regressionModel(t, 6)
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(10), keras.Verbose(0), keras.Callbacks(&stopper{}))
	if err != nil || h.Len() != 3 {
		t.Fatalf("stop: %v, %d epochs", err, h.Len())
	}
	h, err = m.Fit(context.Background(), x, y, keras.Epochs(5), keras.InitialEpoch(3), keras.Verbose(0))
	if err != nil || h.Len() != 2 || h.Epoch[0] != 3 || h.Epoch[1] != 4 {
		t.Fatalf("initial_epoch: %v, epochs %v", err, h.Epoch)
	}
}

// TestSampleWeightsExact: the weighted loss Evaluate and Fit report is
// sum(w_i * loss_i) / N, computed here by hand from the model's own
// predictions (float64, so the comparison is tight).
func TestSampleWeightsExact(t *testing.T) {
	ctx := context.Background()
	x, y := regression(20, 7)
	m := keras.Sequential(layers.Dense(1, layers.InputShape(3)))
	_ = m.SetSeed(7)
	_ = m.SetDtype(tensor.Float64)
	if err := m.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.01)))); err != nil {
		t.Fatal(err)
	}
	w := make([]float64, 20)
	for i := range w {
		w[i] = float64(i%4) * 0.5
	}
	sw := tensor.New(tensor.WithShape(20), tensor.WithBacking(w))
	weightedMSE := func() float64 {
		p, err := m.Predict(ctx, x, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for i, v := range p.Data().([]float64) {
			d := v - y.Data().([]float64)[i]
			sum += w[i] * d * d
		}
		return sum / 20
	}
	want := weightedMSE()
	s, err := m.Evaluate(ctx, x, y, keras.SampleWeight(sw), keras.BatchSize(7), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s["loss"]-want) > 1e-12 {
		t.Errorf("Evaluate weighted loss %.15g, by hand %.15g", s["loss"], want)
	}
	// One step over the whole data: the epoch's loss is the loss before
	// the step.
	h, err := m.Fit(ctx, x, y, keras.SampleWeight(sw), keras.BatchSize(20), keras.Shuffle(false), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Last("loss"); math.Abs(got-want) > 1e-12 {
		t.Errorf("Fit weighted loss %.15g, by hand %.15g", got, want)
	}
}

// TestClassWeightExact: ClassWeight weights each sample's loss by its
// class: the loss Fit reports equals the hand-computed weighted
// cross-entropy, and training equals training with the same weights given
// per sample.
func TestClassWeightExact(t *testing.T) {
	ctx := context.Background()
	cx, cy := blobs(30, 8)
	newModel := func() *keras.Model {
		m := keras.Sequential(layers.Dense(3, layers.Activation("softmax"), layers.InputShape(2)))
		_ = m.SetSeed(8)
		_ = m.SetDtype(tensor.Float64)
		if err := m.Compile(keras.Loss("sparse_categorical_crossentropy"), keras.Optimizer(optimizers.SGD(optimizers.LearningRate(0.1)))); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cw := map[int]float64{0: 1, 1: 5, 2: 0.5}
	a := newModel()
	p, err := a.Predict(ctx, cx, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	labels := cy.Data().([]uint8)
	probs := p.Data().([]float64)
	var want float64
	perSample := make([]float64, len(labels))
	for i, c := range labels {
		perSample[i] = cw[int(c)]
		want -= cw[int(c)] * math.Log(probs[i*3+int(c)])
	}
	want /= float64(len(labels))
	h, err := a.Fit(ctx, cx, cy, keras.ClassWeight(cw), keras.BatchSize(30), keras.Shuffle(false), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Last("loss"); math.Abs(got-want) > 1e-12 {
		t.Errorf("class-weighted loss %.15g, by hand %.15g", got, want)
	}
	b := newModel()
	sw := tensor.New(tensor.WithShape(len(perSample)), tensor.WithBacking(perSample))
	if _, err := b.Fit(ctx, cx, cy, keras.SampleWeight(sw), keras.BatchSize(30), keras.Shuffle(false), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, "ClassWeight vs the same weights per sample", a, b)
}

// blobs returns n 2-D points in 3 classes around (0,0), (3,0), (0,3).
func blobs(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, 2*n)
	y := make([]uint8, n)
	centres := [][2]float64{{0, 0}, {3, 0}, {0, 3}}
	for i := 0; i < n; i++ {
		c := i % 3
		y[i] = uint8(c)
		x[2*i] = centres[c][0] + rng.NormFloat64()*0.5
		x[2*i+1] = centres[c][1] + rng.NormFloat64()*0.5
	}
	return tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

func classifier(t testing.TB, seed int64) *keras.Model {
	m := keras.Sequential(
		layers.Dense(16, layers.Activation("relu"), layers.InputShape(2)),
		layers.Dense(3, layers.Activation("softmax")),
	)
	_ = m.SetSeed(seed)
	if err := m.Compile(keras.Loss("sparse_categorical_crossentropy"), keras.Optimizer("adam"), keras.Metrics("accuracy")); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestClassifierLearnsAndPredicts(t *testing.T) {
	x, y := blobs(600, 9)
	m := classifier(t, 9)
	var out bytes.Buffer
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(20), keras.ValidationSplit(0.2), keras.ProgressOutput(&out), keras.Verbose(2))
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := h.Last("val_accuracy")
	if acc < 0.95 {
		t.Errorf("val_accuracy %v, want >= 0.95", acc)
	}
	if acc2, ok := h.Last("val_acc"); !ok || acc2 != acc {
		t.Error("val_acc alias lookup failed")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 40 || lines[0] != "Epoch 1/20" || !strings.HasPrefix(lines[1], "15/15 - ") ||
		!strings.Contains(lines[1], " - loss: ") || !strings.Contains(lines[1], " - val_accuracy: ") || !strings.HasSuffix(lines[1], "/step") {
		t.Errorf("verbose 2 output:\n%s", out.String())
	}
	p, err := m.Predict(context.Background(), x, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Shape().Eq(tensor.Shape{600, 3}) {
		t.Fatalf("predict shape %v", p.Shape())
	}
	row := p.Data().([]float32)[:3]
	if s := row[0] + row[1] + row[2]; math.Abs(float64(s)-1) > 1e-5 {
		t.Errorf("softmax row sums to %v", s)
	}
}

// TestResumeWithInitialEpochRepeatsUninterruptedRun: epochs 0-2 then 3-4
// give the same weights, bit for bit, as epochs 0-4 in one call.
func TestResumeWithInitialEpochRepeatsUninterruptedRun(t *testing.T) {
	x, y := regression(100, 16)
	a := regressionModel(t, 16)
	if _, err := a.Fit(context.Background(), x, y, keras.Epochs(5), keras.BatchSize(16), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	b := regressionModel(t, 16)
	if _, err := b.Fit(context.Background(), x, y, keras.Epochs(3), keras.BatchSize(16), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Fit(context.Background(), x, y, keras.Epochs(5), keras.InitialEpoch(3), keras.BatchSize(16), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	wa, _ := a.GetWeights()
	wb, _ := b.GetWeights()
	for i := range wa {
		for j, v := range wa[i].Data().([]float32) {
			if math.Float32bits(v) != math.Float32bits(wb[i].Data().([]float32)[j]) {
				t.Fatalf("weight %d[%d]: %v uninterrupted, %v resumed", i, j, v, wb[i].Data().([]float32)[j])
			}
		}
	}
}
