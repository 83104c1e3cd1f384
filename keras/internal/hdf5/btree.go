package hdf5

import (
	"encoding/binary"

	"github.com/pkg/errors"
)

// btree1Entry is one child of a level-0 version 1 B-tree node: its key
// (the bytes before the child pointer) and its child address.
type btree1Entry struct {
	key   []byte
	child uint64
}

// walkBtree1 visits the level-0 entries of the version 1 B-tree at addr
// (spec III.A.1): "TREE", node type (0 group, 1 chunk), level, entries
// used (2), left and right siblings (O), then keys and children
// interleaved, one more key than children. keySize is the size of a key
// for the node type.
func (f *File) walkBtree1(addr uint64, nodeType int, keySize int, what string, fn func(btree1Entry) error) error {
	seen := map[uint64]bool{}
	var visit func(addr uint64, level int, depth int) error
	visit = func(addr uint64, level int, depth int) error {
		if depth > maxTreeDepth {
			return errors.Errorf("%s: B-tree deeper than %d", what, maxTreeDepth)
		}
		if seen[addr] {
			return errors.Errorf("%s: B-tree node at %d is visited twice (a loop)", what, addr)
		}
		seen[addr] = true
		hdrSize := uint64(8 + 2*f.offSize)
		hdr, err := f.readAt(addr, hdrSize, what+": B-tree node")
		if err != nil {
			return err
		}
		if string(hdr[:4]) != "TREE" {
			return errors.Errorf("%s: B-tree node at %d has no TREE signature", what, addr)
		}
		if int(hdr[4]) != nodeType {
			return errors.Errorf("%s: B-tree node at %d has type %d, want %d", what, addr, hdr[4], nodeType)
		}
		nodeLevel := int(hdr[5])
		if level >= 0 && nodeLevel != level {
			return errors.Errorf("%s: B-tree node at %d has level %d, want %d", what, addr, nodeLevel, level)
		}
		n := uint64(binary.LittleEndian.Uint16(hdr[6:]))
		body, err := f.readAt(addr+hdrSize, n*uint64(keySize+f.offSize)+uint64(keySize), what+": B-tree node")
		if err != nil {
			return err
		}
		d := f.newDecoder(body, what+": B-tree node")
		for i := uint64(0); i < n; i++ {
			key := d.bytes(keySize)
			child := d.addr()
			if d.err != nil {
				return d.err
			}
			if nodeLevel == 0 {
				if err := fn(btree1Entry{key: key, child: child}); err != nil {
					return err
				}
				continue
			}
			if err := visit(child, nodeLevel-1, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(addr, -1, 0)
}

// btree2 is a parsed version 2 B-tree header (spec III.A.2).
type btree2 struct {
	typ      int
	nodeSize uint64
	recSize  int
	depth    int
	root     uint64
	rootRecs int
	total    uint64
	// Per depth: the most records a node holds, and the bytes of the
	// "number of records" and "total records" fields of pointers to it.
	maxRecs    []uint64
	recsBytes  []int
	totalBytes []int
	cumMaxRecs []uint64
}

func (f *File) readBtree2(addr uint64, what string) (*btree2, error) {
	what += ": v2 B-tree"
	size := uint64(4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + f.offSize + 2 + f.lenSize + 4)
	b, err := f.readAt(addr, size, what)
	if err != nil {
		return nil, err
	}
	if string(b[:4]) != "BTHD" || b[4] != 0 {
		return nil, errors.Errorf("%s at %d: no BTHD signature (version 0)", what, addr)
	}
	if err := checkSum(b, len(b)-4, what); err != nil {
		return nil, err
	}
	d := f.newDecoder(b, what)
	d.off = 5
	t := &btree2{}
	t.typ = int(d.u8(0))
	t.nodeSize = uint64(d.u32())
	t.recSize = int(d.u16())
	t.depth = int(d.u16())
	d.skip(2) // split and merge percents
	t.root = d.addr()
	t.rootRecs = int(d.u16())
	t.total = d.length()
	if d.err != nil {
		return nil, d.err
	}
	if t.nodeSize < 32 || t.nodeSize > 1<<24 || t.recSize == 0 || uint64(t.recSize) > t.nodeSize || t.depth > maxTreeDepth {
		return nil, errors.Errorf("%s at %d: invalid node size %d, record size %d or depth %d", what, addr, t.nodeSize, t.recSize, t.depth)
	}
	// Node capacities, from the leaves up (the sizes of the fields that
	// count records depend on them).
	const prefix = 4 + 1 + 1 + 4 // signature, version, type, checksum
	t.maxRecs = make([]uint64, t.depth+1)
	t.recsBytes = make([]int, t.depth+1)
	t.totalBytes = make([]int, t.depth+1)
	t.cumMaxRecs = make([]uint64, t.depth+1)
	t.maxRecs[0] = (t.nodeSize - prefix) / uint64(t.recSize)
	t.cumMaxRecs[0] = t.maxRecs[0]
	t.recsBytes[0] = limitEncSize(t.maxRecs[0])
	t.totalBytes[0] = t.recsBytes[0]
	for u := 1; u <= t.depth; u++ {
		ptr := uint64(f.offSize + t.recsBytes[u-1])
		if u > 1 {
			ptr += uint64(t.totalBytes[u-1])
		}
		if t.nodeSize < prefix+ptr {
			return nil, errors.Errorf("%s at %d: nodes of %d bytes cannot hold a child pointer", what, addr, t.nodeSize)
		}
		t.maxRecs[u] = (t.nodeSize - prefix - ptr) / (uint64(t.recSize) + ptr)
		t.recsBytes[u] = limitEncSize(t.maxRecs[u])
		c := (t.maxRecs[u]+1)*t.cumMaxRecs[u-1] + t.maxRecs[u]
		if c < t.cumMaxRecs[u-1] || c > 1<<62 {
			c = 1 << 62
		}
		t.cumMaxRecs[u] = c
		t.totalBytes[u] = limitEncSize(c)
	}
	return t, nil
}

// walkBtree2 calls fn with every record of the v2 B-tree at addr, in key
// order, until fn returns false or an error.
func (f *File) walkBtree2(addr uint64, what string, fn func(typ int, rec []byte) (bool, error)) error {
	t, err := f.readBtree2(addr, what)
	if err != nil {
		return err
	}
	if t.root == undef || t.total == 0 {
		return nil
	}
	seen := map[uint64]bool{}
	count := uint64(0)
	var visit func(addr uint64, nrecs int, depth int) (bool, error)
	visit = func(addr uint64, nrecs int, depth int) (bool, error) {
		if seen[addr] {
			return false, errors.Errorf("%s: v2 B-tree node at %d is visited twice (a loop)", what, addr)
		}
		seen[addr] = true
		if uint64(nrecs) > t.maxRecs[depth] {
			return false, errors.Errorf("%s: v2 B-tree node at %d holds %d records, at most %d fit", what, addr, nrecs, t.maxRecs[depth])
		}
		b, err := f.readAt(addr, t.nodeSize, what+": v2 B-tree node")
		if err != nil {
			return false, err
		}
		sig := "BTLF"
		if depth > 0 {
			sig = "BTIN"
		}
		if string(b[:4]) != sig || b[4] != 0 || int(b[5]) != t.typ {
			return false, errors.Errorf("%s: v2 B-tree node at %d: want %s version 0 of type %d", what, addr, sig, t.typ)
		}
		d := f.newDecoder(b, what+": v2 B-tree node")
		d.off = 6
		recs := d.bytes(nrecs * t.recSize)
		type child struct {
			addr  uint64
			nrecs int
		}
		var kids []child
		if depth > 0 {
			for i := 0; i <= nrecs; i++ {
				a := d.addr()
				n := d.uint(t.recsBytes[depth-1])
				if depth > 1 {
					d.uint(t.totalBytes[depth-1])
				}
				kids = append(kids, child{a, int(n)})
			}
		}
		if d.err != nil {
			return false, d.err
		}
		if err := checkSum(b, d.off, what+": v2 B-tree node"); err != nil {
			return false, err
		}
		for i := 0; i <= nrecs; i++ {
			if depth > 0 {
				if more, err := visit(kids[i].addr, kids[i].nrecs, depth-1); !more || err != nil {
					return false, err
				}
			}
			if i == nrecs {
				break
			}
			count++
			if count > t.total {
				return false, errors.Errorf("%s: v2 B-tree holds more records than its header's %d", what, t.total)
			}
			if more, err := fn(t.typ, recs[i*t.recSize:(i+1)*t.recSize]); !more || err != nil {
				return false, err
			}
		}
		return true, nil
	}
	_, err = visit(t.root, t.rootRecs, t.depth)
	return err
}
