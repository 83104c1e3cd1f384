package keras_test

import (
	"bytes"
	"context"
	"math"
	"sync"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// TestManyGoroutinesOnUnbuiltModels: Predict, Summary, GetWeights and
// Fit from 64 goroutines on models nobody has built yet. Run with -race:
// building happens once, under the model's lock, and exactly one Fit runs
// at a time (the others get ErrTraining).
func TestManyGoroutinesOnUnbuiltModels(t *testing.T) {
	ctx := context.Background()
	x, y := regression(64, 2)
	for _, kind := range []string{"sequential", "functional"} {
		var m *keras.Model
		if kind == "sequential" {
			m = keras.Sequential(layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)), layers.Dense(1))
		} else {
			in := keras.Input([]int{3})
			out := layers.Dense(1).Apply(layers.Dense(8, layers.Activation("relu")).Apply(in))
			var err error
			if m, err = keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out}); err != nil {
				t.Fatal(err)
			}
		}
		_ = m.SetSeed(4)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				switch g % 4 {
				case 0:
					if _, err := m.Predict(ctx, x, keras.Verbose(0)); err != nil {
						errs <- err
					}
				case 1:
					var b bytes.Buffer
					if err := m.Summary(&b); err != nil {
						errs <- err
					}
				case 2:
					if _, err := m.GetWeights(); err != nil {
						errs <- err
					}
				case 3:
					if err := m.Compile(keras.Loss("mse"), keras.Optimizer("sgd")); err != nil && !errors.Is(err, keras.ErrTraining) {
						errs <- err
					}
					if _, err := m.Fit(ctx, x, y, keras.Epochs(1), keras.BatchSize(16), keras.Verbose(0)); err != nil && !errors.Is(err, keras.ErrTraining) {
						errs <- err
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", kind, err)
		}
		// Build-time setters are refused now, with the sentinel.
		if err := m.SetSeed(1); !errors.Is(err, keras.ErrBuilt) {
			t.Errorf("%s: SetSeed after building: %v", kind, err)
		}
		if err := m.SetDtype(tensor.Float64); !errors.Is(err, keras.ErrBuilt) {
			t.Errorf("%s: SetDtype after building: %v", kind, err)
		}
	}
}

// reentrant is a callback that calls back into the model it observes
// from every kind of hook.
type reentrant struct {
	keras.CallbackBase
	x, y   *tensor.Dense
	calls  int
	errors []error
}

func (r *reentrant) use() {
	ctx := context.Background()
	m := r.Model()
	r.calls++
	if _, err := m.Evaluate(ctx, r.x, r.y, keras.Verbose(0)); err != nil {
		r.errors = append(r.errors, errors.Wrap(err, "Evaluate"))
	}
	if _, err := m.Predict(ctx, r.x, keras.Verbose(0)); err != nil {
		r.errors = append(r.errors, errors.Wrap(err, "Predict"))
	}
	ws, err := m.GetWeights()
	if err != nil {
		r.errors = append(r.errors, errors.Wrap(err, "GetWeights"))
	} else if err := m.SetWeights(ws); err != nil {
		r.errors = append(r.errors, errors.Wrap(err, "SetWeights"))
	}
	if _, err := m.Fit(ctx, r.x, r.y, keras.Verbose(0)); !errors.Is(err, keras.ErrTraining) {
		r.errors = append(r.errors, errors.Errorf("Fit inside Fit: %v, want ErrTraining", err))
	}
	if err := m.Compile(keras.Loss("mae")); !errors.Is(err, keras.ErrTraining) {
		r.errors = append(r.errors, errors.Errorf("Compile inside Fit: %v, want ErrTraining", err))
	}
}

func (r *reentrant) OnTestBatchEnd(int, keras.Logs) error  { r.use(); return nil }
func (r *reentrant) OnTrainBatchEnd(int, keras.Logs) error { r.use(); return nil }
func (r *reentrant) OnEpochEnd(int, keras.Logs) error      { r.use(); return nil }

