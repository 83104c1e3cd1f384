// Command spam_classification is the lecture's text analysis: R keras's
// text-classification tutorial (embedding -> global average pooling ->
// dense -> dense) applied to the SpamAssassin public mail corpus, then the
// same data with a bidirectional LSTM.
//
//	go run ./examples/spam_classification [-data ../shared/data/spam_assassin] [-out out/spam_classification]
//
// -data is a folder of class subfolders, one text file per document (any
// file name; every regular file is read). The SpamAssassin corpus is
// recognised by its five archive folders: easy_ham, easy_ham_2 and
// hard_ham are read as class "ham", spam and spam_2 as class "spam". Any
// other folder needs at least two class subfolders; with two classes the
// model has one sigmoid output, with more a softmax.
//
// A fixed, seeded 80/20 split gives the training and test documents. The
// program saves the fitted TextVectorization and both models to the
// output folder, reloads them and checks that they predict the same, plots
// the training histories, and ends with one machine-readable line for the
// pooling model:
//
//	RESULT test_accuracy=<v> test_auc=<v>
//
// preceded by RESULT_BIDIRECTIONAL with the same figures for the LSTM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

type config struct {
	data      string  // folder of class subfolders
	out       string  // folder for the plots and saved models
	seed      int64   // split, weights, shuffling, dropout
	testSplit float64 // fraction of the documents held out (0.2)
	maxTokens int     // vocabulary size with "" and [UNK] (10000)
	seqLen    int     // tokens kept per document (500: headers and the start of the body)
	maxBytes  int     // bytes read per file (0: all)
	epochs    int     // pooling model (40)
	batch     int     // pooling model (512)
	rnnEpochs int     // bidirectional LSTM (3; 0 skips it)
	rnnBatch  int     // bidirectional LSTM (32)
	rnnRows   int     // training documents for the LSTM (0: all)
	verbose   int
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", defaultData(), "folder of class subfolders (the SpamAssassin corpus: ../shared/data/spam_assassin)")
	flag.StringVar(&c.out, "out", "out/spam_classification", "folder for the plots and the saved models")
	flag.Int64Var(&c.seed, "seed", 42, "seed of the split, the weights and the shuffling")
	flag.Float64Var(&c.testSplit, "test-split", 0.2, "fraction of the documents held out for testing")
	flag.IntVar(&c.maxTokens, "max-tokens", 10000, "vocabulary size, padding and [UNK] included")
	flag.IntVar(&c.seqLen, "seq-len", 500, "tokens kept per document (the rest is cut, shorter mails padded)")
	flag.IntVar(&c.maxBytes, "max-bytes", 0, "bytes read per file (0: the whole file)")
	flag.IntVar(&c.epochs, "epochs", 40, "epochs of the pooling model")
	flag.IntVar(&c.batch, "batch", 512, "batch size of the pooling model")
	flag.IntVar(&c.rnnEpochs, "rnn-epochs", 3, "epochs of the bidirectional LSTM (0 skips it)")
	flag.IntVar(&c.rnnBatch, "rnn-batch", 32, "batch size of the bidirectional LSTM")
	flag.IntVar(&c.verbose, "verbose", 2, "Fit's verbosity: 0 silent, 1 progress bar, 2 one line per epoch")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "spam_classification:", err)
		os.Exit(1)
	}
}

// defaultData is the SpamAssassin corpus in the project's shared data
// folder: $GOKERAS_DATA/spam_assassin, else ../shared/data/spam_assassin
// from the working directory (the project root).
func defaultData() string {
	if d := os.Getenv("GOKERAS_DATA"); d != "" {
		return filepath.Join(d, "spam_assassin")
	}
	return filepath.Join("..", "shared", "data", "spam_assassin")
}

// spamAssassin maps the corpus's five archive folders to two classes.
var spamAssassin = map[string][]string{
	"ham":  {"easy_ham", "easy_ham_2", "hard_ham"},
	"spam": {"spam", "spam_2"},
}

