package serving

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pkgerrors "github.com/pkg/errors"
)

// Server serves models over TF Serving's REST API. It is an http.Handler;
// put it behind an http.Server whose timeouts guard against slow clients
// (cmd/gokeras-serve shows the settings). Create it with NewServer and
// stop it with Close after the http.Server has shut down.
type Server struct {
	cfg     settings
	models  map[string]*served
	names   []string // model names, sorted
	metrics *metrics
	log     *log.Logger

	ctx       context.Context // passed to the models; ends at Close
	cancel    context.CancelFunc
	pollStop  context.CancelFunc
	pollDone  sync.WaitGroup
	unloads   sync.WaitGroup
	polls     atomic.Int64
	closeOnce sync.Once
	bufs      sync.Pool // *bytes.Buffer for bodies and responses
}

// Limits bound what one request may ask of the server. A zero field takes
// its default.
type Limits struct {
	// MaxBodyBytes bounds a request body (default 32 MiB); a larger one is
	// answered 413.
	MaxBodyBytes int64
	// MaxRows bounds the instances (rows) of one predict request (default
	// 4096); more are answered 400.
	MaxRows int
	// MaxDepth bounds the nesting of arrays and objects in a request body
	// (default 32); deeper documents are answered 400 before their values
	// are read.
	MaxDepth int
	// MaxQueuedRequests bounds the requests waiting for a thread when
	// batching is off (default 1024); further ones are answered 503. With
	// batching on, MaxEnqueuedBatches bounds the queue instead.
	MaxQueuedRequests int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = 32 << 20
	}
	if l.MaxRows == 0 {
		l.MaxRows = 4096
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = 32
	}
	if l.MaxQueuedRequests == 0 {
		l.MaxQueuedRequests = 1024
	}
	return l
}

// settings collect the options of NewServer.
type settings struct {
	models           []ModelConfig
	static           map[string]map[int64]predictor
	enableBatching   bool
	batching         BatchingParameters
	pollInterval     time.Duration
	limits           Limits
	requestTimeout   time.Duration
	predictBatchSize int
	logOut           io.Writer
	unbatchedQueue   int
	load             func(path string) (predictor, error) // tests replace it
}

// Option configures NewServer.
type Option func(*settings) error

// Model serves the model whose versions are the numbered folders of
// basePath (TF Serving's --model_name and --model_base_path), each holding
// a ModelFile; by default the latest version is served.
func Model(name, basePath string) Option {
	return Models(ModelConfig{Name: name, BasePath: basePath})
}

// Models serves the models described (TF Serving's model_config_list).
func Models(cfgs ...ModelConfig) Option {
	return func(s *settings) error {
		for _, c := range cfgs {
			if err := c.check(); err != nil {
				return err
			}
			s.models = append(s.models, c)
		}
		return nil
	}
}

// ModelConfigFile serves the models of a TF Serving model configuration
// file (--model_config_file); see ParseModelConfig.
func ModelConfigFile(path string) Option {
	return func(s *settings) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		cfgs, err := ParseModelConfig(f)
		if err != nil {
			return pkgerrors.Wrap(err, path)
		}
		return Models(cfgs...)(s)
	}
}

// EnableBatching turns dynamic batching on or off (TF Serving's
// --enable_batching; default off). With it on, concurrent requests for the
// same model version are queued and run together; with it off each
// request runs alone, on one of NumBatchThreads goroutines.
func EnableBatching(on bool) Option {
	return func(s *settings) error { s.enableBatching = on; return nil }
}

// Batching sets the batching parameters and turns batching on.
func Batching(p BatchingParameters) Option {
	return func(s *settings) error {
		if err := p.check(); err != nil {
			return err
		}
		s.batching, s.enableBatching = p, true
		return nil
	}
}

// PollInterval sets how often the base paths are scanned for new and
// removed versions (TF Serving's --file_system_poll_wait_seconds; default
// 1 s). Zero or less scans once, when the server starts.
func PollInterval(d time.Duration) Option {
	return func(s *settings) error { s.pollInterval = d; return nil }
}

