package serving

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// sameJSON fails unless a and b hold the same JSON value.
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w interface{}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestStatusJSON compares the status API with TF Serving's documented
// answer (api_rest.md's example, http_rest_api_handler_test.cc GetStatus).
func TestStatusJSON(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{123: "image 0"})
	want := `{"model_version_status": [{"version": "123", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]}`
	for _, path := range []string{"/v1/models/m", "/v1/models/m/versions/123", "/V1/MODELS/m/Versions/123"} {
		w := do(t, s, "GET", path, "")
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %s", path, w.Code, w.Header().Get("Content-Type"))
		}
		sameJSON(t, w.Body.String(), want)
	}
}

// TestMetadataJSON compares the metadata API with the layout of TF
// Serving's saved_model_half_plus_two_2_versions_metadata.json (its
// serving_default signature).
func TestMetadataJSON(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{7: "image 0"})
	want := `{
 "model_spec": {"name": "m", "signature_name": "", "version": "7"},
 "metadata": {"signature_def": {"signature_def": {"serving_default": {
   "inputs": {"flatten_input": {"dtype": "DT_FLOAT",
     "tensor_shape": {"dim": [{"size": "-1", "name": ""}, {"size": "2", "name": ""}, {"size": "3", "name": ""}], "unknown_rank": false},
     "name": "serving_default_flatten_input:0"}},
   "outputs": {"dense_1": {"dtype": "DT_FLOAT",
     "tensor_shape": {"dim": [{"size": "-1", "name": ""}, {"size": "3", "name": ""}], "unknown_rank": false},
     "name": "StatefulPartitionedCall:0"}},
   "method_name": "tensorflow/serving/predict",
   "defaults": {}
 }}}}
}`
	for _, path := range []string{"/v1/models/m/metadata", "/v1/models/m/versions/7/metadata"} {
		w := do(t, s, "GET", path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		sameJSON(t, w.Body.String(), want)
	}
}

func TestPredictFormats(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{1: "image 0.5"})
	for _, tc := range []struct{ body, want string }{
		{`{"instances": [[[1,2,3],[4,5,6]], [[0.25,0,0],[0,0,0]]]}`, `{"predictions":[[5.5,7.5,9.5],[0.75,0.5,0.5]]}`},
		{`{"signature_name": "serving_default", "instances": [{"flatten_input": [[1,2,3],[4,5,6]]}]}`, `{"predictions":[[5.5,7.5,9.5]]}`},
		{`{"inputs": [[[1,2,3],[4,5,6]], [[0.25,0,0],[0,0,0]]]}`, `{"outputs":[[5.5,7.5,9.5],[0.75,0.5,0.5]]}`},
		{`{"inputs": {"flatten_input": [[[1,2,3],[4,5,6]]]}}`, `{"outputs":[[5.5,7.5,9.5]]}`},
	} {
		w := do(t, s, "POST", "/v1/models/m:predict", tc.body)
		if w.Code != http.StatusOK || w.Body.String() != tc.want {
			t.Errorf("%s\n-> %d %s, want %s", tc.body, w.Code, w.Body, tc.want)
		}
		if v := w.Header().Get("X-Model-Version"); v != "1" {
			t.Errorf("X-Model-Version %q, want 1", v)
		}
	}
}

// TestPredictNamedInputsOutputs runs the multi-input, multi-output path
// end to end on a model with inputs a, b and outputs sum, scaled.
func TestPredictNamedInputsOutputs(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{1: "pair 0"})
	for _, tc := range []struct{ body, want string }{
		{`{"instances": [{"a": [1, 2], "b": 3}, {"b": 0.5, "a": [4, -2]}]}`,
			`{"predictions":[{"sum":6.0,"scaled":[3.0,6.0]},{"sum":2.5,"scaled":[2.0,-1.0]}]}`},
		{`{"inputs": {"b": [3, 0.5], "a": [[1, 2], [4, -2]]}}`,
			`{"outputs":{"sum":[6.0,2.5],"scaled":[[3.0,6.0],[2.0,-1.0]]}}`},
	} {
		w := do(t, s, "POST", "/v1/models/m/versions/1:predict", tc.body)
		if w.Code != http.StatusOK || w.Body.String() != tc.want {
			t.Errorf("%s\n-> %d %s, want %s", tc.body, w.Code, w.Body, tc.want)
		}
	}
	w := do(t, s, "GET", "/v1/models/m/metadata", "")
	var md metadataResponse
	if err := json.Unmarshal(w.Body.Bytes(), &md); err != nil {
		t.Fatal(err)
	}
	sig := md.Metadata.SignatureDef.SignatureDef["serving_default"]
	if len(sig.Inputs) != 2 || sig.Inputs["b"].Dtype != "DT_DOUBLE" || len(sig.Inputs["b"].TensorShape.Dim) != 1 || len(sig.Outputs) != 2 {
		t.Errorf("metadata of the pair model: %s", w.Body)
	}
}

