package preprocessing

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/internal/randomstate"
)

// LabelEncoding is how TextDatasetFromDirectory encodes labels, the values
// of Keras's label_mode argument. The zero value is LabelsInt, Keras's
// default.
type LabelEncoding int

const (
	// LabelsInt gives the class index of each text as int32, shape (N)
	// (Keras "int", for sparse_categorical_crossentropy).
	LabelsInt LabelEncoding = iota
	// LabelsCategorical gives one-hot float32 rows, shape (N, classes)
	// (Keras "categorical", for categorical_crossentropy).
	LabelsCategorical
	// LabelsBinary gives 0 or 1 as float32, shape (N, 1); it needs exactly
	// two classes (Keras "binary", for binary_crossentropy).
	LabelsBinary
	// NoLabels gives no labels: every file under the directory is read,
	// whatever folder it is in (Keras label_mode=None or labels=None).
	NoLabels
)

// String returns Keras's name of the encoding: "int", "categorical",
// "binary", or "none" for NoLabels.
func (e LabelEncoding) String() string {
	switch e {
	case LabelsInt:
		return "int"
	case LabelsCategorical:
		return "categorical"
	case LabelsBinary:
		return "binary"
	case NoLabels:
		return "none"
	}
	return "LabelEncoding(" + strconv.Itoa(int(e)) + ")"
}

// DatasetSubset selects the part of a validation split a loader returns,
// the values of Keras's subset argument.
type DatasetSubset int

const (
	// SubsetTraining returns the training part (Keras "training").
	SubsetTraining DatasetSubset = iota + 1
	// SubsetValidation returns the validation part (Keras "validation").
	SubsetValidation
	// SubsetBoth returns both parts (Keras "both").
	SubsetBoth
)

// String returns Keras's name of the subset.
func (s DatasetSubset) String() string {
	switch s {
	case SubsetTraining:
		return "training"
	case SubsetValidation:
		return "validation"
	case SubsetBoth:
		return "both"
	}
	return "DatasetSubset(" + strconv.Itoa(int(s)) + ")"
}

// TextDataset is what TextDatasetFromDirectory returns: the texts, their
// labels and the class names, as whole arrays.
type TextDataset struct {
	// Texts holds each file's bytes as a string (possibly not valid UTF-8:
	// Keras reads files as bytes too), cut to MaxLength bytes when set.
	Texts []string
	// Labels is nil with NoLabels; otherwise int32 (N) for LabelsInt,
	// float32 (N, len(ClassNames)) for LabelsCategorical, float32 (N, 1)
	// for LabelsBinary.
	Labels *tensor.Dense
	// ClassNames are the classes in label order; nil with NoLabels.
	ClassNames []string
	// FilePaths holds the path of each text (an extension to Keras, which
	// does not return them).
	FilePaths []string
}

type textDatasetConfig struct {
	labelMode    LabelEncoding
	labels       []int
	labelsSet    bool
	classNames   []string
	classFolders map[string][]string
	maxLength    int // -1: unset
	shuffle      bool
	seed         uint32
	valSplit     float64
	subset       DatasetSubset
	followLinks  bool
	formats      []string
	verbose      io.Writer
}

// TextDatasetOption is an optional argument of TextDatasetFromDirectory.
type TextDatasetOption interface {
	applyTextDataset(*textDatasetConfig) error
}

type textDatasetOption func(*textDatasetConfig) error

func (f textDatasetOption) applyTextDataset(c *textDatasetConfig) error { return f(c) }

// LabelMode sets how labels are encoded. Default: LabelsInt.
func LabelMode(e LabelEncoding) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if e < LabelsInt || e > NoLabels {
			return errors.Errorf("LabelMode(%v): unknown encoding", e)
		}
		c.labelMode = e
		return nil
	})
}

