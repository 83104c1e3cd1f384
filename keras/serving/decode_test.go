package serving

import (
	"errors"
	"math"
	"math/rand"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Specs used across the package's tests.
var (
	// one float32 input of shape (2, 3): a small image.
	imageSpecs = []tensorSpec{{name: "flatten_input", shape: []int{2, 3}, dtype: float32Type}}
	// two float64 inputs: a vector and a scalar.
	pairSpecs = []tensorSpec{
		{name: "a", shape: []int{2}, dtype: float64Type},
		{name: "b", shape: nil, dtype: float64Type},
	}
)

var testLimits = decodeLimits{maxRows: 8, maxDepth: 8}

func TestDecodeAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		specs  []tensorSpec
		body   string
		format requestFormat
		rows   int
		f32    [][]float32
		f64    [][]float64
	}{
		{"row", imageSpecs, `{"instances": [[[1, 2, 3], [4, 5, 6]], [[0.5, -0.25, 1e-3], [1E2, 0, -0]]]}`, rowFormat, 2,
			[][]float32{{1, 2, 3, 4, 5, 6, 0.5, -0.25, 1e-3, 100, 0, 0}}, nil},
		{"row signature and unknown keys", imageSpecs, `{"signature_name":"serving_default","meta":{"x":[1,{"y":null}]},"instances":[[[1,2,3],[4,5,6]]]}`, rowFormat, 1,
			[][]float32{{1, 2, 3, 4, 5, 6}}, nil},
		{"row named single input", imageSpecs, `{"instances": [{"flatten_input": [[1,2,3],[4,5,6]]}]}`, rowFormat, 1,
			[][]float32{{1, 2, 3, 4, 5, 6}}, nil},
		{"columnar", imageSpecs, `{"inputs": [[[1,2,3],[4,5,6]], [[7,8,9],[10,11,12]]]}`, columnarFormat, 2,
			[][]float32{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}, nil},
		{"columnar named single input", imageSpecs, `{"inputs": {"flatten_input": [[[1,2,3],[4,5,6]]]}}`, columnarFormat, 1,
			[][]float32{{1, 2, 3, 4, 5, 6}}, nil},
		{"row named inputs any order", pairSpecs, `{"instances": [{"b": 3, "a": [1, 2]}, {"a": [4, 5], "b": 6}]}`, rowFormat, 2,
			nil, [][]float64{{1, 2, 4, 5}, {3, 6}}},
		{"columnar named inputs", pairSpecs, "{\"inputs\":{\"a\":[[1,2],[4,5]],\"b\":[3,6]}}\n", columnarFormat, 2,
			nil, [][]float64{{1, 2, 4, 5}, {3, 6}}},
		{"whitespace everywhere", pairSpecs, " \t\r\n{ \"instances\" : [ { \"a\" : [ 1 , 2 ] , \"b\" : 3 } ] } \n", rowFormat, 1,
			nil, [][]float64{{1, 2}, {3}}},
		{"float64 keeps every digit", pairSpecs, `{"instances":[{"a":[0.1, 1.7976931348623157e308],"b":5e-324}]}`, rowFormat, 1,
			nil, [][]float64{{0.1, math.MaxFloat64}, {5e-324}}},
		{"escaped key", pairSpecs, `{"inst\u0061nces":[{"\u0061":[1,2],"b":3}]}`, rowFormat, 1,
			nil, [][]float64{{1, 2}, {3}}},
		{"large exact integer", pairSpecs, `{"instances":[{"a":[9007199254740992, -9007199254740992],"b":0}]}`, rowFormat, 1,
			nil, [][]float64{{9007199254740992, -9007199254740992}, {0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := decodePredictRequest([]byte(tc.body), tc.specs, testLimits)
			if err != nil {
				t.Fatal(err)
			}
			if req.format != tc.format || req.rows != tc.rows {
				t.Fatalf("format %v rows %d, want %v %d", req.format, req.rows, tc.format, tc.rows)
			}
			for i, c := range req.inputs {
				var got, want interface{} = c.f64, nil
				if tc.f32 != nil {
					got, want = c.f32, tc.f32[i]
				} else {
					want = tc.f64[i]
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("input %d = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestDecodeFloat32RoundsOnce checks that float32 inputs are parsed as
// float32, not through float64: 1 + 2^-24 + 2^-60 lies just above the
// midpoint between 1 and the next float32, so it rounds up; through
// float64 the 2^-60 is lost, the midpoint rounds to even and gives 1.
func TestDecodeFloat32RoundsOnce(t *testing.T) {
	spec := []tensorSpec{{name: "x", shape: []int{1}, dtype: float32Type}}
	body := `{"instances": [[1.000000059604644776257986737988403547205962240695953369140625]]}`
	req, err := decodePredictRequest([]byte(body), spec, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := math.Float32bits(req.inputs[0].f32[0]), uint32(0x3f800001); got != want {
		t.Errorf("decoded bits %#x, want %#x (1 + 2^-23)", got, want)
	}
}

func TestDecodeRejects(t *testing.T) {
	deep := `{"instances":` + strings.Repeat("[", 9) + strings.Repeat("]", 9) + `}`
	for _, tc := range []struct {
		name  string
		specs []tensorSpec
		body  string
		want  string // substring of the message
	}{
		// Syntax.
		{"empty", imageSpecs, ``, "the document is empty"},
		{"not JSON", imageSpecs, `instances = [1, 2]`, "JSON parse error at offset 0: invalid value"},
		{"not an object", imageSpecs, `[1, 2]`, "must be a JSON object, found a list"},
		{"truncated", imageSpecs, `{"instances": [[[1,2,3],[4,5`, "JSON parse error"},
		{"trailing data", imageSpecs, `{"instances": [[[1,2,3],[4,5,6]]]} x`, "unexpected data after the top-level object"},
		{"bad number", imageSpecs, `{"instances": [[[01,2,3],[4,5,6]]]}`, "JSON parse error"},
		{"trailing comma", imageSpecs, `{"instances": [[[1,2,3],[4,5,6],]]}`, "JSON parse error"},
		{"control char in string", imageSpecs, "{\"signature_name\": \"a\nb\", \"instances\": []}", "control character"},
		{"too deep", imageSpecs, deep, "nests deeper than 8 levels"},
		// Request structure.
		{"no tensors", imageSpecs, `{"signature_name": "serving_default"}`, "missing 'inputs' or 'instances' key"},
		{"both formats", imageSpecs, `{"instances": [], "inputs": []}`, "both 'instances' and 'inputs'"},
		{"duplicate key", imageSpecs, `{"instances": [[[1,2,3],[4,5,6]]], "instances": []}`, `key "instances" twice`},
		{"unknown signature", imageSpecs, `{"signature_name": "predict_images", "instances": [[[1,2,3],[4,5,6]]]}`, `Serving signature name: "predict_images" not found`},
		{"signature not a string", imageSpecs, `{"signature_name": 3, "instances": []}`, "'signature_name' must be a string, found a number"},
		{"instances not a list", imageSpecs, `{"instances": {"flatten_input": 1}}`, "'instances' must be a list"},
		{"no instances", imageSpecs, `{"instances": []}`, "no values in 'instances' array"},
		{"too many rows", imageSpecs, `{"instances": [1,2,3,4,5,6,7,8,9]}`, "'instances' has 9 elements; this server takes at most 8 rows"},
		{"too many columnar rows", pairSpecs, `{"inputs": {"a": [[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2]], "b": [1]}}`, `inputs["a"]: more than 8 instances`},
		// Shapes (row format).
		{"ragged row", imageSpecs, `{"instances": [[[1,2,3],[4,5,6]], [[1,2,3],[4,5]]]}`, "instances[1][1]: the list has 2 entries, expected 3 (one instance of input \"flatten_input\" has shape (2, 3))"},
		{"long row", imageSpecs, `{"instances": [[[1,2,3,4],[4,5,6]]]}`, "instances[0][0]: the list has more than 3 entries"},
		{"missing row", imageSpecs, `{"instances": [[[1,2,3]]]}`, "instances[0]: the list has 1 entries, expected 2"},
		{"too shallow", imageSpecs, `{"instances": [[1,2,3,4,5,6]]}`, "instances[0][0]: expected a list of 3 entries, found a number"},
		{"too deep nesting", imageSpecs, `{"instances": [[[[1],2,3],[4,5,6]]]}`, "instances[0][0][0]: expected a number, found a list"},
		{"scalar instance", imageSpecs, `{"instances": [7]}`, "instances[0]: expected a list of 2 entries, found a number"},
		{"object after list", imageSpecs, `{"instances": [[[1,2,3],[4,5,6]], {"flatten_input": 1}]}`, "instances[1]: expected the value of input \"flatten_input\", found an object"},
		// Values.
		{"string value", imageSpecs, `{"instances": [[[1,2,"3"],[4,5,6]]]}`, "instances[0][0][2]: expected a number, found a string"},
		{"null value", imageSpecs, `{"instances": [[[1,2,3],[4,null,6]]]}`, "instances[0][1][1]: expected a number, found null"},
		{"boolean value", imageSpecs, `{"instances": [[[1,2,3],[4,true,6]]]}`, "instances[0][1][1]: expected a number, found a boolean"},
		{"NaN", imageSpecs, `{"instances": [[[1,2,3],[4,NaN,6]]]}`, "instances[0][1][1]: NaN is not a finite number"},
		{"Infinity", imageSpecs, `{"instances": [[[1,2,3],[4,5,Infinity]]]}`, "instances[0][1][2]: Infinity is not a finite number"},
		{"-Infinity", imageSpecs, `{"instances": [[[-Infinity,2,3],[4,5,6]]]}`, "instances[0][0][0]: -Infinity is not a finite number"},
		{"float32 overflow", imageSpecs, `{"instances": [[[1e39,2,3],[4,5,6]]]}`, "instances[0][0][0]: 1e39 is out of the range of float32"},
		{"float64 overflow", pairSpecs, `{"instances": [{"a": [1e309, 1], "b": 1}]}`, `instances[0]["a"][0]: 1e309 is out of the range of float64`},
		{"inexact float32 integer", imageSpecs, `{"instances": [[[16777217,2,3],[4,5,6]]]}`, "the integer 16777217 cannot be represented exactly as float32"},
		{"inexact float64 integer", pairSpecs, `{"instances": [{"a": [9007199254740993, 1], "b": 1}]}`, "the integer 9007199254740993 cannot be represented exactly as float64"},
		// Named inputs.
		{"plain list, two inputs", pairSpecs, `{"instances": [[1, 2]]}`, "'instances' is a plain list, but the model has 2 inputs (\"a\", \"b\")"},
		{"missing named input", pairSpecs, `{"instances": [{"a": [1, 2]}]}`, `instances[0]: missing input "b"`},
		{"unknown named input", pairSpecs, `{"instances": [{"a": [1, 2], "b": 1, "c": 2}]}`, `instances[0]: the model has no input "c"`},
		{"repeated named input", pairSpecs, `{"instances": [{"a": [1, 2], "b": 1, "b": 2}]}`, `instances[0]: input "b" is given twice`},
		{"list after objects", pairSpecs, `{"instances": [{"a": [1, 2], "b": 1}, [1, 2]]}`, "instances[1]: expected an object of named inputs"},
		{"named value shape", pairSpecs, `{"instances": [{"a": [1, 2, 3], "b": 1}]}`, `instances[0]["a"]: the list has more than 2 entries`},
		{"named scalar is a list", pairSpecs, `{"instances": [{"a": [1, 2], "b": [1]}]}`, `instances[0]["b"]: expected a number, found a list`},
		// Columnar format.
		{"columnar plain, two inputs", pairSpecs, `{"inputs": [[1, 2]]}`, "'inputs' is a plain list, but the model has 2 inputs"},
		{"columnar scalar", imageSpecs, `{"inputs": 5}`, "inputs: expected a list with one entry per instance, found a number (input \"flatten_input\" takes a list of instances, each of shape (2, 3))"},
		{"columnar empty", imageSpecs, `{"inputs": []}`, "inputs: the list of instances is empty"},
		{"columnar ragged", imageSpecs, `{"inputs": [[[1,2,3],[4,5,6]], [[1,2,3],[4,5]]]}`, "inputs[1][1]: the list has 2 entries, expected 3"},
		{"columnar missing input", pairSpecs, `{"inputs": {"a": [[1, 2]]}}`, `missing named input "b" in 'inputs' object`},
		{"columnar rows differ", pairSpecs, `{"inputs": {"a": [[1, 2], [3, 4]], "b": [1]}}`, `input "b" has 1 rows but "a" has 2`},
		{"columnar unknown input", pairSpecs, `{"inputs": {"a": [[1, 2]], "b": [1], "z": [1]}}`, `inputs: the model has no input "z"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodePredictRequest([]byte(tc.body), tc.specs, testLimits)
			if err == nil {
				t.Fatalf("accepted %s", tc.body)
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != http.StatusBadRequest {
				t.Fatalf("error %v is not a 400 apiError", err)
			}
			if !strings.Contains(ae.msg, tc.want) {
				t.Errorf("message %q\ndoes not contain %q", ae.msg, tc.want)
			}
		})
	}
}

// TestDecodeAllocatesByTheBody sends many tiny instances to a model whose
// instances are large: the decoder must allocate by what the body holds,
// not by what the model's shape promises.
func TestDecodeAllocatesByTheBody(t *testing.T) {
	spec := []tensorSpec{{name: "x", shape: []int{1 << 22}, dtype: float32Type}}
	body := `{"instances": [` + strings.Repeat("[1],", 4095) + `[1]]}`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := decodePredictRequest([]byte(body), spec, decodeLimits{maxRows: 4096, maxDepth: 8})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "instances[0]: the list has 1 entries, expected 4194304") {
		t.Fatalf("error %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("decoding a %d-byte body allocated %d bytes", len(body), got)
	}
}

// TestNumbersMatchStrconv compares the decoder's numbers, fast path and
// fallback, with strconv.ParseFloat on random tokens of every shape: the
// bits must be equal in both dtypes.
func TestNumbersMatchStrconv(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		return string(b)
	}
	fast := 0
	for i := 0; i < 200000; i++ {
		var tok strings.Builder
		if rng.Intn(2) == 0 {
			tok.WriteByte('-')
		}
		if n := rng.Intn(12); n == 0 || rng.Intn(3) == 0 {
			tok.WriteByte('0')
		} else {
			tok.WriteByte(byte('1' + rng.Intn(9)))
			tok.WriteString(digits(n - 1))
		}
		if rng.Intn(3) > 0 {
			tok.WriteByte('.')
			tok.WriteString(strings.Repeat("0", rng.Intn(4)) + digits(1+rng.Intn(10)))
		}
		if rng.Intn(3) == 0 {
			tok.WriteByte("eE"[rng.Intn(2)])
			tok.WriteString([]string{"", "+", "-"}[rng.Intn(3)])
			tok.WriteString(digits(1 + rng.Intn(2)))
		}
		s := tok.String()
		for _, dt := range []dtype{float32Type, float64Type} {
			bits := 64
			if dt == float32Type {
				bits = 32
			}
			want, werr := strconv.ParseFloat(s, bits)
			p := &parser{data: []byte(s), spec: &scalarSpecs[0]}
			col := column{dtype: dt}
			err := p.number(&col)
			switch {
			case werr != nil && err != nil: // out of range for both
				continue
			case werr == nil && err != nil && strings.Contains(err.Error(), "cannot be represented exactly"):
				continue // an integer the dtype cannot hold: refused, as TF Serving does
			case werr != nil || err != nil:
				t.Fatalf("%s as %v: decoder %v, strconv %v", s, dt, err, werr)
			}
			if d, ok := scanDecimal([]byte(s), 0); ok && d.mant <= 1<<24 && d.exp >= -10 && d.exp <= 10 {
				fast++
			}
			var got, exp uint64
			if dt == float32Type {
				got, exp = uint64(math.Float32bits(col.f32[0])), uint64(math.Float32bits(float32(want)))
			} else {
				got, exp = math.Float64bits(col.f64[0]), math.Float64bits(want)
			}
			if got != exp {
				t.Fatalf("%s as %v: decoder bits %#x, strconv %#x", s, dt, got, exp)
			}
		}
	}
	if fast < 20000 {
		t.Errorf("only %d tokens took the fast path", fast)
	}
}
