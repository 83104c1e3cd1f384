package keras

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/npy"
	"github.com/gokeras/gokeras/keras/layers"
)

// savedModel returns a small trained model (Dense, Dropout with its own
// seed, Dense; Adam) and its Save encoding.
func savedModel(t testing.TB, dt tensor.Dtype) (*Model, []byte) {
	t.Helper()
	m := Sequential(
		layers.Dense(4, layers.Activation("relu"), layers.InputShape(3)),
		layers.Dropout(0.5, layers.Seed(3)),
		layers.Dense(2),
	)
	_ = m.SetSeed(7)
	_ = m.SetDtype(dt)
	if err := m.Compile(Loss("mse"), Optimizer("adam"), Metrics("mae")); err != nil {
		t.Fatal(err)
	}
	x := tensor.New(tensor.WithShape(8, 3), tensor.WithBacking([]float64{
		1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1, 0, 1, 0, 2, 2, 2, -1, 0, 1, 3, -2, 1}))
	y := tensor.New(tensor.WithShape(8, 2), tensor.WithBacking([]float64{
		1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0}))
	if _, err := m.Fit(context.Background(), x, y, Epochs(2), BatchSize(4), Verbose(0)); err != nil {
		t.Fatal(err)
	}
	s, err := m.snapshot(kindModel)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.write(&buf); err != nil {
		t.Fatal(err)
	}
	return m, buf.Bytes()
}

// rewrite returns a copy of the zip archive data with member name replaced
// by content (deleted when content is nil, added when missing).
func rewrite(t testing.TB, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	found := false
	for _, f := range zr.File {
		var body []byte
		if f.Name == name {
			found = true
			if content == nil {
				continue
			}
			body = content
		} else {
			rc, _ := f.Open()
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method})
		w.Write(body)
	}
	if !found && content != nil {
		w, _ := zw.Create(name)
		w.Write(content)
	}
	zw.Close()
	return buf.Bytes()
}

// member returns a member's content.
func member(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			return b
		}
	}
	t.Fatalf("no member %s", name)
	return nil
}

// editJSON rewrites a JSON member through a map.
func editJSON(t testing.TB, data []byte, name string, edit func(map[string]interface{})) []byte {
	t.Helper()
	var v map[string]interface{}
	if err := json.Unmarshal(member(t, data, name), &v); err != nil {
		t.Fatal(err)
	}
	edit(v)
	out, _ := json.Marshal(v)
	return rewrite(t, data, name, out)
}

