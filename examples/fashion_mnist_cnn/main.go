// Command fashion_mnist_cnn is the lecture's image recognition
// walkthrough, part two on Fashion-MNIST: the same images as part one
// (examples/fashion_mnist, flatten -> dense -> softmax, test accuracy
// 0.8677), now through convolutions, pooling, padding and dropout, as the
// lecture describes them: "often times in image analysis, you will have
// several convolution layers where you have many filters, so one image may
// become 16, 32, 64 new filtered images. These convoluted images can be
// subject to down sampling, ie pooling, max pooling, or dropout. The
// image size can also be changed, ie padding to add pixels to the edge of
// the image."
//
//	go run ./examples/fashion_mnist_cnn [-epochs 10] [-out out/fashion_mnist_cnn]
//
// The model: conv(32, 3x3, relu, padding same) -> max pooling 2x2 ->
// dropout 0.25 -> conv(64, 3x3, relu, padding same) -> max pooling 2x2 ->
// dropout 0.25 -> flatten -> dense(128, relu) -> dropout 0.5 ->
// dense(10, softmax), Adam, batch 128. It writes, to the output folder,
// the training history, the 32 filters the first convolution learned
// (filters.png), what the first test image becomes after that convolution
// (feature_maps.png: one tile per filter), the predictions for the first
// 25 test images, and ends with one machine-readable line:
//
//	RESULT test_accuracy=<v> s_per_epoch=<v>
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

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/historyplot"
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
	testRows  int // 0: all 10,000
}

