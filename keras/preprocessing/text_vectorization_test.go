package preprocessing_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/preprocessing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// corpus is the fixed corpus of the TextVectorization tests. With Keras's
// defaults (lower_and_strip_punctuation, whitespace) its documents are
//
//	the cat sat on the mat
//	the dog ate my homework
//	a cat and a dog
//	Éclair café the best        (ASCII lowercasing leaves "É" alone)
//
// Token counts: the 4; dog, cat, a 2; every other token 1. Keras orders by
// count, ties by descending token bytes (index_lookup.py finalize_state:
// np.lexsort((tokens, counts))[::-1]): the; dog > cat > a; "Éclair" (0xC3
// first) > sat > on > my > mat > homework > café > best > ate > and.
var corpus = []string{
	"The cat sat on the mat.",
	"The dog ate my homework!",
	"A cat and a dog.",
	"Éclair, café: THE best?",
}

var corpusVocabulary = []string{"the", "dog", "cat", "a", "Éclair", "sat", "on", "my", "mat", "homework", "café", "best", "ate", "and"}

func newTV(t *testing.T, opts ...preprocessing.TextVectorizationOption) *preprocessing.TextVectorization {
	t.Helper()
	tv, err := preprocessing.NewTextVectorization(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tv
}

func adapted(t *testing.T, texts []string, opts ...preprocessing.TextVectorizationOption) *preprocessing.TextVectorization {
	t.Helper()
	tv := newTV(t, opts...)
	if err := tv.Adapt(texts); err != nil {
		t.Fatal(err)
	}
	return tv
}

func callInt64(t *testing.T, tv *preprocessing.TextVectorization, texts []string) ([]int, []int64) {
	t.Helper()
	out, err := tv.Call(texts)
	if err != nil {
		t.Fatal(err)
	}
	if out.Dtype() != tensor.Int64 {
		t.Fatalf("dtype %v, want int64 (Keras's int output)", out.Dtype())
	}
	return out.Shape(), out.Data().([]int64)
}

func callFloat32(t *testing.T, tv *preprocessing.TextVectorization, texts []string) ([]int, []float32) {
	t.Helper()
	out, err := tv.Call(texts)
	if err != nil {
		t.Fatal(err)
	}
	if out.Dtype() != tensor.Float32 {
		t.Fatalf("dtype %v, want float32", out.Dtype())
	}
	return out.Shape(), out.Data().([]float32)
}

func TestTextVectorizationAdaptOrder(t *testing.T) {
	tv := adapted(t, corpus)
	want := append([]string{"", "[UNK]"}, corpusVocabulary...)
	if got := tv.Vocabulary(); !reflect.DeepEqual(got, want) {
		t.Fatalf("vocabulary\n%q\nwant\n%q", got, want)
	}
	if got := tv.Vocabulary(preprocessing.IncludeSpecialTokens(false)); !reflect.DeepEqual(got, corpusVocabulary) {
		t.Errorf("without special tokens: %q", got)
	}
	if tv.VocabularySize() != 16 {
		t.Errorf("size %d, want 16", tv.VocabularySize())
	}
	// Keras's StringLookup docstring: adapting [["a","c","d"],["d","z","b"]]
	// gives ['[UNK]', 'd', 'z', 'c', 'b', 'a'] (count, then inverse order).
	sl := adapted(t, []string{"a c d", "d z b"}, preprocessing.OutputMode(preprocessing.OutputMultiHot))
	if got := sl.Vocabulary(); !reflect.DeepEqual(got, []string{"[UNK]", "d", "z", "c", "b", "a"}) {
		t.Errorf("StringLookup example: %q", got)
	}
	// Keras's TextVectorization docstring example.
	ex := adapted(t, []string{"foo bar", "bar baz", "baz bada boom"}, preprocessing.MaxTokens(5000), preprocessing.OutputSequenceLength(4))
	shape, data := callInt64(t, ex, []string{"foo qux bar", "qux baz"})
	if !reflect.DeepEqual(shape, []int{2, 4}) || !reflect.DeepEqual(data, []int64{4, 1, 3, 0, 1, 2, 0, 0}) {
		t.Errorf("docstring example: %v %v, want [[4 1 3 0] [1 2 0 0]]", shape, data)
	}
}

func TestTextVectorizationIntMode(t *testing.T) {
	tv := adapted(t, corpus)
	// the 2, dog 3, cat 4, a 5, Éclair 6, sat 7, on 8, my 9, mat 10, ...
	for _, c := range []struct {
		name  string
		opts  []preprocessing.TextVectorizationOption
		texts []string
		shape []int
		want  []int64
	}{
		// Width of the longest row; padding 0 at the end (to_tensor).
		{"ragged to dense", nil, []string{"The cat sat on the mat.", "a bird!"}, []int{2, 6}, []int64{2, 4, 7, 8, 2, 10, 5, 1, 0, 0, 0, 0}},
		// OutputSequenceLength cuts at the end and pads at the end.
		{"truncate and pad", []preprocessing.TextVectorizationOption{preprocessing.OutputSequenceLength(4)}, []string{"The cat sat on the mat.", "a bird!"}, []int{2, 4}, []int64{2, 4, 7, 8, 5, 1, 0, 0}},
		{"wider than every row", []preprocessing.TextVectorizationOption{preprocessing.OutputSequenceLength(3)}, []string{"dog", ""}, []int{2, 3}, []int64{3, 0, 0, 0, 0, 0}},
		// ASCII-only lowercasing: "ÉCLAIR" -> "Éclair" (index 6), but
		// "éclair" is another token (OOV 1), as in Keras.
		{"unicode case", nil, []string{"ÉCLAIR éclair CAFÉ café"}, []int{1, 4}, []int64{6, 1, 1, 12}},
		// Punctuation is deleted, not replaced by a space: "e-mail" -> "email".
		{"punctuation everywhere", nil, []string{"(the) [dog]! \"a\" e-mail"}, []int{1, 4}, []int64{2, 3, 5, 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tv := tv
			if c.opts != nil {
				tv = adapted(t, corpus, c.opts...)
			}
			shape, data := callInt64(t, tv, c.texts)
			if !reflect.DeepEqual(shape, c.shape) || !reflect.DeepEqual(data, c.want) {
				t.Errorf("got %v %v, want %v %v", shape, data, c.shape, c.want)
			}
		})
	}
	rows, err := tv.CallRagged([]string{"the cat", "", "zebra the"})
	if err != nil || !reflect.DeepEqual(rows, [][]int{{2, 4}, {}, {1, 2}}) {
		t.Errorf("CallRagged: %v %v", rows, err)
	}
	cut := adapted(t, corpus, preprocessing.OutputSequenceLength(1))
	if rows, err := cut.CallRagged([]string{"the cat", ""}); err != nil || !reflect.DeepEqual(rows, [][]int{{2}, {}}) {
		t.Errorf("CallRagged with OutputSequenceLength(1): %v %v", rows, err)
	}
}

func TestTextVectorizationMaxTokens(t *testing.T) {
	// int mode: "" and "[UNK]" count, so MaxTokens(5) keeps 3 learned tokens.
	tv := adapted(t, corpus, preprocessing.MaxTokens(5))
	if got := tv.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "the", "dog", "cat"}) {
		t.Errorf("int: %q", got)
	}
	_, data := callInt64(t, tv, []string{"a cat"})
	if !reflect.DeepEqual(data, []int64{1, 4}) {
		t.Errorf("a cat -> %v, want [1 4] (a was cut)", data)
	}
	// Other modes: only "[UNK]" is reserved, so 4 learned tokens.
	mh := adapted(t, corpus, preprocessing.MaxTokens(5), preprocessing.OutputMode(preprocessing.OutputCount))
	if got := mh.Vocabulary(); !reflect.DeepEqual(got, []string{"[UNK]", "the", "dog", "cat", "a"}) {
		t.Errorf("count: %q", got)
	}
	// A limit above the number of tokens changes nothing.
	big := adapted(t, corpus, preprocessing.MaxTokens(1000))
	if big.VocabularySize() != 16 {
		t.Errorf("MaxTokens(1000): size %d", big.VocabularySize())
	}
}

