package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pkg/errors"
)

// Data layout classes and chunk index types (layout message version 4).
const (
	layoutCompact    = 0
	layoutContiguous = 1
	layoutChunked    = 2

	indexBtree1     = 0 // layout version 3
	indexSingle     = 1
	indexImplicit   = 2
	indexFixedArray = 3
	indexExtensible = 4
	indexBtree2     = 5
)

var indexNames = map[int]string{indexBtree1: "version 1 B-tree", indexSingle: "single chunk",
	indexImplicit: "implicit", indexFixedArray: "fixed array", indexExtensible: "extensible array",
	indexBtree2: "version 2 B-tree"}

// Dataset is an HDF5 dataset: an n-dimensional array of one datatype.
type Dataset struct {
	object
	shape    []int
	maxShape []int
	null     bool
	dtype    *Datatype
	layout   layout
	filters  []filter
	fill     []byte // one element, nil for zeros
}

type layout struct {
	class   int
	version int
	compact []byte
	addr    uint64
	size    uint64 // contiguous size
	chunk   []int  // chunk dimensions (without the element-size one)
	index   int
	flags   uint8
	// Single chunk with filters: its stored size and filter mask.
	singleSize uint64
	singleMask uint32
	// Extensible array creation parameters.
	ea eaParams
}

type filter struct {
	id     uint16
	name   string
	flags  uint16
	values []uint32
}

func (f *File) openDataset(addr uint64, path string) (*Dataset, error) {
	h, err := f.header(addr, path)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{object: object{f: f, addr: addr, path: path}}
	what := "hdf5: " + path
	m := h.find(msgDataspace)
	if m == nil {
		return nil, ds.errorf("dataset has no dataspace message")
	}
	if m.flags&mflagShared != 0 {
		return nil, ds.errorf("shared dataspaces are not supported")
	}
	ds.shape, ds.maxShape, ds.null, err = f.parseDataspaceMax(m.data, what)
	if err != nil {
		return nil, err
	}
	m = h.find(msgDatatype)
	if m == nil {
		return nil, ds.errorf("dataset has no datatype message")
	}
	tb, err := f.messageData(m, path)
	if err != nil {
		return nil, err
	}
	ds.dtype, _, err = parseDatatype(tb, what, 0)
	if err != nil {
		return nil, err
	}
	if m := h.find(msgFilters); m != nil {
		ds.filters, err = parseFilters(m.data, what)
		if err != nil {
			return nil, err
		}
	}
	if m := h.find(msgFill); m != nil {
		ds.fill, err = parseFill(m.data, what)
		if err != nil {
			return nil, err
		}
	} else if m := h.find(msgFillOld); m != nil {
		d := f.newDecoder(m.data, what+": fill value message")
		n := int(d.u32())
		ds.fill = d.bytes(n)
		if d.err != nil {
			return nil, d.err
		}
	}
	if len(ds.fill) != ds.dtype.Size || ds.dtype.Class == ClassVarLen {
		ds.fill = nil
	}
	if h.find(msgExternal) != nil {
		return nil, ds.errorf("data stored in external files is not supported")
	}
	m = h.find(msgLayout)
	if m == nil {
		return nil, ds.errorf("dataset has no data layout message")
	}
	if err := ds.parseLayout(m.data); err != nil {
		return nil, err
	}
	return ds, nil
}

// parseFill decodes a fill value message (versions 1 to 3) and returns the
// fill value, or nil if none is defined.
func parseFill(b []byte, what string) ([]byte, error) {
	what += ": fill value message"
	d := &decoder{b: b, what: what}
	version := d.u8(0)
	switch version {
	case 1, 2:
		d.skip(2) // allocation time, fill write time
		defined := d.u8(0)
		if version == 2 && defined == 0 {
			return nil, d.err
		}
		if d.remaining() < 4 {
			return nil, d.err
		}
		n := int(d.u32())
		v := d.bytes(n)
		if defined == 0 {
			return nil, d.err
		}
		return v, d.err
	case 3:
		flags := d.u8(0)
		if flags&0x20 == 0 {
			return nil, d.err
		}
		n := int(d.u32())
		return d.bytes(n), d.err
	}
	if d.err != nil {
		return nil, d.err
	}
	return nil, errors.Errorf("%s: version %d", what, version)
}

