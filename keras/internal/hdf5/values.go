package hdf5

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

func order(t *Datatype) binary.ByteOrder {
	if t.BigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// intAt decodes one integer element of type t (1, 2, 4 or 8 bytes).
func intAt(b []byte, t *Datatype) (int64, error) {
	if len(b) < t.Size {
		return 0, errors.New("value truncated")
	}
	o := order(t)
	switch t.Size {
	case 1:
		if t.Signed {
			return int64(int8(b[0])), nil
		}
		return int64(b[0]), nil
	case 2:
		if t.Signed {
			return int64(int16(o.Uint16(b))), nil
		}
		return int64(o.Uint16(b)), nil
	case 4:
		if t.Signed {
			return int64(int32(o.Uint32(b))), nil
		}
		return int64(o.Uint32(b)), nil
	case 8:
		v := o.Uint64(b)
		if !t.Signed && v > math.MaxInt64 {
			return 0, errors.Errorf("unsigned value %d does not fit int64", v)
		}
		return int64(v), nil
	}
	return 0, errors.Errorf("unsupported integer size %d", t.Size)
}

// float16 converts IEEE half-precision bits to float32 (exactly).
func float16(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h >> 10 & 0x1f)
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf, NaN (payload kept in the top mantissa bits)
		return math.Float32frombits(sign | 0xff<<23 | man<<13)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: man * 2^-24.
		v := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | man<<13)
}

// toFloat64s decodes n numeric elements (integers, floats, enums of
// integers) as float64: exact for floats and for integers up to 2^53.
func toFloat64s(raw []byte, t *Datatype, n int) ([]float64, error) {
	if err := numericOK(raw, t, n); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	o := order(t)
	switch t.Class {
	case ClassFloat:
		for i := range out {
			e := raw[i*t.Size:]
			switch t.Size {
			case 2:
				out[i] = float64(float16(o.Uint16(e)))
			case 4:
				out[i] = float64(math.Float32frombits(o.Uint32(e)))
			case 8:
				out[i] = math.Float64frombits(o.Uint64(e))
			}
		}
	default:
		it := intType(t)
		for i := range out {
			if it.Size == 8 && !it.Signed {
				out[i] = float64(o.Uint64(raw[i*8:]))
				continue
			}
			v, err := intAt(raw[i*it.Size:], it)
			if err != nil {
				return nil, err
			}
			out[i] = float64(v)
		}
	}
	return out, nil
}

// toFloat32s decodes n numeric elements as float32 (f16 and f32 exactly,
// f64 and large integers rounded to nearest).
func toFloat32s(raw []byte, t *Datatype, n int) ([]float32, error) {
	if t.Class == ClassFloat && t.Size <= 4 {
		if err := numericOK(raw, t, n); err != nil {
			return nil, err
		}
		out := make([]float32, n)
		o := order(t)
		for i := range out {
			if t.Size == 2 {
				out[i] = float16(o.Uint16(raw[i*2:]))
			} else {
				out[i] = math.Float32frombits(o.Uint32(raw[i*4:]))
			}
		}
		return out, nil
	}
	f64, err := toFloat64s(raw, t, n)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	for i, v := range f64 {
		out[i] = float32(v)
	}
	return out, nil
}

// toInt64s decodes n integer (or enum, bool) elements.
func toInt64s(raw []byte, t *Datatype, n int) ([]int64, error) {
	if err := numericOK(raw, t, n); err != nil {
		return nil, err
	}
	if t.Class == ClassFloat {
		return nil, errors.Errorf("%s values are not integers", t)
	}
	it := intType(t)
	out := make([]int64, n)
	for i := range out {
		v, err := intAt(raw[i*it.Size:], it)
		if err != nil {
			return nil, errors.Errorf("element %d: %v", i, err)
		}
		out[i] = v
	}
	return out, nil
}

func intType(t *Datatype) *Datatype {
	if t.Class == ClassEnum {
		return t.Base
	}
	return t
}

func numericOK(raw []byte, t *Datatype, n int) error {
	if err := t.check(); err != nil {
		return err
	}
	switch t.Class {
	case ClassInteger, ClassFloat, ClassEnum:
	default:
		return errors.Errorf("%s values are not numbers", t)
	}
	if t.Class == ClassEnum && t.Base.Size != t.Size {
		return errors.Errorf("enumeration of size %d over a %d-byte integer", t.Size, t.Base.Size)
	}
	if n < 0 || len(raw)/t.Size < n {
		return errors.Errorf("%d bytes hold fewer than %d elements of %d bytes", len(raw), n, t.Size)
	}
	return nil
}

// fixedString decodes one fixed-length string element per its padding.
func fixedString(b []byte, pad StringPad) string {
	switch pad {
	case NullTerm:
		if i := strings.IndexByte(string(b), 0); i >= 0 {
			b = b[:i]
		}
	case SpacePad:
		for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
			b = b[:len(b)-1]
		}
	default:
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// toStrings decodes n string elements: fixed-length ones from raw,
// variable-length ones through the global heap.
func (f *File) toStrings(raw []byte, t *Datatype, n int) ([]string, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if !t.IsString() {
		return nil, errors.Errorf("%s values are not strings", t)
	}
	if n < 0 || len(raw)/t.Size < n {
		return nil, errors.Errorf("%d bytes hold fewer than %d strings of %d bytes", len(raw), n, t.Size)
	}
	out := make([]string, n)
	if t.Class == ClassString {
		for i := range out {
			out[i] = fixedString(raw[i*t.Size:(i+1)*t.Size], t.Pad)
		}
	} else {
		if t.Size != 4+f.offSize+4 {
			return nil, errors.Errorf("variable-length string of %d bytes (want %d)", t.Size, 8+f.offSize)
		}
		for i := range out {
			d := f.newDecoder(raw[i*t.Size:(i+1)*t.Size], "variable-length string")
			length := d.u32()
			addr := d.addr()
			index := d.u32()
			if length == 0 {
				continue
			}
			obj, err := f.globalHeapObject(addr, index)
			if err != nil {
				return nil, errors.Errorf("string %d: %v", i, err)
			}
			if uint64(length) > uint64(len(obj)) {
				return nil, errors.Errorf("string %d: length %d, its heap object holds %d bytes", i, length, len(obj))
			}
			out[i] = string(obj[:length])
		}
	}
	if t.Charset == UTF8 {
		for i, s := range out {
			if !utf8.ValidString(s) {
				return nil, errors.Errorf("string %d is not valid UTF-8", i)
			}
		}
	}
	return out, nil
}
