package hdf5

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/pkg/errors"
)

// localHeap reads the data segment of the local heap at addr (spec III.D):
// "HEAP", version 0, 3 reserved, data segment size (L), free list head
// offset (L), data segment address (O).
func (f *File) localHeap(addr uint64, what string) ([]byte, error) {
	what += ": local heap"
	hdr, err := f.readAt(addr, uint64(8+2*f.lenSize+f.offSize), what)
	if err != nil {
		return nil, err
	}
	if string(hdr[:4]) != "HEAP" {
		return nil, errors.Errorf("%s at %d: no HEAP signature", what, addr)
	}
	if hdr[4] != 0 {
		return nil, errors.Errorf("%s at %d: unsupported version %d", what, addr, hdr[4])
	}
	d := f.newDecoder(hdr[8:], what)
	size := d.length()
	d.length()
	dataAddr := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	return f.readAt(dataAddr, size, what+" data segment")
}

// heapString returns the NUL-terminated string at off in a local heap's
// data segment.
func heapString(seg []byte, off uint64, what string) (string, error) {
	if off >= uint64(len(seg)) {
		return "", errors.Errorf("%s: name offset %d outside the local heap (%d bytes)", what, off, len(seg))
	}
	end := bytes.IndexByte(seg[off:], 0)
	if end < 0 {
		return "", errors.Errorf("%s: name at offset %d is not NUL-terminated", what, off)
	}
	return string(seg[off : off+uint64(end)]), nil
}

// globalHeapObject returns object index of the global heap collection at
// addr (spec III.E): "GCOL", version 1, 3 reserved, collection size (L),
// then objects: index (2), reference count (2), 4 reserved, size (L),
// data padded to 8 bytes; index 0 is free space.
func (f *File) globalHeapObject(addr uint64, index uint32) ([]byte, error) {
	coll, ok := f.gheaps[addr]
	if !ok {
		what := "global heap collection"
		hdr, err := f.readAt(addr, uint64(8+f.lenSize), what)
		if err != nil {
			return nil, err
		}
		if string(hdr[:4]) != "GCOL" {
			return nil, errors.Errorf("%s at %d: no GCOL signature", what, addr)
		}
		if hdr[4] != 1 {
			return nil, errors.Errorf("%s at %d: unsupported version %d", what, addr, hdr[4])
		}
		size := f.newDecoder(hdr[8:], what).length()
		if size < uint64(len(hdr)) {
			return nil, errors.Errorf("%s at %d: size %d is smaller than its header", what, addr, size)
		}
		coll, err = f.readAt(addr, size, what)
		if err != nil {
			return nil, err
		}
		f.gheaps[addr] = coll
	}
	off := 8 + f.lenSize
	hdr := 8 + f.lenSize
	for off+hdr <= len(coll) {
		idx := binary.LittleEndian.Uint16(coll[off:])
		d := f.newDecoder(coll[off+8:], "global heap object")
		size := d.length()
		if idx == 0 {
			break // free space: the rest of the collection
		}
		start := off + hdr
		if size > uint64(len(coll)-start) {
			return nil, errors.Errorf("global heap object %d at %d: %d bytes run past its collection", idx, addr, size)
		}
		if uint32(idx) == index {
			return coll[start : start+int(size)], nil
		}
		off = start + int((size+7)/8*8)
	}
	return nil, errors.Errorf("global heap collection at %d has no object %d", addr, index)
}

// fractalHeap is a parsed fractal heap header (spec III.G).
type fractalHeap struct {
	addr            uint64
	idLen           int
	filterLen       int
	flags           uint8
	maxManaged      uint64
	hugeBtree       uint64
	tableWidth      int
	startBlock      uint64
	maxDirect       uint64
	maxHeapBits     int
	rootAddr        uint64
	rootRows        int
	offBytes        int // bytes of a heap offset in IDs and block headers
	lenBytes        int // bytes of a managed object's length in IDs
	maxDirectRows   int
	hugeIDLen       int
	checksumDirects bool
}

