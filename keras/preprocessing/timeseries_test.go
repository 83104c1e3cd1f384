package preprocessing_test

import (
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/preprocessing"
)

func series[T int | int32 | float64 | float32 | uint8](n int, f func(i int) T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// TestTimeseriesWindowsTable checks windows against a table computed by hand
// from timeseries_dataset_from_array's rules (timeseries_dataset_utils.py):
// num_seqs = end - start - (L-1)*rate, min'd with len(targets); start
// positions range(0, num_seqs, stride); window p holds steps start + p +
// j*rate; its target is targets[start + p].
func TestTimeseriesWindowsTable(t *testing.T) {
	// data[t] = (t, 10t), targets[t] = 100 + t, 10 steps.
	data := tensor.New(tensor.WithShape(10, 2), tensor.WithBacking(series(20, func(i int) int32 { return int32((i / 2) * []int{1, 10}[i%2]) })))
	targets := tensor.New(tensor.WithShape(10), tensor.WithBacking(series(10, func(i int) float64 { return float64(100 + i) })))
	for _, c := range []struct {
		name    string
		L       int
		opts    []preprocessing.TimeseriesOption
		targets *tensor.Dense
		starts  []int // the first step of each window
		steps   []int // the steps of each window, flattened
		wantT   []float64
	}{
		// num_seqs = 10 - 2 = 8: starts 0..7.
		{"defaults", 3, nil, targets, []int{0, 1, 2, 3, 4, 5, 6, 7},
			[]int{0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7, 6, 7, 8, 7, 8, 9}, []float64{100, 101, 102, 103, 104, 105, 106, 107}},
		// start 1, end 9: num_seqs = 8 - 2*2 = 4, stride 2: positions 0, 2.
		{"stride rate start end", 3, []preprocessing.TimeseriesOption{preprocessing.SequenceStride(2), preprocessing.SamplingRate(2), preprocessing.StartIndex(1), preprocessing.EndIndex(9)}, targets,
			[]int{1, 3}, []int{1, 3, 5, 3, 5, 7}, []float64{101, 103}},
		// Short targets cap num_seqs: min(8, 3) = 3.
		{"short targets", 3, nil, tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{7, 8, 9})),
			[]int{0, 1, 2}, []int{0, 1, 2, 1, 2, 3, 2, 3, 4}, []float64{7, 8, 9}},
		// No targets; one window of the whole series at stride 9.
		{"one window", 10, []preprocessing.TimeseriesOption{preprocessing.SequenceStride(9)}, nil, []int{0}, series(10, func(i int) int { return i }), nil},
		// Shuffled: NumPy's RandomState(42).permutation(4) is [1 3 0 2], so
		// the positions 0 1 2 3 come out as 1 3 0 2.
		{"shuffled", 7, []preprocessing.TimeseriesOption{preprocessing.Shuffling(true), preprocessing.ShuffleSeed(42)}, targets,
			[]int{1, 3, 0, 2}, nil, []float64{101, 103, 100, 102}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, tg, err := preprocessing.TimeseriesDatasetFromArray(data, c.targets, c.L, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(w.Shape(), tensor.Shape{len(c.starts), c.L, 2}) || w.Dtype() != tensor.Int32 {
				t.Fatalf("windows %v %v", w.Shape(), w.Dtype())
			}
			steps := c.steps
			if steps == nil {
				for _, s := range c.starts {
					for j := 0; j < c.L; j++ {
						steps = append(steps, s+j)
					}
				}
			}
			var want []int32
			for _, s := range steps {
				want = append(want, int32(s), int32(10*s))
			}
			if !reflect.DeepEqual(w.Data(), want) {
				t.Errorf("windows\n%v\nwant\n%v", w.Data(), want)
			}
			if c.targets == nil {
				if tg != nil {
					t.Error("targets without targets")
				}
				return
			}
			if !reflect.DeepEqual(tg.Shape(), tensor.Shape{len(c.starts)}) || !reflect.DeepEqual(tg.Data(), c.wantT) {
				t.Errorf("targets %v %v, want %v", tg.Shape(), tg.Data(), c.wantT)
			}
		})
	}
}