// classesOf returns the ClassFolders option for the SpamAssassin layout,
// or nil when dir is a plain folder of class subfolders, after checking
// that dir exists and has at least two subfolders.
func classesOf(dir string) ([]preprocessing.TextDatasetOption, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errors.Wrapf(err, "the data folder %s (give -data a folder of class subfolders, such as the SpamAssassin corpus's)", dir)
	}
	var sub []string
	for _, e := range entries {
		if e.IsDir() {
			sub = append(sub, e.Name())
		}
	}
	isSA := true
	for _, folders := range spamAssassin {
		for _, f := range folders {
			st, err := os.Stat(filepath.Join(dir, f))
			isSA = isSA && err == nil && st.IsDir()
		}
	}
	if isSA {
		return []preprocessing.TextDatasetOption{preprocessing.ClassFolders(spamAssassin)}, nil
	}
	if len(sub) < 2 {
		return nil, errors.Errorf("the data folder %s has %d class subfolder(s) %v; a classifier needs at least two", dir, len(sub), sub)
	}
	return nil, nil
}

// results are the figures the program reports.
type results struct {
	accuracy, auc       float64 // pooling model on the test documents
	rnnAccuracy, rnnAUC float64 // bidirectional LSTM
}

func run(ctx context.Context, w io.Writer, c config) error {
	start := time.Now()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	// The tutorial's data step, for a folder of texts:
	// raw_train_ds <- text_dataset_from_directory("aclImdb/train", validation_split = 0.2,
	//   subset = "training", seed = seed)
	opts, err := classesOf(c.data)
	if err != nil {
		return err
	}
	opts = append(opts, preprocessing.Formats(""), preprocessing.LabelMode(preprocessing.LabelsInt),
		preprocessing.ShuffleSeed(c.seed), preprocessing.ValidationSplit(c.testSplit),
		preprocessing.Subset(preprocessing.SubsetBoth), preprocessing.Verbose(w))
	if c.maxBytes > 0 {
		opts = append(opts, preprocessing.MaxLength(c.maxBytes))
	}
	train, test, err := preprocessing.TextDatasetFromDirectory(c.data, opts...)
	if err != nil {
		return err
	}
	classes := train.ClassNames
	if len(classes) < 2 {
		return errors.Errorf("%s holds %d class(es) %v; a classifier needs at least two", c.data, len(classes), classes)
	}
	fmt.Fprintf(w, "classes %v; %d training and %d test documents (%s)\n", classes, len(train.Texts), len(test.Texts), countLabels(train, test))
	fmt.Fprintf(w, "a training document (%s), first 160 bytes: %q\n", classes[labelOf(train, 0)], firstBytes(train.Texts[0], 160))

	// vectorize_layer <- layer_text_vectorization(max_tokens = max_features,
	//   output_mode = "int", output_sequence_length = sequence_length)
	// vectorize_layer %>% adapt(train_text)
	vectorizer, err := preprocessing.NewTextVectorization(preprocessing.MaxTokens(c.maxTokens), preprocessing.OutputSequenceLength(c.seqLen))
	if err != nil {
		return err
	}
	if err := vectorizer.Adapt(train.Texts); err != nil {
		return err
	}
	vocab := vectorizer.Vocabulary()
	fmt.Fprintf(w, "vocabulary: %d tokens; the most frequent: %q\n", vectorizer.VocabularySize(), vocab[2:12])
	xTrain, err := vectorizer.Call(train.Texts)
	if err != nil {
		return err
	}
	xTest, err := vectorizer.Call(test.Texts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "x_train %v: %v ...\n", xTrain.Shape(), xTrain.Data().([]int64)[:12])
	yTrain, yTest := labels(train, len(classes)), labels(test, len(classes))

	var r results
	// The tutorial's model:
	// model <- keras_model_sequential() %>%
	//   layer_embedding(input_dim = vocab_size, output_dim = 16) %>%
	//   layer_global_average_pooling_1d() %>%
	//   layer_dense(units = 16, activation = "relu") %>%
	//   layer_dense(units = 1, activation = "sigmoid")
	pooling, err := newModel(c, len(classes),
		layers.Embedding(c.maxTokens, 16, layers.MaskZero(true)),
		layers.GlobalAveragePooling1D(),
		layers.Dense(16, layers.Activation("relu")),
	)
	if err != nil {
		return err
	}
	if err := pooling.Summary(w); err != nil {
		return err
	}
	// history <- model %>% fit(partial_x_train, partial_y_train, epochs = 40,
	//   batch_size = 512, validation_data = list(x_val, y_val), verbose = 1)
	if r.accuracy, r.auc, err = fitAndTest(ctx, w, c, "pooling", pooling, c.epochs, c.batch, xTrain, yTrain, xTest, yTest, len(classes)); err != nil {
		return err
	}

	if c.rnnEpochs > 0 {
		// The same data through a recurrent reader: the padded positions
		// are masked (mask_zero), so the LSTMs read each mail's own tokens.
		rnn, err := newModel(c, len(classes),
			layers.Embedding(c.maxTokens, 32, layers.MaskZero(true)),
			layers.Bidirectional(layers.LSTM(32)),
		)
		if err != nil {
			return err
		}
		if err := rnn.Summary(w); err != nil {
			return err
		}
		xr, yr := xTrain, yTrain
		if c.rnnRows > 0 && c.rnnRows < xTrain.Shape()[0] {
			if xr, err = preprocessing.Take(xTrain, seq(c.rnnRows)); err != nil {
				return err
			}
			if yr, err = preprocessing.Take(yTrain, seq(c.rnnRows)); err != nil {
				return err
			}
		}
		if r.rnnAccuracy, r.rnnAUC, err = fitAndTest(ctx, w, c, "bidirectional", rnn, c.rnnEpochs, c.rnnBatch, xr, yr, xTest, yTest, len(classes)); err != nil {
			return err
		}
	}

	// Save the vectorizer and the model, load both back and classify two
	// test mails from their raw text.
	if err := saveAndReload(ctx, w, c, vectorizer, pooling, test, classes); err != nil {
		return err
	}
	fmt.Fprintf(w, "done in %.1f s; plots and models in %s\n", time.Since(start).Seconds(), c.out)
	if c.rnnEpochs > 0 {
		fmt.Fprintf(w, "RESULT_BIDIRECTIONAL test_accuracy=%.4f test_auc=%.4f\n", r.rnnAccuracy, r.rnnAUC)
	}
	fmt.Fprintf(w, "RESULT test_accuracy=%.4f test_auc=%.4f\n", r.accuracy, r.auc)
	return nil
}

