// This program must not compile: each line marked ERROR passes a metric an
// option it does not take, and TestOptionsCompileChecked checks that the
// compiler says so. The unmarked lines are valid uses and must compile.
package main

import "github.com/gokeras/gokeras/keras/metrics"

func main() {
	_ = metrics.AUC(metrics.Curve("PR"), metrics.Name("pr_auc"), metrics.FromLogits(true))
	_ = metrics.Precision(metrics.Thresholds(0.3), metrics.TopK(2), metrics.ClassID(1))
	_ = metrics.F1Score(metrics.Threshold(0.5), metrics.Average("micro"))
	_ = metrics.MeanAbsoluteError(metrics.Name("mae"))

	_ = metrics.Precision(metrics.K(3))                                    // ERROR "metrics.KOption does not implement metrics.PrecisionOption"
	_ = metrics.F1Score(metrics.Beta(2))                                   // ERROR "metrics.FBetaScoreOption does not implement metrics.F1ScoreOption"
	_ = metrics.SparseCategoricalCrossentropy(metrics.LabelSmoothing(0.1)) // ERROR "metrics.LabelSmoothingOption does not implement metrics.SparseCategoricalCrossentropyOption"
	_ = metrics.MeanSquaredError(metrics.K(3))                             // ERROR "metrics.KOption does not implement metrics.MeanSquaredErrorOption"
	_ = metrics.Recall(metrics.Threshold(0.5))                             // ERROR "metrics.ThresholdOption does not implement metrics.RecallOption"
	_ = metrics.BinaryAccuracy(metrics.Thresholds(0.5))                    // ERROR "metrics.ThresholdsOption does not implement metrics.BinaryAccuracyOption"
	_ = metrics.Huber(metrics.FromLogits(true))                            // ERROR "metrics.FromLogitsOption does not implement metrics.HuberOption"
	_ = metrics.TopKCategoricalAccuracy(metrics.TopK(2))                   // ERROR "metrics.TopKOption does not implement metrics.TopKCategoricalAccuracyOption"
	_ = metrics.R2Score(metrics.Curve("PR"))                               // ERROR "metrics.AUCOption does not implement metrics.R2ScoreOption"
}