func TestErrorCodes(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{3: "image 0"}, RequestLimits(Limits{MaxBodyBytes: 200}))
	image := `{"instances": [[[1,2,3],[4,5,6]]]}`
	for _, tc := range []struct {
		method, path, body string
		code               int
		want               string
		allow              string
	}{
		{"GET", "/v1/models/nope", "", 404, "Could not find any versions of model nope", ""},
		{"GET", "/v1/models/m/versions/4", "", 404, "Could not find version 4 of model m", ""},
		{"GET", "/v1/models/nope/metadata", "", 404, "Servable not found for request: Latest(nope)", ""},
		{"POST", "/v1/models/nope:predict", image, 404, "Servable not found for request: Latest(nope)", ""},
		{"POST", "/v1/models/m/versions/4:predict", image, 404, "Servable not found for request: Specific(m, 4)", ""},
		{"POST", "/v1/models/m/labels/stable:predict", image, 404, "Unrecognized servable version label: stable", ""},
		{"GET", "/v1/models", "", 400, "Missing model name in request.", ""},
		{"GET", "/v1/foo", "", 400, "Malformed request: GET /v1/foo", ""},
		{"GET", "/v1/models/m/version/3", "", 400, "Malformed request", ""},
		{"POST", "/v1/models/m/versions/HELLO:predict", image, 400, "Malformed request", ""},
		{"POST", "/v1/models/m/versions/18446744073709551615:predict", image, 400, "Failed to convert version: 18446744073709551615 to numeric.", ""},
		{"GET", "/v1/models/m:predict", "", 405, "the predict API takes POST", "POST"},
		{"POST", "/v1/models/m", "", 405, "the status API takes GET", "GET, HEAD"},
		{"DELETE", "/v1/models/m/metadata", "", 405, "the metadata API takes GET", "GET, HEAD"},
		{"POST", "/v1/models/m:classify", `{"examples": []}`, 501, "the classify API is not supported", ""},
		{"POST", "/v1/models/m:predict", "", 400, "JSON parse error: the document is empty", ""},
		{"POST", "/v1/models/m:predict", `{"instances": [[[1,2,3],[4,5]]]}`, 400, "instances[0][1]: the list has 2 entries, expected 3", ""},
		{"POST", "/v1/models/m:predict", `{"instances": [` + strings.Repeat("[[1,2,3],[4,5,6]],", 20) + `]}`, 413, "larger than 200 bytes", ""},
		{"GET", "/nowhere", "", 404, "Not found: /nowhere", ""},
	} {
		w := do(t, s, tc.method, tc.path, tc.body)
		if w.Code != tc.code {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, w.Code, tc.code, w.Body)
			continue
		}
		var body struct{ Error string }
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || !strings.Contains(body.Error, tc.want) {
			t.Errorf("%s %s: body %s, want an error containing %q", tc.method, tc.path, w.Body, tc.want)
		}
		if w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, w.Header().Get("Content-Type"))
		}
		if got := w.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}

// TestModelFailureIs500 checks that a model error is answered 500 in TF
// Serving's format and that a panicking model does not take the server
// down.
func TestModelFailureIs500(t *testing.T) {
	s, files, base := newFakeServer(t, map[int]string{1: "image 0"})
	p := files.get(base + "/1/" + ModelFile)
	p.mu.Lock()
	p.kind = "panic"
	p.mu.Unlock()
	for i := 0; i < 2; i++ {
		w := do(t, s, "POST", "/v1/models/m:predict", `{"instances": [[[1,2,3],[4,5,6]]]}`)
		if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "the model: panicked: fake model failure") {
			t.Errorf("%d %s", w.Code, w.Body)
		}
	}
}

func TestHealthz(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{1: "image 0"})
	if w := do(t, s, "GET", "/healthz", ""); w.Code != 200 || w.Body.String() != `{"status":"ok"}` {
		t.Errorf("healthy: %d %s", w.Code, w.Body)
	}
	empty, _, _ := newFakeServer(t, nil)
	if w := do(t, empty, "GET", "/healthz", ""); w.Code != 503 || !strings.Contains(w.Body.String(), "model m has no available version") {
		t.Errorf("no version: %d %s", w.Code, w.Body)
	}
}

