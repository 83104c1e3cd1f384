// Command boston_housing is the lecture's second analysis: multiple linear
// regression on the Boston housing prices with a small neural network,
// ported statement for statement from R keras's basic-regression tutorial,
// followed by the 4-fold cross-validation of Deep Learning with R.
//
//	go run ./examples/boston_housing [-epochs 500] [-out out/boston_housing]
//
// It reads boston_housing.npz from Keras's cache ($KERAS_HOME/datasets or
// ~/.keras/datasets; downloaded when missing), writes its plots to the
// output folder and ends with one machine-readable line:
//
//	RESULT test_mae=<early-stopped model, k$> cv_val_mae=<4-fold mean, k$>
//
// cv_val_mae is the 4-fold mean validation MAE at the epoch where the
// smoothed mean curve is lowest, the epoch Deep Learning with R reads off
// its plot to choose how long to train the final model.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

type config struct {
	epochs      int // epochs of the tutorial's two fits (500)
	patience    int // early stopping patience (20)
	folds       int // cross-validation folds (4)
	cvEpochs    int // epochs per fold (500)
	cvBatch     int // batch size in cross-validation (the book: 1)
	finalEpochs int // epochs of the final model (the book: 80)
	finalBatch  int // batch size of the final model (the book: 16)
	out         string
	seed        int64
}

func main() {
	var c config
	flag.IntVar(&c.epochs, "epochs", 500, "epochs of the tutorial's fits")
	flag.IntVar(&c.patience, "patience", 20, "early stopping patience")
	flag.IntVar(&c.folds, "folds", 4, "cross-validation folds (0 skips cross-validation)")
	flag.IntVar(&c.cvEpochs, "cv-epochs", 500, "epochs per cross-validation fold")
	flag.IntVar(&c.cvBatch, "cv-batch", 1, "batch size in cross-validation")
	flag.IntVar(&c.finalEpochs, "final-epochs", 80, "epochs of the final cross-validated model")
	flag.IntVar(&c.finalBatch, "final-batch", 16, "batch size of the final model")
	flag.StringVar(&c.out, "out", "out/boston_housing", "folder for the plots")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the models and of the folds")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "boston_housing:", err)
		os.Exit(1)
	}
}

var columnNames = []string{"CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"}

// results are the figures the program reports.
type results struct {
	testMAE                   float64 // early-stopped model on the test set
	cvValMAE                  float64 // 4-fold mean validation MAE after the last epoch
	cvBestMAE                 float64 // 4-fold mean validation MAE at the chosen epoch
	finalTestMAE              float64 // final cross-validated model on the test set
	cvBestEpoch, stoppedAfter int
}