// TestCallbacksCallBackIntoTheModel: hooks that evaluate, predict and
// set weights during Fit (its validation included) neither deadlock nor
// fail; Fit and Compile from a hook get ErrTraining.
func TestCallbacksCallBackIntoTheModel(t *testing.T) {
	x, y := regression(40, 3)
	m := regressionModel(t, 3)
	cb := &reentrant{x: x, y: y}
	if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(16), keras.ValidationSplit(0.25),
		keras.Callbacks(cb), keras.Verbose(0)); err != nil {
		t.Fatal(err)
	}
	if cb.calls < 8 {
		t.Errorf("the callback ran %d times", cb.calls)
	}
	for _, err := range cb.errors {
		t.Error(err)
	}
}

// TestBatchSizeBeyondTheData: buffers are sized by the rows there are; a
// batch size of math.MaxInt trains on the whole data in one step.
func TestBatchSizeBeyondTheData(t *testing.T) {
	ctx := context.Background()
	x, y := regression(30, 5)
	for _, bs := range []int{31, 1 << 40, math.MaxInt} {
		m := regressionModel(t, 5)
		before, _ := m.GetWeights()
		var steps int
		counter := &batchCounter{n: &steps}
		if _, err := m.Fit(ctx, x, y, keras.BatchSize(bs), keras.Epochs(2), keras.Callbacks(counter), keras.Verbose(0)); err != nil {
			t.Fatalf("batch %d: %v", bs, err)
		}
		if steps != 2 {
			t.Errorf("batch %d: %d steps in 2 epochs, want 2", bs, steps)
		}
		after, _ := m.GetWeights()
		if sameData(before[0], after[0]) {
			t.Errorf("batch %d: nothing trained", bs)
		}
		if _, err := m.Predict(ctx, x, keras.BatchSize(bs), keras.Verbose(0)); err != nil {
			t.Errorf("batch %d: Predict: %v", bs, err)
		}
		if _, err := m.Evaluate(ctx, x, y, keras.BatchSize(bs), keras.Verbose(0)); err != nil {
			t.Errorf("batch %d: Evaluate: %v", bs, err)
		}
	}
}

type batchCounter struct {
	keras.CallbackBase
	n *int
}

func (b *batchCounter) OnTrainBatchEnd(int, keras.Logs) error { *b.n++; return nil }

// TestHugeLayersFailBeforeAllocating: a model declaring far more weights
// than memory holds is an error at build time, not an out-of-memory kill.
func TestHugeLayersFailBeforeAllocating(t *testing.T) {
	for _, m := range []*keras.Model{
		keras.Sequential(layers.Dense(1<<40, layers.InputShape(3))),
		keras.Sequential(layers.Dense(1<<20, layers.InputShape(1<<12))),
		keras.Sequential(layers.Dense(60000, layers.InputShape(60000))),
	} {
		err := m.Build()
		var oe *keras.OptionError
		if !errors.Is(err, keras.ErrTooLarge) && !errors.As(err, &oe) {
			t.Errorf("%v", err)
		}
	}
}

// TestWeightsEdgeCases: SetWeights reads views as the values they show,
// refuses float64 values beyond float32's range, and Save refuses
// non-finite weights (LoadModel would refuse them too).
func TestWeightsEdgeCases(t *testing.T) {
	m := keras.Sequential(layers.Dense(2, layers.InputShape(3)))
	ws, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	k := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))
	kt, err := k.SafeT() // a (3, 2) transposed view of the (2, 3) backing
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetWeights([]*tensor.Dense{kt, ws[1]}); err != nil {
		t.Fatal(err)
	}
	got, _ := m.GetWeights()
	if want := []float32{1, 4, 2, 5, 3, 6}; !equal32(got[0].Data().([]float32), want) {
		t.Errorf("SetWeights of a transposed view stored %v, want %v", got[0].Data(), want)
	}
	big := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 1e39}))
	err = m.SetWeights([]*tensor.Dense{ws[0], big})
	var de *keras.DataError
	if !errors.As(err, &de) || de.Col != 1 {
		t.Errorf("SetWeights beyond float32's range: %v", err)
	}
	nan := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0, float32(math.NaN())}))
	if err := m.SetWeights([]*tensor.Dense{ws[0], nan}); !errors.As(err, &de) {
		t.Errorf("SetWeights of NaN: %v", err)
	}
	if err := m.SetWeights([]*tensor.Dense{ws[0], nil}); !errors.Is(err, keras.ErrNil) {
		t.Errorf("SetWeights of nil: %v", err)
	}
	// Drive a weight to NaN through training on huge targets with a huge
	// learning rate, then try to save.
	m2 := keras.Sequential(layers.Dense(1, layers.InputShape(1)))
	if err := m2.Compile(keras.Loss("mse"), keras.Optimizer("sgd")); err != nil {
		t.Fatal(err)
	}
	v := m2.Variables()[0]
	v.Value().Data().([]float32)[0] = float32(math.Inf(1))
	if err := m2.Save(t.TempDir() + "/diverged.gokeras"); !errors.As(err, &de) {
		t.Errorf("saving non-finite weights: %v", err)
	}
}

