package preprocessing

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// TextOutputMode is what TextVectorization.Call returns for each text, the
// values of Keras's output_mode argument. The zero value is OutputInt, Keras's
// default.
type TextOutputMode int

const (
	// OutputInt gives one vocabulary index per token: an int64 tensor of shape
	// (texts, length) padded with 0 (Keras "int", the default).
	OutputInt TextOutputMode = iota
	// OutputMultiHot gives a float32 (texts, vocabulary size) tensor with 1
	// where the token of that index occurs in the text (Keras "multi_hot").
	OutputMultiHot
	// OutputCount is OutputMultiHot with the number of occurrences instead of
	// 1 (Keras "count").
	OutputCount
	// OutputTFIDF multiplies each count by the token's inverse document
	// frequency weight (Keras "tf_idf").
	OutputTFIDF
)

// String returns Keras's name of the mode: "int", "multi_hot", "count" or
// "tf_idf".
func (m TextOutputMode) String() string {
	switch m {
	case OutputInt:
		return "int"
	case OutputMultiHot:
		return "multi_hot"
	case OutputCount:
		return "count"
	case OutputTFIDF:
		return "tf_idf"
	}
	return "TextOutputMode(" + strconv.Itoa(int(m)) + ")"
}

// The reserved tokens of Keras's TextVectorization: the padding (mask) token
// at index 0 in OutputInt mode, and the out-of-vocabulary token after it.
const (
	PaddingToken = ""
	OOVToken     = "[UNK]"
)

// maxOutputValues bounds the number of elements a function of this file
// allocates for one result (2^31, 8 GiB of int64): a request beyond it is
// an error rather than an out-of-memory crash.
const maxOutputValues = 1 << 31

// TextVectorization maps texts to token indices or to bag-of-words vectors,
// like keras.layers.TextVectorization (Keras 3,
// keras/src/layers/preprocessing/text_vectorization.py and the
// index_lookup.py it builds on). Each text is standardised (by default
// lowercased with ASCII punctuation removed), split into tokens (by default
// on whitespace), optionally combined into n-grams, and looked up in a
// vocabulary learned by Adapt or given with the Vocabulary option.
//
// In gokeras it is a host-side preprocessing step, not a layer: models take
// numeric tensors, and string handling runs in Go before the graph, the way
// Keras recommends using the layer in a tf.data pipeline. Call its Call on
// the texts and feed the resulting tensor to Fit or Predict.
//
// Vocabulary layout (Keras's, index_lookup.py): in OutputInt mode index 0 is
// the padding token "" and index 1 the out-of-vocabulary token "[UNK]"; in
// the other modes there is no padding token and "[UNK]" is index 0. Both
// count towards MaxTokens. Learned tokens follow in order of descending
// frequency.
//
// Differences from Keras, all deliberate or forced by Go: lowercasing is
// ASCII only, as in Keras (tf.strings.lower's default encoding); texts are
// UTF-8 (Keras's encoding argument, fixed); outputs are dense (sparse and
// ragged outputs are TensorFlow-only in Keras; CallRagged gives the ragged
// int form); multi_hot and count outputs are float32 (Keras's output spec
// says floatx, though its eager call returns int64 counts); a
// TextVectorization without vocabulary, or one whose Call would give an
// empty tensor, returns an error where Keras would return all-OOV indices or
// a zero-width tensor; "[UNK]" inside a given vocabulary is rejected (Keras
// accepts it as an ordinary token).
//
// A TextVectorization is safe for concurrent use: Call, CallRagged and the
// accessors take a read lock, Adapt and SetVocabulary a write lock.
type TextVectorization struct {
	mu sync.RWMutex

	maxTokens      int // 0: unlimited
	standardize    StandardizeMode
	standardizeFn  func(string) string
	split          SplitMode
	splitFn        func(string) []string
	ngrams         []int // nil: no n-grams
	outputMode     TextOutputMode
	seqLen         int // 0: not set
	padToMaxTokens bool

	inputVocabulary    []string
	inputIDF           []float64
	inputIDFSet        bool
	hasInputVocabulary bool

	vocab []string       // whole vocabulary with the reserved tokens; nil before Adapt/SetVocabulary
	index map[string]int // learned tokens (not the reserved ones) -> index
	idf   []float32      // OutputTFIDF: one weight per output column
}

