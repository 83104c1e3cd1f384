package datasets

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// The writers are the inverse of the decoders: they let a user save data in
// the formats Keras caches (and let the examples and tests build small
// files). npyio's own writer infers the shape from the Go value, which does
// not fit a flat tensor backing, so the few header bytes are written here.

// WriteNPY writes t as a version 1.0 .npy array in C order, with the NumPy
// dtype matching t's (bool, int8-64, uint8-64, float32, float64;
// little-endian).
func WriteNPY(w io.Writer, t *tensor.Dense) error {
	return errors.WithMessage(writeNPY(w, t), "datasets: npy")
}

// WriteNPYSequences writes seqs as a one-dimensional NumPy object array of
// lists of integers, pickled (protocol 2) as NumPy does for imdb.npz and
// reuters.npz.
func WriteNPYSequences(w io.Writer, seqs [][]int) error {
	return errors.WithMessage(writeNPYSequences(w, seqs), "datasets: npy")
}

// WriteNPZ writes an uncompressed .npz archive holding each array under its
// name, in name order. A value must be a *tensor.Dense (written as
// [WriteNPY] does) or a [][]int (written as [WriteNPYSequences] does).
func WriteNPZ(w io.Writer, arrays map[string]any) error {
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	zw := zip.NewWriter(w)
	for _, n := range names {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: n + ".npy", Method: zip.Store})
		if err != nil {
			return errors.Wrapf(err, "datasets: npz: %s", n)
		}
		switch v := arrays[n].(type) {
		case *tensor.Dense:
			err = writeNPY(f, v)
		case [][]int:
			err = writeNPYSequences(f, v)
		default:
			err = errors.Errorf("value of type %T, want *tensor.Dense or [][]int", v)
		}
		if err != nil {
			return errors.WithMessagef(err, "datasets: npz: %s", n)
		}
	}
	return errors.Wrap(zw.Close(), "datasets: npz")
}

// npyDescr returns the NumPy dtype string of a tensor dtype.
func npyDescr(dt tensor.Dtype) (string, bool) {
	switch dt {
	case tensor.Bool:
		return "|b1", true
	case tensor.Int8:
		return "|i1", true
	case tensor.Int16:
		return "<i2", true
	case tensor.Int32:
		return "<i4", true
	case tensor.Int64:
		return "<i8", true
	case tensor.Uint8:
		return "|u1", true
	case tensor.Uint16:
		return "<u2", true
	case tensor.Uint32:
		return "<u4", true
	case tensor.Uint64:
		return "<u8", true
	case tensor.Float32:
		return "<f4", true
	case tensor.Float64:
		return "<f8", true
	}
	return "", false
}

func writeNPYHeader(w io.Writer, descr string, shape []int) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	s := strings.Join(dims, ", ")
	if len(shape) == 1 {
		s += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, s)
	// Pad with spaces so that magic+header is a multiple of 64 bytes, as
	// NumPy does, ending in a newline.
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hdr := dict + strings.Repeat(" ", pad) + "\n"
	if len(hdr) > math.MaxUint16 {
		return errors.New("header too long")
	}
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(hdr)))
	b.WriteString(hdr)
	_, err := w.Write(b.Bytes())
	return err
}

func writeNPY(w io.Writer, t *tensor.Dense) error {
	if t == nil {
		return errors.New("nil tensor")
	}
	descr, ok := npyDescr(t.Dtype())
	if !ok {
		return errors.Errorf("dtype %v has no NumPy equivalent here", t.Dtype())
	}
	if !t.IsNativelyAccessible() || t.RequiresIterator() {
		c := t.Clone().(*tensor.Dense)
		if err := c.Transpose(); err != nil {
			return errors.Wrap(err, "materialise")
		}
		t = c
	}
	if err := writeNPYHeader(w, descr, t.Shape()); err != nil {
		return err
	}
	return errors.Wrap(binary.Write(w, binary.LittleEndian, t.Data()), "write data")
}

// Pickle opcodes used by writeNPYSequences (protocol 2).
const (
	pkProto      = 0x80
	pkGlobal     = 'c'
	pkBinInt     = 'J'
	pkBinInt1    = 'K'
	pkShortBinSt = 'U'
	pkTuple1     = 0x85
	pkTuple3     = 0x87
	pkReduce     = 'R'
	pkMark       = '('
	pkTuple      = 't'
	pkBuild      = 'b'
	pkNone       = 'N'
	pkNewFalse   = 0x89
	pkNewTrue    = 0x88
	pkEmptyList  = ']'
	pkAppends    = 'e'
	pkStop       = '.'
)

