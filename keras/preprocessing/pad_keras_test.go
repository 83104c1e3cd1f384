package preprocessing_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/preprocessing"
)

// TestPadSequencesMatchesKeras goes through Keras 3's pad_sequences
// (keras/src/utils/sequence_utils.py) case by case. Its rules: the result is
// np.full((n, maxlen), value, dtype) with dtype "int32" by default; maxlen
// None is the longest length; truncating "pre" keeps s[-maxlen:], "post"
// s[:maxlen]; padding "pre" writes the kept part to x[i, -len:], "post" to
// x[i, :len]; empty sequences stay all value. The first four cases are
// the function's docstring examples.
func TestPadSequencesMatchesKeras(t *testing.T) {
	seqs := [][]int{{1}, {2, 3}, {4, 5, 6}}
	P := preprocessing.Padding
	T := preprocessing.Truncating
	for _, c := range []struct {
		name  string
		seqs  [][]int
		opts  []preprocessing.PadSequencesOption
		shape []int
		want  any
	}{
		{"docstring default", seqs, nil, []int{3, 3}, []int32{0, 0, 1, 0, 2, 3, 4, 5, 6}},
		{"docstring value -1", seqs, []preprocessing.PadSequencesOption{preprocessing.Value(-1)}, []int{3, 3}, []int32{-1, -1, 1, -1, 2, 3, 4, 5, 6}},
		{"docstring padding post", seqs, []preprocessing.PadSequencesOption{P("post")}, []int{3, 3}, []int32{1, 0, 0, 2, 3, 0, 4, 5, 6}},
		{"docstring maxlen 2", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(2)}, []int{3, 2}, []int32{0, 1, 2, 3, 5, 6}},
		{"truncating post", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(2), T("post")}, []int{3, 2}, []int32{0, 1, 2, 3, 4, 5}},
		{"padding and truncating post", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(2), P("post"), T("post")}, []int{3, 2}, []int32{1, 0, 2, 3, 4, 5}},
		{"padding post truncating pre", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(2), P("post")}, []int{3, 2}, []int32{1, 0, 2, 3, 5, 6}},
		{"maxlen above the longest", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(4)}, []int{3, 4}, []int32{0, 0, 0, 1, 0, 0, 2, 3, 0, 4, 5, 6}},
		{"maxlen 1 keeps the last", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(1)}, []int{3, 1}, []int32{1, 3, 6}},
		{"empty sequence stays value", [][]int{{}, {1, 2, 3}}, []preprocessing.PadSequencesOption{preprocessing.Value(9)}, []int{2, 3}, []int32{9, 9, 9, 1, 2, 3}},
		{"float32 fraction value", seqs, []preprocessing.PadSequencesOption{preprocessing.Dtype(tensor.Float32), preprocessing.Value(0.5)}, []int{3, 3}, []float32{0.5, 0.5, 1, 0.5, 2, 3, 4, 5, 6}},
		{"float64", [][]int{{-7}}, []preprocessing.PadSequencesOption{preprocessing.Dtype(tensor.Float64), preprocessing.MaxLen(2)}, []int{1, 2}, []float64{0, -7}},
		{"int64 beyond 2^53", [][]int{{1<<62 + 1}}, []preprocessing.PadSequencesOption{preprocessing.Dtype(tensor.Int64)}, []int{1, 1}, []int64{1<<62 + 1}},
		// np.asarray(python_ints, dtype=float32) goes through a C double, so
		// 2^54 + 2^30 + 1 rounds to 2^54 + 2^30 and then, a tie, to 2^54
		// (checked with NumPy 1.24); a direct rounding would give 2^54 + 2^31.
		{"float32 rounding as NumPy", [][]int{{1<<54 + 1<<30 + 1}}, []preprocessing.PadSequencesOption{preprocessing.Dtype(tensor.Float32)}, []int{1, 1}, []float32{1 << 54}},
	} {
		out, err := preprocessing.PadSequences(c.seqs, c.opts...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual([]int(out.Shape()), c.shape) || !reflect.DeepEqual(out.Data(), c.want) {
			t.Errorf("%s: %v %v, want %v %v", c.name, out.Shape(), out.Data(), c.shape, c.want)
		}
	}
	// Where Keras gives an empty array or NumPy casts garbage, an error.
	for _, c := range []struct {
		name string
		seqs [][]int
		opts []preprocessing.PadSequencesOption
		want string
	}{
		// Keras: maxlen=0 with truncating "pre" keeps s[-0:] (all of s) and
		// fails to broadcast it into a zero-width row; with "post" it
		// returns a (n, 0) array. A tensor cannot be empty.
		{"maxlen 0", seqs, []preprocessing.PadSequencesOption{preprocessing.MaxLen(0)}, "MaxLen(0) would give an empty tensor"},
		// np.full(..., 1e10, dtype="int32") gives -2^31 with a warning.
		{"value beyond int32", seqs, []preprocessing.PadSequencesOption{preprocessing.Value(1e10)}, "Value(1e+10) does not fit in int32"},
		{"value beyond int64", seqs, []preprocessing.PadSequencesOption{preprocessing.Value(1e19), preprocessing.Dtype(tensor.Int64)}, "Value(1e+19) does not fit in int64"},
		{"infinite value", seqs, []preprocessing.PadSequencesOption{preprocessing.Value(math.Inf(1))}, "does not fit in int32"},
		{"NaN value for ints", seqs, []preprocessing.PadSequencesOption{preprocessing.Value(math.NaN())}, "is not an integer"},
	} {
		_, err := preprocessing.PadSequences(c.seqs, c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