// Labels gives the label of every file explicitly instead of inferring it
// from the folders (Keras labels=[...]): then every matching file under the
// directory is read, in the order of the sorted walk (os.walk, roots
// sorted, then file names sorted), and labels must have one entry per file.
// ClassNames become the sorted distinct labels as strings, as in Keras.
// Labels must be >= 0, and < the number of distinct labels for
// LabelsCategorical and LabelsBinary (Keras would give a zero row or a
// label that is not 0 or 1).
func Labels(labels []int) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		for i, l := range labels {
			if l < 0 || l > math.MaxInt32 {
				return errors.Errorf("Labels: label %d of file %d, want 0 <= label < 2^31", l, i)
			}
		}
		c.labels, c.labelsSet = append([]int(nil), labels...), true
		return nil
	})
}

// ClassNames fixes the classes and their order (Keras class_names): each
// name must be a subfolder of the directory; folders not named are not
// read. Only valid with inferred labels. Default: every subfolder not
// starting with ".", in alphanumeric (byte) order.
func ClassNames(names ...string) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				return errors.Errorf("ClassNames: %q is given twice", n)
			}
			seen[n] = true
		}
		c.classNames = append([]string(nil), names...)
		return nil
	})
}

// ClassFolders maps each class to several subfolders of the directory, for
// corpora laid out by source rather than by class (for example the
// SpamAssassin corpus: "ham" from easy_ham, easy_ham_2 and hard_ham, "spam"
// from spam and spam_2). This is an extension to Keras, which has one
// folder per class. Classes are in alphanumeric order unless ClassNames
// gives their order (then ClassNames must name classes of the map, and
// classes it omits are not read); files are listed class by class, folder
// by folder in the given order. Subfolders not in the map are not read; a
// folder may belong to one class only.
func ClassFolders(classes map[string][]string) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if len(classes) == 0 {
			return errors.New("ClassFolders: no classes")
		}
		owner := map[string]string{}
		m := make(map[string][]string, len(classes))
		for class, folders := range classes {
			if len(folders) == 0 {
				return errors.Errorf("ClassFolders: class %q has no folders", class)
			}
			for _, f := range folders {
				if prev, ok := owner[f]; ok {
					return errors.Errorf("ClassFolders: folder %q is in classes %q and %q", f, prev, class)
				}
				owner[f] = class
			}
			m[class] = append([]string(nil), folders...)
		}
		c.classFolders = m
		return nil
	})
}

// MaxLength cuts every text to its first n bytes (Keras max_length, which
// is tf.strings.substr(text, 0, n) in bytes; a cut can split a multi-byte
// UTF-8 character, as in Keras). Only the first n bytes of each file are
// read. Default: no limit.
func MaxLength(n int) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if n < 0 {
			return errors.Errorf("MaxLength(%d): want >= 0", n)
		}
		c.maxLength = n
		return nil
	})
}

// ValidationSplit reserves the fraction v of the files for validation
// (Keras validation_split), 0 <= v < 1 (0: no split). It needs Subset.
// After the shuffle, the last int(v*N) files are the validation part and the
// others the training part (dataset_utils.get_training_or_validation_split).
func ValidationSplit(v float64) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if !(v >= 0 && v < 1) {
			return errors.Errorf("ValidationSplit(%v): want 0 <= v < 1", v)
		}
		c.valSplit = v
		return nil
	})
}

// Subset selects the part of the split to return: SubsetTraining fills the
// first result, SubsetValidation the second, SubsetBoth both (Keras
// subset). It needs ValidationSplit.
func Subset(s DatasetSubset) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if s < SubsetTraining || s > SubsetBoth {
			return errors.Errorf("Subset(%v): unknown subset", s)
		}
		c.subset = s
		return nil
	})
}

// FollowLinks makes the walk descend into symbolic links to directories
// (Keras follow_links). A directory reached twice through links is read
// once (Python's os.walk would loop). Default: false; symbolic links to
// files are read either way, as os.walk lists them.
func FollowLinks(on bool) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		c.followLinks = on
		return nil
	})
}