func writeNPYSequences(w io.Writer, seqs [][]int) error {
	if err := writeNPYHeader(w, "|O", []int{len(seqs)}); err != nil {
		return err
	}
	var p bytes.Buffer
	int32op := func(v int) error {
		if v < math.MinInt32 || v > math.MaxInt32 {
			return errors.Errorf("value %d does not fit in 32 bits", v)
		}
		p.WriteByte(pkBinInt)
		return binary.Write(&p, binary.LittleEndian, int32(v))
	}
	p.Write([]byte{pkProto, 2})
	// numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')
	p.WriteByte(pkGlobal)
	p.WriteString("numpy.core.multiarray\n_reconstruct\n")
	p.WriteByte(pkGlobal)
	p.WriteString("numpy\nndarray\n")
	p.Write([]byte{pkBinInt1, 0, pkTuple1, pkShortBinSt, 1, 'b', pkTuple3, pkReduce})
	// state: (1, (n,), dtype('O8', False, True) with its own state, False, [lists])
	p.WriteByte(pkMark)
	p.Write([]byte{pkBinInt1, 1})
	if err := int32op(len(seqs)); err != nil {
		return err
	}
	p.WriteByte(pkTuple1)
	p.WriteByte(pkGlobal)
	p.WriteString("numpy\ndtype\n")
	p.Write([]byte{pkShortBinSt, 2, 'O', '8', pkNewFalse, pkNewTrue, pkTuple3, pkReduce})
	p.Write([]byte{pkMark, pkBinInt1, 3, pkShortBinSt, 1, '|', pkNone, pkNone, pkNone})
	_ = int32op(-1)
	_ = int32op(-1)
	p.Write([]byte{pkBinInt1, 63, pkTuple, pkBuild})
	p.WriteByte(pkNewFalse)
	p.Write([]byte{pkEmptyList, pkMark})
	for _, s := range seqs {
		p.WriteByte(pkEmptyList)
		if len(s) == 0 {
			continue
		}
		p.WriteByte(pkMark)
		for _, v := range s {
			if err := int32op(v); err != nil {
				return err
			}
		}
		p.WriteByte(pkAppends)
	}
	p.Write([]byte{pkAppends, pkTuple, pkBuild, pkStop})
	_, err := w.Write(p.Bytes())
	return err
}

// WriteIDX writes t as an IDX file (uncompressed; wrap w in a gzip.Writer
// for the .gz files Keras caches). Supported dtypes: uint8, int8, int16,
// int32, float32, float64.
func WriteIDX(w io.Writer, t *tensor.Dense) error {
	if t == nil {
		return errors.New("datasets: idx: nil tensor")
	}
	var code byte
	switch t.Dtype() {
	case tensor.Uint8:
		code = 0x08
	case tensor.Int8:
		code = 0x09
	case tensor.Int16:
		code = 0x0B
	case tensor.Int32:
		code = 0x0C
	case tensor.Float32:
		code = 0x0D
	case tensor.Float64:
		code = 0x0E
	default:
		return errors.Errorf("datasets: idx: dtype %v cannot be stored in IDX", t.Dtype())
	}
	shape := t.Shape()
	if len(shape) == 0 || len(shape) > 255 {
		return errors.Errorf("datasets: idx: %d dimensions, want 1-255", len(shape))
	}
	var b bytes.Buffer
	b.Write([]byte{0, 0, code, byte(len(shape))})
	for _, d := range shape {
		_ = binary.Write(&b, binary.BigEndian, uint32(d))
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return errors.Wrap(err, "datasets: idx")
	}
	return errors.Wrap(binary.Write(w, binary.BigEndian, t.Data()), "datasets: idx")
}

// WriteCIFAR10 writes images x, uint8 (N, 32, 32, 3) channels last, and
// labels y, uint8 (N) or (N, 1) with values 0-9, as one CIFAR-10 binary
// batch that [ReadCIFAR10] reads back.
func WriteCIFAR10(w io.Writer, x, y *tensor.Dense) error {
	if x == nil || y == nil {
		return errors.New("datasets: cifar10: nil tensor")
	}
	if err := checkArray("x", x, tensor.Uint8, -1, cifarSide, cifarSide, 3); err != nil {
		return errors.WithMessage(err, "datasets: cifar10")
	}
	if y.Dtype() != tensor.Uint8 || y.Shape().TotalSize() != x.Shape()[0] || y.Dims() > 2 {
		return errors.Errorf("datasets: cifar10: y is %v %v, want uint8 (%d) or (%d, 1)", y.Dtype(), y.Shape(), x.Shape()[0], x.Shape()[0])
	}
	px, labels := x.Data().([]uint8), y.Data().([]uint8)
	rec := make([]byte, cifarRecord)
	for i, l := range labels {
		if l > 9 {
			return errors.Errorf("datasets: cifar10: label %d at %d, want 0-9", l, i)
		}
		rec[0] = l
		img := px[i*3*cifarPlane:]
		for c := 0; c < 3; c++ {
			for p := 0; p < cifarPlane; p++ {
				rec[1+c*cifarPlane+p] = img[3*p+c]
			}
		}
		if _, err := w.Write(rec); err != nil {
			return errors.Wrap(err, "datasets: cifar10")
		}
	}
	return nil
}
