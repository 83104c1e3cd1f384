package hdf5

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// LinkKind says what a link of a group points to.
type LinkKind int

// The kinds of links Children reports.
const (
	// KindGroup is a hard link to a group.
	KindGroup LinkKind = iota
	// KindDataset is a hard link to a dataset.
	KindDataset
	// KindDatatype is a hard link to a committed (named) datatype.
	KindDatatype
	// KindSoft is a soft link: a path, resolved when followed.
	KindSoft
	// KindExternal is a link to an object in another file; it cannot be
	// followed.
	KindExternal
)

var kindNames = [...]string{"group", "dataset", "datatype", "soft link", "external link"}

// String returns "group", "dataset", "datatype", "soft link" or
// "external link".
func (k LinkKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown link"
}

// Link is one entry of a group.
type Link struct {
	// Name is the link's name within its group.
	Name string
	// Kind is what the link points to (for a soft link, KindSoft whatever
	// its target is).
	Kind LinkKind
	// Target is a soft link's path, or an external link's "file:path".
	Target string
	// CreationOrder is the link's creation index if the group tracks
	// creation order (h5py's track_order=True), else -1.
	CreationOrder int64

	addr uint64 // object header address of a hard link
}

type object struct {
	f    *File
	addr uint64
	path string
}

// Path returns the object's absolute path as it was reached ("/" for the
// root group).
func (o *object) Path() string { return o.path }

// Address returns the file address of the object's header: two links to
// the same object (hard links) give the same address.
func (o *object) Address() uint64 { return o.addr }

func (o *object) header() (*objectHeader, error) { return o.f.header(o.addr, o.path) }

func (o *object) errorf(format string, args ...interface{}) error {
	return errors.Errorf("hdf5: %s: "+format, append([]interface{}{o.path}, args...)...)
}

// Group is an HDF5 group: a set of named links to groups and datasets.
type Group struct {
	object
	// For the root group of a version 0/1 superblock: the B-tree and
	// local heap cached in the superblock's symbol table entry.
	cached                bool
	cacheBtree, cacheHeap uint64
}

func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// Children returns the group's links in the order h5py lists them: by
// creation order if the group tracks it (track_order=True), otherwise by
// name in byte order (Keras's "vars/0", "vars/1", ... "vars/10" therefore
// come as 0, 1, 10, 2: sort numerically where order matters).
func (g *Group) Children() (links []Link, err error) {
	defer recoverTo(&err, g.path)
	raw, tracked, err := g.links()
	if err != nil {
		return nil, err
	}
	out := make([]Link, len(raw))
	copy(out, raw)
	for i := range out {
		if out[i].Kind == KindSoft || out[i].Kind == KindExternal {
			continue
		}
		k, err := g.f.kindOf(out[i].addr, joinPath(g.path, out[i].Name))
		if err != nil {
			return nil, err
		}
		out[i].Kind = k
	}
	if tracked {
		sort.SliceStable(out, func(i, j int) bool { return out[i].CreationOrder < out[j].CreationOrder })
	}
	return out, nil
}

// kindOf reads the object header at addr and says what the object is.
func (f *File) kindOf(addr uint64, path string) (LinkKind, error) {
	h, err := f.header(addr, path)
	if err != nil {
		return 0, err
	}
	switch {
	case h.find(msgLayout) != nil:
		return KindDataset, nil
	case h.find(msgSymbolTable) != nil || h.find(msgLinkInfo) != nil || h.find(msgGroupInfo) != nil || h.find(msgLink) != nil:
		return KindGroup, nil
	case h.find(msgDatatype) != nil:
		return KindDatatype, nil
	}
	if len(h.messages) == 0 {
		// An object header with no messages at all: libhdf5 treats it as
		// an (empty, old-style) group only if it has a symbol table, so
		// this is malformed.
		return 0, errors.Errorf("hdf5: %s: object header has no messages", path)
	}
	return 0, errors.Errorf("hdf5: %s: object is neither a group, a dataset nor a datatype", path)
}

// links returns the group's links sorted by name, and whether creation
// order is tracked.
func (g *Group) links() ([]Link, bool, error) {
	if c, ok := g.f.links[g.addr]; ok {
		return c.links, c.tracked, nil
	}
	links, tracked, err := g.readLinks()
	if err != nil {
		return nil, false, err
	}
	g.f.links[g.addr] = linkList{links, tracked}
	return links, tracked, nil
}

