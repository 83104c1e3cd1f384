package preprocessing_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/preprocessing"

	"github.com/gokeras/gokeras/internal/testenv"
)

const textRoot = "testdata/text_dataset"

// readTextReference parses testdata/text_dataset_reference.txt, written by
// testdata/gen_text_dataset_reference.py from Python's os.walk and NumPy's
// RandomState: blocks of "path [label]" lines, each after a name line.
func readTextReference(t *testing.T) map[string][][2]string {
	t.Helper()
	f, err := os.Open("testdata/text_dataset_reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][2]string{}
	name := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			name = ""
		case name == "":
			name = line
			out[name] = [][2]string{}
		default:
			path, label, _ := strings.Cut(line, " ")
			out[name] = append(out[name], [2]string{path, label})
		}
	}
	return out
}

// listed returns each text's path relative to textRoot and its int label.
func listed(t *testing.T, ds *preprocessing.TextDataset) [][2]string {
	t.Helper()
	out := make([][2]string, len(ds.FilePaths))
	var labels []int32
	if ds.Labels != nil {
		labels = ds.Labels.Data().([]int32)
	}
	for i, p := range ds.FilePaths {
		rel, err := filepath.Rel(textRoot, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i][0] = filepath.ToSlash(rel)
		if labels != nil {
			out[i][1] = strconv.Itoa(int(labels[i]))
		}
		want, err := os.ReadFile(p)
		if err != nil || ds.Texts[i] != string(want) {
			t.Errorf("text %d (%s) = %q, want the file's bytes %q", i, p, ds.Texts[i], want)
		}
	}
	return out
}

