package serving

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorgonia.org/tensor"
)

// The load tests run a real gokeras-serve stack (http.Server with the
// command's timeouts, Server, a Fashion-MNIST model saved and loaded from
// a version folder) on 127.0.0.1 and check every answer against a direct
// Predict of the same rows. The normal suite runs a few hundred requests;
// -serving.load=30s runs 64 clients for that long with batching on and
// off and logs the figures docs/serving.md reports:
//
//	go test ./keras/serving -run TestServeFashionLoad -serving.load=30s -v
var loadDuration = flag.Duration("serving.load", 0, "run the full load test for this long per configuration (64 clients; at most 30s)")

// startHTTP serves h on a loopback port with the command's kind of
// timeouts and returns its URL and a function that shuts it down
// gracefully.
func startHTTP(t testing.TB, h http.Handler, readHeader time.Duration) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: readHeader, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != http.ErrServerClosed {
			t.Errorf("Serve: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), func() {
		if err := hs.Shutdown(t.Context()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-done
	}
}

// imageJSON formats each image (784 values) as a nested JSON list whose
// numbers read back as the same float32 values.
func imageJSON(images []float32) []string {
	out := make([]string, len(images)/784)
	var b []byte
	for i := range out {
		b = b[:0]
		b = append(b, '[')
		for r := 0; r < 28; r++ {
			if r > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for c := 0; c < 28; c++ {
				if c > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(images[i*784+r*28+c]), 'g', -1, 32)
			}
			b = append(b, ']')
		}
		out[i] = string(append(b, ']'))
	}
	return out
}

// loadConfig is one load run.
type loadConfig struct {
	url       string
	clients   int
	requests  int           // stop after this many in total (0: no bound)
	duration  time.Duration // stop after this long (0: no bound)
	maxRows   int           // instances per request: 1..maxRows
	columnar  bool          // send half the requests in the columnar format
	instances []string      // JSON of each image
	// want returns the expected output row (10 values) of image i as
	// answered by version v ("" when the version is unknown).
	want func(v string, i int) []float32
}

// loadStats are the results of a load run.
type loadStats struct {
	requests, failures, mismatches int
	latencies                      []time.Duration
	elapsed                        time.Duration
	versions                       map[string]int
	firstFailure                   string
	// sent and answered times of each request by version, for the
	// hot-reload check.
	events []loadEvent
}

type loadEvent struct {
	sent, answered time.Time
	version        string
}

func (s loadStats) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), s.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[min(len(l)-1, int(math.Ceil(p*float64(len(l))))-1)]
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d requests in %v: %.0f requests/s, p50 %v, p99 %v, %d failures, %d answers differing from Predict",
		s.requests, s.elapsed.Round(time.Millisecond), float64(s.requests)/s.elapsed.Seconds(),
		s.percentile(0.50).Round(10*time.Microsecond), s.percentile(0.99).Round(10*time.Microsecond), s.failures, s.mismatches)
}

