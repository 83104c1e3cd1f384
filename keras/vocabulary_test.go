package keras_test

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/activations"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
)

// lossData returns 24 rows of 4 features and targets suited to loss:
// class indices, one-hot or soft rows, 0/1 labels, counts or reals.
func lossData(loss string, seed int64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	const n, w = 24, 3
	xs := make([]float64, n*4)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	x = tensor.New(tensor.WithShape(n, 4), tensor.WithBacking(xs))
	if loss == "sparse_categorical_crossentropy" {
		ys := make([]float64, n)
		for i := range ys {
			ys[i] = float64(rng.Intn(w))
		}
		return x, tensor.New(tensor.WithShape(n), tensor.WithBacking(ys))
	}
	ys := make([]float64, n*w)
	for i := 0; i < n; i++ {
		row := ys[i*w : (i+1)*w]
		switch loss {
		case "categorical_crossentropy", "categorical_hinge":
			row[rng.Intn(w)] = 1
		case "kl_divergence":
			a, b := rng.Float64(), rng.Float64()
			row[0], row[1], row[2] = a*b, a*(1-b), 1-a
		case "binary_crossentropy", "hinge", "squared_hinge":
			for j := range row {
				row[j] = float64(rng.Intn(2))
			}
		case "poisson", "mean_squared_logarithmic_error":
			for j := range row {
				row[j] = float64(rng.Intn(4))
			}
		default:
			for j := range row {
				row[j] = rng.NormFloat64()
			}
		}
	}
	return x, tensor.New(tensor.WithShape(n, w), tensor.WithBacking(ys))
}

// outputActivation is an output activation suited to loss.
func outputActivation(loss string) string {
	switch loss {
	case "binary_crossentropy":
		return "sigmoid"
	case "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence":
		return "softmax"
	case "poisson", "mean_squared_logarithmic_error":
		return "softplus"
	}
	return "linear"
}

// TestEveryLossAgreesWithItsMetric evaluates a model compiled with each
// loss and the same name as a metric: the graph loss (float64 and float32
// graphs) and the host-side metric are independent implementations and
// must agree.
func TestEveryLossAgreesWithItsMetric(t *testing.T) {
	canonical := map[string]bool{}
	for _, name := range losses.Names() {
		l, _ := losses.Get(name)
		canonical[l.Name()] = true
	}
	for name := range canonical {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			m := keras.Sequential(layers.Dense(3, layers.Activation(outputActivation(name)), layers.InputShape(4)))
			if err := m.SetDtype(dt); err != nil {
				t.Fatal(err)
			}
			_ = m.SetSeed(3)
			if err := m.Compile(keras.Loss(name), keras.Metrics(name)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			x, y := lossData(name, 5)
			s, err := m.Evaluate(context.Background(), x, y, keras.BatchSize(8), keras.Verbose(0))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			metric := s[name]
			if name == "cosine_similarity" {
				// The metric of that name is Keras's similarity; the loss
				// is its negative.
				metric = -metric
			}
			if !(math.Abs(s["loss"]-metric) <= tol*math.Max(1, math.Abs(metric))) {
				t.Errorf("%s (%v): graph loss %.15g, metric %.15g", name, dt, s["loss"], metric)
			}
		}
	}
}

// TestLossOptionsAgreeWithMetricOptions: the same with from_logits and
// label smoothing given to both.
func TestLossOptionsAgreeWithMetricOptions(t *testing.T) {
	cases := []struct {
		loss   losses.Loss
		metric metrics.Metric
		data   string
	}{
		{losses.BinaryCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.1)),
			metrics.BinaryCrossentropy(metrics.FromLogits(true), metrics.LabelSmoothing(0.1)), "binary_crossentropy"},
		{losses.CategoricalCrossentropy(losses.FromLogits(true), losses.LabelSmoothing(0.2)),
			metrics.CategoricalCrossentropy(metrics.FromLogits(true), metrics.LabelSmoothing(0.2)), "categorical_crossentropy"},
		{losses.SparseCategoricalCrossentropy(losses.FromLogits(true)),
			metrics.SparseCategoricalCrossentropy(metrics.FromLogits(true)), "sparse_categorical_crossentropy"},
		{losses.Huber(losses.Delta(0.3)), metrics.Huber(metrics.Delta(0.3)), "huber"},
	}
	for _, c := range cases {
		m := keras.Sequential(layers.Dense(3, layers.InputShape(4)))
		_ = m.SetDtype(tensor.Float64)
		_ = m.SetSeed(4)
		if err := m.Compile(keras.Loss(c.loss), keras.Metrics(c.metric)); err != nil {
			t.Fatal(err)
		}
		x, y := lossData(c.data, 6)
		s, err := m.Evaluate(context.Background(), x, y, keras.Verbose(0))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s["loss"], s[c.metric.Name()]; math.Abs(got-want) > 1e-12*math.Max(1, want) {
			t.Errorf("%s: graph loss %.15g, metric %.15g", c.loss.Name(), got, want)
		}
	}
}

// binaryData is a two-feature problem with 0/1 labels.
func binaryData(n int, seed int64) (*tensor.Dense, *tensor.Dense) {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, 2*n)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		x[2*i], x[2*i+1] = rng.NormFloat64(), rng.NormFloat64()
		if x[2*i]+0.5*x[2*i+1]+0.3*rng.NormFloat64() > 0 {
			y[i] = 1
		}
	}
	return tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(x)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y))
}

