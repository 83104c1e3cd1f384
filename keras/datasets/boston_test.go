package datasets_test

import (
	"bufio"
	"context"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras/datasets"
	"gorgonia.org/tensor"
)

// TestBostonHousingShipped checks the split against rows NumPy produced with
// Keras's recipe (testdata/gen_reference.py wrote testdata/boston_rows.txt).
func TestBostonHousingShipped(t *testing.T) {
	kerasHome(t, "boston_housing.npz")
	f, err := os.Open("testdata/boston_rows.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type key struct {
		seed  int64
		split float64
	}
	loaded := map[key][2]datasets.Split{}
	load := func(k key) [2]datasets.Split {
		if s, ok := loaded[k]; ok {
			return s
		}
		opts := append([]datasets.BostonHousingOption{datasets.Seed(k.seed), datasets.TestSplit(k.split)}, common[datasets.BostonHousingOption](offline...)...)
		train, test, err := datasets.BostonHousing(context.Background(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		loaded[k] = [2]datasets.Split{train, test}
		return loaded[k]
	}
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		seed, _ := strconv.ParseInt(fs[0], 10, 64)
		split, _ := strconv.ParseFloat(fs[1], 64)
		parts := load(key{seed, split})
		if fs[2] == "sums" {
			cut, _ := strconv.Atoi(fs[3])
			if got := parts[0].Len(); got != cut {
				t.Errorf("seed %d split %v: %d train rows, want %d", seed, split, got, cut)
			}
			if got := parts[0].Len() + parts[1].Len(); got != 506 {
				t.Errorf("seed %d split %v: %d rows in all, want 506", seed, split, got)
			}
			continue
		}
		part := parts[0]
		if fs[2] == "test" {
			part = parts[1]
		}
		r, _ := strconv.Atoi(fs[3])
		for c := 0; c <= 13; c++ {
			want, _ := strconv.ParseFloat(fs[4+c], 64)
			var v any
			if c < 13 {
				v, err = part.X.At(r, c)
			} else {
				v, err = part.Y.At(r)
			}
			if err != nil || v.(float64) != want {
				t.Errorf("seed %d split %v %s row %d col %d = %v (%v), want %v", seed, split, fs[2], r, c, v, err, want)
			}
		}
		rows++
	}
	if rows < 30 {
		t.Fatalf("only %d reference rows checked", rows)
	}
	def := load(key{113, 0.2})
	train, test := def[0], def[1]
	checkShape(t, "x_train", train.X, tensor.Float64, 404, 13)
	checkShape(t, "y_train", train.Y, tensor.Float64, 404)
	checkShape(t, "x_test", test.X, tensor.Float64, 102, 13)
	checkShape(t, "y_test", test.Y, tensor.Float64, 102)
	// The defaults are Keras's: the reference document's first rows.
	d1, d2, err := datasets.BostonHousing(context.Background(), common[datasets.BostonHousingOption](offline...)...)
	if err != nil {
		t.Fatal(err)
	}
	first := []float64{1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7, 3.9769, 4, 307, 21, 396.9, 18.72}
	for c, want := range first {
		if v, _ := d1.X.At(0, c); v.(float64) != want {
			t.Errorf("default x_train[0,%d] = %v, want %v", c, v, want)
		}
	}
	if v, _ := d1.Y.At(0); v.(float64) != 15.2 {
		t.Errorf("default y_train[0] = %v, want 15.2", v)
	}
	if v, _ := d2.X.At(0, 0); v.(float64) != 18.0846 {
		t.Errorf("default x_test[0,0] = %v, want 18.0846", v)
	}
	if v, _ := d2.Y.At(0); v.(float64) != 7.2 {
		t.Errorf("default y_test[0] = %v, want 7.2", v)
	}
	for _, y := range []*tensor.Dense{train.Y, test.Y} {
		for _, v := range y.Data().([]float64) {
			if v < 5 || v > 50 || math.IsNaN(v) {
				t.Fatalf("target %v outside 5-50 k$", v)
			}
		}
	}
}