// newModel stacks body on an int64 token input of c.seqLen steps and adds
// the output layer: one sigmoid unit for two classes, a softmax for more;
// compiled with Adam and the matching cross-entropy.
func newModel(c config, classes int, body ...layers.Layer) (*keras.Model, error) {
	in := keras.Input([]int{c.seqLen}, keras.InputDtype(tensor.Int64), keras.InputName("tokens"))
	h := in
	for _, l := range body {
		h = l.LayerBase().Apply(h)
	}
	var out *keras.Tensor
	loss, metrics := "binary_crossentropy", []any{"accuracy", "auc"}
	if classes == 2 {
		out = layers.Dense(1, layers.Activation("sigmoid")).Apply(h)
	} else {
		out = layers.Dense(classes, layers.Activation("softmax")).Apply(h)
		loss, metrics = "sparse_categorical_crossentropy", []any{"accuracy"}
	}
	m, err := keras.NewModel([]*keras.Tensor{in}, []*keras.Tensor{out})
	if err != nil {
		return nil, err
	}
	if err := m.SetSeed(c.seed); err != nil {
		return nil, err
	}
	// model %>% compile(optimizer = 'adam', loss = 'binary_crossentropy',
	//   metrics = list('accuracy'))
	if err := m.Compile(keras.Optimizer("adam"), keras.Loss(loss), keras.Metrics(metrics...)); err != nil {
		return nil, err
	}
	return m, nil
}

// fitAndTest trains m (20% of the training documents for validation, the
// last ones, already shuffled), plots its history, and returns its test
// accuracy and AUC (one-vs-rest, averaged over classes, for more than two
// classes).
func fitAndTest(ctx context.Context, w io.Writer, c config, name string, m *keras.Model, epochs, batch int,
	x, y, xt, yt *tensor.Dense, classes int) (acc, auc float64, err error) {
	t0 := time.Now()
	h, err := m.Fit(ctx, x, y, keras.Epochs(epochs), keras.BatchSize(batch), keras.ValidationSplit(0.2), keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return 0, 0, err
	}
	fitTime := time.Since(t0)
	// plot(history)
	if err := historyplot.Save(filepath.Join(c.out, name+"_history.png"), h, historyplot.Metrics("loss", "accuracy"),
		historyplot.Title("SpamAssassin: "+name+" model")); err != nil {
		return 0, 0, err
	}
	// results <- model %>% evaluate(test_data, test_labels, verbose = 0)
	score, err := m.Evaluate(ctx, xt, yt, keras.Verbose(0))
	if err != nil {
		return 0, 0, err
	}
	p, err := m.Predict(ctx, xt, keras.Verbose(0))
	if err != nil {
		return 0, 0, err
	}
	acc, auc = score["accuracy"], rocAUC(p, yt, classes)
	fmt.Fprintf(w, "%s model: test loss %.4f, accuracy %.4f, AUC %.4f (Keras's 200-threshold auc %.4f); fit %.1f s\n",
		name, score["loss"], acc, auc, score["auc"], fitTime.Seconds())
	return acc, auc, nil
}

