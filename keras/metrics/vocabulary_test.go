package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
)

type metricCase struct {
	Name    string
	Params  json.RawMessage
	Sparse  bool
	Batches []struct {
		True, Pred, SW []float64
	}
	Want float64
}

func loadMetricVectors(t *testing.T) []metricCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Cases []metricCase }
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Cases
}

func feed(m metrics.Metric, c metricCase) error {
	for _, b := range c.Batches {
		if err := m.Update(metrics.Batch{Rows: len(b.SW), YTrue: b.True, YPred: b.Pred, SampleWeight: b.SW}); err != nil {
			return err
		}
	}
	return nil
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestAgainstNumpy feeds every metric two batches (the second weighted)
// and compares the result with numpy's over all eight samples.
func TestAgainstNumpy(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadMetricVectors(t) {
		seen[c.Name] = true
		t.Run(fmt.Sprintf("%s%s", c.Name, c.Params), func(t *testing.T) {
			m, err := metrics.FromConfig(metrics.Config{Name: c.Name, Params: c.Params})
			if err != nil {
				t.Fatal(err)
			}
			if sm := m.(metrics.SparseMetric); sm.SparseTargets() != c.Sparse {
				t.Errorf("SparseTargets() = %v", sm.SparseTargets())
			}
			if err := feed(m, c); err != nil {
				t.Fatal(err)
			}
			if got := m.Result(); !near(got, c.Want, 1e-12) {
				t.Errorf("result %.17g, numpy %.17g", got, c.Want)
			}
			// A clone starts empty and computes the same; Reset empties.
			cl := m.(metrics.Cloner).Clone()
			if cl.Result() != 0 {
				t.Errorf("clone starts at %v", cl.Result())
			}
			if err := feed(cl, c); err != nil || cl.Result() != m.Result() {
				t.Errorf("clone result %v, original %v (%v)", cl.Result(), m.Result(), err)
			}
			m.Reset()
			if m.Result() != 0 {
				t.Errorf("after Reset: %v", m.Result())
			}
			if err := feed(m, c); err != nil || m.Result() != cl.Result() {
				t.Errorf("after Reset and the same batches: %v, want %v", m.Result(), cl.Result())
			}
			// The metric rebuilt from its own Config computes the same.
			back, err := metrics.FromConfig(metrics.ConfigOf(m))
			if err != nil {
				t.Fatal(err)
			}
			if err := feed(back, c); err != nil || back.Result() != m.Result() || back.Name() != m.Name() {
				t.Errorf("from its config %s: %v %q, want %v %q (%v)", metrics.ConfigOf(m).Params, back.Result(), back.Name(), m.Result(), m.Name(), err)
			}
		})
	}
	for _, name := range metrics.Names() {
		if metrics.IsAccuracy(name) {
			continue
		}
		m, err := metrics.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if class := metrics.ConfigOf(m).Name; !seen[class] {
			t.Errorf("%s has no reference vector", class)
		}
	}
}

// TestKerasDocExamples checks the results printed in the Keras 3
// docstrings (float32 values, hence the tolerance).
func TestKerasDocExamples(t *testing.T) {
	twoByTwo := func(yt, yp []float64, sw []float64) metrics.Batch {
		return metrics.Batch{Rows: len(yt) / 2, YTrue: yt, YPred: yp, SampleWeight: sw}
	}
	a, b := []float64{0, 1, 0, 0}, []float64{1, 1, 0, 0}
	probs := []float64{0.6, 0.4, 0.4, 0.6}
	w10 := []float64{1, 0}
	cases := []struct {
		m    metrics.Metric
		b    metrics.Batch
		want float64
	}{
		{metrics.MeanSquaredError(), twoByTwo(a, b, nil), 0.25},
		{metrics.MeanAbsoluteError(), twoByTwo(a, b, w10), 0.5},
		{metrics.MeanAbsolutePercentageError(), twoByTwo(a, b, nil), 250000000.0},
		{metrics.MeanAbsolutePercentageError(), twoByTwo(a, b, w10), 500000000.0},
		{metrics.MeanSquaredLogarithmicError(), twoByTwo(a, b, nil), 0.12011322},
		{metrics.MeanSquaredLogarithmicError(), twoByTwo(a, b, w10), 0.24022643},
		{metrics.RootMeanSquaredError(), twoByTwo(a, b, nil), 0.5},
		{metrics.RootMeanSquaredError(), twoByTwo(a, b, w10), 0.70710677},
		{metrics.LogCoshError(), twoByTwo(a, b, nil), 0.10844523},
		{metrics.LogCoshError(), twoByTwo(a, b, w10), 0.21689045},
		{metrics.CosineSimilarity(), twoByTwo([]float64{0, 1, 1, 1}, []float64{1, 0, 1, 1}, nil), 0.49999997},
		{metrics.CosineSimilarity(), twoByTwo([]float64{0, 1, 1, 1}, []float64{1, 0, 1, 1}, []float64{0.3, 0.7}), 0.6999999},
		{metrics.KLDivergence(), twoByTwo(a, probs, nil), 0.45814306},
		{metrics.KLDivergence(), twoByTwo(a, probs, w10), 0.9162892},
		{metrics.Poisson(), twoByTwo(a, b, nil), 0.49999997},
		{metrics.Poisson(), twoByTwo(a, b, w10), 0.99999994},
		{metrics.BinaryCrossentropy(), twoByTwo(a, probs, nil), 0.81492424},
		{metrics.BinaryCrossentropy(), twoByTwo(a, probs, w10), 0.9162905},
		{metrics.Hinge(), twoByTwo(a, probs, nil), 1.3},
		{metrics.Hinge(), twoByTwo(a, probs, w10), 1.1},
		{metrics.SquaredHinge(), twoByTwo(a, probs, nil), 1.86},
		{metrics.SquaredHinge(), twoByTwo(a, probs, w10), 1.46},
		{metrics.CategoricalHinge(), twoByTwo(a, probs, nil), 1.4000001},
		{metrics.CategoricalHinge(), twoByTwo(a, probs, w10), 1.2},
		{metrics.CategoricalCrossentropy(), metrics.Batch{Rows: 2, YTrue: []float64{0, 1, 0, 0, 0, 1},
			YPred: []float64{0.05, 0.95, 0, 0.1, 0.8, 0.1}}, 1.1769392},
		{metrics.CategoricalCrossentropy(), metrics.Batch{Rows: 2, YTrue: []float64{0, 1, 0, 0, 0, 1},
			YPred: []float64{0.05, 0.95, 0, 0.1, 0.8, 0.1}, SampleWeight: []float64{0.3, 0.7}}, 1.6271976},
		{metrics.SparseCategoricalCrossentropy(), metrics.Batch{Rows: 2, YTrue: []float64{1, 2},
			YPred: []float64{0.05, 0.95, 0, 0.1, 0.8, 0.1}}, 1.1769392},
		{metrics.SparseCategoricalCrossentropy(), metrics.Batch{Rows: 2, YTrue: []float64{1, 2},
			YPred: []float64{0.05, 0.95, 0, 0.1, 0.8, 0.1}, SampleWeight: []float64{0.3, 0.7}}, 1.6271976},
		{metrics.TopKCategoricalAccuracy(metrics.K(1)), metrics.Batch{Rows: 2, YTrue: []float64{0, 0, 1, 0, 1, 0},
			YPred: []float64{0.1, 0.9, 0.8, 0.05, 0.95, 0}}, 0.5},
		{metrics.TopKCategoricalAccuracy(metrics.K(1)), metrics.Batch{Rows: 2, YTrue: []float64{0, 0, 1, 0, 1, 0},
			YPred: []float64{0.1, 0.9, 0.8, 0.05, 0.95, 0}, SampleWeight: []float64{0.7, 0.3}}, 0.3},
		{metrics.SparseTopKCategoricalAccuracy(metrics.K(1)), metrics.Batch{Rows: 2, YTrue: []float64{2, 1},
			YPred: []float64{0.1, 0.9, 0.8, 0.05, 0.95, 0}, SampleWeight: []float64{0.7, 0.3}}, 0.3},
		{metrics.Precision(), metrics.Batch{Rows: 4, YTrue: []float64{0, 1, 1, 1}, YPred: []float64{1, 0, 1, 1}}, 0.6666667},
		{metrics.Precision(), metrics.Batch{Rows: 4, YTrue: []float64{0, 1, 1, 1}, YPred: []float64{1, 0, 1, 1}, SampleWeight: []float64{0, 0, 1, 0}}, 1},
		{metrics.Precision(metrics.TopK(2)), metrics.Batch{Rows: 1, YTrue: []float64{0, 0, 1, 1}, YPred: []float64{1, 1, 1, 1}}, 0},
		{metrics.Precision(metrics.TopK(4)), metrics.Batch{Rows: 1, YTrue: []float64{0, 0, 1, 1}, YPred: []float64{1, 1, 1, 1}}, 0.5},
		{metrics.Recall(), metrics.Batch{Rows: 4, YTrue: []float64{0, 1, 1, 1}, YPred: []float64{1, 0, 1, 1}}, 0.6666667},
		{metrics.Recall(), metrics.Batch{Rows: 4, YTrue: []float64{0, 1, 1, 1}, YPred: []float64{1, 0, 1, 1}, SampleWeight: []float64{0, 0, 1, 0}}, 1},
		// thresholds [0-eps, 0.5, 1+eps]: tp [2,1,0], fp [2,0,0] -> 0.75.
		{metrics.AUC(metrics.NumThresholds(3)), metrics.Batch{Rows: 4, YTrue: []float64{0, 0, 1, 1}, YPred: []float64{0, 0.5, 0.3, 0.9}}, 0.75},
		{metrics.AUC(metrics.NumThresholds(3)), metrics.Batch{Rows: 4, YTrue: []float64{0, 0, 1, 1}, YPred: []float64{0, 0.5, 0.3, 0.9},
			SampleWeight: []float64{1, 0, 0, 1}}, 1},
		{metrics.R2Score(), metrics.Batch{Rows: 3, YTrue: []float64{1, 4, 3}, YPred: []float64{2, 4, 4}}, 0.57142854},
	}
	for _, c := range cases {
		if err := c.m.Update(c.b); err != nil {
			t.Fatal(err)
		}
		if got := c.m.Result(); !near(got, c.want, 1e-6) {
			t.Errorf("%s = %.9g, Keras docs %.9g", c.m.Name(), got, c.want)
		}
	}
	// F1Score(threshold=0.5) and FBetaScore(beta=2, threshold=0.5) per class.
	yt := []float64{1, 1, 1, 1, 0, 0, 1, 1, 0}
	yp := []float64{0.2, 0.6, 0.7, 0.2, 0.6, 0.6, 0.6, 0.8, 0.0}
	for _, c := range []struct {
		f    *metrics.FScore
		want []float64
	}{
		{metrics.F1Score(metrics.Threshold(0.5)), []float64{0.5, 0.8, 0.6666667}},
		{metrics.FBetaScore(metrics.Beta(2), metrics.Threshold(0.5)), []float64{0.3846154, 0.90909094, 0.8333334}},
	} {
		if err := c.f.Update(metrics.Batch{Rows: 3, YTrue: yt, YPred: yp}); err != nil {
			t.Fatal(err)
		}
		got := c.f.PerClass()
		for i := range c.want {
			if !near(got[i], c.want[i], 2e-7) {
				t.Errorf("%s per class = %v, Keras docs %v", c.f.Name(), got, c.want)
				break
			}
		}
		if mean := (got[0] + got[1] + got[2]) / 3; c.f.Result() != mean {
			t.Errorf("%s macro average %v, want %v", c.f.Name(), c.f.Result(), mean)
		}
	}
}

// TestAUCMatchesExactROC: with predictions that never share a bucket,
// the interpolated ROC AUC equals the exact area (the fraction of
// positive-negative pairs ranked correctly).
func TestAUCMatchesExactROC(t *testing.T) {
	yt := []float64{1, 0, 1, 1, 0, 0, 1, 0, 0, 1}
	yp := []float64{0.91, 0.12, 0.47, 0.66, 0.53, 0.08, 0.35, 0.22, 0.71, 0.84}
	var correct, pairs float64
	for i := range yt {
		for j := range yt {
			if yt[i] == 1 && yt[j] == 0 {
				pairs++
				if yp[i] > yp[j] {
					correct++
				}
			}
		}
	}
	m := metrics.AUC()
	if err := m.Update(metrics.Batch{Rows: 10, YTrue: yt, YPred: yp}); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Result(), correct/pairs; math.Abs(got-want) > 1e-12 {
		t.Errorf("AUC = %v, exact %v", got, want)
	}
}

func TestOptionErrors(t *testing.T) {
	cases := []struct {
		m                   metrics.Metric
		call, option, value string
		msg                 string
	}{
		{metrics.TopKCategoricalAccuracy(metrics.K(0)), "top_k_categorical_accuracy", "k", "0", "must be >= 1"},
		{metrics.SparseTopKCategoricalAccuracy(metrics.K(-2), metrics.Name("top")), "top", "k", "-2", "must be >= 1"},
		{metrics.Precision(metrics.TopK(0)), "precision", "top_k", "0", "must be >= 1"},
		{metrics.Recall(metrics.Thresholds(1.5)), "recall", "thresholds", "1.5", "must be in [0, 1]"},
		{metrics.Precision(metrics.ClassID(-1)), "precision", "class_id", "-1", "must be >= 0"},
		{metrics.AUC(metrics.NumThresholds(1)), "auc", "num_thresholds", "1", "must be > 1"},
		{metrics.AUC(metrics.Curve("PRC")), "auc", "curve", `"PRC"`, `must be "ROC" or "PR"`},
		{metrics.AUC(metrics.SummationMethod("trapezoid")), "auc", "summation_method", `"trapezoid"`, `must be "interpolation", "minoring" or "majoring"`},
		{metrics.F1Score(metrics.Average("none")), "f1_score", "average", `"none"`, `must be "macro", "micro" or "weighted"`},
		{metrics.F1Score(metrics.Threshold(0)), "f1_score", "threshold", "0", "must be in (0, 1]"},
		{metrics.FBetaScore(metrics.Beta(0)), "fbeta_score", "beta", "0", "must be finite and > 0"},
		{metrics.R2Score(metrics.ClassAggregation("mean")), "r2_score", "class_aggregation", `"mean"`, `must be "uniform_average" or "variance_weighted_average"`},
		{metrics.R2Score(metrics.NumRegressors(-1)), "r2_score", "num_regressors", "-1", "must be >= 0"},
		{metrics.BinaryCrossentropy(metrics.LabelSmoothing(2)), "binary_crossentropy", "label_smoothing", "2", "must be in [0, 1]"},
		{metrics.Huber(metrics.Delta(-1)), "huber", "delta", "-1", "must be finite and > 0"},
	}
	b := metrics.Batch{Rows: 1, YTrue: []float64{1, 0}, YPred: []float64{0.7, 0.3}}
	for _, c := range cases {
		check := func(where string, err error) {
			var oe *kerrors.OptionError
			if !errors.As(err, &oe) || oe.Call != c.call || oe.Option != c.option || oe.Value != c.value || oe.Msg != c.msg {
				t.Errorf("%s: %v, want an OptionError %s: %s = %s: %s", where, err, c.call, c.option, c.value, c.msg)
			}
		}
		check("Err", c.m.(interface{ Err() error }).Err())
		check("Update", c.m.Update(b))
	}
	if err := metrics.AUC(metrics.Curve("PRC")).Err(); err.Error() != `metrics: auc: curve = "PRC": must be "ROC" or "PR"` {
		t.Errorf("message %q", err)
	}
	// Configs: unknown, mistyped and out-of-range parameters.
	for _, c := range []struct{ name, params, option, msg string }{
		{"precision", `{"k": 3}`, "k", "unknown parameter (precision takes name, thresholds, top_k, class_id)"},
		{"f1_score", `{"beta": 2}`, "beta", "unknown parameter (f1_score takes name, threshold, average)"},
		{"sparse_categorical_crossentropy", `{"label_smoothing": 0.1}`, "label_smoothing", "unknown parameter (sparse_categorical_crossentropy takes name, from_logits)"},
		{"mse", `{"k": 3}`, "k", "unknown parameter (mean_squared_error takes name)"},
		{"auc", `{"num_thresholds": 2.5}`, "num_thresholds", "must be an integer"},
		{"auc", `{"multi_label": "yes"}`, "multi_label", "must be true or false"},
		{"top_k_categorical_accuracy", `{"k": 0}`, "k", "must be >= 1"},
	} {
		_, err := metrics.FromConfig(metrics.Config{Name: c.name, Params: json.RawMessage(c.params)})
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Option != c.option || oe.Msg != c.msg {
			t.Errorf("%s %s: %v", c.name, c.params, err)
		}
	}
	// Shape errors at Update.
	if err := metrics.Precision(metrics.ClassID(2)).Update(b); err == nil || !strings.Contains(err.Error(), "class_id = 2: must be less than the output width 2") {
		t.Errorf("class_id beyond the width: %v", err)
	}
	if err := metrics.AUC().Update(metrics.Batch{Rows: 1, YTrue: []float64{1}, YPred: []float64{0.7, 0.3}}); err == nil ||
		!strings.Contains(err.Error(), "targets have 1 values per row, predictions 2") {
		t.Errorf("width mismatch: %v", err)
	}
}

// TestConfigs checks the serialised form: the class name, the history key
// only when it is not that name, the non-default parameters only.
func TestConfigs(t *testing.T) {
	for _, c := range []struct {
		m    metrics.Metric
		want string
	}{
		{metrics.AUC(), `{"name":"auc"}`},
		{metrics.AUC(metrics.Curve("PR"), metrics.Name("pr_auc")), `{"name":"auc","params":{"name":"pr_auc","curve":"PR"}}`},
		{metrics.LogCoshError(), `{"name":"log_cosh_error","params":{"name":"logcosh"}}`},
		{metrics.Precision(metrics.TopK(2)), `{"name":"precision","params":{"top_k":2}}`},
		{metrics.F1Score(metrics.Threshold(0.5)), `{"name":"f1_score","params":{"threshold":0.5}}`},
		{metrics.BinaryCrossentropy(metrics.FromLogits(true)), `{"name":"binary_crossentropy","params":{"from_logits":true}}`},
		{metrics.NewMean("mine", false, func(t, p []float64) float64 { return 0 }), `{"name":"mine"}`},
	} {
		raw, _ := json.Marshal(metrics.ConfigOf(c.m))
		if string(raw) != c.want {
			t.Errorf("%s: config %s, want %s", c.m.Name(), raw, c.want)
		}
	}
	m, err := metrics.Get("mae")
	if err != nil || m.Name() != "mae" {
		t.Fatalf("Get(mae) = %v, %v", m, err)
	}
	back, err := metrics.FromConfig(metrics.ConfigOf(m))
	if err != nil || back.Name() != "mae" {
		t.Errorf("mae from its config: %v, %v", back, err)
	}
	if _, err := metrics.Get("accuracy"); err == nil || !strings.Contains(err.Error(), "keras.Compile resolves it") {
		t.Errorf(`Get("accuracy") = %v`, err)
	}
	if err := metrics.Register("acc", func(metrics.Config) (metrics.Metric, error) { return metrics.AUC(), nil }); err == nil {
		t.Error("acc could be registered")
	}
	if err := metrics.Register("mine", nil); !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("Register with a nil factory: %v", err)
	}
}