type linkList struct {
	links   []Link
	tracked bool
}

func (g *Group) readLinks() ([]Link, bool, error) {
	h, err := g.header()
	if err != nil {
		return nil, false, err
	}
	var links []Link
	tracked := false
	if m := h.find(msgSymbolTable); m != nil || (g.cached && h.find(msgLinkInfo) == nil && h.find(msgLink) == nil) {
		btree, heap := g.cacheBtree, g.cacheHeap
		if m != nil {
			d := g.f.newDecoder(m.data, "hdf5: "+g.path+": symbol table message")
			btree, heap = d.addr(), d.addr()
			if d.err != nil {
				return nil, false, d.err
			}
		}
		links, err = g.symbolTableLinks(btree, heap)
		if err != nil {
			return nil, false, err
		}
	} else {
		var li *linkInfo
		if m := h.find(msgLinkInfo); m != nil {
			li, err = g.f.parseLinkInfo(m.data, g.path)
			if err != nil {
				return nil, false, err
			}
			tracked = li.tracked
		}
		if li != nil && li.heap != undef {
			links, err = g.denseLinks(li)
			if err != nil {
				return nil, false, err
			}
		} else {
			for i := range h.messages {
				if h.messages[i].typ != msgLink {
					continue
				}
				l, err := g.f.parseLink(h.messages[i].data, g.path)
				if err != nil {
					return nil, false, err
				}
				links = append(links, l)
				if len(links) > MaxLinks {
					return nil, false, g.errorf("more than %d links", MaxLinks)
				}
			}
		}
	}
	sort.SliceStable(links, func(i, j int) bool { return links[i].Name < links[j].Name })
	for i := 1; i < len(links); i++ {
		if links[i].Name == links[i-1].Name {
			return nil, false, g.errorf("two links named %q", links[i].Name)
		}
	}
	return links, tracked, nil
}

func (g *Group) symbolTableLinks(btree, heapAddr uint64) ([]Link, error) {
	what := "hdf5: " + g.path + ": symbol table"
	heap, err := g.f.localHeap(heapAddr, what)
	if err != nil {
		return nil, err
	}
	var links []Link
	entrySize := 2*g.f.offSize + 8 + 16
	err = g.f.walkBtree1(btree, 0, g.f.lenSize, what, func(e btree1Entry) error {
		hdr, err := g.f.readAt(e.child, 8, what+": symbol table node")
		if err != nil {
			return err
		}
		if string(hdr[:4]) != "SNOD" || hdr[4] != 1 {
			return errors.Errorf("%s: symbol table node at %d has no SNOD signature (version 1)", what, e.child)
		}
		n := uint64(binary.LittleEndian.Uint16(hdr[6:]))
		body, err := g.f.readAt(e.child+8, n*uint64(entrySize), what+": symbol table node")
		if err != nil {
			return err
		}
		for i := 0; i < int(n); i++ {
			d := g.f.newDecoder(body[i*entrySize:(i+1)*entrySize], what+": symbol table entry")
			nameOff := d.uint(g.f.offSize)
			addr := d.addr()
			cache := d.u32()
			d.skip(4)
			scratch := d.bytes(16)
			if d.err != nil {
				return d.err
			}
			name, err := heapString(heap, nameOff, what)
			if err != nil {
				return err
			}
			l := Link{Name: name, Kind: KindGroup, CreationOrder: -1, addr: addr}
			if cache == 2 {
				off := uint64(binary.LittleEndian.Uint32(scratch))
				target, err := heapString(heap, off, what+": soft link "+name)
				if err != nil {
					return err
				}
				l.Kind, l.Target = KindSoft, target
			}
			links = append(links, l)
			if len(links) > MaxLinks {
				return errors.Errorf("%s: more than %d links", what, MaxLinks)
			}
		}
		return nil
	})
	return links, err
}

type linkInfo struct {
	tracked   bool
	heap      uint64
	nameIndex uint64
}

// parseLinkInfo decodes a link info message: version 0, flags, max
// creation index (8, if tracked), fractal heap address, name index v2
// B-tree address, creation order index address (if indexed).
func (f *File) parseLinkInfo(b []byte, path string) (*linkInfo, error) {
	d := f.newDecoder(b, "hdf5: "+path+": link info message")
	if v := d.u8(0); v != 0 && d.err == nil {
		return nil, errors.Errorf("hdf5: %s: link info message version %d", path, v)
	}
	flags := d.u8(0)
	li := &linkInfo{tracked: flags&1 != 0}
	if li.tracked {
		d.skip(8)
	}
	li.heap = d.addr()
	li.nameIndex = d.addr()
	return li, d.err
}

