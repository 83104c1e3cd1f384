package interop_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/interop"
)

var update = flag.Bool("update", false, "rewrite testdata/export (then run testdata/export/read_export.py and testdata/tfjs/check_export.js)")

// exportModels are the models whose exports are committed under
// testdata/export, for Keras (read back with h5py) and TensorFlow.js
// (loaded by tfjs in node) to check.
func exportModels(t *testing.T) map[string]struct {
	m  *keras.Model
	xs []array
} {
	mlp := trained(t, "mlp", func() *keras.Model { return testMLP(t, 11) })
	images := trained(t, "images", func() *keras.Model { m, _ := layerModels[0].build(t); return m })
	towers := testFunctional(t, false)
	text := testSequence(t)
	masked := testMasking(t)
	x, _ := data(21, 4, 5, 3)
	a, _ := data(22, 3, 4, 2)
	b, _ := data(23, 3, 3, 2)
	arr := func(d *tensor.Dense) array {
		return array{Shape: d.Shape(), Data: toFloats(d)}
	}
	return map[string]struct {
		m  *keras.Model
		xs []array
	}{
		"mlp":    {mlp, []array{arr(x)}},
		"images": {images, []array{arr(samples(4, 3, layerModels[0].in))}},
		"towers": {towers, []array{arr(a), arr(b)}},
		"text":   {text, []array{arr(indices(24, 4, 7, 20))}},
		"masked": {masked, []array{arr(sequences(25, 4, 5, 3))}},
	}
}

// exportNames are exportModels's names, in the order TestExport writes
// them.
var exportNames = []string{"images", "masked", "mlp", "text", "towers"}

