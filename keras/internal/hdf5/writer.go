package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// The writer produces the simplest structures every HDF5 reader accepts
// and that look like what h5py writes with its default libver="earliest"
// (the setting Keras uses): superblock version 0 with 8-byte addresses
// and lengths, version 1 object headers, old-style groups (symbol table:
// a version 1 B-tree of symbol table nodes and a local heap, K values 4 and
// 16 as libhdf5's defaults), version 1 attribute messages, version 1
// dataspaces, a version 2 fill value message and a version 3 data layout
// (contiguous, or chunked with a version 1 B-tree of K 32 and a version 1
// filter pipeline), and global heap collections for variable-length
// strings. The output is deterministic: no timestamps, links and chunks in
// a fixed order, so the same content gives the same bytes.
const (
	wLeafK     = 4  // group leaf node K: a symbol table node holds 2K entries
	wInternalK = 16 // group internal node K: a group B-tree node has 2K children
	wChunkK    = 32 // chunk B-tree K (the superblock v0 default)
	maxMessage = 65535
)

// ByteString is a string attribute value stored as h5py stores a Python
// bytes object: a scalar variable-length ASCII string (Keras 2 stores
// model_config, training_config and keras_version this way).
type ByteString string

// ByteStrings is a string-array attribute value stored as h5py stores a
// numpy array of bytes (np.array([b"dense", b"dense_1"])): fixed-length,
// NUL-padded ASCII strings as long as the longest one (at least 1 byte),
// numpy dtype "|S<n>". Keras 2 stores layer_names and weight_names this
// way.
type ByteStrings []string

// Writer builds an HDF5 file in memory and writes it out with WriteTo or
// Bytes. Errors from building calls are also returned by WriteTo. A Writer
// is not safe for concurrent use.
type Writer struct {
	root *GroupWriter
}

// NewWriter returns a Writer with an empty root group.
func NewWriter() *Writer {
	w := &Writer{}
	w.root = &GroupWriter{w: w, path: "/", children: map[string]interface{}{}}
	return w
}

// Root returns the root group "/".
func (w *Writer) Root() *GroupWriter { return w.root }

type wattr struct {
	name  string
	dtype []byte // encoded datatype message
	shape []int  // nil for scalar
	data  []byte // encoded elements (vlen references filled at layout)
	vlen  []string
	ascii bool
}

type attrSet struct {
	attrs []*wattr
}

// set adds or replaces an attribute (h5py replaces an existing one too).
func (s *attrSet) set(path, name string, value interface{}) error {
	if name == "" || strings.IndexByte(name, 0) >= 0 {
		return errors.Errorf("hdf5: %s: SetAttr: invalid attribute name %q", path, name)
	}
	a, err := encodeAttr(name, value)
	if err != nil {
		return errors.Wrapf(err, "hdf5: %s: SetAttr %s", path, name)
	}
	for i, old := range s.attrs {
		if old.name == name {
			s.attrs[i] = a
			return nil
		}
	}
	s.attrs = append(s.attrs, a)
	return nil
}

// GroupWriter is a group being built.
type GroupWriter struct {
	w        *Writer
	path     string
	children map[string]interface{} // *GroupWriter or *DatasetWriter
	attrSet
}

// Path returns the group's absolute path.
func (g *GroupWriter) Path() string { return g.path }

func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return errors.Errorf("invalid name %q", name)
	}
	return nil
}

// CreateGroup creates the group at path, relative to g, creating missing
// intermediate groups as h5py does ("layers/dense/vars"). It is an error
// if the final group, or any component as a dataset, already exists.
func (g *GroupWriter) CreateGroup(path string) (*GroupWriter, error) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	cur := g
	for i, p := range parts {
		if err := validName(p); err != nil {
			return nil, errors.Wrapf(err, "hdf5: %s: CreateGroup %q", g.path, path)
		}
		next, ok := cur.children[p]
		switch n := next.(type) {
		case *GroupWriter:
			if i == len(parts)-1 {
				return nil, errors.Errorf("hdf5: %s: CreateGroup: %s already exists", g.path, n.path)
			}
			cur = n
		case *DatasetWriter:
			return nil, errors.Errorf("hdf5: %s: CreateGroup: %s is a dataset", g.path, n.path)
		default:
			_ = ok
			ng := &GroupWriter{w: g.w, path: joinPath(cur.path, p), children: map[string]interface{}{}}
			cur.children[p] = ng
			cur = ng
		}
	}
	return cur, nil
}

// Group returns the existing group at path, relative to g.
func (g *GroupWriter) Group(path string) (*GroupWriter, error) {
	cur := g
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		next, ok := cur.children[p].(*GroupWriter)
		if !ok {
			return nil, errors.Errorf("hdf5: %s: no group %q", g.path, path)
		}
		cur = next
	}
	return cur, nil
}

