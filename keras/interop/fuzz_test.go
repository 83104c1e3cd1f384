package interop

import (
	"os"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// The fuzz targets feed damaged files to every reader: none may panic,
// hang or allocate beyond what the file holds. Seeds are the fixtures;
// interesting inputs found are kept in testdata/fuzz.

func seed(f *testing.F, paths ...string) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzLoadKeras(f *testing.F) {
	seed(f, "testdata/keras/sequential.keras", "testdata/export/mlp.keras", "testdata/keras/seq_keras3.keras")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = loadBytes(data, t.TempDir(), &loadConfig{compile: true})
	})
}

func FuzzLoadH5(f *testing.F) {
	seed(f, "testdata/keras/keras2_sequential.h5", "testdata/keras/keras2_functional.h5", "testdata/keras/keras2_seq.h5")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = loadBytes(data, t.TempDir(), &loadConfig{compile: true})
	})
}

func FuzzLoadTFJS(f *testing.F) {
	seed(f, "testdata/tfjs/mlp_uint8/model.json", "testdata/tfjs/functional/model.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		// The shards of mlp_uint8: a manifest that declares other sizes
		// must be refused before anything is read.
		_, _ = loadBytes(data, "testdata/tfjs/mlp_uint8", &loadConfig{compile: true})
	})
}

func FuzzModelFromJSON(f *testing.F) {
	f.Add([]byte(`{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "units": 3, "batch_input_shape": [null, 2]}}]}}`))
	f.Add([]byte(`{"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "name": "i"}}, {"module": "keras.layers", "class_name": "Dot", "config": {"name": "d", "axes": [1, 1]}}]}}`))
	f.Add([]byte(`{"class_name": "Sequential", "config": {"name": "s", "layers": [` +
		`{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3], "padding": "same", "groups": 1, "dilation_rate": 2, "batch_input_shape": [null, 6, 6, 2]}}, ` +
		`{"class_name": "DepthwiseConv2D", "config": {"name": "d", "kernel_size": 2, "depth_multiplier": 2, "strides": [2, 2]}}, ` +
		`{"class_name": "BatchNormalization", "config": {"name": "b", "axis": [3], "momentum": 0.9, "center": false}}, ` +
		`{"class_name": "Conv2DTranspose", "config": {"name": "t", "filters": 2, "kernel_size": 3, "strides": 2, "output_padding": [1, 1]}}, ` +
		`{"class_name": "ZeroPadding2D", "config": {"name": "z", "padding": [[1, 0], [0, 1]]}}, ` +
		`{"class_name": "UpSampling2D", "config": {"name": "u", "size": [1, 2], "interpolation": "bilinear"}}, ` +
		`{"class_name": "MaxPooling2D", "config": {"name": "p", "pool_size": [2, 2], "strides": null, "padding": "same"}}, ` +
		`{"class_name": "SpatialDropout2D", "config": {"name": "sd", "rate": 0.2, "seed": 3}}, ` +
		`{"class_name": "GlobalAveragePooling2D", "config": {"name": "g", "keepdims": true}}, ` +
		`{"class_name": "Reshape", "config": {"name": "r", "target_shape": [1, 2]}}, ` +
		`{"class_name": "SeparableConv1D", "config": {"name": "s1", "filters": 2, "kernel_size": 1}}, ` +
		`{"class_name": "Cropping1D", "config": {"name": "cr", "cropping": [0, 0]}}, ` +
		`{"class_name": "LayerNormalization", "config": {"name": "ln", "axis": -1, "epsilon": 0.01}}]}}`))
	// The wrappers and recurrent layers, which read nested layer configs.
	f.Add([]byte(`{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Embedding", "config": {"name": "e", "input_dim": 5, "output_dim": 2, "mask_zero": true, "batch_input_shape": [null, 3]}}, {"class_name": "Bidirectional", "config": {"name": "b", "merge_mode": null, "layer": {"class_name": "GRU", "config": {"name": "g", "units": 2, "reset_after": false, "return_sequences": true}}}}]}, "keras_version": "tfjs-layers 4.22.0"}`))
	f.Add([]byte(`{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "TimeDistributed", "config": {"name": "t", "layer": {"class_name": "Dense", "config": {"name": "d", "units": 2}}, "batch_input_shape": [null, 3, 4]}}, {"class_name": "LSTM", "config": {"name": "l", "units": 2, "recurrent_activation": "hard_sigmoid", "go_backwards": true}}, {"class_name": "RepeatVector", "config": {"name": "r", "n": 2}}, {"class_name": "Permute", "config": {"name": "p", "dims": [2, 1]}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var pe *kerrors.PanicError
		if _, err := ModelFromJSON(data); errors.As(err, &pe) {
			t.Fatalf("panic: %+v", err)
		}
	})
}