func (f *File) fractalHeap(addr uint64, what string) (*fractalHeap, error) {
	if h, ok := f.fheaps[addr]; ok {
		return h, nil
	}
	what += ": fractal heap"
	size := uint64(4 + 1 + 2 + 2 + 1 + 4 + 12*8 + 2 + 2 + 2 + 2 + 2 + 8 + 8 + 4 + 4)
	b, err := f.readUpTo(addr, size, 22, what)
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != "FRHP" || b[4] != 0 {
		return nil, errors.Errorf("%s at %d: no FRHP signature (version 0)", what, addr)
	}
	d := f.newDecoder(b, what)
	d.off = 5
	h := &fractalHeap{addr: addr}
	h.idLen = int(d.u16())
	h.filterLen = int(d.u16())
	h.flags = d.u8(0)
	h.maxManaged = uint64(d.u32())
	d.length() // next huge object ID
	h.hugeBtree = d.addr()
	d.length() // free space in managed blocks
	d.addr()   // free-space manager
	d.length() // managed space
	d.length() // allocated managed space
	d.length() // direct block allocation iterator offset
	d.length() // managed objects
	d.length() // huge objects size
	d.length() // huge objects count
	d.length() // tiny objects size
	d.length() // tiny objects count
	h.tableWidth = int(d.u16())
	h.startBlock = d.length()
	h.maxDirect = d.length()
	h.maxHeapBits = int(d.u16())
	d.u16() // starting rows of root indirect block
	h.rootAddr = d.addr()
	h.rootRows = int(d.u16())
	if h.filterLen > 0 {
		d.length() // filtered root direct block size
		d.u32()    // filter mask
		d.skip(h.filterLen)
	}
	end := d.off
	if d.err != nil {
		return nil, d.err
	}
	full, err := f.readAt(addr, uint64(end+4), what)
	if err != nil {
		return nil, err
	}
	if err := checkSum(full, end, what); err != nil {
		return nil, err
	}
	if h.filterLen > 0 {
		return nil, errors.Errorf("%s at %d: filtered fractal heaps are not supported", what, addr)
	}
	pow2 := func(v uint64) bool { return v != 0 && v&(v-1) == 0 }
	if h.tableWidth == 0 || !pow2(uint64(h.tableWidth)) || !pow2(h.startBlock) || !pow2(h.maxDirect) ||
		h.maxDirect < h.startBlock || h.maxHeapBits == 0 || h.maxHeapBits > 64 || h.idLen < 1 || h.idLen > 1<<10 {
		return nil, errors.Errorf("%s at %d: invalid doubling table (width %d, start block %d, max direct block %d, max heap size 2^%d, ID length %d)",
			what, addr, h.tableWidth, h.startBlock, h.maxDirect, h.maxHeapBits, h.idLen)
	}
	h.offBytes = (h.maxHeapBits + 7) / 8
	// The length field is as wide as the smaller of an offset within the
	// largest direct block and the encoding of the largest managed object.
	h.lenBytes = limitEncSize(h.maxManaged)
	if b := (bits.Len64(h.maxDirect) - 1 + 7) / 8; b < h.lenBytes {
		h.lenBytes = b
	}
	h.maxDirectRows = bits.Len64(h.maxDirect) - bits.Len64(h.startBlock) + 2
	h.checksumDirects = h.flags&0x02 != 0
	h.hugeIDLen = h.idLen - 1
	if h.hugeIDLen > 8 {
		h.hugeIDLen = 8
	}
	f.fheaps[addr] = h
	return h, nil
}

// limitEncSize is the number of bytes needed to encode values up to v
// (floor(log2(v))/8 + 1).
func limitEncSize(v uint64) int {
	if v == 0 {
		return 1
	}
	return (bits.Len64(v)-1)/8 + 1
}

// rowSize is the size of the blocks in row r of the doubling table.
func (h *fractalHeap) rowSize(r int) uint64 {
	if r == 0 {
		return h.startBlock
	}
	return h.startBlock << uint(r-1)
}