// TextVectorizationOption is an optional argument of NewTextVectorization.
type TextVectorizationOption interface {
	applyTextVectorization(*TextVectorization) error
}

type textVectorizationOption func(*TextVectorization) error

func (f textVectorizationOption) applyTextVectorization(t *TextVectorization) error { return f(t) }

// MaxTokens caps the vocabulary at n entries including the reserved tokens
// ("" and "[UNK]" in OutputInt mode, "[UNK]" otherwise): Adapt keeps the
// n-2 (or n-1) most frequent tokens. n must be greater than 1. Default:
// unlimited (Keras max_tokens=None).
func MaxTokens(n int) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if n <= 1 {
			return errors.Errorf("MaxTokens(%d): want > 1 (the vocabulary always holds %q)", n, OOVToken)
		}
		t.maxTokens = n
		return nil
	})
}

// StandardizeText selects a built-in standardisation. Default:
// LowerAndStripPunctuation (Keras standardize="lower_and_strip_punctuation").
func StandardizeText(mode StandardizeMode) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if mode < LowerAndStripPunctuation || mode > NoStandardization {
			return errors.Errorf("StandardizeText(%v): unknown mode", mode)
		}
		t.standardize, t.standardizeFn = mode, nil
		return nil
	})
}

// StandardizeFunc standardises each text with f instead of a built-in mode
// (Keras standardize=callable; f receives the text exactly as given). A
// TextVectorization with a function cannot be saved, as in Keras where the
// function must be registered.
func StandardizeFunc(f func(string) string) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if f == nil {
			return errors.New("StandardizeFunc(nil): want a function")
		}
		t.standardize, t.standardizeFn = NoStandardization, f
		return nil
	})
}

// SplitText selects a built-in way of splitting texts into tokens. Default:
// SplitWhitespace (Keras split="whitespace").
func SplitText(mode SplitMode) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if mode < SplitWhitespace || mode > NoSplit {
			return errors.Errorf("SplitText(%v): unknown mode", mode)
		}
		t.split, t.splitFn = mode, nil
		return nil
	})
}

// SplitFunc splits each standardised text with f (Keras split=callable). A
// TextVectorization with a function cannot be saved.
func SplitFunc(f func(string) []string) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if f == nil {
			return errors.New("SplitFunc(nil): want a function")
		}
		t.split, t.splitFn = NoSplit, f
		return nil
	})
}

// NGrams makes tokens of the 1-grams, 2-grams, ..., n-grams of each text
// (Keras ngrams=n, tf.strings.ngrams joining with " "): all 1-grams first,
// then all 2-grams, and so on. n must be at least 1. Default: no n-grams,
// the split tokens themselves.
func NGrams(n int) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if n < 1 {
			return errors.Errorf("NGrams(%d): want >= 1", n)
		}
		t.ngrams = make([]int, n)
		for i := range t.ngrams {
			t.ngrams[i] = i + 1
		}
		return nil
	})
}

// NGramSizes makes tokens of the n-grams of exactly the given sizes, in the
// given order (Keras ngrams=(a, b, ...)); NGramSizes(2) gives bigrams only.
// Each size must be at least 1.
func NGramSizes(sizes ...int) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if len(sizes) == 0 {
			return errors.New("NGramSizes(): want at least one size")
		}
		for _, s := range sizes {
			if s < 1 {
				return errors.Errorf("NGramSizes(%v): sizes must be >= 1", sizes)
			}
		}
		t.ngrams = append([]int(nil), sizes...)
		return nil
	})
}

// OutputMode selects what Call returns. Default: OutputInt.
func OutputMode(mode TextOutputMode) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if mode < OutputInt || mode > OutputTFIDF {
			return errors.Errorf("OutputMode(%v): unknown mode", mode)
		}
		t.outputMode = mode
		return nil
	})
}

