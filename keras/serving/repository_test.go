package serving

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// states returns "version:state" for every version in the status API,
// newest first, with ":error" when the version failed to load.
func states(t *testing.T, s *Server) []string {
	t.Helper()
	w := do(t, s, "GET", "/v1/models/m", "")
	if w.Code == http.StatusNotFound {
		return nil
	}
	var st statusResponse
	if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range st.ModelVersionStatus {
		e := v.Version + ":" + v.State
		if v.Status.ErrorCode != "OK" {
			e += ":" + v.Status.ErrorCode
		}
		out = append(out, e)
	}
	return out
}

// answer predicts one instance and returns the version that answered and
// the body.
func answer(t *testing.T, s *Server, path string) (string, string) {
	t.Helper()
	w := do(t, s, "POST", path, `{"instances": [[[1,2,3],[4,5,6]]]}`)
	if w.Code != http.StatusOK {
		return "", w.Body.String()
	}
	return w.Header().Get("X-Model-Version"), w.Body.String()
}

// waitUnloaded waits for the unloading goroutines of the test server.
func waitUnloaded(s *Server) { s.unloads.Wait() }

func TestVersionLifecycle(t *testing.T) {
	s, _, base := newFakeServer(t, map[int]string{1: "image 1"})
	m := s.models["m"]
	step := func(what string, wantStates []string, wantVersion, wantBody string) {
		t.Helper()
		s.poll(m)
		waitUnloaded(s)
		if got := states(t, s); !reflect.DeepEqual(got, wantStates) {
			t.Errorf("%s: states %v, want %v", what, got, wantStates)
		}
		v, body := answer(t, s, "/v1/models/m:predict")
		if v != wantVersion || !strings.Contains(body, wantBody) {
			t.Errorf("%s: answered by %q: %s; want version %q and %s", what, v, body, wantVersion, wantBody)
		}
	}
	step("one version", []string{"1:AVAILABLE"}, "1", "[6.0,8.0,10.0]")

	writeVersion(t, base, 2, "image 2")
	step("a newer version", []string{"2:AVAILABLE", "1:END"}, "2", "[7.0,9.0,11.0]")
	if met := do(t, s, "GET", "/metrics", "").Body.String(); strings.Contains(met, `gokeras_serving_queue_depth{model="m",version="1"}`) ||
		!strings.Contains(met, `gokeras_serving_queue_depth{model="m",version="2"} 0`) {
		t.Errorf("queue depth gauges after the swap:\n%s", met)
	}

	// A folder without the model file is not a version yet.
	if err := os.MkdirAll(filepath.Join(base, "5"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Folders that are not numbers are ignored.
	writeVersion(t, base, 0, "image 0")
	if err := os.Rename(filepath.Join(base, "0"), filepath.Join(base, "tmp-9")); err != nil {
		t.Fatal(err)
	}
	step("a partial and a foreign folder", []string{"2:AVAILABLE", "1:END"}, "2", "[7.0,9.0,11.0]")

	writeVersion(t, base, 3, "broken 0")
	step("a newer broken version", []string{"3:END:UNKNOWN", "2:AVAILABLE", "1:END"}, "2", "[7.0,9.0,11.0]")
	w := do(t, s, "GET", "/v1/models/m/versions/3", "")
	if !strings.Contains(w.Body.String(), "unknown model kind") {
		t.Errorf("status of the broken version: %s", w.Body)
	}
	if w := do(t, s, "GET", "/metrics", ""); !strings.Contains(w.Body.String(), `gokeras_serving_model_load_failures_total{model="m"} 1`+"\n") {
		t.Errorf("load failure not counted")
	}
	step("the broken version is not retried while unchanged", []string{"3:END:UNKNOWN", "2:AVAILABLE", "1:END"}, "2", "[7.0,9.0,11.0]")

	time.Sleep(10 * time.Millisecond) // a new modification time
	writeVersion(t, base, 3, "image 3")
	step("the broken version fixed", []string{"3:AVAILABLE", "2:END", "1:END"}, "3", "[8.0,10.0,12.0]")

	if err := os.RemoveAll(filepath.Join(base, "3")); err != nil {
		t.Fatal(err)
	}
	step("the newest version removed", []string{"3:END", "2:AVAILABLE", "1:END"}, "2", "[7.0,9.0,11.0]")

	for _, n := range []string{"1", "2", "5"} {
		if err := os.RemoveAll(filepath.Join(base, n)); err != nil {
			t.Fatal(err)
		}
	}
	step("every version removed", []string{"3:END", "2:END", "1:END"}, "", "Servable not found for request: Latest(m)")
	if w := do(t, s, "GET", "/healthz", ""); w.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz with no version: %d", w.Code)
	}
}

// TestInFlightRequestFinishesOnItsVersion holds a request inside version
// 1's model while version 2 arrives: new requests go to version 2 at once,
// the held one is answered by version 1, which is unloaded only then.
func TestInFlightRequestFinishesOnItsVersion(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan struct{}, 1)
	s, files, base := newFakeServer(t, map[int]string{1: "image 1"})
	p1 := files.get(filepath.Join(base, "1", ModelFile))
	p1.mu.Lock()
	p1.gate, p1.entered = gate, entered
	p1.mu.Unlock()

	type result struct{ version, body string }
	held := make(chan result)
	go func() {
		v, b := answer(t, s, "/v1/models/m:predict")
		held <- result{v, b}
	}()
	<-entered // the request is inside version 1

	writeVersion(t, base, 2, "image 2")
	s.poll(s.models["m"])
	if got := states(t, s); !reflect.DeepEqual(got, []string{"2:AVAILABLE", "1:UNLOADING"}) {
		t.Errorf("states while a request holds version 1: %v", got)
	}
	if v, _ := answer(t, s, "/v1/models/m:predict"); v != "2" {
		t.Errorf("a new request went to version %q, want 2", v)
	}
	if v, b := answer(t, s, "/v1/models/m/versions/1:predict"); v != "" || !strings.Contains(b, "Specific(m, 1)") {
		t.Errorf("version 1 still takes new requests: %q %s", v, b)
	}
	close(gate)
	r := <-held
	if r.version != "1" || r.body != `{"predictions":[[6.0,8.0,10.0]]}` {
		t.Errorf("the held request: version %q %s", r.version, r.body)
	}
	waitUnloaded(s)
	if got := states(t, s); !reflect.DeepEqual(got, []string{"2:AVAILABLE", "1:END"}) {
		t.Errorf("states after: %v", got)
	}
}