// TestOptionsCompileChecked: options a metric does not take do not compile
// (testdata/compilefail marks each line).
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}

// TestEveryLossIsAMetric: each loss name (and alias) resolves to a metric
// of that name.
func TestEveryLossIsAMetric(t *testing.T) {
	for _, name := range losses.Names() {
		m, err := metrics.Get(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if m.Name() != name {
			t.Errorf("Get(%q).Name() = %q", name, m.Name())
		}
		l, _ := losses.Get(name)
		_, sparseLoss := l.(losses.SparseTargets)
		sparseLoss = sparseLoss && l.(losses.SparseTargets).SparseTargets()
		if m.(metrics.SparseMetric).SparseTargets() != sparseLoss {
			t.Errorf("%s: metric and loss disagree on sparse targets", name)
		}
	}
}

func TestAliasGroups(t *testing.T) {
	cases := map[string][]string{
		"acc":                     {"accuracy"},
		"val_mae":                 {"val_mean_absolute_error"},
		"mean_squared_error":      {"mse"},
		"val_mape":                {"val_mean_absolute_percentage_error"},
		"msle":                    {"mean_squared_logarithmic_error"},
		"binary_crossentropy":     {"bce"},
		"kld":                     {"kl_divergence"},
		"logcosh":                 {"log_cosh_error", "log_cosh"},
		"val_log_cosh":            {"val_logcosh", "val_log_cosh_error"},
		"f_beta_score":            {"fbeta_score"},
		"auc":                     nil,
		"root_mean_squared_error": nil,
	}
	for key, want := range cases {
		if got := metrics.Aliases(key); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Aliases(%q) = %v, want %v", key, got, want)
		}
	}
	for _, alias := range []string{"mape", "msle", "bce", "kld", "logcosh", "f_beta_score"} {
		m, err := metrics.Get(alias)
		if err != nil || m.Name() != alias {
			t.Errorf("Get(%q) = %v, %v", alias, m, err)
		}
	}
}

