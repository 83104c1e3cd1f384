package keras

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"

	"gorgonia.org/tensor"
)

// FuzzLoadModel feeds arbitrary bytes to the model reader: it must return
// a model or an error, never panic or run away with memory. A model it
// accepts must predict and save again. The seeds (valid files of both
// dtypes and a weights-only file) and the corpus in
// testdata/fuzz/FuzzLoadModel run in every `go test`; run
// `go test -fuzz=FuzzLoadModel ./keras` to search further.
func FuzzLoadModel(f *testing.F) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, data := savedModel(f, dt)
		f.Add(data)
		s, err := m.snapshot(kindWeights)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := s.write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := loadModel(data)
		if err != nil {
			if m != nil {
				t.Fatal("a model and an error")
			}
			return
		}
		if in := m.inSpecs[0].Shape; len(m.inSpecs) == 1 && prod(in) > 0 && prod(in) <= 1<<12 {
			x := tensor.New(tensor.WithShape(append([]int{2}, in...)...), tensor.Of(tensor.Float64))
			if _, err := m.Predict(context.Background(), x, Verbose(0)); err != nil {
				t.Fatalf("a loaded model fails to predict: %v", err)
			}
		}
		s, err := m.snapshot(kindModel)
		if err != nil {
			t.Fatalf("a loaded model fails to save: %v", err)
		}
		var buf bytes.Buffer
		if err := s.write(&buf); err != nil {
			t.Fatalf("a loaded model fails to save: %v", err)
		}
		if _, err := loadModel(buf.Bytes()); err != nil {
			t.Fatalf("a loaded model, saved again, does not load: %v", err)
		}
	})
}

// FuzzMembers replaces one member of a valid file (chosen by index) with
// arbitrary content, so the fuzzer can explore the JSON documents and
// .npy files behind the archive's checksums: loading must fail cleanly or
// give a model that works.
func FuzzMembers(f *testing.F) {
	_, good := savedModel(f, tensor.Float32)
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		f.Fatal(err)
	}
	names := make([]string, len(zr.File))
	for i, zf := range zr.File {
		names[i] = zf.Name
		f.Add(uint8(i), member(f, good, zf.Name))
	}
	f.Fuzz(func(t *testing.T, i uint8, content []byte) {
		data := rewrite(t, good, names[int(i)%len(names)], content)
		m, err := loadModel(data)
		if err != nil {
			return
		}
		if in := m.inSpecs[0].Shape; len(m.inSpecs) == 1 && prod(in) > 0 && prod(in) <= 1<<12 {
			x := tensor.New(tensor.WithShape(append([]int{2}, in...)...), tensor.Of(tensor.Float64))
			if _, err := m.Predict(context.Background(), x, Verbose(0)); err != nil {
				t.Fatalf("a loaded model fails to predict: %v", err)
			}
		}
	})
}