// runLoad sends predict requests from c.clients goroutines and checks
// every answer.
func runLoad(t testing.TB, c loadConfig) loadStats {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: c.clients, MaxConnsPerHost: c.clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var (
		mu    sync.Mutex
		stats = loadStats{versions: map[string]int{}}
		sent  atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	for w := 0; w < c.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w) + 1))
			var body bytes.Buffer
			for {
				if c.requests > 0 && sent.Add(1) > int64(c.requests) {
					return
				}
				if c.duration > 0 && time.Since(start) > c.duration {
					return
				}
				rows := 1 + rng.Intn(c.maxRows)
				idx := make([]int, rows)
				for i := range idx {
					idx[i] = rng.Intn(len(c.instances))
				}
				columnar := c.columnar && rng.Intn(2) == 0
				body.Reset()
				if columnar {
					body.WriteString(`{"inputs":[`)
				} else {
					body.WriteString(`{"instances":[`)
				}
				for i, k := range idx {
					if i > 0 {
						body.WriteByte(',')
					}
					body.WriteString(c.instances[k])
				}
				body.WriteString("]}")
				t0 := time.Now()
				resp, err := client.Post(c.url, "application/json", bytes.NewReader(body.Bytes()))
				var out []byte
				if err == nil {
					out, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				t1 := time.Now()
				problem := ""
				version := ""
				switch {
				case err != nil:
					problem = err.Error()
				case resp.StatusCode != http.StatusOK:
					problem = fmt.Sprintf("status %d: %s", resp.StatusCode, out)
				default:
					version = resp.Header.Get("X-Model-Version")
					problem = checkAnswer(out, columnar, idx, func(i int) []float32 { return c.want(version, i) })
				}
				mu.Lock()
				stats.requests++
				stats.latencies = append(stats.latencies, t1.Sub(t0))
				stats.events = append(stats.events, loadEvent{t0, t1, version})
				if problem != "" {
					if strings.HasPrefix(problem, "mismatch") {
						stats.mismatches++
					} else {
						stats.failures++
					}
					if stats.firstFailure == "" {
						stats.firstFailure = problem
					}
				} else {
					stats.versions[version]++
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	stats.elapsed = time.Since(start)
	return stats
}

// checkAnswer compares a predict response with the expected rows, bit for
// bit: each number is read as float32 and compared with Predict's value.
func checkAnswer(body []byte, columnar bool, idx []int, want func(i int) []float32) string {
	var resp struct {
		Predictions [][]json.Number
		Outputs     [][]json.Number
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return "bad JSON: " + err.Error()
	}
	rows := resp.Predictions
	if columnar {
		rows = resp.Outputs
	}
	if len(rows) != len(idx) {
		return fmt.Sprintf("%d rows answered for %d", len(rows), len(idx))
	}
	for r, k := range idx {
		w := want(k)
		if w == nil {
			return "mismatch: answer from an unknown version"
		}
		if len(rows[r]) != len(w) {
			return fmt.Sprintf("row %d has %d values", r, len(rows[r]))
		}
		for j, n := range rows[r] {
			f, err := strconv.ParseFloat(string(n), 32)
			if err != nil || math.Float32bits(float32(f)) != math.Float32bits(w[j]) {
				return fmt.Sprintf("mismatch: image %d value %d: served %s, Predict gives %v", k, j, n, w[j])
			}
		}
	}
	return ""
}

// fashionServer saves m as version 1 and serves it; it returns the
// predict URL and a shutdown function that also closes the Server.
func fashionServer(t testing.TB, m interface{ Save(string) error }, opts ...Option) (*Server, string, func()) {
	t.Helper()
	base := t.TempDir()
	saveVersion(t, m, base, 1)
	s, err := NewServer(append([]Option{Model("fashion", base), PollInterval(0), Logger(io.Discard)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startHTTP(t, s, 5*time.Second)
	return s, url + "/v1/models/fashion:predict", func() { stop(); s.Close() }
}

// TestServeFashionLoad serves the Fashion-MNIST model with batching on and
// off and checks every answer against Predict. The normal suite sends a
// few hundred requests; -serving.load gives the full run.
func TestServeFashionLoad(t *testing.T) {
	const n = 2000
	images, train := fashionImages(t, n)
	m := fashionModel(t, 42, tensor.Float32)
	if train != nil && !testing.Short() {
		trainBriefly(t, m, train, 6000)
	}
	ref := directPredict(t, m, images)
	instances := imageJSON(images)
	want := func(v string, i int) []float32 {
		if v != "1" {
			return nil
		}
		return ref[i*10 : i*10+10]
	}
	full := *loadDuration > 0
	configs := []struct {
		name string
		opts []Option
	}{
		{"batching off", []Option{EnableBatching(false)}},
		{"batching on, timeout 0", []Option{Batching(BatchingParameters{MaxBatchSize: 64, MaxEnqueuedBatches: 64})}},
	}
	if full {
		configs = append(configs, struct {
			name string
			opts []Option
		}{"batching on, timeout 1 ms", []Option{Batching(BatchingParameters{MaxBatchSize: 64, BatchTimeout: time.Millisecond, MaxEnqueuedBatches: 64})}})
	}
	for _, conf := range configs {
		batching := conf.name != "batching off"
		s, url, stop := fashionServer(t, m, conf.opts...)
		cfg := loadConfig{url: url, clients: 16, requests: 300, maxRows: 4, columnar: true, instances: instances, want: want}
		if full {
			cfg.clients, cfg.requests, cfg.duration, cfg.maxRows, cfg.columnar = 64, 0, min(*loadDuration, 30*time.Second), 1, false
		}
		st := runLoad(t, cfg)
		t.Logf("%s, %d clients: %v", conf.name, cfg.clients, st)
		if st.failures > 0 || st.mismatches > 0 {
			t.Errorf("%s: %d failures, %d mismatches; first: %s", conf.name, st.failures, st.mismatches, st.firstFailure)
		}
		if batching {
			met := do(t, s, "GET", "/metrics", "").Body.String()
			t.Logf("batch sizes: %s", histogramLine(met, "gokeras_serving_batch_size"))
		}
		stop()
	}
}

// histogramLine summarises a histogram's count and mean from metrics text.
func histogramLine(text, name string) string {
	var sum, count float64
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch {
		case strings.HasPrefix(line, name+"_sum{"):
			sum += v
		case strings.HasPrefix(line, name+"_count{"):
			count += v
		}
	}
	if count == 0 {
		return "none"
	}
	return fmt.Sprintf("%.0f batches, mean %.2f rows", count, sum/count)
}

// TestHotReloadUnderLoad writes version 2 while clients send requests:
// no request fails, each answer is exactly its version's, and once a
// client has seen version 2, every request sent after that is answered by
// version 2.
func TestHotReloadUnderLoad(t *testing.T) {
	const n = 200
	images, _ := fashionImages(t, n)
	m1, m2 := fashionModel(t, 1, tensor.Float32), fashionModel(t, 2, tensor.Float32)
	refs := map[string][]float32{"1": directPredict(t, m1, images), "2": directPredict(t, m2, images)}
	base := t.TempDir()
	saveVersion(t, m1, base, 1)
	s, err := NewServer(Model("fashion", base), PollInterval(10*time.Millisecond), Logger(io.Discard), EnableBatching(true))
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startHTTP(t, s, 5*time.Second)
	go func() {
		time.Sleep(300 * time.Millisecond)
		saveVersion(t, m2, base, 2)
	}()
	st := runLoad(t, loadConfig{url: url + "/v1/models/fashion:predict", clients: 8, duration: 1500 * time.Millisecond, maxRows: 3,
		instances: imageJSON(images), want: func(v string, i int) []float32 {
			if r := refs[v]; r != nil {
				return r[i*10 : i*10+10]
			}
			return nil
		}})
	stop()
	s.Close()
	t.Logf("%v; answers by version: %v", st, st.versions)
	if st.failures > 0 || st.mismatches > 0 {
		t.Fatalf("%d failures, %d mismatches; first: %s", st.failures, st.mismatches, st.firstFailure)
	}
	if st.versions["1"] == 0 || st.versions["2"] == 0 {
		t.Fatalf("answers by version %v: the run did not span the reload", st.versions)
	}
	var firstV2 time.Time
	for _, e := range st.events {
		if e.version == "2" && (firstV2.IsZero() || e.answered.Before(firstV2)) {
			firstV2 = e.answered
		}
	}
	for _, e := range st.events {
		if e.version == "1" && e.sent.After(firstV2) {
			t.Errorf("a request sent %v after the first answer from version 2 was answered by version 1", e.sent.Sub(firstV2))
		}
	}
}

// TestBadInputUnderLoad sends every kind of bad request while good
// clients run: each bad one gets TF Serving's error format and status,
// every good one its exact answer, and after shutdown no goroutine is
// left.
func TestBadInputUnderLoad(t *testing.T) {
	before := runtimeGoroutines()
	const n = 100
	images, _ := fashionImages(t, n)
	m := fashionModel(t, 5, tensor.Float32)
	ref := directPredict(t, m, images)
	base := t.TempDir()
	saveVersion(t, m, base, 1)
	s, err := NewServer(Model("fashion", base), PollInterval(0), Logger(io.Discard), EnableBatching(true),
		RequestLimits(Limits{MaxBodyBytes: 1 << 20}))
	if err != nil {
		t.Fatal(err)
	}
	url, stop := startHTTP(t, s, 200*time.Millisecond)
	instances := imageJSON(images)
	good := make(chan loadStats)
	go func() {
		good <- runLoad(t, loadConfig{url: url + "/v1/models/fashion:predict", clients: 4, duration: 1500 * time.Millisecond, maxRows: 2,
			instances: instances, want: func(v string, i int) []float32 { return ref[i*10 : i*10+10] }})
	}()
	row := instances[0]
	nan := strings.Replace(row, "[", "[NaN,", 3)
	nan = strings.Replace(nan, "[NaN,", "[", 2) // NaN in the first pixel row only
	huge := `{"instances":[` + strings.Repeat(row+",", (2<<20)/len(row)) + row + `]}`
	bad := []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"POST", "/v1/models/fashion:predict", `{"instances": [[[1,2]`, 400, "JSON parse error"},
		{"POST", "/v1/models/fashion:predict", `{"instances": [[1,2,3]]}`, 400, "instances[0][0]: expected a list of 28 entries, found a number"},
		{"POST", "/v1/models/fashion:predict", `{"instances": [` + row + `,` + row[:strings.LastIndex(row, ",")] + `]]]}`, 400, "instances[1][27]: the list has 27 entries, expected 28"},
		{"POST", "/v1/models/fashion:predict", `{"instances": [` + nan + `]}`, 400, "NaN is not a finite number"},
		{"POST", "/v1/models/fashion:predict", huge, 413, "larger than 1048576 bytes"},
		{"POST", "/v1/models/nope:predict", `{"instances": [` + row + `]}`, 404, "Servable not found for request: Latest(nope)"},
		{"POST", "/v1/models/fashion/versions/9:predict", `{"instances": [` + row + `]}`, 404, "Specific(fashion, 9)"},
		{"GET", "/v1/models/fashion:predict", "", 405, "takes POST"},
	}
	tr := &http.Transport{}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		for _, b := range bad {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(b.method, url+b.path, strings.NewReader(b.body))
				resp, err := client.Do(req)
				if err != nil {
					t.Errorf("%s %s: %v", b.method, b.path, err)
					return
				}
				defer resp.Body.Close()
				var e struct{ Error string }
				derr := json.NewDecoder(resp.Body).Decode(&e)
				if resp.StatusCode != b.code || derr != nil || !strings.Contains(e.Error, b.want) {
					t.Errorf("%s %s: %d %q (%v), want %d and an error containing %q", b.method, b.path, resp.StatusCode, e.Error, derr, b.code, b.want)
				}
			}()
		}
		// A client that sends its headers too slowly is disconnected.
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, "POST /v1/models/fashion:predict HTTP/1.1\r\nHost: x\r\n"); err != nil {
				t.Error(err)
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 512)
			for {
				if _, err := conn.Read(buf); err != nil {
					break // closed by the server
				}
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("a slow client held its connection for %v", d)
			}
		}()
	}
	wg.Wait()
	tr.CloseIdleConnections()
	st := <-good
	t.Logf("good clients: %v", st)
	if st.failures > 0 || st.mismatches > 0 {
		t.Errorf("good clients: %d failures, %d mismatches; first: %s", st.failures, st.mismatches, st.firstFailure)
	}
	stop()
	s.Close()
	if after := waitGoroutines(before); after > before {
		t.Errorf("%d goroutines before the server, %d after its shutdown", before, after)
	}
}

func runtimeGoroutines() int { return runtime.NumGoroutine() }