func ExampleAUC() {
	m := metrics.AUC(metrics.NumThresholds(3))
	_ = m.Update(metrics.Batch{Rows: 4, YTrue: []float64{0, 0, 1, 1}, YPred: []float64{0, 0.5, 0.3, 0.9}})
	fmt.Println(m.Name(), m.Result())
	// Output: auc 0.75
}

func ExamplePrecision() {
	m := metrics.Precision(metrics.Thresholds(0.5))
	// Two batches: the result is over all six predictions.
	_ = m.Update(metrics.Batch{Rows: 4, YTrue: []float64{0, 1, 1, 1}, YPred: []float64{0.9, 0.2, 0.8, 0.7}})
	_ = m.Update(metrics.Batch{Rows: 2, YTrue: []float64{0, 1}, YPred: []float64{0.6, 0.95}})
	fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	// Output: precision 0.6000
}

func ExampleF1Score() {
	m := metrics.F1Score(metrics.Threshold(0.5))
	_ = m.Update(metrics.Batch{Rows: 3,
		YTrue: []float64{1, 1, 1, 1, 0, 0, 1, 1, 0},
		YPred: []float64{0.2, 0.6, 0.7, 0.2, 0.6, 0.6, 0.6, 0.8, 0.0}})
	fmt.Printf("per class %.4f, macro %.4f\n", m.PerClass(), m.Result())
	// Output: per class [0.5000 0.8000 0.6667], macro 0.6556
}