func TestTextVectorizationMultiHotAndCount(t *testing.T) {
	// Vocabulary: [UNK] 0, the 1, dog 2, cat 3, a 4, Éclair 5, ... (15).
	texts := []string{"the cat the bird", "dog dog dog", ""}
	mh := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputMultiHot))
	shape, data := callFloat32(t, mh, texts)
	want := make([]float32, 3*15)
	want[0], want[1], want[3] = 1, 1, 1 // bird is OOV
	want[15+2] = 1
	if !reflect.DeepEqual(shape, []int{3, 15}) || !reflect.DeepEqual(data, want) {
		t.Errorf("multi_hot %v\n%v\nwant\n%v", shape, data, want)
	}
	ct := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputCount))
	_, data = callFloat32(t, ct, texts)
	want[1], want[15+2] = 2, 3
	if !reflect.DeepEqual(data, want) {
		t.Errorf("count\n%v\nwant\n%v", data, want)
	}
	// PadToMaxTokens widens to MaxTokens.
	pad := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputMultiHot), preprocessing.MaxTokens(20), preprocessing.PadToMaxTokens(true))
	if shape, _ := callFloat32(t, pad, texts); !reflect.DeepEqual(shape, []int{3, 20}) {
		t.Errorf("pad_to_max_tokens: shape %v, want (3, 20)", shape)
	}
	// The padding token "" is dropped outside int mode (index_lookup.py:
	// mask_value is int64 max and bincount/one_hot skip it).
	ns := adapted(t, []string{"x", "y"}, preprocessing.SplitText(preprocessing.NoSplit), preprocessing.OutputMode(preprocessing.OutputCount))
	if _, data := callFloat32(t, ns, []string{"", "x"}); !reflect.DeepEqual(data, []float32{0, 0, 0, 0, 0, 1}) {
		t.Errorf("empty token: %v", data)
	}
}

