package callbacks_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/callbacks"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/optimizers"
)

// exampleModel is a small compiled regression model with a fixed seed.
func exampleModel() *keras.Model {
	m := keras.Sequential(layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)), layers.Dense(1))
	_ = m.SetSeed(1)
	_ = m.Compile(keras.Loss("mse"), keras.Optimizer("adam"), keras.Metrics("mae"))
	return m
}

// The R tutorial's print_dot_callback: a dot per epoch and a new line
// every 80 epochs.
func ExampleLambda() {
	x, y := regression(32, 1)
	printDot := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		if epoch%80 == 0 {
			fmt.Println()
		}
		fmt.Print(".")
	}}
	_, _ = exampleModel().Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(printDot))
	// Output:
	// .....
}

func ExampleEarlyStopping() {
	x, y := noisyRegression(64, 2, 1)
	model := keras.Sequential(layers.Dense(32, layers.Activation("relu"), layers.InputShape(3)), layers.Dense(1))
	_ = model.SetSeed(2)
	_ = model.Compile(keras.Loss("mse"), keras.Optimizer(optimizers.Adam(optimizers.LearningRate(0.05))))
	earlyStop := callbacks.EarlyStopping(callbacks.Monitor("val_loss"), callbacks.Patience(20), callbacks.RestoreBestWeights(true))
	history, err := model.Fit(context.Background(), x, y, keras.Epochs(2000), keras.ValidationSplit(0.2), keras.Verbose(0),
		keras.Callbacks(earlyStop))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The history ends at the epoch that stopped training; the best
	// epoch's weights are back in the model.
	fmt.Println(history.Len() == earlyStop.StoppedEpoch()+1, history.Len() < 2000)
	fmt.Println(earlyStop.StoppedEpoch()-earlyStop.BestEpoch() == 20)
	// Output:
	// true true
	// true
}

func ExampleReduceLROnPlateau() {
	x, y := regression(32, 3)
	// A scripted "score" stands for a validation loss that stalls.
	score := callbacks.Lambda{EpochEnd: func(epoch int, logs keras.Logs) { logs["score"] = []float64{3, 2, 2, 2, 2, 2}[epoch] }}
	reduce := callbacks.ReduceLROnPlateau(callbacks.Monitor("score"), callbacks.Factor(0.5), callbacks.Patience(2))
	history, _ := exampleModel().Fit(context.Background(), x, y, keras.Epochs(6), keras.Verbose(0), keras.Callbacks(score, reduce))
	lr, _ := history.Get("learning_rate")
	fmt.Println(lr)
	// Output:
	// [0.001 0.001 0.001 0.001 0.0005 0.0005]
}

func ExampleLearningRateScheduler() {
	x, y := regression(32, 4)
	decay := callbacks.LearningRateScheduler(func(epoch int, lr float64) float64 {
		if epoch < 2 {
			return lr
		}
		return lr / 10
	})
	history, _ := exampleModel().Fit(context.Background(), x, y, keras.Epochs(4), keras.Verbose(0), keras.Callbacks(decay))
	lr, _ := history.Get("learning_rate")
	fmt.Printf("%.0e\n", lr)
	// Output:
	// [1e-03 1e-03 1e-04 1e-05]
}

func ExampleCSVLogger() {
	dir, _ := os.MkdirTemp("", "csvlogger")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "training.log")
	x, y := regression(40, 5)
	_, _ = exampleModel().Fit(context.Background(), x, y, keras.Epochs(3), keras.ValidationSplit(0.25), keras.Verbose(0),
		keras.Callbacks(callbacks.CSVLogger(path)))
	f, _ := os.Open(path)
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		row := strings.Split(lines.Text(), ",")
		fmt.Println(row[0], len(row))
	}
	// Output:
	// epoch 5
	// 0 5
	// 1 5
	// 2 5
}

func ExampleModelCheckpoint() {
	dir, _ := os.MkdirTemp("", "checkpoints")
	defer os.RemoveAll(dir)
	x, y := regression(40, 6)
	ckpt := callbacks.ModelCheckpoint(filepath.Join(dir, "model-{epoch:02d}.gokeras"), callbacks.SaveWeightsOnly(true))
	_, _ = exampleModel().Fit(context.Background(), x, y, keras.Epochs(3), keras.Verbose(0), keras.Callbacks(ckpt))
	for _, p := range ckpt.Saved() {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// model-01.gokeras
	// model-02.gokeras
	// model-03.gokeras
}

func ExampleBackupAndRestore() {
	dir, _ := os.MkdirTemp("", "backup")
	defer os.RemoveAll(dir)
	x, y := regression(40, 7)
	// The first run is interrupted after two epochs...
	ctx, cancel := context.WithCancel(context.Background())
	stop := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
		if epoch == 1 {
			cancel()
		}
	}}
	_, err := exampleModel().Fit(ctx, x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.BackupAndRestore(dir), stop))
	fmt.Println(err)
	// ...and the same call, in a new process, resumes at epoch 3.
	history, _ := exampleModel().Fit(context.Background(), x, y, keras.Epochs(5), keras.Verbose(0), keras.Callbacks(callbacks.BackupAndRestore(dir)))
	fmt.Println(history.Epoch)
	// Output:
	// context canceled
	// [2 3 4]
}

func ExampleProgbarLogger() {
	var log bytes.Buffer
	x, y := regression(40, 8)
	_, _ = exampleModel().Fit(context.Background(), x, y, keras.Epochs(2), keras.Callbacks(callbacks.ProgbarLogger(&log, 2)))
	fmt.Println(strings.Split(log.String(), "\n")[0])
	// Output:
	// Epoch 1/2
}
