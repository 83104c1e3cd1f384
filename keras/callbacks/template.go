package callbacks

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
)

// pathTemplate is a ModelCheckpoint file path with Python format fields:
// "{epoch:02d}-{val_loss:.2f}.gokeras".
type pathTemplate struct {
	parts []templatePart
}

type templatePart struct {
	literal string
	field   string // empty for a literal
	spec    fieldSpec
}

// fieldSpec is the subset of Python's format-spec mini-language that file
// names need: [sign][0][width][.precision][type], type one of d f F e E g
// G % or none.
type fieldSpec struct {
	sign      string
	zero      bool
	width     int
	precision int // -1 when not given
	verb      byte
}

var specPattern = regexp.MustCompile(`^([+\- ])?(0)?([0-9]+)?(?:\.([0-9]+))?([dfFeEgG%])?$`)

// parseTemplate parses a file path template. "{{" and "}}" stand for
// literal braces.
func parseTemplate(s string) (*pathTemplate, error) {
	t := &pathTemplate{}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			return nil, errors.Errorf("callbacks: ModelCheckpoint: file path %q has a single '}' at byte %d (write '}}' for a brace)", s, i)
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, errors.Errorf("callbacks: ModelCheckpoint: file path %q has an unclosed '{' at byte %d", s, i)
			}
			body := s[i+1 : i+end]
			name, spec, _ := strings.Cut(body, ":")
			if name == "" || strings.ContainsAny(name, "{[.!") {
				return nil, errors.Errorf("callbacks: ModelCheckpoint: file path %q: bad field {%s}", s, body)
			}
			fs, err := parseSpec(spec)
			if err != nil {
				return nil, errors.Wrapf(err, "callbacks: ModelCheckpoint: file path %q: field {%s}", s, body)
			}
			if fs.verb == 'd' && name != "epoch" {
				return nil, errors.Errorf("callbacks: ModelCheckpoint: file path %q: field {%s}: only epoch is an integer; use a float format such as .4f", s, body)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, templatePart{literal: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, templatePart{field: name, spec: fs})
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, templatePart{literal: lit.String()})
	}
	return t, nil
}

func parseSpec(spec string) (fieldSpec, error) {
	fs := fieldSpec{precision: -1}
	if spec == "" {
		return fs, nil
	}
	m := specPattern.FindStringSubmatch(spec)
	if m == nil {
		return fs, errors.Errorf("unsupported format spec %q (supported: [sign][0][width][.precision][d|f|e|g|%%])", spec)
	}
	fs.sign, fs.zero = m[1], m[2] == "0"
	if m[3] != "" {
		fs.width, _ = strconv.Atoi(m[3])
	}
	if m[4] != "" {
		fs.precision, _ = strconv.Atoi(m[4])
	}
	if m[5] != "" {
		fs.verb = m[5][0]
	}
	if fs.verb == 'd' && fs.precision >= 0 {
		return fs, errors.Errorf("format spec %q: precision is not allowed with d", spec)
	}
	if fs.width > 64 || fs.precision > 20 {
		return fs, errors.Errorf("format spec %q: width or precision too large", spec)
	}
	return fs, nil
}

// fields returns the field names, in order.
func (t *pathTemplate) fields() []string {
	var out []string
	for _, p := range t.parts {
		if p.field != "" {
			out = append(out, p.field)
		}
	}
	return out
}

// format fills the template for epoch (1-based, as Keras passes it) and
// logs (alias-aware lookup).
func (t *pathTemplate) format(epoch int, logs keras.Logs) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.literal)
			continue
		}
		if p.field == "epoch" {
			b.WriteString(p.spec.formatInt(epoch))
			continue
		}
		v, ok := lookup(logs, p.field)
		if !ok {
			return "", errors.Errorf("callbacks: ModelCheckpoint: the file path needs {%s}, which is not in the logs (available: %s)", p.field, strings.Join(sortedKeys(logs), ", "))
		}
		b.WriteString(p.spec.formatFloat(v))
	}
	return b.String(), nil
}

func (fs fieldSpec) flags() string {
	f := "%" + fs.sign
	if fs.zero {
		f += "0"
	}
	if fs.width > 0 {
		f += strconv.Itoa(fs.width)
	}
	return f
}

func (fs fieldSpec) formatInt(v int) string {
	if fs.verb == 0 || fs.verb == 'd' {
		return fmt.Sprintf(fs.flags()+"d", v)
	}
	return fs.formatFloat(float64(v))
}

// formatFloat formats v as Python's format(v, spec) does for the
// supported specs.
func (fs fieldSpec) formatFloat(v float64) string {
	prec := fs.precision
	verb := fs.verb
	suffix := ""
	switch verb {
	case 0:
		if prec < 0 {
			// Python's str(float): shortest repr, always with a point or
			// an exponent.
			s := pyRepr(v)
			return fmt.Sprintf(fs.flags()+"s", s)
		}
		verb = 'g'
	case '%':
		v *= 100
		verb, suffix = 'f', "%"
	case 'F':
		verb = 'f'
	}
	if prec < 0 {
		prec = 6
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf(fs.flags()+"s", pyRepr(v)) + suffix
	}
	return fmt.Sprintf(fs.flags()+"."+strconv.Itoa(prec)+string(verb), v) + suffix
}

// pyRepr formats v like Python's repr(float).
func pyRepr(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	if v == 0 {
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	exp := int(math.Floor(math.Log10(math.Abs(v))))
	if exp < -4 || exp >= 16 {
		return strconv.FormatFloat(v, 'e', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