// parseFilters decodes a filter pipeline message, versions 1 and 2.
func parseFilters(b []byte, what string) ([]filter, error) {
	what += ": filter pipeline message"
	d := &decoder{b: b, what: what}
	version := d.u8(0)
	n := int(d.u8(0))
	if version == 1 {
		d.skip(6)
	} else if version != 2 && d.err == nil {
		return nil, errors.Errorf("%s: version %d", what, version)
	}
	if n > 32 {
		return nil, errors.Errorf("%s: %d filters (at most 32)", what, n)
	}
	var out []filter
	for i := 0; i < n; i++ {
		var fl filter
		fl.id = d.u16()
		nameLen := 0
		if version == 1 || fl.id >= 256 {
			nameLen = int(d.u16())
		}
		fl.flags = d.u16()
		nv := int(d.u16())
		if version == 1 {
			nameLen = (nameLen + 7) / 8 * 8
		}
		name := d.bytes(nameLen)
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		fl.name = string(name)
		if nv > d.remaining()/4 {
			d.fail("filter %d has %d values", fl.id, nv)
		}
		for j := 0; j < nv && d.err == nil; j++ {
			fl.values = append(fl.values, d.u32())
		}
		if version == 1 && nv%2 == 1 {
			d.skip(4)
		}
		if d.err != nil {
			return nil, d.err
		}
		out = append(out, fl)
	}
	return out, nil
}

func (ds *Dataset) parseLayout(b []byte) error {
	what := "hdf5: " + ds.path + ": data layout message"
	d := ds.f.newDecoder(b, what)
	l := &ds.layout
	l.version = int(d.u8(0))
	if d.err != nil {
		return d.err
	}
	if l.version < 3 || l.version > 4 {
		return errors.Errorf("%s: version %d is not supported (only versions 3 and 4, HDF5 1.6 and later)", what, l.version)
	}
	l.class = int(d.u8(0))
	switch l.class {
	case layoutCompact:
		n := int(d.u16())
		l.compact = d.bytes(n)
	case layoutContiguous:
		l.addr = d.addr()
		l.size = d.length()
	case layoutChunked:
		rank := len(ds.shape)
		if l.version == 3 {
			dims := int(d.u8(0))
			l.addr = d.addr()
			if d.err == nil && dims != rank+1 {
				return errors.Errorf("%s: chunk of rank %d for a dataset of rank %d", what, dims-1, rank)
			}
			l.chunk = make([]int, rank)
			for i := range l.chunk {
				l.chunk[i] = int(d.u32())
			}
			d.u32() // element size
			l.index = indexBtree1
		} else {
			l.flags = d.u8(0)
			dims := int(d.u8(0))
			encLen := int(d.u8(0))
			if d.err == nil && dims != rank+1 {
				return errors.Errorf("%s: chunk of rank %d for a dataset of rank %d", what, dims-1, rank)
			}
			if d.err == nil && (encLen < 1 || encLen > 8) {
				return errors.Errorf("%s: dimension sizes of %d bytes", what, encLen)
			}
			l.chunk = make([]int, rank)
			for i := range l.chunk {
				v := d.uint(encLen)
				if v > 1<<32 {
					return errors.Errorf("%s: chunk dimension %d", what, v)
				}
				l.chunk[i] = int(v)
			}
			d.uint(encLen) // element size
			l.index = int(d.u8(0))
			switch l.index {
			case indexSingle:
				if l.flags&2 != 0 {
					l.singleSize = d.length()
					l.singleMask = d.u32()
				}
			case indexImplicit:
			case indexFixedArray:
				d.u8(0) // page bits
			case indexExtensible:
				l.ea.maxBits = int(d.u8(0))
				l.ea.idxElmts = int(d.u8(0))
				l.ea.minPointers = int(d.u8(0))
				l.ea.minElmts = int(d.u8(0))
				l.ea.pageBits = int(d.u8(0))
			case indexBtree2:
				d.skip(6) // node size, split and merge percents
			default:
				if d.err == nil {
					return errors.Errorf("%s: unknown chunk index type %d", what, l.index)
				}
			}
			l.addr = d.addr()
		}
		for i, c := range l.chunk {
			if d.err == nil && c <= 0 {
				return errors.Errorf("%s: chunk dimension %d is %d", what, i, c)
			}
		}
	case 3:
		return errors.Errorf("%s: virtual datasets are not supported", what)
	default:
		return errors.Errorf("%s: unknown layout class %d", what, l.class)
	}
	return d.err
}