func TestTextVectorizationTFIDF(t *testing.T) {
	tv := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputTFIDF))
	// 4 documents; document counts: the 3, dog 2, cat 2, every other 1.
	// idf = log(1 + 4/(1+df)) (index_lookup.py _inverse_document_frequency):
	// the: log 2 = 0.6931472; dog, cat: log(7/3) = 0.84729785; the rest
	// log 3 = 1.0986123 (float32). [UNK] gets the mean of the 14 float32
	// weights, (0.6931472 + 2*0.84729785 + 11*1.0986123)/14 = 1.0337484.
	l2, l73, l3 := float32(0.6931472), float32(0.84729785), float32(1.0986123)
	oov := float32(1.0337484)
	want := []float32{oov, l2, l73, l73, l3, l3, l3, l3, l3, l3, l3, l3, l3, l3, l3}
	if got := tv.IDFWeights(); !reflect.DeepEqual(got, want) {
		t.Fatalf("idf weights\n%v\nwant\n%v", got, want)
	}
	// count * weight in float32: bird (OOV) 1x, the 2x, cat 3x.
	_, data := callFloat32(t, tv, []string{"the cat the cat cat bird"})
	wantRow := make([]float32, 15)
	wantRow[0], wantRow[1], wantRow[3] = oov, 1.3862944, 2.5418935
	if !reflect.DeepEqual(data, wantRow) {
		t.Errorf("tf_idf row\n%v\nwant\n%v", data, wantRow)
	}
	// PadToMaxTokens pads the weights with zeros (finalize_state).
	pad := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputTFIDF), preprocessing.MaxTokens(18), preprocessing.PadToMaxTokens(true))
	if w := pad.IDFWeights(); len(w) != 18 || w[15] != 0 || w[17] != 0 || w[0] != oov {
		t.Errorf("padded weights %v", w)
	}
}