// OutputSequenceLength fixes the number of columns of OutputInt results:
// longer token sequences are cut at the end and shorter ones padded with 0
// at the end (Keras output_sequence_length, RaggedTensor.to_tensor). n must
// be at least 1; only valid with OutputInt. Default: the longest sequence of
// each Call.
func OutputSequenceLength(n int) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if n < 1 {
			return errors.Errorf("OutputSequenceLength(%d): want >= 1", n)
		}
		t.seqLen = n
		return nil
	})
}

// PadToMaxTokens makes multi_hot, count and tf_idf results MaxTokens wide
// even when the vocabulary is smaller (Keras pad_to_max_tokens); it needs
// MaxTokens and has no effect in OutputInt mode, as in Keras. Default: false.
func PadToMaxTokens(on bool) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		t.padToMaxTokens = on
		return nil
	})
}

// Vocabulary sets the vocabulary instead of learning it with Adapt (Keras
// vocabulary=[...]). The tokens may start with the reserved tokens in
// Keras's order ("" then "[UNK]" for OutputInt, "[UNK]" otherwise); if they
// do not, the reserved tokens are put in front. Tokens must be unique and
// must not contain "" or "[UNK]" elsewhere. A TextVectorization given a
// vocabulary cannot be adapted. With OutputTFIDF, IDFWeights must be given
// too.
func Vocabulary(tokens []string) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		if len(tokens) == 0 {
			return errors.New("Vocabulary: empty vocabulary")
		}
		t.inputVocabulary = append([]string(nil), tokens...)
		return nil
	})
}

// IDFWeights gives the inverse document frequency weight of each token of
// the Vocabulary option, one per entry of that slice (Keras idf_weights).
// When the vocabulary has no leading "[UNK]", the "[UNK]" weight is the mean
// of the given weights, as in Keras. Only valid with OutputTFIDF; weights
// are stored as float32 (Keras's floatx).
func IDFWeights(weights []float64) TextVectorizationOption {
	return textVectorizationOption(func(t *TextVectorization) error {
		t.inputIDF, t.inputIDFSet = append([]float64(nil), weights...), true
		return nil
	})
}

// NewTextVectorization returns a TextVectorization with Keras's defaults
// changed by opts: MaxTokens (unlimited), StandardizeText or StandardizeFunc
// (LowerAndStripPunctuation), SplitText or SplitFunc (SplitWhitespace),
// NGrams or NGramSizes (none), OutputMode (OutputInt), OutputSequenceLength
// (unset), PadToMaxTokens (false), Vocabulary and IDFWeights (none: call
// Adapt). It checks the option combinations Keras checks.
func NewTextVectorization(opts ...TextVectorizationOption) (tv *TextVectorization, err error) {
	defer guard("NewTextVectorization", &err)
	t := &TextVectorization{}
	for i, o := range opts {
		if o == nil {
			return nil, errors.Errorf("preprocessing: NewTextVectorization: option %d is nil", i)
		}
		if err := o.applyTextVectorization(t); err != nil {
			return nil, errors.WithMessage(err, "preprocessing: NewTextVectorization")
		}
	}
	if err := t.checkOptions(); err != nil {
		return nil, errors.WithMessage(err, "preprocessing: NewTextVectorization")
	}
	if t.inputVocabulary != nil {
		var idf []float64
		if t.inputIDFSet {
			idf = t.inputIDF
		}
		if err := t.setVocabulary(t.inputVocabulary, idf, t.inputIDFSet); err != nil {
			return nil, errors.WithMessage(err, "preprocessing: NewTextVectorization: Vocabulary")
		}
		t.hasInputVocabulary = true
	}
	return t, nil
}

// checkOptions applies Keras's constructor checks (text_vectorization.py and
// index_lookup.py __init__).
func (t *TextVectorization) checkOptions() error {
	if t.seqLen != 0 && t.outputMode != OutputInt {
		return errors.Errorf("OutputSequenceLength(%d) is only valid with OutputMode(OutputInt), not %v", t.seqLen, t.outputMode)
	}
	if t.padToMaxTokens && t.maxTokens == 0 {
		return errors.New("PadToMaxTokens(true) needs MaxTokens")
	}
	if t.inputIDFSet && t.outputMode != OutputTFIDF {
		return errors.Errorf("IDFWeights is only valid with OutputMode(OutputTFIDF), not %v", t.outputMode)
	}
	if t.inputIDFSet && t.inputVocabulary == nil {
		return errors.New("IDFWeights needs the Vocabulary option (Adapt computes the weights itself)")
	}
	if t.outputMode == OutputTFIDF && t.inputVocabulary != nil && !t.inputIDFSet {
		return errors.New("Vocabulary with OutputMode(OutputTFIDF) needs IDFWeights")
	}
	return nil
}

