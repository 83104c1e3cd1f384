package preprocessing

import (
	"strconv"
	"strings"
)

// This file holds the string steps of TextVectorization (standardise,
// split, n-grams), each matching the TensorFlow op that Keras 3's
// keras/src/layers/preprocessing/text_vectorization.py (_preprocess) calls.

// StandardizeMode is one of Keras's built-in standardisations of
// TextVectorization, the string values of its standardize argument. The
// zero value is LowerAndStripPunctuation, Keras's default.
type StandardizeMode int

const (
	// LowerAndStripPunctuation lowercases the text and then removes ASCII
	// punctuation (Keras "lower_and_strip_punctuation", the default).
	LowerAndStripPunctuation StandardizeMode = iota
	// Lower lowercases the text (Keras "lower").
	Lower
	// StripPunctuation removes ASCII punctuation (Keras "strip_punctuation").
	StripPunctuation
	// NoStandardization leaves the text as it is (Keras None).
	NoStandardization
)

// String returns Keras's name of the mode ("lower_and_strip_punctuation",
// "lower", "strip_punctuation"), or "none" for NoStandardization.
func (m StandardizeMode) String() string {
	switch m {
	case LowerAndStripPunctuation:
		return "lower_and_strip_punctuation"
	case Lower:
		return "lower"
	case StripPunctuation:
		return "strip_punctuation"
	case NoStandardization:
		return "none"
	}
	return "StandardizeMode(" + strconv.Itoa(int(m)) + ")"
}

// SplitMode is one of Keras's built-in ways TextVectorization splits a
// standardised text into tokens, the string values of its split argument.
// The zero value is SplitWhitespace, Keras's default.
type SplitMode int

const (
	// SplitWhitespace splits on runs of ASCII whitespace and drops empty
	// tokens (Keras "whitespace", the default).
	SplitWhitespace SplitMode = iota
	// SplitCharacter makes every Unicode character a token (Keras
	// "character").
	SplitCharacter
	// NoSplit keeps each text as one token (Keras None).
	NoSplit
)

// String returns Keras's name of the mode ("whitespace", "character"), or
// "none" for NoSplit.
func (m SplitMode) String() string {
	switch m {
	case SplitWhitespace:
		return "whitespace"
	case SplitCharacter:
		return "character"
	case NoSplit:
		return "none"
	}
	return "SplitMode(" + strconv.Itoa(int(m)) + ")"
}

// punctuation is the character class of Keras's standardisation regex
// [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\'] (text_vectorization.py,
// _preprocess): the 32 ASCII punctuation characters (the class's ",-\."
// is the range ',' to '.', which adds nothing beyond ',', '-' and '.').
const punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

var isPunctuation = func() (t [256]bool) {
	for i := 0; i < len(punctuation); i++ {
		t[punctuation[i]] = true
	}
	return t
}()

// isASCIISpace reports the bytes C's isspace and absl::ascii_isspace accept,
// the separators of tf.strings.split with no sep (StringSplitV2's
// ConsumeNonWhitespace): space, \t, \n, \v, \f and \r.
func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// asciiLower maps A-Z to a-z and leaves every other byte as it is. This is
// tf.strings.lower with its default encoding "" (absl::AsciiStrToLower in
// TensorFlow's string_lower_op.cc), which is what Keras calls: letters
// outside ASCII ("É", "Ä") are not lowercased.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// stripPunctuation deletes the ASCII punctuation bytes of s, as
// tf.strings.regex_replace(s, punctuation class, "") does. Removing bytes
// is exact for any input: an ASCII byte is never part of a multi-byte UTF-8
// sequence, and RE2 reads an invalid byte as one non-matching character.
func stripPunctuation(s string) string {
	i := 0
	for i < len(s) && !isPunctuation[s[i]] {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		if !isPunctuation[s[i]] {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// splitASCIIWhitespace splits s on runs of ASCII whitespace, without empty
// tokens, like tf.strings.split(s) (Python's str.split() for ASCII text).
// Other Unicode spaces (U+00A0, U+2003, ...) are not separators, unlike in
// strings.Fields.
func splitASCIIWhitespace(s string) []string {
	var out []string
	i := 0
	for {
		for i < len(s) && isASCIISpace(s[i]) {
			i++
		}
		if i == len(s) {
			return out
		}
		j := i
		for j < len(s) && !isASCIISpace(s[j]) {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
}

// replacementChar is U+FFFD in UTF-8, the character TensorFlow's
// unicode_split produces for each ill-formed part of its input.
const replacementChar = "\uFFFD"

// splitCharacters returns the characters of s, like tf.strings.unicode_split
// (s, "UTF-8") with its defaults errors="replace", replacement_char=U+FFFD:
// each well-formed character is one token, and each maximal ill-formed
// subpart becomes the token "\uFFFD" (TensorFlow decodes with ICU, which
// follows Unicode's "maximal subpart" practice; Go's range loop would give
// one U+FFFD per byte instead).
func splitCharacters(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		n, ok := utf8Part(s[i:])
		if ok {
			out = append(out, s[i:i+n])
		} else {
			out = append(out, replacementChar)
		}
		i += n
	}
	return out
}

// utf8Part returns the length of the character at the start of s and
// whether it is well formed; for an ill-formed start it returns the length
// of the maximal subpart (the longest prefix of a well-formed sequence,
// at least one byte), per the Unicode Standard's Table 3-7.
func utf8Part(s string) (n int, ok bool) {
	b0 := s[0]
	if b0 < 0x80 {
		return 1, true
	}
	var size int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case b0 >= 0xC2 && b0 <= 0xDF:
		size = 2
	case b0 == 0xE0:
		size, lo = 3, 0xA0
	case b0 >= 0xE1 && b0 <= 0xEC, b0 == 0xEE, b0 == 0xEF:
		size = 3
	case b0 == 0xED:
		size, hi = 3, 0x9F
	case b0 == 0xF0:
		size, lo = 4, 0x90
	case b0 >= 0xF1 && b0 <= 0xF3:
		size = 4
	case b0 == 0xF4:
		size, hi = 4, 0x8F
	default:
		return 1, false
	}
	if len(s) < 2 || s[1] < lo || s[1] > hi {
		return 1, false
	}
	for i := 2; i < size; i++ {
		if i >= len(s) || s[i] < 0x80 || s[i] > 0xBF {
			return i, false
		}
	}
	return size, true
}

// ngrams returns the n-grams of tokens for each width in order, joined with
// " ", like tf.strings.ngrams(tokens, widths, separator=" ") with no padding
// (string_ngrams_op.cc): all n-grams of the first width, then of the
// second, ...; a width longer than the sequence adds nothing.
func ngrams(tokens []string, widths []int) []string {
	total := 0
	for _, w := range widths {
		if k := len(tokens) - w + 1; k > 0 {
			total += k
		}
	}
	out := make([]string, 0, total)
	for _, w := range widths {
		for i := 0; i+w <= len(tokens); i++ {
			if w == 1 {
				out = append(out, tokens[i])
			} else {
				out = append(out, strings.Join(tokens[i:i+w], " "))
			}
		}
	}
	return out
}