func ExampleGet() {
	// Every loss is also a metric, under the name given.
	m, err := metrics.Get("binary_crossentropy")
	if err != nil {
		panic(err)
	}
	_ = m.Update(metrics.Batch{Rows: 2, YTrue: []float64{0, 1, 0, 0}, YPred: []float64{0.6, 0.4, 0.4, 0.6}})
	fmt.Printf("%s %.4f\n", m.Name(), m.Result())
	// Output: binary_crossentropy 0.8149
}

func ExampleAliases() {
	fmt.Println(metrics.Aliases("val_mae"), metrics.Aliases("logcosh"))
	// Output: [val_mean_absolute_error] [log_cosh_error log_cosh]
}

func ExampleRootMeanSquaredError() {
	m := metrics.RootMeanSquaredError()
	// The root of the mean over all samples, not the mean of batch roots:
	// sqrt((1 + 1 + 1 + 25) / 4), not (1 + 5) / 2.
	_ = m.Update(metrics.Batch{Rows: 3, YTrue: []float64{0, 0, 0}, YPred: []float64{1, 1, 1}})
	_ = m.Update(metrics.Batch{Rows: 1, YTrue: []float64{0}, YPred: []float64{5}})
	fmt.Printf("%.4f\n", m.Result())
	// Output: 2.6458
}

func ExampleTopKCategoricalAccuracy() {
	m := metrics.TopKCategoricalAccuracy(metrics.K(2), metrics.Name("top2"))
	_ = m.Update(metrics.Batch{Rows: 2,
		YTrue: []float64{0, 0, 1, 0, 1, 0},
		YPred: []float64{0.1, 0.5, 0.4, 0.7, 0.1, 0.2}})
	fmt.Println(m.Name(), m.Result())
	// Output: top2 0.5
}

func ExampleR2Score() {
	m := metrics.R2Score()
	_ = m.Update(metrics.Batch{Rows: 3, YTrue: []float64{1, 4, 3}, YPred: []float64{2, 4, 4}})
	fmt.Printf("%.6f\n", m.Result())
	// Output: 0.571429
}