func TestTextVectorizationGivenVocabulary(t *testing.T) {
	// Keras's TextVectorization docstring: the reserved tokens are added.
	tv := newTV(t, preprocessing.Vocabulary([]string{"earth", "wind", "and", "fire"}), preprocessing.OutputSequenceLength(4))
	if got := tv.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "earth", "wind", "and", "fire"}) {
		t.Errorf("vocabulary %q", got)
	}
	if _, data := callInt64(t, tv, []string{"Earth, wind & fire and water"}); !reflect.DeepEqual(data, []int64{2, 3, 5, 4}) {
		t.Errorf("lookup %v", data)
	}
	if err := tv.Adapt(corpus); err == nil || !strings.Contains(err.Error(), "Vocabulary option") {
		t.Errorf("Adapt after Vocabulary: %v", err)
	}
	// Reserved tokens given in Keras's order are recognised, not repeated.
	same := newTV(t, preprocessing.Vocabulary([]string{"", "[UNK]", "earth"}))
	if got := same.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "earth"}) {
		t.Errorf("with reserved tokens: %q", got)
	}
	// StringLookup's tf_idf docstring examples: without "[UNK]" the OOV
	// weight is the mean 0.5; with it, the given 0.9.
	texts := []string{"a c d d", "d z b z"}
	for _, c := range []struct {
		vocab []string
		idf   []float64
		want  []float32
	}{
		{[]string{"a", "b", "c", "d"}, []float64{0.25, 0.75, 0.6, 0.4}, []float32{0, 0.25, 0, 0.6, 0.8, 1.0, 0, 0.75, 0, 0.4}},
		{[]string{"[UNK]", "a", "b", "c", "d"}, []float64{0.9, 0.25, 0.75, 0.6, 0.4}, []float32{0, 0.25, 0, 0.6, 0.8, 1.8, 0, 0.75, 0, 0.4}},
	} {
		tf := newTV(t, preprocessing.OutputMode(preprocessing.OutputTFIDF), preprocessing.Vocabulary(c.vocab), preprocessing.IDFWeights(c.idf))
		if _, data := callFloat32(t, tf, texts); !reflect.DeepEqual(data, c.want) {
			t.Errorf("tf_idf %q: %v, want %v", c.vocab, data, c.want)
		}
	}
	// SetVocabulary replaces an adapted vocabulary and allows a later Adapt.
	ad := adapted(t, corpus)
	if err := ad.SetVocabulary([]string{"x", "y"}, nil); err != nil {
		t.Fatal(err)
	}
	if ad.VocabularySize() != 4 {
		t.Errorf("size after SetVocabulary: %d", ad.VocabularySize())
	}
	if err := ad.Adapt(corpus); err != nil || ad.VocabularySize() != 16 {
		t.Errorf("Adapt after SetVocabulary: %v, size %d", err, ad.VocabularySize())
	}
}

