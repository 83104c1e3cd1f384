package hdf5

import (
	"math/rand"
	"testing"
)

// benchFile is a 4 MiB float32 dataset, contiguous or gzip+shuffle
// chunked, with seeded values.
func benchFile(b *testing.B, opts ...DatasetOption) []byte {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	v := make([]float32, 1<<20)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	w := NewWriter()
	if _, err := w.Root().CreateDataset("x", []int{1024, 1024}, v, opts...); err != nil {
		b.Fatal(err)
	}
	data, err := w.Bytes()
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchRead(b *testing.B, data []byte) {
	b.SetBytes(4 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := Open(data)
		if err != nil {
			b.Fatal(err)
		}
		ds, err := f.Dataset("x")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ds.Float32s(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadContiguous(b *testing.B) { benchRead(b, benchFile(b)) }

func BenchmarkReadGzipShuffle(b *testing.B) {
	benchRead(b, benchFile(b, Chunks(128, 1024), Gzip(4), Shuffle()))
}

func BenchmarkWriteContiguous(b *testing.B) {
	v := make([]float32, 1<<20)
	b.SetBytes(4 << 20)
	for i := 0; i < b.N; i++ {
		w := NewWriter()
		if _, err := w.Root().CreateDataset("x", []int{1024, 1024}, v); err != nil {
			b.Fatal(err)
		}
		if _, err := w.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
