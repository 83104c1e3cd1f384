package serving

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// ModelFile is the name of the model file inside a version folder:
// <base path>/<version>/model.gokeras, written by (*keras.Model).Save. It
// plays the part of TF Serving's saved_model.pb: a version folder without
// it is not a version yet (it may still be being written), and is picked
// up once the file appears.
const ModelFile = "model.gokeras"

// maxVersionsKept bounds the versions of a model remembered for the status
// API; the oldest ended ones are forgotten first.
const maxVersionsKept = 64

// versionState is a model version's life-cycle state, with TF Serving's
// names and order (get_model_status.proto, ModelVersionStatus.State).
type versionState int

const (
	stateStart     versionState = 10
	stateLoading   versionState = 20
	stateAvailable versionState = 30
	stateUnloading versionState = 40
	stateEnd       versionState = 50
)

func (s versionState) String() string {
	switch s {
	case stateStart:
		return "START"
	case stateLoading:
		return "LOADING"
	case stateAvailable:
		return "AVAILABLE"
	case stateUnloading:
		return "UNLOADING"
	case stateEnd:
		return "END"
	}
	return "UNKNOWN"
}

// fileStamp identifies one content of a model file, so a version that
// failed to load is tried again only when its file changes.
type fileStamp struct {
	size    int64
	modTime time.Time
}

// version is one loaded (or loading, or ended) version of a model.
type version struct {
	number int64
	stamp  fileStamp

	// Set before the version becomes available, constant after.
	pred    predictor
	inputs  []tensorSpec
	outputs []tensorSpec
	sched   *scheduler
	depth   *atomic.Int64 // its queue depth gauge

	// Guarded by the model's mu.
	state  versionState
	errMsg string // why loading failed; "" when it did not

	refs sync.WaitGroup // requests using the version
}

// served is one model: its configuration and versions.
type served struct {
	cfg    ModelConfig
	static bool // versions given in memory (StaticModel), never polled

	mu       sync.RWMutex
	versions map[int64]*version
	baseErr  string // the last problem reading the base path, to log it once
}

// acquire returns the available version asked for (the latest unless
// specific) holding a reference to it; release it with v.refs.Done().
func (m *served) acquire(number int64, specific bool) *version {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var v *version
	if specific {
		if c := m.versions[number]; c != nil && c.state == stateAvailable {
			v = c
		}
	} else {
		for _, c := range m.versions {
			if c.state == stateAvailable && (v == nil || c.number > v.number) {
				v = c
			}
		}
	}
	if v != nil {
		v.refs.Add(1)
	}
	return v
}

// available returns the number of available versions.
func (m *served) available() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, v := range m.versions {
		if v.state == stateAvailable {
			n++
		}
	}
	return n
}

// diskVersion is a version folder found under a base path.
type diskVersion struct {
	number int64
	file   string
	stamp  fileStamp
}

// scanBasePath lists the version folders of base that hold a model file:
// folders named by a decimal number (leading zeros allowed, as TF Serving
// parses "00000123" as 123), others ignored.
func scanBasePath(base string) (map[int64]diskVersion, error) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, err
	}
	found := map[int64]diskVersion{}
	names := map[int64]string{}
	for _, e := range entries {
		name := e.Name()
		if !allDigits(name) {
			continue
		}
		n, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			continue // too large for a version number
		}
		file := filepath.Join(base, name, ModelFile)
		st, err := os.Stat(file)
		if err != nil || !st.Mode().IsRegular() {
			continue // not (yet) a version
		}
		if prev, dup := names[n]; dup {
			// "7" and "007": keep the name that sorts first so the choice
			// does not depend on the order the folder is read in.
			if prev < name {
				continue
			}
		}
		names[n] = name
		found[n] = diskVersion{number: n, file: file, stamp: fileStamp{st.Size(), st.ModTime()}}
	}
	return found, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// aspired returns the version numbers the policy wants served out of the