func TestTextVectorizationSplitAndNGrams(t *testing.T) {
	// NGrams(2): doc 1 "a b c" -> a b c "a b" "b c"; doc 2 -> b c d "b c" "c d".
	// Counts 2: c, "b c", b (descending bytes: "c" > "b c" > "b"); counts 1:
	// d > "c d" > "a b" > a.
	tv := adapted(t, []string{"A b c", "b c d"}, preprocessing.NGrams(2))
	want := []string{"", "[UNK]", "c", "b c", "b", "d", "c d", "a b", "a"}
	if got := tv.Vocabulary(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ngram vocabulary %q", got)
	}
	// All 1-grams first, then all 2-grams (tf.strings.ngrams order).
	if rows, err := tv.CallRagged([]string{"a b c"}); err != nil || !reflect.DeepEqual(rows, [][]int{{8, 4, 2, 7, 3}}) {
		t.Errorf("ngram indices %v %v", rows, err)
	}
	bi := adapted(t, []string{"a b c"}, preprocessing.NGramSizes(2))
	if got := bi.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "b c", "a b"}) {
		t.Errorf("bigrams only %q", got)
	}
	// Character split without standardisation: a 2; then ç (0xC3) > b > !.
	ch := adapted(t, []string{"aba", "ç!"}, preprocessing.SplitText(preprocessing.SplitCharacter), preprocessing.StandardizeText(preprocessing.NoStandardization))
	if got := ch.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "a", "ç", "b", "!"}) {
		t.Errorf("characters %q", got)
	}
	// No split: each text is one token; "" is the padding token (index 0).
	ns := adapted(t, []string{"a b", "a b", "c"}, preprocessing.SplitText(preprocessing.NoSplit))
	if got := ns.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "a b", "c"}) {
		t.Errorf("no split %q", got)
	}
	if shape, data := callInt64(t, ns, []string{"A B!", "x", ""}); !reflect.DeepEqual(shape, []int{3, 1}) || !reflect.DeepEqual(data, []int64{2, 1, 0}) {
		t.Errorf("no split call %v %v", shape, data)
	}
	// Modes of standardize.
	for _, c := range []struct {
		mode preprocessing.StandardizeMode
		want []string
	}{
		{preprocessing.Lower, []string{"", "[UNK]", "the", "cat."}},
		{preprocessing.StripPunctuation, []string{"", "[UNK]", "The", "Cat"}},
		{preprocessing.NoStandardization, []string{"", "[UNK]", "The", "Cat."}},
	} {
		got := adapted(t, []string{"The The Cat."}, preprocessing.StandardizeText(c.mode)).Vocabulary()
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %q, want %q", c.mode, got, c.want)
		}
	}
	// Functions replace the built-in steps.
	fn := adapted(t, []string{"b,a,a"}, preprocessing.StandardizeFunc(strings.ToUpper), preprocessing.SplitFunc(func(s string) []string { return strings.Split(s, ",") }))
	if got := fn.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]", "A", "B"}) {
		t.Errorf("functions %q", got)
	}
	// A panicking function is an error, not a crash.
	boom := newTV(t, preprocessing.SplitFunc(func(string) []string { panic("boom") }))
	if err := boom.Adapt([]string{"x"}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panicking split: %v", err)
	}
}

