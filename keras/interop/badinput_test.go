package interop_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/interop"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/layers"
)

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rezip copies a .keras archive, replacing members.
func rezip(t *testing.T, src string, replace map[string][]byte) []byte {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		data := replace[f.Name]
		if data == nil {
			rc, _ := f.Open()
			data, _ = io.ReadAll(rc)
			rc.Close()
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		w.Write(data)
	}
	zw.Close()
	return buf.Bytes()
}

func member(t *testing.T, src, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return b
		}
	}
	t.Fatalf("no %s", name)
	return nil
}

// TestBadInput checks that broken files give errors naming the file and
// the problem.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	seqKeras := "testdata/keras/sequential.keras"
	config := member(t, seqKeras, "config.json")
	withClass := bytes.Replace(config, []byte(`"class_name": "Dropout"`), []byte(`"class_name": "AlphaDropout"`), 1)
	withKey := bytes.Replace(config, []byte(`"noise_shape": null`), []byte(`"noise_shape": [1, 16]`), 1)
	wrongUnits := bytes.Replace(config, []byte(`"units": 16`), []byte(`"units": 17`), 1)
	hugeUnits := bytes.Replace(config, []byte(`"units": 16`), []byte(`"units": 1000000000`), 1)
	weights := member(t, seqKeras, "model.weights.h5")
	gokerasFile := filepath.Join(dir, "model.gokeras")
	m := keras.Sequential(layers.Dense(2, layers.InputShape(3)))
	if err := m.Save(gokerasFile); err != nil {
		t.Fatal(err)
	}
	tfjsJSON := mustRead(t, "testdata/tfjs/mlp/model.json")
	var mj map[string]any
	if err := json.Unmarshal(tfjsJSON, &mj); err != nil {
		t.Fatal(err)
	}
	huge := strings.Replace(string(tfjsJSON), `"shape":[4,8]`, `"shape":[1048576,1048576]`, 1)
	for _, c := range []struct {
		name string
		path string
		want []string
	}{
		{"text file", write(t, dir, "notes.txt", []byte("hello")), []string{"notes.txt", "not a model file"}},
		{"empty", write(t, dir, "empty.keras", nil), []string{"empty.keras", "not a model file"}},
		{"gokeras file", gokerasFile, []string{"keras.LoadModel"}},
		{"truncated archive", write(t, dir, "trunc.keras", mustRead(t, seqKeras)[:2000]), []string{"trunc.keras", "cannot be read"}},
		{"corrupt weights", write(t, dir, "corrupt.keras", rezip(t, seqKeras, map[string][]byte{"model.weights.h5": weights[:len(weights)/3]})), []string{"corrupt.keras", "model.weights.h5"}},
		{"unknown class", write(t, dir, "class.keras", rezip(t, seqKeras, map[string][]byte{"config.json": withClass})), []string{"AlphaDropout", "interop.RegisterConverter", "layers.Register"}},
		{"unsupported key", write(t, dir, "key.keras", rezip(t, seqKeras, map[string][]byte{"config.json": withKey})), []string{"noise_shape"}},
		{"shape mismatch", write(t, dir, "shape.keras", rezip(t, seqKeras, map[string][]byte{"config.json": wrongUnits})), []string{"shape.keras", "shape"}},
		{"huge config", write(t, dir, "huge.keras", rezip(t, seqKeras, map[string][]byte{"config.json": hugeUnits})), []string{"huge.keras"}},
		{"weights only", "testdata/keras/sequential.weights.h5", []string{"interop.LoadWeights"}},
		{"hdf5 without Keras layout", "../internal/hdf5/testdata/unsupported.h5", []string{"unsupported.h5", "without a Keras layout"}},
		{"tfjs huge manifest", write(t, dir, "huge_tfjs/model.json", []byte(huge)), []string{"model.json", "declares"}},
		{"tfjs missing shard", write(t, dir, "noshard/model.json", tfjsJSON), []string{"group1-shard1of3.bin"}},
		{"graph model", write(t, dir, "graph/model.json", []byte(`{"format": "graph-model", "modelTopology": {}}`)), []string{"graph-model"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := interop.LoadModel(c.path)
			wantError(t, err, c.want...)
		})
	}
	t.Run("unknown class is an UnknownNameError", func(t *testing.T) {
		_, err := interop.LoadModel(filepath.Join(dir, "class.keras"))
		var u *kerrors.UnknownNameError
		if !errors.As(err, &u) || u.Name != "AlphaDropout" {
			t.Fatalf("err = %v, want an UnknownNameError for AlphaDropout", err)
		}
	})
}

