package preprocessing_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

func dense(shape []int, data any) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

func near(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func f64(t *testing.T, x *tensor.Dense) []float64 {
	t.Helper()
	switch d := x.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	}
	t.Fatalf("dtype %v", x.Dtype())
	return nil
}

func wantErr(t *testing.T, name string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "preprocessing: ") {
		t.Errorf("%s: err = %v, want one containing %q", name, err, want)
	}
}

func TestStandardScaler(t *testing.T) {
	train := dense([]int{4, 2}, []float64{1, 10, 2, 10, 3, 10, 4, 10})
	test := dense([]int{2, 2}, []float64{2.5, 11, 0, 10})
	sd := math.Sqrt(5.0 / 3) // n-1 standard deviation of 1, 2, 3, 4
	for _, c := range []struct {
		name string
		opts []preprocessing.StandardOption
		sd   float64
	}{{"default n-1", nil, sd}, {"DDOF(0)", []preprocessing.StandardOption{preprocessing.DDOF(0)}, math.Sqrt(1.25)}} {
		xs, s, err := preprocessing.Standardize(train, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !near(s.Mean, []float64{2.5, 10}) || !near(s.Scale, []float64{c.sd, 1}) {
			t.Errorf("%s: mean %v scale %v", c.name, s.Mean, s.Scale)
		}
		want := []float64{-1.5 / c.sd, 0, -0.5 / c.sd, 0, 0.5 / c.sd, 0, 1.5 / c.sd, 0}
		if got := f64(t, xs); !near(got, want) {
			t.Errorf("%s: scaled train %v, want %v", c.name, got, want)
		}
		// New data is scaled with the train statistics.
		xt, err := s.Transform(test)
		if err != nil {
			t.Fatal(err)
		}
		if got := f64(t, xt); !near(got, []float64{0, 1, -2.5 / c.sd, 0}) {
			t.Errorf("%s: scaled test %v", c.name, got)
		}
		back, err := s.InverseTransform(xt)
		if err != nil || !near(f64(t, back), f64(t, test)) {
			t.Errorf("%s: inverse %v, %v", c.name, back, err)
		}
	}
	// float32 stays float32; integers become float64; other ranks work.
	x32 := dense([]int{2, 1}, []float32{1, 3})
	if out, _, err := preprocessing.Standardize(x32); err != nil || out.Dtype() != tensor.Float32 {
		t.Errorf("float32: %v %v", out, err)
	}
	img := dense([]int{2, 2, 2}, []uint8{0, 1, 2, 3, 4, 5, 6, 7})
	out, s, err := preprocessing.Standardize(img)
	if err != nil || out.Dtype() != tensor.Float64 || !out.Shape().Eq(tensor.Shape{2, 2, 2}) || len(s.Mean) != 4 {
		t.Errorf("uint8 images: %v %v %v", out, s, err)
	}
	_, err = s.Transform(dense([]int{1, 4}, []float64{1, 2, 3, 4}))
	wantErr(t, "other sample shape", err, "samples of shape (4), the scaler was fitted on (2, 2)")
	_, err = preprocessing.FitStandard(dense([]int{1, 2}, []float64{1, 2}))
	wantErr(t, "one sample", err, "1 samples, need more than DDOF=1")
	_, err = preprocessing.FitStandard(nil)
	wantErr(t, "nil", err, "nil tensor")
	_, err = preprocessing.FitStandard(train, preprocessing.DDOF(-1))
	wantErr(t, "negative ddof", err, "DDOF(-1): want >= 0")
	_, err = preprocessing.FitStandard(train, nil)
	if !errors.Is(err, kerrors.ErrNil) {
		t.Errorf("a nil option: %v", err)
	}
	var zero *preprocessing.StandardScaler
	_, err = zero.Transform(train)
	wantErr(t, "unfitted", err, "not fitted")
}

func TestMinMaxScaler(t *testing.T) {
	train := dense([]int{3, 2}, []float64{0, 5, 5, 5, 10, 5})
	for _, c := range []struct {
		name      string
		opts      []preprocessing.MinMaxOption
		want      []float64
		wantOther []float64
	}{
		{"default [0,1]", nil, []float64{0, 0, 0.5, 0, 1, 0}, []float64{2, 0}},
		{"[-1,1]", []preprocessing.MinMaxOption{preprocessing.FeatureRange(-1, 1)}, []float64{-1, -1, 0, -1, 1, -1}, []float64{3, -1}},
	} {
		out, s, err := preprocessing.MinMax(train, c.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := f64(t, out); !near(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		other, err := s.Transform(dense([]int{1, 2}, []float64{20, 5}))
		if err != nil || !near(f64(t, other), c.wantOther) {
			t.Errorf("%s: new data %v, %v; want %v", c.name, other, err, c.wantOther)
		}
		back, err := s.InverseTransform(out)
		if err != nil || !near(f64(t, back)[:1], []float64{0}) || !near(f64(t, back)[4:5], []float64{10}) {
			t.Errorf("%s: inverse %v, %v", c.name, back, err)
		}
	}
	_, err := preprocessing.FitMinMax(train, preprocessing.FeatureRange(1, 1))
	wantErr(t, "empty range", err, "want finite low < high")
	_, err = preprocessing.FitMinMax(dense([]int{0, 2}, []float64{}))
	wantErr(t, "no rows", err, "no samples")
}

func TestRescale(t *testing.T) {
	x := dense([]int{1, 2, 2}, []uint8{0, 51, 102, 255})
	out, err := preprocessing.Rescale(x, 1.0/255)
	if err != nil || out.Dtype() != tensor.Float32 || !out.Shape().Eq(tensor.Shape{1, 2, 2}) {
		t.Fatalf("%v %v", out, err)
	}
	if got := f64(t, out); !near(got, []float64{0, 0.2, 0.4, 1}) && math.Abs(got[1]-0.2) > 1e-6 {
		t.Errorf("%v", got)
	}
	out, err = preprocessing.Rescale(x, 2, preprocessing.Dtype(tensor.Float64))
	if err != nil || out.Dtype() != tensor.Float64 || !near(f64(t, out), []float64{0, 102, 204, 510}) {
		t.Errorf("float64: %v %v", out, err)
	}
	_, err = preprocessing.Rescale(x, 2, preprocessing.Dtype(tensor.Int32))
	wantErr(t, "int dtype", err, "want float32 or float64")
}

func TestToCategorical(t *testing.T) {
	for _, c := range []struct {
		name  string
		y     *tensor.Dense
		opts  []preprocessing.ToCategoricalOption
		shape tensor.Shape
		want  []float64
	}{
		{"uint8 (N)", dense([]int{3}, []uint8{0, 2, 1}), nil, tensor.Shape{3, 3}, []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}},
		{"(N, 1) squeezed", dense([]int{2, 1}, []uint8{1, 0}), nil, tensor.Shape{2, 2}, []float64{0, 1, 1, 0}},
		{"NumClasses", dense([]int{2}, []int64{1, 0}), []preprocessing.ToCategoricalOption{preprocessing.NumClasses(4)}, tensor.Shape{2, 4}, []float64{0, 1, 0, 0, 1, 0, 0, 0}},
		{"float labels", dense([]int{2}, []float64{1, 0}), nil, tensor.Shape{2, 2}, []float64{0, 1, 1, 0}},
		{"(2, 2) labels", dense([]int{2, 2}, []int32{0, 1, 1, 0}), nil, tensor.Shape{2, 2, 2}, []float64{1, 0, 0, 1, 0, 1, 1, 0}},
	} {
		out, err := preprocessing.ToCategorical(c.y, c.opts...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if out.Dtype() != tensor.Float32 || !out.Shape().Eq(c.shape) || !near(f64(t, out), c.want) {
			t.Errorf("%s: %v %v %v", c.name, out.Dtype(), out.Shape(), out.Data())
		}
	}
	out, err := preprocessing.ToCategorical(dense([]int{1}, []uint8{1}), preprocessing.Dtype(tensor.Float64))
	if err != nil || out.Dtype() != tensor.Float64 {
		t.Errorf("Dtype(Float64): %v %v", out, err)
	}
	_, err = preprocessing.ToCategorical(dense([]int{2}, []int{3, 1}), preprocessing.NumClasses(3))
	wantErr(t, "label too big", err, "label 3 at 0, want 0-2 for NumClasses(3)")
	_, err = preprocessing.ToCategorical(dense([]int{2}, []float64{0.5, 1}))
	wantErr(t, "fraction", err, "label 0.5 at 0 is not a class index")
	_, err = preprocessing.ToCategorical(dense([]int{1}, []int{-1}))
	wantErr(t, "negative", err, "is not a class index")
	_, err = preprocessing.ToCategorical(dense([]int{1}, []int{1}), preprocessing.NumClasses(0))
	wantErr(t, "zero classes", err, "NumClasses(0): want >= 1")
}

func TestPadSequences(t *testing.T) {
	seqs := [][]int{{1}, {2, 3}, {4, 5, 6}}
	for _, c := range []struct {
		name string
		opts []preprocessing.PadSequencesOption
		cols int
		want []int32
	}{
		{"defaults", nil, 3, []int32{0, 0, 1, 0, 2, 3, 4, 5, 6}},
		{"post", []preprocessing.PadSequencesOption{preprocessing.Padding("post")}, 3, []int32{1, 0, 0, 2, 3, 0, 4, 5, 6}},
		{"maxlen 2 truncating pre", []preprocessing.PadSequencesOption{preprocessing.MaxLen(2)}, 2, []int32{0, 1, 2, 3, 5, 6}},
		{"maxlen 2 truncating post", []preprocessing.PadSequencesOption{preprocessing.MaxLen(2), preprocessing.Truncating("post")}, 2, []int32{0, 1, 2, 3, 4, 5}},
		{"value -1", []preprocessing.PadSequencesOption{preprocessing.Value(-1), preprocessing.MaxLen(4)}, 4, []int32{-1, -1, -1, 1, -1, -1, 2, 3, -1, 4, 5, 6}},
	} {
		out, err := preprocessing.PadSequences(seqs, c.opts...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !out.Shape().Eq(tensor.Shape{3, c.cols}) || !reflect.DeepEqual(out.Data(), c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, out.Shape(), out.Data(), c.want)
		}
	}
	out, err := preprocessing.PadSequences(seqs, preprocessing.Dtype(tensor.Float32), preprocessing.Value(0.5))
	if err != nil || out.Dtype() != tensor.Float32 || out.Data().([]float32)[0] != 0.5 {
		t.Errorf("float32: %v %v", out, err)
	}
	out, err = preprocessing.PadSequences([][]int{{1 << 60}}, preprocessing.Dtype(tensor.Int64))
	if err != nil || out.Data().([]int64)[0] != 1<<60 {
		t.Errorf("int64 exact: %v %v", out, err)
	}
	_, err = preprocessing.PadSequences([][]int{{1 << 40}})
	wantErr(t, "int32 overflow", err, "does not fit in int32")
	_, err = preprocessing.PadSequences(nil)
	wantErr(t, "no sequences", err, "0 sequences of length up to 0")
	_, err = preprocessing.PadSequences([][]int{{}, {}})
	wantErr(t, "only empty sequences", err, "a tensor cannot be empty")
	_, err = preprocessing.PadSequences(seqs, preprocessing.Padding("middle"))
	wantErr(t, "bad padding", err, `Padding("middle"): want "pre" or "post"`)
	_, err = preprocessing.PadSequences(seqs, preprocessing.Value(0.5))
	wantErr(t, "fractional value for ints", err, "Value(0.5) is not an integer")
}

func TestTrainTestSplitKeepsRowsAligned(t *testing.T) {
	x := dense([]int{10, 2}, func() []float64 {
		d := make([]float64, 20)
		for i := range d {
			d[i] = float64(i / 2)
		}
		return d
	}())
	y := dense([]int{10}, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	xTr, xTe, yTr, yTe, err := preprocessing.TrainTestSplit(x, y, 0.2, preprocessing.Seed(0))
	if err != nil {
		t.Fatal(err)
	}
	if !xTr.Shape().Eq(tensor.Shape{8, 2}) || !xTe.Shape().Eq(tensor.Shape{2, 2}) || yTr.Dtype() != tensor.Int64 {
		t.Fatalf("shapes %v %v", xTr.Shape(), xTe.Shape())
	}
	// NumPy's RandomState(0).permutation(10) starts 2 8: those are the test rows.
	if !reflect.DeepEqual(yTe.Data(), []int64{2, 8}) {
		t.Errorf("test rows %v, want [2 8]", yTe.Data())
	}
	for _, p := range [][2]*tensor.Dense{{xTr, yTr}, {xTe, yTe}} {
		for i, v := range p[1].Data().([]int64) {
			if got, _ := p[0].At(i, 1); got.(float64) != float64(v) {
				t.Errorf("row %d: x %v, y %v", i, got, v)
			}
		}
	}
	_, _, yTr, yTe, err = preprocessing.TrainTestSplit(x, y, 0.3, preprocessing.Shuffle(false))
	if err != nil || !reflect.DeepEqual(yTe.Data(), []int64{7, 8, 9}) || !reflect.DeepEqual(yTr.Data(), []int64{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("unshuffled: %v %v %v", yTr, yTe, err)
	}
	_, _, _, _, err = preprocessing.TrainTestSplit(x, dense([]int{3}, []int{1, 2, 3}), 0.2)
	wantErr(t, "row mismatch", err, "argument 2 has 3 rows, argument 1 has 10")
	_, _, err = preprocessing.SplitIndices(10, 0)
	wantErr(t, "test size 0", err, "want 0 < testSize < 1")
	_, _, err = preprocessing.SplitIndices(1, 0.5)
	wantErr(t, "one row", err, "leaves 0 train and 1 test rows")
	_, err = preprocessing.Permutation(-1)
	wantErr(t, "negative n", err, "want >= 0")
	_, err = preprocessing.Permutation(3, preprocessing.Seed(1<<32))
	wantErr(t, "big seed", err, "want 0 <= seed < 2^32")
}

func TestKFold(t *testing.T) {
	folds, err := preprocessing.KFold(404, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range folds {
		if len(f.Val) != 101 || f.Val[0] != 101*i || f.Val[100] != 101*i+100 || len(f.Train) != 303 {
			t.Errorf("fold %d: val %d..%d (%d rows), train %d rows", i, f.Val[0], f.Val[len(f.Val)-1], len(f.Val), len(f.Train))
		}
	}
	folds, _ = preprocessing.KFold(10, 3)
	var sizes []int
	seen := map[int]int{}
	for _, f := range folds {
		sizes = append(sizes, len(f.Val))
		for _, v := range f.Val {
			seen[v]++
		}
	}
	if !reflect.DeepEqual(sizes, []int{4, 3, 3}) || len(seen) != 10 {
		t.Errorf("sizes %v, %d distinct rows", sizes, len(seen))
	}
	a, _ := preprocessing.KFold(10, 3, preprocessing.Seed(3))
	b, _ := preprocessing.KFold(10, 3, preprocessing.Seed(3), preprocessing.Shuffle(false))
	if reflect.DeepEqual(a, b) || !reflect.DeepEqual(b, folds) {
		t.Error("Seed should shuffle and Shuffle(false) should not")
	}
	_, err = preprocessing.KFold(3, 4)
	wantErr(t, "k > n", err, "want 2 <= k <= n")
	_, err = preprocessing.KFold(3, 1)
	wantErr(t, "k = 1", err, "want 2 <= k <= n")
}

func TestShuffleTogetherAndTake(t *testing.T) {
	x := dense([]int{7, 1}, []float32{0, 1, 2, 3, 4, 5, 6})
	y := dense([]int{7}, []uint8{0, 1, 2, 3, 4, 5, 6})
	out, err := preprocessing.ShuffleTogether([]*tensor.Dense{x, y}, preprocessing.Seed(113))
	if err != nil {
		t.Fatal(err)
	}
	// RandomState(113).permutation(7) = 1 3 0 6 2 4 5.
	if !reflect.DeepEqual(out[1].Data(), []uint8{1, 3, 0, 6, 2, 4, 5}) || !reflect.DeepEqual(out[0].Data(), []float32{1, 3, 0, 6, 2, 4, 5}) {
		t.Errorf("shuffled %v %v", out[0].Data(), out[1].Data())
	}
	if !reflect.DeepEqual(y.Data(), []uint8{0, 1, 2, 3, 4, 5, 6}) {
		t.Error("input changed")
	}
	_, err = preprocessing.ShuffleTogether([]*tensor.Dense{x, dense([]int{2}, []int{1, 2})})
	wantErr(t, "mismatch", err, "argument 2 has 2 rows, argument 1 has 7")
	_, err = preprocessing.ShuffleTogether(nil)
	wantErr(t, "nothing", err, "no tensors")
	// Take works on views too: rows of a transposed tensor.
	m := dense([]int{2, 3}, []int{1, 2, 3, 4, 5, 6})
	if err := m.T(); err != nil {
		t.Fatal(err)
	}
	got, err := preprocessing.Take(m, []int{2, 0})
	if err != nil || !reflect.DeepEqual(got.Data(), []int{3, 6, 1, 4}) {
		t.Errorf("Take on a transposed view: %v %v", got, err)
	}
	_, err = preprocessing.Take(m, nil)
	wantErr(t, "no rows", err, "no rows selected")
	_, err = preprocessing.Take(m, []int{3})
	wantErr(t, "out of range", err, "row 3 out of range [0, 3)")
}

func TestRows(t *testing.T) {
	x := dense([]int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	rows, err := preprocessing.Rows64(x)
	if err != nil || !reflect.DeepEqual(rows, [][]float64{{1, 2, 3}, {4, 5, 6}}) {
		t.Fatalf("%v %v", rows, err)
	}
	rows[1][0] = 40 // a view: the tensor changes
	if v, _ := x.At(1, 0); v.(float64) != 40 {
		t.Error("Rows64 of a float64 tensor is not a view")
	}
	_ = append(rows[0], 99) // capacity is capped: no overwrite of row 1
	if v, _ := x.At(1, 0); v.(float64) != 40 {
		t.Error("appending to a row overwrote the next one")
	}
	r32, err := preprocessing.Rows32(x)
	if err != nil || !reflect.DeepEqual(r32, [][]float32{{1, 2, 3}, {40, 5, 6}}) {
		t.Errorf("Rows32 conversion: %v %v", r32, err)
	}
	col, err := preprocessing.Rows64(dense([]int{2}, []uint8{7, 8}))
	if err != nil || !reflect.DeepEqual(col, [][]float64{{7}, {8}}) {
		t.Errorf("1-D: %v %v", col, err)
	}
	_, err = preprocessing.Rows64(dense([]int{1, 1, 1}, []float64{1}))
	wantErr(t, "3-D", err, "want a 1-D or 2-D tensor")
	back, err := preprocessing.FromRows64([][]float64{{1, 2}, {3, 4}})
	if err != nil || !back.Shape().Eq(tensor.Shape{2, 2}) {
		t.Errorf("FromRows64: %v %v", back, err)
	}
	b32, err := preprocessing.FromRows32([][]float32{{1}, {2}})
	if err != nil || b32.Dtype() != tensor.Float32 {
		t.Errorf("FromRows32: %v %v", b32, err)
	}
	_, err = preprocessing.FromRows64([][]float64{{1, 2}, {3}})
	wantErr(t, "ragged", err, "row 1 has 1 values, row 0 has 2")
	_, err = preprocessing.FromRows32(nil)
	wantErr(t, "none", err, "no rows")
}

func TestCSV(t *testing.T) {
	in := "crim, zn ,medv\n0.00632,18,24\n0.02731,0,21.6\n"
	tbl, err := preprocessing.ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tbl.Header, []string{"crim", "zn", "medv"}) {
		t.Errorf("header %q", tbl.Header)
	}
	x, err := tbl.Float64("zn", "crim")
	if err != nil || !x.Shape().Eq(tensor.Shape{2, 2}) || !reflect.DeepEqual(x.Data(), []float64{18, 0.00632, 0, 0.02731}) {
		t.Errorf("columns: %v %v", x, err)
	}
	all, err := tbl.Float32()
	if err != nil || !all.Shape().Eq(tensor.Shape{2, 3}) || all.Dtype() != tensor.Float32 {
		t.Errorf("all columns: %v %v", all, err)
	}
	tbl, err = preprocessing.ReadCSV(strings.NewReader("1;2\n3;NA\n"), preprocessing.Header(false), preprocessing.Comma(';'))
	if err != nil || !reflect.DeepEqual(tbl.Header, []string{"V1", "V2"}) {
		t.Fatalf("no header: %v %v", tbl, err)
	}
	_, err = tbl.Float64("V2")
	wantErr(t, "NA", err, `row 2, column "V2": "NA" is not a number`)
	_, err = tbl.Float64("V3")
	wantErr(t, "unknown column", err, `no column "V3" (columns: V1, V2)`)
	_, err = preprocessing.ReadCSV(strings.NewReader("a,b\n1,2,3\n"))
	wantErr(t, "ragged csv", err, "wrong number of fields")
	_, err = preprocessing.ReadCSV(strings.NewReader(""))
	wantErr(t, "empty", err, "no records")
	_, err = preprocessing.ReadCSV(strings.NewReader("a"), preprocessing.Comma('"'))
	wantErr(t, "bad comma", err, "not a valid separator")
}

// BenchmarkRescaleImages rescales a Fashion-MNIST-sized uint8 tensor
// (60000x28x28) to float32, the walkthrough's first preprocessing step.
func BenchmarkRescaleImages(b *testing.B) {
	x := tensor.New(tensor.WithShape(60000, 28, 28), tensor.Of(tensor.Uint8))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := preprocessing.Rescale(x, 1.0/255); err != nil {
			b.Fatal(err)
		}
	}
}
