package datasets

import (
	"bytes"
	"io"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// CIFAR-10 binary record layout: one label byte, then a 32x32 image as 1024
// red, 1024 green and 1024 blue bytes, rows top to bottom.
const (
	cifarSide   = 32
	cifarPlane  = cifarSide * cifarSide
	cifarRecord = 1 + 3*cifarPlane
	// cifarMaxRecords bounds a batch; the real ones hold 10000 records.
	cifarMaxRecords = 1 << 20
)

// ReadCIFAR10 decodes one CIFAR-10 binary batch (data_batch_1.bin ...
// test_batch.bin from cifar-10-binary.tar.gz): a sequence of 3073-byte
// records, a label byte 0-9 and 3072 channel-planar pixels. It returns x,
// uint8 of shape (N, 32, 32, 3) in channels-last order, and y, uint8 of shape
// (N, 1), as Keras returns CIFAR-10. A length that is not a whole number of
// records, an empty batch or a label above 9 is an error.
func ReadCIFAR10(r io.Reader) (x, y *tensor.Dense, err error) {
	defer recoverError(&err, "cifar10")
	x, y, err = readCIFAR10(r)
	if err != nil {
		return nil, nil, errors.WithMessage(err, "datasets: cifar10")
	}
	return x, y, nil
}

// readCIFAR10 is ReadCIFAR10 without the package prefix on errors.
func readCIFAR10(r io.Reader) (x, y *tensor.Dense, err error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, cifarMaxRecords*cifarRecord+1))
	if err != nil {
		return nil, nil, errors.Wrapf(err, "read after %d bytes", n)
	}
	if n > cifarMaxRecords*cifarRecord {
		return nil, nil, errors.Errorf("more than %d records", cifarMaxRecords)
	}
	if n == 0 {
		return nil, nil, errors.New("empty batch")
	}
	if n%cifarRecord != 0 {
		return nil, nil, errors.Errorf("%d bytes is not a whole number of %d-byte records (truncated?)", n, cifarRecord)
	}
	raw := buf.Bytes()
	records := int(n / cifarRecord)
	pixels := make([]uint8, records*3*cifarPlane)
	labels := make([]uint8, records)
	for i := 0; i < records; i++ {
		rec := raw[i*cifarRecord : (i+1)*cifarRecord]
		if rec[0] > 9 {
			return nil, nil, errors.Errorf("record %d has label %d, want 0-9", i, rec[0])
		}
		labels[i] = rec[0]
		img := pixels[i*3*cifarPlane:]
		for c := 0; c < 3; c++ {
			plane := rec[1+c*cifarPlane : 1+(c+1)*cifarPlane]
			for p, v := range plane {
				img[3*p+c] = v
			}
		}
	}
	x = tensor.New(tensor.WithShape(records, cifarSide, cifarSide, 3), tensor.WithBacking(pixels))
	y = tensor.New(tensor.WithShape(records, 1), tensor.WithBacking(labels))
	return x, y, nil
}
