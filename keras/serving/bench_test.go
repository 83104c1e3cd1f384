package serving

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkDecodeFashionInstance decodes a row-format request holding one
// 28×28 image, the decoder's share of a predict request.
func BenchmarkDecodeFashionInstance(b *testing.B) {
	images, _ := fashionImages(b, 1)
	body := []byte(`{"instances": [` + imageJSON(images)[0] + `]}`)
	spec := []tensorSpec{{name: "flatten_input", shape: []int{28, 28}, dtype: float32Type}}
	lim := decodeLimits{maxRows: 10, maxDepth: 32}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePredictRequest(body, spec, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServePredict runs whole predict requests of one image through
// the handler (no network): body read, decode, queue, Predict of the
// Fashion-MNIST model, encode.
func BenchmarkServePredict(b *testing.B) {
	for _, batching := range []bool{false, true} {
		name := "unbatched"
		if batching {
			name = "batched"
		}
		b.Run(name, func(b *testing.B) {
			images, _ := fashionImages(b, 1)
			body := `{"instances": [` + imageJSON(images)[0] + `]}`
			m := fashionModel(b, 1, tensor.Float32)
			base := b.TempDir()
			saveVersion(b, m, base, 1)
			s, err := NewServer(Model("fashion", base), PollInterval(0), Logger(io.Discard), EnableBatching(batching))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/v1/models/fashion:predict", strings.NewReader(body))
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Body)
				}
			}
		})
	}
}