// tokenStart is the index of the first learned token: 2 in OutputInt mode
// ("" and "[UNK]" before it), 1 otherwise ("[UNK]").
func (t *TextVectorization) tokenStart() int {
	if t.outputMode == OutputInt {
		return 2
	}
	return 1
}

func (t *TextVectorization) reserved() []string {
	if t.outputMode == OutputInt {
		return []string{PaddingToken, OOVToken}
	}
	return []string{OOVToken}
}

// tokens runs the standardise, split and n-gram steps on one text.
func (t *TextVectorization) tokens(text string) []string {
	switch {
	case t.standardizeFn != nil:
		text = t.standardizeFn(text)
	case t.standardize == LowerAndStripPunctuation:
		text = stripPunctuation(asciiLower(text))
	case t.standardize == Lower:
		text = asciiLower(text)
	case t.standardize == StripPunctuation:
		text = stripPunctuation(text)
	}
	var toks []string
	switch {
	case t.splitFn != nil:
		toks = t.splitFn(text)
	case t.split == SplitWhitespace:
		toks = splitASCIIWhitespace(text)
	case t.split == SplitCharacter:
		toks = splitCharacters(text)
	default:
		toks = []string{text}
	}
	if t.ngrams != nil {
		toks = ngrams(toks, t.ngrams)
	}
	return toks
}

// Adapt learns the vocabulary from corpus, one document per string (Keras
// adapt on a list of strings). Tokens are ordered by descending count, ties
// by descending byte order of the token (index_lookup.py finalize_state:
// np.lexsort((tokens, counts))[::-1]); "" and "[UNK]" are not learned; with
// MaxTokens only the first MaxTokens-2 (OutputInt) or MaxTokens-1 tokens
// are kept. In OutputTFIDF mode it also sets each token's weight to
// log(1 + documents / (1 + documents containing the token)), computed in
// float64 and stored as float32, and the "[UNK]" weight to the mean of
// those float32 weights (summed in float64; TensorFlow's float32
// reduce_mean may differ in the last bit). Adapt replaces any earlier
// vocabulary. It is an error to adapt a TextVectorization given the
// Vocabulary option (as in Keras), an empty corpus, or a corpus without
// tokens (Keras would leave the vocabulary empty).
func (t *TextVectorization) Adapt(corpus []string) (err error) {
	defer guard("TextVectorization.Adapt", &err)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hasInputVocabulary {
		return errors.New("preprocessing: TextVectorization.Adapt: the vocabulary was given with the Vocabulary option; Keras cannot adapt such a layer either (use SetVocabulary to replace it)")
	}
	if len(corpus) == 0 {
		return errors.New("preprocessing: TextVectorization.Adapt: empty corpus")
	}
	// One map entry per distinct token: its count, the number of documents
	// holding it, and the last document that counted it (1-based).
	type tokenStats struct {
		n, docs int64
		last    int
	}
	stats := map[string]*tokenStats{}
	for d, text := range corpus {
		for _, tok := range t.tokens(text) {
			st := stats[tok]
			if st == nil {
				st = &tokenStats{}
				stats[tok] = st
			}
			st.n++
			if st.last != d+1 {
				st.last = d + 1
				st.docs++
			}
		}
	}
	delete(stats, PaddingToken)
	delete(stats, OOVToken)
	if len(stats) == 0 {
		return errors.Errorf("preprocessing: TextVectorization.Adapt: the %d texts hold no tokens other than %q and %q", len(corpus), PaddingToken, OOVToken)
	}
	type tokenCount struct {
		tok     string
		n, docs int64
	}
	sorted := make([]tokenCount, 0, len(stats))
	for tok, st := range stats {
		sorted = append(sorted, tokenCount{tok, st.n, st.docs})
	}
	slices.SortFunc(sorted, func(a, b tokenCount) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return strings.Compare(b.tok, a.tok)
	})
	start := t.tokenStart()
	if t.maxTokens > 0 && len(sorted) > t.maxTokens-start {
		sorted = sorted[:t.maxTokens-start]
	}
	learned := make([]string, len(sorted))
	for i, tc := range sorted {
		// Tokens are substrings of the standardised texts: copy them so the
		// vocabulary does not keep whole documents alive.
		learned[i] = strings.Clone(tc.tok)
	}
	t.setTokens(learned)
	t.idf = nil
	if t.outputMode == OutputTFIDF {
		n := float64(len(corpus))
		weights := make([]float32, len(learned))
		sum := 0.0
		for i, tc := range sorted {
			weights[i] = float32(math.Log(1 + n/float64(1+tc.docs)))
			sum += float64(weights[i])
		}
		t.idf = t.padIDF(weights, float32(sum/float64(len(weights))), start)
	}
	return nil
}

