package preprocessing_test

import (
	"bufio"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras/preprocessing"
	"gorgonia.org/tensor"
)

// refLine is one line of testdata/reference.txt (see gen_reference.py).
type refLine struct {
	kind   string
	args   []string
	fields [][]string // the '|'-separated parts after the arguments
}

func readReference(t *testing.T) []refLine {
	t.Helper()
	f, err := os.Open("testdata/reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []refLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "|")
		head := strings.Fields(parts[0])
		l := refLine{kind: head[0], args: head[1:]}
		for _, p := range parts[1:] {
			l.fields = append(l.fields, strings.Fields(p))
		}
		out = append(out, l)
	}
	return out
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ints(t *testing.T, ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		out[i] = atoi(t, s)
	}
	return out
}

// TestAgainstNumPy checks permutations, splits, folds and statistics
// against values NumPy computed.
func TestAgainstNumPy(t *testing.T) {
	x := tensor.New(tensor.WithShape(5, 3), tensor.WithBacking([]float64{1, 10, 5, 2, 20, 5, 3, 30, 5, 4, 45, 5, 10, -5, 5}))
	checked := map[string]int{}
	for _, l := range readReference(t) {
		switch l.kind {
		case "perm":
			seed, n := atoi(t, l.args[0]), atoi(t, l.args[1])
			got, err := preprocessing.Permutation(n, preprocessing.Seed(int64(seed)))
			if err != nil || !reflect.DeepEqual(got, ints(t, l.fields[0])) {
				t.Errorf("Permutation(%d, Seed(%d)) = %v, %v", n, seed, got, err)
			}
		case "split":
			seed, n := atoi(t, l.args[0]), atoi(t, l.args[1])
			size, _ := strconv.ParseFloat(l.args[2], 64)
			train, test, err := preprocessing.SplitIndices(n, size, preprocessing.Seed(int64(seed)))
			if err != nil || !reflect.DeepEqual(test, ints(t, l.fields[0])) || !reflect.DeepEqual(train, ints(t, l.fields[1])) {
				t.Errorf("SplitIndices(%d, %v, Seed(%d)) = %v %v, %v", n, size, seed, train, test, err)
			}
		case "kfold":
			seed, n, k := atoi(t, l.args[0]), atoi(t, l.args[1]), atoi(t, l.args[2])
			folds, err := preprocessing.KFold(n, k, preprocessing.Seed(int64(seed)))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.Join(flatten(l.fields), " "), "/")
			for i, f := range folds {
				if !reflect.DeepEqual(f.Val, ints(t, strings.Fields(want[i]))) {
					t.Errorf("KFold(%d, %d, Seed(%d)) fold %d val = %v, want %v", n, k, seed, i, f.Val, want[i])
				}
				if len(f.Train)+len(f.Val) != n {
					t.Errorf("fold %d: %d+%d rows", i, len(f.Train), len(f.Val))
				}
			}
		case "scale":
			ddof := atoi(t, l.args[0])
			s, err := preprocessing.FitStandard(x, preprocessing.DDOF(ddof))
			if err != nil {
				t.Fatal(err)
			}
			for j := 0; j < 3; j++ {
				mean, _ := strconv.ParseFloat(l.fields[0][j], 64)
				sd, _ := strconv.ParseFloat(l.fields[1][j], 64)
				if sd == 0 {
					sd = 1 // a constant column keeps scale 1
				}
				if math.Abs(s.Mean[j]-mean) > 1e-12 || math.Abs(s.Scale[j]-sd) > 1e-12 {
					t.Errorf("DDOF %d column %d: mean %v sd %v, want %v %v", ddof, j, s.Mean[j], s.Scale[j], mean, sd)
				}
			}
		}
		checked[l.kind]++
	}
	for _, k := range []string{"perm", "split", "kfold", "scale"} {
		if checked[k] == 0 {
			t.Errorf("no %s reference checked", k)
		}
	}
}

func flatten(ss [][]string) []string {
	var out []string
	for i, s := range ss {
		if i > 0 {
			out = append(out, "|")
		}
		out = append(out, s...)
	}
	return out
}
