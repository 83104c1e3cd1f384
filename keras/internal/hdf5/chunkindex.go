package hdf5

import (
	"encoding/binary"
	"fmt"

	"github.com/pkg/errors"
)

type eaParams struct {
	maxBits, idxElmts, minPointers, minElmts, pageBits int
}

// chunkRefs lists the stored chunks of a chunked dataset through its chunk
// index. Chunks not listed (never written) read as the fill value.
func (ds *Dataset) chunkRefs(chunkBytes uint64) ([]chunkRef, error) {
	l := &ds.layout
	what := "hdf5: " + ds.path + ": chunk index (" + indexNames[l.index] + ")"
	if l.addr == undef {
		return nil, nil // no chunk written yet
	}
	// Scaled grid: number of chunks per dimension, over the maximum
	// dimensions where they are fixed (fixed array and implicit indexes
	// are laid out over them).
	rank := len(ds.shape)
	grid := make([]uint64, rank)
	nchunks := uint64(1)
	for i := range grid {
		dim := ds.shape[i]
		if ds.maxShape != nil && ds.maxShape[i] > dim && (l.index == indexFixedArray || l.index == indexImplicit) {
			dim = ds.maxShape[i]
		}
		grid[i] = (uint64(dim) + uint64(l.chunk[i]) - 1) / uint64(l.chunk[i])
		if grid[i] != 0 && nchunks > (1<<40)/grid[i] {
			return nil, errors.Errorf("%s: more than 2^40 chunks", what)
		}
		nchunks *= grid[i]
	}
	offsetOf := func(linear uint64) []int {
		off := make([]int, rank)
		for i := rank - 1; i >= 0; i-- {
			off[i] = int(linear%grid[i]) * l.chunk[i]
			linear /= grid[i]
		}
		return off
	}
	filtered := len(ds.filters) > 0
	var refs []chunkRef
	add := func(c chunkRef) error {
		if uint64(len(refs)) >= nchunks {
			return errors.Errorf("%s: more chunks than the %d the shape holds", what, nchunks)
		}
		refs = append(refs, c)
		return nil
	}
	switch l.index {
	case indexBtree1:
		keySize := 8 + 8*(rank+1)
		err := ds.f.walkBtree1(l.addr, 1, keySize, what, func(e btree1Entry) error {
			size := uint64(binary.LittleEndian.Uint32(e.key))
			mask := binary.LittleEndian.Uint32(e.key[4:])
			off := make([]int, rank)
			for i := range off {
				v := binary.LittleEndian.Uint64(e.key[8+8*i:])
				if v > 1<<62 {
					return errors.Errorf("%s: chunk offset %d", what, v)
				}
				off[i] = int(v)
			}
			return add(chunkRef{offset: off, addr: e.child, size: size, mask: mask})
		})
		if err != nil {
			return nil, err
		}
	case indexSingle:
		c := chunkRef{offset: make([]int, rank), addr: l.addr, size: chunkBytes}
		if l.flags&2 != 0 {
			c.size, c.mask = l.singleSize, l.singleMask
		}
		refs = append(refs, c)
	case indexImplicit:
		if filtered {
			return nil, errors.Errorf("%s: implicit index with filters", what)
		}
		if chunkBytes != 0 && nchunks > uint64(ds.f.size)/chunkBytes+1 {
			return nil, errors.Errorf("%s: %d chunks of %d bytes do not fit the file", what, nchunks, chunkBytes)
		}
		for i := uint64(0); i < nchunks; i++ {
			refs = append(refs, chunkRef{offset: offsetOf(i), addr: l.addr + i*chunkBytes, size: chunkBytes})
		}
	case indexFixedArray:
		err := ds.fixedArray(what, nchunks, chunkBytes, func(i uint64, addr, size uint64, mask uint32) error {
			return add(chunkRef{offset: offsetOf(i), addr: addr, size: size, mask: mask})
		})
		if err != nil {
			return nil, err
		}
	case indexBtree2:
		err := ds.f.walkBtree2(l.addr, what, func(typ int, rec []byte) (bool, error) {
			d := ds.f.newDecoder(rec, what+": record")
			c := chunkRef{addr: d.addr(), size: chunkBytes}
			switch typ {
			case 10:
			case 11:
				n := len(rec) - ds.f.offSize - 4 - 8*rank
				if n < 1 || n > 8 {
					return false, errors.Errorf("%s: filtered chunk records of %d bytes", what, len(rec))
				}
				c.size = d.uint(n)
				c.mask = d.u32()
			default:
				return false, errors.Errorf("%s: record type %d, want 10 or 11", what, typ)
			}
			c.offset = make([]int, rank)
			for i := range c.offset {
				v := d.u64()
				if v >= grid[i] && d.err == nil {
					return false, errors.Errorf("%s: chunk %d along dimension %d, the shape has %d", what, v, i, grid[i])
				}
				c.offset[i] = int(v) * l.chunk[i]
			}
			if d.err != nil {
				return false, d.err
			}
			return true, add(c)
		})
		if err != nil {
			return nil, err
		}
	case indexExtensible:
		return nil, errors.Errorf("%s: not supported (h5py writes it for a chunked dataset with one unlimited dimension, maxshape=(None, ...), under libver='latest'); rewrite the dataset without maxshape or with libver='earliest'", what)
	default:
		return nil, errors.Errorf("%s: unknown chunk index type %d", what, l.index)
	}
	return refs, nil
}

