package preprocessing

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
)

// TextVectorizationConfig is the configuration of a TextVectorization with
// the keys and value conventions of Keras's TextVectorization.get_config:
// null stands for Python's None. NGrams is always the list of n-gram sizes
// (Keras stores ngrams=2 as 2; its from_config treats the list [1, 2] the
// same way).
type TextVectorizationConfig struct {
	// MaxTokens is the vocabulary cap with the reserved tokens; nil: none.
	MaxTokens *int `json:"max_tokens"`
	// Standardize is "lower_and_strip_punctuation", "lower",
	// "strip_punctuation", or nil for no standardisation.
	Standardize *string `json:"standardize"`
	// Split is "whitespace", "character", or nil for no splitting.
	Split *string `json:"split"`
	// NGrams lists the n-gram sizes; nil: no n-grams.
	NGrams []int `json:"ngrams"`
	// OutputMode is "int", "multi_hot", "count" or "tf_idf".
	OutputMode string `json:"output_mode"`
	// OutputSequenceLength is the int-mode width; nil: the longest sequence.
	OutputSequenceLength *int `json:"output_sequence_length"`
	// PadToMaxTokens pads multi_hot/count/tf_idf results to MaxTokens.
	PadToMaxTokens bool `json:"pad_to_max_tokens"`
	// Sparse is always false (sparse outputs are not supported).
	Sparse bool `json:"sparse"`
	// Ragged is always false (CallRagged gives the ragged form).
	Ragged bool `json:"ragged"`
	// Encoding is always "utf-8".
	Encoding string `json:"encoding"`
	// VocabularySize is the number of vocabulary entries with the reserved
	// tokens.
	VocabularySize int `json:"vocabulary_size"`
	// HasInputVocabulary records that the vocabulary came from the
	// Vocabulary option, which forbids Adapt.
	HasInputVocabulary bool `json:"has_input_vocabulary"`
}

// savedTextVectorization is the JSON document of Save.
type savedTextVectorization struct {
	ClassName        string                  `json:"class_name"`
	FormatVersion    int                     `json:"format_version"`
	Config           TextVectorizationConfig `json:"config"`
	Vocabulary       []string                `json:"vocabulary"`
	VocabularyBase64 []string                `json:"vocabulary_base64,omitempty"`
	IDFWeights       []float32               `json:"idf_weights"`
}

const (
	textVectorizationClass   = "TextVectorization"
	textVectorizationVersion = 1
)

// Config returns the configuration in Keras's get_config conventions. It
// fails when standardize or split is a Go function: like Keras with an
// unregistered callable, such a configuration cannot be written down.
func (t *TextVectorization) Config() (TextVectorizationConfig, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.config("TextVectorization.Config")
}

func (t *TextVectorization) config(fn string) (TextVectorizationConfig, error) {
	var fns []string
	if t.standardizeFn != nil {
		fns = append(fns, "standardize is a Go function (StandardizeFunc)")
	}
	if t.splitFn != nil {
		fns = append(fns, "split is a Go function (SplitFunc)")
	}
	if len(fns) > 0 {
		return TextVectorizationConfig{}, errors.Errorf("preprocessing: %s: %s, which cannot be saved (Keras too can only save registered functions); use a built-in mode", fn, strings.Join(fns, " and "))
	}
	c := TextVectorizationConfig{
		OutputMode:         t.outputMode.String(),
		PadToMaxTokens:     t.padToMaxTokens,
		Encoding:           "utf-8",
		VocabularySize:     t.tokenStart(),
		HasInputVocabulary: t.hasInputVocabulary,
	}
	if t.vocab != nil {
		c.VocabularySize = len(t.vocab)
	}
	if t.maxTokens > 0 {
		n := t.maxTokens
		c.MaxTokens = &n
	}
	if t.standardize != NoStandardization {
		s := t.standardize.String()
		c.Standardize = &s
	}
	if t.split != NoSplit {
		s := t.split.String()
		c.Split = &s
	}
	if t.ngrams != nil {
		c.NGrams = append([]int(nil), t.ngrams...)
	}
	if t.seqLen > 0 {
		n := t.seqLen
		c.OutputSequenceLength = &n
	}
	return c, nil
}

// MarshalJSON encodes the configuration, vocabulary and tf_idf weights as
// the JSON document described at Save.
func (t *TextVectorization) MarshalJSON() (b []byte, err error) {
	defer guard("TextVectorization.MarshalJSON", &err)
	return t.marshal("TextVectorization.MarshalJSON")
}

