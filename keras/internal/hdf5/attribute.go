package hdf5

import (
	"encoding/binary"
	"sort"

	"github.com/pkg/errors"
)

// Attribute is a named value attached to a group or a dataset. Its value
// is decoded by the accessor matching its type.
type Attribute struct {
	// Name is the attribute's name.
	Name string
	// Shape is the attribute's dataspace: empty for a scalar, nil with
	// Null set for an empty (null-dataspace) attribute.
	Shape []int
	// Null is true for an attribute with a null dataspace (h5py.Empty).
	Null bool
	// Type is the element type.
	Type *Datatype
	// CreationOrder is the attribute's creation index if its object
	// tracks attribute creation order, else -1.
	CreationOrder int64

	f    *File
	path string // object path, for errors
	raw  []byte
}

func (a *Attribute) errorf(format string, args ...interface{}) error {
	return errors.Errorf("hdf5: %s: attribute %s: "+format, append([]interface{}{a.path, a.Name}, args...)...)
}

// Len returns the number of elements (1 for a scalar, 0 if Null).
func (a *Attribute) Len() int {
	if a.Null {
		return 0
	}
	return product(a.Shape)
}

// Strings returns the elements of a string attribute (fixed-length
// strings with their padding removed, or variable-length strings), in row
// order. Byte strings are returned as they are stored.
func (a *Attribute) Strings() (s []string, err error) {
	defer recoverTo(&err, a.path)
	s, err = a.f.toStrings(a.raw, a.Type, a.Len())
	if err != nil {
		return nil, a.errorf("%v", err)
	}
	return s, nil
}

// String returns the value of a string attribute with exactly one element
// (a scalar, as h5py writes a Python str, or a 1-element array).
func (a *Attribute) String() (string, error) {
	s, err := a.Strings()
	if err != nil {
		return "", err
	}
	if len(s) != 1 {
		return "", a.errorf("has %d strings, not one", len(s))
	}
	return s[0], nil
}

// Int64s returns the elements of an integer, enumeration or boolean
// attribute (booleans as 0 and 1). Floats are refused.
func (a *Attribute) Int64s() (v []int64, err error) {
	defer recoverTo(&err, a.path)
	v, err = toInt64s(a.raw, a.Type, a.Len())
	if err != nil {
		return nil, a.errorf("%v", err)
	}
	return v, nil
}

// Int64 returns the value of an integer attribute with one element.
func (a *Attribute) Int64() (int64, error) {
	v, err := a.Int64s()
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, a.errorf("has %d values, not one", len(v))
	}
	return v[0], nil
}

// Float64s returns the elements of a numeric attribute as float64 (exact
// for floats and for integers up to 2^53).
func (a *Attribute) Float64s() (v []float64, err error) {
	defer recoverTo(&err, a.path)
	v, err = toFloat64s(a.raw, a.Type, a.Len())
	if err != nil {
		return nil, a.errorf("%v", err)
	}
	return v, nil
}

// Float64 returns the value of a numeric attribute with one element.
func (a *Attribute) Float64() (float64, error) {
	v, err := a.Float64s()
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, a.errorf("has %d values, not one", len(v))
	}
	return v[0], nil
}

// Bools returns the elements of a boolean attribute (h5py's enumeration
// FALSE = 0, TRUE = 1).
func (a *Attribute) Bools() ([]bool, error) {
	if !a.Type.IsBool() {
		return nil, a.errorf("is %s, not bool", a.Type)
	}
	v, err := a.Int64s()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x != 0
	}
	return out, nil
}

// Attrs returns the object's attributes in the order h5py lists them: by
// creation order if the object tracks it, otherwise by name (byte order).
func (o *object) Attrs() (attrs []*Attribute, err error) {
	defer recoverTo(&err, o.path)
	h, err := o.header()
	if err != nil {
		return nil, err
	}
	tracked := h.attrOrderTrack
	for i := range h.messages {
		m := &h.messages[i]
		switch m.typ {
		case msgAttribute:
			a, err := o.f.parseAttribute(m.data, o.path)
			if err != nil {
				return nil, err
			}
			if h.attrOrderTrack {
				a.CreationOrder = int64(m.corder)
			}
			attrs = append(attrs, a)
		case msgAttrInfo:
			dense, tr, err := o.denseAttrs(m.data)
			if err != nil {
				return nil, err
			}
			tracked = tracked || tr
			attrs = append(attrs, dense...)
		}
		if len(attrs) > MaxLinks {
			return nil, o.errorf("more than %d attributes", MaxLinks)
		}
	}
	sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	for i := 1; i < len(attrs); i++ {
		if attrs[i].Name == attrs[i-1].Name {
			return nil, o.errorf("two attributes named %q", attrs[i].Name)
		}
	}
	if tracked {
		sort.SliceStable(attrs, func(i, j int) bool { return attrs[i].CreationOrder < attrs[j].CreationOrder })
	}
	return attrs, nil
}

// Attr returns the attribute called name.
func (o *object) Attr(name string) (*Attribute, error) {
	attrs, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, o.errorf("no attribute %q", name)
}

// HasAttr reports whether the object has an attribute called name (an
// error reading the attributes counts as absent; Attrs reports it).
func (o *object) HasAttr(name string) bool {
	_, err := o.Attr(name)
	return err == nil
}

