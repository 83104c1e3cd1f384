package npy

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	cases := []struct {
		shape []int
		data  interface{}
	}{
		{[]int{}, []float32{1.5}},
		{[]int{3}, []float32{1, -2, float32(math.Inf(1))}},
		{[]int{2, 3}, []float64{1, 2, 3, 4, 5, math.SmallestNonzeroFloat64}},
		{[]int{0, 4}, []float64{}},
		{[]int{2, 1, 2}, []float32{0, float32(math.Copysign(0, -1)), 3, 4}},
	}
	for _, c := range cases {
		b, err := Encode(c.shape, c.data)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ReadHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		if h.DataOffset%64 != 0 {
			t.Errorf("%v: data at %d, not 64-aligned", c.shape, h.DataOffset)
		}
		a, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Shape) != len(c.shape) {
			t.Fatalf("shape %v, want %v", a.Shape, c.shape)
		}
		switch d := c.data.(type) {
		case []float32:
			for i := range d {
				if math.Float32bits(d[i]) != math.Float32bits(a.F32[i]) {
					t.Fatalf("%v: value %d", c.shape, i)
				}
			}
		case []float64:
			for i := range d {
				if math.Float64bits(d[i]) != math.Float64bits(a.F64[i]) {
					t.Fatalf("%v: value %d", c.shape, i)
				}
			}
		}
	}
	if _, err := Encode([]int{2, 2}, []float32{1, 2, 3}); err == nil {
		t.Error("a shape that does not match the data should fail")
	}
	if _, err := Encode([]int{1}, []int{1}); err == nil {
		t.Error("int data should fail")
	}
}

// TestReadsNumpyFiles reads files written by numpy (testdata/make.py),
// including versions 2.0 and 3.0 and big-endian / Fortran-order files,
// which are refused with a clear error.
func TestReadsNumpyFiles(t *testing.T) {
	cases := []struct {
		file  string
		shape []int
		want  []float64
		err   string
	}{
		{"f4_2x3.npy", []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}, ""},
		{"f8_3.npy", []int{3}, []float64{0.5, -1.25, 1e300}, ""},
		{"f4_scalar.npy", []int{}, []float64{7}, ""},
		{"f8_v2.npy", []int{2}, []float64{1, 2}, ""},
		{"f8_v3.npy", []int{2}, []float64{1, 2}, ""},
		{"f8_big_endian.npy", nil, nil, `dtype ">f8" is not supported`},
		{"f8_fortran.npy", nil, nil, "Fortran-order arrays are not supported"},
		{"i4.npy", nil, nil, `dtype "<i4" is not supported`},
	}
	for _, c := range cases {
		b, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		a, err := Decode(b)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.file, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if len(a.Shape) != len(c.shape) {
			t.Fatalf("%s: shape %v", c.file, a.Shape)
		}
		for i, v := range a.Float64s() {
			if v != c.want[i] {
				t.Fatalf("%s: value %d = %v, want %v", c.file, i, v, c.want[i])
			}
		}
		// What we write for the same array is what numpy wrote (version 1.0).
		if strings.HasPrefix(c.file, "f4_2x3") || strings.HasPrefix(c.file, "f8_3") {
			var ours []byte
			if a.F32 != nil {
				ours, _ = Encode(a.Shape, a.F32)
			} else {
				ours, _ = Encode(a.Shape, a.F64)
			}
			if !bytes.Equal(ours, b) {
				t.Errorf("%s: our encoding differs from numpy's:\n%q\n%q", c.file, ours[:80], b[:80])
			}
		}
	}
}

func TestBadHeaders(t *testing.T) {
	good, _ := Encode([]int{2}, []float32{1, 2})
	cases := map[string][]byte{
		"bad magic":     []byte("\x93NUMPZ\x01\x00\x00\x00"),
		"short":         good[:9],
		"version 4":     append([]byte("\x93NUMPY\x04\x00"), good[8:]...),
		"truncated":     good[:40],
		"missing shape": header("{'descr': '<f4', 'fortran_order': False, }"),
		"extra key":     header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': True}"),
		"dup key":       header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"),
		"negative":      header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"),
		"huge":          header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}"),
		"overflow":      header("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647)}"),
		"no close":      header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)"),
		"trailing":      header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x"),
	}
	for name, b := range cases {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func header(dict string) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = append(b, byte(len(dict)), byte(len(dict)>>8))
	b = append(b, dict...)
	return append(b, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40)
}

// FuzzDecode: any input decodes or fails cleanly; what decodes encodes
// back to an equal array.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"f4_2x3.npy", "f8_3.npy", "f4_scalar.npy", "f8_v2.npy", "f8_v3.npy", "f8_fortran.npy"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			return
		}
		var again []byte
		if a.F32 != nil {
			again, err = Encode(a.Shape, a.F32)
		} else {
			again, err = Encode(a.Shape, a.F64)
		}
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		b2, err := Decode(again)
		if err != nil || b2.Len() != a.Len() || len(b2.Shape) != len(a.Shape) {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}
