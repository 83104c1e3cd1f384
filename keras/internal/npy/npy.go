package npy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// Magic is the first six bytes of every .npy file.
const Magic = "\x93NUMPY"

// MaxHeader bounds the header length the reader accepts (numpy writes a
// few hundred bytes; it refuses headers above 10,000 by default).
const MaxHeader = 1 << 16

// Array is a decoded array: exactly one of F32 and F64 is set.
type Array struct {
	// Shape is the array's shape; empty for a scalar.
	Shape []int
	// F32 holds the values of a float32 array ("<f4"), row-major.
	F32 []float32
	// F64 holds the values of a float64 array ("<f8"), row-major.
	F64 []float64
}

// Dtype returns "float32" or "float64".
func (a Array) Dtype() string {
	if a.F32 != nil {
		return "float32"
	}
	return "float64"
}

// Len returns the number of values.
func (a Array) Len() int {
	if a.F32 != nil {
		return len(a.F32)
	}
	return len(a.F64)
}

// Float64s returns the values as float64 (exact for float32 data).
func (a Array) Float64s() []float64 {
	if a.F64 != nil {
		return a.F64
	}
	out := make([]float64, len(a.F32))
	for i, x := range a.F32 {
		out[i] = float64(x)
	}
	return out
}

// Encode returns the .npy (version 1.0) encoding of a float32 or float64
// array of the given shape. data must be []float32 or []float64 with
// prod(shape) values.
func Encode(shape []int, data interface{}) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, shape, data); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the .npy (version 1.0) encoding of a float32 or float64
// array of the given shape to w, in chunks (it never holds a second copy
// of the data). data must be []float32 or []float64 with prod(shape)
// values. The output is byte for byte what numpy.save writes.
func Write(w io.Writer, shape []int, data interface{}) error {
	var descr string
	var n int
	switch d := data.(type) {
	case []float32:
		descr, n = "<f4", len(d)
	case []float64:
		descr, n = "<f8", len(d)
	default:
		return errors.Errorf("npy: unsupported data type %T", data)
	}
	want := 1
	for _, s := range shape {
		if s < 0 {
			return errors.Errorf("npy: negative dimension in shape %v", shape)
		}
		want *= s
	}
	if want != n {
		return errors.Errorf("npy: shape %v needs %d values, got %d", shape, want, n)
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shapeTuple(shape))
	// magic(6) + version(2) + length(2) + header + padding + "\n" is a
	// multiple of 64.
	total := 10 + len(header) + 1
	header += strings.Repeat(" ", (64-total%64)%64) + "\n"
	if len(header) > math.MaxUint16 {
		return errors.Errorf("npy: shape %v has too many dimensions", shape)
	}
	head := make([]byte, 0, 10+len(header))
	head = append(head, Magic...)
	head = append(head, 1, 0, byte(len(header)), byte(len(header)>>8))
	head = append(head, header...)
	if _, err := w.Write(head); err != nil {
		return err
	}
	const chunk = 1 << 16
	buf := make([]byte, chunk)
	switch d := data.(type) {
	case []float32:
		for len(d) > 0 {
			k := min(len(d), chunk/4)
			for i, x := range d[:k] {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
			}
			if _, err := w.Write(buf[:4*k]); err != nil {
				return err
			}
			d = d[k:]
		}
	case []float64:
		for len(d) > 0 {
			k := min(len(d), chunk/8)
			for i, x := range d[:k] {
				binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
			}
			if _, err := w.Write(buf[:8*k]); err != nil {
				return err
			}
			d = d[k:]
		}
	}
	return nil
}

// shapeTuple formats a shape as a Python tuple: (), (3,), (2, 3).
func shapeTuple(shape []int) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", shape[0])
	}
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Header is a parsed .npy header.
type Header struct {
	// Descr is the dtype descriptor ("<f4", "<f8").
	Descr string
	// Shape is the array's shape; empty for a scalar.
	Shape []int
	// DataOffset is where the data starts.
	DataOffset int
}