// Shape returns the dataset's dimensions (empty for a scalar dataset, nil
// for a null dataspace).
func (ds *Dataset) Shape() []int { return append([]int(nil), ds.shape...) }

// MaxShape returns the maximum dimensions, -1 for unlimited ones, or nil
// if the file does not record them (they then equal Shape).
func (ds *Dataset) MaxShape() []int { return append([]int(nil), ds.maxShape...) }

// Dtype returns the element type.
func (ds *Dataset) Dtype() *Datatype { return ds.dtype }

// Len returns the number of elements (1 for a scalar, 0 for a null
// dataspace).
func (ds *Dataset) Len() int {
	if ds.null {
		return 0
	}
	return product(ds.shape)
}

// Chunks returns the chunk dimensions of a chunked dataset, or nil.
func (ds *Dataset) Chunks() []int { return append([]int(nil), ds.layout.chunk...) }

// Filters returns the names of the dataset's filters in pipeline order
// ("deflate", "shuffle", "fletcher32", or "filter N" for others).
func (ds *Dataset) Filters() []string {
	var out []string
	for _, fl := range ds.filters {
		out = append(out, filterName(fl.id))
	}
	return out
}

func filterName(id uint16) string {
	switch id {
	case 1:
		return "deflate"
	case 2:
		return "shuffle"
	case 3:
		return "fletcher32"
	case 4:
		return "szip"
	case 5:
		return "nbit"
	case 6:
		return "scaleoffset"
	case 32000:
		return "lzf"
	}
	return fmt.Sprintf("filter %d", id)
}

// Float32s returns the values as float32 in row-major order (float16 and
// float32 exactly; float64 and integers rounded to nearest).
func (ds *Dataset) Float32s() (v []float32, err error) {
	defer recoverTo(&err, ds.path)
	raw, err := ds.Raw()
	if err != nil {
		return nil, err
	}
	v, err = toFloat32s(raw, ds.dtype, ds.Len())
	if err != nil {
		return nil, ds.errorf("%v", err)
	}
	return v, nil
}

// Float64s returns the values as float64 in row-major order (exact for
// floats and integers up to 2^53).
func (ds *Dataset) Float64s() (v []float64, err error) {
	defer recoverTo(&err, ds.path)
	raw, err := ds.Raw()
	if err != nil {
		return nil, err
	}
	v, err = toFloat64s(raw, ds.dtype, ds.Len())
	if err != nil {
		return nil, ds.errorf("%v", err)
	}
	return v, nil
}

// Int64s returns the values of an integer (or boolean) dataset in
// row-major order; float datasets are refused.
func (ds *Dataset) Int64s() (v []int64, err error) {
	defer recoverTo(&err, ds.path)
	if err := ds.dtype.check(); err != nil {
		return nil, ds.errorf("%v", err)
	}
	if ds.dtype.Class == ClassFloat {
		return nil, ds.errorf("%s values are not integers", ds.dtype)
	}
	raw, err := ds.Raw()
	if err != nil {
		return nil, err
	}
	v, err = toInt64s(raw, ds.dtype, ds.Len())
	if err != nil {
		return nil, ds.errorf("%v", err)
	}
	return v, nil
}

// Strings returns the values of a string dataset in row-major order.
func (ds *Dataset) Strings() (v []string, err error) {
	defer recoverTo(&err, ds.path)
	if err := ds.dtype.check(); err != nil {
		return nil, ds.errorf("%v", err)
	}
	raw, err := ds.Raw()
	if err != nil {
		return nil, err
	}
	v, err = ds.f.toStrings(raw, ds.dtype, ds.Len())
	if err != nil {
		return nil, ds.errorf("%v", err)
	}
	return v, nil
}