// Formats sets the file name endings to read, compared case-insensitively
// (the formats argument of Keras's dataset_utils.index_directory, which
// text_dataset_from_directory fixes to ".txt"). Formats("") reads every
// file, as Python's str.endswith("") is always true: the SpamAssassin
// files, for one, have no extension. Default: ".txt".
func Formats(endings ...string) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		if len(endings) == 0 {
			return errors.New("Formats(): want at least one ending (\"\" for every file)")
		}
		c.formats = make([]string, len(endings))
		for i, e := range endings {
			c.formats[i] = strings.ToLower(e)
		}
		return nil
	})
}

// Verbose prints Keras's messages ("Found 6046 files belonging to 2
// classes.", "Using 4837 files for training.") to w. Default: silent (Keras
// prints by default).
func Verbose(w io.Writer) TextDatasetOption {
	return textDatasetOption(func(c *textDatasetConfig) error {
		c.verbose = w
		return nil
	})
}

// ShufflingOption turns shuffling on or off; it is accepted by
// TextDatasetFromDirectory and TimeseriesDatasetFromArray.
type ShufflingOption struct{ on bool }

func (o ShufflingOption) applyTextDataset(c *textDatasetConfig) error { c.shuffle = o.on; return nil }

// Shuffling turns shuffling on or off (Keras shuffle). Default: true for
// TextDatasetFromDirectory (false sorts the files, class by class),
// false for TimeseriesDatasetFromArray.
func Shuffling(on bool) ShufflingOption { return ShufflingOption{on} }

// ShuffleSeedOption seeds the shuffle; it is accepted by
// TextDatasetFromDirectory and TimeseriesDatasetFromArray.
type ShuffleSeedOption struct{ seed int64 }

func (o ShuffleSeedOption) applyTextDataset(c *textDatasetConfig) error {
	s, err := o.check()
	c.seed = s
	return err
}

func (o ShuffleSeedOption) check() (uint32, error) {
	if o.seed < 0 || o.seed > math.MaxUint32 {
		return 0, errors.Errorf("ShuffleSeed(%d): want 0 <= seed < 2^32", o.seed)
	}
	return uint32(o.seed), nil
}

// ShuffleSeed sets the seed of the shuffle, drawn as Keras draws it: NumPy's
// legacy RandomState(seed).shuffle, so a seed orders files and windows as
// Keras orders them before its tf.data pipeline. 0 <= seed < 2^32.
// Default: 0 (Keras draws a random seed when none is given; gokeras is
// always seeded, and so needs no seed to keep the two parts of a
// validation split apart).
func ShuffleSeed(seed int64) ShuffleSeedOption { return ShuffleSeedOption{seed} }