func TestTextVectorizationErrors(t *testing.T) {
	p := preprocessing.OutputMode
	for _, c := range []struct {
		name string
		opts []preprocessing.TextVectorizationOption
		want string
	}{
		{"max tokens", []preprocessing.TextVectorizationOption{preprocessing.MaxTokens(1)}, "MaxTokens(1): want > 1"},
		{"sequence length outside int", []preprocessing.TextVectorizationOption{preprocessing.OutputSequenceLength(3), p(preprocessing.OutputCount)}, "only valid with OutputMode(OutputInt), not count"},
		{"pad without max", []preprocessing.TextVectorizationOption{preprocessing.PadToMaxTokens(true)}, "needs MaxTokens"},
		{"idf outside tf_idf", []preprocessing.TextVectorizationOption{preprocessing.Vocabulary([]string{"a"}), preprocessing.IDFWeights([]float64{1})}, "only valid with OutputMode(OutputTFIDF)"},
		{"tf_idf vocabulary without idf", []preprocessing.TextVectorizationOption{p(preprocessing.OutputTFIDF), preprocessing.Vocabulary([]string{"a"})}, "needs IDFWeights"},
		{"idf length", []preprocessing.TextVectorizationOption{p(preprocessing.OutputTFIDF), preprocessing.Vocabulary([]string{"a", "b"}), preprocessing.IDFWeights([]float64{1})}, "1 IDF weights for a vocabulary of 2 tokens"},
		{"idf NaN", []preprocessing.TextVectorizationOption{p(preprocessing.OutputTFIDF), preprocessing.Vocabulary([]string{"a"}), preprocessing.IDFWeights([]float64{math.NaN()})}, "want a finite number"},
		{"duplicates", []preprocessing.TextVectorizationOption{preprocessing.Vocabulary([]string{"a", "b", "a", "b"})}, `repeats tokens ["a" "b"]`},
		{"padding token inside", []preprocessing.TextVectorizationOption{preprocessing.Vocabulary([]string{"a", ""})}, `reserved token "" at index 1`},
		{"oov token inside", []preprocessing.TextVectorizationOption{preprocessing.Vocabulary([]string{"[UNK]", "a"})}, `reserved token "[UNK]" at index 0`},
		{"too large", []preprocessing.TextVectorizationOption{preprocessing.MaxTokens(3), preprocessing.Vocabulary([]string{"a", "b"})}, "4 entries (with the reserved tokens) exceeds MaxTokens(3)"},
		{"empty vocabulary", []preprocessing.TextVectorizationOption{preprocessing.Vocabulary(nil)}, "empty vocabulary"},
		{"ngrams", []preprocessing.TextVectorizationOption{preprocessing.NGrams(0)}, "NGrams(0)"},
		{"ngram sizes", []preprocessing.TextVectorizationOption{preprocessing.NGramSizes(1, 0)}, "sizes must be >= 1"},
		{"nil function", []preprocessing.TextVectorizationOption{preprocessing.StandardizeFunc(nil)}, "StandardizeFunc(nil)"},
		{"nil option", []preprocessing.TextVectorizationOption{nil}, "option 0 is nil"},
		{"bad mode", []preprocessing.TextVectorizationOption{p(preprocessing.TextOutputMode(9))}, "unknown mode"},
	} {
		_, err := preprocessing.NewTextVectorization(c.opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "preprocessing: NewTextVectorization") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	tv := newTV(t)
	if _, err := tv.Call([]string{"x"}); err == nil || !strings.Contains(err.Error(), "no vocabulary") {
		t.Errorf("Call before Adapt: %v", err)
	}
	if got := tv.Vocabulary(); !reflect.DeepEqual(got, []string{"", "[UNK]"}) || tv.VocabularySize() != 2 {
		t.Errorf("vocabulary before Adapt: %q", got)
	}
	for _, c := range []struct {
		corpus []string
		want   string
	}{
		{nil, "empty corpus"},
		{[]string{"", " !? "}, "the 2 texts hold no tokens"},
	} {
		if err := tv.Adapt(c.corpus); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Adapt(%q): %v", c.corpus, err)
		}
	}
	a := adapted(t, corpus)
	if _, err := a.Call(nil); err == nil || !strings.Contains(err.Error(), "no texts") {
		t.Errorf("Call(nil): %v", err)
	}
	if _, err := a.Call([]string{"", "..."}); err == nil || !strings.Contains(err.Error(), "none of the 2 texts has a token") {
		t.Errorf("Call without tokens: %v", err)
	}
	mh := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputMultiHot))
	if _, err := mh.CallRagged([]string{"x"}); err == nil || !strings.Contains(err.Error(), "only valid with OutputMode(OutputInt)") {
		t.Errorf("CallRagged in multi_hot: %v", err)
	}
	if err := mh.SetVocabulary([]string{"a"}, []float64{1}); err == nil || !strings.Contains(err.Error(), "only valid with OutputTFIDF") {
		t.Errorf("SetVocabulary with weights: %v", err)
	}
}