// parseLink decodes a link message (spec IV.A.2.g).
func (f *File) parseLink(b []byte, path string) (Link, error) {
	what := "hdf5: " + path + ": link message"
	d := f.newDecoder(b, what)
	l := Link{CreationOrder: -1}
	if v := d.u8(0); v != 1 && d.err == nil {
		return l, errors.Errorf("%s: version %d", what, v)
	}
	flags := d.u8(0)
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = d.u8(0)
	}
	if flags&0x04 != 0 {
		l.CreationOrder = int64(d.u64())
	}
	if flags&0x10 != 0 {
		d.u8(0) // character set of the name
	}
	n := d.uint(1 << (flags & 3))
	if n == 0 || n > uint64(d.remaining()) {
		if d.err == nil {
			return l, errors.Errorf("%s: name of %d bytes in a %d-byte message", what, n, len(b))
		}
		return l, d.err
	}
	l.Name = string(d.bytes(int(n)))
	switch typ {
	case 0:
		l.Kind = KindGroup
		l.addr = d.addr()
	case 1:
		m := int(d.u16())
		l.Kind, l.Target = KindSoft, string(d.bytes(m))
	case 64:
		m := int(d.u16())
		v := d.bytes(m)
		l.Kind = KindExternal
		if len(v) > 1 {
			parts := bytes.SplitN(v[1:], []byte{0}, 3)
			if len(parts) >= 2 {
				l.Target = string(parts[0]) + ":" + string(parts[1])
			}
		}
	default:
		return l, errors.Errorf("%s: link %q has unsupported type %d", what, l.Name, typ)
	}
	if d.err != nil {
		return l, d.err
	}
	if strings.ContainsRune(l.Name, '/') || l.Name == "." {
		return l, errors.Errorf("%s: invalid link name %q", what, l.Name)
	}
	return l, nil
}

// denseLinks reads the links stored in a fractal heap, indexed by name in
// a v2 B-tree of record type 5 (hash of the name (4), heap ID).
func (g *Group) denseLinks(li *linkInfo) ([]Link, error) {
	what := "hdf5: " + g.path + ": dense links"
	heap, err := g.f.fractalHeap(li.heap, what)
	if err != nil {
		return nil, err
	}
	var links []Link
	err = g.f.walkBtree2(li.nameIndex, what, func(typ int, rec []byte) (bool, error) {
		if typ != 5 {
			return false, errors.Errorf("%s: name index of record type %d, want 5", what, typ)
		}
		if len(rec) != 4+heap.idLen {
			return false, errors.Errorf("%s: name index records of %d bytes, heap IDs are %d", what, len(rec), heap.idLen)
		}
		obj, err := g.f.heapObject(heap, rec[4:], what)
		if err != nil {
			return false, err
		}
		l, err := g.f.parseLink(obj, g.path)
		if err != nil {
			return false, err
		}
		if h := lookup3([]byte(l.Name), 0); h != binary.LittleEndian.Uint32(rec) {
			return false, errors.Errorf("%s: link %q is filed under hash %#08x, its name hashes to %#08x",
				what, l.Name, binary.LittleEndian.Uint32(rec), h)
		}
		links = append(links, l)
		if len(links) > MaxLinks {
			return false, errors.Errorf("%s: more than %d links", what, MaxLinks)
		}
		return true, nil
	})
	return links, err
}

// lookup finds the link named name in g.
func (g *Group) lookup(name string) (Link, error) {
	links, _, err := g.links()
	if err != nil {
		return Link{}, err
	}
	i := sort.Search(len(links), func(i int) bool { return links[i].Name >= name })
	if i == len(links) || links[i].Name != name {
		return Link{}, g.errorf("no link named %q", name)
	}
	return links[i], nil
}