func run(ctx context.Context, w io.Writer, c config) error {
	start := time.Now()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	// boston_housing <- dataset_boston_housing()
	// c(train_data, train_labels) %<-% boston_housing$train
	// c(test_data, test_labels) %<-% boston_housing$test
	train, test, err := datasets.BostonHousing(ctx)
	if err != nil {
		return err
	}
	trainData, trainLabels := train.X, train.Y
	testData, testLabels := test.X, test.Y

	// paste0("Training entries: ", length(train_data), ", labels: ", length(train_labels))
	fmt.Fprintf(w, "Training entries: %d, labels: %d\n", trainData.Shape().TotalSize(), trainLabels.Shape().TotalSize())
	// train_df <- as_tibble(train_data); colnames(train_df) <- column_names; train_df
	printTable(w, trainData, 6)
	// train_labels[1:10]
	fmt.Fprintf(w, "train_labels[1:10] %v\n", trainLabels.Data().([]float64)[:10])

	// train_data <- scale(train_data)
	// col_means_train <- attr(train_data, "scaled:center")
	// col_stddevs_train <- attr(train_data, "scaled:scale")
	// test_data <- scale(test_data, center = col_means_train, scale = col_stddevs_train)
	trainData, scaler, err := preprocessing.Standardize(trainData)
	if err != nil {
		return err
	}
	if testData, err = scaler.Transform(testData); err != nil {
		return err
	}
	fmt.Fprintf(w, "train_data[1, ] %.4f\n", trainData.Data().([]float64)[:13])

	var r results
	// model <- build_model(); model %>% summary()
	model, err := buildModel(c.seed)
	if err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}

	// history <- model %>% fit(train_data, train_labels, epochs = epochs,
	//   validation_split = 0.2, verbose = 0, callbacks = list(print_dot_callback))
	history, err := model.Fit(ctx, trainData, trainLabels, keras.Epochs(c.epochs), keras.ValidationSplit(0.2),
		keras.Verbose(0), keras.Callbacks(printDot(w)))
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	report(w, "500-epoch fit", history)
	// plot(history, metrics = "mean_absolute_error", smooth = FALSE) + coord_cartesian(ylim = c(0, 5))
	if err := historyplot.Save(filepath.Join(c.out, "history.png"), history, historyplot.Metrics("mean_absolute_error"),
		historyplot.Smooth(false), historyplot.YLim(0, 5), historyplot.Title("Boston housing: 500 epochs")); err != nil {
		return err
	}

	// early_stop <- callback_early_stopping(monitor = "val_loss", patience = 20)
	// model <- build_model()
	// history <- model %>% fit(train_data, train_labels, epochs = epochs, validation_split = 0.2,
	//   verbose = 0, callbacks = list(early_stop, print_dot_callback))
	earlyStop := callbacks.EarlyStopping(callbacks.Monitor("val_loss"), callbacks.Patience(c.patience))
	if model, err = buildModel(c.seed + 1); err != nil {
		return err
	}
	history, err = model.Fit(ctx, trainData, trainLabels, keras.Epochs(c.epochs), keras.ValidationSplit(0.2),
		keras.Verbose(0), keras.Callbacks(earlyStop, printDot(w)))
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	r.stoppedAfter = history.Len()
	report(w, fmt.Sprintf("early stopping (patience %d) stopped after %d epochs", c.patience, history.Len()), history)
	// plot(history, metrics = "mean_absolute_error", smooth = FALSE) +
	//   coord_cartesian(xlim = c(0, 150), ylim = c(0, 5))
	if err := historyplot.Save(filepath.Join(c.out, "history_early_stopping.png"), history, historyplot.Metrics("mean_absolute_error"),
		historyplot.Smooth(false), historyplot.XLim(0, 150), historyplot.YLim(0, 5), historyplot.Title("Boston housing: early stopping")); err != nil {
		return err
	}

	// c(loss, mae) %<-% (model %>% evaluate(test_data, test_labels, verbose = 0))
	// paste0("Mean absolute error on test set: $", sprintf("%.2f", mae * 1000))
	score, err := model.Evaluate(ctx, testData, testLabels, keras.Verbose(0))
	if err != nil {
		return err
	}
	r.testMAE = score["mean_absolute_error"]
	fmt.Fprintf(w, "Mean absolute error on test set: $%.2f\n", r.testMAE*1000)

	// test_predictions <- model %>% predict(test_data); test_predictions[ , 1]
	pred, err := model.Predict(ctx, testData, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "test_predictions %v, first 5: %.2f (true %.1f)\n", pred.Shape(), pred.Data().([]float32)[:5], testLabels.Data().([]float64)[:5])

	if c.folds > 0 {
		if err := crossValidate(ctx, w, c, trainData, trainLabels, testData, testLabels, &r); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "done in %.1f s; plots in %s\n", time.Since(start).Seconds(), c.out)
	fmt.Fprintf(w, "RESULT test_mae=%.4f cv_val_mae=%.4f\n", r.testMAE, r.cvBestMAE)
	return nil
}

// buildModel is the tutorial's build_model(): 64-64-1, mse, RMSprop, MAE.
func buildModel(seed int64) (*keras.Model, error) {
	// model <- keras_model_sequential() %>%
	//   layer_dense(units = 64, activation = "relu", input_shape = dim(train_data)[2]) %>%
	//   layer_dense(units = 64, activation = "relu") %>%
	//   layer_dense(units = 1)
	model := keras.Sequential(
		layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
		layers.Dense(64, layers.Activation("relu")),
		layers.Dense(1),
	)
	if err := model.SetSeed(seed); err != nil {
		return nil, err
	}
	// model %>% compile(loss = "mse", optimizer = optimizer_rmsprop(), metrics = list("mean_absolute_error"))
	err := model.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.RMSprop()), keras.Metrics("mean_absolute_error"))
	return model, err
}

// printDot is the tutorial's print_dot_callback: a dot per epoch, a new
// line every 80 epochs.
func printDot(w io.Writer) callbacks.Lambda {
	return callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		if epoch%80 == 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprint(w, ".")
	}}
}

func report(w io.Writer, what string, h *keras.History) {
	mae, _ := h.Last("mean_absolute_error")
	val, _ := h.Last("val_mean_absolute_error")
	fmt.Fprintf(w, "%s: last epoch mae %.3f, val_mae %.3f\n", what, mae, val)
}