func equal32(a, b []float32) bool {
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

// TestLayerMisuse: nil layers and layers used before they are built
// give errors, not panics.
func TestLayerMisuse(t *testing.T) {
	if err := keras.Sequential(layers.Dense(1, layers.InputShape(2))).Add(nil); !errors.Is(err, keras.ErrNil) {
		t.Errorf("Add(nil): %v", err)
	}
	var l *layers.DenseLayer
	if err := keras.Sequential(layers.Dense(1, layers.InputShape(2))).Add(l); err == nil {
		t.Error("Add of a typed nil layer succeeded")
	}
	d := layers.Dense(2, layers.InputShape(3))
	m := keras.Sequential(d)
	if err := m.Add(d); !errors.Is(err, keras.ErrBuilt) {
		t.Errorf("adding a layer twice: %v", err)
	}
	if _, err := keras.Call(layers.Dense(1), nil); !errors.Is(err, keras.ErrNil) {
		t.Errorf("Call with a nil tensor: %v", err)
	}
	if _, err := keras.Call(nil); !errors.Is(err, keras.ErrNil) {
		t.Errorf("Call of a nil layer: %v", err)
	}
	if outs := (&layers.DenseLayer{}).Apply(keras.Input([]int{2})); outs.Err() == nil {
		t.Error("applying a zero DenseLayer (not made by Dense) succeeded")
	}
}

// TestSplitWorkFromManyGoroutines: predictions large enough to be split
// over the cores (10,000 rows of the 784-128-10 model: batch copies,
// matrix products and Predict's batches all split) from eight goroutines
// while a Fit at batch 512 splits its own steps, all sharing the worker
// pool. Every prediction made after training must equal, bit for bit, the
// same prediction made on one core.
// It runs in -short too (well under a second; a few under -race), so
// that the race detector sees the pool used from many goroutines.
func TestSplitWorkFromManyGoroutines(t *testing.T) {
	defer keras.SetMaxWorkers(0)
	m := fashionModel(t)
	x, y := syntheticImages(4096)
	big, _ := syntheticImages(10000)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := m.Fit(context.Background(), x, y, keras.Epochs(2), keras.BatchSize(512), keras.Verbose(0)); err != nil {
			errs <- err
		}
	}()
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				p, err := m.Predict(context.Background(), big, keras.Verbose(0))
				if err != nil {
					errs <- err
					return
				}
				if p.Shape()[0] != 10000 {
					errs <- errors.Errorf("prediction of shape %v", p.Shape())
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	keras.SetMaxWorkers(1)
	ref, err := m.Predict(context.Background(), big, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	keras.SetMaxWorkers(0)
	var wg2 sync.WaitGroup
	got := make([]*tensor.Dense, 4)
	for g := range got {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			got[g], _ = m.Predict(context.Background(), big, keras.Verbose(0))
		}()
	}
	wg2.Wait()
	want := ref.Data().([]float32)
	for g, p := range got {
		if p == nil {
			t.Fatalf("goroutine %d: no prediction", g)
		}
		for i, v := range p.Data().([]float32) {
			if math.Float32bits(v) != math.Float32bits(want[i]) {
				t.Fatalf("goroutine %d: value %d is %v split, %v on one core", g, i, v, want[i])
			}
		}
	}
}