// TestTextVectorizationSaveRoundTrip saves and loads every mode and checks
// that the loaded copy gives identical outputs, bit for bit.
func TestTextVectorizationSaveRoundTrip(t *testing.T) {
	texts := append([]string{"the cat the cat cat bird", "Éclair? café!", ""}, corpus...)
	for _, c := range []struct {
		name string
		opts []preprocessing.TextVectorizationOption
	}{
		{"int", []preprocessing.TextVectorizationOption{preprocessing.OutputSequenceLength(5)}},
		{"int ngrams max tokens", []preprocessing.TextVectorizationOption{preprocessing.NGrams(2), preprocessing.MaxTokens(12)}},
		{"multi_hot character", []preprocessing.TextVectorizationOption{preprocessing.OutputMode(preprocessing.OutputMultiHot), preprocessing.SplitText(preprocessing.SplitCharacter)}},
		{"count padded", []preprocessing.TextVectorizationOption{preprocessing.OutputMode(preprocessing.OutputCount), preprocessing.MaxTokens(30), preprocessing.PadToMaxTokens(true)}},
		{"tf_idf", []preprocessing.TextVectorizationOption{preprocessing.OutputMode(preprocessing.OutputTFIDF), preprocessing.StandardizeText(preprocessing.Lower)}},
		{"tf_idf no split", []preprocessing.TextVectorizationOption{preprocessing.OutputMode(preprocessing.OutputTFIDF), preprocessing.SplitText(preprocessing.NoSplit), preprocessing.StandardizeText(preprocessing.NoStandardization)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tv := adapted(t, corpus, c.opts...)
			var buf bytes.Buffer
			if err := tv.Save(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := preprocessing.LoadTextVectorization(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			sameOutputs(t, tv, back, texts)
			var again bytes.Buffer
			if err := back.Save(&again); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("second save differs: %v\n%s\n%s", err, buf.Bytes(), again.Bytes())
			}
		})
	}
	// A given vocabulary stays non-adaptable after a round trip.
	given := newTV(t, preprocessing.Vocabulary([]string{"a", "b"}))
	b, err := given.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back preprocessing.TextVectorization
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if err := back.Adapt(corpus); err == nil {
		t.Error("a loaded given vocabulary could be adapted")
	}
	// Tokens that are not valid UTF-8 survive (base64 form).
	raw := adapted(t, []string{"caf\xe9 ok", "caf\xe9"}, preprocessing.StandardizeText(preprocessing.NoStandardization))
	b, err = raw.MarshalJSON()
	if err != nil || !bytes.Contains(b, []byte(`"vocabulary":null`)) || !bytes.Contains(b, []byte("vocabulary_base64")) {
		t.Fatalf("invalid UTF-8 vocabulary: %v %s", err, b)
	}
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, raw, &back, []string{"caf\xe9 ok caf\xc3\xa9"})
	// Never-adapted layers round-trip too.
	fresh := newTV(t, preprocessing.MaxTokens(9))
	b, err = fresh.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := back.UnmarshalJSON(b); err != nil || back.VocabularySize() != 2 {
		t.Errorf("fresh: %v %d", err, back.VocabularySize())
	}
}

func sameOutputs(t *testing.T, a, b *preprocessing.TextVectorization, texts []string) {
	t.Helper()
	if !reflect.DeepEqual(a.Vocabulary(), b.Vocabulary()) || !reflect.DeepEqual(a.IDFWeights(), b.IDFWeights()) {
		t.Fatalf("vocabulary or weights differ:\n%q %v\n%q %v", a.Vocabulary(), a.IDFWeights(), b.Vocabulary(), b.IDFWeights())
	}
	x, err := a.Call(texts)
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Call(texts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x.Shape(), y.Shape()) || !reflect.DeepEqual(x.Data(), y.Data()) {
		t.Errorf("outputs differ after load:\n%v\n%v", x, y)
	}
	if f, ok := x.Data().([]float32); ok {
		g := y.Data().([]float32)
		for i := range f {
			if math.Float32bits(f[i]) != math.Float32bits(g[i]) {
				t.Fatalf("bit difference at %d", i)
			}
		}
	}
}

// TestTextVectorizationGolden pins the saved JSON format.
func TestTextVectorizationGolden(t *testing.T) {
	tv := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputTFIDF), preprocessing.NGramSizes(1), preprocessing.MaxTokens(8))
	var buf bytes.Buffer
	if err := tv.Save(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "text_vectorization_tfidf.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestTextVectorizationGolden -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("saved form changed:\n%s\nwant\n%s", buf.Bytes(), want)
	}
}

