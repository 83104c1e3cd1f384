package metrics_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/metrics"
)

// constructors maps each registered name to its typed constructor, so
// that test cases can pass options.
var constructors = map[string]func(...metrics.Option) metrics.Metric{
	"binary_accuracy":                   func(o ...metrics.Option) metrics.Metric { return metrics.BinaryAccuracy(o...) },
	"categorical_accuracy":              func(o ...metrics.Option) metrics.Metric { return metrics.CategoricalAccuracy(o...) },
	"sparse_categorical_accuracy":       func(o ...metrics.Option) metrics.Metric { return metrics.SparseCategoricalAccuracy(o...) },
	"top_k_categorical_accuracy":        func(o ...metrics.Option) metrics.Metric { return metrics.TopKCategoricalAccuracy(o...) },
	"sparse_top_k_categorical_accuracy": func(o ...metrics.Option) metrics.Metric { return metrics.SparseTopKCategoricalAccuracy(o...) },
	"mean_squared_error":                func(o ...metrics.Option) metrics.Metric { return metrics.MeanSquaredError(o...) },
	"root_mean_squared_error":           func(o ...metrics.Option) metrics.Metric { return metrics.RootMeanSquaredError(o...) },
	"mean_absolute_error":               func(o ...metrics.Option) metrics.Metric { return metrics.MeanAbsoluteError(o...) },
	"mean_absolute_percentage_error":    func(o ...metrics.Option) metrics.Metric { return metrics.MeanAbsolutePercentageError(o...) },
	"mean_squared_logarithmic_error":    func(o ...metrics.Option) metrics.Metric { return metrics.MeanSquaredLogarithmicError(o...) },
	"cosine_similarity":                 func(o ...metrics.Option) metrics.Metric { return metrics.CosineSimilarity(o...) },
	"log_cosh_error":                    func(o ...metrics.Option) metrics.Metric { return metrics.LogCoshError(o...) },
	"r2_score":                          func(o ...metrics.Option) metrics.Metric { return metrics.R2Score(o...) },
	"precision":                         func(o ...metrics.Option) metrics.Metric { return metrics.Precision(o...) },
	"recall":                            func(o ...metrics.Option) metrics.Metric { return metrics.Recall(o...) },
	"auc":                               func(o ...metrics.Option) metrics.Metric { return metrics.AUC(o...) },
	"f1_score":                          func(o ...metrics.Option) metrics.Metric { return metrics.F1Score(o...) },
	"fbeta_score":                       func(o ...metrics.Option) metrics.Metric { return metrics.FBetaScore(o...) },
	"binary_crossentropy":               func(o ...metrics.Option) metrics.Metric { return metrics.BinaryCrossentropy(o...) },
	"categorical_crossentropy":          func(o ...metrics.Option) metrics.Metric { return metrics.CategoricalCrossentropy(o...) },
	"sparse_categorical_crossentropy":   func(o ...metrics.Option) metrics.Metric { return metrics.SparseCategoricalCrossentropy(o...) },
	"kl_divergence":                     func(o ...metrics.Option) metrics.Metric { return metrics.KLDivergence(o...) },
	"poisson":                           func(o ...metrics.Option) metrics.Metric { return metrics.Poisson(o...) },
	"hinge":                             func(o ...metrics.Option) metrics.Metric { return metrics.Hinge(o...) },
	"squared_hinge":                     func(o ...metrics.Option) metrics.Metric { return metrics.SquaredHinge(o...) },
	"categorical_hinge":                 func(o ...metrics.Option) metrics.Metric { return metrics.CategoricalHinge(o...) },
	"huber":                             func(o ...metrics.Option) metrics.Metric { return metrics.Huber(o...) },
	"log_cosh":                          func(o ...metrics.Option) metrics.Metric { return metrics.LogCosh(o...) },
}

// options turns a JSON keyword map into Options.
func options(t *testing.T, params map[string]interface{}) []metrics.Option {
	var out []metrics.Option
	for k, v := range params {
		switch k {
		case "threshold":
			out = append(out, metrics.Threshold(v.(float64)))
		case "thresholds":
			out = append(out, metrics.Thresholds(v.(float64)))
		case "k":
			out = append(out, metrics.K(int(v.(float64))))
		case "top_k":
			out = append(out, metrics.TopK(int(v.(float64))))
		case "class_id":
			out = append(out, metrics.ClassID(int(v.(float64))))
		case "num_thresholds":
			out = append(out, metrics.NumThresholds(int(v.(float64))))
		case "curve":
			out = append(out, metrics.Curve(v.(string)))
		case "summation_method":
			out = append(out, metrics.SummationMethod(v.(string)))
		case "multi_label":
			out = append(out, metrics.MultiLabel(v.(bool)))
		case "from_logits":
			out = append(out, metrics.FromLogits(v.(bool)))
		case "label_smoothing":
			out = append(out, metrics.LabelSmoothing(v.(float64)))
		case "delta":
			out = append(out, metrics.Delta(v.(float64)))
		case "average":
			out = append(out, metrics.Average(v.(string)))
		case "beta":
			out = append(out, metrics.Beta(v.(float64)))
		case "class_aggregation":
			out = append(out, metrics.ClassAggregation(v.(string)))
		case "num_regressors":
			out = append(out, metrics.NumRegressors(int(v.(float64))))
		default:
			t.Fatalf("unknown keyword %s", k)
		}
	}
	return out
}