// setTokens installs the reserved tokens followed by learned.
func (t *TextVectorization) setTokens(learned []string) {
	t.vocab = append(t.reserved(), learned...)
	t.index = make(map[string]int, len(learned))
	for i, tok := range learned {
		t.index[tok] = i + t.tokenStart()
	}
}

// padIDF puts front copies of oov in front of weights and, with
// PadToMaxTokens, zeros behind it up to MaxTokens.
func (t *TextVectorization) padIDF(weights []float32, oov float32, front int) []float32 {
	n := front + len(weights)
	if t.padToMaxTokens && t.maxTokens > n {
		n = t.maxTokens
	}
	out := make([]float32, n)
	for i := 0; i < front; i++ {
		out[i] = oov
	}
	copy(out[front:], weights)
	return out
}

// SetVocabulary replaces the vocabulary, as Keras's set_vocabulary: the
// same rules as the Vocabulary option; idfWeights must be given (one per
// entry of tokens) in OutputTFIDF mode and must be nil otherwise. Unlike the
// Vocabulary option it does not forbid a later Adapt.
func (t *TextVectorization) SetVocabulary(tokens []string, idfWeights []float64) (err error) {
	defer guard("TextVectorization.SetVocabulary", &err)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.setVocabulary(tokens, idfWeights, idfWeights != nil); err != nil {
		return errors.WithMessage(err, "preprocessing: TextVectorization.SetVocabulary")
	}
	return nil
}

// setVocabulary follows index_lookup.py set_vocabulary.
func (t *TextVectorization) setVocabulary(tokens []string, idf []float64, idfSet bool) error {
	if t.outputMode == OutputTFIDF && !idfSet {
		return errors.New("OutputTFIDF needs IDF weights with the vocabulary")
	}
	if t.outputMode != OutputTFIDF && idfSet {
		return errors.Errorf("IDF weights are only valid with OutputTFIDF, not %v", t.outputMode)
	}
	if len(tokens) == 0 {
		return errors.New("empty vocabulary")
	}
	start := t.tokenStart()
	reserved := t.reserved()
	found := len(tokens) >= start
	for i := 0; found && i < start; i++ {
		found = tokens[i] == reserved[i]
	}
	learned := tokens
	if found {
		learned = tokens[start:]
	}
	if err := checkLearned(learned, func(i int) int {
		if found {
			return i + start
		}
		return i
	}); err != nil {
		return err
	}
	if size := start + len(learned); t.maxTokens > 0 && size > t.maxTokens {
		return errors.Errorf("a vocabulary of %d entries (with the reserved tokens) exceeds MaxTokens(%d)", size, t.maxTokens)
	}
	var weights []float32
	if t.outputMode == OutputTFIDF {
		if len(idf) != len(tokens) {
			return errors.Errorf("%d IDF weights for a vocabulary of %d tokens, want one per token", len(idf), len(tokens))
		}
		sum := 0.0
		for i, w := range idf {
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return errors.Errorf("IDF weight %d is %v, want a finite number", i, w)
			}
			sum += w
		}
		w32 := convert[float64, float32](idf)
		if found {
			weights = t.padIDF(w32, 0, 0)
		} else {
			weights = t.padIDF(w32, float32(sum/float64(len(idf))), start)
		}
	}
	t.setTokens(append([]string(nil), learned...))
	t.idf = weights
	return nil
}

