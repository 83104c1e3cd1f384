// Command toy_resnet is the Keras functional-API guide's "toy ResNet": a
// convolutional network with two skip connections (layers.Add of a block's
// input and its output), a graph no Sequential model can express.
//
//	go run ./examples/toy_resnet [-data fashion_mnist|cifar10] [-epochs 2] [-train-rows 0] [-out out/toy_resnet]
//
// The guide trains it on CIFAR-10 (32x32 colour images) for one epoch on
// the first 1,000 images; this program trains on Fashion-MNIST by default
// (28x28 grey images, in this project's data cache) and on CIFAR-10 with
// -data cifar10 when Keras's cache holds cifar-10-batches-bin. The model,
// as the guide writes it:
//
//	x = Conv2D(32, 3, relu)(inputs); x = Conv2D(64, 3, relu)(x)
//	block_1_output = MaxPooling2D(3)(x)
//	x = Conv2D(64, 3, relu, same)(block_1_output); x = Conv2D(64, 3, relu, same)(x)
//	block_2_output = add([x, block_1_output])
//	x = Conv2D(64, 3, relu, same)(block_2_output); x = Conv2D(64, 3, relu, same)(x)
//	block_3_output = add([x, block_2_output])
//	x = Conv2D(64, 3, relu)(block_3_output); x = GlobalAveragePooling2D()(x)
//	x = Dense(256, relu)(x); x = Dropout(0.5)(x); outputs = Dense(10)(x)
//
// compiled with RMSprop(1e-3), CategoricalCrossentropy(from_logits=True)
// and the metric "acc", fitted with batch size 64 and validation_split 0.2.
// For CIFAR-10's shape the summary shows the guide's 223,242 parameters.
// The program writes the model diagram (mini_resnet.png, the guide's
// plot_model call) and the training history to the output folder, and
// ends with one machine-readable line:
//
//	RESULT test_accuracy=<v> params=<n> s_per_epoch=<v>
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/modelplot"
	"github.com/gokeras/gokeras/keras/optimizers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

type config struct {
	data      string // "fashion_mnist" or "cifar10"
	epochs    int
	out       string
	seed      int64
	verbose   int
	trainRows int // 0: the whole training set
	testRows  int // 0: the whole test set
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", "fashion_mnist", `data set: "fashion_mnist" (28x28x1) or "cifar10" (32x32x3, as in the guide)`)
	flag.IntVar(&c.epochs, "epochs", 2, "training epochs")
	flag.StringVar(&c.out, "out", "out/toy_resnet", "folder for the diagram, the history and the trained model")
	flag.Int64Var(&c.seed, "seed", 42, "model seed (initial weights, shuffling, dropout)")
	flag.IntVar(&c.verbose, "verbose", 2, "progress output: 0 silent, 1 bar, 2 one line per epoch")
	flag.IntVar(&c.trainRows, "train-rows", 0, "train on the first N images only (the guide uses 1000; 0: all)")
	flag.IntVar(&c.testRows, "test-rows", 0, "evaluate on the first N test images only (0: all)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "toy_resnet:", err)
		os.Exit(1)
	}
}

// toyResNet builds the guide's model for images of the given shape
// (height, width, channels).
func toyResNet(shape []int) (*keras.Model, error) {
	relu := layers.Activation("relu")
	inputs := keras.Input(shape, keras.InputName("img"))
	x := layers.Conv2D(32, [2]int{3, 3}, relu).Apply(inputs)
	x = layers.Conv2D(64, [2]int{3, 3}, relu).Apply(x)
	block1 := layers.MaxPooling2D(layers.PoolSize(3, 3)).Apply(x)

	x = layers.Conv2D(64, [2]int{3, 3}, relu, layers.Padding("same")).Apply(block1)
	x = layers.Conv2D(64, [2]int{3, 3}, relu, layers.Padding("same")).Apply(x)
	block2 := layers.Add().Apply(x, block1)

	x = layers.Conv2D(64, [2]int{3, 3}, relu, layers.Padding("same")).Apply(block2)
	x = layers.Conv2D(64, [2]int{3, 3}, relu, layers.Padding("same")).Apply(x)
	block3 := layers.Add().Apply(x, block2)

	x = layers.Conv2D(64, [2]int{3, 3}, relu).Apply(block3)
	x = layers.GlobalAveragePooling2D().Apply(x)
	x = layers.Dense(256, relu).Apply(x)
	x = layers.Dropout(0.5).Apply(x)
	outputs := layers.Dense(10).Apply(x)
	return keras.NewModel([]*keras.Tensor{inputs}, []*keras.Tensor{outputs}, keras.ModelName("toy_resnet"))
}