// object returns the object that heap ID id names.
func (f *File) heapObject(h *fractalHeap, id []byte, what string) ([]byte, error) {
	if len(id) != h.idLen {
		return nil, errors.Errorf("%s: heap ID of %d bytes, the heap uses %d", what, len(id), h.idLen)
	}
	if id[0]>>6 != 0 {
		return nil, errors.Errorf("%s: heap ID version %d", what, id[0]>>6)
	}
	switch id[0] >> 4 & 3 {
	case 0: // managed
		d := &decoder{b: id[1:], what: what}
		off := d.uint(h.offBytes)
		n := d.uint(h.lenBytes)
		if d.err != nil {
			return nil, d.err
		}
		return f.managedObject(h, off, n, what)
	case 1: // huge
		return f.hugeObject(h, id[1:], what)
	case 2: // tiny
		n := int(id[0]&0x0f) + 1
		data := id[1:]
		if h.idLen > 18 {
			if len(id) < 2 {
				return nil, errors.Errorf("%s: tiny heap ID truncated", what)
			}
			n = (int(id[0]&0x0f)<<8 | int(id[1])) + 1
			data = id[2:]
		}
		if n > len(data) {
			return nil, errors.Errorf("%s: tiny object of %d bytes in a %d-byte ID", what, n, len(id))
		}
		return data[:n], nil
	}
	return nil, errors.Errorf("%s: heap ID of unknown type %d", what, id[0]>>4&3)
}

// managedObject locates heap offset off through the doubling table.
func (f *File) managedObject(h *fractalHeap, off, n uint64, what string) ([]byte, error) {
	if h.rootAddr == undef {
		return nil, errors.Errorf("%s: managed object in an empty fractal heap", what)
	}
	if n > h.maxDirect {
		return nil, errors.Errorf("%s: managed object of %d bytes exceeds the largest direct block", what, n)
	}
	if h.rootRows == 0 {
		return f.directBlockObject(h, h.rootAddr, h.startBlock, 0, off, n, what)
	}
	blockAddr, blockOff := h.rootAddr, uint64(0)
	rows := h.rootRows
	for depth := 0; ; depth++ {
		if depth > maxTreeDepth {
			return nil, errors.Errorf("%s: fractal heap indirect blocks nest too deeply", what)
		}
		// Find the row and column of off within this indirect block.
		rel := off - blockOff
		w := uint64(h.tableWidth)
		r := 0
		if rel >= w*h.startBlock {
			r = bits.Len64(rel / (w * h.startBlock)) // rel in [W*S*2^(r-1), W*S*2^r)
		}
		if r >= rows {
			return nil, errors.Errorf("%s: heap offset %d is outside its indirect block (%d rows)", what, off, rows)
		}
		rowStart := uint64(0)
		if r > 0 {
			rowStart = w * h.startBlock << uint(r-1)
		}
		size := h.rowSize(r)
		col := (rel - rowStart) / size
		childOff := blockOff + rowStart + col*size
		directRows := rows
		if directRows > h.maxDirectRows {
			directRows = h.maxDirectRows
		}
		entry := r*h.tableWidth + int(col)
		ib, err := f.indirectBlock(h, blockAddr, rows, blockOff, what)
		if err != nil {
			return nil, err
		}
		if r < directRows {
			addr := ib[entry]
			if addr == undef {
				return nil, errors.Errorf("%s: heap offset %d is in an unallocated block", what, off)
			}
			return f.directBlockObject(h, addr, size, childOff, off, n, what)
		}
		addr := ib[entry]
		if addr == undef {
			return nil, errors.Errorf("%s: heap offset %d is in an unallocated block", what, off)
		}
		nrows := r - (bits.Len64(w) - 1)
		if nrows <= 0 || nrows >= rows {
			return nil, errors.Errorf("%s: indirect block row %d cannot hold child indirect blocks", what, r)
		}
		blockAddr, blockOff, rows = addr, childOff, nrows
	}
}

