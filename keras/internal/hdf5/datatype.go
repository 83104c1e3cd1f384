package hdf5

import (
	"fmt"

	"github.com/pkg/errors"
)

// Class is an HDF5 datatype class (the datatype message's class field).
type Class uint8

// The datatype classes of the HDF5 format. The reader decodes values of
// ClassInteger, ClassFloat, ClassString, ClassEnum (of integers) and
// ClassVarLen strings; the others are described but their values refused.
const (
	ClassInteger   Class = 0 // fixed-point integers, signed or unsigned
	ClassFloat     Class = 1 // IEEE floating point
	ClassTime      Class = 2
	ClassString    Class = 3 // fixed-length strings
	ClassBitfield  Class = 4
	ClassOpaque    Class = 5
	ClassCompound  Class = 6
	ClassReference Class = 7
	ClassEnum      Class = 8
	ClassVarLen    Class = 9 // variable-length sequences and strings
	ClassArray     Class = 10
)

var classNames = [...]string{"integer", "floating point", "time", "string", "bitfield", "opaque",
	"compound", "reference", "enumeration", "variable-length", "array"}

// String returns the class's name as the HDF5 specification spells it.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class %d", uint8(c))
}

// Charset is the character set of a string datatype.
type Charset uint8

// String character sets.
const (
	ASCII Charset = 0
	UTF8  Charset = 1
)

// StringPad says how a fixed-length string fills its unused bytes.
type StringPad uint8

// String paddings.
const (
	NullTerm StringPad = 0 // a NUL ends the string (C strings)
	NullPad  StringPad = 1 // NULs fill the rest (numpy "S" arrays, h5py's default)
	SpacePad StringPad = 2 // spaces fill the rest (Fortran)
)

// Datatype describes the type of a dataset's or an attribute's elements.
type Datatype struct {
	// Class is the HDF5 class.
	Class Class
	// Size is the stored size of one element in bytes (16 for a
	// variable-length string with 8-byte addresses: a length, a global
	// heap address and an index).
	Size int
	// BigEndian is true for big-endian integers and floats.
	BigEndian bool
	// Signed is true for signed integers (two's complement).
	Signed bool
	// VarLenString is true for a variable-length string (ClassVarLen of
	// characters); false for a variable-length sequence.
	VarLenString bool
	// Charset is the character set of a string (fixed or variable length).
	Charset Charset
	// Pad is the padding of a fixed-length string.
	Pad StringPad
	// Base is the member type of an enumeration or the element type of a
	// variable-length sequence.
	Base *Datatype
	// EnumNames and EnumValues are an enumeration's members.
	EnumNames  []string
	EnumValues []int64
	// RefType is a reference's type (0 object, 1 dataset region).
	RefType int

	bitOffset, precision int // fixed point and floats
	float                floatLayout
}

type floatLayout struct {
	signLoc, expLoc, expSize, manLoc, manSize int
	bias                                      uint32
}

// IsBool reports whether the type is what h5py writes for numpy bool: an
// enumeration of a 1-byte integer with exactly the members FALSE = 0 and
// TRUE = 1.
func (t *Datatype) IsBool() bool {
	if t.Class != ClassEnum || t.Base == nil || t.Base.Class != ClassInteger || t.Base.Size != 1 ||
		len(t.EnumNames) != 2 {
		return false
	}
	m := map[string]int64{t.EnumNames[0]: t.EnumValues[0], t.EnumNames[1]: t.EnumValues[1]}
	f, okf := m["FALSE"]
	tr, okt := m["TRUE"]
	return okf && okt && f == 0 && tr == 1
}

// IsString reports whether the elements are strings (fixed or variable
// length).
func (t *Datatype) IsString() bool {
	return t.Class == ClassString || (t.Class == ClassVarLen && t.VarLenString)
}

// String returns the type in numpy's notation where numpy has one
// ("<f4", ">i8", "|u1", "|S7", "bool"), "vlen-utf-8" / "vlen-ascii" for
// variable-length strings (h5py's string_dtype), and a description for the
// rest.
func (t *Datatype) String() string {
	order := "<"
	if t.BigEndian {
		order = ">"
	}
	if t.Size == 1 {
		order = "|"
	}
	switch t.Class {
	case ClassInteger:
		k := "u"
		if t.Signed {
			k = "i"
		}
		return fmt.Sprintf("%s%s%d", order, k, t.Size)
	case ClassFloat:
		return fmt.Sprintf("%sf%d", order, t.Size)
	case ClassString:
		return fmt.Sprintf("|S%d", t.Size)
	case ClassVarLen:
		if t.VarLenString {
			if t.Charset == UTF8 {
				return "vlen-utf-8"
			}
			return "vlen-ascii"
		}
		return "vlen-sequence of " + t.Base.String()
	case ClassEnum:
		if t.IsBool() {
			return "bool"
		}
		return "enum of " + t.Base.String()
	}
	return fmt.Sprintf("%s (%d bytes)", t.Class, t.Size)
}

