package hdf5

import "encoding/binary"

// lookup3 returns Bob Jenkins's lookup3 "hashlittle" hash of b with the
// given initial value: the checksum of every version-2 HDF5 structure
// (superblock v2/v3, OHDR/OCHK, BTHD/BTIN/BTLF, FRHP/FHIB/FHDB, FAHD/FADB,
// EAHD/EAIB/EASB/EADB) with initval 0, and the hash of link and attribute
// names in the version-2 B-tree name indexes.
func lookup3(b []byte, initval uint32) uint32 {
	rot := func(x uint32, k uint) uint32 { return x<<k | x>>(32-k) }
	a := 0xdeadbeef + uint32(len(b)) + initval
	bb, c := a, a
	for len(b) > 12 {
		a += binary.LittleEndian.Uint32(b[0:])
		bb += binary.LittleEndian.Uint32(b[4:])
		c += binary.LittleEndian.Uint32(b[8:])
		// mix(a, b, c)
		a -= c
		a ^= rot(c, 4)
		c += bb
		bb -= a
		bb ^= rot(a, 6)
		a += c
		c -= bb
		c ^= rot(bb, 8)
		bb += a
		a -= c
		a ^= rot(c, 16)
		c += bb
		bb -= a
		bb ^= rot(a, 19)
		a += c
		c -= bb
		c ^= rot(bb, 4)
		bb += a
		b = b[12:]
	}
	if len(b) == 0 {
		return c
	}
	var tail [12]byte
	copy(tail[:], b)
	a += binary.LittleEndian.Uint32(tail[0:])
	bb += binary.LittleEndian.Uint32(tail[4:])
	c += binary.LittleEndian.Uint32(tail[8:])
	// final(a, b, c)
	c ^= bb
	c -= rot(bb, 14)
	a ^= c
	a -= rot(c, 11)
	bb ^= a
	bb -= rot(a, 25)
	c ^= bb
	c -= rot(bb, 16)
	a ^= c
	a -= rot(c, 4)
	bb ^= a
	bb -= rot(a, 14)
	c ^= bb
	c -= rot(bb, 24)
	return c
}