func TestTextDatasetFromDirectoryOrder(t *testing.T) {
	ref := readTextReference(t)
	load := func(opts ...preprocessing.TextDatasetOption) (*preprocessing.TextDataset, *preprocessing.TextDataset) {
		t.Helper()
		a, b, err := preprocessing.TextDatasetFromDirectory(textRoot, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
	ds, val := load(preprocessing.Shuffling(false))
	if val != nil {
		t.Error("validation part without ValidationSplit")
	}
	// Python's sorted roots put alpha/sub.d before alpha/sub/deeper ('.' <
	// '/'), which a depth-first walk would not; .png and .md are skipped,
	// .TXT is read.
	if got := listed(t, ds); !reflect.DeepEqual(got, ref["inferred"]) {
		t.Errorf("unshuffled\n%v\nwant\n%v", got, ref["inferred"])
	}
	if !reflect.DeepEqual(ds.ClassNames, []string{"alpha", "beta", "gamma"}) {
		t.Errorf("class names %q", ds.ClassNames)
	}
	if ds.Labels.Dtype() != tensor.Int32 || !reflect.DeepEqual(ds.Labels.Shape(), tensor.Shape{8}) {
		t.Errorf("labels %v %v, want int32 (8)", ds.Labels.Dtype(), ds.Labels.Shape())
	}
	ds, _ = load(preprocessing.ShuffleSeed(1337))
	if got := listed(t, ds); !reflect.DeepEqual(got, ref["inferred seed=1337"]) {
		t.Errorf("seed 1337\n%v\nwant\n%v", got, ref["inferred seed=1337"])
	}
	tr, val := load(preprocessing.ShuffleSeed(7), preprocessing.ValidationSplit(0.25), preprocessing.Subset(preprocessing.SubsetBoth))
	if got := listed(t, tr); !reflect.DeepEqual(got, ref["split 0.25 seed=7 training"]) {
		t.Errorf("training\n%v\nwant\n%v", got, ref["split 0.25 seed=7 training"])
	}
	if got := listed(t, val); !reflect.DeepEqual(got, ref["split 0.25 seed=7 validation"]) {
		t.Errorf("validation\n%v\nwant\n%v", got, ref["split 0.25 seed=7 validation"])
	}
	onlyTrain, none := load(preprocessing.ShuffleSeed(7), preprocessing.ValidationSplit(0.25), preprocessing.Subset(preprocessing.SubsetTraining))
	if none != nil || !reflect.DeepEqual(onlyTrain.FilePaths, tr.FilePaths) {
		t.Errorf("SubsetTraining differs from the training part of SubsetBoth")
	}
	none, onlyVal := load(preprocessing.ShuffleSeed(7), preprocessing.ValidationSplit(0.25), preprocessing.Subset(preprocessing.SubsetValidation))
	if none != nil || !reflect.DeepEqual(onlyVal.FilePaths, val.FilePaths) {
		t.Errorf("SubsetValidation differs from the validation part of SubsetBoth")
	}
	// Without labels the whole tree is walked, hidden folders included
	// (only the class listing skips names starting with ".").
	nl, _ := load(preprocessing.LabelMode(preprocessing.NoLabels), preprocessing.Shuffling(false))
	if got := listed(t, nl); !reflect.DeepEqual(got, ref["no labels"]) {
		t.Errorf("no labels\n%v\nwant\n%v", got, ref["no labels"])
	}
	if nl.Labels != nil || nl.ClassNames != nil {
		t.Errorf("no labels gave labels %v / classes %q", nl.Labels, nl.ClassNames)
	}
}

func TestTextDatasetFromDirectoryLabels(t *testing.T) {
	load := func(opts ...preprocessing.TextDatasetOption) *preprocessing.TextDataset {
		t.Helper()
		ds, _, err := preprocessing.TextDatasetFromDirectory(textRoot, append([]preprocessing.TextDatasetOption{preprocessing.Shuffling(false)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	cat := load(preprocessing.LabelMode(preprocessing.LabelsCategorical))
	want := []float32{1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1}
	if cat.Labels.Dtype() != tensor.Float32 || !reflect.DeepEqual(cat.Labels.Shape(), tensor.Shape{8, 3}) || !reflect.DeepEqual(cat.Labels.Data(), want) {
		t.Errorf("categorical %v %v %v", cat.Labels.Dtype(), cat.Labels.Shape(), cat.Labels.Data())
	}
	// ClassNames picks and orders classes; binary needs exactly two.
	bin := load(preprocessing.ClassNames("gamma", "alpha"), preprocessing.LabelMode(preprocessing.LabelsBinary))
	if !reflect.DeepEqual(bin.ClassNames, []string{"gamma", "alpha"}) || !reflect.DeepEqual(bin.Labels.Shape(), tensor.Shape{7, 1}) ||
		!reflect.DeepEqual(bin.Labels.Data(), []float32{0, 0, 1, 1, 1, 1, 1}) || !strings.HasSuffix(bin.FilePaths[0], filepath.Join("gamma", "g1.txt")) {
		t.Errorf("binary %q %v %v %q", bin.ClassNames, bin.Labels.Shape(), bin.Labels.Data(), bin.FilePaths)
	}
	// ClassFolders (an extension) groups folders into classes.
	grouped := load(preprocessing.ClassFolders(map[string][]string{"g": {"gamma"}, "ab": {"beta", "alpha"}}), preprocessing.LabelMode(preprocessing.LabelsBinary))
	if !reflect.DeepEqual(grouped.ClassNames, []string{"ab", "g"}) || !reflect.DeepEqual(grouped.Labels.Data(), []float32{0, 0, 0, 0, 0, 0, 1, 1}) ||
		!strings.HasSuffix(grouped.FilePaths[0], filepath.Join("beta", "b1.txt")) {
		t.Errorf("class folders %q %v %q", grouped.ClassNames, grouped.Labels.Data(), grouped.FilePaths)
	}
	ordered := load(preprocessing.ClassFolders(map[string][]string{"g": {"gamma"}, "ab": {"beta", "alpha"}}), preprocessing.ClassNames("g"))
	if !reflect.DeepEqual(ordered.ClassNames, []string{"g"}) || len(ordered.Texts) != 2 {
		t.Errorf("class folders with ClassNames %q %d", ordered.ClassNames, len(ordered.Texts))
	}
	// Explicit labels follow the sorted walk of the whole tree (10 files);
	// class names are the sorted distinct labels.
	lab := load(preprocessing.Labels([]int{1, 1, 0, 0, 0, 0, 0, 1, 0, 1}))
	if !reflect.DeepEqual(lab.ClassNames, []string{"0", "1"}) || !reflect.DeepEqual(lab.Labels.Data(), []int32{1, 1, 0, 0, 0, 0, 0, 1, 0, 1}) {
		t.Errorf("explicit labels %q %v", lab.ClassNames, lab.Labels.Data())
	}
	// MaxLength cuts bytes; Formats picks other endings; "" takes all files.
	short := load(preprocessing.MaxLength(5))
	if short.Texts[0] != "Alpha" || short.Texts[7] != "gamma" {
		t.Errorf("MaxLength(5): %q", short.Texts)
	}
	png := load(preprocessing.Formats(".PNG"))
	if len(png.Texts) != 1 || !strings.HasPrefix(png.Texts[0], "\x89PNG") || png.Labels.Data().([]int32)[0] != 1 {
		t.Errorf("Formats(.png): %q", png.FilePaths)
	}
	if all := load(preprocessing.Formats("")); len(all.Texts) != 10 {
		t.Errorf("Formats(\"\"): %d files, want 10", len(all.Texts))
	}
	// Bytes that are not UTF-8 are kept as they are.
	if !strings.HasSuffix(load().Texts[7], "caf\xe9") {
		t.Error("invalid UTF-8 was changed")
	}
	var log bytes.Buffer
	if _, _, err := preprocessing.TextDatasetFromDirectory(textRoot, preprocessing.Verbose(&log), preprocessing.ValidationSplit(0.25), preprocessing.Subset(preprocessing.SubsetBoth)); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); got != "Found 8 files belonging to 3 classes.\nUsing 6 files for training.\nUsing 2 files for validation.\n" {
		t.Errorf("verbose output %q", got)
	}
}

func TestTextDatasetFromDirectoryErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		dir  string
		opts []preprocessing.TextDatasetOption
		want string
	}{
		{"missing dir", "testdata/nope", nil, "no such file or directory"},
		{"file as dir", textRoot + "/readme.txt", nil, "is not a directory"},
		{"binary with 3 classes", textRoot, []preprocessing.TextDatasetOption{preprocessing.LabelMode(preprocessing.LabelsBinary)}, `exactly 2 classes, found 3: ["alpha" "beta" "gamma"]`},
		{"unknown class", textRoot, []preprocessing.TextDatasetOption{preprocessing.ClassNames("alpha", "delta")}, `"delta" is not a subfolder`},
		{"hidden class", textRoot, []preprocessing.TextDatasetOption{preprocessing.ClassNames(".hidden")}, `".hidden" is not a subfolder`},
		{"repeated class", textRoot, []preprocessing.TextDatasetOption{preprocessing.ClassNames("alpha", "alpha")}, "given twice"},
		{"folder twice", textRoot, []preprocessing.TextDatasetOption{preprocessing.ClassFolders(map[string][]string{"x": {"alpha"}, "y": {"alpha"}})}, `folder "alpha" is in classes`},
		{"unknown folder", textRoot, []preprocessing.TextDatasetOption{preprocessing.ClassFolders(map[string][]string{"x": {"zeta"}})}, `"zeta" (class "x") is not a subfolder`},
		{"class names with labels", textRoot, []preprocessing.TextDatasetOption{preprocessing.Labels(make([]int, 10)), preprocessing.ClassNames("alpha")}, "ClassNames is only valid with labels inferred"},
		{"class names without labels", textRoot, []preprocessing.TextDatasetOption{preprocessing.LabelMode(preprocessing.NoLabels), preprocessing.ClassNames("alpha")}, "not with LabelMode(NoLabels)"},
		{"label count", textRoot, []preprocessing.TextDatasetOption{preprocessing.Labels([]int{0, 1})}, "Labels has 2 labels, but testdata/text_dataset holds 10 matching files"},
		{"categorical label range", textRoot, []preprocessing.TextDatasetOption{preprocessing.Labels([]int{0, 5, 0, 0, 0, 0, 0, 0, 0, 0}), preprocessing.LabelMode(preprocessing.LabelsCategorical)}, "label 5 of"},
		{"split without subset", textRoot, []preprocessing.TextDatasetOption{preprocessing.ValidationSplit(0.2)}, "ValidationSplit and Subset must be given together"},
		{"subset without split", textRoot, []preprocessing.TextDatasetOption{preprocessing.Subset(preprocessing.SubsetBoth)}, "ValidationSplit and Subset must be given together"},
		{"split too small", textRoot, []preprocessing.TextDatasetOption{preprocessing.ValidationSplit(0.1), preprocessing.Subset(preprocessing.SubsetTraining)}, "ValidationSplit(0.1) of 8 files leaves 8 training and 0 validation files"},
		{"split range", textRoot, []preprocessing.TextDatasetOption{preprocessing.ValidationSplit(1)}, "ValidationSplit(1): want 0 <= v < 1"},
		{"seed range", textRoot, []preprocessing.TextDatasetOption{preprocessing.ShuffleSeed(-1)}, "ShuffleSeed(-1)"},
		{"no files", textRoot, []preprocessing.TextDatasetOption{preprocessing.Formats(".csv")}, `no files ending in [".csv"]`},
		{"max length", textRoot, []preprocessing.TextDatasetOption{preprocessing.MaxLength(-1)}, "MaxLength(-1)"},
		{"nil option", textRoot, []preprocessing.TextDatasetOption{nil}, "option 0 is nil"},
	} {
		_, _, err := preprocessing.TextDatasetFromDirectory(c.dir, c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "preprocessing: TextDatasetFromDirectory: ") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestTextDatasetFromDirectoryLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, p)); err != nil {
			t.Skipf("symbolic links unavailable: %v", err)
		}
	}
	write("pos/a.txt", "a")
	write("elsewhere/b.txt", "b")
	link("../elsewhere", "pos/linked")      // a linked folder: walked only with FollowLinks
	link("../elsewhere/b.txt", "pos/c.txt") // a linked file: always read
	link("..", "pos/loop")                  // a cycle back to the top
	write("neg/d.txt", "d")
	load := func(opts ...preprocessing.TextDatasetOption) []string {
		t.Helper()
		ds, _, err := preprocessing.TextDatasetFromDirectory(dir, append([]preprocessing.TextDatasetOption{preprocessing.Shuffling(false), preprocessing.ClassNames("pos")}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return ds.Texts
	}
	if got := load(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("without FollowLinks: %q", got)
	}
	// With links: pos (a, c.txt -> b), pos/linked (b), pos/loop (the top,
	// no files), pos/loop/neg (d); pos/loop/elsewhere and pos/loop/pos are
	// folders already read, skipped.
	if got := load(preprocessing.FollowLinks(true)); !reflect.DeepEqual(got, []string{"a", "b", "b", "d"}) {
		t.Errorf("with FollowLinks: %q", got)
	}
	link("missing.txt", "neg/broken.txt")
	_, _, err := preprocessing.TextDatasetFromDirectory(dir, preprocessing.ClassNames("neg"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "neg", "broken.txt")) {
		t.Errorf("broken link: %v, want an error naming the file", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := preprocessing.TextDatasetFromDirectory(filepath.Join(dir, "empty")); err == nil || !strings.Contains(err.Error(), "no class subfolders") {
		t.Errorf("no classes: %v", err)
	}
}

// sharedData finds the project's shared data folder: $GOKERAS_DATA, or
// ../shared/data beside the project root (three levels up from here).
func sharedData(t *testing.T, name string) string { return sharedDataB(t, name) }

func sharedDataB(t testing.TB, name string) string {
	t.Helper()
	return testenv.SharedData(t, name)
}

func TestTextDatasetFromDirectorySpamAssassin(t *testing.T) {
	dir := sharedData(t, "spam_assassin")
	// Keras reads only .txt; the corpus's files have no extension.
	if _, _, err := preprocessing.TextDatasetFromDirectory(dir); err == nil {
		t.Fatal("the default .txt filter found files in the SpamAssassin corpus")
	}
	counts := func(ds *preprocessing.TextDataset) []int {
		c := make([]int, len(ds.ClassNames))
		switch l := ds.Labels.Data().(type) {
		case []int32:
			for _, v := range l {
				c[v]++
			}
		case []float32:
			for _, v := range l {
				c[int(v)]++
			}
		}
		return c
	}
	five, _, err := preprocessing.TextDatasetFromDirectory(dir, preprocessing.Formats(""))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(five.ClassNames, []string{"easy_ham", "easy_ham_2", "hard_ham", "spam", "spam_2"}) ||
		!reflect.DeepEqual(counts(five), []int{2500, 1400, 250, 500, 1396}) {
		t.Errorf("five folders: %q %v", five.ClassNames, counts(five))
	}
	spam := preprocessing.ClassFolders(map[string][]string{
		"ham":  {"easy_ham", "easy_ham_2", "hard_ham"},
		"spam": {"spam", "spam_2"},
	})
	var log bytes.Buffer
	opts := []preprocessing.TextDatasetOption{spam, preprocessing.Formats(""), preprocessing.LabelMode(preprocessing.LabelsBinary),
		preprocessing.ValidationSplit(0.2), preprocessing.Subset(preprocessing.SubsetBoth), preprocessing.ShuffleSeed(42)}
	train, val, err := preprocessing.TextDatasetFromDirectory(dir, append(opts, preprocessing.Verbose(&log))...)
	if err != nil {
		t.Fatal(err)
	}
	if got := log.String(); got != "Found 6046 files belonging to 2 classes.\nUsing 4837 files for training.\nUsing 1209 files for validation.\n" {
		t.Errorf("verbose: %q", got)
	}
	tc, vc := counts(train), counts(val)
	if tc[0]+vc[0] != 4150 || tc[1]+vc[1] != 1896 || len(train.Texts) != 4837 || len(val.Texts) != 1209 {
		t.Errorf("ham/spam counts: train %v val %v", tc, vc)
	}
	// Deterministic for a seed, different for another.
	again, _, err := preprocessing.TextDatasetFromDirectory(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.FilePaths, train.FilePaths) || !reflect.DeepEqual(again.Labels.Data(), train.Labels.Data()) {
		t.Error("the same seed gave another order")
	}
	other, _, err := preprocessing.TextDatasetFromDirectory(dir, append(opts[:5:5], preprocessing.ShuffleSeed(43))...)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(other.FilePaths, train.FilePaths) {
		t.Error("seeds 42 and 43 gave the same order")
	}
	seen := map[string]bool{}
	for _, p := range append(append([]string(nil), train.FilePaths...), val.FilePaths...) {
		if seen[p] {
			t.Fatalf("%s is in both parts or twice", p)
		}
		seen[p] = true
	}
}