func TestTextVectorizationSaveErrors(t *testing.T) {
	fn := adapted(t, corpus, preprocessing.StandardizeFunc(strings.ToLower))
	var buf bytes.Buffer
	if err := fn.Save(&buf); err == nil || !strings.Contains(err.Error(), "standardize is a Go function (StandardizeFunc), which cannot be saved") || !strings.HasPrefix(err.Error(), "preprocessing: TextVectorization.Save: ") {
		t.Errorf("Save with a function: %v", err)
	}
	sp := newTV(t, preprocessing.SplitFunc(strings.Fields))
	if _, err := sp.Config(); err == nil || !strings.Contains(err.Error(), "SplitFunc") {
		t.Errorf("Config with a function: %v", err)
	}
	good := adapted(t, []string{"a b"}, preprocessing.OutputMode(preprocessing.OutputTFIDF))
	b, err := good.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"class", `"class_name":"TextVectorization"`, `"class_name":"Dense"`, `class_name "Dense"`},
		{"version", `"format_version":1`, `"format_version":2`, "format_version 2"},
		{"mode", `"output_mode":"tf_idf"`, `"output_mode":"one_hot"`, `output_mode "one_hot"`},
		{"weights", `"idf_weights":[`, `"idf_weights":[1,`, "4 idf_weights, want 3"},
		{"reserved", `"vocabulary":["[UNK]",`, `"vocabulary":[`, `want the reserved token "[UNK]"`},
		{"size", `"vocabulary_size":3`, `"vocabulary_size":4`, "vocabulary_size 4"},
		{"encoding", `"encoding":"utf-8"`, `"encoding":"latin-1"`, `encoding "latin-1"`},
		{"trailing", "", " {}", "data after the JSON document"},
	} {
		bad := string(b) + c.to
		if c.from != "" {
			bad = strings.Replace(string(b), c.from, c.to, 1)
		}
		if bad == string(b) {
			t.Fatalf("%s: %q not in %s", c.name, c.from, b)
		}
		_, err := preprocessing.LoadTextVectorization(strings.NewReader(bad))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "preprocessing: LoadTextVectorization: ") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestTextVectorizationConcurrentCalls(t *testing.T) {
	tv := adapted(t, corpus, preprocessing.OutputMode(preprocessing.OutputCount))
	want, err := tv.Call(corpus)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				got, err := tv.Call(corpus)
				if err != nil || !reflect.DeepEqual(got.Data(), want.Data()) {
					t.Errorf("concurrent Call: %v", err)
					return
				}
				_ = tv.Vocabulary()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 20; i++ {
			if err := tv.Adapt(corpus); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
}

// FuzzTextVectorizationCall adapts and calls every output mode on arbitrary
// text: no panic, and results of the documented shape.
func FuzzTextVectorizationCall(f *testing.F) {
	for _, s := range []string{"", "The cat.", "a\x80b\xe2\x82 [UNK]", "\t", "Éclair café"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for mode := preprocessing.OutputInt; mode <= preprocessing.OutputTFIDF; mode++ {
			for _, split := range []preprocessing.SplitMode{preprocessing.SplitWhitespace, preprocessing.SplitCharacter, preprocessing.NoSplit} {
				tv, err := preprocessing.NewTextVectorization(preprocessing.OutputMode(mode), preprocessing.SplitText(split), preprocessing.NGrams(2))
				if err != nil {
					t.Fatal(err)
				}
				if err := tv.Adapt([]string{s, "fixed words"}); err != nil {
					t.Fatal(err)
				}
				out, err := tv.Call([]string{s, "words"})
				if err != nil {
					t.Fatal(err)
				}
				if out.Shape()[0] != 2 || (mode != preprocessing.OutputInt && out.Shape()[1] != tv.VocabularySize()) {
					t.Fatalf("%v: shape %v, vocabulary %d", mode, out.Shape(), tv.VocabularySize())
				}
				var buf bytes.Buffer
				if err := tv.Save(&buf); err != nil {
					t.Fatal(err)
				}
				back, err := preprocessing.LoadTextVectorization(&buf)
				if err != nil {
					t.Fatal(err)
				}
				again, err := back.Call([]string{s, "words"})
				if err != nil || !reflect.DeepEqual(again.Data(), out.Data()) {
					t.Fatalf("%v: loaded copy differs (%v)", mode, err)
				}
			}
		}
	})
}
