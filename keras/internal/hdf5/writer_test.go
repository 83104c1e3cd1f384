package hdf5

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/written/*.h5 (then run testdata/read_written.py)")

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func seq32(n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)*scale - 1
	}
	return v
}

// writtenFiles builds the files of testdata/written: what gokeras needs
// to write for Keras (a Keras 3 weights file, a Keras 2 .h5 model) and one
// file with every value type and structure the writer has.
var writtenFiles = map[string]func(t *testing.T) *Writer{
	"keras3.weights.h5": func(t *testing.T) *Writer {
		w := NewWriter()
		r := w.Root()
		_, err := r.CreateGroup("vars")
		must(t, err)
		for li, name := range []string{"dense", "dense_1"} {
			v, err := r.CreateGroup("layers/" + name + "/vars")
			must(t, err)
			in, out := 3+li, 4-2*li
			_, err = v.CreateDataset("0", []int{in, out}, seq32(in*out, 0.25))
			must(t, err)
			_, err = v.CreateDataset("1", []int{out}, seq32(out, 0.5))
			must(t, err)
		}
		_, err = r.CreateGroup("layers/dropout/vars")
		must(t, err)
		o, err := r.CreateGroup("optimizer/vars")
		must(t, err)
		_, err = o.CreateDataset("0", nil, []int64{3})
		must(t, err)
		_, err = o.CreateDataset("1", nil, []float32{0.001})
		must(t, err)
		for i := 2; i < 12; i++ {
			_, err = o.CreateDataset(fmt.Sprint(i), []int{2}, []float32{float32(i), float32(i)})
			must(t, err)
		}
		g, err := r.Group("layers/dense/vars")
		must(t, err)
		must(t, g.SetAttr("dtype", "float32"))
		return w
	},
	"legacy_keras.h5": func(t *testing.T) *Writer {
		w := NewWriter()
		r := w.Root()
		must(t, r.SetAttr("backend", "tensorflow"))
		must(t, r.SetAttr("keras_version", "2.13.1"))
		must(t, r.SetAttr("model_config", ByteString(`{"class_name": "Sequential", "config": {"name": "sequential"}}`)))
		mw, err := r.CreateGroup("model_weights")
		must(t, err)
		must(t, mw.SetAttr("layer_names", ByteStrings{"dense", "dense_1"}))
		must(t, mw.SetAttr("backend", "tensorflow"))
		must(t, mw.SetAttr("keras_version", "2.13.1"))
		for i, name := range []string{"dense", "dense_1"} {
			g, err := mw.CreateGroup(name)
			must(t, err)
			must(t, g.SetAttr("weight_names", ByteStrings{name + "/kernel:0", name + "/bias:0"}))
			sub, err := g.CreateGroup(name)
			must(t, err)
			_, err = sub.CreateDataset("kernel:0", []int{3, 2 - i}, seq32(3*(2-i), 0.125))
			must(t, err)
			_, err = sub.CreateDataset("bias:0", []int{2 - i}, make([]float32, 2-i))
			must(t, err)
		}
		og, err := r.CreateGroup("optimizer_weights")
		must(t, err)
		must(t, og.SetAttr("weight_names", ByteStrings{"Adam/iter:0"}))
		_, err = og.CreateDataset("Adam/iter:0", nil, []int64{10})
		if err == nil {
			t.Fatal("a dataset name with a slash should be refused")
		}
		a, err := og.CreateGroup("Adam")
		must(t, err)
		_, err = a.CreateDataset("iter:0", nil, []int64{10})
		must(t, err)
		split, err := r.CreateGroup("split")
		must(t, err)
		must(t, split.SetAttr("layer_names0", ByteStrings{"a", "bb"}))
		must(t, split.SetAttr("layer_names1", ByteStrings{"ccc"}))
		return w
	},
	"all_types.h5": func(t *testing.T) *Writer {
		w := NewWriter()
		r := w.Root()
		attrs := map[string]interface{}{
			"str": "h\u00e9llo \u2713", "empty": "", "strs": []string{"a", "", "\u00fc"},
			"bytes": ByteString("raw ascii"), "fixed": ByteStrings{"x", "yy", ""},
			"fixed_empty": ByteStrings{}, "i": 42, "i64": int64(-1 << 40), "i32": int32(-7),
			"f64": math.Pi, "f32": float32(0.1), "t": true, "f": false,
			"bools": []bool{true, false}, "ints": []int{1, 2}, "i64s": []int64{math.MinInt64, math.MaxInt64},
			"i32s": []int32{-1, 1}, "f64s": []float64{math.Inf(-1), 0, math.SmallestNonzeroFloat64},
			"f32s": []float32{1.5, -0}, "long": strings.Repeat("long text ", 600),
		}
		var keys []string
		for k := range attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			must(t, r.SetAttr(k, attrs[k]))
		}
		must(t, r.SetAttr("replaced", "old"))
		must(t, r.SetAttr("replaced", int64(2)))
		d, err := r.CreateGroup("data")
		must(t, err)
		_, err = d.CreateDataset("f32", []int{2, 3}, []float32{1, 2, 3, 4, 5, float32(math.NaN())})
		must(t, err)
		_, err = d.CreateDataset("f64", []int{2, 2, 1}, []float64{1e300, -1e-300, 0.5, 7})
		must(t, err)
		_, err = d.CreateDataset("i32", []int{3}, []int32{math.MinInt32, 0, math.MaxInt32})
		must(t, err)
		ds, err := d.CreateDataset("i64", []int{2}, []int64{-5, 5})
		must(t, err)
		must(t, ds.SetAttr("note", "dataset attribute"))
		_, err = d.CreateDataset("scalar", nil, []float64{2.75})
		must(t, err)
		_, err = d.CreateDataset("empty", []int{0, 4}, []float32{})
		must(t, err)
		rng := rand.New(rand.NewSource(1))
		big := make([]float32, 50*33)
		for i := range big {
			big[i] = float32(rng.NormFloat64())
		}
		_, err = d.CreateDataset("gzip", []int{50, 33}, big, Chunks(16, 10), Gzip(6))
		must(t, err)
		_, err = d.CreateDataset("gzip_shuffle", []int{50, 33}, big, Chunks(7, 33), Gzip(4), Shuffle())
		must(t, err)
		_, err = d.CreateDataset("gzip_whole", []int{50, 33}, big, Gzip(9))
		must(t, err)
		many := make([]int64, 300)
		for i := range many {
			many[i] = int64(i * i)
		}
		// 300 chunks: a two-level chunk B-tree (64 children per node).
		_, err = d.CreateDataset("many_chunks", []int{300}, many, Chunks(1))
		must(t, err)
		_, err = d.CreateDataset("chunked_plain", []int{5, 5}, seq32(25, 1), Chunks(2, 3))
		must(t, err)
		// 300 links: 38 symbol table nodes, a two-level group B-tree.
		m, err := r.CreateGroup("many")
		must(t, err)
		for i := 0; i < 300; i++ {
			_, err = m.CreateDataset(fmt.Sprintf("d%03d", i), []int{1}, []int32{int32(i)})
			must(t, err)
		}
		_, err = r.CreateGroup("a/b/c/empty")
		must(t, err)
		return w
	},
}

// TestWriterGolden writes each file of writtenFiles and checks that its
// bytes equal testdata/written/<name> (so the h5py check recorded in
// testdata/written.json by read_written.py stays valid), then reads it
// back with the package's reader and checks everything h5py saw.
func TestWriterGolden(t *testing.T) {
	seen := loadJSON(t, filepath.Join("testdata", "written.json"))
	for name, build := range writtenFiles {
		t.Run(name, func(t *testing.T) {
			w := build(t)
			b, err := w.Bytes()
			must(t, err)
			var buf bytes.Buffer
			n, err := w.WriteTo(&buf)
			must(t, err)
			if n != int64(len(b)) || !bytes.Equal(buf.Bytes(), b) {
				t.Fatal("WriteTo and Bytes differ, or the output is not deterministic")
			}
			path := filepath.Join("testdata", "written", name)
			if *update {
				must(t, os.MkdirAll(filepath.Dir(path), 0o755))
				must(t, os.WriteFile(path, b, 0o644))
			}
			want, err := os.ReadFile(path)
			must(t, err)
			if !bytes.Equal(b, want) {
				t.Fatalf("output differs from %s (run with -update, then testdata/read_written.py)", path)
			}
			objs, ok := seen[name]
			if !ok {
				t.Fatalf("%s: not in written.json (run testdata/read_written.py)", name)
			}
			checkFile(t, b, objs)
		})
	}
}

func loadJSON(t *testing.T, path string) map[string]map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	var m map[string]map[string]json.RawMessage
	must(t, json.Unmarshal(b, &m))
	return m
}

// TestWriterRoundTrip writes datasets of many shapes, dtypes and storage
// options and reads them back exactly in pure Go.
func TestWriterRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	shapes := [][]int{{}, {1}, {7}, {0}, {3, 4}, {5, 1, 3}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 2}, {17, 9}}
	for si, shape := range shapes {
		n := 1
		for _, d := range shape {
			n *= d
		}
		for _, kind := range []string{"f32", "f64", "i32", "i64"} {
			var opts [][]DatasetOption
			opts = append(opts, nil)
			if len(shape) > 0 {
				ch := make([]int, len(shape))
				for i, d := range shape {
					ch[i] = 1 + rng.Intn(d+1)
				}
				opts = append(opts, []DatasetOption{Chunks(ch...)}, []DatasetOption{Chunks(ch...), Gzip(1 + rng.Intn(9)), Shuffle()}, []DatasetOption{Gzip(0)})
			}
			for oi, o := range opts {
				var data interface{}
				want := make([]float64, n)
				switch kind {
				case "f32":
					v := make([]float32, n)
					for i := range v {
						v[i] = float32(rng.NormFloat64())
						want[i] = float64(v[i])
					}
					data = v
				case "f64":
					v := make([]float64, n)
					for i := range v {
						v[i] = rng.NormFloat64()
						want[i] = v[i]
					}
					data = v
				case "i32":
					v := make([]int32, n)
					for i := range v {
						v[i] = int32(rng.Uint32())
						want[i] = float64(v[i])
					}
					data = v
				case "i64":
					v := make([]int64, n)
					for i := range v {
						v[i] = rng.Int63n(1<<53) - 1<<52
						want[i] = float64(v[i])
					}
					data = v
				}
				w := NewWriter()
				g, err := w.Root().CreateGroup("g")
				must(t, err)
				_, err = g.CreateDataset("x", shape, data, o...)
				must(t, err)
				b, err := w.Bytes()
				must(t, err)
				f, err := Open(b)
				must(t, err)
				ds, err := f.Dataset("/g/x")
				must(t, err)
				where := fmt.Sprintf("shape %d %v %s options %d", si, shape, kind, oi)
				if !reflect.DeepEqual(ds.Shape(), shape) && !(len(shape) == 0 && len(ds.Shape()) == 0) {
					t.Fatalf("%s: shape %v", where, ds.Shape())
				}
				got, err := ds.Float64s()
				must(t, err)
				if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Fatalf("%s: values differ", where)
				}
				if kind == "f32" {
					g32, err := ds.Float32s()
					must(t, err)
					if !reflect.DeepEqual(g32, data) && n > 0 {
						t.Fatalf("%s: float32 values differ", where)
					}
				}
				if kind[0] == 'i' {
					gi, err := ds.Int64s()
					must(t, err)
					for i := range gi {
						if float64(gi[i]) != want[i] {
							t.Fatalf("%s: int value %d", where, i)
						}
					}
				}
			}
		}
	}
}

// TestWriterErrors checks the writer refuses what it cannot store.
func TestWriterErrors(t *testing.T) {
	w := NewWriter()
	r := w.Root()
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"bad attr type", r.SetAttr("x", struct{}{}), "unsupported attribute value"},
		{"empty attr name", r.SetAttr("", 1), "invalid attribute name"},
		{"invalid utf-8", r.SetAttr("x", "\xff"), "not valid UTF-8"},
	}
	_, err := r.CreateDataset("d", []int{2}, []float32{1})
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"count mismatch", err, "1 values for shape [2]"})
	_, err = r.CreateDataset("d", []int{2}, []uint8{1, 2})
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"bad data type", err, "unsupported data type []uint8"})
	_, err = r.CreateDataset("a/b", []int{1}, []float32{1})
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"slash", err, "invalid name"})
	_, err = r.CreateDataset("s", nil, []float32{1}, Chunks())
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"chunked scalar", err, "cannot be chunked"})
	_, err = r.CreateDataset("c", []int{4}, []float32{1, 2, 3, 4}, Chunks(0))
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"zero chunk", err, "chunk dimension 0"})
	_, err = r.CreateDataset("c", []int{4}, []float32{1, 2, 3, 4}, Gzip(10))
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"gzip level", err, "gzip level 10"})
	_, err = r.CreateGroup("g")
	must(t, err)
	_, err = r.CreateGroup("g")
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"group exists", err, "already exists"})
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	// An attribute too large for one header message.
	w2 := NewWriter()
	must(t, w2.Root().SetAttr("big", ByteStrings{strings.Repeat("x", 70000)}))
	if _, err := w2.Bytes(); err == nil || !strings.Contains(err.Error(), "attribute big") || !strings.Contains(err.Error(), "64 KiB") {
		t.Errorf("70 KB attribute: error %v", err)
	}
}

// checkFile compares a file's content with a dump in the format of
// expected.json.
func checkFile(t *testing.T, data []byte, objs map[string]json.RawMessage) {
	t.Helper()
	f, err := Open(data)
	must(t, err)
	var paths []string
	for p := range objs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		var e expectedObject
		must(t, json.Unmarshal(objs[p], &e))
		checkObject(t, f, "", p, e)
	}
}