// SetAttr sets the attribute name of the group to value, replacing an
// attribute of that name. Accepted values and how they are stored (as
// h5py stores the matching Python/numpy value):
//
//	string                scalar variable-length UTF-8 string
//	[]string              1-D variable-length UTF-8 strings
//	ByteString            scalar variable-length ASCII string (Python bytes)
//	ByteStrings           1-D fixed-length NUL-padded strings (numpy "S")
//	int, int64            scalar <i8;  []int, []int64: 1-D <i8
//	int32                 scalar <i4;  []int32: 1-D <i4
//	float64               scalar <f8;  []float64: 1-D <f8
//	float32               scalar <f4;  []float32: 1-D <f4
//	bool                  scalar h5py boolean (enum of int8); []bool: 1-D
//
// The encoded attribute must fit one object header message (64 KiB), as
// in libhdf5's default (compact) attribute storage; Keras splits larger
// ones into name0, name1, ... itself.
func (g *GroupWriter) SetAttr(name string, value interface{}) error {
	return g.set(g.path, name, value)
}

// DatasetOption configures CreateDataset.
type DatasetOption func(*datasetOptions) error

type datasetOptions struct {
	chunks  []int
	gzip    int // -1: none
	shuffle bool
}

// Chunks stores the dataset in chunks of the given shape (one entry per
// dimension, each at least 1), as h5py's chunks=. Without it (and without
// Gzip) the dataset is contiguous.
func Chunks(shape ...int) DatasetOption {
	return func(o *datasetOptions) error {
		o.chunks = append(make([]int, 0, len(shape)), shape...)
		return nil
	}
}

// Gzip compresses the dataset's chunks with deflate at level 0 to 9, as
// h5py's compression="gzip", compression_opts=level. Without Chunks the
// chunk shape is the whole dataset.
func Gzip(level int) DatasetOption {
	return func(o *datasetOptions) error {
		if level < 0 || level > 9 {
			return errors.Errorf("gzip level %d is not in 0..9", level)
		}
		o.gzip = level
		return nil
	}
}

// Shuffle adds the byte-shuffle filter before compression, as h5py's
// shuffle=True.
func Shuffle() DatasetOption {
	return func(o *datasetOptions) error {
		o.shuffle = true
		return nil
	}
}

// DatasetWriter is a dataset being built.
type DatasetWriter struct {
	path  string
	shape []int
	dtype []byte
	esize int
	data  []byte // little-endian elements
	opts  datasetOptions
	attrSet
}

// Path returns the dataset's absolute path.
func (d *DatasetWriter) Path() string { return d.path }

// SetAttr sets an attribute of the dataset; see GroupWriter.SetAttr for
// the accepted values.
func (d *DatasetWriter) SetAttr(name string, value interface{}) error {
	return d.set(d.path, name, value)
}

// CreateDataset creates a dataset called name (a single link name) in g
// with the given shape (empty for a scalar) and row-major data of type
// []float32, []float64, []int32 or []int64 holding exactly prod(shape)
// values. The values are copied, so data may be reused after the call.
func (g *GroupWriter) CreateDataset(name string, shape []int, data interface{}, opts ...DatasetOption) (*DatasetWriter, error) {
	if err := validName(name); err != nil {
		return nil, errors.Wrapf(err, "hdf5: %s: CreateDataset", g.path)
	}
	path := joinPath(g.path, name)
	if _, ok := g.children[name]; ok {
		return nil, errors.Errorf("hdf5: %s: CreateDataset: already exists", path)
	}
	if len(shape) > MaxRank {
		return nil, errors.Errorf("hdf5: %s: CreateDataset: rank %d exceeds %d", path, len(shape), MaxRank)
	}
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return nil, errors.Errorf("hdf5: %s: CreateDataset: negative dimension in shape %v", path, shape)
		}
		if d != 0 && n > MaxDataBytes/uint64(d) {
			return nil, errors.Errorf("hdf5: %s: CreateDataset: shape %v is too large", path, shape)
		}
		n *= uint64(d)
	}
	ds := &DatasetWriter{path: path, shape: append([]int(nil), shape...), opts: datasetOptions{gzip: -1}}
	var err error
	var count int
	ds.dtype, ds.esize, ds.data, count, err = encodeNumbers(data)
	if err != nil {
		return nil, errors.Wrapf(err, "hdf5: %s: CreateDataset", path)
	}
	if uint64(count) != n {
		return nil, errors.Errorf("hdf5: %s: CreateDataset: %d values for shape %v (%d elements)", path, count, shape, n)
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&ds.opts); err != nil {
			return nil, errors.Wrapf(err, "hdf5: %s: CreateDataset", path)
		}
	}
	if ds.opts.chunks == nil && (ds.opts.gzip >= 0 || ds.opts.shuffle) {
		ds.opts.chunks = append([]int(nil), shape...)
		for i := range ds.opts.chunks {
			if ds.opts.chunks[i] == 0 {
				ds.opts.chunks[i] = 1
			}
		}
	}
	if ds.opts.chunks != nil {
		if len(shape) == 0 {
			return nil, errors.Errorf("hdf5: %s: CreateDataset: a scalar dataset cannot be chunked", path)
		}
		if len(ds.opts.chunks) != len(shape) {
			return nil, errors.Errorf("hdf5: %s: CreateDataset: chunks %v for shape %v", path, ds.opts.chunks, shape)
		}
		cb := uint64(ds.esize)
		for _, c := range ds.opts.chunks {
			if c < 1 || c > 1<<32-1 {
				return nil, errors.Errorf("hdf5: %s: CreateDataset: chunk dimension %d", path, c)
			}
			cb *= uint64(c)
			if cb > 1<<32-1 {
				return nil, errors.Errorf("hdf5: %s: CreateDataset: chunks %v exceed 4 GiB", path, ds.opts.chunks)
			}
		}
	}
	g.children[name] = ds
	return ds, nil
}

