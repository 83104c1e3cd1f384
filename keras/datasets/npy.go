package datasets

import (
	"archive/zip"
	"bytes"
	"io"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// maxElems bounds the number of elements a decoder accepts, so that a
// corrupted header cannot make it allocate without limit (2^31, 2 GiB of
// uint8 or 16 GiB of float64, far above any Keras data set).
const maxElems = 1 << 31

// ReadNPY decodes one NumPy .npy array of numbers (bool, signed or unsigned
// integers of 8 to 64 bits, float32 or float64, either byte order, C or
// Fortran order) into a C-ordered tensor of the same dtype and shape. A
// 0-dimensional array becomes a tensor of shape (1). Object arrays, such as
// the pickled sequences of imdb.npz, are refused: read them with
// [NPZ.Sequences] or [ReadNPYSequences].
func ReadNPY(r io.Reader) (t *tensor.Dense, err error) {
	defer recoverError(&err, "npy")
	arr, err := readNPYArray(r, -1)
	if err != nil {
		return nil, errors.WithMessage(err, "datasets: npy")
	}
	t, err = arrayToDense(arr)
	return t, errors.WithMessage(err, "datasets: npy")
}

// ReadNPYSequences decodes a one-dimensional NumPy object array whose items
// are lists (or integer arrays) of integers, as Keras stores the ragged word
// index sequences of imdb.npz and reuters.npz. The pickle stream is read by
// npyio's restricted unpickler, which only rebuilds NumPy arrays and dtypes
// and never runs code from the file.
func ReadNPYSequences(r io.Reader) (seqs [][]int, err error) {
	defer recoverError(&err, "npy")
	arr, err := readNPYArray(r, -1)
	if err != nil {
		return nil, errors.WithMessage(err, "datasets: npy")
	}
	seqs, err = arrayToSequences(arr)
	return seqs, errors.WithMessage(err, "datasets: npy")
}

// NPZ is an opened NumPy .npz archive. Its arrays are decoded on demand.
type NPZ struct {
	members map[string]*zip.File
}

// ReadNPZ reads a whole .npz archive from r into memory and opens it.
func ReadNPZ(r io.Reader) (*NPZ, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, errors.Wrap(err, "datasets: npz: read")
	}
	return OpenNPZ(bytes.NewReader(b), int64(len(b)))
}

// OpenNPZ opens the .npz archive of size bytes that r reads, such as an
// *os.File, without loading it into memory.
func OpenNPZ(r io.ReaderAt, size int64) (z *NPZ, err error) {
	defer recoverError(&err, "npz")
	z, err = openNPZ(r, size)
	return z, errors.WithMessage(err, "datasets: npz")
}

func openNPZ(r io.ReaderAt, size int64) (*NPZ, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errors.Wrap(err, "not a zip archive")
	}
	z := &NPZ{members: map[string]*zip.File{}}
	for _, f := range zr.File {
		if name, ok := strings.CutSuffix(f.Name, ".npy"); ok {
			z.members[name] = f
		}
	}
	return z, nil
}