// candidates, highest first.
func (p VersionPolicy) aspired(candidates []int64) []int64 {
	sort.Slice(candidates, func(i, j int) bool { return candidates[i] > candidates[j] })
	switch {
	case p.All:
		return candidates
	case len(p.Specific) > 0:
		var out []int64
		for _, c := range candidates {
			for _, s := range p.Specific {
				if c == s {
					out = append(out, c)
					break
				}
			}
		}
		return out
	default:
		n := p.Latest
		if n <= 0 {
			n = 1
		}
		return candidates[:min(n, len(candidates))]
	}
}

// poll brings one model's versions in line with its base path: it loads
// the versions the policy wants that are not loaded (the newest first; a
// version that fails is recorded and the policy applied again without it,
// so the newest good version is served), then unloads the versions no
// longer wanted, once the wanted ones are available. Versions in flight
// finish on the version they started on.
func (s *Server) poll(m *served) {
	if m.static {
		return
	}
	disk, err := scanBasePath(m.cfg.BasePath)
	if err != nil {
		msg := err.Error()
		m.mu.Lock()
		repeat := m.baseErr == msg
		m.baseErr = msg
		m.mu.Unlock()
		if !repeat {
			s.logf("model %s: cannot read base path %s: %v", m.cfg.Name, m.cfg.BasePath, err)
		}
		disk = map[int64]diskVersion{}
	} else {
		m.mu.Lock()
		m.baseErr = ""
		m.mu.Unlock()
	}
	// Each failed load takes a candidate away, so this ends.
	for attempt := 0; attempt <= len(disk); attempt++ {
		m.mu.RLock()
		var candidates []int64
		for n, d := range disk {
			if v := m.versions[n]; v != nil && v.errMsg != "" && v.stamp == d.stamp {
				continue // failed to load and unchanged since
			}
			candidates = append(candidates, n)
		}
		m.mu.RUnlock()
		want := m.cfg.VersionPolicy.aspired(candidates)
		failed := false
		for _, n := range want {
			m.mu.RLock()
			v := m.versions[n]
			m.mu.RUnlock()
			if v != nil && v.state == stateAvailable && v.stamp == disk[n].stamp {
				continue
			}
			if v != nil && v.state == stateAvailable {
				// The file was replaced in place: the loaded model stays
				// until the folder goes; TF Serving does not reload a
				// version either. Write a new version folder instead.
				continue
			}
			if !s.load(m, disk[n]) {
				failed = true
			}
		}
		if !failed {
			s.unloadExcept(m, want)
			break
		}
	}
	s.forget(m)
}

// load loads one version and makes it available; it reports success.
func (s *Server) load(m *served, d diskVersion) bool {
	v := &version{number: d.number, stamp: d.stamp, state: stateLoading}
	m.mu.Lock()
	m.versions[d.number] = v
	m.mu.Unlock()
	s.logf("model %s: loading version %d from %s", m.cfg.Name, d.number, d.file)
	start := time.Now()
	p, err := s.loadPredictor(d.file)
	if err == nil {
		err = s.prepare(m.cfg.Name, v, p)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		v.state, v.errMsg = stateEnd, err.Error()
		if v.errMsg == "" {
			v.errMsg = "unknown error"
		}
		s.metrics.loadFailed(m.cfg.Name)
		s.logf("model %s: version %d failed to load, skipped: %v", m.cfg.Name, d.number, err)
		return false
	}
	v.state = stateAvailable
	s.metrics.loaded(m.cfg.Name)
	s.logf("model %s: version %d available (loaded in %v)", m.cfg.Name, d.number, time.Since(start).Round(time.Millisecond))
	return true
}

// loadPredictor loads a model file, turning a panic into an error.
func (s *Server) loadPredictor(path string) (p predictor, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, kerrors.Recovered("serving: loading", r)
		}
	}()
	return s.cfg.load(path)
}