// Datatype message encodings, byte for byte what libhdf5 writes for
// h5py's types.
func intTypeMsg(size int, signed bool) []byte {
	b := []byte{0x10, 0, 0, 0, byte(size), 0, 0, 0, 0, 0, byte(size * 8), 0}
	if signed {
		b[1] = 0x08
	}
	return b
}

func floatType(size int) []byte {
	if size == 4 {
		return []byte{0x11, 0x20, 0x1f, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0}
	}
	return []byte{0x11, 0x20, 0x3f, 0, 8, 0, 0, 0, 0, 0, 64, 0, 52, 11, 0, 52, 0xff, 0x03, 0, 0}
}

func vlenStringType(utf bool) []byte {
	cs := byte(0)
	if utf {
		cs = 1
	}
	// Class 9 version 1, type 1 (string), NUL-terminated, charset; size
	// 16; base: 1-byte unsigned integer.
	return []byte{0x19, 0x01, cs, 0, 16, 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0}
}

func fixedStringType(size int) []byte {
	b := []byte{0x13, 0x01, 0, 0, 0, 0, 0, 0} // NUL-padded ASCII
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	return b
}

func boolType() []byte {
	b := []byte{0x18, 0x02, 0, 0, 1, 0, 0, 0}
	b = append(b, intTypeMsg(1, true)...)
	b = append(b, "FALSE\x00\x00\x00TRUE\x00\x00\x00\x00"...)
	return append(b, 0, 1)
}

// encodeNumbers returns the datatype, element size, little-endian bytes and
// count of a numeric slice.
func encodeNumbers(data interface{}) ([]byte, int, []byte, int, error) {
	switch v := data.(type) {
	case []float32:
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
		}
		return floatType(4), 4, b, len(v), nil
	case []float64:
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return floatType(8), 8, b, len(v), nil
	case []int32:
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
		}
		return intTypeMsg(4, true), 4, b, len(v), nil
	case []int64:
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
		}
		return intTypeMsg(8, true), 8, b, len(v), nil
	case []int:
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(int64(x)))
		}
		return intTypeMsg(8, true), 8, b, len(v), nil
	case nil:
		return nil, 0, nil, 0, errors.New("nil data")
	}
	return nil, 0, nil, 0, errors.Errorf("unsupported data type %T (want []float32, []float64, []int32 or []int64)", data)
}

func encodeAttr(name string, value interface{}) (*wattr, error) {
	a := &wattr{name: name}
	var err error
	switch v := value.(type) {
	case string:
		if !utf8.ValidString(v) {
			return nil, errors.New("string is not valid UTF-8")
		}
		a.dtype, a.vlen = vlenStringType(true), []string{v}
	case []string:
		for _, s := range v {
			if !utf8.ValidString(s) {
				return nil, errors.New("string is not valid UTF-8")
			}
		}
		a.dtype, a.vlen, a.shape = vlenStringType(true), append([]string{}, v...), []int{len(v)}
	case ByteString:
		a.dtype, a.vlen, a.ascii = vlenStringType(false), []string{string(v)}, true
	case ByteStrings:
		size := 1
		for _, s := range v {
			if len(s) > size {
				size = len(s)
			}
		}
		a.dtype, a.shape = fixedStringType(size), []int{len(v)}
		a.data = make([]byte, size*len(v))
		for i, s := range v {
			copy(a.data[i*size:], s)
		}
	case bool:
		a.dtype, a.data = boolType(), []byte{b2u(v)}
	case []bool:
		a.dtype, a.shape = boolType(), []int{len(v)}
		for _, x := range v {
			a.data = append(a.data, b2u(x))
		}
	case int:
		a.dtype, _, a.data, _, err = encodeNumbers([]int64{int64(v)})
	case int64:
		a.dtype, _, a.data, _, err = encodeNumbers([]int64{v})
	case int32:
		a.dtype, _, a.data, _, err = encodeNumbers([]int32{v})
	case float64:
		a.dtype, _, a.data, _, err = encodeNumbers([]float64{v})
	case float32:
		a.dtype, _, a.data, _, err = encodeNumbers([]float32{v})
	case []int, []int64, []int32, []float64, []float32:
		var n int
		a.dtype, _, a.data, n, err = encodeNumbers(v)
		a.shape = []int{n}
	default:
		return nil, errors.Errorf("unsupported attribute value of type %T", value)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// ---- layout ----

// wbuf is the file being serialised, with 8-byte little-endian helpers.
type wbuf struct{ b []byte }

func (w *wbuf) u8(v byte)    { w.b = append(w.b, v) }
func (w *wbuf) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *wbuf) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *wbuf) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *wbuf) raw(b []byte) { w.b = append(w.b, b...) }
func (w *wbuf) pad8() {
	for len(w.b)%8 != 0 {
		w.b = append(w.b, 0)
	}
}
func (w *wbuf) zeros(n int) { w.b = append(w.b, make([]byte, n)...) }

