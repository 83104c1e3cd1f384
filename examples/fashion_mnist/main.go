// Command fashion_mnist is the lecture's image recognition walkthrough,
// part one: R keras's basic-classification tutorial (Fashion-MNIST with
// flatten / dense / softmax), ported statement for statement.
//
//	go run ./examples/fashion_mnist [-epochs 5] [-out out/fashion_mnist]
//
// It reads Fashion-MNIST from Keras's cache ($KERAS_HOME/datasets or
// ~/.keras/datasets; downloaded when missing), writes two pictures to the
// output folder (the first 25 training images with their class names, and
// predictions for test images), and ends with one machine-readable line:
//
//	RESULT test_accuracy=<v> test_loss=<v>
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/imageplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

type config struct {
	epochs    int
	out       string
	seed      int64
	verbose   int
	trainRows int // 0: all 60,000 (tests train on fewer)
}

func main() {
	var c config
	flag.IntVar(&c.epochs, "epochs", 5, "training epochs (the tutorial: 5)")
	flag.StringVar(&c.out, "out", "out/fashion_mnist", "folder for the pictures")
	flag.Int64Var(&c.seed, "seed", 42, "model seed")
	flag.IntVar(&c.verbose, "verbose", 2, "progress output: 0 silent, 1 bar, 2 one line per epoch (the tutorial: 2)")
	flag.IntVar(&c.trainRows, "train-rows", 0, "train on the first N images only (0: all)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "fashion_mnist:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, c config) error {
	// fashion_mnist <- dataset_fashion_mnist()
	// c(train_images, train_labels) %<-% fashion_mnist$train
	// c(test_images, test_labels) %<-% fashion_mnist$test
	train, test, err := datasets.FashionMNIST(ctx)
	if err != nil {
		return err
	}
	trainImages, trainLabels := train.X, train.Y
	testImages, testLabels := test.X, test.Y
	if c.trainRows > 0 && c.trainRows < train.Len() {
		idx := make([]int, c.trainRows)
		for i := range idx {
			idx[i] = i
		}
		if trainImages, err = preprocessing.Take(trainImages, idx); err != nil {
			return err
		}
		if trainLabels, err = preprocessing.Take(trainLabels, idx); err != nil {
			return err
		}
	}
	classNames := datasets.FashionMNISTClassNames()

	// dim(train_images); dim(train_labels); train_labels[1:20]
	fmt.Fprintf(w, "train_images %v %v, train_labels %v\n", trainImages.Shape(), trainImages.Dtype(), trainLabels.Shape())
	fmt.Fprintf(w, "test_images %v, test_labels %v\n", testImages.Shape(), testLabels.Shape())
	fmt.Fprintf(w, "train_labels[1:20] %v\n", trainLabels.Data().([]uint8)[:20])

	// Look at the data: the first 25 training images with their class names.
	// (par(mfcol = c(5, 5)); image(...) with main = class_names[...]).
	first25 := make([]string, 25)
	for i, l := range trainLabels.Data().([]uint8)[:25] {
		first25[i] = classNames[l]
	}
	grid, err := imageplot.Grid(trainImages, first25, imageplot.First(25))
	if err != nil {
		return err
	}
	if err := grid.Save(filepath.Join(c.out, "first25.png")); err != nil {
		return err
	}

	// train_images <- train_images / 255; test_images <- test_images / 255
	if trainImages, err = preprocessing.Rescale(trainImages, 1.0/255); err != nil {
		return err
	}
	if testImages, err = preprocessing.Rescale(testImages, 1.0/255); err != nil {
		return err
	}

	// model <- keras_model_sequential()
	// model %>%
	//   layer_flatten(input_shape = c(28, 28)) %>%
	//   layer_dense(units = 128, activation = 'relu') %>%
	//   layer_dense(units = 10, activation = 'softmax')
	model := keras.Sequential(
		layers.Flatten(layers.InputShape(28, 28)),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dense(10, layers.Activation("softmax")),
	)
	if err := model.SetSeed(c.seed); err != nil {
		return err
	}
	// model %>% compile(optimizer = 'adam', loss = 'sparse_categorical_crossentropy', metrics = c('accuracy'))
	if err := model.Compile(keras.Optimizer("adam"), keras.Loss("sparse_categorical_crossentropy"), keras.Metrics("accuracy")); err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}
	// model %>% fit(train_images, train_labels, epochs = 5, verbose = 2)
	start := time.Now()
	history, err := model.Fit(ctx, trainImages, trainLabels, keras.Epochs(c.epochs), keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	loss, _ := history.Last("loss")
	acc, _ := history.Last("accuracy")
	fmt.Fprintf(w, "trained %d epochs in %.1f s (%.2f s/epoch); last epoch loss %.4f accuracy %.4f\n",
		c.epochs, elapsed.Seconds(), elapsed.Seconds()/float64(c.epochs), loss, acc)

	// score <- model %>% evaluate(test_images, test_labels, verbose = 0)
	score, err := model.Evaluate(ctx, testImages, testLabels, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Test loss: %.4f\nTest accuracy: %.4f\n", score["loss"], score["accuracy"])

	// predictions <- model %>% predict(test_images)
	predictions, err := model.Predict(ctx, testImages, keras.Verbose(0))
	if err != nil {
		return err
	}
	probs := predictions.Data().([]float32)
	fmt.Fprintf(w, "predictions[1, ] %.3f\n", probs[:10])
	// class_pred <- model %>% predict(test_images) %>% k_argmax()
	classPred, err := keras.Argmax(predictions)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "which.max(predictions[1, ]) - 1 = %d (%s); test_labels[1] = %d\n",
		classPred[0], classNames[classPred[0]], testLabels.Data().([]uint8)[0])
	fmt.Fprintf(w, "class_pred[1:20] %v\n", classPred[:20])

	// Plot test images with their predicted and true labels, green when
	// right and red when wrong, as the R tutorial ('#008800', '#bb0000';
	// imageplot's defaults are the TensorFlow tutorial's blue and red,
	// with the confidence).
	trueLabels := make([]int, testLabels.Shape()[0])
	for i, l := range testLabels.Data().([]uint8) {
		trueLabels[i] = int(l)
	}
	pg, err := imageplot.Predictions(test.X, predictions, trueLabels, classNames, imageplot.First(25), imageplot.ShowConfidence(false),
		imageplot.CorrectColor(color.RGBA{0, 140, 0, 255}), imageplot.WrongColor(color.RGBA{200, 0, 0, 255}))
	if err != nil {
		return err
	}
	if err := pg.Save(filepath.Join(c.out, "predictions.png")); err != nil {
		return err
	}
	fmt.Fprintf(w, "pictures in %s\n", c.out)
	fmt.Fprintf(w, "RESULT test_accuracy=%.4f test_loss=%.4f\n", score["accuracy"], score["loss"])
	return nil
}
