package serving

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pkg/errors"
)

// A reader of the protocol buffer text format, enough for TF Serving's
// configuration files (model_config_file, batching_parameters_file):
// fields "name: scalar" and "name { ... }" (or "name: { ... }", "name <
// ... >"), scalars as numbers, identifiers (true, false, enum values) and
// single- or double-quoted strings with C escapes, lists "name: [1, 2]",
// '#' comments, and optional ',' or ';' after a field. Messages are read
// into a generic tree that the configuration code interprets, so a field
// it does not know is reported by name.

// maxConfigBytes and maxConfigDepth bound a configuration file.
const (
	maxConfigBytes = 1 << 20
	maxConfigDepth = 16
)

// tpField is one field of a text-format message.
type tpField struct {
	name   string
	line   int
	msg    []tpField // the fields of a message value
	isMsg  bool
	scalar string // the text of a scalar value (strings unquoted)
	quoted bool   // the scalar was a string literal
}

// parseTextProto reads a whole text-format message.
func parseTextProto(src string) ([]tpField, error) {
	if len(src) > maxConfigBytes {
		return nil, errors.Errorf("the file has %d bytes, more than the %d a configuration may have", len(src), maxConfigBytes)
	}
	t := &tpLexer{src: src, line: 1}
	fields, err := t.message(0, 0)
	if err != nil {
		return nil, err
	}
	return fields, nil
}

type tpLexer struct {
	src  string
	pos  int
	line int
}

func (t *tpLexer) errorf(format string, args ...interface{}) error {
	return errors.Errorf("line %d: %s", t.line, fmt.Sprintf(format, args...))
}

// skip moves past spaces and comments.
func (t *tpLexer) skip() {
	for t.pos < len(t.src) {
		switch c := t.src[t.pos]; {
		case c == '\n':
			t.line++
			t.pos++
		case c == ' ' || c == '\t' || c == '\r':
			t.pos++
		case c == '#':
			for t.pos < len(t.src) && t.src[t.pos] != '\n' {
				t.pos++
			}
		default:
			return
		}
	}
}

func (t *tpLexer) peek() byte {
	t.skip()
	if t.pos < len(t.src) {
		return t.src[t.pos]
	}
	return 0
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

// message reads fields until the closing byte (0: the end of the input).
func (t *tpLexer) message(closing byte, depth int) ([]tpField, error) {
	if depth > maxConfigDepth {
		return nil, t.errorf("messages nest deeper than %d levels", maxConfigDepth)
	}
	var fields []tpField
	for {
		c := t.peek()
		if c == closing {
			if c != 0 {
				t.pos++
			}
			return fields, nil
		}
		if c == 0 {
			return nil, t.errorf("unexpected end of the file: a message is not closed")
		}
		if !isIdentByte(c, true) {
			return nil, t.errorf("expected a field name, found %q", c)
		}
		start := t.pos
		for t.pos < len(t.src) && isIdentByte(t.src[t.pos], false) {
			t.pos++
		}
		f := tpField{name: t.src[start:t.pos], line: t.line}
		colon := false
		if t.peek() == ':' {
			t.pos++
			colon = true
		}
		switch c := t.peek(); {
		case c == '{' || c == '<':
			t.pos++
			end := byte('}')
			if c == '<' {
				end = '>'
			}
			sub, err := t.message(end, depth+1)
			if err != nil {
				return nil, err
			}
			f.isMsg, f.msg = true, sub
			fields = append(fields, f)
		case !colon:
			return nil, t.errorf("expected ':' or '{' after field %s", f.name)
		case c == '[':
			t.pos++
			for first := true; ; first = false {
				if t.peek() == ']' {
					t.pos++
					break
				}
				if !first {
					if t.peek() != ',' {
						return nil, t.errorf("expected ',' or ']' in the list of field %s", f.name)
					}
					t.pos++
				}
				v, quoted, err := t.scalar()
				if err != nil {
					return nil, err
				}
				fields = append(fields, tpField{name: f.name, line: f.line, scalar: v, quoted: quoted})
			}
		default:
			v, quoted, err := t.scalar()
			if err != nil {
				return nil, err
			}
			f.scalar, f.quoted = v, quoted
			fields = append(fields, f)
		}
		if c := t.peek(); c == ',' || c == ';' {
			t.pos++
		}
	}
}

// scalar reads a number, identifier or string (adjacent strings joined).
func (t *tpLexer) scalar() (string, bool, error) {
	c := t.peek()
	if c == '"' || c == '\'' {
		var b strings.Builder
		for c := t.peek(); c == '"' || c == '\''; c = t.peek() {
			s, err := t.str(c)
			if err != nil {
				return "", false, err
			}
			b.WriteString(s)
		}
		return b.String(), true, nil
	}
	start := t.pos
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		if isIdentByte(c, false) || c == '-' || c == '+' || c == '.' {
			t.pos++
			continue
		}
		break
	}
	if t.pos == start {
		return "", false, t.errorf("expected a value, found %q", c)
	}
	return t.src[start:t.pos], false, nil
}

// str reads one quoted string with C escapes.
func (t *tpLexer) str(quote byte) (string, error) {
	t.pos++
	var b strings.Builder
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == quote:
			t.pos++
			return b.String(), nil
		case c == '\n':
			return "", t.errorf("a string is not closed on its line")
		case c == '\\':
			if t.pos+1 >= len(t.src) {
				return "", t.errorf("a string ends in a backslash")
			}
			e := t.src[t.pos+1]
			t.pos += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '\'', '"':
				b.WriteByte(e)
			default:
				return "", t.errorf("unsupported escape \\%c in a string", e)
			}
		default:
			b.WriteByte(c)
			t.pos++
		}
	}
	return "", t.errorf("a string is not closed")
}

// tpInt returns a scalar field's integer value.
func tpInt(f tpField) (int64, error) {
	if f.isMsg || f.quoted {
		return 0, errors.Errorf("line %d: field %s must be an integer", f.line, f.name)
	}
	n, err := strconv.ParseInt(f.scalar, 10, 64)
	if err != nil {
		return 0, errors.Errorf("line %d: field %s: %q is not an integer", f.line, f.name, f.scalar)
	}
	return n, nil
}

// tpString returns a string field's value.
func tpString(f tpField) (string, error) {
	if f.isMsg || !f.quoted {
		return "", errors.Errorf("line %d: field %s must be a quoted string", f.line, f.name)
	}
	return f.scalar, nil
}

// tpMsg returns a message field's fields.
func tpMsg(f tpField) ([]tpField, error) {
	if !f.isMsg {
		return nil, errors.Errorf("line %d: field %s must be a message { ... }", f.line, f.name)
	}
	return f.msg, nil
}

// tpWrapped returns the integer in a wrapper message: name { value: N },
// as google.protobuf.Int64Value fields are written.
func tpWrapped(f tpField) (int64, error) {
	sub, err := tpMsg(f)
	if err != nil {
		return 0, errors.Errorf("line %d: field %s must be written %s { value: N }", f.line, f.name, f.name)
	}
	if len(sub) == 0 {
		return 0, nil // an empty wrapper holds the default, 0
	}
	if len(sub) != 1 || sub[0].name != "value" {
		return 0, errors.Errorf("line %d: field %s must be written %s { value: N }", f.line, f.name, f.name)
	}
	return tpInt(sub[0])
}

// unknownField reports a field that a message does not have.
func unknownField(f tpField, message string, known ...string) error {
	return errors.Errorf("line %d: %s has no field %s that gokeras-serve supports (it reads: %s)", f.line, message, f.name, strings.Join(known, ", "))
}