// checkLearned rejects repeated tokens and reserved tokens among the
// learned part of a vocabulary; pos maps an index of learned to its index in
// what the caller passed.
func checkLearned(learned []string, pos func(int) int) error {
	seen := make(map[string]int, len(learned))
	var repeated []string
	for i, tok := range learned {
		if tok == PaddingToken || tok == OOVToken {
			return errors.Errorf("reserved token %q at index %d: give the reserved tokens only at the start, in the order %q, %q (OutputInt) or %q, or leave them out", tok, pos(i), PaddingToken, OOVToken, OOVToken)
		}
		if seen[tok] == 1 {
			repeated = append(repeated, tok)
		}
		seen[tok]++
	}
	if len(repeated) > 0 {
		if len(repeated) > 10 {
			repeated = append(repeated[:10], "...")
		}
		return errors.Errorf("the vocabulary repeats tokens %q", repeated)
	}
	return nil
}

// lookup returns the index of tok, or -1 for the padding token outside
// OutputInt mode (Keras drops it there).
func (t *TextVectorization) lookup(tok string) int {
	if tok == PaddingToken {
		if t.outputMode == OutputInt {
			return 0
		}
		return -1
	}
	if i, ok := t.index[tok]; ok {
		return i
	}
	return t.tokenStart() - 1
}

// Call vectorises texts. OutputInt gives an int64 tensor (len(texts), L)
// of vocabulary indices, where L is OutputSequenceLength or else the number
// of tokens of the longest text; rows are cut at the end and padded with 0
// at the end, as Keras's RaggedTensor.to_tensor does. OutputMultiHot,
// OutputCount and OutputTFIDF give a float32 tensor (len(texts), V), where V
// is the vocabulary size, or MaxTokens with PadToMaxTokens; column j holds
// 1 if token j occurs (multi_hot), its number of occurrences (count) or
// float32(count) * weight j (tf_idf); the padding token "" is not counted.
// It is an error to call it without a vocabulary, with no texts, or when
// every text has no tokens and OutputSequenceLength is not set (Keras would
// give a zero-width tensor).
func (t *TextVectorization) Call(texts []string) (out *tensor.Dense, err error) {
	defer guard("TextVectorization.Call", &err)
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := t.ready("TextVectorization.Call", texts); err != nil {
		return nil, err
	}
	if t.outputMode == OutputInt {
		rows := t.intRows(texts)
		width := t.seqLen
		if width == 0 {
			for _, r := range rows {
				width = max(width, len(r))
			}
		}
		if width == 0 {
			return nil, errors.Errorf("preprocessing: TextVectorization.Call: none of the %d texts has a token, and without OutputSequenceLength the result would have no columns", len(texts))
		}
		if err := checkSize("TextVectorization.Call", len(texts), width); err != nil {
			return nil, err
		}
		data := make([]int64, len(texts)*width)
		for i, r := range rows {
			row := data[i*width : (i+1)*width]
			for j := 0; j < len(r) && j < width; j++ {
				row[j] = int64(r[j])
			}
		}
		return tensor.New(tensor.WithShape(len(texts), width), tensor.WithBacking(data)), nil
	}
	depth := len(t.vocab)
	if t.padToMaxTokens {
		depth = t.maxTokens
	}
	if err := checkSize("TextVectorization.Call", len(texts), depth); err != nil {
		return nil, err
	}
	data := make([]float32, len(texts)*depth)
	counts := make([]int64, depth)
	var touched []int
	for i, text := range texts {
		row := data[i*depth : (i+1)*depth]
		touched = touched[:0]
		for _, tok := range t.tokens(text) {
			j := t.lookup(tok)
			if j < 0 {
				continue
			}
			if counts[j] == 0 {
				touched = append(touched, j)
			}
			counts[j]++
		}
		for _, j := range touched {
			switch t.outputMode {
			case OutputMultiHot:
				row[j] = 1
			case OutputCount:
				row[j] = float32(counts[j])
			case OutputTFIDF:
				row[j] = float32(counts[j]) * t.idf[j]
			}
			counts[j] = 0
		}
	}
	return tensor.New(tensor.WithShape(len(texts), depth), tensor.WithBacking(data)), nil
}