// saveAndReload saves the vectorizer and the model, loads them back and
// checks that the loaded pair classifies raw test texts exactly as the
// original pair does.
func saveAndReload(ctx context.Context, w io.Writer, c config, tv *preprocessing.TextVectorization, m *keras.Model,
	test *preprocessing.TextDataset, classes []string) error {
	tvPath := filepath.Join(c.out, "vectorizer.json")
	f, err := os.Create(tvPath)
	if err != nil {
		return err
	}
	if err := tv.Save(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	modelPath := filepath.Join(c.out, "spam_pooling.gokeras")
	if err := m.Save(modelPath); err != nil {
		return err
	}
	f, err = os.Open(tvPath)
	if err != nil {
		return err
	}
	tv2, err := preprocessing.LoadTextVectorization(f)
	f.Close()
	if err != nil {
		return err
	}
	m2, err := keras.LoadModel(modelPath)
	if err != nil {
		return err
	}
	texts := test.Texts[:min(8, len(test.Texts))]
	predict := func(tv *preprocessing.TextVectorization, m *keras.Model) ([]float32, error) {
		x, err := tv.Call(texts)
		if err != nil {
			return nil, err
		}
		p, err := m.Predict(ctx, x, keras.Verbose(0))
		if err != nil {
			return nil, err
		}
		return p.Data().([]float32), nil
	}
	a, err := predict(tv, m)
	if err != nil {
		return err
	}
	b, err := predict(tv2, m2)
	if err != nil {
		return err
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return errors.Errorf("the reloaded vectorizer and model predict %v, the originals %v", b, a)
		}
	}
	fmt.Fprintf(w, "saved %s and %s; reloaded, they predict the same for %d raw test texts: ", tvPath, modelPath, len(texts))
	width := len(a) / len(texts)
	for i := range texts {
		fmt.Fprintf(w, "%s %.3f; ", classes[labelOf(test, i)], a[i*width+width-1])
	}
	fmt.Fprintln(w)
	return nil
}

// labels returns the labels as Fit wants them: (N, 1) float32 0/1 for two
// classes, the int32 class indices otherwise.
func labels(ds *preprocessing.TextDataset, classes int) *tensor.Dense {
	if classes > 2 {
		return ds.Labels
	}
	l := ds.Labels.Data().([]int32)
	y := make([]float32, len(l))
	for i, v := range l {
		y[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(len(l), 1), tensor.WithBacking(y))
}

func labelOf(ds *preprocessing.TextDataset, i int) int32 { return ds.Labels.Data().([]int32)[i] }

func countLabels(train, test *preprocessing.TextDataset) string {
	var parts []string
	for k, name := range train.ClassNames {
		n := 0
		for _, ds := range []*preprocessing.TextDataset{train, test} {
			for _, v := range ds.Labels.Data().([]int32) {
				if int(v) == k {
					n++
				}
			}
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	return strings.Join(parts, ", ")
}

func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// rocAUC is the exact area under the ROC curve (the probability that a
// random positive document scores above a random negative one, ties
// counting half) of predictions p for labels y: the sigmoid output for
// two classes, the mean over classes of each softmax column against the
// rest for more.
func rocAUC(p tensor.Tensor, y *tensor.Dense, classes int) float64 {
	scores := p.Data().([]float32)
	n := y.Shape()[0]
	label := make([]int, n)
	switch d := y.Data().(type) {
	case []float32:
		for i, v := range d {
			label[i] = int(v)
		}
	case []int32:
		for i, v := range d {
			label[i] = int(v)
		}
	}
	if classes == 2 {
		return binaryAUC(scores, label, 1)
	}
	sum := 0.0
	for k := 0; k < classes; k++ {
		col := make([]float32, n)
		for i := range col {
			col[i] = scores[i*classes+k]
		}
		sum += binaryAUC(col, label, k)
	}
	return sum / float64(classes)
}

func binaryAUC(s []float32, label []int, positive int) float64 {
	idx := seq(len(s))
	sort.Slice(idx, func(a, b int) bool { return s[idx[a]] < s[idx[b]] })
	// Mann-Whitney: the sum of the positives' ranks (mid-ranks for ties).
	var rankSum float64
	pos := 0
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && s[idx[j]] == s[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if label[idx[k]] == positive {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := len(s) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}