// Names returns the names of the arrays in the archive, sorted, without the
// .npy suffix.
func (z *NPZ) Names() []string {
	names := make([]string, 0, len(z.members))
	for n := range z.members {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Array decodes the named numeric array, as [ReadNPY] does.
func (z *NPZ) Array(name string) (t *tensor.Dense, err error) {
	defer recoverError(&err, "npz")
	t, err = z.array(name)
	return t, errors.WithMessage(err, "datasets: npz")
}

func (z *NPZ) array(name string) (*tensor.Dense, error) {
	arr, err := z.read(name)
	if err != nil {
		return nil, err
	}
	t, err := arrayToDense(arr)
	return t, errors.WithMessage(err, name)
}

// Sequences decodes the named object array of integer sequences, as
// [ReadNPYSequences] does.
func (z *NPZ) Sequences(name string) (seqs [][]int, err error) {
	defer recoverError(&err, "npz")
	seqs, err = z.sequences(name)
	return seqs, errors.WithMessage(err, "datasets: npz")
}

func (z *NPZ) sequences(name string) ([][]int, error) {
	arr, err := z.read(name)
	if err != nil {
		return nil, err
	}
	seqs, err := arrayToSequences(arr)
	return seqs, errors.WithMessage(err, name)
}

func (z *NPZ) read(name string) (*npy.Array, error) {
	f, ok := z.members[name]
	if !ok {
		return nil, errors.Errorf("no array %q (the archive has %v)", name, z.Names())
	}
	if f.UncompressedSize64 > 8*maxElems {
		return nil, errors.Errorf("%s: declares %d bytes, more than this reader accepts", name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, errors.Wrap(err, name)
	}
	defer rc.Close()
	arr, err := readNPYArray(rc, int64(f.UncompressedSize64))
	if err != nil {
		return nil, errors.WithMessage(err, name)
	}
	return arr, nil
}

// readNPYArray parses the header with npyio, bounds the payload by what the
// header declares, and lets npyio decode it. size is the size of the whole
// .npy stream when known (npz members), or -1.
func readNPYArray(r io.Reader, size int64) (*npy.Array, error) {
	head, typ, shape, err := readNPYHeader(r)
	if err != nil {
		return nil, errors.WithMessage(err, "bad header")
	}
	var payload []byte
	if isObjectDescr(typ) {
		if size > 0 {
			r = io.LimitReader(r, size)
		}
		if payload, err = io.ReadAll(r); err != nil {
			return nil, errors.Wrap(err, "read pickled data")
		}
		if err := checkPickle(payload); err != nil {
			return nil, errors.WithMessage(err, "bad pickled data")
		}
	} else {
		// Read exactly the declared bytes (one more to notice trailing
		// data), so that npyio only ever decodes whole elements.
		n := 1
		for _, d := range shape {
			if d > 0 && n > maxElems/d {
				return nil, errors.Errorf("shape %v too large", shape)
			}
			n *= d
		}
		es, _ := itemSize(typ)
		want := int64(n) * int64(es)
		var buf bytes.Buffer
		got, err := buf.ReadFrom(io.LimitReader(r, want+1))
		if err != nil {
			return nil, errors.Wrapf(err, "after %d of %d data bytes", got, want)
		}
		if got < want {
			return nil, errors.Errorf("truncated: shape %v of %s needs %d data bytes, got %d", shape, typ, want, got)
		}
		if got > want {
			return nil, errors.Errorf("trailing bytes after the %d data bytes of shape %v", want, shape)
		}
		payload = buf.Bytes()
	}
	nr, err := npy.NewReader(io.MultiReader(bytes.NewReader(head), bytes.NewReader(payload)))
	if err != nil {
		return nil, errors.Wrap(err, "bad header")
	}
	var arr npy.Array
	if err := nr.Read(&arr); err != nil {
		return nil, errors.Wrap(err, "bad data")
	}
	return &arr, nil
}

// readNPYHeader reads and checks the magic, version and header dictionary
// of a .npy stream and returns those bytes, so that npyio, which assumes a
// well-formed header, only ever sees one.
func readNPYHeader(r io.Reader) (head []byte, typ string, shape []int, err error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, "", nil, errors.Wrap(err, "short magic")
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, "", nil, errors.Errorf("magic % x, want 93 4e 55 4d 50 59 (\\x93NUMPY)", pre[:6])
	}
	var n, size int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, "", nil, errors.Wrap(err, "short header length")
		}
		n, size = int(pre[8])|int(pre[9])<<8, 10
	case 2:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, "", nil, errors.Wrap(err, "short header length")
		}
		n = int(l[0]) | int(l[1])<<8 | int(l[2])<<16 | int(l[3])<<24
		if n > 1<<20 {
			return nil, "", nil, errors.Errorf("header of %d bytes", n)
		}
		return readNPYDict(r, append(append([]byte(nil), pre[:8]...), l[:]...), n)
	default:
		return nil, "", nil, errors.Errorf("format version %d.%d, want 1.0 or 2.0", pre[6], pre[7])
	}
	return readNPYDict(r, append([]byte(nil), pre[:size]...), n)
}

// npyDictPattern matches the header dictionary NumPy writes, keys in
// sorted order; it captures the dtype and the dimensions of the shape.
var npyDictPattern = regexp.MustCompile(`^\{\s*'descr':\s*'([<>|=]?[A-Za-z][0-9]*)',\s*'fortran_order':\s*(?:True|False),\s*'shape':\s*\(\s*((?:[0-9]+\s*,\s*)*(?:[0-9]+\s*)?)\),?\s*\}\s*\n$`)

func readNPYDict(r io.Reader, out []byte, n int) (head []byte, typ string, shape []int, err error) {
	dict := make([]byte, n)
	if _, err := io.ReadFull(r, dict); err != nil {
		return nil, "", nil, errors.Wrap(err, "short header dictionary")
	}
	s := string(dict)
	if !strings.HasSuffix(s, "\n") {
		return nil, "", nil, errors.New("header dictionary does not end with a newline")
	}
	m := npyDictPattern.FindStringSubmatch(s)
	if m == nil {
		return nil, "", nil, errors.Errorf("header dictionary %q, want {'descr': '<dtype>', 'fortran_order': False, 'shape': (...), }", strings.TrimSpace(s))
	}
	if _, ok := itemSize(m[1]); !ok && !isObjectDescr(m[1]) {
		return nil, "", nil, errors.Errorf("unsupported dtype %q", m[1])
	}
	for _, f := range strings.Split(m[2], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d > maxElems {
			return nil, "", nil, errors.Errorf("bad dimension %q in shape (%s)", f, m[2])
		}
		shape = append(shape, d)
	}
	return append(out, dict...), m[1], shape, nil
}

func isObjectDescr(typ string) bool { return typ == "|O" || typ == "O" || typ == "<O" || typ == ">O" }

