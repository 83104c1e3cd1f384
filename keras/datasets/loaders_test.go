package datasets_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/datasets"
	"github.com/gokeras/gokeras/keras/internal/compilecheck"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// reference holds testdata/sequences_expected.json, written by
// testdata/gen_reference.py from Keras's rules.
type reference struct {
	Opts struct {
		Seed      int64    `json:"seed"`
		NumWords  int      `json:"num_words"`
		SkipTop   int      `json:"skip_top"`
		MaxLen    int      `json:"maxlen"`
		StartChar *int     `json:"start_char"`
		OOVChar   *int     `json:"oov_char"`
		IndexFrom int      `json:"index_from"`
		TestSplit *float64 `json:"test_split"`
	} `json:"opts"`
	Error  bool    `json:"error"`
	TrainX [][]int `json:"train_x"`
	TrainY []int   `json:"train_y"`
	TestX  [][]int `json:"test_x"`
	TestY  []int   `json:"test_y"`
}

// refOptions returns the reference's options as options of the loader
// whose option type is O (IMDB, or Reuters with withSplit).
func refOptions[O any](r reference, withSplit bool) []O {
	o := r.Opts
	opts := []any{datasets.Seed(o.Seed), datasets.NumWords(o.NumWords), datasets.SkipTop(o.SkipTop),
		datasets.MaxLen(o.MaxLen), datasets.IndexFrom(o.IndexFrom), datasets.StartChar(-1), datasets.OOVChar(-1)}
	if o.StartChar != nil {
		opts = append(opts, datasets.StartChar(*o.StartChar))
	}
	if o.OOVChar != nil {
		opts = append(opts, datasets.OOVChar(*o.OOVChar))
	}
	if withSplit && o.TestSplit != nil {
		opts = append(opts, datasets.TestSplit(*o.TestSplit))
	}
	out := make([]O, len(opts))
	for i, o := range opts {
		out[i] = o.(O)
	}
	return out
}

func loadReference(t *testing.T) map[string][]reference {
	t.Helper()
	b, err := os.ReadFile("testdata/sequences_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string][]reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

func emptyNil(x [][]int) [][]int {
	out := make([][]int, len(x))
	for i, s := range x {
		if len(s) == 0 {
			s = nil
		}
		out[i] = s
	}
	return out
}

func sameSequences(t *testing.T, name string, got datasets.Sequences, wantX [][]int, wantY []int) {
	t.Helper()
	if !reflect.DeepEqual(emptyNil(got.X), emptyNil(wantX)) {
		t.Errorf("%s: X differs from the reference\n got %v\nwant %v", name, got.X, wantX)
	}
	if !reflect.DeepEqual(got.Y, wantY) {
		t.Errorf("%s: Y = %v, want %v", name, got.Y, wantY)
	}
}

func TestIMDBMatchesKerasRules(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "imdb.npz"), imdbNPZ(t))
	cases := loadReference(t)["imdb"]
	if len(cases) < 8 {
		t.Fatalf("%d reference cases", len(cases))
	}
	for i, c := range cases {
		opts := append(refOptions[datasets.IMDBOption](c, false), datasets.Dir(dir), datasets.Download(false))
		train, test, err := datasets.IMDB(context.Background(), opts...)
		if c.Error {
			if err == nil || !strings.Contains(err.Error(), "no sequence was kept") {
				t.Errorf("case %d %+v: err = %v, want the MaxLen error", i, c.Opts, err)
			}
			if train.Len() != 0 || test.Len() != 0 {
				t.Errorf("case %d: data returned with the error", i)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d %+v: %v", i, c.Opts, err)
		}
		sameSequences(t, "train", train, c.TrainX, c.TrainY)
		sameSequences(t, "test", test, c.TestX, c.TestY)
	}
}

func TestReutersMatchesKerasRules(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "reuters.npz"), reutersNPZ(t))
	for i, c := range loadReference(t)["reuters"] {
		opts := append(refOptions[datasets.ReutersOption](c, true), datasets.Dir(dir), datasets.Download(false))
		train, test, err := datasets.Reuters(context.Background(), opts...)
		if err != nil {
			t.Fatalf("case %d %+v: %v", i, c.Opts, err)
		}
		sameSequences(t, "train", train, c.TrainX, c.TrainY)
		sameSequences(t, "test", test, c.TestX, c.TestY)
	}
	if n := len(datasets.ReutersClassNames()); n != 46 {
		t.Errorf("%d Reuters class names, want 46", n)
	}
}