// TestLoadWeightsUntouched: a file that does not fit leaves the model's
// weights as they were.
func TestLoadWeightsUntouched(t *testing.T) {
	m := keras.Sequential(
		layers.Dense(16, layers.Activation("relu"), layers.InputShape(13)),
		layers.Dropout(0.2),
		layers.Dense(8, layers.Activation("tanh")),
		layers.Dense(2)) // the file's last layer has 1 unit
	if err := m.SetSeed(1); err != nil {
		t.Fatal(err)
	}
	before, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	err = interop.LoadWeights(m, "testdata/keras/sequential.weights.h5")
	if err == nil || !strings.Contains(err.Error(), "dense_2") || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("err = %v, want a shape error naming dense_2", err)
	}
	unchangedWeights(t, m, before)
}

// TestKeras2HardSigmoid: Keras 2 and tfjs files get 0.2x + 0.5.
func TestKeras2HardSigmoid(t *testing.T) {
	cfg := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
		{"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": "hard_sigmoid", "use_bias": false,
		 "kernel_initializer": {"class_name": "Ones", "config": {}}, "batch_input_shape": [null, 1]}}]}}`
	m, err := interop.ModelFromJSON([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	got := predictAll(t, m, []array{{Shape: []int{3, 1}, Data: []float64{-1, 0.5, 3}}})
	want := []float64{0.3, 0.6, 1}
	for i, v := range toFloats(got[0]) {
		if math.Abs(v-want[i]) > 1e-6 {
			t.Errorf("hard_sigmoid(%d) = %v, want %v", i, v, want[i])
		}
	}
	if err := interop.SaveKeras(m, filepath.Join(t.TempDir(), "x.keras")); err == nil || !strings.Contains(err.Error(), "Keras 3") {
		t.Errorf("saving Keras 2's hard sigmoid to Keras 3: err = %v", err)
	}
}

// TestUnsupportedHDF5Feature: a weights file using an HDF5 filter outside
// the supported set names the dataset and the filter.
func TestUnsupportedHDF5Feature(t *testing.T) {
	m := keras.Sequential(layers.Dense(2, layers.InputShape(3)))
	err := interop.LoadWeights(m, "testdata/keras/lzf.weights.h5")
	if err == nil || !strings.Contains(err.Error(), "lzf.weights.h5") || !strings.Contains(err.Error(), "layers/dense/vars/0") || !strings.Contains(err.Error(), "filter") {
		t.Fatalf("err = %v, want one naming the file, the dataset and the filter", err)
	}
	t.Log(err)
}

// TestCorruptedStoredMember: a flipped byte inside the stored weights
// member fails the CRC check instead of loading a wrong weight.
func TestCorruptedStoredMember(t *testing.T) {
	data := mustRead(t, "testdata/keras/sequential.keras")
	h5 := member(t, "testdata/keras/sequential.keras", "model.weights.h5")
	at := bytes.Index(data, h5[:64]) + len(h5) - 200
	data[at] ^= 0x40
	p := write(t, t.TempDir(), "flipped.keras", data)
	_, err := interop.LoadModel(p)
	if err == nil || !strings.Contains(err.Error(), "CRC") {
		t.Fatalf("err = %v, want a CRC error", err)
	}
}

// TestBadLayerConfigs: a setting the converters of the convolution,
// pooling, spatial, normalization and noise layers cannot honour is an
// error naming the layer and the key.
func TestBadLayerConfigs(t *testing.T) {
	for _, c := range []struct {
		name, layer string
		want        []string
	}{
		{"channels_first", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3], "data_format": "channels_first", "batch_input_shape": [null, 3, 8, 8]}}`,
			[]string{"layer c (Conv2D)", "data_format", "channels_first"}},
		{"groups", `{"class_name": "Conv2DTranspose", "config": {"name": "t", "filters": 2, "kernel_size": 3, "groups": 2, "batch_input_shape": [null, 8, 8, 4]}}`,
			[]string{"layer t (Conv2DTranspose)", "groups"}},
		{"depthwise groups", `{"class_name": "DepthwiseConv2D", "config": {"name": "d", "kernel_size": 3, "groups": 2, "batch_input_shape": [null, 8, 8, 4]}}`,
			[]string{"layer d (DepthwiseConv2D)", "groups"}},
		{"unknown padding", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "padding": "full", "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer c (Conv2D)", "padding", "full"}},
		{"causal Conv2D", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "padding": "causal", "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer c (Conv2D)", "padding", "causal"}},
		{"pooling padding", `{"class_name": "MaxPooling2D", "config": {"name": "p", "padding": "reflect", "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer p (MaxPooling2D)", "padding", "reflect"}},
		{"kernel_size count", `{"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3], "batch_input_shape": [null, 8, 1]}}`,
			[]string{"layer c (Conv1D)", "kernel_size"}},
		{"no kernel_size", `{"class_name": "SeparableConv2D", "config": {"name": "s", "filters": 2, "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer s (SeparableConv2D)", "kernel_size"}},
		{"dilated strides", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2, "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"c", "Conv2D", "dilation_rate"}},
		{"lora", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "lora_rank": 4, "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer c (Conv2D)", "lora_rank"}},
		{"unknown key", `{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "fancy": 1, "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer c (Conv2D)", "fancy"}},
		{"interpolation", `{"class_name": "UpSampling2D", "config": {"name": "u", "interpolation": "bicubic", "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer u (UpSampling2D)", "interpolation", "bicubic"}},
		{"cropping", `{"class_name": "Cropping2D", "config": {"name": "c", "cropping": [[1, 2, 3], [0, 0]], "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer c (Cropping2D)", "cropping"}},
		{"global pooling channels_first", `{"class_name": "GlobalAveragePooling2D", "config": {"name": "g", "data_format": "channels_first", "batch_input_shape": [null, 1, 8, 8]}}`,
			[]string{"layer g (GlobalAveragePooling2D)", "data_format"}},
		{"renorm", `{"class_name": "BatchNormalization", "config": {"name": "b", "renorm": true, "renorm_momentum": 0.9, "batch_input_shape": [null, 4]}}`,
			[]string{"layer b (BatchNormalization)", "renorm"}},
		{"axis", `{"class_name": "BatchNormalization", "config": {"name": "b", "axis": 1, "batch_input_shape": [null, 4, 4, 2]}}`,
			[]string{"BatchNormalization b", "axis"}},
		{"two axes", `{"class_name": "LayerNormalization", "config": {"name": "n", "axis": [1, 2], "batch_input_shape": [null, 4, 2]}}`,
			[]string{"layer n (LayerNormalization)", "axis"}},
		{"rms_scaling", `{"class_name": "LayerNormalization", "config": {"name": "n", "rms_scaling": true, "batch_input_shape": [null, 4]}}`,
			[]string{"layer n (LayerNormalization)", "rms_scaling"}},
		{"noise_shape", `{"class_name": "SpatialDropout1D", "config": {"name": "s", "rate": 0.5, "noise_shape": [null, 1, 4], "batch_input_shape": [null, 3, 4]}}`,
			[]string{"layer s (SpatialDropout1D)", "noise_shape"}},
		{"no stddev", `{"class_name": "GaussianNoise", "config": {"name": "g", "batch_input_shape": [null, 4]}}`,
			[]string{"layer g (GaussianNoise)", "stddev"}},
		// TensorFlow.js files (tfjs = true below).
		{"tfjs dilated depthwise", `{"class_name": "DepthwiseConv2D", "config": {"name": "d", "kernel_size": [3, 3], "dilation_rate": [2, 2], "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer d (DepthwiseConv2D)", "dilation_rate"}},
		{"tfjs bilinear", `{"class_name": "UpSampling2D", "config": {"name": "u", "size": [2, 2], "interpolation": "bilinear", "batch_input_shape": [null, 8, 8, 1]}}`,
			[]string{"layer u (UpSampling2D)", "interpolation", "bilinear"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + c.layer + `]}}`
			if strings.HasPrefix(c.name, "tfjs ") {
				cfg = `{"class_name": "Sequential", "keras_version": "tfjs-layers 4.22.0", "config": {"name": "s", "layers": [` + c.layer + `]}}`
			}
			_, err := interop.ModelFromJSON([]byte(cfg))
			wantError(t, err, c.want...)
		})
	}
}

// TestWrongKernelShape: a convolution kernel of another shape than the
// layer's is an error naming the layer and the weight, in Keras weights
// files and TensorFlow.js manifests, and the model keeps its weights.
func TestWrongKernelShape(t *testing.T) {
	dir := t.TempDir()
	build := func(k int) *keras.Model {
		m := keras.Sequential(layers.Conv2D(3, [2]int{k, k}, layers.InputShape(6, 6, 2), layers.Padding("same"), layers.Name("conv")),
			layers.BatchNormalization(layers.Name("bn")), layers.GlobalAveragePooling2D(), layers.Dense(1))
		if err := m.SetSeed(int64(k)); err != nil {
			t.Fatal(err)
		}
		if err := m.Build(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	path := filepath.Join(dir, "conv.weights.h5")
	if err := interop.SaveKerasWeights(build(3), path); err != nil {
		t.Fatal(err)
	}
	m := build(2)
	before, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	err = interop.LoadWeights(m, path)
	if err == nil || !strings.Contains(err.Error(), "layer conv") || !strings.Contains(err.Error(), "kernel") || !strings.Contains(err.Error(), "[3 3 2 3]") {
		t.Fatalf("err = %v, want a shape error naming conv's kernel", err)
	}
	unchangedWeights(t, m, before)
	// The same number of values in another layout: the manifest's shape
	// is checked against the layer's, not only the byte count.
	manifest := strings.Replace(string(mustRead(t, "testdata/tfjs/cnn/model.json")), `"name":"conv2d_Conv2D1/kernel","shape":[3,3,1,4]`, `"name":"conv2d_Conv2D1/kernel","shape":[3,3,4,1]`, 1)
	tdir := filepath.Join(dir, "cnn")
	write(t, tdir, "model.json", []byte(manifest))
	write(t, tdir, "group1-shard1of1.bin", mustRead(t, "testdata/tfjs/cnn/group1-shard1of1.bin"))
	_, err = interop.LoadModel(tdir)
	if err == nil || !strings.Contains(err.Error(), "conv2d_Conv2D1") || !strings.Contains(err.Error(), "kernel") || !strings.Contains(err.Error(), "[3 3 4 1]") {
		t.Fatalf("err = %v, want a shape error naming conv2d_Conv2D1's kernel", err)
	}
}

// TestBadSequenceConfigs: settings the sequence converters do not support,
// wrappers without a layer and weights that do not fit give errors naming
// the layer and the key.
func TestBadSequenceConfigs(t *testing.T) {
	// seq wraps layer configs (Keras 2 form) in a Sequential model on
	// (batch, 4, 3) inputs.
	seq := func(layer string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [null, 4, 3]}}, ` + layer + `]}}`
	}
	lstm := func(name, extra string) string {
		return `{"class_name": "LSTM", "config": {"name": "` + name + `", "units": 2` + extra + `}}`
	}
	deep := `{"class_name": "Dense", "config": {"name": "d", "units": 1}}`
	for i := 0; i < 40; i++ {
		deep = `{"class_name": "TimeDistributed", "config": {"name": "td` + strings.Repeat("x", i) + `", "layer": ` + deep + `}}`
	}
	for _, c := range []struct {
		name, json string
		want       []string
	}{
		{"stateful", seq(lstm("l", `, "stateful": true`)), []string{"layer l (LSTM)", "stateful"}},
		{"time_major", seq(lstm("l", `, "time_major": true`)), []string{"layer l", "time_major"}},
		{"implementation", seq(lstm("l", `, "implementation": 3`)), []string{"layer l", "implementation", "3"}},
		{"unknown key", seq(lstm("l", `, "go_sideways": true`)), []string{"go_sideways", "LSTM"}},
		{"bad activation", seq(lstm("l", `, "recurrent_activation": "softmax"`)), []string{"l", "recurrent_activation", "softmax"}},
		{"units", seq(lstm("l", `, "units": 0`)), []string{"l", "units"}},
		{"bidirectional without layer", seq(`{"class_name": "Bidirectional", "config": {"name": "bi", "merge_mode": "concat"}}`),
			[]string{"layer bi (Bidirectional)", "config key layer", "no layer"}},
		{"bidirectional of dense", seq(`{"class_name": "Bidirectional", "config": {"name": "bi", "layer": {"class_name": "Dense", "config": {"name": "d", "units": 2}}}}`),
			[]string{"layer bi", "config key layer", "SimpleRNN, LSTM or GRU", "Dense"}},
		{"bidirectional nested stateful", seq(`{"class_name": "Bidirectional", "config": {"name": "bi", "layer": ` + lstm("inner", `, "stateful": true`) + `}}`),
			[]string{"layer bi", "config key layer", "inner", "stateful"}},
		{"bidirectional merge mode", seq(`{"class_name": "Bidirectional", "config": {"name": "bi", "merge_mode": "max", "layer": ` + lstm("inner", "") + `}}`),
			[]string{"bi", "merge_mode", "max"}},
		{"bidirectional same direction", seq(`{"class_name": "Bidirectional", "config": {"name": "bi", "layer": ` + lstm("inner", "") +
			`, "backward_layer": ` + lstm("back", "") + `}}`), []string{"bi", "backward_layer", "go_backwards"}},
		{"time distributed without layer", seq(`{"class_name": "TimeDistributed", "config": {"name": "td"}}`),
			[]string{"layer td (TimeDistributed)", "config key layer"}},
		{"time distributed unknown class", seq(`{"class_name": "TimeDistributed", "config": {"name": "td", "layer": {"class_name": "Wobble", "config": {}}}}`),
			[]string{"layer td", "config key layer", "Wobble", "interop.RegisterConverter"}},
		{"wrapped too deep", seq(deep), []string{"wrapped more than"}},
		{"embedding lora", `{"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
			{"module": "keras.layers", "class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 4]}},
			{"module": "keras.layers", "class_name": "Embedding", "config": {"name": "e", "input_dim": 5, "output_dim": 2, "lora_rank": 4}}]}}`,
			[]string{"layer e (Embedding)", "lora_rank"}},
		{"embedding without sizes", seq(`{"class_name": "Embedding", "config": {"name": "e"}}`), []string{"e", "input_dim"}},
		{"permute without dims", seq(`{"class_name": "Permute", "config": {"name": "p"}}`), []string{"p", "dims"}},
		{"repeat vector without n", `{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "RepeatVector", "config": {"name": "r", "batch_input_shape": [null, 3]}}]}}`, []string{"r", "n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := interop.ModelFromJSON([]byte(c.json))
			wantError(t, err, c.want...)
		})
	}
}