// fixedArray reads a fixed array chunk index (spec VII.C): header FAHD
// (version, client ID, entry size, page bits, number of entries (L), data
// block address (O), checksum) and data block FADB (version, client ID,
// header address, then either the entries or, when there are more than
// 2^page bits entries, a page-initialised bitmap followed by pages of
// entries, each page with its own checksum). Entries are a chunk address,
// or for filtered chunks an address, the chunk's stored size and its
// filter mask.
func (ds *Dataset) fixedArray(what string, nchunks, chunkBytes uint64, fn func(i, addr, size uint64, mask uint32) error) error {
	f := ds.f
	hdrSize := uint64(4 + 4 + f.lenSize + f.offSize + 4)
	hb, err := f.readAt(ds.layout.addr, hdrSize, what)
	if err != nil {
		return err
	}
	if string(hb[:4]) != "FAHD" || hb[4] != 0 {
		return errors.Errorf("%s at %d: no FAHD signature (version 0)", what, ds.layout.addr)
	}
	if err := checkSum(hb, len(hb)-4, what); err != nil {
		return err
	}
	client, entrySize, pageBits := int(hb[5]), int(hb[6]), int(hb[7])
	d := f.newDecoder(hb[8:], what)
	n := d.length()
	dblock := d.addr()
	if d.err != nil {
		return d.err
	}
	filtered := len(ds.filters) > 0
	wantClient := 0
	if filtered {
		wantClient = 1
	}
	if client != wantClient {
		return errors.Errorf("%s: client %d for a dataset %s filters", what, client, map[bool]string{true: "with", false: "without"}[filtered])
	}
	sizeBytes := entrySize - f.offSize - 4
	if (!filtered && entrySize != f.offSize) || (filtered && (sizeBytes < 1 || sizeBytes > 8)) {
		return errors.Errorf("%s: entries of %d bytes", what, entrySize)
	}
	if n != nchunks {
		return errors.Errorf("%s: %d entries for %d chunks", what, n, nchunks)
	}
	if pageBits == 0 || pageBits > 32 {
		return errors.Errorf("%s: page bits %d", what, pageBits)
	}
	if n > uint64(f.size)/uint64(entrySize)+1 {
		return errors.Errorf("%s: %d entries of %d bytes do not fit the file", what, n, entrySize)
	}
	pageElems := uint64(1) << uint(pageBits)
	prefix := uint64(4 + 2 + f.offSize)
	decode := func(b []byte, first uint64) error {
		for i := uint64(0); i < uint64(len(b))/uint64(entrySize); i++ {
			e := f.newDecoder(b[i*uint64(entrySize):], what+": entry")
			addr := e.addr()
			size, mask := chunkBytes, uint32(0)
			if filtered {
				size = e.uint(sizeBytes)
				mask = e.u32()
			}
			if e.err != nil {
				return e.err
			}
			if addr == undef {
				continue
			}
			if err := fn(first+i, addr, size, mask); err != nil {
				return err
			}
		}
		return nil
	}
	checkPrefix := func(b []byte) error {
		if string(b[:4]) != "FADB" || b[4] != 0 || int(b[5]) != client {
			return errors.Errorf("%s: data block at %d has no FADB signature (version 0, client %d)", what, dblock, client)
		}
		if ha := f.newDecoder(b[6:], what).addr(); ha != ds.layout.addr {
			return errors.Errorf("%s: data block at %d belongs to header %d", what, dblock, ha)
		}
		return nil
	}
	if n <= pageElems {
		b, err := f.readAt(dblock, prefix+n*uint64(entrySize)+4, what+": data block")
		if err != nil {
			return err
		}
		if err := checkPrefix(b); err != nil {
			return err
		}
		if err := checkSum(b, len(b)-4, what+": data block"); err != nil {
			return err
		}
		return decode(b[prefix:len(b)-4], 0)
	}
	npages := (n + pageElems - 1) / pageElems
	bitmap := (npages + 7) / 8
	b, err := f.readAt(dblock, prefix+bitmap+4, what+": data block")
	if err != nil {
		return err
	}
	if err := checkPrefix(b); err != nil {
		return err
	}
	if err := checkSum(b, len(b)-4, what+": data block"); err != nil {
		return err
	}
	pageAddr := dblock + uint64(len(b))
	for p := uint64(0); p < npages; p++ {
		elems := pageElems
		if p == npages-1 {
			elems = n - p*pageElems
		}
		size := elems*uint64(entrySize) + 4
		if b[prefix+p/8]&(0x80>>(p%8)) != 0 {
			pb, err := f.readAt(pageAddr, size, fmt.Sprintf("%s: page %d", what, p))
			if err != nil {
				return err
			}
			if err := checkSum(pb, len(pb)-4, fmt.Sprintf("%s: page %d", what, p)); err != nil {
				return err
			}
			if err := decode(pb[:len(pb)-4], p*pageElems); err != nil {
				return err
			}
		}
		pageAddr += size
	}
	return nil
}