// RequestLimits sets the limits on requests.
func RequestLimits(l Limits) Option {
	return func(s *settings) error {
		if l.MaxBodyBytes < 0 || l.MaxRows < 0 || l.MaxDepth < 0 || l.MaxQueuedRequests < 0 {
			return pkgerrors.Errorf("negative limit in %+v", l)
		}
		s.limits = l
		return nil
	}
}

// RequestTimeout bounds the time a predict request may wait and run (TF
// Serving's --rest_api_timeout_in_ms; default 30 s); one that takes
// longer is answered 504. Zero or less means no bound.
func RequestTimeout(d time.Duration) Option {
	return func(s *settings) error { s.requestTimeout = d; return nil }
}

// PredictBatchSize sets the largest number of rows the model computes in
// one compiled graph (default 32, Keras's predict batch size). A batch of
// more rows runs as several graph runs inside one Predict call. gokeras
// compiles one graph per batch size it meets, so this bounds the graphs
// (and their memory) to n per model version whatever the traffic;
// answers do not depend on it.
func PredictBatchSize(n int) Option {
	return func(s *settings) error {
		if n < 1 {
			return pkgerrors.Errorf("predict batch size %d < 1", n)
		}
		s.predictBatchSize = n
		return nil
	}
}

// Logger sets where the server logs model loads, unloads and failures
// (default os.Stderr).
func Logger(w io.Writer) Option {
	return func(s *settings) error { s.logOut = w; return nil }
}

// withLoader replaces the model file loader (tests).
func withLoader(load func(string) (predictor, error)) Option {
	return func(s *settings) error { s.load = load; return nil }
}

// addStatic records an in-memory model version.
func (s *settings) addStatic(name string, version int64, p predictor) error {
	if err := (ModelConfig{Name: name, BasePath: "-"}).check(); err != nil {
		return err
	}
	if version < 1 {
		return pkgerrors.Errorf("model %s: version %d, want >= 1", name, version)
	}
	if s.static == nil {
		s.static = map[string]map[int64]predictor{}
	}
	if s.static[name] == nil {
		s.static[name] = map[int64]predictor{}
	}
	if s.static[name][version] != nil {
		return pkgerrors.Errorf("model %s version %d is given twice", name, version)
	}
	s.static[name][version] = p
	return nil
}

// NewServer returns a server for the models given by the options (Model,
// Models, ModelConfigFile, StaticModel). It reads every base path once
// before returning, so the versions present are available when it
// returns, and then polls them (PollInterval). A base path that does not
// exist is an error; one with no version yet is served as soon as a
// version appears. Versions that fail to load are logged and skipped.
func NewServer(opts ...Option) (*Server, error) {
	cfg := settings{pollInterval: time.Second, requestTimeout: 30 * time.Second, predictBatchSize: 32, logOut: os.Stderr, load: loadPredictor}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, pkgerrors.Wrap(err, "serving: NewServer")
		}
	}
	cfg.limits = cfg.limits.withDefaults()
	cfg.batching = cfg.batching.withDefaults()
	cfg.unbatchedQueue = cfg.limits.MaxQueuedRequests
	s := &Server{cfg: cfg, models: map[string]*served{}, metrics: newMetrics(), log: log.New(cfg.logOut, "gokeras-serve: ", log.LstdFlags)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, c := range cfg.models {
		if _, dup := s.models[c.Name]; dup {
			return nil, pkgerrors.Errorf("serving: NewServer: model %s is given twice", c.Name)
		}
		st, err := os.Stat(c.BasePath)
		if err != nil {
			return nil, pkgerrors.Wrapf(err, "serving: NewServer: model %s: base path", c.Name)
		}
		if !st.IsDir() {
			return nil, pkgerrors.Errorf("serving: NewServer: model %s: base path %s is not a folder", c.Name, c.BasePath)
		}
		s.models[c.Name] = &served{cfg: c, versions: map[int64]*version{}}
	}
	for name, vs := range cfg.static {
		if _, dup := s.models[name]; dup {
			return nil, pkgerrors.Errorf("serving: NewServer: model %s is given both as a folder and in memory", name)
		}
		m := &served{cfg: ModelConfig{Name: name}, static: true, versions: map[int64]*version{}}
		for n, p := range vs {
			v := &version{number: n, state: stateAvailable}
			if err := s.prepare(name, v, p); err != nil {
				s.stopAll()
				return nil, pkgerrors.Wrapf(err, "serving: NewServer: model %s version %d", name, n)
			}
			m.versions[n] = v
			s.metrics.loaded(name)
		}
		s.models[name] = m
	}
	if len(s.models) == 0 {
		return nil, pkgerrors.New("serving: NewServer: no model to serve: give Model, Models, ModelConfigFile or StaticModel")
	}
	for name := range s.models {
		s.names = append(s.names, name)
	}
	sort.Strings(s.names)
	for _, name := range s.names {
		s.poll(s.models[name])
	}
	if cfg.pollInterval > 0 {
		ctx, stop := context.WithCancel(context.Background())
		s.pollStop = stop
		s.pollDone.Add(1)
		go s.pollLoop(ctx, cfg.pollInterval, &s.pollDone)
	}
	return s, nil
}