func TestCIFAR10FromBatches(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	for i, n := range cifarNames {
		writeFile(t, filepath.Join(dir, "cifar-10-batches-bin", n), cifarBatch(t, 2+i%2, i))
	}
	train, test, err := datasets.CIFAR10(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		t.Fatal(err)
	}
	// Batches of 2, 3, 2, 3, 2 train records and 3 test records.
	checkShape(t, "x_train", train.X, tensor.Uint8, 12, 32, 32, 3)
	checkShape(t, "y_train", train.Y, tensor.Uint8, 12, 1)
	checkShape(t, "x_test", test.X, tensor.Uint8, 3, 32, 32, 3)
	checkShape(t, "y_test", test.Y, tensor.Uint8, 3, 1)
	// Record 2 of the train part is record 0 of batch 2 (seed 1): its label
	// is 1 and its pixels are those the batch was written from.
	wantX, wantY := images(3, 1, 32, 32, 3)
	if v, _ := train.Y.At(2, 0); v.(uint8) != wantY.Data().([]uint8)[0] {
		t.Errorf("y_train[2] = %v, want %v", v, wantY.Data().([]uint8)[0])
	}
	for _, at := range [][3]int{{0, 0, 0}, {0, 0, 2}, {5, 7, 1}, {31, 31, 2}} {
		got, _ := train.X.At(2, at[0], at[1], at[2])
		want, _ := wantX.At(0, at[0], at[1], at[2])
		if got != want {
			t.Errorf("x_train[2,%d,%d,%d] = %v, want %v", at[0], at[1], at[2], got, want)
		}
	}
	if datasets.CIFAR10ClassNames()[9] != "truck" {
		t.Error("class 9 is not truck")
	}
}

func TestMNISTAndFashionFromFiles(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mnist.npz"), mnistNPZ(t))
	writeFashion(t, dir)
	train, test, err := datasets.MNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "mnist x_train", train.X, tensor.Uint8, 5, 28, 28)
	checkShape(t, "mnist y_test", test.Y, tensor.Uint8, 3)
	train, test, err = datasets.FashionMNIST(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if err != nil {
		t.Fatal(err)
	}
	checkShape(t, "fashion x_train", train.X, tensor.Uint8, 4, 28, 28)
	checkShape(t, "fashion y_test", test.Y, tensor.Uint8, 2)
	if v, _ := test.Y.At(1); v.(uint8) != 5 {
		t.Errorf("fashion y_test[1] = %v, want 5", v)
	}
}

// TestLookupOrder checks Dir, then $KERAS_HOME/datasets, then
// ~/.keras/datasets.
func TestLookupOrder(t *testing.T) {
	dir, kh, home := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("KERAS_HOME", kh)
	t.Setenv("HOME", home)
	rows := func(opts ...datasets.BostonHousingOption) int {
		t.Helper()
		train, test, err := datasets.BostonHousing(context.Background(), append(opts, datasets.Download(false))...)
		if err != nil {
			t.Fatal(err)
		}
		return train.Len() + test.Len()
	}
	writeFile(t, filepath.Join(home, ".keras", "datasets", "boston_housing.npz"), bostonNPZ(t, 10))
	if n := rows(); n != 10 {
		t.Errorf("home cache: %d rows, want 10", n)
	}
	writeFile(t, filepath.Join(kh, "datasets", "boston_housing.npz"), bostonNPZ(t, 20))
	if n := rows(); n != 20 {
		t.Errorf("KERAS_HOME before home: %d rows, want 20", n)
	}
	writeFile(t, filepath.Join(dir, "boston_housing.npz"), bostonNPZ(t, 30))
	if n := rows(datasets.Dir(dir)); n != 30 {
		t.Errorf("Dir first: %d rows, want 30", n)
	}
}