// itemSize returns the byte size of a simple numeric dtype such as "<f8" or
// "|u1".
func itemSize(typ string) (int, bool) {
	if len(typ) != 3 || !strings.ContainsRune("<>|=", rune(typ[0])) {
		return 0, false
	}
	switch typ[1:] {
	case "b1", "i1", "u1":
		return 1, true
	case "i2", "u2":
		return 2, true
	case "i4", "u4", "f4":
		return 4, true
	case "i8", "u8", "f8":
		return 8, true
	}
	return 0, false
}

// arrayToDense turns a decoded numeric array into a C-ordered tensor,
// checking that the data fills the shape exactly.
func arrayToDense(arr *npy.Array) (*tensor.Dense, error) {
	shape := append([]int(nil), arr.Shape()...)
	n := 1
	for _, d := range shape {
		n *= d
	}
	data := arr.Data()
	var got int
	switch d := data.(type) {
	case []bool:
		got = len(d)
	case []int8:
		got = len(d)
	case []int16:
		got = len(d)
	case []int32:
		got = len(d)
	case []int64:
		got = len(d)
	case []uint8:
		got = len(d)
	case []uint16:
		got = len(d)
	case []uint32:
		got = len(d)
	case []uint64:
		got = len(d)
	case []float32:
		got = len(d)
	case []float64:
		got = len(d)
	case pyList:
		return nil, errors.New("object array: read it with Sequences")
	default:
		return nil, errors.Errorf("unsupported data type %T", data)
	}
	if got != n {
		return nil, errors.Errorf("shape %v needs %d elements, the data holds %d", shape, n, got)
	}
	if n == 0 {
		// gorgonia tensors with no elements panic in Data(); refuse them.
		return nil, errors.Errorf("empty array of shape %v: a tensor needs at least one element", shape)
	}
	if len(shape) == 0 {
		shape = []int{1}
	}
	if arr.Fortran() && len(shape) > 1 {
		rev := make([]int, len(shape))
		for i := range shape {
			rev[i] = shape[len(shape)-1-i]
		}
		t := tensor.New(tensor.WithShape(rev...), tensor.WithBacking(data))
		if err := t.T(); err != nil {
			return nil, errors.Wrap(err, "fortran order")
		}
		if err := t.Transpose(); err != nil {
			return nil, errors.Wrap(err, "fortran order")
		}
		return t, nil
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)), nil
}

// arrayToSequences turns a decoded 1-D object array of integer lists into
// [][]int.
func arrayToSequences(arr *npy.Array) ([][]int, error) {
	list, ok := arr.Data().(pyList)
	if !ok {
		return nil, errors.Errorf("not an object array of sequences (data is %T)", arr.Data())
	}
	if len(arr.Shape()) != 1 || arr.Shape()[0] != list.Len() {
		return nil, errors.Errorf("object array of shape %v holds %d items, want a 1-D array", arr.Shape(), list.Len())
	}
	seqs := make([][]int, list.Len())
	for i := range seqs {
		s, err := toIntSlice(list.Get(i))
		if err != nil {
			return nil, errors.WithMessagef(err, "item %d", i)
		}
		seqs[i] = s
	}
	return seqs, nil
}

// pyList is what npyio's unpickler returns for a Python list or tuple; it is
// matched by its methods so that this package needs no pickle import.
type pyList interface {
	Len() int
	Get(i int) any
}

// toIntSlice converts one pickled sequence (a list of Python ints or a
// numeric NumPy array) to []int.
func toIntSlice(v any) ([]int, error) {
	switch v := v.(type) {
	case pyList:
		out := make([]int, v.Len())
		for i := range out {
			x, err := toInt(v.Get(i))
			if err != nil {
				return nil, errors.WithMessagef(err, "element %d", i)
			}
			out[i] = x
		}
		return out, nil
	case *npy.Array:
		if len(v.Shape()) != 1 {
			return nil, errors.Errorf("nested array of shape %v, want 1-D", v.Shape())
		}
		var out []int
		switch d := v.Data().(type) {
		case []int8:
			out = convertInts(d)
		case []int16:
			out = convertInts(d)
		case []int32:
			out = convertInts(d)
		case []int64:
			out = convertInts(d)
		case []uint8:
			out = convertInts(d)
		case []uint16:
			out = convertInts(d)
		case []uint32:
			out = convertInts(d)
		default:
			return nil, errors.Errorf("nested array of %T, want integers", v.Data())
		}
		if len(out) != v.Shape()[0] {
			return nil, errors.Errorf("nested array of shape %v holds %d elements", v.Shape(), len(out))
		}
		return out, nil
	}
	return nil, errors.Errorf("item of type %T, want a list of integers", v)
}

func convertInts[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](d []T) []int {
	out := make([]int, len(d))
	for i, x := range d {
		out[i] = int(x)
	}
	return out
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case *big.Int:
		if x.IsInt64() && x.Int64() >= math.MinInt && x.Int64() <= math.MaxInt {
			return int(x.Int64()), nil
		}
		return 0, errors.Errorf("integer %v out of range", x)
	}
	return 0, errors.Errorf("%T, want an integer", v)
}

// recoverError turns a panic in a decoder or in a library it calls into an
// error, so that no panic escapes the public API.
func recoverError(err *error, what string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("datasets: %s: malformed input (%v)", what, r)
	}
}