// TextDatasetFromDirectory reads the text files under dir, like
// keras.utils.text_dataset_from_directory (Keras 3,
// keras/src/utils/text_dataset_utils.py and dataset_utils.py). By default
// each subfolder of dir is a class (in alphanumeric order), every ".txt"
// file below it, at any depth, is one text labelled with the class index,
// and the files are shuffled with NumPy's RandomState(0).
//
// Files are listed as Keras lists them: class by class; within a class
// folder, the directories of os.walk sorted by path and the files of each
// sorted by name. Shuffling then permutes the whole list with
// RandomState(seed).shuffle, and ValidationSplit takes the last
// int(v*N) files as validation, the others as training. Keras then also
// shuffles the training files again inside its tf.data pipeline (a buffer of
// batch_size*8, reshuffled every epoch); that step is Fit's per-epoch
// shuffle in gokeras and is not reproduced. Likewise batch_size: the
// result is whole arrays, and Fit's BatchSize batches them.
//
// The first result is the whole data set, or the training part with
// SubsetTraining or SubsetBoth; the second is the validation part with
// SubsetValidation or SubsetBoth, and nil otherwise.
//
// Options: LabelMode (LabelsInt), Labels, ClassNames, ClassFolders,
// MaxLength, Shuffling (true), ShuffleSeed (0), ValidationSplit and Subset,
// FollowLinks (false), Formats (".txt"), Verbose. Errors name the file or
// folder: a missing dir, an unreadable file or folder, no matching files,
// LabelsBinary without exactly two classes, a split that leaves a part
// empty (Keras would return every file as validation when int(v*N) is 0).
// Only regular files (and links to them) are read: a named pipe would block.
func TextDatasetFromDirectory(dir string, opts ...TextDatasetOption) (train, validation *TextDataset, err error) {
	defer guard("TextDatasetFromDirectory", &err)
	fail := func(err error) (*TextDataset, *TextDataset, error) {
		return nil, nil, errors.WithMessage(err, "preprocessing: TextDatasetFromDirectory")
	}
	c := &textDatasetConfig{maxLength: -1, shuffle: true, formats: []string{".txt"}}
	for i, o := range opts {
		if o == nil {
			return fail(errors.Errorf("option %d is nil", i))
		}
		if err := o.applyTextDataset(c); err != nil {
			return fail(err)
		}
	}
	if err := c.check(); err != nil {
		return fail(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fail(errors.Wrap(err, "directory"))
	}
	if !st.IsDir() {
		return fail(errors.Errorf("%s is not a directory", dir))
	}
	idx, err := c.index(dir)
	if err != nil {
		return fail(err)
	}
	if len(idx.paths) == 0 {
		return fail(errors.Errorf("no files ending in %q under %s", c.formats, dir))
	}
	if c.labelMode == LabelsBinary && len(idx.classNames) != 2 {
		return fail(errors.Errorf("LabelsBinary needs exactly 2 classes, found %d: %q", len(idx.classNames), idx.classNames))
	}
	if c.verbose != nil {
		if c.labelMode == NoLabels {
			fmt.Fprintf(c.verbose, "Found %d files.\n", len(idx.paths))
		} else {
			fmt.Fprintf(c.verbose, "Found %d files belonging to %d classes.\n", len(idx.paths), len(idx.classNames))
		}
	}
	if c.shuffle {
		perm := randomstate.New(c.seed).Permutation(len(idx.paths))
		paths := make([]string, len(perm))
		labels := make([]int, len(perm))
		for k, p := range perm {
			paths[k], labels[k] = idx.paths[p], idx.labels[p]
		}
		idx.paths, idx.labels = paths, labels
	}
	n := len(idx.paths)
	if c.valSplit == 0 {
		ds, err := c.dataset(idx, 0, n)
		if err != nil {
			return fail(err)
		}
		return ds, nil, nil
	}
	numVal := int(c.valSplit * float64(n))
	if numVal == 0 || numVal == n {
		return fail(errors.Errorf("ValidationSplit(%v) of %d files leaves %d training and %d validation files", c.valSplit, n, n-numVal, numVal))
	}
	if c.subset == SubsetTraining || c.subset == SubsetBoth {
		if c.verbose != nil {
			fmt.Fprintf(c.verbose, "Using %d files for training.\n", n-numVal)
		}
		if train, err = c.dataset(idx, 0, n-numVal); err != nil {
			return fail(err)
		}
	}
	if c.subset == SubsetValidation || c.subset == SubsetBoth {
		if c.verbose != nil {
			fmt.Fprintf(c.verbose, "Using %d files for validation.\n", numVal)
		}
		if validation, err = c.dataset(idx, n-numVal, n); err != nil {
			return fail(err)
		}
	}
	return train, validation, nil
}

// check applies the argument checks of text_dataset_from_directory,
// check_validation_split_arg and index_directory.
func (c *textDatasetConfig) check() error {
	if c.labelsSet && c.labelMode == NoLabels {
		return errors.New("Labels and LabelMode(NoLabels) contradict each other")
	}
	if c.labelsSet || c.labelMode == NoLabels {
		what := "Labels"
		if !c.labelsSet {
			what = "LabelMode(NoLabels)"
		}
		if c.classNames != nil {
			return errors.Errorf("ClassNames is only valid with labels inferred from the folders, not with %s", what)
		}
		if c.classFolders != nil {
			return errors.Errorf("ClassFolders is only valid with labels inferred from the folders, not with %s", what)
		}
	}
	if (c.valSplit > 0) != (c.subset != 0) {
		return errors.New("ValidationSplit and Subset must be given together")
	}
	return nil
}

type textIndex struct {
	paths      []string
	labels     []int
	classNames []string
}

// index lists the files and their labels (dataset_utils.index_directory).
func (c *textDatasetConfig) index(dir string) (*textIndex, error) {
	type group struct {
		label   int
		folders []string
	}
	var groups []group
	idx := &textIndex{}
	inferred := !c.labelsSet && c.labelMode != NoLabels
	if !inferred {
		groups = []group{{0, []string{""}}}
	} else {
		subdirs, err := classSubdirs(dir)
		if err != nil {
			return nil, err
		}
		if len(subdirs) == 0 {
			return nil, errors.Errorf("no class subfolders (names not starting with \".\") in %s; LabelMode(NoLabels) reads the files of a folder without classes", dir)
		}
		isSub := map[string]bool{}
		for _, s := range subdirs {
			isSub[s] = true
		}
		switch {
		case c.classFolders != nil:
			names := c.classNames
			if names == nil {
				for class := range c.classFolders {
					names = append(names, class)
				}
				sort.Strings(names)
			}
			for i, class := range names {
				folders, ok := c.classFolders[class]
				if !ok {
					return nil, errors.Errorf("ClassNames: %q is not a class of ClassFolders", class)
				}
				for _, f := range folders {
					if !isSub[f] {
						return nil, errors.Errorf("ClassFolders: %q (class %q) is not a subfolder of %s; subfolders: %q", f, class, dir, subdirs)
					}
				}
				groups = append(groups, group{i, folders})
			}
			idx.classNames = append([]string(nil), names...)
		case c.classNames != nil:
			for i, class := range c.classNames {
				if !isSub[class] {
					return nil, errors.Errorf("ClassNames: %q is not a subfolder of %s; subfolders: %q", class, dir, subdirs)
				}
				groups = append(groups, group{i, []string{class}})
			}
			idx.classNames = append([]string(nil), c.classNames...)
		default:
			for i, s := range subdirs {
				groups = append(groups, group{i, []string{s}})
			}
			idx.classNames = subdirs
		}
	}
	for _, g := range groups {
		for _, f := range g.folders {
			files, err := walkSorted(filepath.Join(dir, f), c.followLinks, c.formats)
			if err != nil {
				return nil, err
			}
			for _, rel := range files {
				idx.paths = append(idx.paths, filepath.Join(dir, f, rel))
				idx.labels = append(idx.labels, g.label)
			}
		}
	}
	if c.labelsSet {
		if len(c.labels) != len(idx.paths) {
			return nil, errors.Errorf("Labels has %d labels, but %s holds %d matching files", len(c.labels), dir, len(idx.paths))
		}
		idx.labels = append([]int(nil), c.labels...)
		distinct := map[int]bool{}
		for _, l := range c.labels {
			distinct[l] = true
		}
		ls := make([]int, 0, len(distinct))
		for l := range distinct {
			ls = append(ls, l)
		}
		sort.Ints(ls)
		for _, l := range ls {
			idx.classNames = append(idx.classNames, strconv.Itoa(l))
		}
		if c.labelMode == LabelsCategorical || c.labelMode == LabelsBinary {
			for i, l := range c.labels {
				if l >= len(ls) {
					return nil, errors.Errorf("Labels: label %d of %s is not below the number of classes %d, which %v needs", l, idx.paths[i], len(ls), c.labelMode)
				}
			}
		}
	}
	if !inferred && !c.labelsSet {
		idx.classNames = nil
	}
	return idx, nil
}

// classSubdirs lists the subfolders of dir not starting with ".", sorted;
// a symbolic link to a folder counts, as os.path.isdir follows links.
func classSubdirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrap(err, "list directory")
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		st, err := os.Stat(filepath.Join(dir, e.Name()))
		if err == nil && st.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// walkSorted returns the paths (relative to root) of the files under root
// whose lowercased names end in one of formats, in the order of Keras's
// iter_valid_files: os.walk's directories sorted by path, then each
// directory's file names sorted.
func walkSorted(root string, followLinks bool, formats []string) ([]string, error) {
	type dirFiles struct {
		rel   string
		files []string
	}
	var dirs []dirFiles
	var visited []os.FileInfo
	var visit func(rel string) error
	visit = func(rel string) error {
		abs := filepath.Join(root, rel)
		if followLinks {
			st, err := os.Stat(abs)
			if err != nil {
				return errors.Wrapf(err, "folder %s", abs)
			}
			for _, v := range visited {
				if os.SameFile(v, st) {
					return nil
				}
			}
			visited = append(visited, st)
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return errors.Wrapf(err, "folder %s", abs)
		}
		d := dirFiles{rel: rel}
		var subdirs []string
		for _, e := range entries {
			name := e.Name()
			isDir, isLink, regular := e.IsDir(), e.Type()&os.ModeSymlink != 0, e.Type().IsRegular()
			if isLink {
				st, err := os.Stat(filepath.Join(abs, name))
				switch {
				case err != nil:
					regular = true // a broken link: os.walk lists it, reading it fails
				case st.IsDir():
					isDir = true
				default:
					regular = st.Mode().IsRegular()
				}
			}
			if isDir {
				if !isLink || followLinks {
					subdirs = append(subdirs, filepath.Join(rel, name))
				}
				continue
			}
			if regular && matchesFormat(name, formats) {
				d.files = append(d.files, name)
			}
		}
		sort.Strings(d.files)
		dirs = append(dirs, d)
		for _, s := range subdirs {
			if err := visit(s); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(""); err != nil {
		return nil, err
	}
	// Python sorts the roots root, root/a, root/a.b, root/a/b, ... as
	// strings; they share the prefix root, so comparing the relative parts
	// ("" first) gives the same order.
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].rel < dirs[j].rel })
	var out []string
	for _, d := range dirs {
		for _, f := range d.files {
			out = append(out, filepath.Join(d.rel, f))
		}
	}
	return out, nil
}

