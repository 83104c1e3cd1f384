package interop_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/layers"
)

// ExampleLoadModel loads a Keras 3 .keras archive (here one of the test
// fixtures) and predicts with it.
func ExampleLoadModel() {
	m, err := interop.LoadModel("testdata/keras/sequential.keras")
	if err != nil {
		fmt.Println(err)
		return
	}
	shape, _ := m.InputShape()
	fmt.Println(m.ClassName(), m.Name(), shape, len(m.Layers()), "layers")
	x := tensor.New(tensor.WithShape(2, 13), tensor.Of(tensor.Float32))
	y, err := m.Predict(context.Background(), x, keras.Verbose(0))
	fmt.Println(y.Shape(), err)
	// Output:
	// Sequential sequential [13] 4 layers
	// (2, 1) <nil>
}

// ExampleSaveKeras writes a gokeras model as a .keras archive that Keras 3
// loads with keras.saving.load_model, and reads it back.
func ExampleSaveKeras() {
	dir, err := os.MkdirTemp("", "interop")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	m := keras.Sequential(layers.Dense(4, layers.Activation("relu"), layers.InputShape(3)), layers.Dense(1))
	path := filepath.Join(dir, "model.keras")
	if err := interop.SaveKeras(m, path); err != nil {
		fmt.Println(err)
		return
	}
	f, _ := interop.Detect(path)
	back, err := interop.LoadModel(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _ := back.CountParams()
	fmt.Println(f, n)
	// Output:
	// Keras 3 .keras archive 21
}

// ExampleSaveTFJS writes a model for TensorFlow.js (tf.loadLayersModel).
func ExampleSaveTFJS() {
	dir, err := os.MkdirTemp("", "interop")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	m := keras.Sequential(layers.Dense(2, layers.Activation("softmax"), layers.InputShape(3)))
	if err := interop.SaveTFJS(m, filepath.Join(dir, "web")); err != nil {
		fmt.Println(err)
		return
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "web"))
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// group1-shard1of1.bin
	// model.json
}

// ExampleRegisterConverter shows the error for a layer class gokeras has
// no converter for, and the classes it has.
func ExampleRegisterConverter() {
	cfg := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
		{"class_name": "AlphaDropout", "config": {"name": "noise", "rate": 0.1, "batch_input_shape": [null, 4]}}]}}`
	_, err := interop.ModelFromJSON([]byte(cfg))
	fmt.Println(err != nil)
	fmt.Println(interop.ConverterClasses())
	// Output:
	// true
	// [Activation Add Average AveragePooling1D AveragePooling2D AvgPool1D AvgPool2D BatchNormalization Bidirectional Concatenate Conv1D Conv1DTranspose Conv2D Conv2DTranspose Convolution1D Convolution1DTranspose Convolution2D Convolution2DTranspose Cropping1D Cropping2D Dense DepthwiseConv1D DepthwiseConv2D Dot Dropout Embedding Flatten GRU GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D GlobalAvgPool1D GlobalAvgPool2D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPooling1D GlobalMaxPooling2D InputLayer LSTM LayerNormalization Masking MaxPool1D MaxPool2D MaxPooling1D MaxPooling2D Maximum Minimum Multiply Permute RepeatVector Reshape SeparableConv1D SeparableConv2D SeparableConvolution1D SeparableConvolution2D SimpleRNN SpatialDropout1D SpatialDropout2D Subtract TimeDistributed UpSampling1D UpSampling2D ZeroPadding1D ZeroPadding2D]
}