// TestClassificationMetricsInFit trains a binary classifier with the
// confusion metrics, by name and as typed values, and checks the history.
func TestClassificationMetricsInFit(t *testing.T) {
	x, y := binaryData(400, 2)
	auc := metrics.AUC(metrics.Curve("PR"), metrics.Name("pr_auc"))
	m := keras.Sequential(layers.Dense(8, layers.Activation(activations.ELU()), layers.InputShape(2)),
		layers.Dense(1, layers.Activation("sigmoid")))
	_ = m.SetSeed(5)
	err := m.Compile(keras.Loss("binary_crossentropy"), keras.Optimizer("adam"),
		keras.Metrics("acc", "auc", auc, "precision", "recall", metrics.F1Score(metrics.Threshold(0.5)), "bce"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(8), keras.BatchSize(16), keras.ValidationSplit(0.25), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	want := "loss acc auc pr_auc precision recall f1_score bce val_loss val_acc val_auc val_pr_auc val_precision val_recall val_f1_score val_bce"
	if got := strings.Join(h.Keys(), " "); got != want {
		t.Errorf("history keys\n %s\nwant\n %s", got, want)
	}
	for _, k := range []string{"val_auc", "val_pr_auc", "val_accuracy", "val_f1_score"} {
		if v, ok := h.Last(k); !ok || v < 0.85 || v > 1 {
			t.Errorf("%s = %v after training", k, v)
		}
	}
	// The metric value given to Compile is cloned, never trained on.
	if auc.Result() != 0 {
		t.Errorf("the user's metric value was updated: %v", auc.Result())
	}
	// Alias lookups: bce <-> binary_crossentropy.
	if v, ok := h.Last("val_binary_crossentropy"); !ok || v <= 0 {
		t.Errorf("val_binary_crossentropy lookup: %v %v", v, ok)
	}
	// The epoch's training bce equals the running loss of that epoch
	// (no regulariser, no dropout, same per-sample values).
	loss, _ := h.Get("loss")
	bce, _ := h.Get("bce")
	for e := range loss {
		if math.Abs(loss[e]-bce[e]) > 1e-5 {
			t.Errorf("epoch %d: loss %v, bce metric %v", e, loss[e], bce[e])
		}
	}
}

// TestTopKAndRegressionMetricsInFit covers the sparse top-k metrics on a
// three-class problem and the regression metrics on a regression one.
func TestTopKAndRegressionMetricsInFit(t *testing.T) {
	x, y := blobs(300, 4)
	m := classifier(t, 4)
	if err := m.Compile(keras.Loss("sparse_categorical_crossentropy"), keras.Optimizer("adam"),
		keras.Metrics("accuracy", metrics.SparseTopKCategoricalAccuracy(metrics.K(1), metrics.Name("top1")), "sparse_top_k_categorical_accuracy")); err != nil {
		t.Fatal(err)
	}
	h, err := m.Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := h.Get("accuracy")
	top1, _ := h.Get("top1")
	top5, _ := h.Get("sparse_top_k_categorical_accuracy")
	for e := range acc {
		if acc[e] != top1[e] || top5[e] != 1 {
			t.Errorf("epoch %d: accuracy %v, top-1 %v, top-5 %v", e, acc[e], top1[e], top5[e])
		}
	}

	xr, yr := regression(200, 3)
	r := regressionModel(t, 3, "mape", "msle", "root_mean_squared_error", "r2_score", "cosine_similarity", "log_cosh_error", "mse")
	h, err = r.Fit(context.Background(), xr, yr, keras.Epochs(30), keras.Verbose(0), keras.ValidationSplit(0.2))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"val_mean_absolute_percentage_error", "val_mean_squared_logarithmic_error", "val_root_mean_squared_error", "val_r2_score", "val_logcosh", "val_mean_squared_error"} {
		if _, ok := h.Last(k); !ok {
			t.Errorf("history has no %s (keys %v)", k, h.Keys())
		}
	}
	rmse, _ := h.Last("val_root_mean_squared_error")
	mse, _ := h.Last("val_mse")
	if math.Abs(rmse*rmse-mse) > 1e-4*mse {
		t.Errorf("val rmse^2 %v, val mse %v", rmse*rmse, mse)
	}
	if r2, _ := h.Last("val_r2_score"); r2 < 0.8 {
		t.Errorf("val_r2_score %v after training", r2)
	}
}

func TestVocabularyErrorsAtCompile(t *testing.T) {
	model := func(act interface{}) *keras.Model {
		return keras.Sequential(layers.Dense(3, layers.Activation(act), layers.InputShape(2)))
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"bad activation parameter", model(activations.ReLU(activations.MaxValue(-1))).Compile(keras.Loss("mse")),
			"activations: relu: max_value = -1: must be finite and >= 0"},
		{"bad loss parameter", model(nil).Compile(keras.Loss(losses.Huber(losses.Delta(-2)))),
			"keras: Compile: loss: losses: huber: delta = -2: must be finite and > 0"},
		{"bad label smoothing", model(nil).Compile(keras.Loss(losses.CategoricalCrossentropy(losses.LabelSmoothing(1.1)))),
			"label_smoothing = 1.1: must be in [0, 1]"},
		{"bad metric parameter", model(nil).Compile(keras.Loss("mse"), keras.Metrics(metrics.TopKCategoricalAccuracy(metrics.K(0)))),
			"keras: Compile: metrics of output dense: metrics: top_k_categorical_accuracy: k = 0: must be >= 1"},
		{"unknown metric", model(nil).Compile(keras.Loss("mse"), keras.Metrics("f1")),
			`unknown metric "f1" (known: acc, accuracy, auc, bce, binary_accuracy`},
		{"sparse metric on dense targets", model(nil).Compile(keras.Loss("mse"), keras.Metrics("sparse_categorical_crossentropy")),
			"metric sparse_categorical_crossentropy expects class-index targets but the loss mean_squared_error of output dense takes one-hot/dense targets"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, c.err, c.want)
		}
	}
}
