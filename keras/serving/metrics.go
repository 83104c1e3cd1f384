package serving

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Prometheus metrics in the text exposition format (version 0.0.4),
// written without a client library. Label values come only from the
// server's configuration and its version numbers, never from request
// text, so the number of series stays bounded.

// latencyBuckets are the upper bounds of the request latency histogram, in
// seconds.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// batchBuckets are the upper bounds of the batch size histogram, in rows.
var batchBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}

// histogram counts observations into fixed buckets; safe for concurrent
// use.
type histogram struct {
	bounds []float64
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Uint64   // float64 bits
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v
	h.counts[i].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			break
		}
	}
}

// metrics holds every series the server exports.
type metrics struct {
	mu           sync.Mutex
	requests     map[string]*atomic.Uint64 // labels -> count
	latency      map[string]*histogram     // labels -> seconds
	batchSize    map[string]*histogram     // labels -> rows
	queueDepth   map[string]*atomic.Int64  // labels -> queued requests
	loadFailures map[string]*atomic.Uint64 // labels -> failed loads
	loads        map[string]*atomic.Uint64 // labels -> versions loaded
}

func newMetrics() *metrics {
	return &metrics{
		requests:     map[string]*atomic.Uint64{},
		latency:      map[string]*histogram{},
		batchSize:    map[string]*histogram{},
		queueDepth:   map[string]*atomic.Int64{},
		loadFailures: map[string]*atomic.Uint64{},
		loads:        map[string]*atomic.Uint64{},
	}
}

// labels renders label pairs (name, value, name, value...) in Prometheus
// syntax without the braces.
func labels(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kv[i])
		b.WriteString(`="`)
		for _, c := range kv[i+1] {
			switch c {
			case '\\':
				b.WriteString(`\\`)
			case '"':
				b.WriteString(`\"`)
			case '\n':
				b.WriteString(`\n`)
			default:
				b.WriteRune(c)
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}

func counterFor(mu *sync.Mutex, m map[string]*atomic.Uint64, key string) *atomic.Uint64 {
	mu.Lock()
	defer mu.Unlock()
	c := m[key]
	if c == nil {
		c = new(atomic.Uint64)
		m[key] = c
	}
	return c
}

func histogramFor(mu *sync.Mutex, m map[string]*histogram, key string, bounds []float64) *histogram {
	mu.Lock()
	defer mu.Unlock()
	h := m[key]
	if h == nil {
		h = newHistogram(bounds)
		m[key] = h
	}
	return h
}

// request records one finished API request.
func (m *metrics) request(model, version, api string, code int, seconds float64) {
	counterFor(&m.mu, m.requests, labels("model", model, "version", version, "api", api, "code", strconv.Itoa(code))).Add(1)
	histogramFor(&m.mu, m.latency, labels("model", model, "version", version, "api", api), latencyBuckets).observe(seconds)
}

// versionSeries returns the batch size histogram and queue depth gauge of
// one model version.
func (m *metrics) versionSeries(model string, version int64) (*histogram, *atomic.Int64) {
	key := labels("model", model, "version", strconv.FormatInt(version, 10))
	h := histogramFor(&m.mu, m.batchSize, key, batchBuckets)
	m.mu.Lock()
	defer m.mu.Unlock()
	g := new(atomic.Int64) // a new version's own gauge
	m.queueDepth[key] = g
	return h, g
}

// dropVersion removes the queue depth gauge of an unloaded version (its
// counters and histograms stay, as counters must).
// The gauge is dropped only if it is still g: a version loaded again
// under the same number has a gauge of its own.
func (m *metrics) dropVersion(model string, version int64, g *atomic.Int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := labels("model", model, "version", strconv.FormatInt(version, 10))
	if m.queueDepth[key] == g {
		delete(m.queueDepth, key)
	}
}

func (m *metrics) loadFailed(model string) {
	counterFor(&m.mu, m.loadFailures, labels("model", model)).Add(1)
}

func (m *metrics) loaded(model string) {
	counterFor(&m.mu, m.loads, labels("model", model)).Add(1)
}

// write appends every series in the text format; available gives the
// number of available versions of each model, computed at scrape time.
func (m *metrics) write(b *bytes.Buffer, available map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	writeCounters(b, "gokeras_serving_requests_total", "REST API requests by model, version, API (predict, status, metadata) and HTTP status code.", m.requests)
	writeHistograms(b, "gokeras_serving_request_duration_seconds", "REST API request latency in seconds, from the request's arrival to the end of the response.", m.latency)
	writeHistograms(b, "gokeras_serving_batch_size", "Rows (instances) per batch run by the model.", m.batchSize)
	b.WriteString("# HELP gokeras_serving_queue_depth Requests waiting in the model version's batch queue.\n# TYPE gokeras_serving_queue_depth gauge\n")
	for _, k := range sortedKeys(m.queueDepth) {
		b.WriteString("gokeras_serving_queue_depth{" + k + "} " + strconv.FormatInt(m.queueDepth[k].Load(), 10) + "\n")
	}
	writeCounters(b, "gokeras_serving_model_load_failures_total", "Model versions that failed to load.", m.loadFailures)
	writeCounters(b, "gokeras_serving_model_loads_total", "Model versions loaded.", m.loads)
	b.WriteString("# HELP gokeras_serving_model_versions_available Versions of the model that serve requests.\n# TYPE gokeras_serving_model_versions_available gauge\n")
	names := make([]string, 0, len(available))
	for n := range available {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("gokeras_serving_model_versions_available{" + labels("model", n) + "} " + strconv.Itoa(available[n]) + "\n")
	}
}

func writeCounters(b *bytes.Buffer, name, help string, m map[string]*atomic.Uint64) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " counter\n")
	for _, k := range sortedKeys(m) {
		b.WriteString(name + "{" + k + "} " + strconv.FormatUint(m[k].Load(), 10) + "\n")
	}
}

func writeHistograms(b *bytes.Buffer, name, help string, m map[string]*histogram) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n")
	for _, k := range sortedKeys(m) {
		h := m[k]
		var cum uint64
		for i, bound := range h.bounds {
			cum += h.counts[i].Load()
			b.WriteString(name + "_bucket{" + k + `,le="` + strconv.FormatFloat(bound, 'g', -1, 64) + `"} ` + strconv.FormatUint(cum, 10) + "\n")
		}
		cum += h.counts[len(h.bounds)].Load()
		b.WriteString(name + "_bucket{" + k + `,le="+Inf"} ` + strconv.FormatUint(cum, 10) + "\n")
		b.WriteString(name + "_sum{" + k + "} " + strconv.FormatFloat(math.Float64frombits(h.sum.Load()), 'g', -1, 64) + "\n")
		b.WriteString(name + "_count{" + k + "} " + strconv.FormatUint(cum, 10) + "\n")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
