package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/pkg/errors"
)

// Signature is the eight bytes that start an HDF5 superblock.
const Signature = "\x89HDF\r\n\x1a\n"

// Limits on what a file may declare. Each is far above what Keras (through
// h5py) writes and far below what would exhaust memory.
const (
	// MaxRank is the largest number of dimensions accepted (HDF5's own
	// limit, H5S_MAX_RANK).
	MaxRank = 32
	// MaxDataBytes bounds the decoded size of one dataset or attribute
	// value, in bytes (4 GiB). Contiguous and compact data must moreover be
	// present in the file; chunked data may expand through compression by
	// at most the deflate bound (1032:1) of the file's length.
	MaxDataBytes = 1 << 32
	// MaxLinks bounds the number of links of one group and the number of
	// attributes of one object.
	MaxLinks = 1 << 20
	// MaxSoftLinkHops bounds the soft links followed when resolving one
	// path (libhdf5's default H5L_NUM_LINKS is 16).
	MaxSoftLinkHops = 16
	// maxHeaderMessages bounds the messages of one object header,
	// continuation blocks included.
	maxHeaderMessages = 1 << 16
	// maxTreeDepth bounds the depth of any B-tree or heap block tree.
	maxTreeDepth = 64
)

// undef is HDF5's undefined address (all bits set) for 8-byte offsets; the
// reader widens shorter undefined addresses to it.
const undef = ^uint64(0)

// File is an open HDF5 file. Its methods read from the underlying data on
// demand; a File is not safe for concurrent use by several goroutines.
type File struct {
	r         io.ReaderAt
	size      int64  // length of the data
	base      uint64 // absolute position of address 0
	offSize   int    // bytes of an address ("size of offsets")
	lenSize   int    // bytes of a length ("size of lengths")
	sbVersion int
	root      *Group

	headers map[uint64]*objectHeader // parsed object headers by address
	gheaps  map[uint64][]byte        // global heap collections by address
	fheaps  map[uint64]*fractalHeap  // fractal heap headers by address
	links   map[uint64]linkList      // groups' links by header address
}

// Open parses the HDF5 file held in data. The File keeps data and reads
// from it as objects are visited; data must not be modified while the File
// is in use.
func Open(data []byte) (*File, error) {
	return OpenReaderAt(bytes.NewReader(data), int64(len(data)))
}

// OpenReaderAt parses an HDF5 file of size bytes read through r (an
// *os.File, a section of a zip archive opened with a known size, ...).
// Every read is bounded by size.
func OpenReaderAt(r io.ReaderAt, size int64) (f *File, err error) {
	defer recoverTo(&err, "/")
	if r == nil {
		return nil, errors.New("hdf5: Open: nil reader")
	}
	if size < 0 {
		return nil, errors.Errorf("hdf5: Open: negative size %d", size)
	}
	f = &File{r: r, size: size,
		headers: map[uint64]*objectHeader{},
		gheaps:  map[uint64][]byte{},
		fheaps:  map[uint64]*fractalHeap{},
		links:   map[uint64]linkList{}}
	if err := f.readSuperblock(); err != nil {
		return nil, err
	}
	return f, nil
}

// recoverTo turns a panic inside the package into an error: the parsing
// code checks every bound it relies on, so this is a last line of defence
// that keeps a bug from crashing the caller.
func recoverTo(err *error, path string) {
	if r := recover(); r != nil {
		*err = errors.Errorf("hdf5: %s: internal error: %v\n%s", path, r, debug.Stack())
	}
}

// SuperblockVersion returns the version of the file's superblock (0 to 3).
func (f *File) SuperblockVersion() int { return f.sbVersion }

// Root returns the root group "/".
func (f *File) Root() *Group { return f.root }

// Group returns the group at an absolute or root-relative path; it is
// f.Root().Group(path).
func (f *File) Group(path string) (*Group, error) { return f.root.Group(path) }

// Dataset returns the dataset at an absolute or root-relative path; it is
// f.Root().Dataset(path).
func (f *File) Dataset(path string) (*Dataset, error) { return f.root.Dataset(path) }