// Close stops polling and unloads every version once the requests using it
// have finished. Call it after the http.Server's Shutdown; the Server must
// not be used afterwards. It returns nil.
func (s *Server) Close() error {
	s.closeOnce.Do(s.stopAll)
	return nil
}

func (s *Server) stopAll() {
	if s.pollStop != nil {
		s.pollStop()
		s.pollDone.Wait()
	}
	for _, name := range s.names {
		s.unloadExcept(s.models[name], nil)
	}
	s.unloads.Wait()
	for _, m := range s.models { // static versions of a failed NewServer
		for _, v := range m.versions {
			if v.sched != nil {
				v.sched.close()
			}
		}
	}
	s.cancel()
}

func (s *Server) logf(format string, args ...interface{}) {
	s.log.Printf(format, args...)
}

// requestInfo collects what the metrics record about a request.
type requestInfo struct {
	api, model, version string
}

// ServeHTTP answers TF Serving's REST API under /v1/models/, Prometheus
// metrics under /metrics (and TF Serving's /monitoring/prometheus/metrics),
// and /healthz: 200 when every model has an available version, else 503.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	path := r.URL.EscapedPath()
	switch {
	case path == "/metrics" || path == "/monitoring/prometheus/metrics":
		s.serveMetrics(w, r)
		return
	case path == "/healthz":
		s.serveHealth(w, r)
		return
	case !hasPrefixFold(path, "/v1/"):
		writeError(w, notFound("Not found: %s (the API is under /v1/models/)", path))
		return
	}
	info := &requestInfo{api: "other"}
	code := s.serveAPI(w, r, path, info)
	s.metrics.request(info.model, info.version, info.api, code, time.Since(start).Seconds())
}

// serveAPI answers one /v1/ request and returns the status it wrote.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string, info *requestInfo) (code int) {
	defer func() {
		if p := recover(); p != nil {
			s.logf("panic serving %s %s: %v", r.Method, path, p)
			code = writeError(w, newAPIError(http.StatusInternalServerError, "internal error: %v", p))
		}
	}()
	rt, aerr := parseRoute(r.Method, path)
	if aerr != nil {
		return writeError(w, aerr)
	}
	info.api = rt.kind
	m := s.models[rt.name]
	if m != nil {
		info.model = rt.name
	}
	get := rt.kind == "status" || rt.kind == "metadata"
	if get && r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return writeError(w, newAPIError(http.StatusMethodNotAllowed, "Malformed request: %s %s: the %s API takes GET", r.Method, path, rt.kind))
	}
	if !get && r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return writeError(w, newAPIError(http.StatusMethodNotAllowed, "Malformed request: %s %s: the %s API takes POST", r.Method, path, rt.kind))
	}
	switch rt.kind {
	case "status":
		return s.serveStatus(w, m, rt)
	case "metadata":
		return s.serveMetadata(w, m, rt, info)
	case "predict":
		return s.servePredict(w, r, m, rt, info)
	default:
		return writeError(w, newAPIError(http.StatusNotImplemented, "the %s API is not supported: gokeras models serve predict only", rt.kind))
	}
}