// parseDatatype decodes a datatype message body (HDF5 spec IV.A.2.d). It
// returns the type and the bytes it used.
func parseDatatype(b []byte, what string, depth int) (*Datatype, int, error) {
	if depth > 8 {
		return nil, 0, errors.Errorf("%s: datatype nested too deeply", what)
	}
	if len(b) < 8 {
		return nil, 0, errors.Errorf("%s: datatype message truncated (%d bytes)", what, len(b))
	}
	classVersion := b[0]
	version := int(classVersion >> 4)
	t := &Datatype{Class: Class(classVersion & 0x0f)}
	bits := uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16
	size := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
	if version < 1 || version > 5 {
		return nil, 0, errors.Errorf("%s: datatype version %d", what, version)
	}
	if size == 0 || size > 1<<20 {
		return nil, 0, errors.Errorf("%s: datatype of %d bytes", what, size)
	}
	t.Size = int(size)
	p := b[8:]
	used := 8
	need := func(n int) error {
		if len(p) < n {
			return errors.Errorf("%s: %s datatype properties truncated", what, t.Class)
		}
		return nil
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		t.BigEndian = bits&1 != 0
		t.Signed = bits&8 != 0
		t.bitOffset = int(p[0]) | int(p[1])<<8
		t.precision = int(p[2]) | int(p[3])<<8
		used += 4
	case ClassFloat:
		if err := need(12); err != nil {
			return nil, 0, err
		}
		if bits&0x40 != 0 {
			return nil, 0, errors.Errorf("%s: VAX-order floating point is not supported", what)
		}
		t.BigEndian = bits&1 != 0
		t.float.signLoc = int(bits >> 8 & 0xff)
		t.bitOffset = int(p[0]) | int(p[1])<<8
		t.precision = int(p[2]) | int(p[3])<<8
		t.float.expLoc = int(p[4])
		t.float.expSize = int(p[5])
		t.float.manLoc = int(p[6])
		t.float.manSize = int(p[7])
		t.float.bias = uint32(p[8]) | uint32(p[9])<<8 | uint32(p[10])<<16 | uint32(p[11])<<24
		used += 12
	case ClassTime:
		used += 2
	case ClassString:
		t.Pad = StringPad(bits & 0x0f)
		t.Charset = Charset(bits >> 4 & 0x0f)
	case ClassOpaque:
		n := int(bits & 0xff)
		if err := need(n); err != nil {
			return nil, 0, err
		}
		used += n
	case ClassReference:
		t.RefType = int(bits & 0x0f)
	case ClassEnum:
		nmembers := int(bits & 0xffff)
		base, n, err := parseDatatype(p, what, depth+1)
		if err != nil {
			return nil, 0, err
		}
		if base.Class != ClassInteger {
			return nil, 0, errors.Errorf("%s: enumeration of %s is not supported", what, base.Class)
		}
		t.Base = base
		p = p[n:]
		used += n
		// Names: NUL-terminated, padded to a multiple of 8 before
		// version 3.
		for i := 0; i < nmembers; i++ {
			end := 0
			for end < len(p) && p[end] != 0 {
				end++
			}
			if end == len(p) {
				return nil, 0, errors.Errorf("%s: enumeration member name %d truncated", what, i)
			}
			t.EnumNames = append(t.EnumNames, string(p[:end]))
			adv := end + 1
			if version < 3 {
				adv = (end + 8) / 8 * 8
			}
			if adv > len(p) {
				return nil, 0, errors.Errorf("%s: enumeration member name %d truncated", what, i)
			}
			p = p[adv:]
			used += adv
		}
		if len(p) < nmembers*base.Size {
			return nil, 0, errors.Errorf("%s: enumeration values truncated", what)
		}
		for i := 0; i < nmembers; i++ {
			v, err := intAt(p[i*base.Size:], base)
			if err != nil {
				return nil, 0, errors.Errorf("%s: enumeration value: %v", what, err)
			}
			t.EnumValues = append(t.EnumValues, v)
		}
		used += nmembers * base.Size
	case ClassVarLen:
		kind := bits & 0x0f
		t.VarLenString = kind == 1
		t.Pad = StringPad(bits >> 4 & 0x0f)
		t.Charset = Charset(bits >> 8 & 0x0f)
		base, n, err := parseDatatype(p, what, depth+1)
		if err != nil {
			return nil, 0, err
		}
		t.Base = base
		used += n
	case ClassCompound, ClassArray:
		// Described by class only: their values are refused, and the
		// properties' length is not needed since messages carry their
		// own size (attribute messages give the datatype's size too).
		used = len(b)
	default:
		return nil, 0, errors.Errorf("%s: unknown datatype class %d", what, t.Class)
	}
	return t, used, nil
}

// check returns an error if the reader cannot decode values of type t.
func (t *Datatype) check() error {
	switch t.Class {
	case ClassInteger:
		if t.Size != 1 && t.Size != 2 && t.Size != 4 && t.Size != 8 {
			return errors.Errorf("unsupported integer size %d", t.Size)
		}
		if t.bitOffset != 0 || t.precision != 8*t.Size {
			return errors.Errorf("unsupported integer with bit offset %d, precision %d", t.bitOffset, t.precision)
		}
	case ClassFloat:
		want := map[int]floatLayout{
			2: {15, 10, 5, 0, 10, 15},
			4: {31, 23, 8, 0, 23, 127},
			8: {63, 52, 11, 0, 52, 1023},
		}
		l, ok := want[t.Size]
		if !ok || t.float != l || t.bitOffset != 0 || t.precision != 8*t.Size {
			return errors.Errorf("unsupported floating-point layout (%d bytes, sign bit %d, exponent %d+%d, mantissa %d+%d, bias %d)",
				t.Size, t.float.signLoc, t.float.expLoc, t.float.expSize, t.float.manLoc, t.float.manSize, t.float.bias)
		}
	case ClassString:
		if t.Charset > UTF8 {
			return errors.Errorf("unsupported character set %d", t.Charset)
		}
	case ClassEnum:
		return t.Base.check()
	case ClassVarLen:
		if !t.VarLenString {
			return errors.Errorf("unsupported datatype class 9 (variable-length sequence)")
		}
		if t.Charset > UTF8 {
			return errors.Errorf("unsupported character set %d", t.Charset)
		}
	case ClassReference:
		return errors.Errorf("unsupported datatype class 7 (reference)")
	default:
		return errors.Errorf("unsupported datatype class %d (%s)", uint8(t.Class), t.Class)
	}
	return nil
}