// readAt returns n bytes at file address addr (relative to the base
// address), or an error naming what was read if they are not all in the
// file.
func (f *File) readAt(addr, n uint64, what string) ([]byte, error) {
	if addr == undef {
		return nil, errors.Errorf("%s: undefined address", what)
	}
	abs := addr + f.base
	if abs < addr || abs > uint64(f.size) || n > uint64(f.size)-abs {
		return nil, errors.Errorf("%s: %d bytes at address %d run past the end of the file (%d bytes)",
			what, n, addr, f.size)
	}
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	if _, err := f.r.ReadAt(b, int64(abs)); err != nil && !(err == io.EOF && n == uint64(len(b))) {
		return nil, errors.Wrapf(err, "%s: read %d bytes at %d", what, n, addr)
	}
	return b, nil
}

// readUpTo returns up to n bytes at addr, fewer if the file ends first
// (at least min bytes, else an error).
func (f *File) readUpTo(addr, n, min uint64, what string) ([]byte, error) {
	abs := addr + f.base
	if addr != undef && abs >= addr && abs <= uint64(f.size) && uint64(f.size)-abs < n {
		n = uint64(f.size) - abs
	}
	if n < min {
		return nil, errors.Errorf("%s: needs %d bytes at address %d, the file (%d bytes) ends first",
			what, min, addr, f.size)
	}
	return f.readAt(addr, n, what)
}

func (f *File) readSuperblock() error {
	// The superblock is at 0, 512, 1024, 2048, ... (after a user block).
	var at int64 = -1
	var head []byte
	for pos := int64(0); pos+8 <= f.size; {
		sig := make([]byte, 8)
		if _, err := f.r.ReadAt(sig, pos); err != nil && err != io.EOF {
			return errors.Wrap(err, "hdf5: read superblock")
		}
		if string(sig) == Signature {
			at = pos
			break
		}
		if pos == 0 {
			pos = 512
		} else {
			pos *= 2
		}
	}
	if at < 0 {
		return errors.New("hdf5: not an HDF5 file (no superblock signature at 0, 512, 1024, ...)")
	}
	// Read the fixed part generously (a v0/v1 superblock with 8-byte
	// fields is 96 or 100 bytes); short files are checked field by field.
	n := int64(256)
	if f.size-at < n {
		n = f.size - at
	}
	head = make([]byte, n)
	if _, err := f.r.ReadAt(head, at); err != nil && err != io.EOF {
		return errors.Wrap(err, "hdf5: read superblock")
	}
	if len(head) < 9 {
		return errors.New("hdf5: superblock: truncated")
	}
	f.sbVersion = int(head[8])
	d := &decoder{b: head, off: 9, what: "hdf5: superblock"}
	switch f.sbVersion {
	case 0, 1:
		d.skip(4) // free-space, root symbol table, reserved, shared header versions
		d.skip(0)
		f.offSize = int(d.u8(0))
		f.lenSize = int(d.u8(0))
		d.skip(1)
		if !validSize(f.offSize) || !validSize(f.lenSize) {
			return errors.Errorf("hdf5: superblock: unsupported sizes of offsets %d / lengths %d", f.offSize, f.lenSize)
		}
		d.skip(4) // group leaf K, group internal K
		d.skip(4) // file consistency flags
		if f.sbVersion == 1 {
			d.skip(4) // indexed storage internal K, reserved
		}
		d.off2 = f.offSize
		d.len2 = f.lenSize
		base := d.addr()
		d.addr() // free-space info
		d.addr() // end of file
		d.addr() // driver information block
		// Root group symbol table entry.
		d.length() // link name offset
		rootAddr := d.addr()
		cacheType := d.u32()
		d.skip(4)
		scratch := d.bytes(16)
		if d.err != nil {
			return d.err
		}
		f.base = base
		f.root = &Group{object: object{f: f, addr: rootAddr, path: "/"}}
		if cacheType == 1 {
			// The root's B-tree and local heap are cached in the entry;
			// they are used if the header has no symbol table message.
			sd := &decoder{b: scratch, what: "hdf5: superblock root entry", off2: f.offSize, len2: f.lenSize}
			f.root.cacheBtree, f.root.cacheHeap = sd.addr(), sd.addr()
			f.root.cached = sd.err == nil
		}
	case 2, 3:
		f.offSize = int(d.u8(0))
		f.lenSize = int(d.u8(0))
		if !validSize(f.offSize) || !validSize(f.lenSize) {
			return errors.Errorf("hdf5: superblock: unsupported sizes of offsets %d / lengths %d", f.offSize, f.lenSize)
		}
		d.skip(1) // file consistency flags
		d.off2 = f.offSize
		d.len2 = f.lenSize
		base := d.addr()
		d.addr() // superblock extension
		d.addr() // end of file
		rootAddr := d.addr()
		end := d.off
		sum := d.u32()
		if d.err != nil {
			return d.err
		}
		if got := lookup3(head[:end], 0); got != sum {
			return errors.Errorf("hdf5: superblock: checksum %#08x, computed %#08x", sum, got)
		}
		f.base = base
		f.root = &Group{object: object{f: f, addr: rootAddr, path: "/"}}
	default:
		return errors.Errorf("hdf5: superblock: unsupported version %d", f.sbVersion)
	}
	// Addresses are relative to the superblock's position, whatever the
	// base address field says (libhdf5 adjusts the base to it the same way
	// when a file is found behind a user block).
	f.base = uint64(at)
	return nil
}