func matchesFormat(name string, formats []string) bool {
	lower := strings.ToLower(name)
	for _, f := range formats {
		if strings.HasSuffix(lower, f) {
			return true
		}
	}
	return false
}

// dataset reads the files idx.paths[from:to] and encodes their labels.
func (c *textDatasetConfig) dataset(idx *textIndex, from, to int) (*TextDataset, error) {
	n := to - from
	ds := &TextDataset{
		Texts:     make([]string, n),
		FilePaths: append([]string(nil), idx.paths[from:to]...),
	}
	for i, p := range ds.FilePaths {
		text, err := readText(p, c.maxLength)
		if err != nil {
			return nil, err
		}
		ds.Texts[i] = text
	}
	if c.labelMode == NoLabels {
		return ds, nil
	}
	ds.ClassNames = append([]string(nil), idx.classNames...)
	labels := idx.labels[from:to]
	switch c.labelMode {
	case LabelsInt:
		data := make([]int32, n)
		for i, l := range labels {
			data[i] = int32(l)
		}
		ds.Labels = tensor.New(tensor.WithShape(n), tensor.WithBacking(data))
	case LabelsCategorical:
		k := len(idx.classNames)
		data := make([]float32, n*k)
		for i, l := range labels {
			data[i*k+l] = 1
		}
		ds.Labels = tensor.New(tensor.WithShape(n, k), tensor.WithBacking(data))
	case LabelsBinary:
		data := make([]float32, n)
		for i, l := range labels {
			data[i] = float32(l)
		}
		ds.Labels = tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(data))
	}
	return ds, nil
}

// readText returns the bytes of the file at path, only the first maxLength
// of them when maxLength >= 0.
func readText(path string, maxLength int) (string, error) {
	if maxLength < 0 {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", errors.Wrap(err, "read")
		}
		return string(b), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", errors.Wrap(err, "read")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(maxLength)))
	if err != nil {
		return "", errors.Wrapf(err, "read %s", path)
	}
	return string(b), nil
}