// TestBadSequenceWeights: sequence weights that do not fit the model name
// the layer and the weight, and leave the model as it was.
func TestBadSequenceWeights(t *testing.T) {
	dir := t.TempDir()
	src := keras.Sequential(
		layers.Bidirectional(layers.LSTM(4, layers.ReturnSequences(true)), layers.InputShape(5, 3), layers.Name("bi")),
		layers.GRU(2, layers.Name("g"), layers.ResetAfter(false)))
	if err := src.Build(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "src.weights.h5")
	if err := interop.SaveKerasWeights(src, path); err != nil {
		t.Fatal(err)
	}
	tfjsDir := filepath.Join(dir, "tfjs")
	if err := interop.SaveTFJS(src, tfjsDir); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		model *keras.Model
		want  []string
	}{
		{"units", keras.Sequential(
			layers.Bidirectional(layers.LSTM(5, layers.ReturnSequences(true)), layers.InputShape(5, 3), layers.Name("bi")),
			layers.GRU(2, layers.Name("g"), layers.ResetAfter(false))), []string{"bi", "forward_lstm/kernel", "shape"}},
		{"reset_after", keras.Sequential(
			layers.Bidirectional(layers.LSTM(4, layers.ReturnSequences(true)), layers.InputShape(5, 3), layers.Name("bi")),
			layers.GRU(2, layers.Name("g"))), []string{"layer g", "bias", "shape"}},
		{"cell", keras.Sequential(
			layers.Bidirectional(layers.GRU(4, layers.ReturnSequences(true), layers.ResetAfter(false)), layers.InputShape(5, 3), layers.Name("bi")),
			layers.GRU(2, layers.Name("g"), layers.ResetAfter(false))), []string{"bi", "forward_gru/kernel"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.model.Build(); err != nil {
				t.Fatal(err)
			}
			before, _ := c.model.GetWeights()
			for _, p := range []string{path, tfjsDir} {
				err := interop.LoadWeights(c.model, p)
				wantError(t, fmt.Errorf("%s: %w", p, err), c.want...)
			}
			unchangedWeights(t, c.model, before)
		})
	}
}