func validSize(n int) bool { return n == 2 || n == 4 || n == 8 }

// decoder reads little-endian fields from b, remembering the first error
// (so a parse is a straight sequence of reads and one error check).
type decoder struct {
	b          []byte
	off        int
	what       string
	err        error
	off2, len2 int // sizes of addresses and lengths
}

func (d *decoder) fail(format string, args ...interface{}) {
	if d.err == nil {
		d.err = errors.Errorf("%s: %s", d.what, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || d.off+n > len(d.b) || d.off+n < d.off {
		d.fail("truncated (needs %d bytes at offset %d of %d)", n, d.off, len(d.b))
		return false
	}
	return true
}

func (d *decoder) skip(n int) {
	if d.need(n) {
		d.off += n
	}
}

func (d *decoder) bytes(n int) []byte {
	if !d.need(n) {
		return nil
	}
	b := d.b[d.off : d.off+n]
	d.off += n
	return b
}

// u8 reads one byte; the argument is ignored (it documents the field).
func (d *decoder) u8(int) uint8 {
	if !d.need(1) {
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) u16() uint16 {
	if !d.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(d.b[d.off:])
	d.off += 2
	return v
}

func (d *decoder) u32() uint32 {
	if !d.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b[d.off:])
	d.off += 4
	return v
}

func (d *decoder) u64() uint64 {
	if !d.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// uint reads an n-byte little-endian unsigned integer (n <= 8).
func (d *decoder) uint(n int) uint64 {
	if n > 8 {
		d.fail("field of %d bytes", n)
		return 0
	}
	if !d.need(n) {
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(d.b[d.off+i])
	}
	d.off += n
	return v
}

// addr reads an address, widening an all-ones value to undef.
func (d *decoder) addr() uint64 {
	v := d.uint(d.off2)
	if d.off2 < 8 && v == 1<<(8*uint(d.off2))-1 {
		return undef
	}
	return v
}

func (d *decoder) length() uint64 {
	v := d.uint(d.len2)
	if d.len2 < 8 && v == 1<<(8*uint(d.len2))-1 {
		return undef
	}
	return v
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

// newDecoder returns a decoder over b for the file's address sizes.
func (f *File) newDecoder(b []byte, what string) *decoder {
	return &decoder{b: b, what: what, off2: f.offSize, len2: f.lenSize}
}

// checkSum verifies the lookup3 checksum stored in the 4 bytes after
// b[:end].
func checkSum(b []byte, end int, what string) error {
	if end < 0 || end+4 > len(b) {
		return errors.Errorf("%s: truncated before its checksum", what)
	}
	want := binary.LittleEndian.Uint32(b[end:])
	if got := lookup3(b[:end], 0); got != want {
		return errors.Errorf("%s: checksum %#08x, computed %#08x", what, want, got)
	}
	return nil
}
