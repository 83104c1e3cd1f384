package main

import (
	"context"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

// runW2 is the MNIST CNN of R keras's mnist_cnn example (Conv2D 32 and 64,
// MaxPooling2D, Dropout, Dense), Adam, batch 128: 100 training steps on
// MNIST's first 12,800 images, scaled to [0, 1], with integer labels and
// sparse categorical cross-entropy (torch_reference.py --w cnn).
func runW2(ctx context.Context, c *config) error {
	train, _, err := datasets.MNIST(ctx, datasets.Download(false))
	if err != nil {
		return err
	}
	x, err := train.X.Slice(sliceTo(12800))
	if err != nil {
		return err
	}
	y, err := train.Y.Slice(sliceTo(12800))
	if err != nil {
		return err
	}
	xs, err := preprocessing.Rescale(x.(*tensor.Dense), 1.0/255)
	if err != nil {
		return err
	}
	if err := xs.Reshape(12800, 28, 28, 1); err != nil {
		return err
	}
	m := keras.Sequential(
		layers.Conv2D(32, [2]int{3, 3}, layers.Activation("relu"), layers.InputShape(28, 28, 1)),
		layers.Conv2D(64, [2]int{3, 3}, layers.Activation("relu")),
		layers.MaxPooling2D(layers.PoolSize(2, 2)),
		layers.Dropout(0.25),
		layers.Flatten(),
		layers.Dense(128, layers.Activation("relu")),
		layers.Dropout(0.5),
		layers.Dense(10, layers.Activation("softmax")),
	)
	if err := m.SetSeed(1); err != nil {
		return err
	}
	if err := m.Compile(keras.Loss("sparse_categorical_crossentropy"), keras.Optimizer("adam")); err != nil {
		return err
	}
	return timeSteps(ctx, c, "W2", m, xs, y.(*tensor.Dense), 128)
}