func (t *TextVectorization) marshal(fn string) ([]byte, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, err := t.config(fn)
	if err != nil {
		return nil, err
	}
	doc := savedTextVectorization{
		ClassName:     textVectorizationClass,
		FormatVersion: textVectorizationVersion,
		Config:        c,
		IDFWeights:    t.idf,
	}
	valid := true
	for _, tok := range t.vocab {
		valid = valid && utf8.ValidString(tok)
	}
	if valid {
		doc.Vocabulary = t.vocab
	} else {
		// encoding/json would replace invalid UTF-8 with U+FFFD, so such a
		// vocabulary is written as base64 of each token's bytes.
		doc.VocabularyBase64 = make([]string, len(t.vocab))
		for i, tok := range t.vocab {
			doc.VocabularyBase64[i] = base64.StdEncoding.EncodeToString([]byte(tok))
		}
	}
	return json.Marshal(doc)
}

// Save writes the TextVectorization to w as one JSON document and a
// newline:
//
//	{"class_name": "TextVectorization", "format_version": 1,
//	 "config": {Keras's get_config keys, see TextVectorizationConfig},
//	 "vocabulary": ["", "[UNK]", "the", ...] (null before Adapt),
//	 "idf_weights": [float32 weights, one per tf_idf output column] or null}
//
// When a token is not valid UTF-8 (texts read as bytes can produce such
// tokens), "vocabulary" is null and "vocabulary_base64" holds the standard
// base64 encoding of every token instead. Floats are written in their
// shortest float32 form, so LoadTextVectorization restores the state bit
// for bit. It fails for a function standardize or split.
func (t *TextVectorization) Save(w io.Writer) (err error) {
	defer guard("TextVectorization.Save", &err)
	b, err := t.marshal("TextVectorization.Save")
	if err != nil {
		return err
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return errors.Wrap(err, "preprocessing: TextVectorization.Save")
	}
	return nil
}

// LoadTextVectorization reads a TextVectorization written by Save from r.
func LoadTextVectorization(r io.Reader) (tv *TextVectorization, err error) {
	defer guard("LoadTextVectorization", &err)
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, errors.Wrap(err, "preprocessing: LoadTextVectorization")
	}
	t := &TextVectorization{}
	if err := t.unmarshal("LoadTextVectorization", b); err != nil {
		return nil, err
	}
	return t, nil
}

// UnmarshalJSON replaces t with the TextVectorization encoded in b (the
// document of Save), checking it as NewTextVectorization and SetVocabulary
// check their arguments.
func (t *TextVectorization) UnmarshalJSON(b []byte) (err error) {
	defer guard("TextVectorization.UnmarshalJSON", &err)
	return t.unmarshal("TextVectorization.UnmarshalJSON", b)
}

func (t *TextVectorization) unmarshal(fn string, b []byte) error {
	var doc savedTextVectorization
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return errors.Wrap(err, "preprocessing: "+fn)
	}
	if dec.More() {
		return errors.Errorf("preprocessing: %s: data after the JSON document", fn)
	}
	n, err := fromSaved(&doc)
	if err != nil {
		return errors.WithMessage(err, "preprocessing: "+fn)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.maxTokens, t.standardize, t.standardizeFn = n.maxTokens, n.standardize, nil
	t.split, t.splitFn, t.ngrams, t.outputMode = n.split, nil, n.ngrams, n.outputMode
	t.seqLen, t.padToMaxTokens = n.seqLen, n.padToMaxTokens
	t.inputVocabulary, t.inputIDF, t.inputIDFSet = nil, nil, false
	t.hasInputVocabulary = n.hasInputVocabulary
	t.vocab, t.index, t.idf = n.vocab, n.index, n.idf
	return nil
}

