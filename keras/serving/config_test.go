package serving

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestParseModelConfig reads model config files as TF Serving's users
// write them (its serving_config guide: model_config_list, version
// policies, version labels, both quote styles, comments).
func TestParseModelConfig(t *testing.T) {
	src := `
# Two models.
model_config_list {
  config {
    name: 'fashion'
    base_path: '/models/fashion/'
    model_platform: 'tensorflow'
    model_version_policy {
      specific {
        versions: 42
        versions: 43
      }
    }
    version_labels {
      key: 'stable'
      value: 42
    }
    version_labels {
      key: 'canary'
      value: 43
    }
  }
  config: {
    name: "housing", base_path: "models/housing";
    model_version_policy: { latest: { num_versions: 2 } }
  }
  config < name: "all" base_path: "/m" model_version_policy { all {} } >
}
`
	got, err := ParseModelConfig(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []ModelConfig{
		{Name: "fashion", BasePath: "/models/fashion/", VersionPolicy: VersionPolicy{Specific: []int64{42, 43}},
			VersionLabels: map[string]int64{"stable": 42, "canary": 43}},
		{Name: "housing", BasePath: "models/housing", VersionPolicy: VersionPolicy{Latest: 2}},
		{Name: "all", BasePath: "/m", VersionPolicy: VersionPolicy{All: true}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseModelConfigErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{``, "no model is configured"},
		{`model_config_list {}`, "no model is configured"},
		{`custom_model_config {}`, "ModelServerConfig has no field custom_model_config"},
		{`model_config_list { config { name: "a" } }`, "model a has no base path"},
		{`model_config_list { config { base_path: "/a" } }`, "a model has no name"},
		{`model_config_list { config { name: a base_path: "/a" } }`, "line 1: field name must be a quoted string"},
		{`model_config_list { config { name: "a" base_path: "/a" logging_config {} } }`, "ModelConfig has no field logging_config that gokeras-serve supports"},
		{`model_config_list { config { name: "a" base_path: "/a" model_platform: "pytorch" } }`, `model_platform "pytorch" is not served here`},
		{`model_config_list { config { name: "a" base_path: "/a" model_version_policy { latest { num_versions: 0 } } } }`, "num_versions is 0"},
		{`model_config_list { config { name: "a" base_path: "/a" model_version_policy { newest {} } } }`, "model_version_policy has no field newest"},
		{`model_config_list { config { name: "a" base_path: "/a" model_version_policy { specific {} } } }`, "specific lists no versions"},
		{`model_config_list { config { name: "a" base_path: "/a" version_labels { key: "x" } } }`, "needs a key and a value"},
		{`model_config_list { config { name: "a" base_path: "/a" } config { name: "a" base_path: "/b" } }`, "model a is configured twice"},
		{"model_config_list {\n config {\n name: \"a\n\" } }", "line 3: a string is not closed on its line"},
		{`model_config_list { config { name: "a" base_path: "/a" }`, "a message is not closed"},
		{`model_config_list { config { name: "a" base_path: "/a" version_labels { key: "x" value: y } } }`, `"y" is not an integer`},
		{strings.Repeat("a {", 20) + strings.Repeat("}", 20), "nest deeper than 16 levels"},
	} {
		_, err := ParseModelConfig(strings.NewReader(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "serving: model config") {
			t.Errorf("%q: %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
}

// TestParseBatchingParameters reads TF Serving's batching parameters file
// as its batching guide writes it.
func TestParseBatchingParameters(t *testing.T) {
	src := `max_batch_size { value: 128 }
batch_timeout_micros { value: 1500 }
max_enqueued_batches { value: 1000000 }
num_batch_threads { value: 8 }
thread_pool_name { value: "batch_threads" }
`
	got, err := ParseBatchingParameters(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := BatchingParameters{MaxBatchSize: 128, BatchTimeout: 1500 * time.Microsecond, MaxEnqueuedBatches: 1000000, NumBatchThreads: 8}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = ParseBatchingParameters(strings.NewReader("max_batch_size { value: 16 }"))
	if err != nil || got.withDefaults() != (BatchingParameters{MaxBatchSize: 16, MaxEnqueuedBatches: 10, NumBatchThreads: runtime.GOMAXPROCS(0)}) {
		t.Errorf("defaults: %+v %v", got.withDefaults(), err)
	}
	for _, tc := range []struct{ src, want string }{
		{`allowed_batch_sizes: 32`, "BatchingParameters has no field allowed_batch_sizes that gokeras-serve supports"},
		{`pad_variable_length_inputs: true`, "no field pad_variable_length_inputs"},
		{`max_batch_size: 128`, "must be written max_batch_size { value: N }"},
		{`max_batch_size { size: 128 }`, "must be written max_batch_size { value: N }"},
		{`max_batch_size { value: -1 }`, "max_batch_size is -1"},
		{`max_batch_size { value: 1 } max_batch_size { value: 2 }`, "max_batch_size is given twice"},
		{`num_batch_threads { value: 99999 }`, "num_batch_threads is 99999, want at most 4096"},
		{`batch_timeout_micros { value: 1.5 }`, `"1.5" is not an integer`},
	} {
		_, err := ParseBatchingParameters(strings.NewReader(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
}

// TestModelConfigFileServes serves two models from a config file.
func TestModelConfigFileServes(t *testing.T) {
	dir := t.TempDir()
	writeVersion(t, filepath.Join(dir, "img"), 1, "image 0")
	writeVersion(t, filepath.Join(dir, "pair"), 4, "pair 0")
	cfg := filepath.Join(dir, "models.config")
	src := `model_config_list {
  config { name: "img" base_path: "` + filepath.Join(dir, "img") + `" }
  config { name: "pair" base_path: "` + filepath.Join(dir, "pair") + `" version_labels { key: "stable" value: 4 } }
}`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	files := &fakeFiles{}
	s, err := NewServer(ModelConfigFile(cfg), PollInterval(0), Logger(io.Discard), withLoader(files.load))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if w := do(t, s, "POST", "/v1/models/img:predict", `{"instances": [[[1,2,3],[4,5,6]]]}`); w.Body.String() != `{"predictions":[[5.0,7.0,9.0]]}` {
		t.Errorf("img: %s", w.Body)
	}
	if w := do(t, s, "POST", "/v1/models/pair/labels/stable:predict", `{"instances": [{"a": [1, 2], "b": 3}]}`); w.Header().Get("X-Model-Version") != "4" {
		t.Errorf("pair by label: %d %s", w.Code, w.Body)
	}
	if _, err := NewServer(ModelConfigFile(filepath.Join(dir, "missing.config"))); err == nil {
		t.Error("a missing config file was accepted")
	}
}