// trained returns the model build makes after its training, read from
// the committed testdata/export/<name>.gokeras (weights and optimizer
// state). Training again would not do: the last bits of the trained
// weights depend on the CPU's GEMM kernel (AVX-512, AVX2 or generic), and
// the exports are compared byte for byte. With -update it trains the
// model and rewrites the file.
func trained(t *testing.T, name string, build func() *keras.Model) *keras.Model {
	t.Helper()
	path := filepath.Join("testdata", "export", name+".gokeras")
	if *update {
		m := build()
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m, err := keras.LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestExport writes the committed exports again and compares them byte
// for byte (the writers are deterministic), then checks what h5py read
// from the .keras files (export/layout.json, made by read_export.py) and
// what TensorFlow.js predicted from the tfjs exports (export/tfjs.json,
// made by check_export.js).
func TestExport(t *testing.T) {
	dir := t.TempDir()
	if *update {
		dir = filepath.Join("testdata", "export")
	}
	date := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	preds := map[string]reference{}
	names := exportNames
	models := exportModels(t)
	for _, name := range names {
		e := models[name]
		if err := interop.SaveKeras(e.m, filepath.Join(dir, name+".keras"), interop.SavedAt(date)); err != nil {
			t.Fatal(err)
		}
		var topts []interop.TFJSOption
		if name == "towers" {
			// Its loss weights have no TensorFlow.js form.
			topts = append(topts, interop.TFJSWithoutTrainingConfig())
		}
		if err := interop.SaveTFJS(e.m, filepath.Join(dir, name+"_tfjs"), topts...); err != nil {
			t.Fatal(err)
		}
		var outs []array
		for _, o := range predictAll(t, e.m, e.xs) {
			outs = append(outs, array{Shape: o.Shape(), Data: toFloats(o)})
		}
		preds[name] = reference{Inputs: e.xs, Outputs: outs}
	}
	pj, err := json.MarshalIndent(preds, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join(dir, "gokeras.json"), append(pj, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("rewrote testdata/export; run read_export.py and check_export.js")
	}
	for _, name := range names {
		for _, f := range []string{name + ".keras", name + "_tfjs/model.json", name + "_tfjs/group1-shard1of1.bin"} {
			got, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "export", f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the committed export (run go test -run TestExport -update, then the scripts)", f)
			}
		}
	}

	// What h5py saw in the committed .keras files.
	var layout map[string]struct {
		Metadata map[string]string `json:"metadata"`
		Members  []string          `json:"members"`
		Datasets map[string]struct {
			Shape []int  `json:"shape"`
			Dtype string `json:"dtype"`
		} `json:"datasets"`
		Groups map[string]map[string]string `json:"groups"`
		Config struct {
			ClassName string   `json:"class_name"`
			Layers    []string `json:"layers"`
		} `json:"config"`
	}
	readJSON(t, "testdata/export/layout.json", &layout)
	mlp := layout["mlp.keras"]
	if got := mlp.Members; len(got) != 3 || got[0] != "metadata.json" || got[1] != "config.json" || got[2] != "model.weights.h5" {
		t.Errorf("members %v", got)
	}
	if mlp.Metadata["keras_version"] == "" || mlp.Metadata["date_saved"] != "2025-06-01@12:00:00" {
		t.Errorf("metadata %v", mlp.Metadata)
	}
	for path, want := range map[string]struct {
		shape []int
		dtype string
	}{
		"layers/dense/vars/0":   {[]int{5, 8}, "float32"},
		"layers/dense/vars/1":   {[]int{8}, "float32"},
		"layers/dense_1/vars/0": {[]int{8, 6}, "float32"},
		"layers/dense_2/vars/1": {[]int{3}, "float32"},
		"optimizer/vars/0":      {[]int{}, "int64"},
		"optimizer/vars/1":      {[]int{}, "float32"},
		"optimizer/vars/2":      {[]int{5, 8}, "float32"},
		"optimizer/vars/3":      {[]int{5, 8}, "float32"},
		"optimizer/vars/13":     {[]int{3}, "float32"},
	} {
		got, ok := mlp.Datasets[path]
		if !ok || !equalInts(got.Shape, want.shape) || got.Dtype != want.dtype {
			t.Errorf("h5py read %s as %+v (present %v), want %v %s", path, got, ok, want.shape, want.dtype)
		}
	}
	if n := len(mlp.Datasets); n != 6+2+12 {
		t.Errorf("h5py found %d datasets in mlp.keras, want 20", n)
	}
	if mlp.Groups["vars"]["name"] != "sequential" || mlp.Groups["layers/dropout/vars"]["name"] != "dropout" || mlp.Groups["optimizer/vars"]["name"] != "adam" {
		t.Errorf("vars groups' names: %v", mlp.Groups)
	}
	images := layout["images.keras"]
	for path, want := range map[string][]int{
		"layers/conv2d/vars/0":              {3, 3, 3, 4},
		"layers/depthwise_conv2d/vars/0":    {3, 3, 4, 2},
		"layers/batch_normalization/vars/0": {8}, // gamma (center=False: no beta)
		"layers/batch_normalization/vars/2": {8}, // moving_variance
		"layers/separable_conv2d/vars/1":    {1, 1, 16, 6},
		"layers/conv2d_transpose/vars/0":    {3, 3, 3, 6},
		"layers/layer_normalization/vars/0": {3}, // beta (scale=False: no gamma)
	} {
		got, ok := images.Datasets[path]
		if !ok || !equalInts(got.Shape, want) || got.Dtype != "float32" {
			t.Errorf("images.keras: h5py read %s as %+v (present %v), want %v float32", path, got, ok, want)
		}
	}
	if _, ok := images.Datasets["layers/batch_normalization/vars/3"]; ok {
		t.Errorf("images.keras: a BatchNormalization without center has three variables, h5py found a fourth")
	}
	towers := layout["towers.keras"]
	if towers.Config.ClassName != "Functional" {
		t.Errorf("towers class %s", towers.Config.ClassName)
	}
	for _, p := range []string{"layers/sequential/layers/dense/vars/0", "layers/dense/vars/0", "layers/dense_1/vars/0", "layers/dense_2/vars/0", "layers/dense_3/vars/0", "optimizer/vars/2"} {
		if _, ok := towers.Datasets[p]; !ok {
			t.Errorf("towers.keras: h5py found no %s (has %v)", p, keys(towers.Datasets))
		}
	}

	text := layout["text.keras"]
	for _, p := range []string{"layers/embedding/vars/0", "layers/bidirectional/forward_layer/cell/vars/0", "layers/bidirectional/backward_layer/cell/vars/2",
		"layers/time_distributed/layer/vars/1", "layers/gru/cell/vars/1", "layers/simple_rnn/cell/vars/1", "layers/dense/vars/0"} {
		if _, ok := text.Datasets[p]; !ok {
			t.Errorf("text.keras: h5py found no %s (has %v)", p, keys(text.Datasets))
		}
	}
	if text.Groups["layers/gru/cell/vars"]["name"] != "gru_cell" || text.Groups["layers/bidirectional/forward_layer/vars"]["name"] != "forward_lstm" {
		t.Errorf("text.keras vars groups' names: %v", text.Groups)
	}

	// What TensorFlow.js predicted from the committed tfjs exports.
	var tfjs struct {
		Version string               `json:"tfjs_version"`
		Models  map[string]reference `json:"models"`
	}
	readJSON(t, "testdata/export/tfjs.json", &tfjs)
	for _, name := range names {
		got, ok := tfjs.Models[name]
		if !ok {
			t.Fatalf("tfjs.json has no %s", name)
		}
		var want []array
		want = append(want, preds[name].Outputs...)
		if len(got.Outputs) != len(want) {
			t.Fatalf("%s: tfjs gave %d outputs", name, len(got.Outputs))
		}
		var gd []*tensor.Dense
		for _, o := range got.Outputs {
			gd = append(gd, tensor.New(tensor.WithShape(o.Shape...), tensor.WithBacking(o.Data)))
		}
		checkClose(t, gd, want, 1e-5)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