// route is a parsed /v1/models/ URL.
type route struct {
	name     string
	version  int64
	specific bool   // a version was given
	label    string // a version label was given
	kind     string // status, metadata, predict, classify, regress
}

// parseRoute parses TF Serving's URL forms (case-insensitive, as its
// regular expressions): /v1/models/NAME[/versions/N|/labels/L] for status,
// the same + /metadata, and + :predict (or :classify, :regress).
func parseRoute(method, path string) (route, *apiError) {
	var rt route
	malformed := newAPIError(http.StatusBadRequest, "Malformed request: %s %s", method, path)
	const prefix = "/v1/models"
	if !hasPrefixFold(path, prefix) {
		return rt, malformed
	}
	rest := path[len(prefix):]
	if rest == "" || rest == "/" {
		return rt, badRequest("Missing model name in request.")
	}
	if rest[0] != '/' {
		return rt, malformed
	}
	rest = rest[1:]
	name, rest := cutSegment(rest)
	if name == "" {
		return rt, badRequest("Missing model name in request.")
	}
	var err error
	if rt.name, err = unescapePath(name); err != nil {
		return rt, badRequest("Failed to decode model name: %s", name)
	}
	switch {
	case hasPrefixFold(rest, "/versions/"):
		var v string
		v, rest = cutSegment(rest[len("/versions/"):])
		if !allDigits(v) {
			return rt, malformed
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return rt, badRequest("Failed to convert version: %s to numeric.", v)
		}
		rt.version, rt.specific = n, true
	case hasPrefixFold(rest, "/labels/"):
		var l string
		l, rest = cutSegment(rest[len("/labels/"):])
		if l == "" {
			return rt, malformed
		}
		if rt.label, err = unescapePath(l); err != nil {
			return rt, badRequest("Failed to decode model version label: %s", l)
		}
	}
	switch {
	case rest == "":
		rt.kind = "status"
	case equalFold(rest, "/metadata"):
		rt.kind = "metadata"
	case equalFold(rest, ":predict"):
		rt.kind = "predict"
	case equalFold(rest, ":classify"):
		rt.kind = "classify"
	case equalFold(rest, ":regress"):
		rt.kind = "regress"
	default:
		return rt, malformed
	}
	return rt, nil
}

// cutSegment splits s at its first '/' or ':'.
func cutSegment(s string) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' || s[i] == ':' {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// resolve returns the available version a route asks for, with a
// reference held, or TF Serving's "Servable not found" error.
func (s *Server) resolve(m *served, rt route) (*version, *apiError) {
	number, specific := rt.version, rt.specific
	if rt.label != "" {
		if m == nil {
			return nil, notFound("Servable not found for request: Latest(%s)", rt.name)
		}
		n, ok := m.cfg.VersionLabels[rt.label]
		if !ok {
			return nil, notFound("Unrecognized servable version label: %s", rt.label)
		}
		number, specific = n, true
	}
	if m != nil {
		if v := m.acquire(number, specific); v != nil {
			return v, nil
		}
	}
	if specific {
		return nil, notFound("Servable not found for request: Specific(%s, %d)", rt.name, number)
	}
	return nil, notFound("Servable not found for request: Latest(%s)", rt.name)
}

// servePredict answers POST .../models/NAME[...]:predict.
func (s *Server) servePredict(w http.ResponseWriter, r *http.Request, m *served, rt route, info *requestInfo) int {
	v, aerr := s.resolve(m, rt)
	if aerr != nil {
		return writeError(w, aerr)
	}
	defer v.refs.Done()
	info.version = strconv.FormatInt(v.number, 10)
	body := s.getBuf()
	defer s.bufs.Put(body)
	if err := readBody(body, w, r, s.cfg.limits.MaxBodyBytes); err != nil {
		return writeError(w, err)
	}
	req, err := decodePredictRequest(body.Bytes(), v.inputs, decodeLimits{maxRows: s.cfg.limits.MaxRows, maxDepth: s.cfg.limits.MaxDepth})
	if err != nil {
		return writeError(w, err)
	}
	ctx := r.Context()
	if s.cfg.requestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.requestTimeout)
		defer cancel()
	}
	outs, err := v.sched.submit(ctx, req.rows, req.inputs, v.inputs)
	if err != nil {
		if errors.Is(err, errQueueFull) || errors.Is(err, errUnloading) {
			w.Header().Set("Retry-After", "1")
		}
		if r.Context().Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return writeError(w, newAPIError(http.StatusGatewayTimeout, "Deadline exceeded: the request took longer than %v", s.cfg.requestTimeout))
		}
		return writeError(w, err)
	}
	out := s.getBuf()
	defer s.bufs.Put(out)
	out.Write(appendPredictResponse(out.AvailableBuffer(), req.format, v.outputs, req.rows, outs))
	w.Header().Set("X-Model-Version", info.version)
	return writeJSON(w, http.StatusOK, out.Bytes())
}