// Raw returns the dataset's elements as stored (the file's byte order,
// Dtype().Size bytes each, row-major), after undoing its filters.
func (ds *Dataset) Raw() (raw []byte, err error) {
	defer recoverTo(&err, ds.path)
	if err := ds.dtype.check(); err != nil {
		return nil, ds.errorf("%v", err)
	}
	if ds.null {
		return nil, nil
	}
	n, err := elements(ds.shape, ds.dtype.Size, "hdf5: "+ds.path)
	if err != nil {
		return nil, err
	}
	total := n * uint64(ds.dtype.Size)
	l := &ds.layout
	switch l.class {
	case layoutCompact:
		if uint64(len(l.compact)) < total {
			return nil, ds.errorf("compact data of %d bytes, the shape needs %d", len(l.compact), total)
		}
		return append([]byte(nil), l.compact[:total]...), nil
	case layoutContiguous:
		if l.addr == undef {
			return ds.filled(total)
		}
		if l.size < total {
			return nil, ds.errorf("contiguous data of %d bytes, the shape needs %d", l.size, total)
		}
		b, err := ds.f.readAt(l.addr, total, "hdf5: "+ds.path+": data")
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return ds.readChunked(total)
}

// expandBound is the most bytes the reader will produce from data that
// is not stored byte for byte in the file (fill values, compressed
// chunks): the deflate bound of 1032:1 on the whole file plus 1 MiB.
func (f *File) expandBound() uint64 {
	b := uint64(f.size)*1032 + 1<<20
	if b > MaxDataBytes {
		b = MaxDataBytes
	}
	return b
}

func (ds *Dataset) filled(total uint64) ([]byte, error) {
	if total > ds.f.expandBound() {
		return nil, ds.errorf("%d bytes of unwritten data in a %d-byte file", total, ds.f.size)
	}
	out := make([]byte, total)
	if ds.fill != nil {
		for i := 0; i+len(ds.fill) <= len(out); i += len(ds.fill) {
			copy(out[i:], ds.fill)
		}
	}
	return out, nil
}

// chunkRef is one stored chunk: its element offsets, address, stored size
// and filter mask.
type chunkRef struct {
	offset []int
	addr   uint64
	size   uint64
	mask   uint32
}

func (ds *Dataset) readChunked(total uint64) ([]byte, error) {
	l := &ds.layout
	if total > ds.f.expandBound() {
		return nil, ds.errorf("%d bytes of chunked data in a %d-byte file", total, ds.f.size)
	}
	rank := len(ds.shape)
	if rank == 0 || len(l.chunk) != rank {
		return nil, ds.errorf("chunked layout of rank %d for shape %v", len(l.chunk), ds.shape)
	}
	chunkElems, err := elements(l.chunk, ds.dtype.Size, "hdf5: "+ds.path+": chunk")
	if err != nil {
		return nil, err
	}
	chunkBytes := chunkElems * uint64(ds.dtype.Size)
	out, err := ds.filled(total)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return out, nil
	}
	refs, err := ds.chunkRefs(chunkBytes)
	if err != nil {
		return nil, err
	}
	produced := uint64(0)
	for _, c := range refs {
		for i, o := range c.offset {
			if o < 0 || o%l.chunk[i] != 0 || o >= ds.shape[i] {
				return nil, ds.errorf("chunk at offset %v does not fit shape %v with chunks %v", c.offset, ds.shape, l.chunk)
			}
		}
		produced += chunkBytes
		if produced > ds.f.expandBound()+total {
			return nil, ds.errorf("chunks decode to more than %d bytes", ds.f.expandBound())
		}
		data, err := ds.f.readAt(c.addr, c.size, fmt.Sprintf("hdf5: %s: chunk %v", ds.path, c.offset))
		if err != nil {
			return nil, err
		}
		data, err = ds.unfilter(data, c.mask, chunkBytes)
		if err != nil {
			return nil, ds.errorf("chunk %v: %v", c.offset, err)
		}
		copyChunk(out, data, ds.shape, l.chunk, c.offset, ds.dtype.Size)
	}
	return out, nil
}

