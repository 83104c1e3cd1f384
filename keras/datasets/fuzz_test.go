package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// The fuzz targets check that a decoder given arbitrary bytes returns either
// an error or a consistent tensor, and never panics. A recovered panic shows
// up as a "malformed input" error, which the targets treat as a failure so
// that fuzzing still finds them. Seeds (below and in testdata/fuzz) run in
// every normal `go test`.

func checkDecoded(t *testing.T, x *tensor.Dense, err error) {
	t.Helper()
	if err != nil {
		if strings.Contains(err.Error(), "malformed input") {
			t.Fatalf("recovered panic: %v", err)
		}
		if x != nil {
			t.Fatalf("tensor returned with error %v", err)
		}
		return
	}
	if x == nil {
		t.Fatal("nil tensor without error")
	}
	if x.Shape().TotalSize() != x.DataSize() {
		t.Fatalf("shape %v but %d elements", x.Shape(), x.DataSize())
	}
}

func seedIDX(f *testing.F) {
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]uint8{1, 2, 3, 4, 5, 6}))
	var b bytes.Buffer
	_ = WriteIDX(&b, x)
	f.Add(b.Bytes())
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(b.Bytes())
	_ = zw.Close()
	f.Add(z.Bytes())
	b.Reset()
	_ = WriteIDX(&b, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1.5, -2})))
	f.Add(b.Bytes())
	f.Add([]byte{0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 0, 0, 7})
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0, 0, 0, 2})
}

func FuzzReadIDX(f *testing.F) {
	seedIDX(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadIDX(bytes.NewReader(data))
		checkDecoded(t, x, err)
	})
}

func seedNPY(f *testing.F) {
	var b bytes.Buffer
	_ = WriteNPY(&b, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4})))
	f.Add(b.Bytes())
	b.Reset()
	_ = WriteNPY(&b, tensor.New(tensor.WithShape(3), tensor.WithBacking([]uint8{1, 2, 3})))
	f.Add(b.Bytes())
	b.Reset()
	_ = WriteNPYSequences(&b, [][]int{{1, 2}, {}, {70000}})
	f.Add(b.Bytes())
	if h, err := os.ReadFile("testdata/object_array.npy.hex"); err == nil {
		if raw, err := hex.DecodeString(strings.TrimSpace(string(h))); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}\n"))
}

func FuzzReadNPY(f *testing.F) {
	seedNPY(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadNPY(bytes.NewReader(data))
		checkDecoded(t, x, err)
		s, err := ReadNPYSequences(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "malformed input") {
				t.Fatalf("recovered panic: %v", err)
			}
			if s != nil {
				t.Fatal("sequences returned with an error")
			}
		}
	})
}

func FuzzReadNPZ(f *testing.F) {
	var b bytes.Buffer
	_ = WriteNPZ(&b, map[string]any{
		"x": tensor.New(tensor.WithShape(2), tensor.WithBacking([]int64{1, 2})),
		"s": [][]int{{1, 2, 3}, {4}},
	})
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := ReadNPZ(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "malformed input") {
				t.Fatalf("recovered panic: %v", err)
			}
			return
		}
		for _, name := range z.Names() {
			x, err := z.Array(name)
			checkDecoded(t, x, err)
			if _, err := z.Sequences(name); err != nil && strings.Contains(err.Error(), "malformed input") {
				t.Fatalf("recovered panic: %v", err)
			}
		}
	})
}

func FuzzReadCIFAR10(f *testing.F) {
	x := tensor.New(tensor.WithShape(1, 32, 32, 3), tensor.WithBacking(make([]uint8, 3072)))
	y := tensor.New(tensor.WithShape(1), tensor.WithBacking([]uint8{7}))
	var b bytes.Buffer
	_ = WriteCIFAR10(&b, x, y)
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:100])
	f.Fuzz(func(t *testing.T, data []byte) {
		x, y, err := ReadCIFAR10(bytes.NewReader(data))
		checkDecoded(t, x, err)
		checkDecoded(t, y, err)
		if err == nil && (x.Shape()[0] != y.Shape()[0] || x.Shape()[0]*3073 != len(data)) {
			t.Fatalf("x %v y %v from %d bytes", x.Shape(), y.Shape(), len(data))
		}
	})
}