func run(ctx context.Context, w io.Writer, c config) error {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	var train, test datasets.Split
	var err error
	switch c.data {
	case "fashion_mnist":
		train, test, err = datasets.FashionMNIST(ctx)
	case "cifar10":
		// (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
		train, test, err = datasets.CIFAR10(ctx)
	default:
		return fmt.Errorf("-data %q: want fashion_mnist or cifar10", c.data)
	}
	if err != nil {
		return err
	}
	xTrain, yTrain, err := prepare(train, c.trainRows)
	if err != nil {
		return err
	}
	xTest, yTest, err := prepare(test, c.testRows)
	if err != nil {
		return err
	}

	model, err := toyResNet(xTrain.Shape()[1:])
	if err != nil {
		return err
	}
	if err := model.SetSeed(c.seed); err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}
	params, err := model.CountParams()
	if err != nil {
		return err
	}
	// keras.utils.plot_model(model, "mini_resnet.png", show_shapes=True)
	if err := modelplot.Save(filepath.Join(c.out, "mini_resnet.png"), model, modelplot.ShowShapes(true)); err != nil {
		return err
	}

	// model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
	//     loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
	if err := model.Compile(
		keras.Optimizer(optimizers.RMSprop(optimizers.LearningRate(1e-3))),
		keras.Loss(losses.CategoricalCrossentropy(losses.FromLogits(true))),
		keras.Metrics("acc")); err != nil {
		return err
	}
	// model.fit(x_train, y_train, batch_size=64, epochs=1, validation_split=0.2)
	start := time.Now()
	history, err := model.Fit(ctx, xTrain, yTrain, keras.BatchSize(64), keras.Epochs(c.epochs), keras.ValidationSplit(0.2),
		keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return err
	}
	perEpoch := time.Since(start).Seconds() / float64(c.epochs)
	if err := historyplot.Save(filepath.Join(c.out, "history.png"), history, historyplot.Title("toy ResNet, "+c.data)); err != nil {
		return err
	}
	score, err := model.Evaluate(ctx, xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Test loss: %.4f\nTest accuracy: %.4f\n", score["loss"], score["acc"])
	if err := model.Save(filepath.Join(c.out, "toy_resnet.gokeras")); err != nil {
		return err
	}
	fmt.Fprintf(w, "diagram, history and model in %s\n", c.out)
	fmt.Fprintf(w, "RESULT test_accuracy=%.4f params=%d s_per_epoch=%.2f\n", score["acc"], params, perEpoch)
	return nil
}

// prepare takes the first n images of s (all for n <= 0), scales them to
// [0, 1] as float32 with a channel axis, and one-hot encodes the labels
// (x_train.astype("float32") / 255.0; keras.utils.to_categorical(y, 10)).
func prepare(s datasets.Split, n int) (x, y *tensor.Dense, err error) {
	x, y = s.X, s.Y
	if n > 0 && n < x.Shape()[0] {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		if x, err = preprocessing.Take(x, idx); err != nil {
			return nil, nil, err
		}
		if y, err = preprocessing.Take(y, idx); err != nil {
			return nil, nil, err
		}
	}
	if x, err = preprocessing.Rescale(x, 1.0/255); err != nil {
		return nil, nil, err
	}
	if x.Dims() == 3 { // grey images: add the channel axis
		if err := x.Reshape(x.Shape()[0], x.Shape()[1], x.Shape()[2], 1); err != nil {
			return nil, nil, err
		}
	}
	if y, err = preprocessing.ToCategorical(y, preprocessing.NumClasses(10)); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}