// resolve follows path from g and returns the object's header address and
// absolute path. Soft links are followed (at most MaxSoftLinkHops per
// call); external links are refused.
func (g *Group) resolve(path string, hops *int) (uint64, string, error) {
	cur := g
	if strings.HasPrefix(path, "/") {
		cur = g.f.root
	}
	parts := strings.Split(path, "/")
	// Drop empty components (leading, trailing or doubled slashes) and ".".
	var comps []string
	for _, p := range parts {
		if p != "" && p != "." {
			comps = append(comps, p)
		}
	}
	if len(comps) == 0 {
		return cur.addr, cur.path, nil
	}
	addr, curPath := cur.addr, cur.path
	for i, name := range comps {
		grp := &Group{object: object{f: g.f, addr: addr, path: curPath}}
		if addr == g.f.root.addr {
			grp = g.f.root
		}
		if i > 0 {
			k, err := g.f.kindOf(addr, curPath)
			if err != nil {
				return 0, "", err
			}
			if k != KindGroup {
				return 0, "", errors.Errorf("hdf5: %s: is a %s, not a group", curPath, k)
			}
		}
		l, err := grp.lookup(name)
		if err != nil {
			return 0, "", err
		}
		next := joinPath(curPath, name)
		switch l.Kind {
		case KindSoft:
			*hops++
			if *hops > MaxSoftLinkHops {
				return 0, "", errors.Errorf("hdf5: %s: more than %d soft links to follow (a loop?)", next, MaxSoftLinkHops)
			}
			a, _, err := grp.resolve(l.Target, hops)
			if err != nil {
				return 0, "", errors.Wrapf(err, "hdf5: %s: soft link to %q", next, l.Target)
			}
			addr = a
		case KindExternal:
			return 0, "", errors.Errorf("hdf5: %s: external link to %q cannot be followed", next, l.Target)
		default:
			addr = l.addr
		}
		curPath = next
	}
	return addr, curPath, nil
}

// Group returns the group at path, relative to g (or absolute if it starts
// with "/"), such as "model_weights/dense" or "layers/dense/vars".
func (g *Group) Group(path string) (grp *Group, err error) {
	defer recoverTo(&err, g.path)
	hops := 0
	addr, p, err := g.resolve(path, &hops)
	if err != nil {
		return nil, err
	}
	if addr == g.f.root.addr {
		return g.f.root, nil
	}
	k, err := g.f.kindOf(addr, p)
	if err != nil {
		return nil, err
	}
	if k != KindGroup {
		return nil, errors.Errorf("hdf5: %s: is a %s, not a group", p, k)
	}
	return &Group{object: object{f: g.f, addr: addr, path: p}}, nil
}

// Dataset returns the dataset at path, relative to g (or absolute if it
// starts with "/"), such as "dense/kernel:0" or "vars/0".
func (g *Group) Dataset(path string) (ds *Dataset, err error) {
	defer recoverTo(&err, g.path)
	hops := 0
	addr, p, err := g.resolve(path, &hops)
	if err != nil {
		return nil, err
	}
	k, err := g.f.kindOf(addr, p)
	if err != nil {
		return nil, err
	}
	if k != KindDataset {
		return nil, errors.Errorf("hdf5: %s: is a %s, not a dataset", p, k)
	}
	return g.f.openDataset(addr, p)
}

// Walk calls fn for g and every group and dataset below it, depth first in
// Children order, each object once (a second hard link to an object
// already visited, and soft and external links, are skipped, so a group
// that links to itself cannot loop). Exactly one of grp and ds is non-nil.
// Walk stops at the first error from fn or from reading the file.
func (g *Group) Walk(fn func(path string, grp *Group, ds *Dataset) error) (err error) {
	defer recoverTo(&err, g.path)
	seen := map[uint64]bool{}
	var visit func(grp *Group, depth int) error
	visit = func(grp *Group, depth int) error {
		if depth > 1<<12 {
			return grp.errorf("groups nest deeper than %d", 1<<12)
		}
		seen[grp.addr] = true
		if err := fn(grp.path, grp, nil); err != nil {
			return err
		}
		kids, err := grp.Children()
		if err != nil {
			return err
		}
		for _, l := range kids {
			if seen[l.addr] || l.Kind == KindSoft || l.Kind == KindExternal || l.Kind == KindDatatype {
				continue
			}
			p := joinPath(grp.path, l.Name)
			if l.Kind == KindGroup {
				if err := visit(&Group{object: object{f: g.f, addr: l.addr, path: p}}, depth+1); err != nil {
					return err
				}
				continue
			}
			seen[l.addr] = true
			ds, err := g.f.openDataset(l.addr, p)
			if err != nil {
				return err
			}
			if err := fn(p, nil, ds); err != nil {
				return err
			}
		}
		return nil
	}
	return visit(g, 0)
}