// parseAttribute decodes an attribute message (spec IV.A.2.m), versions 1
// to 3.
func (f *File) parseAttribute(b []byte, path string) (*Attribute, error) {
	what := "hdf5: " + path + ": attribute message"
	d := f.newDecoder(b, what)
	version := d.u8(0)
	flags := d.u8(0)
	nameSize := int(d.u16())
	typeSize := int(d.u16())
	spaceSize := int(d.u16())
	if version == 3 {
		d.u8(0) // name character set
	}
	if d.err != nil {
		return nil, d.err
	}
	if version < 1 || version > 3 {
		return nil, errors.Errorf("%s: version %d", what, version)
	}
	pad := func(n int) int {
		if version == 1 {
			return (n + 7) / 8 * 8
		}
		return n
	}
	nameField := d.bytes(pad(nameSize))
	typeField := d.bytes(pad(typeSize))
	spaceField := d.bytes(pad(spaceSize))
	if d.err != nil {
		return nil, d.err
	}
	if nameSize == 0 {
		return nil, errors.Errorf("%s: empty name", what)
	}
	name := string(nameField[:nameSize])
	if name[len(name)-1] == 0 {
		name = name[:len(name)-1]
	}
	a := &Attribute{Name: name, f: f, path: path, CreationOrder: -1}
	awhat := "hdf5: " + path + ": attribute " + name
	typeField = typeField[:typeSize]
	if flags&1 != 0 {
		shared, err := f.sharedMessage(msgDatatype, typeField, path+": attribute "+name)
		if err != nil {
			return nil, err
		}
		typeField = shared
	}
	if flags&2 != 0 {
		return nil, errors.Errorf("%s: shared dataspaces are not supported", awhat)
	}
	t, _, err := parseDatatype(typeField, awhat, 0)
	if err != nil {
		return nil, err
	}
	a.Type = t
	shape, null, err := f.parseDataspace(spaceField[:spaceSize], awhat)
	if err != nil {
		return nil, err
	}
	a.Shape, a.Null = shape, null
	n := uint64(0)
	if !null {
		n, err = elements(shape, t.Size, awhat)
		if err != nil {
			return nil, err
		}
	}
	if n*uint64(t.Size) > uint64(d.remaining()) {
		return nil, errors.Errorf("%s: %d elements of %d bytes, the message holds %d bytes of data",
			awhat, n, t.Size, d.remaining())
	}
	// An attribute of a type the reader cannot decode is still listed;
	// reading its value reports the problem.
	a.raw = d.bytes(int(n) * t.Size)
	return a, nil
}

// denseAttrs reads attributes stored in a fractal heap, indexed by name in
// a v2 B-tree of record type 8: heap ID (8), message flags (1), creation
// order (4), name hash (4). The attribute info message: version 0, flags,
// max creation index (2, if tracked), heap address, name index address,
// creation order index address (if indexed).
func (o *object) denseAttrs(b []byte) ([]*Attribute, bool, error) {
	what := "hdf5: " + o.path + ": dense attributes"
	d := o.f.newDecoder(b, what+": attribute info message")
	if v := d.u8(0); v != 0 && d.err == nil {
		return nil, false, errors.Errorf("%s: attribute info message version %d", what, v)
	}
	flags := d.u8(0)
	if flags&1 != 0 {
		d.skip(2)
	}
	heapAddr := d.addr()
	nameIndex := d.addr()
	if d.err != nil {
		return nil, false, d.err
	}
	if heapAddr == undef {
		return nil, flags&1 != 0, nil
	}
	heap, err := o.f.fractalHeap(heapAddr, what)
	if err != nil {
		return nil, false, err
	}
	var attrs []*Attribute
	err = o.f.walkBtree2(nameIndex, what, func(typ int, rec []byte) (bool, error) {
		if typ != 8 {
			return false, errors.Errorf("%s: name index of record type %d, want 8", what, typ)
		}
		if len(rec) != heap.idLen+9 {
			return false, errors.Errorf("%s: name index records of %d bytes, heap IDs are %d", what, len(rec), heap.idLen)
		}
		if rec[heap.idLen]&mflagShared != 0 {
			return false, errors.Errorf("%s: attributes shared through the shared-message table are not supported", what)
		}
		obj, err := o.f.heapObject(heap, rec[:heap.idLen], what)
		if err != nil {
			return false, err
		}
		a, err := o.f.parseAttribute(obj, o.path)
		if err != nil {
			return false, err
		}
		if h := lookup3([]byte(a.Name), 0); h != binary.LittleEndian.Uint32(rec[heap.idLen+5:]) {
			return false, errors.Errorf("%s: attribute %q is filed under hash %#08x, its name hashes to %#08x",
				what, a.Name, binary.LittleEndian.Uint32(rec[heap.idLen+5:]), h)
		}
		a.CreationOrder = int64(binary.LittleEndian.Uint32(rec[heap.idLen+1:]))
		attrs = append(attrs, a)
		if len(attrs) > MaxLinks {
			return false, errors.Errorf("%s: more than %d attributes", what, MaxLinks)
		}
		return true, nil
	})
	return attrs, flags&1 != 0, err
}