func TestBostonSplitOfSyntheticRows(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "boston_housing.npz"), bostonNPZ(t, 506))
	for _, c := range []struct {
		split       float64
		train, test int
	}{{0.2, 404, 102}, {0, 506, 0}, {0.5, 253, 253}, {0.999, 0, 506}} {
		train, test, err := datasets.BostonHousing(context.Background(), datasets.Dir(dir), datasets.Download(false), datasets.TestSplit(c.split))
		if err != nil {
			t.Fatal(err)
		}
		// An empty part is a zero Split (a tensor cannot be empty).
		for _, p := range []struct {
			name string
			s    datasets.Split
			n    int
		}{{"train", train, c.train}, {"test", test, c.test}} {
			if p.n == 0 {
				if p.s.X != nil || p.s.Y != nil || p.s.Len() != 0 {
					t.Errorf("split %v: empty %s part is %v", c.split, p.name, p.s)
				}
				continue
			}
			checkShape(t, "x_"+p.name, p.s.X, tensor.Float64, p.n, 13)
			checkShape(t, "y_"+p.name, p.s.Y, tensor.Float64, p.n)
		}
		if train.Len() != c.train || test.Len() != c.test {
			t.Errorf("split %v: %d/%d rows, want %d/%d", c.split, train.Len(), test.Len(), c.train, c.test)
		}
		// Rows stay whole: x[r] = y[r] + c/100 for every column.
		for r := 0; r < train.Len(); r++ {
			y, _ := train.Y.At(r)
			x, _ := train.X.At(r, 12)
			if x.(float64) != y.(float64)+0.12 {
				t.Fatalf("split %v: row %d broken: x[12]=%v y=%v", c.split, r, x, y)
			}
		}
	}
	// Keras's first train row index for seed 113 is 22.
	train, _, _ := datasets.BostonHousing(context.Background(), datasets.Dir(dir), datasets.Download(false))
	if y, _ := train.Y.At(0); y.(float64) != 22 {
		t.Errorf("first train row is %v, want 22", y)
	}
}

func TestOptionErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name                string
		call                func() error
		fn, arg, value, msg string
	}{
		{"TestSplit 1", func() error { _, _, err := datasets.BostonHousing(ctx, datasets.TestSplit(1)); return err }, "TestSplit", "f", "1", "must be in [0, 1)"},
		{"negative seed", func() error { _, _, err := datasets.Reuters(ctx, datasets.Seed(-1)); return err }, "Seed", "seed", "-1", "must be in [0, 2^32)"},
		{"seed too big", func() error { _, _, err := datasets.Reuters(ctx, datasets.Seed(1<<32)); return err }, "Seed", "seed", "4294967296", "must be in [0, 2^32)"},
		{"bad sha", func() error { _, _, err := datasets.MNIST(ctx, datasets.SHA256("mnist.npz", "xyz")); return err }, "SHA256", "sum", `"xyz"`, "must be 64 hex digits (for mnist.npz)"},
		{"negative MaxLen", func() error { _, _, err := datasets.IMDB(ctx, datasets.MaxLen(-3)); return err }, "MaxLen", "n", "-3", "must be >= 0"},
		{"empty Dir", func() error { _, _, err := datasets.FashionMNIST(ctx, datasets.Dir("")); return err }, "Dir", "dir", `""`, "must not be empty"},
		{"empty origin", func() error { _, _, err := datasets.MNIST(ctx, datasets.Origin("")); return err }, "Origin", "baseURL", `""`, "must not be empty"},
	} {
		err := c.call()
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Call != c.fn || oe.Option != c.arg || oe.Value != c.value || oe.Msg != c.msg || !strings.HasPrefix(err.Error(), "datasets: ") {
			t.Errorf("%s: err = %v, want an OptionError %s: %s = %s: %s", c.name, err, c.fn, c.arg, c.value, c.msg)
		}
	}
	if _, _, err := datasets.BostonHousing(ctx, datasets.TestSplit(1)); err == nil || err.Error() != "datasets: boston_housing: TestSplit: f = 1: must be in [0, 1)" {
		t.Errorf("message %v", err)
	}
	for name, call := range map[string]func() error{
		"nil client":  func() error { _, _, err := datasets.MNIST(ctx, datasets.HTTPClient(nil)); return err },
		"zero option": func() error { _, _, err := datasets.MNIST(ctx, datasets.CommonOption{}); return err },
		"zero seed":   func() error { _, _, err := datasets.IMDB(ctx, datasets.SeedOption{}); return err },
	} {
		if err := call(); !errors.Is(err, kerrors.ErrNil) || !strings.HasPrefix(err.Error(), "datasets: ") {
			t.Errorf("%s: err = %v, want one wrapping kerrors.ErrNil", name, err)
		}
	}
}

// TestOptionsCompileChecked: options a loader does not take do not
// compile (testdata/compilefail marks each line); before they were
// refused at run time.
func TestOptionsCompileChecked(t *testing.T) {
	compilecheck.Run(t, "testdata/compilefail")
}
