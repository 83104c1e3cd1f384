package hdf5

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func u64le(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// patchAll replaces every occurrence of old in b with new (same length)
// and fails if there is none.
func patchAll(t *testing.T, b, old, new []byte) []byte {
	t.Helper()
	if !bytes.Contains(b, old) {
		t.Fatalf("pattern % x not found", old)
	}
	return bytes.ReplaceAll(b, old, new)
}

func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one containing %q", what, parts)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q, want one containing %q", what, err, p)
		}
	}
}

// TestDeclaredSizesAreBounded: datasets whose dataspace declares 2^40
// elements in a small file are errors, not allocations.
func TestDeclaredSizesAreBounded(t *testing.T) {
	for _, n := range []uint64{1 << 40, 1 << 28} {
		for _, opts := range [][]DatasetOption{nil, {Chunks(2)}, {Gzip(1)}} {
			declaredSize(t, n, opts)
		}
	}
	// An attribute declaring more elements than its message holds.
	w := NewWriter()
	must(t, w.Root().SetAttr("a", []int64{1, 2}))
	b, err := w.Bytes()
	must(t, err)
	space := append([]byte{1, 1, 1, 0, 0, 0, 0, 0}, append(u64le(2), u64le(2)...)...)
	huge := append([]byte{1, 1, 1, 0, 0, 0, 0, 0}, append(u64le(1<<40), u64le(1<<40)...)...)
	f, err := Open(patchAll(t, b, space, huge))
	must(t, err)
	_, err = f.Root().Attrs()
	wantErr(t, "huge attribute", err, "hdf5: /: attribute a", "elements")
}

func declaredSize(t *testing.T, n uint64, opts []DatasetOption) {
	t.Helper()
	{
		w := NewWriter()
		_, err := w.Root().CreateDataset("d", []int{4}, []float32{1, 2, 3, 4}, opts...)
		must(t, err)
		b, err := w.Bytes()
		must(t, err)
		// The dataspace holds the dimension twice (size and maximum).
		space := append([]byte{1, 1, 1, 0, 0, 0, 0, 0}, append(u64le(4), u64le(4)...)...)
		huge := append([]byte{1, 1, 1, 0, 0, 0, 0, 0}, append(u64le(n), u64le(n)...)...)
		b = patchAll(t, b, space, huge)
		f, err := Open(b)
		must(t, err)
		ds, err := f.Dataset("d")
		must(t, err)
		_, err = ds.Float32s()
		wantErr(t, "huge declared shape", err, "hdf5: /d: ")
	}
}

// TestCycles: a group that contains itself, a B-tree node that points to
// itself and soft links that point to each other end with an error or a
// finite walk, never a hang.
func TestCycles(t *testing.T) {
	w := NewWriter()
	a, err := w.Root().CreateGroup("a")
	must(t, err)
	_, err = a.CreateGroup("b")
	must(t, err)
	b, err := w.Bytes()
	must(t, err)
	f, err := Open(b)
	must(t, err)
	ga, err := f.Group("a")
	must(t, err)
	gb, err := f.Group("a/b")
	must(t, err)
	// Point a's entry for b at a itself: a group containing itself.
	cyc := patchAll(t, append([]byte(nil), b...), u64le(gb.Address()), u64le(ga.Address()))
	f, err = Open(cyc)
	must(t, err)
	if _, err := f.Group("a/b/b/b/b/b/b/b"); err != nil {
		t.Errorf("walking a self-containing group by path: %v", err)
	}
	n := 0
	must(t, f.Root().Walk(func(string, *Group, *Dataset) error { n++; return nil }))
	if n != 2 {
		t.Errorf("Walk visited %d objects, want 2 (/ and /a once each)", n)
	}
	// Make a's B-tree root a level-1 node whose first child is itself.
	loop := append([]byte(nil), b...)
	h, err := f.header(ga.Address(), "/a")
	must(t, err)
	st := h.find(msgSymbolTable)
	btree := binary.LittleEndian.Uint64(st.data)
	loop[btree+5] = 1
	copy(loop[btree+24+8:], u64le(btree))
	f, err = Open(loop)
	must(t, err)
	g, err := f.Group("a")
	must(t, err)
	_, err = g.Children()
	wantErr(t, "B-tree loop", err, "hdf5: /a: symbol table", "visited twice")
	// Soft links to each other and a hard-link cycle, as h5py wrote them.
	data, err := os.ReadFile(filepath.Join("testdata", "latest_extras.h5"))
	must(t, err)
	f, err = Open(data)
	must(t, err)
	_, err = f.Group("loop1")
	wantErr(t, "soft link loop", err, "more than 16 soft links")
	if _, err := f.Group("cyc/self/self/self"); err != nil {
		t.Errorf("hard-link cycle by path: %v", err)
	}
}