// TestUnwritableSequence: settings a dialect cannot hold fail the save,
// naming the layer and the setting.
func TestUnwritableSequence(t *testing.T) {
	dir := t.TempDir()
	build := func(ls ...layers.Layer) *keras.Model {
		m := keras.Sequential(ls...)
		if err := m.Build(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, c := range []struct {
		name  string
		model *keras.Model
		tfjs  bool
		want  []string
	}{
		{"reset_after to tfjs", build(layers.GRU(2, layers.InputShape(4, 3), layers.Name("g"))), true, []string{"layer g (GRU)", "reset_after"}},
		{"backward layer to tfjs", build(layers.Bidirectional(layers.LSTM(2), layers.InputShape(4, 3), layers.Name("bi"),
			layers.BackwardLayer(layers.LSTM(2, layers.GoBackwards(true), layers.Activation("relu"))))), true, []string{"layer bi", "backward_layer"}},
		{"zero output to tfjs", build(layers.LSTM(2, layers.InputShape(4, 3), layers.Name("l"), layers.ZeroOutputForMask(true))), true,
			[]string{"layer l", "zero_output_for_mask"}},
		{"keras2 hard sigmoid to keras 3", build(layers.LSTM(2, layers.InputShape(4, 3), layers.Name("l"), layers.RecurrentActivation("keras2_hard_sigmoid"))), false,
			[]string{"layer l (LSTM)", "recurrent_activation", "Keras 3"}},
		{"keras3 hard sigmoid to tfjs", build(layers.LSTM(2, layers.InputShape(4, 3), layers.Name("l"), layers.RecurrentActivation("hard_sigmoid"))), true,
			[]string{"layer l (LSTM)", "recurrent_activation", "TensorFlow.js"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.tfjs {
				err = interop.SaveTFJS(c.model, filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")))
			} else {
				err = interop.SaveKeras(c.model, filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".keras"))
			}
			wantError(t, err, c.want...)
		})
	}
}

// wantError fails the test unless err is an error whose message mentions
// every one of want.
func wantError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// unchangedWeights fails the test unless m's weights are still before,
// bit for bit.
func unchangedWeights(t *testing.T, m *keras.Model, before []*tensor.Dense) {
	t.Helper()
	after, err := m.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	for i := range before {
		a, b := toFloats(before[i]), toFloats(after[i])
		for j := range a {
			if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
				t.Fatalf("weight %d changed", i)
			}
		}
	}
}