func TestBadFilesGiveErrorsNamingTheProblem(t *testing.T) {
	_, good := savedModel(t, tensor.Float32)
	if _, err := loadModel(good); err != nil {
		t.Fatal(err)
	}
	nanWeights, _ := npy.Encode([]int{3, 4}, []float32{0, 1, 2, float32(math.NaN()), 4, 5, 6, 7, 8, 9, 10, 11})
	f64Weights, _ := npy.Encode([]int{3, 4}, make([]float64, 12))
	wrongShape, _ := npy.Encode([]int{4, 3}, make([]float32, 12))
	short, _ := npy.Encode([]int{3, 4}, make([]float32, 12))
	short = short[:len(short)-4]
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a readable zip"},
		{"not zip", []byte("hello, this is not a model"), "not a readable zip"},
		{"no metadata", rewrite(t, good, memberMetadata, nil), "no metadata.json"},
		{"keras file", rewrite(t, editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["format"] = "" }), "model.weights.h5", []byte("x")), "Keras (Python)"},
		{"other format", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["format"] = "onnx" }), `format "onnx"`},
		{"newer version", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["format_version"] = FormatVersion + 1 }), fmt.Sprintf("format version %d (written by gokeras 0.1.0-dev) is newer", FormatVersion+1)},
		{"version 0", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["format_version"] = 0 }), "invalid format version 0"},
		{"bad kind", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["kind"] = "graph" }), `unknown kind "graph"`},
		{"bad dtype", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["dtype"] = "int8" }), `dtype "int8" is not supported`},
		{"seed differs", editJSON(t, good, memberMetadata, func(v map[string]interface{}) { v["seed"] = 8 }), "seed 7, metadata.json says float32 and 8"},
		{"bad json", rewrite(t, good, memberConfig, []byte("{")), "config.json: unexpected end of JSON input"},
		{"no config", rewrite(t, good, memberConfig, nil), "config.json is missing"},
		{"no weights", rewrite(t, good, memberWeights, nil), "weights.json is missing"},
		{"missing npy", rewrite(t, good, "weights/0001_dense_bias.npy", nil), "weight dense/bias: weights/0001_dense_bias.npy is missing"},
		{"nan", rewrite(t, good, "weights/0000_dense_kernel.npy", nanWeights), "weight dense/kernel: weights/0000_dense_kernel.npy: value 3 is NaN"},
		{"dtype mix", rewrite(t, good, "weights/0000_dense_kernel.npy", f64Weights), "dtype float64, the file's metadata says float32"},
		{"npy shape", rewrite(t, good, "weights/0000_dense_kernel.npy", wrongShape), "shape (4, 3), the index says (3, 4)"},
		{"npy truncated", rewrite(t, good, "weights/0000_dense_kernel.npy", short), "needs 48 data bytes, the file has 44"},
		{"npy garbage", rewrite(t, good, "weights/0000_dense_kernel.npy", []byte("garbage")), "not a .npy file"},
		{"unknown layer", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["config"].(map[string]interface{})["layers"].([]interface{})[1].(map[string]interface{})["class_name"] = "Shiny"
		}), `layer 1 (dropout): layers: unknown layer class "Shiny" (known: Activation, Add,`},
		{"unknown activation", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["config"].(map[string]interface{})["layers"].([]interface{})[0].(map[string]interface{})["config"].(map[string]interface{})["activation"] = map[string]interface{}{"name": "swoosh"}
		}), `unknown activation "swoosh"`},
		{"unknown loss", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["compile_config"].(map[string]interface{})["loss"] = map[string]interface{}{"name": "hinge2"}
		}), "register it with losses.Register"},
		{"unknown optimizer", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["compile_config"].(map[string]interface{})["optimizer"] = map[string]interface{}{"name": "lion2"}
		}), "register it with optimizers.Register"},
		{"unknown metric", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["compile_config"].(map[string]interface{})["metrics"] = []string{"f7"}
		}), "register it with metrics.Register"},
		{"wider layer", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["config"].(map[string]interface{})["layers"].([]interface{})[0].(map[string]interface{})["config"].(map[string]interface{})["units"] = 5
		}), "layer dense: kernel shape (3, 4) in file, model has (3, 5)"},
		{"huge layer", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["config"].(map[string]interface{})["layers"].([]interface{})[0].(map[string]interface{})["config"].(map[string]interface{})["units"] = 1 << 28
		}), "the configuration needs far more weights than the file holds (26 values)"},
		{"units beyond any size", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			v["config"].(map[string]interface{})["layers"].([]interface{})[0].(map[string]interface{})["config"].(map[string]interface{})["units"] = 1 << 40
		}), "units = 1099511627776: must be >= 1 and <= 2^32"},
		{"extra layer", editJSON(t, good, memberConfig, func(v map[string]interface{}) {
			ls := v["config"].(map[string]interface{})["layers"].([]interface{})
			v["config"].(map[string]interface{})["layers"] = append(ls, map[string]interface{}{"class_name": "Dense", "config": map[string]interface{}{
				"name": "extra", "units": 1, "activation": map[string]string{"name": "linear"},
				"kernel_initializer": map[string]string{"name": "zeros"}, "bias_initializer": map[string]string{"name": "zeros"}}})
		}), "the file holds 4 weight tensors, the model has 5; the file ends before the model's weight 4, extra/kernel (2, 1)"},
		{"fewer weights", rewrite(t, editJSON(t, good, memberWeights, func(v map[string]interface{}) {
			v["weights"] = v["weights"].([]interface{})[:3]
		}), memberOptimizer, nil), "the file holds 3 weight tensors, the model has 4; the file ends before the model's weight 3, dense_1/bias (2,)"},
		{"slot count", editJSON(t, good, memberOptimizer, func(v map[string]interface{}) {
			s := v["slots"].([]interface{})[0].(map[string]interface{})
			s["files"] = s["files"].([]interface{})[:1]
		}), `variable "dense/kernel" has 1 slots in the state, the optimizer uses 2`},
		{"slot for unknown variable", editJSON(t, good, memberOptimizer, func(v map[string]interface{}) {
			v["slots"].([]interface{})[0].(map[string]interface{})["variable"] = "ghost/kernel"
		}), "slots for ghost/kernel, which is not among the weights"},
		{"negative iterations", editJSON(t, good, memberOptimizer, func(v map[string]interface{}) { v["iterations"] = -1 }), "invalid iterations -1"},
		{"other optimizer", editJSON(t, good, memberOptimizer, func(v map[string]interface{}) { v["name"] = "sgd" }), `the state is for optimizer "sgd", this one is "adam"`},
		{"layer state", editJSON(t, good, memberLayerState, func(v map[string]interface{}) {
			v["states"].([]interface{})[0].(map[string]interface{})["state"] = "AAAA"
		}), "layer dropout: state: layers: dropout: random stream state"},
		{"layer state of unknown layer", editJSON(t, good, memberLayerState, func(v map[string]interface{}) {
			v["states"].([]interface{})[0].(map[string]interface{})["layer"] = "dense"
		}), "the file has state for layer dense (Dense), which keeps none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := loadModel(c.data)
			if err == nil {
				t.Fatalf("loaded %v", m)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// TestFailedLoadsLeaveTheModelUntouched: every damaged or mismatched file
// fails LoadWeights and LoadState without changing a weight or the
// optimizer's state.
func TestFailedLoadsLeaveTheModelUntouched(t *testing.T) {
	m, good := savedModel(t, tensor.Float32)
	_, other := savedModel(t, tensor.Float64) // same architecture, other values
	before, _ := m.GetWeights()
	iters := m.Optimizer().Iterations()
	dir := t.TempDir()
	goodPath, path := filepath.Join(dir, "good.gokeras"), filepath.Join(dir, "bad.gokeras")
	if err := os.WriteFile(goodPath, good, 0o644); err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), "bad.gokeras") {
			t.Fatalf("%s: the error does not name the file: %v", what, err)
		}
		after, _ := m.GetWeights()
		for i := range before {
			for j, v := range before[i].Data().([]float32) {
				if math.Float32bits(after[i].Data().([]float32)[j]) != math.Float32bits(v) {
					t.Fatalf("%s: weight %d changed after a failed load (%v)", what, i, err)
				}
			}
		}
		if m.Optimizer().Iterations() != iters {
			t.Fatalf("%s: the optimizer changed after a failed load (%v)", what, err)
		}
	}
	failures := 0
	check := func(what string, data []byte, mustFail bool) {
		t.Helper()
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, load := range []func(string) error{m.LoadWeights, m.LoadState} {
			if err := load(path); err != nil {
				failures++
				unchanged(what, err)
			} else {
				if mustFail {
					t.Fatalf("%s: loaded", what)
				}
				// Harmless damage (a timestamp, say): put the model back.
				if err := m.LoadState(goodPath); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for n := 0; n < len(good); n += 1 + len(good)/150 {
		check("truncated", good[:n], true)
	}
	for i := 0; i < len(good); i += 1 + len(good)/150 {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x10
		check("flipped", bad, false)
	}
	check("slot count", editJSON(t, good, memberOptimizer, func(v map[string]interface{}) {
		s := v["slots"].([]interface{})[3].(map[string]interface{})
		s["files"] = s["files"].([]interface{})[:1]
	}), false)
	check("bad layer state", editJSON(t, other, memberLayerState, func(v map[string]interface{}) {
		v["states"].([]interface{})[0].(map[string]interface{})["state"] = "AAAA"
	}), false)
	// A float64 file whose values overflow float32.
	huge, _ := npy.Encode([]int{2}, []float64{1, 1e300})
	check("overflow", rewrite(t, other, "weights/0003_dense_1_bias.npy", huge), true)
	// A model of another architecture.
	wide := Sequential(layers.Dense(5, layers.InputShape(3)), layers.Dense(2))
	w2, err := wide.snapshot(kindWeights)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_ = w2.write(&buf)
	check("architecture", buf.Bytes(), true)
	err = m.LoadWeights(path)
	if want := "keras: LoadWeights: " + path + ": layer dense: kernel shape (3, 5) in file, model has (3, 4)"; err == nil || err.Error() != want {
		t.Fatalf("architecture mismatch:\n got %v\nwant %s", err, want)
	}
	t.Logf("%d failed loads, none changed the model", failures)
}

// TestInflatingMemberIsRefusedBeforeReading: a weight member that
// inflates to 512 MiB for a (3, 4) kernel is refused from its declared
// size, before anything is inflated or allocated for it.
func TestInflatingMemberIsRefusedBeforeReading(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 512 MiB deflate stream (-short)")
	}
	_, good := savedModel(t, tensor.Float32)
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "weights/0000_dense_kernel.npy" {
			zeros := make([]byte, 1<<20)
			for i := 0; i < 512; i++ {
				if _, err := w.Write(zeros); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		_, _ = w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = loadModel(buf.Bytes())
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Fatalf("loading an inflating member: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("loading allocated %d MiB before refusing the member", grew>>20)
	}
}