// CallRagged returns the vocabulary indices of each text's tokens without
// padding (Keras's ragged=True output as Go slices), cut at
// OutputSequenceLength when it is set. Only valid in OutputInt mode.
func (t *TextVectorization) CallRagged(texts []string) (rows [][]int, err error) {
	defer guard("TextVectorization.CallRagged", &err)
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.outputMode != OutputInt {
		return nil, errors.Errorf("preprocessing: TextVectorization.CallRagged: only valid with OutputMode(OutputInt), not %v", t.outputMode)
	}
	if err := t.ready("TextVectorization.CallRagged", texts); err != nil {
		return nil, err
	}
	rows = t.intRows(texts)
	if t.seqLen > 0 {
		for i, r := range rows {
			if len(r) > t.seqLen {
				rows[i] = r[:t.seqLen:t.seqLen]
			}
		}
	}
	return rows, nil
}

func (t *TextVectorization) ready(fn string, texts []string) error {
	if t.vocab == nil {
		return errors.Errorf("preprocessing: %s: no vocabulary: call Adapt, or give the Vocabulary option or SetVocabulary", fn)
	}
	if len(texts) == 0 {
		return errors.Errorf("preprocessing: %s: no texts (a tensor cannot be empty)", fn)
	}
	return nil
}

func (t *TextVectorization) intRows(texts []string) [][]int {
	rows := make([][]int, len(texts))
	for i, text := range texts {
		toks := t.tokens(text)
		r := make([]int, len(toks))
		for j, tok := range toks {
			r[j] = t.lookup(tok)
		}
		rows[i] = r
	}
	return rows
}

// checkSize refuses a rows x cols result beyond maxOutputValues.
func checkSize(fn string, rows, cols int) error {
	if cols > 0 && rows > maxOutputValues/cols {
		return errors.Errorf("preprocessing: %s: the result would hold %d x %d values, more than the limit of %d", fn, rows, cols, maxOutputValues)
	}
	return nil
}

// VocabularyOption is an optional argument of TextVectorization.Vocabulary.
type VocabularyOption interface {
	applyVocabulary(*vocabularyConfig)
}

type vocabularyConfig struct{ special bool }

type includeSpecialTokens bool

func (o includeSpecialTokens) applyVocabulary(c *vocabularyConfig) { c.special = bool(o) }

// IncludeSpecialTokens tells Vocabulary whether to include the reserved
// tokens ("" and "[UNK]", or "[UNK]"); with them, a token's position is
// its index in Call's results. Default: true (Keras
// get_vocabulary(include_special_tokens=True)).
func IncludeSpecialTokens(on bool) VocabularyOption { return includeSpecialTokens(on) }

// Vocabulary returns a copy of the vocabulary in index order (Keras
// get_vocabulary). Before Adapt or SetVocabulary it holds only the
// reserved tokens, as in Keras.
func (t *TextVectorization) Vocabulary(opts ...VocabularyOption) []string {
	c := vocabularyConfig{special: true}
	for _, o := range opts {
		if o != nil {
			o.applyVocabulary(&c)
		}
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	v := t.vocab
	if v == nil {
		v = t.reserved()
	}
	if !c.special {
		v = v[t.tokenStart():]
	}
	return append([]string(nil), v...)
}

// VocabularySize returns the number of vocabulary entries including the
// reserved tokens (Keras vocabulary_size).
func (t *TextVectorization) VocabularySize() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.vocab == nil {
		return t.tokenStart()
	}
	return len(t.vocab)
}

// IDFWeights returns a copy of the tf_idf weights, one per output column
// ("[UNK]" first, then the vocabulary, then zeros up to MaxTokens with
// PadToMaxTokens), or nil outside OutputTFIDF mode or before a vocabulary is
// set.
func (t *TextVectorization) IDFWeights() []float32 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.idf == nil {
		return nil
	}
	return append([]float32(nil), t.idf...)
}