// planner assigns addresses: objects are laid out in the order they are
// reserved, each aligned to 8 bytes.
type planner struct{ next uint64 }

func (p *planner) reserve(n uint64) uint64 {
	a := p.next
	p.next += (n + 7) / 8 * 8
	return a
}

// vlenRef is where a variable-length string lives: global heap
// collection address and object index.
type vlenRef struct {
	coll  uint64
	index uint32
}

type gcoll struct {
	addr    uint64
	size    uint64
	objects []string
}

type layoutState struct {
	p      planner
	vlen   map[*wattr][]vlenRef
	groups map[*GroupWriter]*groupPlan
	dsets  map[*DatasetWriter]*dsetPlan
	order  []interface{} // objects in address order, for serialisation
}

type groupPlan struct {
	header   uint64
	hsize    uint64
	names    []string // sorted
	heap     uint64
	heapSeg  []byte
	nameOff  map[string]uint64
	snods    []uint64
	btree    []btreeNode // all nodes, root first
	rootNode uint64
}

type btreeNode struct {
	addr     uint64
	level    int
	keys     [][]byte
	children []uint64
	left     uint64
	right    uint64
	size     uint64
}

type dsetPlan struct {
	header  uint64
	hsize   uint64
	data    uint64 // contiguous data address (undef when empty)
	chunks  []wchunk
	btree   []btreeNode
	btRoot  uint64
	filters []byte
}

type wchunk struct {
	offset []int
	data   []byte
	addr   uint64
}

// WriteTo lays the file out and writes it to out. It returns the number of
// bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	b, err := w.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := out.Write(b)
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	return int64(n), errors.Wrap(err, "hdf5: WriteTo")
}

// Bytes lays the file out and returns its bytes.
func (w *Writer) Bytes() (out []byte, err error) {
	defer recoverTo(&err, "/")
	s := &layoutState{vlen: map[*wattr][]vlenRef{}, groups: map[*GroupWriter]*groupPlan{}, dsets: map[*DatasetWriter]*dsetPlan{}}
	s.p.reserve(96) // superblock v0
	if err := s.planGroup(w.root); err != nil {
		return nil, err
	}
	if err := s.planHeaps(w.root); err != nil {
		return nil, err
	}
	buf := &wbuf{b: make([]byte, 0, s.p.next)}
	s.writeSuperblock(buf, w.root)
	for _, o := range s.order {
		switch v := o.(type) {
		case *GroupWriter:
			if err := s.writeGroup(buf, v); err != nil {
				return nil, err
			}
		case *DatasetWriter:
			if err := s.writeDataset(buf, v); err != nil {
				return nil, err
			}
		case *gcoll:
			s.writeColl(buf, v)
		}
	}
	s.seek(buf, s.p.next) // the last block's alignment padding
	if uint64(len(buf.b)) != s.p.next {
		return nil, errors.Errorf("hdf5: internal error: wrote %d bytes, planned %d", len(buf.b), s.p.next)
	}
	return buf.b, nil
}

func sortedNames(m map[string]interface{}) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// attrMessages encodes the attribute messages of an object (vlen
// references must be known: called at serialisation).
func (s *layoutState) attrMessage(a *wattr, path string) ([]byte, error) {
	var m wbuf
	m.u8(1)
	m.u8(0)
	m.u16(uint16(len(a.name) + 1))
	m.u16(uint16(len(a.dtype)))
	space := dataspace(a.shape)
	m.u16(uint16(len(space)))
	m.raw([]byte(a.name))
	m.u8(0)
	m.pad8()
	m.raw(a.dtype)
	m.pad8()
	m.raw(space)
	m.pad8()
	if a.vlen != nil {
		refs := s.vlen[a]
		for i, str := range a.vlen {
			m.u32(uint32(len(str)))
			m.u64(refs[i].coll)
			m.u32(refs[i].index)
		}
	} else {
		m.raw(a.data)
	}
	m.pad8()
	if len(m.b) > maxMessage {
		return nil, errors.Errorf("hdf5: %s: attribute %s: %d bytes do not fit an object header message (64 KiB); split it (Keras writes name0, name1, ...)", path, a.name, len(m.b))
	}
	return m.b, nil
}

// attrSize is the size of an attribute message (the same computation
// without the vlen references being known).
func attrSize(a *wattr) int {
	n := 8 + (len(a.name)+1+7)/8*8 + (len(a.dtype)+7)/8*8 + (len(dataspace(a.shape))+7)/8*8
	if a.vlen != nil {
		n += 16 * len(a.vlen)
	} else {
		n += len(a.data)
	}
	return (n + 7) / 8 * 8
}

// dataspace encodes a version 1 dataspace: rank 0 is a scalar; simple
// dataspaces carry maximum dimensions equal to the dimensions, as h5py.
func dataspace(shape []int) []byte {
	var m wbuf
	m.u8(1)
	m.u8(byte(len(shape)))
	if len(shape) > 0 {
		m.u8(1)
	} else {
		m.u8(0)
	}
	m.zeros(5)
	for _, d := range shape {
		m.u64(uint64(d))
	}
	for _, d := range shape {
		m.u64(uint64(d))
	}
	return m.b
}

