package serving

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pkg/errors"
)

// fakePredictor is a model with a known function, for tests that do not
// need gokeras: "image" models take imageSpecs and answer each row's three
// column sums plus tag; "pair" models take pairSpecs and answer two named
// outputs, sum = a0 + a1 + b + tag and scaled = a * b.
type fakePredictor struct {
	kind string
	tag  float64
	in   []tensorSpec
	out  []tensorSpec

	mu      sync.Mutex
	batches []int         // rows of each predict call
	gate    chan struct{} // when set, predict waits for it (or ctx)
	entered chan struct{} // when set, predict signals here first
}

func newFake(kind string, tag float64) *fakePredictor {
	p := &fakePredictor{kind: kind, tag: tag}
	switch kind {
	case "image":
		p.in = imageSpecs
		p.out = []tensorSpec{{name: "dense_1", shape: []int{3}, dtype: float32Type}}
	case "pair":
		p.in = pairSpecs
		p.out = []tensorSpec{
			{name: "sum", shape: nil, dtype: float64Type},
			{name: "scaled", shape: []int{2}, dtype: float64Type},
		}
	}
	return p
}

func (p *fakePredictor) inputs() []tensorSpec  { return p.in }
func (p *fakePredictor) outputs() []tensorSpec { return p.out }

func (p *fakePredictor) predict(ctx context.Context, rows int, xs []column, batchSize int) ([]column, error) {
	p.mu.Lock()
	p.batches = append(p.batches, rows)
	gate, entered := p.gate, p.entered
	p.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	switch p.kind {
	case "image":
		out := make([]float32, 0, rows*3)
		for r := 0; r < rows; r++ {
			x := xs[0].f32[r*6 : r*6+6]
			for c := 0; c < 3; c++ {
				out = append(out, x[c]+x[3+c]+float32(p.tag))
			}
		}
		return []column{{dtype: float32Type, f32: out}}, nil
	case "pair":
		sum := make([]float64, rows)
		scaled := make([]float64, 2*rows)
		for r := 0; r < rows; r++ {
			a, b := xs[0].f64[2*r:2*r+2], xs[1].f64[r]
			sum[r] = a[0] + a[1] + b + p.tag
			scaled[2*r], scaled[2*r+1] = a[0]*b, a[1]*b
		}
		return []column{{dtype: float64Type, f64: sum}, {dtype: float64Type, f64: scaled}}, nil
	case "panic":
		panic("fake model failure")
	}
	return nil, errors.New("fake: unknown kind")
}

// fakeFiles maps model file contents to predictors: "image 2" is an
// image model with tag 2, "pair 0" a pair model, "broken" fails to load.
// Tests reach the predictors loaded to hold or inspect them.
type fakeFiles struct {
	mu     sync.Mutex
	loaded map[string]*fakePredictor // by file path
	prep   func(*fakePredictor)      // called on each predictor loaded
}

func (f *fakeFiles) load(path string) (predictor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		return nil, errors.Errorf("fake: cannot read %s", path)
	}
	tag, err := strconv.ParseFloat(fields[1], 64)
	if err != nil {
		return nil, err
	}
	p := newFake(fields[0], tag)
	if p.in == nil {
		return nil, errors.Errorf("fake: %s: unknown model kind %q", path, fields[0])
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loaded == nil {
		f.loaded = map[string]*fakePredictor{}
	}
	f.loaded[path] = p
	if f.prep != nil {
		f.prep(p)
	}
	return p, nil
}

func (f *fakeFiles) get(path string) *fakePredictor {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loaded[path]
}

// writeVersion writes base/<n>/model.gokeras with content, atomically as
// (*keras.Model).Save does, and returns the file's path.
func writeVersion(t testing.TB, base string, n int, content string) string {
	t.Helper()
	dir := filepath.Join(base, strconv.Itoa(n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ModelFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// newFakeServer serves one model "m" from a temporary base path holding
// the versions given (version number -> file content), polled only when
// the test calls s.poll.
func newFakeServer(t testing.TB, versions map[int]string, opts ...Option) (*Server, *fakeFiles, string) {
	t.Helper()
	base := t.TempDir()
	for n, c := range versions {
		writeVersion(t, base, n, c)
	}
	files := &fakeFiles{}
	all := append([]Option{Model("m", base), PollInterval(0), Logger(io.Discard), withLoader(files.load)}, opts...)
	s, err := NewServer(all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, files, base
}

// do sends one request to h and returns the response.
func do(t testing.TB, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