// copyChunk copies a decoded chunk (chunk dims, row-major) at element
// offset off into the dataset buffer, clipping at the dataset's edges.
func copyChunk(out, chunk []byte, shape, cdims, off []int, esize int) {
	rank := len(shape)
	run := cdims[rank-1]
	if rem := shape[rank-1] - off[rank-1]; rem < run {
		run = rem
	}
	idx := make([]int, rank-1) // position within the chunk, outer dims
	for {
		// Source and destination offsets of this row.
		src, dst := 0, 0
		inside := true
		for i := 0; i < rank-1; i++ {
			if off[i]+idx[i] >= shape[i] {
				inside = false
				break
			}
		}
		if inside {
			for i := 0; i < rank; i++ {
				ci, di := 0, off[i]
				if i < rank-1 {
					ci, di = idx[i], off[i]+idx[i]
				}
				src = src*cdims[i] + ci
				dst = dst*shape[i] + di
			}
			copy(out[dst*esize:(dst+run)*esize], chunk[src*esize:(src+run)*esize])
		}
		// Next row.
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < cdims[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// unfilter undoes the filter pipeline (in reverse order, skipping the
// filters set in mask) and checks the result is one full chunk.
func (ds *Dataset) unfilter(data []byte, mask uint32, chunkBytes uint64) ([]byte, error) {
	for i := len(ds.filters) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) != 0 {
			continue
		}
		fl := ds.filters[i]
		switch fl.id {
		case 1: // deflate
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, errors.Wrap(err, "deflate")
			}
			var buf bytes.Buffer
			n, err := io.Copy(&buf, io.LimitReader(zr, int64(chunkBytes)+8))
			if err != nil {
				return nil, errors.Wrap(err, "deflate")
			}
			if uint64(n) > chunkBytes+4 {
				return nil, errors.Errorf("deflate: inflates to more than the chunk's %d bytes", chunkBytes)
			}
			data = buf.Bytes()
		case 2: // shuffle
			size := ds.dtype.Size
			if len(fl.values) > 0 {
				size = int(fl.values[0])
			}
			if size < 1 || size > 1<<10 {
				return nil, errors.Errorf("shuffle: element size %d", size)
			}
			data = unshuffle(data, size)
		case 3: // fletcher32
			if len(data) < 4 {
				return nil, errors.New("fletcher32: chunk shorter than its checksum")
			}
			body := data[:len(data)-4]
			stored := binary.LittleEndian.Uint32(data[len(data)-4:])
			sum := fletcher32(body)
			// libhdf5 before 1.6.2 stored the sum byte-swapped; it accepts
			// both, and so does this reader.
			swapped := sum>>24 | sum>>8&0xff00 | sum<<8&0xff0000 | sum<<24
			if stored != sum && stored != swapped {
				return nil, errors.Errorf("fletcher32: checksum %#08x, computed %#08x", stored, sum)
			}
			data = body
		default:
			return nil, errors.Errorf("unsupported filter %d (%s)", fl.id, filterName(fl.id))
		}
	}
	if uint64(len(data)) != chunkBytes {
		return nil, errors.Errorf("decodes to %d bytes, a chunk holds %d", len(data), chunkBytes)
	}
	return data, nil
}

func unshuffle(data []byte, size int) []byte {
	n := len(data) / size
	if n <= 1 {
		return data
	}
	out := make([]byte, len(data))
	for j := 0; j < size; j++ {
		src := data[j*n : (j+1)*n]
		for i, b := range src {
			out[i*size+j] = b
		}
	}
	copy(out[n*size:], data[n*size:])
	return out
}

// fletcher32 is HDF5's Fletcher checksum: 16-bit big-endian words (an odd
// last byte is the high byte of a final word), sums modulo 65535.
func fletcher32(b []byte) uint32 {
	var s1, s2 uint32
	words := len(b) / 2
	for words > 0 {
		t := words
		if t > 360 {
			t = 360
		}
		words -= t
		for ; t > 0; t-- {
			s1 += uint32(b[0])<<8 | uint32(b[1])
			s2 += s1
			b = b[2:]
		}
		s1 = s1&0xffff + s1>>16
		s2 = s2&0xffff + s2>>16
	}
	if len(b) == 1 {
		s1 += uint32(b[0]) << 8
		s2 += s1
		s1 = s1&0xffff + s1>>16
		s2 = s2&0xffff + s2>>16
	}
	s1 = s1&0xffff + s1>>16
	s2 = s2&0xffff + s2>>16
	return s2<<16 | s1
}