func TestVersionPolicies(t *testing.T) {
	base := t.TempDir()
	for n, c := range map[int]string{1: "image 1", 2: "image 2", 3: "image 3"} {
		writeVersion(t, base, n, c)
	}
	for _, tc := range []struct {
		policy VersionPolicy
		want   []string
		latest string
	}{
		{VersionPolicy{}, []string{"3:AVAILABLE"}, "3"},
		{VersionPolicy{Latest: 2}, []string{"3:AVAILABLE", "2:AVAILABLE"}, "3"},
		{VersionPolicy{All: true}, []string{"3:AVAILABLE", "2:AVAILABLE", "1:AVAILABLE"}, "3"},
		{VersionPolicy{Specific: []int64{1, 2, 9}}, []string{"2:AVAILABLE", "1:AVAILABLE"}, "2"},
	} {
		files := &fakeFiles{}
		labels := map[string]int64{"stable": 1, "canary": 2}
		s, err := NewServer(Models(ModelConfig{Name: "m", BasePath: base, VersionPolicy: tc.policy, VersionLabels: labels}), PollInterval(0), Logger(io.Discard), withLoader(files.load))
		if err != nil {
			t.Fatal(err)
		}
		if got := states(t, s); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: states %v, want %v", tc.policy, got, tc.want)
		}
		if v, _ := answer(t, s, "/v1/models/m:predict"); v != tc.latest {
			t.Errorf("%+v: latest answered by %q, want %s", tc.policy, v, tc.latest)
		}
		if tc.policy.All {
			for _, l := range []struct{ label, version string }{{"stable", "1"}, {"canary", "2"}} {
				if v, _ := answer(t, s, "/v1/models/m/labels/"+l.label+":predict"); v != l.version {
					t.Errorf("label %s answered by %q, want %s", l.label, v, l.version)
				}
				w := do(t, s, "GET", "/v1/models/m/labels/"+l.label, "")
				if !strings.Contains(w.Body.String(), `"version":"`+l.version+`"`) {
					t.Errorf("status by label %s: %s", l.label, w.Body)
				}
			}
		}
		s.Close()
	}
}

// TestPollLoopPicksUpVersions runs the real polling goroutine.
func TestPollLoopPicksUpVersions(t *testing.T) {
	base := t.TempDir()
	writeVersion(t, base, 1, "image 1")
	files := &fakeFiles{}
	s, err := NewServer(Model("m", base), PollInterval(5*time.Millisecond), Logger(io.Discard), withLoader(files.load))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writeVersion(t, base, 2, "image 2")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if v, _ := answer(t, s, "/v1/models/m:predict"); v == "2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("version 2 was not picked up within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNewServerErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{nil, "no model to serve"},
		{[]Option{Model("m", filepath.Join(t.TempDir(), "missing"))}, "model m: base path"},
		{[]Option{Model("m", file)}, "is not a folder"},
		{[]Option{Model("", t.TempDir())}, "a model has no name"},
		{[]Option{Model("a/b", t.TempDir())}, "has a '/' or ':'"},
		{[]Option{Model("m", t.TempDir()), Model("m", t.TempDir())}, "model m is given twice"},
		{[]Option{Model("m", t.TempDir()), Batching(BatchingParameters{MaxBatchSize: -1})}, "max_batch_size is -1"},
		{[]Option{Model("m", t.TempDir()), PredictBatchSize(0)}, "predict batch size 0"},
		{[]Option{Models(ModelConfig{Name: "m", BasePath: "x", VersionPolicy: VersionPolicy{All: true, Latest: 2}})}, "give one of latest, all and specific"},
	} {
		_, err := NewServer(append(tc.opts, Logger(io.Discard))...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "serving: NewServer") {
			t.Errorf("%v, want an error containing %q", err, tc.want)
		}
	}
}

// TestConcurrentPollsAndRequests races polling against requests (run
// with -race).
func TestConcurrentPollsAndRequests(t *testing.T) {
	s, _, base := newFakeServer(t, map[int]string{1: "image 1"})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, body := answer(t, s, "/v1/models/m:predict")
				if v == "" {
					t.Errorf("request failed during reloads: %s", body)
					return
				}
			}
		}()
	}
	for n := 2; n <= 20; n++ {
		writeVersion(t, base, n, "image 1")
		s.poll(s.models["m"])
	}
	close(stop)
	wg.Wait()
}