func main() {
	var c config
	flag.IntVar(&c.epochs, "epochs", 10, "training epochs")
	flag.StringVar(&c.out, "out", "out/fashion_mnist_cnn", "folder for the pictures and the trained model")
	flag.Int64Var(&c.seed, "seed", 42, "model seed (initial weights, shuffling, dropout)")
	flag.IntVar(&c.verbose, "verbose", 2, "progress output: 0 silent, 1 bar, 2 one line per epoch")
	flag.IntVar(&c.trainRows, "train-rows", 0, "train on the first N images only (0: all)")
	flag.IntVar(&c.testRows, "test-rows", 0, "evaluate on the first N test images only (0: all)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "fashion_mnist_cnn:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, c config) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	// fashion_mnist <- dataset_fashion_mnist()
	train, test, err := datasets.FashionMNIST(ctx)
	if err != nil {
		return err
	}
	classNames := datasets.FashionMNISTClassNames()
	xTrain, yTrain, err := firstRows(train.X, train.Y, c.trainRows)
	if err != nil {
		return err
	}
	xTest, yTest, err := firstRows(test.X, test.Y, c.testRows)
	if err != nil {
		return err
	}
	// train_images <- array_reshape(train_images / 255, c(60000, 28, 28, 1))
	if xTrain, err = preprocessing.Rescale(xTrain, 1.0/255); err != nil {
		return err
	}
	if xTest, err = preprocessing.Rescale(xTest, 1.0/255); err != nil {
		return err
	}
	if err := xTrain.Reshape(xTrain.Shape()[0], 28, 28, 1); err != nil {
		return err
	}
	if err := xTest.Reshape(xTest.Shape()[0], 28, 28, 1); err != nil {
		return err
	}

	// model <- keras_model_sequential() %>%
	//   layer_conv_2d(32, c(3, 3), activation = "relu", padding = "same", input_shape = c(28, 28, 1)) %>%
	//   layer_max_pooling_2d(c(2, 2)) %>% layer_dropout(0.25) %>%
	//   layer_conv_2d(64, c(3, 3), activation = "relu", padding = "same") %>%
	//   layer_max_pooling_2d(c(2, 2)) %>% layer_dropout(0.25) %>%
	//   layer_flatten() %>% layer_dense(128, activation = "relu") %>% layer_dropout(0.5) %>%
	//   layer_dense(10, activation = "softmax")
	conv1 := layers.Conv2D(32, [2]int{3, 3}, layers.Activation("relu"), layers.Padding("same"), layers.InputShape(28, 28, 1))
	model := keras.Sequential(
		conv1,
		layers.MaxPooling2D(layers.PoolSize(2, 2)),
		layers.Dropout(0.25),
		layers.Conv2D(64, [2]int{3, 3}, layers.Activation("relu"), layers.Padding("same")),
		layers.MaxPooling2D(layers.PoolSize(2, 2)),
		layers.Dropout(0.25),
		layers.Flatten(),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dropout(0.5),
		layers.Dense(10, layers.Activation("softmax")),
	)
	if err := model.SetSeed(c.seed); err != nil {
		return err
	}
	// model %>% compile(optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = "accuracy")
	if err := model.Compile(keras.Optimizer("adam"), keras.Loss("sparse_categorical_crossentropy"), keras.Metrics("accuracy")); err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}

	// history <- model %>% fit(train_images, train_labels, epochs = 10, batch_size = 128, validation_split = 0.1)
	start := time.Now()
	history, err := model.Fit(ctx, xTrain, yTrain, keras.Epochs(c.epochs), keras.BatchSize(128), keras.ValidationSplit(0.1),
		keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return err
	}
	perEpoch := time.Since(start).Seconds() / float64(c.epochs)
	fmt.Fprintf(w, "trained %d epochs in %.1f s (%.2f s/epoch, validation included)\n", c.epochs, time.Since(start).Seconds(), perEpoch)
	if err := historyplot.Save(filepath.Join(c.out, "history.png"), history, historyplot.Title("Fashion-MNIST, convolutional")); err != nil {
		return err
	}

	// score <- model %>% evaluate(test_images, test_labels, verbose = 0)
	score, err := model.Evaluate(ctx, xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Test loss: %.4f\nTest accuracy: %.4f (the dense model of part one: 0.8677)\n", score["loss"], score["accuracy"])

	// What the network learned: the first layer's 32 filters ...
	weights := conv1.Variables()
	kernel := weights[0].Value().Clone().(*tensor.Dense)
	filters, err := imageplot.Filters(kernel, imageplot.Numbered(true), imageplot.TileSize(48))
	if err != nil {
		return err
	}
	if err := filters.Save(filepath.Join(c.out, "filters.png")); err != nil {
		return err
	}
	// ... and what they make of one image: a model from the input to the
	// first convolution's output (Keras's feature extraction).
	features, err := keras.NewModel(model.Inputs(), []*keras.Tensor{conv1.Output()})
	if err != nil {
		return err
	}
	first, err := preprocessing.Take(xTest, []int{0})
	if err != nil {
		return err
	}
	maps, err := features.Predict(ctx, first, keras.Verbose(0))
	if err != nil {
		return err
	}
	fm, err := imageplot.FeatureMaps(maps, imageplot.Cmap(imageplot.Viridis), imageplot.TileSize(56))
	if err != nil {
		return err
	}
	if err := fm.Save(filepath.Join(c.out, "feature_maps.png")); err != nil {
		return err
	}
	fmt.Fprintf(w, "the first test image (%s) became %d filtered images of %dx%d\n",
		classNames[yTest.Data().([]uint8)[0]], maps.Shape()[3], maps.Shape()[1], maps.Shape()[2])

	// Predictions for the first 25 test images, green when right, red when
	// wrong, as in part one.
	pred, err := model.Predict(ctx, xTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	trueLabels := make([]int, yTest.Shape()[0])
	for i, l := range yTest.Data().([]uint8) {
		trueLabels[i] = int(l)
	}
	images := test.X
	if c.testRows > 0 && c.testRows < images.Shape()[0] {
		if images, _, err = firstRows(test.X, test.Y, c.testRows); err != nil {
			return err
		}
	}
	pg, err := imageplot.Predictions(images, pred, trueLabels, classNames, imageplot.First(25), imageplot.ShowConfidence(false),
		imageplot.CorrectColor(color.RGBA{0, 140, 0, 255}), imageplot.WrongColor(color.RGBA{200, 0, 0, 255}))
	if err != nil {
		return err
	}
	if err := pg.Save(filepath.Join(c.out, "predictions.png")); err != nil {
		return err
	}
	if err := model.Save(filepath.Join(c.out, "fashion_mnist_cnn.gokeras")); err != nil {
		return err
	}
	fmt.Fprintf(w, "pictures and model in %s\n", c.out)
	fmt.Fprintf(w, "RESULT test_accuracy=%.4f s_per_epoch=%.2f\n", score["accuracy"], perEpoch)
	return nil
}

// firstRows returns the first n rows of x and y (all of them for n <= 0).
func firstRows(x, y *tensor.Dense, n int) (*tensor.Dense, *tensor.Dense, error) {
	if n <= 0 || n >= x.Shape()[0] {
		return x, y, nil
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	xs, err := preprocessing.Take(x, idx)
	if err != nil {
		return nil, nil, err
	}
	ys, err := preprocessing.Take(y, idx)
	return xs, ys, err
}