// indirectBlock returns the child addresses of an indirect block with
// nrows rows: direct-block entries then indirect-block entries.
func (f *File) indirectBlock(h *fractalHeap, addr uint64, nrows int, blockOff uint64, what string) ([]uint64, error) {
	what += ": fractal heap indirect block"
	n := nrows * h.tableWidth
	if nrows > 64 || n > 1<<16 {
		return nil, errors.Errorf("%s at %d: %d rows", what, addr, nrows)
	}
	size := uint64(4+1+f.offSize+h.offBytes) + uint64(n*f.offSize) + 4
	b, err := f.readAt(addr, size, what)
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != "FHIB" || b[4] != 0 {
		return nil, errors.Errorf("%s at %d: no FHIB signature (version 0)", what, addr)
	}
	if err := checkSum(b, len(b)-4, what); err != nil {
		return nil, err
	}
	d := f.newDecoder(b, what)
	d.off = 5
	if ha := d.addr(); ha != h.addr {
		return nil, errors.Errorf("%s at %d: belongs to heap %d, not %d", what, addr, ha, h.addr)
	}
	if bo := d.uint(h.offBytes); bo != blockOff {
		return nil, errors.Errorf("%s at %d: block offset %d, expected %d", what, addr, bo, blockOff)
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = d.addr()
	}
	return out, d.err
}

func (f *File) directBlockObject(h *fractalHeap, addr, size, blockOff, off, n uint64, what string) ([]byte, error) {
	what += ": fractal heap direct block"
	if off < blockOff || off-blockOff > size || n > size-(off-blockOff) {
		return nil, errors.Errorf("%s at %d: object at heap offset %d (%d bytes) is outside the block", what, addr, off, n)
	}
	b, err := f.readAt(addr, size, what)
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != "FHDB" || b[4] != 0 {
		return nil, errors.Errorf("%s at %d: no FHDB signature (version 0)", what, addr)
	}
	d := f.newDecoder(b, what)
	d.off = 5
	if ha := d.addr(); ha != h.addr {
		return nil, errors.Errorf("%s at %d: belongs to heap %d, not %d", what, addr, ha, h.addr)
	}
	if bo := d.uint(h.offBytes); bo != blockOff {
		return nil, errors.Errorf("%s at %d: block offset %d, expected %d", what, addr, bo, blockOff)
	}
	hdr := d.off
	if h.checksumDirects {
		hdr += 4
		if d.err == nil && hdr <= len(b) {
			// The checksum covers the whole block with its own field zeroed.
			want := binary.LittleEndian.Uint32(b[d.off:])
			c := append([]byte(nil), b...)
			copy(c[d.off:d.off+4], []byte{0, 0, 0, 0})
			if got := lookup3(c, 0); got != want {
				return nil, errors.Errorf("%s at %d: checksum %#08x, computed %#08x", what, addr, want, got)
			}
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	rel := off - blockOff
	if rel < uint64(hdr) {
		return nil, errors.Errorf("%s at %d: object at heap offset %d overlaps the block header", what, addr, off)
	}
	return b[rel : rel+n], nil
}

// hugeObject reads a huge object (stored outside the heap's blocks),
// located through the heap's v2 B-tree (record types 1 and 2) or, when the
// ID is large enough, directly from the address and length in the ID.
func (f *File) hugeObject(h *fractalHeap, id []byte, what string) ([]byte, error) {
	if h.idLen >= 1+f.offSize+f.lenSize && h.hugeBtree == undef {
		d := f.newDecoder(id, what)
		addr, n := d.addr(), d.length()
		if d.err != nil {
			return nil, d.err
		}
		return f.readAt(addr, n, what+": huge object")
	}
	if h.hugeBtree == undef {
		return nil, errors.Errorf("%s: huge object without a huge-object B-tree", what)
	}
	d := &decoder{b: id, what: what}
	want := d.uint(h.hugeIDLen)
	if d.err != nil {
		return nil, d.err
	}
	var found []byte
	err := f.walkBtree2(h.hugeBtree, what+": huge objects", func(typ int, rec []byte) (bool, error) {
		rd := f.newDecoder(rec, what+": huge object record")
		switch typ {
		case 1:
			addr, n, oid := rd.addr(), rd.length(), rd.length()
			if rd.err != nil {
				return false, rd.err
			}
			if oid != want {
				return true, nil
			}
			b, err := f.readAt(addr, n, what+": huge object")
			found = b
			return false, err
		case 2:
			return false, errors.Errorf("%s: filtered huge objects are not supported", what)
		}
		return false, errors.Errorf("%s: huge-object B-tree of record type %d", what, typ)
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, errors.Errorf("%s: huge object %d is not in its B-tree", what, want)
	}
	return found, nil
}