func TestMetricsText(t *testing.T) {
	s, _, _ := newFakeServer(t, map[int]string{2: "image 0"}, EnableBatching(true))
	do(t, s, "POST", "/v1/models/m:predict", `{"instances": [[[1,2,3],[4,5,6]], [[1,2,3],[4,5,6]]]}`)
	do(t, s, "POST", "/v1/models/m:predict", `{"instances": [1]}`)
	do(t, s, "POST", "/v1/models/unknown:predict", `{"instances": [1]}`)
	do(t, s, "GET", "/v1/models/m", "")
	w := do(t, s, "GET", "/metrics", "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
	}
	text := w.Body.String()
	for _, want := range []string{
		`gokeras_serving_requests_total{model="m",version="2",api="predict",code="200"} 1`,
		`gokeras_serving_requests_total{model="m",version="2",api="predict",code="400"} 1`,
		`gokeras_serving_requests_total{model="",version="",api="predict",code="404"} 1`,
		`gokeras_serving_requests_total{model="m",version="",api="status",code="200"} 1`,
		`gokeras_serving_request_duration_seconds_count{model="m",version="2",api="predict"} 2`,
		`gokeras_serving_batch_size_bucket{model="m",version="2",le="2"} 1`,
		`gokeras_serving_batch_size_sum{model="m",version="2"} 2`,
		`gokeras_serving_queue_depth{model="m",version="2"} 0`,
		`gokeras_serving_model_loads_total{model="m"} 1`,
		`gokeras_serving_model_versions_available{model="m"} 1`,
		"# TYPE gokeras_serving_request_duration_seconds histogram",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Every sample line is "name{labels} value" with a parseable value.
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.HasPrefix(line, "# ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 || !strings.Contains(line[:i], "{") || !strings.HasSuffix(line[:i], "}") {
			t.Errorf("malformed sample line %q", line)
		}
	}
	if s2 := do(t, s, "GET", "/monitoring/prometheus/metrics", ""); s2.Code != 200 {
		t.Errorf("TF Serving's metrics path: %d", s2.Code)
	}
}

// TestCancelledRequestIsDropped holds the only batch thread, queues a
// request and cancels it as a client that goes away does: the handler
// returns at once, its rows never run, and the metrics count a 499.
func TestCancelledRequestIsDropped(t *testing.T) {
	s, files, base := newFakeServer(t, map[int]string{1: "image 0"},
		Batching(BatchingParameters{NumBatchThreads: 1, MaxBatchSize: 8}))
	p := files.get(base + "/1/" + ModelFile)
	gate, entered := make(chan struct{}), make(chan struct{}, 4)
	p.mu.Lock()
	p.gate, p.entered = gate, entered
	p.mu.Unlock()
	one := `{"instances": [[[1,2,3],[4,5,6]]]}`
	held := make(chan int)
	go func() { held <- do(t, s, "POST", "/v1/models/m:predict", one).Code }()
	<-entered // the thread is busy

	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("POST", "/v1/models/m:predict", strings.NewReader(`{"instances": [`+strings.Repeat(`[[1,2,3],[4,5,6]],`, 4)+`[[1,2,3],[4,5,6]]]}`)).WithContext(ctx)
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { s.ServeHTTP(w, req); close(done) }()
	waitQueued(t, s.models["m"].versions[1].sched, 1)
	cancel()
	<-done
	if w.Code != statusClientClosedRequest {
		t.Errorf("cancelled request answered %d, want 499", w.Code)
	}
	close(gate)
	if code := <-held; code != 200 {
		t.Errorf("held request: %d", code)
	}
	p.mu.Lock()
	batches := append([]int(nil), p.batches...)
	p.mu.Unlock()
	if !reflect.DeepEqual(batches, []int{1}) {
		t.Errorf("model ran batches %v, want [1]: the cancelled 5 rows must not run", batches)
	}
	met := do(t, s, "GET", "/metrics", "").Body.String()
	if !strings.Contains(met, `gokeras_serving_requests_total{model="m",version="1",api="predict",code="499"} 1`) {
		t.Errorf("no 499 in the metrics")
	}
}

// TestQueueFullIs503 fills the one-batch queue while the only thread is
// held: the next request is answered at once with 503, Retry-After and
// TF Serving's error body, and the queued ones still succeed.
func TestQueueFullIs503(t *testing.T) {
	s, files, base := newFakeServer(t, map[int]string{1: "image 0"},
		Batching(BatchingParameters{NumBatchThreads: 1, MaxBatchSize: 1, MaxEnqueuedBatches: 1}))
	p := files.get(base + "/1/" + ModelFile)
	gate, entered := make(chan struct{}), make(chan struct{}, 4)
	p.mu.Lock()
	p.gate, p.entered = gate, entered
	p.mu.Unlock()
	one := `{"instances": [[[1,2,3],[4,5,6]]]}`
	codes := make(chan int, 2)
	go func() { codes <- do(t, s, "POST", "/v1/models/m:predict", one).Code }()
	<-entered
	go func() { codes <- do(t, s, "POST", "/v1/models/m:predict", one).Code }()
	waitQueued(t, s.models["m"].versions[1].sched, 1)
	w := do(t, s, "POST", "/v1/models/m:predict", one)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" ||
		w.Body.String() != `{"error":"the batch scheduling queue is full; retry later"}` {
		t.Errorf("full queue: %d Retry-After %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	close(gate)
	for i := 0; i < 2; i++ {
		if c := <-codes; c != 200 {
			t.Errorf("queued request: %d", c)
		}
	}
}
