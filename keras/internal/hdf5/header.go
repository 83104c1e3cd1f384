package hdf5

import (
	"encoding/binary"

	"github.com/pkg/errors"
)

// Object header message types used by the reader (HDF5 spec IV.A.2).
const (
	msgNil          = 0x00
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgFillOld      = 0x04
	msgFill         = 0x05
	msgLink         = 0x06
	msgExternal     = 0x07
	msgLayout       = 0x08
	msgGroupInfo    = 0x0a
	msgFilters      = 0x0b
	msgAttribute    = 0x0c
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// Header message flags.
const (
	mflagShared         = 0x02
	mflagFailIfUnknown  = 0x80
	mflagFailUnknownW   = 0x08
	knownMessageTypeMax = 0x18
)

type message struct {
	typ    uint16
	flags  uint8
	corder uint16 // creation order (v2 headers that track attribute order)
	data   []byte
}

type objectHeader struct {
	version        int
	messages       []message
	attrOrderTrack bool // v2 header flag bit 2: messages carry a creation order
}

// header returns the parsed object header at addr (cached).
func (f *File) header(addr uint64, path string) (*objectHeader, error) {
	if h, ok := f.headers[addr]; ok {
		if h == nil {
			return nil, errors.Errorf("hdf5: %s: object header at %d refers to itself", path, addr)
		}
		return h, nil
	}
	f.headers[addr] = nil // marks "being parsed" against shared-message loops
	h, err := f.parseHeader(addr, path)
	if err != nil {
		delete(f.headers, addr)
		return nil, err
	}
	f.headers[addr] = h
	return h, nil
}

func (f *File) parseHeader(addr uint64, path string) (*objectHeader, error) {
	what := "hdf5: " + path + ": object header"
	first, err := f.readUpTo(addr, 16, 5, what)
	if err != nil {
		return nil, err
	}
	h := &objectHeader{}
	type block struct{ addr, size uint64 }
	var pending []block
	seen := map[uint64]bool{addr: true}
	var total uint64
	addBlock := func(data []byte) error {
		d := f.newDecoder(data, what)
		d.off = 0
		cAddr, cLen := d.addr(), d.length()
		if d.err != nil {
			return errors.Errorf("%s: continuation message: %v", what, d.err)
		}
		if seen[cAddr] {
			return errors.Errorf("%s: continuation block at %d is visited twice (a loop)", what, cAddr)
		}
		seen[cAddr] = true
		total += cLen
		if total > uint64(f.size) {
			return errors.Errorf("%s: continuation blocks add up to more than the file", what)
		}
		pending = append(pending, block{cAddr, cLen})
		return nil
	}
	if string(first[:4]) == "OHDR" {
		h.version = 2
		pre, err := f.readUpTo(addr, 4+1+1+16+4+8, 7, what)
		if err != nil {
			return nil, err
		}
		if pre[4] != 2 {
			return nil, errors.Errorf("%s: unsupported version %d", what, pre[4])
		}
		flags := pre[5]
		d := f.newDecoder(pre, what)
		d.off = 6
		if flags&0x20 != 0 {
			d.skip(16) // access, modification, change, birth times
		}
		if flags&0x10 != 0 {
			d.skip(4) // max compact / min dense attributes
		}
		sizeBytes := 1 << (flags & 3)
		chunk0 := d.uint(sizeBytes)
		if d.err != nil {
			return nil, d.err
		}
		start := uint64(d.off)
		h.attrOrderTrack = flags&0x04 != 0
		if chunk0 > uint64(f.size) {
			return nil, errors.Errorf("%s: chunk of %d bytes is larger than the file", what, chunk0)
		}
		all, err := f.readAt(addr, start+chunk0+4, what)
		if err != nil {
			return nil, err
		}
		if err := checkSum(all, int(start+chunk0), what); err != nil {
			return nil, err
		}
		if err := f.parseV2Messages(h, all[start:start+chunk0], what, addBlock); err != nil {
			return nil, err
		}
		for len(pending) > 0 {
			b := pending[0]
			pending = pending[1:]
			data, err := f.readAt(b.addr, b.size, what+" continuation block")
			if err != nil {
				return nil, err
			}
			if len(data) < 8 || string(data[:4]) != "OCHK" {
				return nil, errors.Errorf("%s: continuation block at %d has no OCHK signature", what, b.addr)
			}
			if err := checkSum(data, len(data)-4, what+" continuation block"); err != nil {
				return nil, err
			}
			if err := f.parseV2Messages(h, data[4:len(data)-4], what, addBlock); err != nil {
				return nil, err
			}
		}
		return h, nil
	}
	// Version 1: version, reserved, number of messages (2), reference
	// count (4), header size (4), padding to 16.
	if first[0] != 1 {
		return nil, errors.Errorf("%s: unknown version %d (no OHDR signature either)", what, first[0])
	}
	h.version = 1
	if len(first) < 16 {
		return nil, errors.Errorf("%s: truncated", what)
	}
	nmsg := int(binary.LittleEndian.Uint16(first[2:]))
	size := uint64(binary.LittleEndian.Uint32(first[8:]))
	data, err := f.readAt(addr+16, size, what)
	if err != nil {
		return nil, err
	}
	if err := f.parseV1Messages(h, data, what, addBlock); err != nil {
		return nil, err
	}
	for len(pending) > 0 {
		b := pending[0]
		pending = pending[1:]
		data, err := f.readAt(b.addr, b.size, what+" continuation block")
		if err != nil {
			return nil, err
		}
		if err := f.parseV1Messages(h, data, what, addBlock); err != nil {
			return nil, err
		}
	}
	// The message count includes the continuation blocks' messages; a
	// mismatch is harmless (libhdf5 tolerates extra NIL space), so it is
	// not checked beyond the bound below.
	_ = nmsg
	return h, nil
}

func (f *File) parseV1Messages(h *objectHeader, data []byte, what string, cont func([]byte) error) error {
	for off := 0; off+8 <= len(data); {
		typ := binary.LittleEndian.Uint16(data[off:])
		size := int(binary.LittleEndian.Uint16(data[off+2:]))
		flags := data[off+4]
		off += 8
		if off+size > len(data) {
			return errors.Errorf("%s: message type %#x of %d bytes runs past its block", what, typ, size)
		}
		body := data[off : off+size]
		off += size
		if err := f.addMessage(h, message{typ: typ, flags: flags, data: body}, what, cont); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) parseV2Messages(h *objectHeader, data []byte, what string, cont func([]byte) error) error {
	hdr := 4
	if h.attrOrderTrack {
		hdr = 6
	}
	for off := 0; off+hdr <= len(data); {
		typ := uint16(data[off])
		size := int(binary.LittleEndian.Uint16(data[off+1:]))
		flags := data[off+3]
		var corder uint16
		if h.attrOrderTrack {
			corder = binary.LittleEndian.Uint16(data[off+4:])
		}
		off += hdr
		if off+size > len(data) {
			return errors.Errorf("%s: message type %#x of %d bytes runs past its block", what, typ, size)
		}
		body := data[off : off+size]
		off += size
		if err := f.addMessage(h, message{typ: typ, flags: flags, corder: corder, data: body}, what, cont); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) addMessage(h *objectHeader, m message, what string, cont func([]byte) error) error {
	if len(h.messages) >= maxHeaderMessages {
		return errors.Errorf("%s: more than %d messages", what, maxHeaderMessages)
	}
	switch {
	case m.typ == msgNil:
		return nil
	case m.typ == msgContinuation:
		return cont(m.data)
	case m.typ > knownMessageTypeMax && m.flags&mflagFailIfUnknown != 0:
		return errors.Errorf("%s: unknown message type %#x marked fail-if-unknown", what, m.typ)
	}
	h.messages = append(h.messages, m)
	return nil
}

// find returns the first message of type typ, or nil.
func (h *objectHeader) find(typ uint16) *message {
	for i := range h.messages {
		if h.messages[i].typ == typ {
			return &h.messages[i]
		}
	}
	return nil
}

// messageData returns the body of a message, resolving a shared message
// (flag bit 1) stored in another object header ("committed" datatypes,
// which h5py writes when a dataset or attribute uses a named type).
// Messages shared through the superblock extension's shared-message table
// are refused.
func (f *File) messageData(m *message, path string) ([]byte, error) {
	if m.flags&mflagShared == 0 {
		return m.data, nil
	}
	return f.sharedMessage(m.typ, m.data, path)
}

func (f *File) sharedMessage(typ uint16, data []byte, path string) ([]byte, error) {
	what := "hdf5: " + path + ": shared message"
	d := f.newDecoder(data, what)
	version := d.u8(0)
	kind := d.u8(0)
	var addr uint64
	switch version {
	case 1:
		d.skip(6)
		addr = d.addr()
	case 2:
		addr = d.addr()
	case 3:
		if kind != 2 {
			return nil, errors.Errorf("%s: stored in the shared object header message heap (type %d), which is not supported", what, kind)
		}
		addr = d.addr()
	default:
		return nil, errors.Errorf("%s: unsupported version %d", what, version)
	}
	if d.err != nil {
		return nil, d.err
	}
	h, err := f.header(addr, path+" (shared message owner)")
	if err != nil {
		return nil, err
	}
	m := h.find(typ)
	if m == nil {
		return nil, errors.Errorf("%s: the object at %d has no message of type %#x", what, addr, typ)
	}
	if m.flags&mflagShared != 0 {
		return nil, errors.Errorf("%s: the object at %d shares its message again", what, addr)
	}
	return m.data, nil
}
