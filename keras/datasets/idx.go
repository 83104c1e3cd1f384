package datasets

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	stderrors "errors"
	"io"
	"math"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// ReadIDX decodes an IDX file, the format of MNIST and Fashion-MNIST
// (train-images-idx3-ubyte and friends), into a tensor of the stored type
// and dimensions. Gzip-compressed input (the .gz files Keras caches) is
// recognised by its magic number and decompressed on the fly.
//
// The IDX header is two zero bytes, a type byte (0x08 uint8, 0x09 int8,
// 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of
// dimensions, then each dimension as a big-endian uint32; big-endian data
// follows. The data must fill the dimensions exactly: a short file or
// trailing bytes are errors.
func ReadIDX(r io.Reader) (t *tensor.Dense, err error) {
	defer recoverError(&err, "idx")
	t, err = readIDXStream(r)
	return t, errors.WithMessage(err, "datasets: idx")
}

// readIDXStream is ReadIDX without the package prefix on errors.
func readIDXStream(r io.Reader) (*tensor.Dense, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, errors.Wrap(err, "bad gzip stream")
		}
		defer zr.Close()
		t, err := readIDX(zr)
		if err != nil && isGzipError(err) {
			return nil, errors.Wrap(err, "bad gzip stream")
		}
		return t, err
	}
	return readIDX(br)
}

func isGzipError(err error) bool {
	var corrupt flate.CorruptInputError
	c := errors.Cause(err)
	return c == gzip.ErrChecksum || c == gzip.ErrHeader || stderrors.As(err, &corrupt)
}

func readIDX(r io.Reader) (*tensor.Dense, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, errors.Wrap(err, "short header")
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, errors.Errorf("bad magic % x, want 00 00 <type> <ndims>", hdr[:])
	}
	var size int
	switch hdr[2] {
	case 0x08, 0x09:
		size = 1
	case 0x0B:
		size = 2
	case 0x0C, 0x0D:
		size = 4
	case 0x0E:
		size = 8
	default:
		return nil, errors.Errorf("bad type byte 0x%02x in magic", hdr[2])
	}
	ndims := int(hdr[3])
	if ndims == 0 {
		return nil, errors.New("zero dimensions in magic")
	}
	dimBytes := make([]byte, 4*ndims)
	if _, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, errors.Wrap(err, "short header")
	}
	shape := make([]int, ndims)
	n := 1
	for i := range shape {
		d := int(binary.BigEndian.Uint32(dimBytes[4*i:]))
		if d == 0 {
			return nil, errors.Errorf("dimension %d is zero", i)
		}
		if n > maxElems/d {
			return nil, errors.Errorf("dimensions %v too large", shape[:i+1])
		}
		shape[i] = d
		n *= d
	}
	want := int64(n) * int64(size)
	// Grow the buffer with the data actually read, so that a lying header
	// cannot make us allocate more than the input holds.
	var buf bytes.Buffer
	got, err := buf.ReadFrom(io.LimitReader(r, want+1))
	if err != nil {
		return nil, errors.Wrapf(err, "after %d of %d data bytes", got, want)
	}
	if got < want {
		return nil, errors.Errorf("truncated: dimensions %v need %d data bytes, got %d", shape, want, got)
	}
	if got > want {
		return nil, errors.Errorf("trailing bytes after the %d data bytes of dimensions %v", want, shape)
	}
	raw := buf.Bytes()
	var backing any
	switch hdr[2] {
	case 0x08:
		backing = raw
	case 0x09:
		d := make([]int8, n)
		for i := range d {
			d[i] = int8(raw[i])
		}
		backing = d
	case 0x0B:
		d := make([]int16, n)
		for i := range d {
			d[i] = int16(binary.BigEndian.Uint16(raw[2*i:]))
		}
		backing = d
	case 0x0C:
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(binary.BigEndian.Uint32(raw[4*i:]))
		}
		backing = d
	case 0x0D:
		d := make([]float32, n)
		for i := range d {
			d[i] = math.Float32frombits(binary.BigEndian.Uint32(raw[4*i:]))
		}
		backing = d
	case 0x0E:
		d := make([]float64, n)
		for i := range d {
			d[i] = math.Float64frombits(binary.BigEndian.Uint64(raw[8*i:]))
		}
		backing = d
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)), nil
}