func fromSaved(doc *savedTextVectorization) (*TextVectorization, error) {
	if doc.ClassName != textVectorizationClass {
		return nil, errors.Errorf("class_name %q, want %q", doc.ClassName, textVectorizationClass)
	}
	if doc.FormatVersion != textVectorizationVersion {
		return nil, errors.Errorf("format_version %d, this version reads %d", doc.FormatVersion, textVectorizationVersion)
	}
	c := doc.Config
	var opts []TextVectorizationOption
	if c.MaxTokens != nil {
		opts = append(opts, MaxTokens(*c.MaxTokens))
	}
	switch {
	case c.Standardize == nil:
		opts = append(opts, StandardizeText(NoStandardization))
	case *c.Standardize == "lower_and_strip_punctuation":
		opts = append(opts, StandardizeText(LowerAndStripPunctuation))
	case *c.Standardize == "lower":
		opts = append(opts, StandardizeText(Lower))
	case *c.Standardize == "strip_punctuation":
		opts = append(opts, StandardizeText(StripPunctuation))
	default:
		return nil, errors.Errorf("config: standardize %q is not a built-in mode", *c.Standardize)
	}
	switch {
	case c.Split == nil:
		opts = append(opts, SplitText(NoSplit))
	case *c.Split == "whitespace":
		opts = append(opts, SplitText(SplitWhitespace))
	case *c.Split == "character":
		opts = append(opts, SplitText(SplitCharacter))
	default:
		return nil, errors.Errorf("config: split %q is not a built-in mode", *c.Split)
	}
	if c.NGrams != nil {
		opts = append(opts, NGramSizes(c.NGrams...))
	}
	switch c.OutputMode {
	case "int":
		opts = append(opts, OutputMode(OutputInt))
	case "multi_hot", "binary": // "binary": Keras's deprecated name
		opts = append(opts, OutputMode(OutputMultiHot))
	case "count":
		opts = append(opts, OutputMode(OutputCount))
	case "tf_idf", "tf-idf":
		opts = append(opts, OutputMode(OutputTFIDF))
	default:
		return nil, errors.Errorf("config: output_mode %q, want \"int\", \"multi_hot\", \"count\" or \"tf_idf\"", c.OutputMode)
	}
	if c.OutputSequenceLength != nil {
		opts = append(opts, OutputSequenceLength(*c.OutputSequenceLength))
	}
	opts = append(opts, PadToMaxTokens(c.PadToMaxTokens))
	if c.Sparse || c.Ragged {
		return nil, errors.New("config: sparse and ragged outputs are not supported")
	}
	if !strings.EqualFold(c.Encoding, "utf-8") {
		return nil, errors.Errorf("config: encoding %q, only \"utf-8\" is supported", c.Encoding)
	}
	t, err := NewTextVectorization(opts...)
	if err != nil {
		return nil, errors.Cause(err)
	}
	vocab := doc.Vocabulary
	if doc.VocabularyBase64 != nil {
		if vocab != nil {
			return nil, errors.New("both vocabulary and vocabulary_base64 are set")
		}
		vocab = make([]string, len(doc.VocabularyBase64))
		for i, s := range doc.VocabularyBase64 {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, errors.Wrapf(err, "vocabulary_base64[%d]", i)
			}
			vocab[i] = string(b)
		}
	}
	if vocab == nil {
		if c.HasInputVocabulary || doc.IDFWeights != nil {
			return nil, errors.New("no vocabulary, but has_input_vocabulary or idf_weights is set")
		}
		return t, nil
	}
	if err := t.restore(vocab, doc.IDFWeights); err != nil {
		return nil, err
	}
	if c.VocabularySize != len(t.vocab) {
		return nil, errors.Errorf("config: vocabulary_size %d, but the vocabulary has %d entries", c.VocabularySize, len(t.vocab))
	}
	t.hasInputVocabulary = c.HasInputVocabulary
	return t, nil
}

// restore installs a saved vocabulary (with its reserved tokens) and
// weights after checking them.
func (t *TextVectorization) restore(vocab []string, idf []float32) error {
	start := t.tokenStart()
	reserved := t.reserved()
	if len(vocab) < start {
		return errors.Errorf("vocabulary of %d entries, want at least the reserved tokens %q", len(vocab), reserved)
	}
	for i, r := range reserved {
		if vocab[i] != r {
			return errors.Errorf("vocabulary[%d] is %q, want the reserved token %q", i, vocab[i], r)
		}
	}
	learned := vocab[start:]
	if err := checkLearned(learned, func(i int) int { return i + start }); err != nil {
		return err
	}
	if t.maxTokens > 0 && len(vocab) > t.maxTokens {
		return errors.Errorf("a vocabulary of %d entries exceeds max_tokens %d", len(vocab), t.maxTokens)
	}
	if t.outputMode != OutputTFIDF {
		if idf != nil {
			return errors.Errorf("idf_weights are only valid with output_mode \"tf_idf\", not %q", t.outputMode.String())
		}
	} else {
		depth := len(vocab)
		if t.padToMaxTokens {
			depth = max(depth, t.maxTokens)
		}
		if len(idf) != depth {
			return errors.Errorf("%d idf_weights, want %d (one per output column)", len(idf), depth)
		}
		for i, w := range idf {
			if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
				return errors.Errorf("idf_weights[%d] is %v, want a finite number", i, w)
			}
		}
		t.idf = append([]float32(nil), idf...)
	}
	t.setTokens(append([]string(nil), learned...))
	return nil
}
