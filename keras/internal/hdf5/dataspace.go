package hdf5

import (
	"github.com/pkg/errors"
)

// parseDataspace decodes a dataspace message (spec IV.A.2.b): version 1
// (rank, flags, 5 reserved bytes; rank 0 is a scalar) or version 2 (rank,
// flags, type: 0 scalar, 1 simple, 2 null), then the dimensions and, if
// flag bit 0, the maximum dimensions.
func (f *File) parseDataspace(b []byte, what string) (shape []int, null bool, err error) {
	shape, _, null, err = f.parseDataspaceMax(b, what)
	return shape, null, err
}

func (f *File) parseDataspaceMax(b []byte, what string) (shape, maxShape []int, null bool, err error) {
	what += ": dataspace"
	d := f.newDecoder(b, what)
	version := d.u8(0)
	rank := int(d.u8(0))
	flags := d.u8(0)
	typ := uint8(1)
	switch version {
	case 1:
		d.skip(5)
		if rank == 0 {
			typ = 0
		}
	case 2:
		typ = d.u8(0)
	default:
		if d.err == nil {
			return nil, nil, false, errors.Errorf("%s: version %d", what, version)
		}
	}
	if d.err != nil {
		return nil, nil, false, d.err
	}
	if rank > MaxRank {
		return nil, nil, false, errors.Errorf("%s: rank %d exceeds %d", what, rank, MaxRank)
	}
	switch typ {
	case 0:
		return []int{}, nil, false, nil
	case 2:
		return nil, nil, true, nil
	case 1:
	default:
		return nil, nil, false, errors.Errorf("%s: unknown type %d", what, typ)
	}
	shape = make([]int, rank)
	for i := range shape {
		v := d.length()
		if v > 1<<62 {
			return nil, nil, false, errors.Errorf("%s: dimension %d of size %d", what, i, v)
		}
		shape[i] = int(v)
	}
	if flags&1 != 0 {
		maxShape = make([]int, rank)
		for i := range maxShape {
			v := d.length()
			if v == undef || v > 1<<62 {
				maxShape[i] = -1 // unlimited
			} else {
				maxShape[i] = int(v)
			}
		}
	}
	if d.err != nil {
		return nil, nil, false, d.err
	}
	return shape, maxShape, false, nil
}

// elements returns the number of elements of shape, checking that they
// and their bytes (of elemSize each) stay within MaxDataBytes.
func elements(shape []int, elemSize int, what string) (uint64, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, errors.Errorf("%s: negative dimension in %v", what, shape)
		}
		if d == 0 {
			return 0, nil
		}
		if n > MaxDataBytes/uint64(d) {
			return 0, errors.Errorf("%s: shape %v holds more than %d elements", what, shape, uint64(MaxDataBytes))
		}
		n *= uint64(d)
	}
	if elemSize > 0 && n > MaxDataBytes/uint64(elemSize) {
		return 0, errors.Errorf("%s: shape %v of %d-byte elements is larger than %d bytes", what, shape, elemSize, uint64(MaxDataBytes))
	}
	return n, nil
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