type metricCase struct {
	Name    string
	Params  map[string]interface{}
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
		t.Run(fmt.Sprintf("%s%v", c.Name, c.Params), func(t *testing.T) {
			construct, ok := constructors[c.Name]
			if !ok {
				t.Fatalf("no constructor for %s", c.Name)
			}
			m := construct(options(t, c.Params)...)
			if err := m.(interface{ Err() error }).Err(); err != nil {
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
		})
	}
	for name := range constructors {
		if !seen[name] {
			t.Errorf("%s has no reference vector", name)
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
		m    metrics.Metric
		want string
	}{
		{metrics.TopKCategoricalAccuracy(metrics.K(0)), "metrics: top_k_categorical_accuracy: k must be >= 1, got 0"},
		{metrics.SparseTopKCategoricalAccuracy(metrics.K(-2)), "metrics: sparse_top_k_categorical_accuracy: k must be >= 1, got -2"},
		{metrics.Precision(metrics.TopK(0)), "metrics: precision: top_k must be >= 1, got 0"},
		{metrics.Recall(metrics.Thresholds(1.5)), "metrics: recall: thresholds must be in [0, 1], got 1.5"},
		{metrics.Precision(metrics.ClassID(-1)), "metrics: precision: class_id must be >= 0, got -1"},
		{metrics.Precision(metrics.K(3)), "metrics: precision has no option k (it takes name, thresholds, top_k, class_id)"},
		{metrics.AUC(metrics.NumThresholds(1)), "metrics: auc: num_thresholds must be > 1, got 1"},
		{metrics.AUC(metrics.Curve("PRC")), `metrics: auc: curve must be "ROC" or "PR", got "PRC"`},
		{metrics.AUC(metrics.SummationMethod("trapezoid")), `metrics: auc: summation_method must be "interpolation", "minoring" or "majoring", got "trapezoid"`},
		{metrics.F1Score(metrics.Average("none")), `metrics: f1_score: average must be "macro", "micro" or "weighted", got "none"`},
		{metrics.F1Score(metrics.Threshold(0)), "metrics: f1_score: threshold must be in (0, 1], got 0"},
		{metrics.F1Score(metrics.Beta(2)), "metrics: f1_score has no option beta (it takes name, threshold, average)"},
		{metrics.FBetaScore(metrics.Beta(0)), "metrics: fbeta_score: beta must be finite and > 0, got 0"},
		{metrics.R2Score(metrics.ClassAggregation("mean")), `metrics: r2_score: class_aggregation must be "uniform_average" or "variance_weighted_average", got "mean"`},
		{metrics.R2Score(metrics.NumRegressors(-1)), "metrics: r2_score: num_regressors must be >= 0, got -1"},
		{metrics.BinaryCrossentropy(metrics.LabelSmoothing(2)), "metrics: binary_crossentropy: label_smoothing must be in [0, 1], got 2"},
		{metrics.SparseCategoricalCrossentropy(metrics.LabelSmoothing(0.1)), "metrics: sparse_categorical_crossentropy has no option label_smoothing (it takes name, from_logits)"},
		{metrics.Huber(metrics.Delta(-1)), "metrics: huber: delta must be finite and > 0, got -1"},
		{metrics.MeanSquaredError(metrics.K(3)), "metrics: mean_squared_error has no option k (it takes name)"},
	}
	b := metrics.Batch{Rows: 1, YTrue: []float64{1, 0}, YPred: []float64{0.7, 0.3}}
	for _, c := range cases {
		err := c.m.(interface{ Err() error }).Err()
		if err == nil || err.Error() != c.want {
			t.Errorf("Err() = %v, want %q", err, c.want)
		}
		if err := c.m.Update(b); err == nil || err.Error() != c.want {
			t.Errorf("Update: %v, want %q", err, c.want)
		}
	}
	// Shape errors at Update.
	if err := metrics.Precision(metrics.ClassID(2)).Update(b); err == nil || !strings.Contains(err.Error(), "class_id must be less than the output width 2, got 2") {
		t.Errorf("class_id beyond the width: %v", err)
	}
	if err := metrics.AUC().Update(metrics.Batch{Rows: 1, YTrue: []float64{1}, YPred: []float64{0.7, 0.3}}); err == nil ||
		!strings.Contains(err.Error(), "targets have 1 values per row, predictions 2") {
		t.Errorf("width mismatch: %v", err)
	}
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