// crossValidate is Deep Learning with R's k-fold validation: k models,
// each validated on one fold after training on the others; the per-epoch
// validation MAE is averaged over the folds and plotted; then a final
// model trains on all the training data and is tested.
func crossValidate(ctx context.Context, w io.Writer, c config, x, y, testX, testY *tensor.Dense, r *results) error {
	// indices <- sample(1:nrow(train_data)); folds <- cut(indices, breaks = k, labels = FALSE)
	folds, err := preprocessing.KFold(x.Shape()[0], c.folds, preprocessing.Seed(c.seed))
	if err != nil {
		return err
	}
	var curves [][]float64
	var sum float64
	for i, f := range folds {
		// val_data <- train_data[val_indices, ]; partial_train_data <- train_data[-val_indices, ]
		xv, yv, xt, yt, err := takeFold(x, y, f)
		if err != nil {
			return err
		}
		model, err := buildModel(c.seed + 10 + int64(i))
		if err != nil {
			return err
		}
		// history <- model %>% fit(partial_train_data, partial_train_targets,
		//   validation_data = list(val_data, val_targets), epochs = num_epochs, batch_size = 1, verbose = 0)
		h, err := model.Fit(ctx, xt, yt, keras.ValidationData(xv, yv), keras.Epochs(c.cvEpochs),
			keras.BatchSize(c.cvBatch), keras.Verbose(0))
		if err != nil {
			return err
		}
		// mae_history <- history$metrics$val_mean_absolute_error
		curve, _ := h.Get("val_mean_absolute_error")
		curves = append(curves, curve)
		last := curve[len(curve)-1]
		sum += last
		fmt.Fprintf(w, "fold %d: %d train / %d validation rows, validation MAE after %d epochs %.3f\n", i+1, len(f.Train), len(f.Val), c.cvEpochs, last)
	}
	r.cvValMAE = sum / float64(len(folds))
	// average_mae_history <- data.frame(epoch = seq(1:ncol(all_mae_histories)),
	//   validation_mae = apply(all_mae_histories, 2, mean))
	avg := keras.NewHistory()
	epochs := make([]float64, len(curves[0]))
	mean := make([]float64, len(curves[0]))
	for e := range mean {
		for _, cv := range curves {
			mean[e] += cv[e] / float64(len(curves))
		}
		epochs[e] = float64(e + 1)
		if err := avg.OnEpochEnd(e, keras.Logs{"val_mean_absolute_error": mean[e]}); err != nil {
			return err
		}
	}
	// The book reads the best number of epochs off the smoothed curve
	// (geom_smooth: loess, span 0.75); the cross-validated MAE is the
	// 4-fold mean at that epoch.
	smooth := historyplot.Loess(epochs, mean, 0.75, epochs)
	best := 0
	for e := range smooth {
		if smooth[e] < smooth[best] {
			best = e
		}
	}
	r.cvBestEpoch, r.cvBestMAE = best+1, mean[best]
	fmt.Fprintf(w, "%d-fold mean validation MAE: %.3f at epoch %d, where the smoothed curve is lowest; %.3f after all %d epochs (overfitting)\n",
		c.folds, r.cvBestMAE, r.cvBestEpoch, r.cvValMAE, c.cvEpochs)
	// ggplot(average_mae_history, aes(x = epoch, y = validation_mae)) + geom_smooth()
	if err := historyplot.Save(filepath.Join(c.out, "cv_mae.png"), avg, historyplot.Smooth(true),
		historyplot.Title(fmt.Sprintf("%d-fold validation MAE, averaged", c.folds))); err != nil {
		return err
	}
	// model <- build_model()
	// model %>% fit(train_data, train_targets, epochs = 80, batch_size = 16, verbose = 0)
	// result <- model %>% evaluate(test_data, test_targets)
	model, err := buildModel(c.seed + 100)
	if err != nil {
		return err
	}
	if _, err := model.Fit(ctx, x, y, keras.Epochs(c.finalEpochs), keras.BatchSize(c.finalBatch), keras.Verbose(0)); err != nil {
		return err
	}
	score, err := model.Evaluate(ctx, testX, testY, keras.Verbose(0))
	if err != nil {
		return err
	}
	r.finalTestMAE = score["mean_absolute_error"]
	fmt.Fprintf(w, "final model (%d epochs, batch %d) test MAE %.3f\n", c.finalEpochs, c.finalBatch, r.finalTestMAE)
	return nil
}

func takeFold(x, y *tensor.Dense, f preprocessing.Fold) (xv, yv, xt, yt *tensor.Dense, err error) {
	if xv, err = preprocessing.Take(x, f.Val); err != nil {
		return
	}
	if yv, err = preprocessing.Take(y, f.Val); err != nil {
		return
	}
	if xt, err = preprocessing.Take(x, f.Train); err != nil {
		return
	}
	yt, err = preprocessing.Take(y, f.Train)
	return
}

// printTable prints the first n rows of the 13 features under their names.
func printTable(w io.Writer, x *tensor.Dense, n int) {
	var b strings.Builder
	for _, c := range columnNames {
		fmt.Fprintf(&b, "%9s", c)
	}
	b.WriteString("\n")
	data := x.Data().([]float64)
	for r := 0; r < n; r++ {
		for j := 0; j < 13; j++ {
			fmt.Fprintf(&b, "%9.4g", data[r*13+j])
		}
		b.WriteString("\n")
	}
	fmt.Fprint(w, b.String())
}