// ReadHeader parses the header at the start of b. It accepts versions 1.0,
// 2.0 and 3.0 and C order only; it does not check the descriptor.
func ReadHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < 10 || string(b[:6]) != Magic {
		return h, errors.New("npy: not a .npy file (bad magic)")
	}
	major, minor := b[6], b[7]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return h, errors.New("npy: truncated header")
		}
		l := binary.LittleEndian.Uint32(b[8:12])
		if l > MaxHeader {
			return h, errors.Errorf("npy: header of %d bytes is too long (limit %d)", l, MaxHeader)
		}
		hlen, start = int(l), 12
	default:
		return h, errors.Errorf("npy: unsupported format version %d.%d", major, minor)
	}
	if minor != 0 {
		return h, errors.Errorf("npy: unsupported format version %d.%d", major, minor)
	}
	if len(b) < start+hlen {
		return h, errors.Errorf("npy: truncated header (%d of %d bytes)", len(b)-start, hlen)
	}
	dict, err := parseDict(string(b[start : start+hlen]))
	if err != nil {
		return h, err
	}
	descr, ok := dict["descr"].(string)
	if !ok {
		return h, errors.New("npy: header has no string 'descr'")
	}
	fo, ok := dict["fortran_order"].(bool)
	if !ok {
		return h, errors.New("npy: header has no boolean 'fortran_order'")
	}
	if fo {
		return h, errors.New("npy: Fortran-order arrays are not supported (save with numpy.ascontiguousarray)")
	}
	shape, ok := dict["shape"].([]int)
	if !ok {
		return h, errors.New("npy: header has no integer tuple 'shape'")
	}
	if len(dict) != 3 {
		return h, errors.Errorf("npy: header has %d keys, want descr, fortran_order and shape", len(dict))
	}
	h.Descr, h.Shape, h.DataOffset = descr, shape, start+hlen
	return h, nil
}

// Decode parses a whole .npy file holding a little-endian float32 or
// float64 array in C order. The data must be exactly as long as the shape
// says.
func Decode(b []byte) (Array, error) {
	h, err := ReadHeader(b)
	if err != nil {
		return Array{}, err
	}
	var size int
	switch h.Descr {
	case "<f4":
		size = 4
	case "<f8":
		size = 8
	default:
		return Array{}, errors.Errorf("npy: dtype %q is not supported (want '<f4' float32 or '<f8' float64)", h.Descr)
	}
	body := b[h.DataOffset:]
	n := 1
	for _, d := range h.Shape {
		if d != 0 && n > len(body)/d {
			return Array{}, errors.Errorf("npy: shape %s is larger than the %d data bytes", shapeTuple(h.Shape), len(body))
		}
		n *= d
	}
	if n*size != len(body) {
		return Array{}, errors.Errorf("npy: shape %s %s needs %d data bytes, the file has %d", shapeTuple(h.Shape), h.Descr, n*size, len(body))
	}
	a := Array{Shape: h.Shape}
	if size == 4 {
		a.F32 = make([]float32, n)
		for i := range a.F32 {
			a.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:]))
		}
	} else {
		a.F64 = make([]float64, n)
		for i := range a.F64 {
			a.F64[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
		}
	}
	return a, nil
}

// parseDict parses the Python dict literal of a .npy header: string keys;
// values are strings, True/False, or tuples of non-negative integers.
func parseDict(s string) (map[string]interface{}, error) {
	p := &parser{s: s}
	p.space()
	if !p.eat('{') {
		return nil, p.fail("expected '{'")
	}
	out := map[string]interface{}{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, p.fail("expected ':'")
		}
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, p.fail(fmt.Sprintf("duplicate key %q", key))
		}
		out[key] = val
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if !p.eat('}') {
			return nil, p.fail("expected ',' or '}'")
		}
		break
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.fail("trailing characters")
	}
	return out, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) fail(msg string) error {
	return errors.Errorf("npy: bad header at byte %d: %s", p.i, msg)
}

func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", p.fail("expected a string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", p.fail("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", p.fail("escapes in strings are not supported")
	}
	p.i += end + 2
	return v, nil
}

func (p *parser) value() (interface{}, error) {
	switch {
	case p.i >= len(p.s):
		return nil, p.fail("expected a value")
	case p.s[p.i] == '\'' || p.s[p.i] == '"':
		return p.str()
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case p.s[p.i] == '(':
		return p.tuple()
	}
	return nil, p.fail("unsupported value")
}

// tuple parses (), (3,), (2, 3) or (2, 3,).
func (p *parser) tuple() ([]int, error) {
	p.i++ // '('
	dims := []int{}
	for {
		p.space()
		if p.eat(')') {
			return dims, nil
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if start == p.i {
			return nil, p.fail("expected a dimension")
		}
		d, err := strconv.ParseInt(p.s[start:p.i], 10, 32)
		if err != nil {
			return nil, p.fail(fmt.Sprintf("dimension %s out of range", p.s[start:p.i]))
		}
		dims = append(dims, int(d))
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat(')') {
			// (3) is an int in Python, not a tuple; numpy never writes it,
			// and it is read as (3,).
			return dims, nil
		}
		return nil, p.fail("expected ',' or ')'")
	}
}
