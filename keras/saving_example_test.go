package keras_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
)

// exampleModel returns a small compiled regression model and its data.
func exampleModel() (*keras.Model, *tensor.Dense, *tensor.Dense) {
	model := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)),
		layers.Dropout(0.2),
		layers.Dense(1),
	)
	if err := model.SetSeed(42); err != nil {
		log.Fatal(err)
	}
	if err := model.Compile(keras.Loss("mse"), keras.Optimizer("adam"), keras.Metrics("mae")); err != nil {
		log.Fatal(err)
	}
	x, y := regression(64, 1)
	return model, x, y
}

// Save a trained model, load it elsewhere, predict identically, and
// resume training where it stopped.
func ExampleModel_Save() {
	ctx := context.Background()
	model, x, y := exampleModel()
	if _, err := model.Fit(ctx, x, y, keras.Epochs(3), keras.Verbose(0)); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.gokeras")
	if err := model.Save(path); err != nil {
		log.Fatal(err)
	}

	loaded, err := keras.LoadModel(path)
	if err != nil {
		log.Fatal(err)
	}
	a, _ := model.Predict(ctx, x, keras.Verbose(0))
	b, _ := loaded.Predict(ctx, x, keras.Verbose(0))
	fmt.Println("same predictions:", fmt.Sprint(a.Data()) == fmt.Sprint(b.Data()))
	fmt.Println("optimizer:", loaded.Optimizer().Name(), "after", loaded.Optimizer().Iterations(), "steps")

	// Epochs 4 and 5, exactly as if training had never stopped.
	if _, err := loaded.Fit(ctx, x, y, keras.Epochs(5), keras.InitialEpoch(3), keras.Verbose(0)); err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", loaded.Optimizer().Iterations())
	// Output:
	// same predictions: true
	// optimizer: adam after 6 steps
	// steps: 10
}

// LoadModel reads what Save wrote: architecture, weights, compile
// configuration and training state.
func ExampleLoadModel() {
	model, _, _ := exampleModel()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.gokeras")
	if err := model.Save(path); err != nil {
		log.Fatal(err)
	}
	loaded, err := keras.LoadModel(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range loaded.Layers() {
		fmt.Println(l.Name(), l.ClassName())
	}
	fmt.Println("seed:", loaded.Seed(), "loss:", loaded.LossFunction().Name(), "metrics:", loaded.MetricNames())

	// A file that is not a saved model gives an error, never a panic.
	bad := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(bad, []byte("not a model"), 0o644)
	_, err = keras.LoadModel(bad)
	fmt.Println(err != nil)
	// Output:
	// dense Dense
	// dropout Dropout
	// dense_1 Dense
	// seed: 42 loss: mean_squared_error metrics: [mae]
	// true
}

// SaveWeights keeps only the weights; LoadWeights puts them into a model
// of the same architecture, here one that computes in float64.
func ExampleModel_SaveWeights() {
	ctx := context.Background()
	model, x, y := exampleModel()
	if _, err := model.Fit(ctx, x, y, keras.Epochs(2), keras.Verbose(0)); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "weights.gokeras")
	if err := model.SaveWeights(path); err != nil {
		log.Fatal(err)
	}

	serving := keras.Sequential(
		layers.Dense(8, layers.Activation("relu"), layers.InputShape(3)),
		layers.Dropout(0.2),
		layers.Dense(1),
	)
	_ = serving.SetDtype(tensor.Float64)
	if err := serving.LoadWeights(path); err != nil {
		log.Fatal(err)
	}
	a, _ := model.Predict(ctx, x, keras.Verbose(0))
	b, _ := serving.Predict(ctx, x, keras.Verbose(0))
	fmt.Printf("float32 %.4f, float64 %.4f\n", a.Data().([]float32)[0], b.Data().([]float64)[0])

	// Weights of another architecture are refused, and the model keeps
	// its own.
	wider := keras.Sequential(layers.Dense(9, layers.InputShape(3)), layers.Dense(1))
	err := wider.LoadWeights(path)
	fmt.Println(err != nil)
	// Output:
	// float32 -0.6496, float64 -0.6496
	// true
}

// ToJSON gives the architecture alone; ModelFromJSON rebuilds it (with the
// same seed, so the same initial weights), uncompiled.
func ExampleModel_ToJSON() {
	model := keras.Sequential(
		layers.Dense(4, layers.Activation("relu"), layers.InputShape(2)),
		layers.Dense(1, layers.Name("out")),
	)
	_ = model.SetSeed(7)
	data, err := model.ToJSON()
	if err != nil {
		log.Fatal(err)
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, data, "", " ")
	fmt.Println(pretty.String())

	again, err := keras.ModelFromJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.Layers()[1].Name(), again.Seed())
	// Output:
	// {
	//  "format": "gokeras",
	//  "format_version": 2,
	//  "gokeras_version": "0.1.0-dev",
	//  "class_name": "Sequential",
	//  "config": {
	//   "name": "sequential",
	//   "seed": 7,
	//   "dtype": "float32",
	//   "layers": [
	//    {
	//     "class_name": "Dense",
	//     "config": {
	//      "name": "dense",
	//      "input_shape": [
	//       2
	//      ],
	//      "units": 4,
	//      "activation": {
	//       "name": "relu"
	//      },
	//      "use_bias": true,
	//      "kernel_initializer": {
	//       "name": "glorot_uniform"
	//      },
	//      "bias_initializer": {
	//       "name": "zeros"
	//      }
	//     }
	//    },
	//    {
	//     "class_name": "Dense",
	//     "config": {
	//      "name": "out",
	//      "units": 1,
	//      "activation": {
	//       "name": "linear"
	//      },
	//      "use_bias": true,
	//      "kernel_initializer": {
	//       "name": "glorot_uniform"
	//      },
	//      "bias_initializer": {
	//       "name": "zeros"
	//      }
	//     }
	//    }
	//   ]
	//  }
	// }
	// out 7
}

// ModelFromJSON builds a model from its JSON description, here written by
// hand in the form ToJSON gives.
func ExampleModelFromJSON() {
	model, err := keras.ModelFromJSON([]byte(`{
	  "format": "gokeras", "format_version": 1, "class_name": "Sequential",
	  "config": {"name": "tiny", "seed": 1, "dtype": "float64", "layers": [
	    {"class_name": "InputLayer", "config": {"name": "in", "input_shape": [28, 28]}},
	    {"class_name": "Flatten", "config": {"name": "flat"}},
	    {"class_name": "Dense", "config": {"name": "probs", "units": 10, "use_bias": true,
	      "activation": {"name": "softmax"},
	      "kernel_initializer": {"name": "glorot_uniform"}, "bias_initializer": {"name": "zeros"}}}
	  ]}}`))
	if err != nil {
		log.Fatal(err)
	}
	out, _ := model.OutputShape()
	fmt.Println(model.Name(), model.Dtype(), out)
	// Output:
	// tiny float64 [10]
}
