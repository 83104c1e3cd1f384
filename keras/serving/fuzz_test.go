package serving

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"reflect"
	"testing"
)

// FuzzDecodePredictRequest feeds arbitrary bodies to the decoder for a
// one-input float32 model and a two-input float64 model. It checks that
// the decoder never panics, refuses with a 400 whatever is not valid
// JSON, and that what it accepts holds finite values of the right count
// which survive a round trip through the response encoder bit for bit.
//
//	go test ./keras/serving -run '^$' -fuzz FuzzDecodePredictRequest -fuzztime 5m
func FuzzDecodePredictRequest(f *testing.F) {
	for _, seed := range []string{
		`{"instances": [[[1,2,3],[4,5,6]]]}`,
		`{"signature_name": "serving_default", "instances": [{"flatten_input": [[1,2,3],[4,5,6]]}]}`,
		`{"inputs": [[[1e-7,2.5,-3],[4,5,6]], [[0,0,0],[0,0,1E3]]]}`,
		`{"instances": [{"a": [1, 2], "b": 3}, {"b": 0.5, "a": [4, -2]}]}`,
		`{"inputs": {"a": [[1, 2]], "b": [3]}}`,
		`{"instances": [[[1,2,3],[4,NaN,6]]], "x": [Infinity, -Infinity]}`,
		`{"instances": [[[16777217,2,3],[4,5,6]]]}`,
		`{"inst\u0061nces": [[["1",2,3],[4,5,6]]]}`,
		`[[[[[[[[[[[[]]]]]]]]]]]]`,
		`{"instances": []}`,
		``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	lim := decodeLimits{maxRows: 16, maxDepth: 12}
	f.Fuzz(func(t *testing.T, body []byte, pair bool) {
		specs := imageSpecs
		if pair {
			specs = pairSpecs
		}
		req, err := decodePredictRequest(body, specs, lim)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400 apiError", err)
			}
			return
		}
		if !json.Valid(body) && !bytes.Contains(body, []byte("NaN")) && !bytes.Contains(body, []byte("Infinity")) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if req.rows < 1 || req.rows > lim.maxRows {
			t.Fatalf("%d rows", req.rows)
		}
		if len(req.inputs) != len(specs) {
			t.Fatalf("%d inputs for %d specs", len(req.inputs), len(specs))
		}
		for i, c := range req.inputs {
			if c.dtype != specs[i].dtype || c.len() != req.rows*specs[i].size() {
				t.Fatalf("input %d: %d %v values for %d rows", i, c.len(), c.dtype, req.rows)
			}
			for k := 0; k < c.len(); k++ {
				v := c.f64
				var x float64
				if c.dtype == float32Type {
					x = float64(c.f32[k])
				} else {
					x = v[k]
				}
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("input %d holds %v", i, x)
				}
			}
		}
		// Round trip: the values written as a columnar request read back
		// identically.
		again, err := decodePredictRequest(appendPredictResponseAsRequest(specs, req), specs, lim)
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if !reflect.DeepEqual(again.inputs, req.inputs) {
			t.Fatalf("round trip changed the values")
		}
	})
}

// appendPredictResponseAsRequest writes a decoded request's inputs back as
// a columnar request, with the response encoder's number format.
func appendPredictResponseAsRequest(specs []tensorSpec, req *predictRequest) []byte {
	out := appendPredictResponse(nil, columnarFormat, specs, req.rows, req.inputs)
	// {"outputs": ...} -> {"inputs": ...}
	return append([]byte(`{"inputs"`), out[len(`{"outputs"`):]...)
}