// prepare checks a loaded model's signature and starts its scheduler.
func (s *Server) prepare(model string, v *version, p predictor) error {
	in, out := p.inputs(), p.outputs()
	if len(in) == 0 || len(out) == 0 {
		return errors.New("the model's signature has no inputs or no outputs")
	}
	for _, spec := range append(append([]tensorSpec(nil), in...), out...) {
		if err := spec.check(); err != nil {
			return err
		}
	}
	v.pred, v.inputs, v.outputs = p, in, out
	hist, depth := s.metrics.versionSeries(model, v.number)
	v.depth = depth
	params := s.cfg.batching
	if !s.cfg.enableBatching {
		params = BatchingParameters{MaxEnqueuedBatches: s.cfg.unbatchedQueue, NumBatchThreads: s.cfg.batching.NumBatchThreads}
	}
	v.sched = newScheduler(s.cfg.enableBatching, params,
		func(rows int, xs []column) ([]column, error) { return s.run(v, rows, xs) },
		func(rows int) { hist.observe(float64(rows)) },
		func(n int) { depth.Store(int64(n)) })
	return nil
}

// run calls the model for one batch, turning a panic into an error.
func (s *Server) run(v *version, rows int, xs []column) (outs []column, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, kerrors.Recovered("serving: the model", r)
		}
	}()
	outs, err = v.pred.predict(s.ctx, rows, xs, min(rows, s.cfg.predictBatchSize))
	if err != nil {
		return nil, err
	}
	if len(outs) != len(v.outputs) {
		return nil, errors.Errorf("the model returned %d outputs, its signature has %d", len(outs), len(v.outputs))
	}
	for i, o := range outs {
		if o.dtype != v.outputs[i].dtype || o.len() != rows*v.outputs[i].size() {
			return nil, errors.Errorf("the model returned %d %v values for output %s, want %d %v", o.len(), o.dtype, v.outputs[i].name, rows*v.outputs[i].size(), v.outputs[i].dtype)
		}
	}
	return outs, nil
}

// unloadExcept unloads the available versions not in keep.
func (s *Server) unloadExcept(m *served, keep []int64) {
	m.mu.Lock()
	var gone []*version
	for n, v := range m.versions {
		if v.state != stateAvailable {
			continue
		}
		kept := false
		for _, k := range keep {
			kept = kept || k == n
		}
		if !kept {
			v.state = stateUnloading
			gone = append(gone, v)
		}
	}
	m.mu.Unlock()
	for _, v := range gone {
		s.logf("model %s: unloading version %d", m.cfg.Name, v.number)
		s.unloads.Add(1)
		go func(v *version) {
			defer s.unloads.Done()
			s.finish(m, v)
		}(v)
	}
}

// finish waits for a version's requests, stops its scheduler and marks it
// ended.
func (s *Server) finish(m *served, v *version) {
	v.refs.Wait() // no new reference: the state is no longer available
	v.sched.close()
	m.mu.Lock()
	v.state, v.pred, v.sched = stateEnd, nil, nil
	m.mu.Unlock()
	s.metrics.dropVersion(m.cfg.Name, v.number, v.depth)
	s.logf("model %s: version %d unloaded", m.cfg.Name, v.number)
}

// forget drops the oldest ended versions beyond maxVersionsKept.
func (s *Server) forget(m *served) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.versions) <= maxVersionsKept {
		return
	}
	var ended []int64
	for n, v := range m.versions {
		if v.state == stateEnd {
			ended = append(ended, n)
		}
	}
	sort.Slice(ended, func(i, j int) bool { return ended[i] < ended[j] })
	for _, n := range ended[:min(len(ended), len(m.versions)-maxVersionsKept)] {
		delete(m.versions, n)
	}
}

// pollLoop polls every model's base path until ctx ends.
func (s *Server) pollLoop(ctx context.Context, every time.Duration, done *sync.WaitGroup) {
	defer done.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, m := range s.models {
				if ctx.Err() != nil {
					return
				}
				s.poll(m)
			}
			s.polls.Add(1)
		}
	}
}