// TestUnsupportedErrors: types and features the reader refuses name the
// object and the problem.
func TestUnsupportedErrors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "unsupported.h5"))
	must(t, err)
	f, err := Open(data)
	must(t, err)
	root := f.Root()
	a, err := root.Attr("vlen_seq")
	must(t, err)
	_, err = a.Int64s()
	wantErr(t, "vlen sequence", err, "hdf5: /: attribute vlen_seq: unsupported datatype class 9 (variable-length sequence)")
	a, err = root.Attr("ref")
	must(t, err)
	_, err = a.Strings()
	wantErr(t, "reference", err, "hdf5: /: attribute ref: unsupported datatype class 7 (reference)")
	ds, err := f.Dataset("compound")
	must(t, err)
	_, err = ds.Float64s()
	wantErr(t, "compound", err, "hdf5: /compound: unsupported datatype class 6 (compound)")
	ds, err = f.Dataset("szip_like")
	must(t, err)
	_, err = ds.Int64s()
	wantErr(t, "scale-offset", err, "hdf5: /szip_like: chunk [0]: unsupported filter 6 (scaleoffset)")
	_, err = f.Dataset("ext")
	wantErr(t, "external link", err, `hdf5: /ext: external link to "other.h5:/x" cannot be followed`)
	kids, err := root.Children()
	must(t, err)
	kinds := map[string]LinkKind{}
	for _, l := range kids {
		kinds[l.Name] = l.Kind
	}
	if kinds["ext"] != KindExternal || kinds["g"] != KindGroup || kinds["compound"] != KindDataset {
		t.Errorf("kinds %v", kinds)
	}
	_, err = f.Dataset("g")
	wantErr(t, "group as dataset", err, "hdf5: /g: is a group, not a dataset")
	_, err = f.Group("compound")
	wantErr(t, "dataset as group", err, "hdf5: /compound: is a dataset, not a group")
	_, err = f.Group("g/missing")
	wantErr(t, "missing", err, `hdf5: /g: no link named "missing"`)
	_, err = root.Attr("missing")
	wantErr(t, "missing attribute", err, `hdf5: /: no attribute "missing"`)
	_, err = Open([]byte("not an hdf5 file at all"))
	wantErr(t, "not hdf5", err, "hdf5: not an HDF5 file")
	_, err = OpenReaderAt(nil, 0)
	wantErr(t, "nil reader", err, "hdf5: Open: nil reader")
}

// TestCorruptedFixtures flips, truncates and overwrites bytes of every
// fixture (seeded) and reads whatever still parses: errors are fine,
// panics (reported as internal errors) are not.
func TestCorruptedFixtures(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.h5"))
	for _, name := range files {
		orig, err := os.ReadFile(name)
		must(t, err)
		for i := 0; i < 60; i++ {
			b := append([]byte(nil), orig...)
			switch i % 3 {
			case 0:
				b = b[:rng.Intn(len(b))]
			case 1:
				for k := 0; k < 4; k++ {
					b[rng.Intn(len(b))] ^= byte(1 << uint(rng.Intn(8)))
				}
			case 2:
				p := rng.Intn(len(b) - 8)
				copy(b[p:], u64le(rng.Uint64()>>uint(rng.Intn(64))))
			}
			if err := readEverything(b); err != nil {
				t.Fatalf("%s, corruption %d: %v", name, i, err)
			}
		}
	}
}

// TestChecksums: a flipped bit in a checksummed structure is reported.
func TestChecksums(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "latest.h5"))
	must(t, err)
	b := append([]byte(nil), data...)
	b[20] ^= 1 // inside the version 3 superblock
	_, err = Open(b)
	wantErr(t, "superblock", err, "hdf5: superblock: checksum")
	// The superblock's own checksum is lookup3 of its first 44 bytes.
	if got, want := lookup3(data[:44], 0), binary.LittleEndian.Uint32(data[44:]); got != want {
		t.Errorf("lookup3 %#x, file says %#x", got, want)
	}
	// Jenkins's published test vectors for hashlittle.
	if h := lookup3(nil, 0); h != 0xdeadbeef {
		t.Errorf("lookup3(\"\", 0) = %#x", h)
	}
	if h := lookup3([]byte("Four score and seven years ago"), 0); h != 0x17770551 {
		t.Errorf("lookup3(Four score..., 0) = %#x", h)
	}
	if h := lookup3([]byte("Four score and seven years ago"), 1); h != 0xcd628161 {
		t.Errorf("lookup3(Four score..., 1) = %#x", h)
	}
}