// TestTimeseriesKerasExamples repeats the examples of Keras's docstring.
func TestTimeseriesKerasExamples(t *testing.T) {
	// Example 1: steps 0..98, L 10, rate 2, stride 3: first [0 2 ... 18],
	// second [3 5 ... 21], last [78 80 ... 96]; 27 windows.
	data := tensor.New(tensor.WithShape(99), tensor.WithBacking(series(99, func(i int) float32 { return float32(i) })))
	w, _, err := preprocessing.TimeseriesDatasetFromArray(data, nil, 10, preprocessing.SamplingRate(2), preprocessing.SequenceStride(3))
	if err != nil {
		t.Fatal(err)
	}
	d := w.Data().([]float32)
	if !reflect.DeepEqual(w.Shape(), tensor.Shape{27, 10}) || d[0] != 0 || d[9] != 18 || d[10] != 3 || d[19] != 21 || d[260] != 78 || d[269] != 96 {
		t.Errorf("example 1: %v %v", w.Shape(), d)
	}
	// Example 2: predict the next step: inputs data[:-10], targets data[10:].
	full := series(30, func(i int) float64 { return float64(i * i) })
	x := tensor.New(tensor.WithShape(20), tensor.WithBacking(full[:20]))
	y := tensor.New(tensor.WithShape(20), tensor.WithBacking(full[10:]))
	w, tg, err := preprocessing.TimeseriesDatasetFromArray(x, y, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Data().([]float64)[:10], full[:10]) || tg.Data().([]float64)[0] != full[10] || tg.Shape()[0] != 11 {
		t.Errorf("example 2: %v / %v", w.Data(), tg.Data())
	}
	// Multi-axis data and targets keep their trailing axes and dtypes.
	img := tensor.New(tensor.WithShape(5, 2, 3), tensor.WithBacking(series(30, func(i int) uint8 { return uint8(i) })))
	lab := tensor.New(tensor.WithShape(5, 2), tensor.WithBacking([]int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}))
	w, tg, err = preprocessing.TimeseriesDatasetFromArray(img, lab, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Shape(), tensor.Shape{2, 4, 2, 3}) || w.Dtype() != tensor.Uint8 || w.Data().([]uint8)[24] != 6 ||
		!reflect.DeepEqual(tg.Shape(), tensor.Shape{2, 2}) || !reflect.DeepEqual(tg.Data(), []int64{0, 1, 2, 3}) {
		t.Errorf("multi-axis: %v %v %v %v", w.Shape(), w.Dtype(), tg.Shape(), tg.Data())
	}
	// A transposed view is read in its logical order.
	m := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{0, 1, 2, 3, 10, 11, 12, 13}))
	if err := m.T(); err != nil {
		t.Fatal(err)
	}
	w, _, err = preprocessing.TimeseriesDatasetFromArray(m, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w.Data(), []float64{0, 10, 1, 11, 2, 12, 1, 11, 2, 12, 3, 13}) {
		t.Errorf("transposed view: %v", w.Data())
	}
}

func TestTimeseriesErrors(t *testing.T) {
	data := tensor.New(tensor.WithShape(10), tensor.WithBacking(series(10, func(i int) float64 { return float64(i) })))
	for _, c := range []struct {
		name    string
		data    *tensor.Dense
		targets *tensor.Dense
		L       int
		opts    []preprocessing.TimeseriesOption
		want    string
	}{
		{"too long", data, nil, 11, nil, "a window of 11 steps at sampling rate 1 spans more than the 10 steps in [0, 10)"},
		{"too long with rate", data, nil, 5, []preprocessing.TimeseriesOption{preprocessing.SamplingRate(3)}, "a window of 5 steps at sampling rate 3"},
		{"too long after start", data, nil, 8, []preprocessing.TimeseriesOption{preprocessing.StartIndex(4)}, "spans more than the 6 steps in [4, 10)"},
		{"zero length", data, nil, 0, nil, "sequenceLength 0, want >= 1"},
		{"stride 0", data, nil, 2, []preprocessing.TimeseriesOption{preprocessing.SequenceStride(0)}, "SequenceStride(0): want >= 1"},
		{"rate -1", data, nil, 2, []preprocessing.TimeseriesOption{preprocessing.SamplingRate(-1)}, "SamplingRate(-1)"},
		{"stride too large", data, nil, 2, []preprocessing.TimeseriesOption{preprocessing.SequenceStride(10)}, "SequenceStride(10) must be below the 10 time steps"},
		{"rate too large", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.SamplingRate(10)}, "SamplingRate(10) must be below"},
		{"start too large", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.StartIndex(10)}, "StartIndex(10) must be below the 10 time steps"},
		{"negative start", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.StartIndex(-1)}, "StartIndex(-1): want >= 0"},
		{"end before start", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.StartIndex(5), preprocessing.EndIndex(5)}, "EndIndex(5) must be above StartIndex(5)"},
		{"end too large", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.EndIndex(11)}, "EndIndex(11) is beyond the 10 time steps"},
		{"end zero", data, nil, 1, []preprocessing.TimeseriesOption{preprocessing.EndIndex(0)}, "EndIndex(0): want >= 1"},
		{"targets too short for the start", data, tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 2, 3, 4})), 2, []preprocessing.TimeseriesOption{preprocessing.StartIndex(3)}, "targets has 4 steps, but the window starting at step 6 needs targets[6]"},
		{"nil data", nil, nil, 1, nil, "data is nil"},
		{"scalar data", tensor.New(tensor.FromScalar(1.0)), nil, 1, nil, "data: scalar"},
		{"seed", data, nil, 2, []preprocessing.TimeseriesOption{preprocessing.ShuffleSeed(1 << 40)}, "ShuffleSeed(1099511627776)"},
		{"nil option", data, nil, 2, []preprocessing.TimeseriesOption{nil}, "option 0 is nil"},
	} {
		_, _, err := preprocessing.TimeseriesDatasetFromArray(c.data, c.targets, c.L, c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "preprocessing: TimeseriesDatasetFromArray: ") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// 2^17 steps, windows of 2^16: 65537 windows x 65536 steps = 2^32 + 2^16
	// values, over the 2^31 limit; refused before anything is allocated.
	long := tensor.New(tensor.WithShape(1<<17), tensor.WithBacking(make([]float32, 1<<17)))
	_, _, err := preprocessing.TimeseriesDatasetFromArray(long, nil, 1<<16)
	if err == nil || !strings.Contains(err.Error(), "65537 x 65536 values, more than the limit of 2147483648") {
		t.Errorf("size limit: %v", err)
	}
}
