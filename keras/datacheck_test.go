package keras_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

// TestDataCheckedAgainAfterItChanged: a tensor that passed the scan of
// one call and is given again is not scanned before the next call, but a
// value written into it in between is still rejected, by the batch copy,
// with the row and column of the first bad value, in Fit, Evaluate and
// Predict, for float32 and float64 data and for targets.
func TestDataCheckedAgainAfterItChanged(t *testing.T) {
	ctx := context.Background()
	x64, y64 := regression(40, 3)
	x32 := tensor.New(tensor.WithShape(40, 3), tensor.WithBacking(make([]float32, 120)))
	for i, v := range x64.Data().([]float64) {
		x32.Data().([]float32)[i] = float32(v)
	}
	type poison struct {
		name    string
		x, y    *tensor.Dense
		arg     string
		row     int
		col     int
		set     func()
		restore func()
	}
	at := func(d *tensor.Dense, i int, v float64) (func(), func()) {
		switch s := d.Data().(type) {
		case []float32:
			old := s[i]
			return func() { s[i] = float32(v) }, func() { s[i] = old }
		case []float64:
			old := s[i]
			return func() { s[i] = v }, func() { s[i] = old }
		}
		panic("dtype")
	}
	var cases []poison
	add := func(name string, x, y, target *tensor.Dense, arg string, i int, v float64) {
		set, restore := at(target, i, v)
		cases = append(cases, poison{name, x, y, arg, i / 3, i % 3, set, restore})
		if arg == "y" {
			cases[len(cases)-1].row, cases[len(cases)-1].col = i, 0
		}
	}
	add("float64 x NaN", x64, y64, x64, "x", 3*29+2, math.NaN())
	add("float64 x beyond float32", x64, y64, x64, "x", 3*7+1, 1e39)
	add("float32 x Inf", x32, y64, x32, "x", 3*33, math.Inf(-1))
	add("float64 y Inf", x64, y64, y64, "y", 17, math.Inf(1))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := regressionModel(t, 1)
			// The first calls scan the data and remember it.
			if _, err := m.Fit(ctx, c.x, c.y, keras.Verbose(0), keras.BatchSize(8)); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Predict(ctx, c.x, keras.Verbose(0)); err != nil {
				t.Fatal(err)
			}
			c.set()
			defer c.restore()
			var de *keras.DataError
			_, err := m.Fit(ctx, c.x, c.y, keras.Verbose(0), keras.BatchSize(8), keras.Shuffle(false))
			if !errors.As(err, &de) || de.Arg != c.arg || de.Row != c.row || de.Col != c.col {
				t.Fatalf("Fit after the data changed: %v, want a DataError for %s row %d col %d", err, c.arg, c.row, c.col)
			}
			if _, err = m.Evaluate(ctx, c.x, c.y, keras.Verbose(0)); !errors.As(err, &de) || de.Row != c.row || de.Col != c.col {
				t.Fatalf("Evaluate after the data changed: %v", err)
			}
			if c.arg == "x" {
				if _, err = m.Predict(ctx, c.x, keras.Verbose(0)); !errors.As(err, &de) || de.Row != c.row || de.Col != c.col {
					t.Fatalf("Predict after the data changed: %v", err)
				}
			}
			// A fresh tensor with the same bad value is refused before
			// anything runs, by the scan.
			fresh := c.x.Clone().(*tensor.Dense)
			if c.arg == "y" {
				fresh = c.y.Clone().(*tensor.Dense)
			}
			xs, ys := c.x, c.y
			if c.arg == "x" {
				xs = fresh
			} else {
				ys = fresh
			}
			before, _ := m.GetWeights()
			if _, err = m.Fit(ctx, xs, ys, keras.Verbose(0)); !errors.As(err, &de) || de.Row != c.row || de.Col != c.col {
				t.Fatalf("Fit on a fresh copy: %v", err)
			}
			after, _ := m.GetWeights()
			for i := range before {
				if !equalDense(before[i], after[i]) {
					t.Fatal("a Fit refused by the scan changed the weights")
				}
			}
		})
	}
}

func equalDense(a, b *tensor.Dense) bool {
	switch x := a.Data().(type) {
	case []float32:
		y := b.Data().([]float32)
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
	case []float64:
		y := b.Data().([]float64)
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
	}
	return true
}