func headerSize(msgs []int) uint64 {
	n := uint64(16)
	for _, m := range msgs {
		n += 8 + uint64(m)
	}
	return n
}

func (s *layoutState) planAttrs(as attrSet, path string) ([]int, error) {
	var sizes []int
	for _, a := range as.attrs {
		n := attrSize(a)
		if n > maxMessage {
			return nil, errors.Errorf("hdf5: %s: attribute %s: %d bytes do not fit an object header message (64 KiB); split it (Keras writes name0, name1, ...)", path, a.name, n)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func (s *layoutState) planGroup(g *GroupWriter) error {
	gp := &groupPlan{names: sortedNames(g.children), nameOff: map[string]uint64{}}
	s.groups[g] = gp
	sizes, err := s.planAttrs(g.attrSet, g.path)
	if err != nil {
		return err
	}
	msgs := append([]int{16}, sizes...) // symbol table message first
	gp.hsize = headerSize(msgs)
	gp.header = s.p.reserve(gp.hsize)
	s.order = append(s.order, g)
	// Local heap: "" at 0, then each name NUL-terminated, 8-aligned.
	seg := make([]byte, 8)
	for _, n := range gp.names {
		gp.nameOff[n] = uint64(len(seg))
		seg = append(seg, n...)
		seg = append(seg, 0)
		for len(seg)%8 != 0 {
			seg = append(seg, 0)
		}
	}
	gp.heapSeg = seg
	gp.heap = s.p.reserve(32 + uint64(len(seg)))
	// Symbol table nodes of 2*leafK entries.
	entries := 2 * wLeafK
	var leaves []btreeChild
	for i := 0; i < len(gp.names); i += entries {
		j := i + entries
		if j > len(gp.names) {
			j = len(gp.names)
		}
		addr := s.p.reserve(8 + uint64(entries)*40)
		gp.snods = append(gp.snods, addr)
		left := uint64(0)
		if i > 0 {
			left = gp.nameOff[gp.names[i-1]]
		}
		leaves = append(leaves, btreeChild{addr: addr, left: u64key(left), right: u64key(gp.nameOff[gp.names[j-1]])})
	}
	gp.btree = s.planBtree(leaves, 2*wInternalK, 8, u64key(0))
	gp.rootNode = gp.btree[0].addr
	for _, n := range gp.names {
		switch c := g.children[n].(type) {
		case *GroupWriter:
			if err := s.planGroup(c); err != nil {
				return err
			}
		case *DatasetWriter:
			if err := s.planDataset(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func u64key(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

type btreeChild struct {
	addr        uint64
	left, right []byte
}

// planBtree builds a version 1 B-tree over leaves (children of level-0
// nodes, in key order): nodes of up to fanout children, each key the left
// key of the child after it and the last key the right key of the last
// child. Nodes are reserved at their full size (libhdf5 reads a node's
// full 2K-entry size). It returns the nodes, root first.
func (s *layoutState) planBtree(leaves []btreeChild, fanout, keySize int, emptyKey []byte) []btreeNode {
	nodeSize := uint64(24 + fanout*8 + (fanout+1)*keySize)
	if len(leaves) == 0 {
		n := btreeNode{addr: s.p.reserve(nodeSize), keys: [][]byte{emptyKey}, left: undef, right: undef, size: nodeSize}
		return []btreeNode{n}
	}
	var all [][]btreeNode
	level := 0
	cur := leaves
	for {
		var nodes []btreeNode
		var next []btreeChild
		for i := 0; i < len(cur); i += fanout {
			j := i + fanout
			if j > len(cur) {
				j = len(cur)
			}
			n := btreeNode{level: level, size: nodeSize, left: undef, right: undef}
			for _, c := range cur[i:j] {
				n.keys = append(n.keys, c.left)
				n.children = append(n.children, c.addr)
			}
			n.keys = append(n.keys, cur[j-1].right)
			nodes = append(nodes, n)
		}
		all = append(all, nodes)
		if len(nodes) == 1 {
			break
		}
		// Addresses are assigned below; children of the next level refer
		// to these nodes by index for now.
		for i := range nodes {
			next = append(next, btreeChild{addr: uint64(i), left: nodes[i].keys[0], right: nodes[i].keys[len(nodes[i].keys)-1]})
		}
		cur = next
		level++
	}
	// Reserve root first, then each level downwards, and patch the
	// children of upper levels with the real addresses.
	var out []btreeNode
	for l := len(all) - 1; l >= 0; l-- {
		for i := range all[l] {
			all[l][i].addr = s.p.reserve(nodeSize)
		}
		for i := range all[l] {
			if i > 0 {
				all[l][i].left = all[l][i-1].addr
			}
			if i+1 < len(all[l]) {
				all[l][i].right = all[l][i+1].addr
			}
		}
	}
	for l := len(all) - 1; l >= 1; l-- {
		for i := range all[l] {
			for k, idx := range all[l][i].children {
				all[l][i].children[k] = all[l-1][idx].addr
			}
		}
	}
	for l := len(all) - 1; l >= 0; l-- {
		out = append(out, all[l]...)
	}
	return out
}

func fillMessage(chunked bool) []byte {
	// Version 2: allocation time late (contiguous) or incremental
	// (chunked), fill time "if set" / "on allocation", fill value defined
	// with size 0 (zeros), as libhdf5 writes h5py's default.
	if chunked {
		return []byte{2, 3, 0, 1, 0, 0, 0, 0}
	}
	return []byte{2, 2, 2, 1, 0, 0, 0, 0}
}

func (s *layoutState) planDataset(d *DatasetWriter) error {
	dp := &dsetPlan{data: undef}
	s.dsets[d] = dp
	sizes, err := s.planAttrs(d.attrSet, d.path)
	if err != nil {
		return err
	}
	chunked := d.opts.chunks != nil
	msgs := []int{len(dataspace(d.shape)), (len(d.dtype) + 7) / 8 * 8, 8, 24}
	if chunked {
		rank := len(d.shape)
		msgs[3] = (1 + 1 + 1 + 8 + 4*(rank+1) + 7) / 8 * 8
	}
	if d.opts.shuffle || d.opts.gzip >= 0 {
		// Filter pipeline version 1, filters in h5py's order (shuffle
		// before deflate); no message at all without filters (libhdf5
		// cannot open a dataset with an empty pipeline).
		var pl wbuf
		var n byte
		if d.opts.shuffle {
			n++
		}
		if d.opts.gzip >= 0 {
			n++
		}
		pl.u8(1)
		pl.u8(n)
		pl.zeros(6)
		if d.opts.shuffle {
			pl.u16(2)
			pl.u16(8)
			pl.u16(1) // optional, as h5py sets it
			pl.u16(1)
			pl.raw([]byte("shuffle\x00"))
			pl.u32(uint32(d.esize))
			pl.u32(0)
		}
		if d.opts.gzip >= 0 {
			pl.u16(1)
			pl.u16(8)
			pl.u16(1)
			pl.u16(1)
			pl.raw([]byte("deflate\x00"))
			pl.u32(uint32(d.opts.gzip))
			pl.u32(0)
		}
		dp.filters = pl.b
		msgs = append(msgs, len(pl.b))
	}
	msgs = append(msgs, sizes...)
	dp.hsize = headerSize(msgs)
	dp.header = s.p.reserve(dp.hsize)
	s.order = append(s.order, d)
	if !chunked {
		if len(d.data) > 0 {
			dp.data = s.p.reserve(uint64(len(d.data)))
		}
		return nil
	}
	// Chunks in row-major order of the chunk grid; empty datasets have
	// none.
	rank := len(d.shape)
	grid := make([]int, rank)
	total := 1
	for i := range grid {
		grid[i] = (d.shape[i] + d.opts.chunks[i] - 1) / d.opts.chunks[i]
		total *= grid[i]
	}
	chunkElems := 1
	for _, c := range d.opts.chunks {
		chunkElems *= c
	}
	var leaves []btreeChild
	keySize := 8 + 8*(rank+1)
	key := func(size int, off []int) []byte {
		var k wbuf
		k.u32(uint32(size))
		k.u32(0)
		for _, o := range off {
			k.u64(uint64(o))
		}
		k.u64(0)
		return k.b
	}
	for ci := 0; ci < total; ci++ {
		off := make([]int, rank)
		rem := ci
		for i := rank - 1; i >= 0; i-- {
			off[i] = (rem % grid[i]) * d.opts.chunks[i]
			rem /= grid[i]
		}
		raw := make([]byte, chunkElems*d.esize)
		extractChunk(raw, d.data, d.shape, d.opts.chunks, off, d.esize)
		data := raw
		if d.opts.shuffle {
			data = shuffleBytes(data, d.esize)
		}
		if d.opts.gzip >= 0 {
			var zb bytes.Buffer
			zw, err := zlib.NewWriterLevel(&zb, d.opts.gzip)
			if err != nil {
				return errors.Wrapf(err, "hdf5: %s: gzip", d.path)
			}
			if _, err := zw.Write(data); err != nil {
				return errors.Wrapf(err, "hdf5: %s: gzip", d.path)
			}
			if err := zw.Close(); err != nil {
				return errors.Wrapf(err, "hdf5: %s: gzip", d.path)
			}
			data = zb.Bytes()
		}
		dp.chunks = append(dp.chunks, wchunk{offset: off, data: data})
	}
	for i := range dp.chunks {
		dp.chunks[i].addr = s.p.reserve(uint64(len(dp.chunks[i].data)))
	}
	for i, c := range dp.chunks {
		right := make([]int, rank+1)
		if i+1 < len(dp.chunks) {
			copy(right, dp.chunks[i+1].offset)
			leaves = append(leaves, btreeChild{addr: c.addr, left: key(len(c.data), c.offset), right: key(len(dp.chunks[i+1].data), dp.chunks[i+1].offset)})
			continue
		}
		// The last key: the last chunk's offset with the element
		// dimension set to the element size, as libhdf5 writes it.
		var k wbuf
		k.u32(0)
		k.u32(0)
		for _, o := range c.offset {
			k.u64(uint64(o))
		}
		k.u64(uint64(d.esize))
		leaves = append(leaves, btreeChild{addr: c.addr, left: key(len(c.data), c.offset), right: k.b})
	}
	dp.btree = s.planBtree(leaves, 2*wChunkK, keySize, key(0, make([]int, rank)))
	dp.btRoot = dp.btree[0].addr
	return nil
}

// extractChunk copies the chunk at element offset off out of the
// row-major dataset bytes (zeros beyond the dataset's edges).
func extractChunk(dst, src []byte, shape, cdims, off []int, esize int) {
	rank := len(shape)
	run := cdims[rank-1]
	if rem := shape[rank-1] - off[rank-1]; rem < run {
		run = rem
	}
	idx := make([]int, rank-1)
	for {
		inside := true
		for i := 0; i < rank-1; i++ {
			if off[i]+idx[i] >= shape[i] {
				inside = false
			}
		}
		if inside {
			s, d := 0, 0
			for i := 0; i < rank; i++ {
				ci, di := 0, off[i]
				if i < rank-1 {
					ci, di = idx[i], off[i]+idx[i]
				}
				d = d*cdims[i] + ci
				s = s*shape[i] + di
			}
			copy(dst[d*esize:(d+run)*esize], src[s*esize:(s+run)*esize])
		}
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

func shuffleBytes(data []byte, size int) []byte {
	n := len(data) / size
	if size <= 1 || n <= 1 {
		return data
	}
	out := make([]byte, len(data))
	for i := 0; i < n; i++ {
		for j := 0; j < size; j++ {
			out[j*n+i] = data[i*size+j]
		}
	}
	copy(out[n*size:], data[n*size:])
	return out
}

// planHeaps places every variable-length string in global heap
// collections after the objects: collections of at least 4 KiB (libhdf5's
// minimum, the rest a free-space object), a new one when the current would
// pass 64 KiB or 65535 objects.
func (s *layoutState) planHeaps(root *GroupWriter) error {
	var cur *gcoll
	used := uint64(0)
	const hdr = 16
	var colls []*gcoll
	addString := func(str string) vlenRef {
		objSize := hdr + (uint64(len(str))+7)/8*8
		if cur == nil || used+objSize+hdr > 1<<16 || len(cur.objects) >= 65535 {
			cur = &gcoll{}
			colls = append(colls, cur)
			used = 16 // collection header
		}
		cur.objects = append(cur.objects, str)
		used += objSize
		size := used
		if size+hdr <= 4096 {
			size = 4096
		} else {
			size = (size + hdr + 7) / 8 * 8 // room for the free-space object
		}
		cur.size = size
		return vlenRef{index: uint32(len(cur.objects))}
	}
	pending := map[*wattr][]struct {
		c *gcoll
		r vlenRef
	}{}
	var visit func(g *GroupWriter)
	visitAttrs := func(as attrSet) {
		for _, a := range as.attrs {
			for _, str := range a.vlen {
				r := addString(str)
				pending[a] = append(pending[a], struct {
					c *gcoll
					r vlenRef
				}{cur, r})
			}
		}
	}
	visit = func(g *GroupWriter) {
		visitAttrs(g.attrSet)
		for _, n := range sortedNames(g.children) {
			switch c := g.children[n].(type) {
			case *GroupWriter:
				visit(c)
			case *DatasetWriter:
				visitAttrs(c.attrSet)
			}
		}
	}
	visit(root)
	for _, c := range colls {
		c.addr = s.p.reserve(c.size)
		s.order = append(s.order, c)
	}
	for a, refs := range pending {
		for _, p := range refs {
			s.vlen[a] = append(s.vlen[a], vlenRef{coll: p.c.addr, index: p.r.index})
		}
	}
	return nil
}

func (s *layoutState) writeSuperblock(b *wbuf, root *GroupWriter) {
	gp := s.groups[root]
	b.raw([]byte(Signature))
	b.raw([]byte{0, 0, 0, 0, 0, 8, 8, 0})
	b.u16(wLeafK)
	b.u16(wInternalK)
	b.u32(0)
	b.u64(0)     // base address
	b.u64(undef) // free-space info
	b.u64(s.p.next)
	b.u64(undef) // driver info
	// Root symbol table entry, caching the B-tree and heap addresses.
	b.u64(0)
	b.u64(gp.header)
	b.u32(1)
	b.u32(0)
	b.u64(gp.rootNode)
	b.u64(gp.heap)
	b.pad8()
}

func (s *layoutState) seek(b *wbuf, addr uint64) {
	if uint64(len(b.b)) > addr {
		panic("hdf5 writer: overlapping layout")
	}
	b.zeros(int(addr - uint64(len(b.b))))
}

func writeHeader(b *wbuf, msgs [][]byte, types []uint16, flags []byte) {
	b.u8(1)
	b.u8(0)
	b.u16(uint16(len(msgs)))
	b.u32(1) // reference count
	size := 0
	for _, m := range msgs {
		size += 8 + len(m)
	}
	b.u32(uint32(size))
	b.u32(0) // pad the prefix to 16 bytes
	for i, m := range msgs {
		b.u16(types[i])
		b.u16(uint16(len(m)))
		b.u8(flags[i])
		b.zeros(3)
		b.raw(m)
	}
}

func pad8(m []byte) []byte {
	for len(m)%8 != 0 {
		m = append(m, 0)
	}
	return m
}

func (s *layoutState) attrMsgs(as attrSet, path string, msgs *[][]byte, types *[]uint16, flags *[]byte) error {
	for _, a := range as.attrs {
		m, err := s.attrMessage(a, path)
		if err != nil {
			return err
		}
		*msgs = append(*msgs, m)
		*types = append(*types, msgAttribute)
		*flags = append(*flags, 0)
	}
	return nil
}

func (s *layoutState) writeGroup(b *wbuf, g *GroupWriter) error {
	gp := s.groups[g]
	s.seek(b, gp.header)
	var st wbuf
	st.u64(gp.rootNode)
	st.u64(gp.heap)
	msgs, types, flags := [][]byte{st.b}, []uint16{msgSymbolTable}, []byte{0}
	if err := s.attrMsgs(g.attrSet, g.path, &msgs, &types, &flags); err != nil {
		return err
	}
	writeHeader(b, msgs, types, flags)
	// Local heap.
	s.seek(b, gp.heap)
	b.raw([]byte("HEAP"))
	b.raw([]byte{0, 0, 0, 0})
	b.u64(uint64(len(gp.heapSeg)))
	b.u64(1) // no free block (libhdf5's H5HL_FREE_NULL)
	b.u64(gp.heap + 32)
	b.raw(gp.heapSeg)
	// Symbol table nodes.
	entries := 2 * wLeafK
	for i, addr := range gp.snods {
		s.seek(b, addr)
		names := gp.names[i*entries:]
		if len(names) > entries {
			names = names[:entries]
		}
		b.raw([]byte("SNOD"))
		b.u8(1)
		b.u8(0)
		b.u16(uint16(len(names)))
		for _, n := range names {
			b.u64(gp.nameOff[n])
			switch c := g.children[n].(type) {
			case *GroupWriter:
				cp := s.groups[c]
				b.u64(cp.header)
				b.u32(1)
				b.u32(0)
				b.u64(cp.rootNode)
				b.u64(cp.heap)
			case *DatasetWriter:
				b.u64(s.dsets[c].header)
				b.zeros(24)
			}
		}
		b.zeros((entries - len(names)) * 40)
	}
	s.writeBtree(b, gp.btree, 0)
	return nil
}

func (s *layoutState) writeBtree(b *wbuf, nodes []btreeNode, typ byte) {
	for _, n := range nodes {
		s.seek(b, n.addr)
		start := len(b.b)
		b.raw([]byte("TREE"))
		b.u8(typ)
		b.u8(byte(n.level))
		b.u16(uint16(len(n.children)))
		b.u64(n.left)
		b.u64(n.right)
		for i, c := range n.children {
			b.raw(n.keys[i])
			b.u64(c)
		}
		b.raw(n.keys[len(n.keys)-1])
		b.zeros(int(n.size) - (len(b.b) - start))
	}
}

func (s *layoutState) writeDataset(b *wbuf, d *DatasetWriter) error {
	dp := s.dsets[d]
	s.seek(b, dp.header)
	var lay wbuf
	lay.u8(3)
	if d.opts.chunks == nil {
		lay.u8(layoutContiguous)
		lay.u64(dp.data)
		lay.u64(uint64(len(d.data)))
	} else {
		lay.u8(layoutChunked)
		lay.u8(byte(len(d.shape) + 1))
		lay.u64(dp.btRoot)
		for _, c := range d.opts.chunks {
			lay.u32(uint32(c))
		}
		lay.u32(uint32(d.esize))
	}
	// Messages in the order libhdf5 writes them for h5py.
	msgs := [][]byte{dataspace(d.shape), pad8(append([]byte(nil), d.dtype...)), fillMessage(d.opts.chunks != nil)}
	types := []uint16{msgDataspace, msgDatatype, msgFill}
	flags := []byte{0, 1, 1}
	if dp.filters != nil {
		msgs = append(msgs, dp.filters)
		types = append(types, msgFilters)
		flags = append(flags, 1)
	}
	msgs = append(msgs, pad8(lay.b))
	types = append(types, msgLayout)
	flags = append(flags, 0)
	if err := s.attrMsgs(d.attrSet, d.path, &msgs, &types, &flags); err != nil {
		return err
	}
	writeHeader(b, msgs, types, flags)
	if d.opts.chunks == nil {
		if dp.data != undef {
			s.seek(b, dp.data)
			b.raw(d.data)
		}
		return nil
	}
	for _, c := range dp.chunks {
		s.seek(b, c.addr)
		b.raw(c.data)
	}
	s.writeBtree(b, dp.btree, 1)
	return nil
}

func (s *layoutState) writeColl(b *wbuf, c *gcoll) {
	s.seek(b, c.addr)
	start := len(b.b)
	b.raw([]byte("GCOL"))
	b.raw([]byte{1, 0, 0, 0})
	b.u64(c.size)
	for i, str := range c.objects {
		b.u16(uint16(i + 1))
		b.u16(0)
		b.u32(0)
		b.u64(uint64(len(str)))
		b.raw([]byte(str))
		b.pad8()
	}
	// The rest is one free-space object (index 0) whose size counts its
	// own header.
	rest := int(c.size) - (len(b.b) - start)
	if rest >= 16 {
		b.u16(0)
		b.u16(0)
		b.u32(0)
		b.u64(uint64(rest))
		b.zeros(rest - 16)
	} else {
		b.zeros(rest)
	}
}
