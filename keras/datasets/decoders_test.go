package datasets_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

// rawNPY builds a version 1.0 .npy stream by hand, independently of
// WriteNPY, so that the reader is not only checked against our writer.
func rawNPY(descr string, fortran bool, shape string, data []byte) []byte {
	order := "False"
	if fortran {
		order = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	dict += strings.Repeat(" ", (64-(10+len(dict)+1)%64)%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(data)
	return b.Bytes()
}

func le(order binary.ByteOrder, v any) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, order, v)
	return b.Bytes()
}

func TestReadNPYDtypesAndLayouts(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    []byte
		dt    tensor.Dtype
		shape tensor.Shape
		data  any
	}{
		{"bool", rawNPY("|b1", false, "(3,)", []byte{1, 0, 1}), tensor.Bool, tensor.Shape{3}, []bool{true, false, true}},
		{"int16", rawNPY("<i2", false, "(2,)", le(binary.LittleEndian, []int16{-2, 300})), tensor.Int16, tensor.Shape{2}, []int16{-2, 300}},
		{"uint32", rawNPY("<u4", false, "(1,)", le(binary.LittleEndian, []uint32{1 << 31})), tensor.Uint32, tensor.Shape{1}, []uint32{1 << 31}},
		{"int64", rawNPY("<i8", false, "(1, 1)", le(binary.LittleEndian, []int64{-7})), tensor.Int64, tensor.Shape{1, 1}, []int64{-7}},
		{"float32", rawNPY("<f4", false, "(2,)", le(binary.LittleEndian, []float32{0.5, -1})), tensor.Float32, tensor.Shape{2}, []float32{0.5, -1}},
		{"big-endian float64", rawNPY(">f8", false, "(2,)", le(binary.BigEndian, []float64{math.Pi, 2})), tensor.Float64, tensor.Shape{2}, []float64{math.Pi, 2}},
		// Fortran order: column-major bytes of [[1 2 3] [4 5 6]].
		{"fortran order", rawNPY("|u1", true, "(2, 3)", []byte{1, 4, 2, 5, 3, 6}), tensor.Uint8, tensor.Shape{2, 3}, []uint8{1, 2, 3, 4, 5, 6}},
		{"scalar", rawNPY("<f8", false, "()", le(binary.LittleEndian, []float64{7})), tensor.Float64, tensor.Shape{1}, []float64{7}},
	} {
		x, err := datasets.ReadNPY(bytes.NewReader(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		data := x.Data()
		if x.RequiresIterator() || x.IsView() {
			data = x.Materialize().Data()
		}
		if x.Dtype() != c.dt || !x.Shape().Eq(c.shape) || !reflect.DeepEqual(data, c.data) {
			t.Errorf("%s: %v %v %v, want %v %v %v", c.name, x.Dtype(), x.Shape(), data, c.dt, c.shape, c.data)
		}
	}
}

// TestReadNPYSequencesFromNumPy decodes an object array exactly as NumPy
// 1.24 wrote it (pickle protocol 3; testdata/gen_reference.py).
func TestReadNPYRefusesEmptyArrays(t *testing.T) {
	_, err := datasets.ReadNPY(bytes.NewReader(rawNPY("<f8", false, "(0, 13)", nil)))
	if err == nil || !strings.Contains(err.Error(), "empty array of shape [0 13]") {
		t.Errorf("err = %v", err)
	}
}

func TestReadNPYSequencesFromNumPy(t *testing.T) {
	h, err := os.ReadFile("testdata/object_array.npy.hex")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := datasets.ReadNPYSequences(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]int{{1, 14, 22}, {}, {300, 70000, 5}}; !reflect.DeepEqual(seqs, want) {
		t.Errorf("got %v, want %v", seqs, want)
	}
}

func TestReadIDXDtypes(t *testing.T) {
	for _, x := range []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]uint8{1, 2, 3, 255})),
		tensor.New(tensor.WithShape(3), tensor.WithBacking([]int8{-1, 0, 1})),
		tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int16{-300, 300})),
		tensor.New(tensor.WithShape(2), tensor.WithBacking([]int32{-70000, 70000})),
		tensor.New(tensor.WithShape(2, 1, 1), tensor.WithBacking([]float32{0.25, -8})),
		tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{math.E})),
	} {
		var raw bytes.Buffer
		if err := datasets.WriteIDX(&raw, x); err != nil {
			t.Fatal(err)
		}
		for _, in := range [][]byte{raw.Bytes(), gzipBytes(t, raw.Bytes())} {
			got, err := datasets.ReadIDX(bytes.NewReader(in))
			if err != nil || got.Dtype() != x.Dtype() || !got.Shape().Eq(x.Shape()) || !reflect.DeepEqual(got.Data(), x.Data()) {
				t.Errorf("%v %v: got %v, %v", x.Dtype(), x.Shape(), got, err)
			}
		}
	}
	// The big-endian layout, spelled out.
	got, err := datasets.ReadIDX(bytes.NewReader([]byte{0, 0, 0x0b, 1, 0, 0, 0, 1, 0x01, 0x02}))
	if err != nil || got.Data().([]int16)[0] != 0x0102 {
		t.Errorf("int16 big-endian: %v %v", got, err)
	}
}
