package preprocessing

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The expected values below are derived by hand from the TensorFlow ops that
// Keras 3's TextVectorization._preprocess calls (text_vectorization.py):
// tf.strings.lower (string_lower_op.cc: absl::AsciiStrToLower for the
// default encoding ""), tf.strings.regex_replace with the class
// [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\'], tf.strings.split
// (string_split_op.cc SplitV2: isspace separators, empty tokens dropped),
// tf.strings.unicode_split (ICU decoding, U+FFFD per ill-formed part) and
// tf.strings.ngrams (string_ngrams_op.cc: widths in order, " " separator).

func TestASCIILower(t *testing.T) {
	for _, c := range [][2]string{
		{"The CAT", "the cat"},
		{"ÉCLAIR Ä ß", "Éclair Ä ß"}, // only A-Z change, as absl::AsciiStrToLower
		{"already lower 123", "already lower 123"},
		{"\xffAB", "\xffab"}, // bytes outside UTF-8 stay
		{"", ""},
	} {
		if got := asciiLower(c[0]); got != c[1] {
			t.Errorf("asciiLower(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestStripPunctuation(t *testing.T) {
	if len(punctuation) != 32 {
		t.Fatalf("%d punctuation characters, want the 32 of the Keras class", len(punctuation))
	}
	for _, c := range [][2]string{
		{`!"#$%&'()*+,-./:;<=>?@[\]^_` + "`{|}~", ""},
		{"don't e-mail me_now, ok?", "dont email menow ok"},
		{"«guillemets» — em dash…", "«guillemets» — em dash…"}, // non-ASCII punctuation stays
		{"a\\b|c", "abc"},
		{"no punctuation", "no punctuation"},
	} {
		if got := stripPunctuation(c[0]); got != c[1] {
			t.Errorf("stripPunctuation(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestSplitASCIIWhitespace(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"pigs on the wing", []string{"pigs", "on", "the", "wing"}},
		{"  4  5    6  ", []string{"4", "5", "6"}}, // TensorFlow's own EmptySeparator test
		{"a\tb\nc\vd\fe\rf", []string{"a", "b", "c", "d", "e", "f"}},
		{"non\u00a0breaking\u2003em", []string{"non\u00a0breaking\u2003em"}}, // Unicode spaces do not split
		{"", nil},
		{" \t\n", nil},
	} {
		if got := splitASCIIWhitespace(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitCharacters(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		// tf.strings.unicode_split's docstring example.
		{"G\u00f6\u00f6dnight", []string{"G", "ö", "ö", "d", "n", "i", "g", "h", "t"}},
		{"\U0001f60a", []string{"\U0001f60a"}},
		// A stray continuation byte, a truncated 3-byte sequence (one
		// maximal subpart), a byte that never starts a sequence.
		{"a\x80b\xe2\x82c\xff", []string{"a", "\uFFFD", "b", "\uFFFD", "c", "\uFFFD"}},
		// An encoded surrogate ED A0 80: ED's second byte must be 80-9F, so
		// each of the three bytes is its own ill-formed part.
		{"\xed\xa0\x80", []string{"\uFFFD", "\uFFFD", "\uFFFD"}},
		// Overlong E0 80 80 and F0 80 80 80: the lead byte alone, then the
		// continuation bytes one by one.
		{"\xe0\x80\x80", []string{"\uFFFD", "\uFFFD", "\uFFFD"}},
		// A truncated 4-byte sequence at the end is one part.
		{"x\xf0\x9f\x98", []string{"x", "\uFFFD"}},
		{"", []string{}},
	} {
		if got := splitCharacters(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitCharacters(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNGrams(t *testing.T) {
	toks := []string{"a", "b", "c"}
	for _, c := range []struct {
		widths []int
		want   []string
	}{
		{[]int{1, 2}, []string{"a", "b", "c", "a b", "b c"}},
		{[]int{2}, []string{"a b", "b c"}},
		{[]int{3, 1}, []string{"a b c", "a", "b", "c"}},
		{[]int{4}, []string{}}, // longer than the sequence: nothing
		{[]int{1, 1}, []string{"a", "b", "c", "a", "b", "c"}},
	} {
		if got := ngrams(toks, c.widths); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ngrams(%v) = %q, want %q", c.widths, got, c.want)
		}
	}
}

// FuzzTextTokens runs every built-in standardise/split/n-gram combination
// on arbitrary bytes: no panic, and the invariants of each split hold.
func FuzzTextTokens(f *testing.F) {
	for _, s := range []string{"", "The cat, the HAT!", "a\x80b\xe2\x82", "\t\n x  y ", "Éclair café", "\U0001f60a\xf0\x9f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for std := LowerAndStripPunctuation; std <= NoStandardization; std++ {
			for sp := SplitWhitespace; sp <= NoSplit; sp++ {
				for _, ng := range [][]int{nil, {1, 2}, {3}} {
					tv := &TextVectorization{standardize: std, split: sp, ngrams: ng}
					toks := tv.tokens(s)
					if ng != nil {
						continue
					}
					switch sp {
					case SplitWhitespace:
						for _, tok := range toks {
							if tok == "" || strings.ContainsAny(tok, " \t\n\v\f\r") {
								t.Fatalf("whitespace token %q of %q", tok, s)
							}
						}
					case SplitCharacter:
						for _, tok := range toks {
							if utf8.RuneCountInString(tok) != 1 || !utf8.ValidString(tok) {
								t.Fatalf("character token %q of %q", tok, s)
							}
						}
						if utf8.ValidString(s) && strings.Join(toks, "") != standardized(std, s) {
							t.Fatalf("characters of %q do not join back", s)
						}
					case NoSplit:
						if len(toks) != 1 {
							t.Fatalf("no split gave %d tokens", len(toks))
						}
					}
					if std == LowerAndStripPunctuation {
						for _, tok := range toks {
							if strings.ContainsAny(tok, punctuation+"ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
								t.Fatalf("token %q of %q keeps punctuation or capitals", tok, s)
							}
						}
					}
				}
			}
		}
	})
}

func standardized(m StandardizeMode, s string) string {
	switch m {
	case LowerAndStripPunctuation:
		return stripPunctuation(asciiLower(s))
	case Lower:
		return asciiLower(s)
	case StripPunctuation:
		return stripPunctuation(s)
	}
	return s
}
