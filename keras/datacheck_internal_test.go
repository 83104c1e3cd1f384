package keras

import (
	"context"
	"math"
	"runtime"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/layers"
)

func floatColumns(n int) columns {
	return columns{data: make([]float32, n*3), n: n, width: 3, shape: []int{3}}
}

// TestCheckCache: a scanned array is remembered for its range and limit,
// a range or a stricter limit it did not cover is not, another array with
// the same contents is not, the cache stays bounded, and arrays that were
// freed leave it.
func TestCheckCache(t *testing.T) {
	var cc checkCache
	a := floatColumns(10)
	if err := a.checkFinite("x", tensor.Float32, &cc); err != nil {
		t.Fatal(err)
	}
	ka, _ := keyOf(a, math.MaxFloat64)
	if !cc.has(ka) {
		t.Fatal("a scanned array is not remembered")
	}
	if part := a.rows(2, 5); !cc.has(mustKey(part, math.MaxFloat64)) {
		t.Error("rows of a scanned array are not covered")
	}
	if cc.has(mustKey(a, math.MaxFloat32)) {
		t.Error("a scan against float64's range covers float32's")
	}
	b := floatColumns(10)
	if cc.has(mustKey(b, math.MaxFloat64)) {
		t.Error("another array with the same contents counts as scanned")
	}
	keep := []columns{a}
	for i := 0; i < 2*maxChecked; i++ {
		c := floatColumns(4)
		keep = append(keep, c)
		cc.add(mustKey(c, math.MaxFloat64))
	}
	if len(cc.keys) > maxChecked {
		t.Fatalf("the cache holds %d arrays, more than %d", len(cc.keys), maxChecked)
	}
	runtime.KeepAlive(keep)
	keep = nil
	runtime.GC()
	runtime.GC()
	cc.add(mustKey(floatColumns(2), math.MaxFloat64))
	if len(cc.keys) != 1 {
		t.Errorf("after the arrays were freed the cache holds %d of them", len(cc.keys)-1)
	}
}

func mustKey(c columns, limit float64) checkKey {
	k, ok := keyOf(c, limit)
	if !ok {
		panic("not float data")
	}
	return k
}

// TestFitRemembersItsData: after Fit, the model has the training data in
// its cache, so a second Fit on the same tensor does not scan it again.
func TestFitRemembersItsData(t *testing.T) {
	x := tensor.New(tensor.WithShape(8, 3), tensor.WithBacking(make([]float64, 24)))
	y := tensor.New(tensor.WithShape(8), tensor.WithBacking(make([]float64, 8)))
	m := Sequential(layers.Dense(1, layers.InputShape(3)))
	if err := m.Compile(Loss("mse"), Optimizer("sgd")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fit(context.Background(), x, y, Verbose(0)); err != nil {
		t.Fatal(err)
	}
	c, err := asColumns("x", x)
	if err != nil {
		t.Fatal(err)
	}
	if !m.checked.has(mustKey(c, math.MaxFloat32)) {
		t.Error("Fit did not remember the data it scanned")
	}
}