// readBody reads a request body of at most limit bytes into buf.
func readBody(buf *bytes.Buffer, w http.ResponseWriter, r *http.Request, limit int64) error {
	tooLarge := newAPIError(http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes, this server's limit", limit)
	if r.ContentLength > limit {
		return tooLarge
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge
	case err != nil:
		return newAPIError(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return nil
}

func (s *Server) getBuf() *bytes.Buffer {
	if b, ok := s.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// Status API (get_model_status.proto, GetModelStatusResponse).

type statusResponse struct {
	ModelVersionStatus []versionStatus `json:"model_version_status"`
}

type versionStatus struct {
	Version string      `json:"version"`
	State   string      `json:"state"`
	Status  errorStatus `json:"status"`
}

type errorStatus struct {
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
}

// serveStatus answers GET .../models/NAME[/versions/N|/labels/L]: every
// version known (loading, available, unloading, ended), newest first, as
// TF Serving's servable state monitor lists them; a version that failed to
// load is END with error code UNKNOWN and the load error.
func (s *Server) serveStatus(w http.ResponseWriter, m *served, rt route) int {
	if m == nil {
		return writeError(w, notFound("Could not find any versions of model %s", rt.name))
	}
	number, specific := rt.version, rt.specific
	if rt.label != "" {
		n, ok := m.cfg.VersionLabels[rt.label]
		if !ok {
			return writeError(w, notFound("Unrecognized servable version label: %s", rt.label))
		}
		number, specific = n, true
	}
	var resp statusResponse
	m.mu.RLock()
	for n, v := range m.versions {
		if specific && n != number {
			continue
		}
		st := errorStatus{ErrorCode: "OK"}
		if v.errMsg != "" {
			st = errorStatus{ErrorCode: "UNKNOWN", ErrorMessage: v.errMsg}
		}
		resp.ModelVersionStatus = append(resp.ModelVersionStatus, versionStatus{Version: strconv.FormatInt(n, 10), State: v.state.String(), Status: st})
	}
	m.mu.RUnlock()
	if len(resp.ModelVersionStatus) == 0 {
		if specific {
			return writeError(w, notFound("Could not find version %d of model %s", number, rt.name))
		}
		return writeError(w, notFound("Could not find any versions of model %s", rt.name))
	}
	sort.Slice(resp.ModelVersionStatus, func(i, j int) bool {
		a, _ := strconv.ParseInt(resp.ModelVersionStatus[i].Version, 10, 64)
		b, _ := strconv.ParseInt(resp.ModelVersionStatus[j].Version, 10, 64)
		return a > b
	})
	return writeJSONValue(w, resp)
}

// Metadata API (get_model_metadata.proto with the signature_def field,
// laid out as TF Serving's http_rest_api_util.cc writes it).

type metadataResponse struct {
	ModelSpec modelSpec `json:"model_spec"`
	Metadata  struct {
		SignatureDef struct {
			SignatureDef map[string]signatureDef `json:"signature_def"`
		} `json:"signature_def"`
	} `json:"metadata"`
}

type modelSpec struct {
	Name          string `json:"name"`
	SignatureName string `json:"signature_name"`
	Version       string `json:"version"`
}

type signatureDef struct {
	Inputs     map[string]tensorInfo  `json:"inputs"`
	Outputs    map[string]tensorInfo  `json:"outputs"`
	MethodName string                 `json:"method_name"`
	Defaults   map[string]interface{} `json:"defaults"`
}

type tensorInfo struct {
	Dtype       string      `json:"dtype"`
	TensorShape tensorShape `json:"tensor_shape"`
	Name        string      `json:"name"`
}

type tensorShape struct {
	Dim         []shapeDim `json:"dim"`
	UnknownRank bool       `json:"unknown_rank"`
}

type shapeDim struct {
	Size string `json:"size"`
	Name string `json:"name"`
}

// serveMetadata answers GET .../models/NAME[/versions/N|/labels/L]/metadata
// with the version's one signature, serving_default: dtypes as TF names
// (DT_FLOAT, DT_DOUBLE), the batch dimension as -1, and tensor names as a
// TF 2 SavedModel of a Keras model has them (serving_default_<input>:0,
// StatefulPartitionedCall:<i>).
func (s *Server) serveMetadata(w http.ResponseWriter, m *served, rt route, info *requestInfo) int {
	v, aerr := s.resolve(m, rt)
	if aerr != nil {
		return writeError(w, aerr)
	}
	defer v.refs.Done()
	info.version = strconv.FormatInt(v.number, 10)
	var resp metadataResponse
	resp.ModelSpec = modelSpec{Name: rt.name, Version: info.version}
	sig := signatureDef{Inputs: map[string]tensorInfo{}, Outputs: map[string]tensorInfo{}, MethodName: "tensorflow/serving/predict", Defaults: map[string]interface{}{}}
	for _, in := range v.inputs {
		sig.Inputs[in.name] = specInfo(in, "serving_default_"+in.name+":0")
	}
	for i, out := range v.outputs {
		sig.Outputs[out.name] = specInfo(out, "StatefulPartitionedCall:"+strconv.Itoa(i))
	}
	resp.Metadata.SignatureDef.SignatureDef = map[string]signatureDef{defaultSignature: sig}
	return writeJSONValue(w, resp)
}

func specInfo(s tensorSpec, name string) tensorInfo {
	dims := []shapeDim{{Size: "-1"}}
	for _, d := range s.shape {
		dims = append(dims, shapeDim{Size: strconv.Itoa(d)})
	}
	return tensorInfo{Dtype: s.dtype.tfName(), TensorShape: tensorShape{Dim: dims}, Name: name}
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, newAPIError(http.StatusMethodNotAllowed, "%s %s: metrics take GET", r.Method, r.URL.Path))
		return
	}
	avail := map[string]int{}
	for _, name := range s.names {
		avail[name] = s.models[name].available()
	}
	b := s.getBuf()
	defer s.bufs.Put(b)
	s.metrics.write(b, avail)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, newAPIError(http.StatusMethodNotAllowed, "%s %s: health checks take GET", r.Method, r.URL.Path))
		return
	}
	for _, name := range s.names {
		if s.models[name].available() == 0 {
			writeError(w, newAPIError(http.StatusServiceUnavailable, "model %s has no available version", name))
			return
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

// writeJSON writes a JSON body and returns the status.
func writeJSON(w http.ResponseWriter, status int, body []byte) int {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

func writeJSONValue(w http.ResponseWriter, v interface{}) int {
	b, err := json.Marshal(v)
	if err != nil {
		return writeError(w, newAPIError(http.StatusInternalServerError, "Failed to convert proto to json. Error: %v", err))
	}
	return writeJSON(w, http.StatusOK, b)
}

// writeError writes TF Serving's error body {"error": "<message>"} with
// the status the error maps to, and returns the status.
func writeError(w http.ResponseWriter, err error) int {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, context.Canceled):
		ae = newAPIError(statusClientClosedRequest, "the request was cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		ae = newAPIError(http.StatusGatewayTimeout, "Deadline exceeded")
	default:
		ae = newAPIError(http.StatusInternalServerError, "%v", err)
	}
	body := appendJSONString([]byte(`{"error":`), ae.msg)
	body = append(body, '}')
	return writeJSON(w, ae.status, body)
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold compares ASCII case-insensitively.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// unescapePath decodes %XX escapes in a path segment.
func unescapePath(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}
