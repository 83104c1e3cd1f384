package serving

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// The predict request decoder: TF Serving's JSON request body
// (tensorflow_serving/util/json_tensor.cc, FillPredictRequestFromJson)
// read straight into the model's dtype, without building a tree of
// interface values. It is strict JSON (RFC 8259) with TF Serving's
// extension tokens NaN, Infinity and -Infinity recognised, and then
// refused where the model reads them: gokeras models take finite inputs
// only.

// requestFormat says how a predict request gave its tensors, which decides
// the response's shape.
type requestFormat int

const (
	rowFormat      requestFormat = iota + 1 // "instances", answered with "predictions"
	columnarFormat                          // "inputs", answered with "outputs"
)

// defaultSignature is the signature name TF Serving uses when a request
// names none (kDefaultServingSignatureDefKey); it is the only one a gokeras
// model has.
const defaultSignature = "serving_default"

// predictRequest is a decoded request: one column per signature input, in
// signature order, each holding rows samples.
type predictRequest struct {
	format    requestFormat
	signature string
	rows      int
	inputs    []column
}

// decodeLimits bound what one request may hold.
type decodeLimits struct {
	maxRows  int // instances (rows) per request
	maxDepth int // nesting of JSON arrays and objects
}

// decodePredictRequest decodes a predict request body for a model whose
// signature inputs are specs. Every problem is an *apiError with status
// 400 whose message names where in the document it is.
func decodePredictRequest(body []byte, specs []tensorSpec, lim decodeLimits) (*predictRequest, error) {
	p := &parser{data: body, maxDepth: lim.maxDepth}
	top, err := p.scanTop()
	if err != nil {
		return nil, err
	}
	req := &predictRequest{signature: top.signature}
	if top.signature != "" && top.signature != defaultSignature {
		return nil, badRequest("Serving signature name: %q not found in signature def (a gokeras model has only %q)", top.signature, defaultSignature)
	}
	switch {
	case top.instances >= 0 && top.inputs >= 0:
		return nil, badRequest("the request has both 'instances' and 'inputs': give exactly one of them (row or columnar format)")
	case top.instances >= 0:
		req.format = rowFormat
		if top.instanceCount == 0 {
			return nil, badRequest("no values in 'instances' array")
		}
		if top.instanceCount > lim.maxRows {
			return nil, badRequest("'instances' has %d elements; this server takes at most %d rows per request", top.instanceCount, lim.maxRows)
		}
		p.pos = top.instances
		req.rows, req.inputs, err = p.instances(specs, top.instanceCount)
	case top.inputs >= 0:
		req.format = columnarFormat
		p.pos = top.inputs
		req.rows, req.inputs, err = p.columnar(specs, lim.maxRows)
	default:
		return nil, badRequest("missing 'inputs' or 'instances' key")
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// parser reads one JSON document held in memory.
type parser struct {
	data     []byte
	pos      int
	depth    int
	maxDepth int

	// While a tensor is read: where it is and what it should be, for
	// error messages (instances[3]["a"][27][5], inputs["a"][3][27]).
	section string // "instances" or "inputs"
	row     int    // the instance in the row format, else -1
	key     string // the input's name when named, else ""
	spec    *tensorSpec
	batch   bool  // the tensor read includes the batch axis (columnar)
	idx     []int // indices of the lists entered
}

// topLevel is what the first pass found in the request object.
type topLevel struct {
	signature     string
	instances     int // offset of the value of "instances", -1 if absent
	instanceCount int // its number of elements when it is an array
	inputs        int // offset of the value of "inputs", -1 if absent
}

// scanTop checks the whole document's syntax and depth and records where
// the known keys' values are.
func (p *parser) scanTop() (topLevel, error) {
	t := topLevel{instances: -1, inputs: -1}
	p.skipSpace()
	if p.pos == len(p.data) {
		return t, badRequest("JSON parse error: the document is empty")
	}
	if p.data[p.pos] != '{' {
		if _, err := p.skipValue(); err != nil {
			return t, err
		}
		return t, badRequest("the request body must be a JSON object, found %s", kindAt(p.data, 0))
	}
	p.pos++
	p.depth = 1
	seen := map[string]bool{}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			key, err := p.readString("an object key")
			if err != nil {
				return t, err
			}
			if err := p.expectColon(); err != nil {
				return t, err
			}
			known := key == "signature_name" || key == "instances" || key == "inputs"
			if known && seen[key] {
				return t, badRequest("the request has key %q twice", key)
			}
			seen[key] = true
			p.skipSpace()
			start := p.pos
			switch key {
			case "signature_name":
				if p.peek() != '"' {
					if _, err := p.skipValue(); err != nil {
						return t, err
					}
					return t, badRequest("'signature_name' must be a string, found %s", kindAt(p.data, start))
				}
				if t.signature, err = p.readString("a string"); err != nil {
					return t, err
				}
			default:
				n, err := p.skipValue()
				if err != nil {
					return t, err
				}
				switch key {
				case "instances":
					if p.data[start] != '[' {
						return t, badRequest("'instances' must be a list (one element per instance), found %s", kindAt(p.data, start))
					}
					t.instances, t.instanceCount = start, n
				case "inputs":
					t.inputs = start
				}
			}
			p.skipSpace()
			c := p.peek()
			p.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				return t, p.syntaxError(p.pos-1, "expected ',' or '}' after an object member")
			}
		}
	}
	p.depth = 0
	p.skipSpace()
	if p.pos != len(p.data) {
		return t, p.syntaxError(p.pos, "unexpected data after the top-level object")
	}
	return t, nil
}

// instances reads the row format's list (its syntax already checked):
// each element one input's sample, or an object of named samples.
func (p *parser) instances(specs []tensorSpec, count int) (int, []column, error) {
	cols := make([]column, len(specs))
	for i, s := range specs {
		// Room for the values the instances should hold, but never more
		// than the body can hold (a number and a comma take 2 bytes), so
		// a short body cannot make a large allocation.
		cols[i] = newColumn(s.dtype, min(count*s.size(), len(p.data)/2+1))
	}
	p.pos++ // '['
	p.skipSpace()
	named := p.peek() == '{'
	if !named && len(specs) > 1 {
		return 0, nil, badRequest("'instances' is a plain list, but the model has %d inputs (%s): give each instance as an object with one key per input", len(specs), specNames(specs))
	}
	seen := make([]bool, len(specs))
	p.section = "instances"
	for row := 0; ; row++ {
		p.skipSpace()
		p.row, p.key, p.idx = row, "", p.idx[:0]
		if named {
			if p.peek() != '{' {
				return 0, nil, badRequest("%s: expected an object of named inputs like instances[0], found %s", p.path(), kindAt(p.data, p.pos))
			}
			if err := p.namedSample(specs, cols, seen); err != nil {
				return 0, nil, err
			}
		} else {
			if p.peek() == '{' {
				return 0, nil, badRequest("%s: expected the value of input %q, found an object (instances[0] is not an object)", p.path(), specs[0].name)
			}
			p.spec, p.batch = &specs[0], false
			if err := p.tensor(&cols[0], 0); err != nil {
				return 0, nil, err
			}
		}
		p.skipSpace()
		c := p.data[p.pos]
		p.pos++
		if c == ']' {
			return row + 1, cols, nil
		}
	}
}

// namedSample reads one row-format object: one sample per input.
func (p *parser) namedSample(specs []tensorSpec, cols []column, seen []bool) error {
	row := p.path()
	for i := range seen {
		seen[i] = false
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.peek() != '}' {
		for {
			p.skipSpace()
			key, err := p.readString("an object key")
			if err != nil {
				return err
			}
			_ = p.expectColon()
			k := specIndex(specs, key)
			if k < 0 {
				return badRequest("%s: the model has no input %q (its inputs: %s)", row, key, specNames(specs))
			}
			if seen[k] {
				return badRequest("%s: input %q is given twice", row, key)
			}
			seen[k] = true
			p.skipSpace()
			p.key, p.idx = key, p.idx[:0]
			p.spec, p.batch = &specs[k], false
			if err := p.tensor(&cols[k], 0); err != nil {
				return err
			}
			p.skipSpace()
			c := p.data[p.pos]
			p.pos++
			if c == '}' {
				break
			}
		}
	} else {
		p.pos++
	}
	var missing []string
	for i, ok := range seen {
		if !ok {
			missing = append(missing, strconv.Quote(specs[i].name))
		}
	}
	if len(missing) > 0 {
		return badRequest("%s: missing input %s (the model's inputs: %s)", row, strings.Join(missing, ", "), specNames(specs))
	}
	return nil
}

// columnar reads the columnar format's value: one input's batch, or an
// object with one batch per input. All inputs must have the same number
// of rows.
func (p *parser) columnar(specs []tensorSpec, maxRows int) (int, []column, error) {
	cols := make([]column, len(specs))
	for i, s := range specs {
		cols[i] = newColumn(s.dtype, 0)
	}
	p.skipSpace()
	p.section, p.row, p.key = "inputs", -1, ""
	if p.peek() != '{' {
		if len(specs) > 1 {
			return 0, nil, badRequest("'inputs' is a plain list, but the model has %d inputs (%s): give an object with one key per input", len(specs), specNames(specs))
		}
		n, err := p.batchOf(&specs[0], &cols[0], maxRows)
		return n, cols, err
	}
	rows := make([]int, len(specs))
	seen := make([]bool, len(specs))
	p.pos++ // '{'
	p.skipSpace()
	if p.peek() != '}' {
		for {
			p.skipSpace()
			key, err := p.readString("an object key")
			if err != nil {
				return 0, nil, err
			}
			_ = p.expectColon()
			k := specIndex(specs, key)
			if k < 0 {
				return 0, nil, badRequest("inputs: the model has no input %q (its inputs: %s)", key, specNames(specs))
			}
			if seen[k] {
				return 0, nil, badRequest("inputs: input %q is given twice", key)
			}
			seen[k] = true
			p.skipSpace()
			p.key = key
			if rows[k], err = p.batchOf(&specs[k], &cols[k], maxRows); err != nil {
				return 0, nil, err
			}
			p.skipSpace()
			c := p.data[p.pos]
			p.pos++
			if c == '}' {
				break
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			return 0, nil, badRequest("missing named input %q in 'inputs' object (the model's inputs: %s)", specs[i].name, specNames(specs))
		}
	}
	for i := range specs {
		if rows[i] != rows[0] {
			return 0, nil, badRequest("inputs: input %q has %d rows but %q has %d: every input needs one row per instance", specs[i].name, rows[i], specs[0].name, rows[0])
		}
	}
	return rows[0], cols, nil
}

// batchOf reads a list of samples of spec (the batch axis first) into col.
func (p *parser) batchOf(spec *tensorSpec, col *column, maxRows int) (int, error) {
	p.spec, p.batch = spec, true
	p.idx = p.idx[:0]
	if p.peek() != '[' {
		return 0, p.shapeError("expected a list with one entry per instance, found %s", kindAt(p.data, p.pos))
	}
	p.pos++
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return 0, badRequest("%s: the list of instances is empty", p.path())
	}
	for n := 0; ; n++ {
		if n == maxRows {
			p.idx = p.idx[:0]
			return 0, badRequest("%s: more than %d instances; this server takes at most %d rows per request", p.path(), maxRows, maxRows)
		}
		p.idx = append(p.idx[:0], n)
		p.skipSpace()
		if err := p.tensor(col, 0); err != nil {
			return 0, err
		}
		p.skipSpace()
		c := p.data[p.pos]
		p.pos++
		if c == ']' {
			return n + 1, nil
		}
	}
}

// tensor reads one sample of p.spec from level on: a list of
// shape[level] entries, or a number at the last level. The document's
// syntax has been checked, so only its shape and values are.
func (p *parser) tensor(col *column, level int) error {
	shape := p.spec.shape
	if level == len(shape) {
		return p.number(col)
	}
	want := shape[level]
	if p.peek() != '[' {
		return p.shapeError("expected a list of %d entries, found %s", want, kindAt(p.data, p.pos))
	}
	p.pos++
	p.skipSpace()
	n := 0
	if p.peek() == ']' {
		p.pos++
	} else {
		for {
			if n == want {
				return p.shapeError("the list has more than %d entries", want)
			}
			p.idx = append(p.idx, n)
			p.skipSpace()
			if err := p.tensor(col, level+1); err != nil {
				return err
			}
			p.idx = p.idx[:len(p.idx)-1]
			n++
			p.skipSpace()
			c := p.data[p.pos]
			p.pos++
			if c == ']' {
				break
			}
		}
	}
	if n != want {
		return p.shapeError("the list has %d entries, expected %d", n, want)
	}
	return nil
}

// number reads a JSON number into col, exactly: float32 values are parsed
// as float32 (one rounding), never through float64.
func (p *parser) number(col *column) error {
	start := p.pos
	c := p.peek()
	if c == 'N' || c == 'I' || c == '-' && start+1 < len(p.data) && p.data[start+1] == 'I' {
		// The syntax pass lets TF Serving's NaN and Infinity tokens through.
		return p.valueError("%s is not a finite number; the model takes finite numbers only", nonFiniteToken(p.data, start))
	}
	if c != '-' && (c < '0' || c > '9') {
		return p.shapeError("expected a number, found %s", kindAt(p.data, p.pos))
	}
	d, ok := scanDecimal(p.data, start)
	if d.end < 0 {
		return p.syntaxError(start, "invalid number")
	}
	p.pos = d.end
	if ok {
		// Exact operands, one correctly rounded operation (Clinger's fast
		// path): the value strconv.ParseFloat would return.
		if col.dtype == float32Type {
			if d.mant <= 1<<24 && d.exp >= -10 && d.exp <= 10 {
				col.f32 = append(col.f32, d.float32())
				return nil
			}
		} else if d.mant <= 1<<53 && d.exp >= -22 && d.exp <= 22 {
			col.f64 = append(col.f64, d.float64())
			return nil
		}
	}
	tok := p.data[start:d.end]
	bits := 64
	if col.dtype == float32Type {
		bits = 32
	}
	f, err := strconv.ParseFloat(string(tok), bits)
	if err != nil {
		return p.valueError("%s is out of the range of %v", tok, col.dtype)
	}
	if len(tok) > 7 && isInteger(tok) && !exactInteger(tok, f) {
		return p.valueError("the integer %s cannot be represented exactly as %v", tok, col.dtype)
	}
	if col.dtype == float32Type {
		col.f32 = append(col.f32, float32(f))
	} else {
		col.f64 = append(col.f64, f)
	}
	return nil
}

// decimal is a JSON number read as mant × 10^exp.
type decimal struct {
	end  int // the offset after the number, -1 if there is none
	mant uint64
	exp  int
	neg  bool
}

var (
	pow10f32 = [...]float32{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}
	pow10f64 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
)

// float32 returns the value when mant <= 2^24 and |exp| <= 10: both
// operands are exact float32 values, so the one multiplication or
// division rounds once, correctly.
func (d decimal) float32() float32 {
	f := float32(d.mant)
	if d.exp < 0 {
		f /= pow10f32[-d.exp]
	} else {
		f *= pow10f32[d.exp]
	}
	if d.neg {
		f = -f
	}
	return f
}

// float64 is float32 for mant <= 2^53 and |exp| <= 22.
func (d decimal) float64() float64 {
	f := float64(d.mant)
	if d.exp < 0 {
		f /= pow10f64[-d.exp]
	} else {
		f *= pow10f64[d.exp]
	}
	if d.neg {
		f = -f
	}
	return f
}

// scanDecimal reads the JSON number at i (its end is -1 when there is
// none). ok says the mantissa and exponent were read whole: at most 19
// significant digits and an exponent of at most 4 digits; otherwise only
// the end is meaningful.
func scanDecimal(b []byte, i int) (d decimal, ok bool) {
	d.end = scanNumber(b, i)
	if d.end < 0 {
		return d, false
	}
	ok = true
	if b[i] == '-' {
		d.neg = true
		i++
	}
	digits := 0 // significant digits in mant
	add := func(c byte) {
		if d.mant == 0 && c == '0' {
			return
		}
		if digits == 19 {
			ok = false
			return
		}
		d.mant = d.mant*10 + uint64(c-'0')
		digits++
	}
	for ; i < d.end && b[i] >= '0' && b[i] <= '9'; i++ {
		add(b[i])
	}
	if i < d.end && b[i] == '.' {
		for i++; i < d.end && b[i] >= '0' && b[i] <= '9'; i++ {
			add(b[i])
			d.exp--
		}
	}
	if i < d.end && (b[i] == 'e' || b[i] == 'E') {
		i++
		sign := 1
		if b[i] == '+' || b[i] == '-' {
			if b[i] == '-' {
				sign = -1
			}
			i++
		}
		if d.end-i > 4 {
			return d, false
		}
		e := 0
		for ; i < d.end; i++ {
			e = e*10 + int(b[i]-'0')
		}
		d.exp += sign * e
	}
	return d, ok
}

// isInteger reports whether a number token has no fraction or exponent.
func isInteger(tok []byte) bool {
	return !bytes.ContainsAny(tok, ".eE")
}

// exactInteger reports whether the integer token equals f exactly (TF
// Serving refuses integers a float type cannot hold, IsLosslessDecimal).
func exactInteger(tok []byte, f float64) bool {
	if len(tok) <= 7 { // |v| < 10^7 < 2^24: exact in both types
		return true
	}
	var want big.Int
	if _, ok := want.SetString(string(tok), 10); !ok {
		return false
	}
	got, acc := big.NewFloat(f).Int(nil)
	return acc == big.Exact && got.Cmp(&want) == 0
}

// shapeError reports a value of the wrong shape or kind at the current
// tensor position, with the shape one instance should have.
func (p *parser) shapeError(format string, args ...interface{}) error {
	what := "one instance of input %q has shape %s"
	if p.batch {
		what = "input %q takes a list of instances, each of shape %s"
	}
	return badRequest("%s: %s (%s)", p.path(), fmt.Sprintf(format, args...), fmt.Sprintf(what, p.spec.name, shapeString(p.spec.shape)))
}

// valueError reports a bad number at the current tensor position.
func (p *parser) valueError(format string, args ...interface{}) error {
	return badRequest("%s: %s", p.path(), fmt.Sprintf(format, args...))
}

// path returns where the parser is: instances[3][27][5].
func (p *parser) path() string {
	var b strings.Builder
	b.WriteString(p.section)
	if p.row >= 0 {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.row))
		b.WriteByte(']')
	}
	if p.key != "" {
		b.WriteByte('[')
		b.WriteString(quoteJSON(p.key))
		b.WriteByte(']')
	}
	for _, i := range p.idx {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(']')
	}
	return b.String()
}

// skipValue checks the syntax of one value and moves past it, counting the
// elements when it is an array.
func (p *parser) skipValue() (int, error) {
	p.skipSpace()
	if p.pos == len(p.data) {
		return 0, p.syntaxError(p.pos, "unexpected end of the document, expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{' || c == '[':
		return p.skipContainer(c)
	case c == '"':
		_, err := p.readString("a string")
		return 0, err
	case c == '-' || (c >= '0' && c <= '9'):
		end := scanNumber(p.data, p.pos)
		if end < 0 {
			if tok := nonFiniteToken(p.data, p.pos); tok != "" {
				p.pos += len(tok)
				return 0, nil
			}
			return 0, p.syntaxError(p.pos, "invalid number")
		}
		p.pos = end
		return 0, nil
	default:
		for _, lit := range []string{"true", "false", "null", "NaN", "Infinity"} {
			if bytes.HasPrefix(p.data[p.pos:], []byte(lit)) {
				p.pos += len(lit)
				return 0, nil
			}
		}
		return 0, p.syntaxError(p.pos, "invalid value")
	}
}

// skipContainer checks an object or array and its contents.
func (p *parser) skipContainer(open byte) (int, error) {
	p.depth++
	if p.depth > p.maxDepth {
		return 0, badRequest("the JSON document nests deeper than %d levels (offset %d)", p.maxDepth, p.pos)
	}
	p.pos++
	closeCh := byte(']')
	if open == '{' {
		closeCh = '}'
	}
	p.skipSpace()
	if p.peek() == closeCh {
		p.pos++
		p.depth--
		return 0, nil
	}
	n := 0
	for {
		if open == '{' {
			p.skipSpace()
			if _, err := p.readString("an object key"); err != nil {
				return 0, err
			}
			if err := p.expectColon(); err != nil {
				return 0, err
			}
		}
		if _, err := p.skipValue(); err != nil {
			return 0, err
		}
		n++
		p.skipSpace()
		if p.pos == len(p.data) {
			return 0, p.syntaxError(p.pos, "unexpected end of the document inside a list or object")
		}
		c := p.data[p.pos]
		p.pos++
		if c == closeCh {
			p.depth--
			return n, nil
		}
		if c != ',' {
			if open == '{' {
				return 0, p.syntaxError(p.pos-1, "expected ',' or '}' after an object member")
			}
			return 0, p.syntaxError(p.pos-1, "expected ',' or ']' after a list entry")
		}
	}
}

// readString reads a JSON string at p.pos and returns its value.
func (p *parser) readString(what string) (string, error) {
	if p.peek() != '"' {
		return "", p.syntaxError(p.pos, "expected "+what)
	}
	start := p.pos
	p.pos++
	escaped := false
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			raw := p.data[start+1 : p.pos-1]
			if !escaped {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				return "", p.syntaxError(start, "invalid string")
			}
			return s, nil
		case c == '\\':
			escaped = true
			if p.pos+1 >= len(p.data) {
				return "", p.syntaxError(p.pos, "unterminated string")
			}
			switch p.data[p.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos += 2
			case 'u':
				if p.pos+6 > len(p.data) || !isHex4(p.data[p.pos+2:p.pos+6]) {
					return "", p.syntaxError(p.pos, "invalid \\u escape in a string")
				}
				p.pos += 6
			default:
				return "", p.syntaxError(p.pos, "invalid escape in a string")
			}
		case c < 0x20:
			return "", p.syntaxError(p.pos, "control character in a string")
		default:
			p.pos++
		}
	}
	return "", p.syntaxError(start, "unterminated string")
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (p *parser) expectColon() error {
	p.skipSpace()
	if p.peek() != ':' {
		return p.syntaxError(p.pos, "expected ':' after an object key")
	}
	p.pos++
	return nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the byte at p.pos, or 0 at the end.
func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *parser) syntaxError(at int, msg string) error {
	return badRequest("JSON parse error at offset %d: %s", at, msg)
}

// scanNumber returns the end of the JSON number starting at i, or -1 when
// there is none.
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i
}

// nonFiniteToken returns TF Serving's token for a non-finite number at i
// ("NaN", "Infinity", "-Infinity"), or "".
func nonFiniteToken(b []byte, i int) string {
	for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
		if bytes.HasPrefix(b[i:], []byte(tok)) {
			return tok
		}
	}
	return ""
}

// kindAt names the kind of JSON value at i for messages.
func kindAt(b []byte, i int) string {
	if i >= len(b) {
		return "nothing"
	}
	switch c := b[i]; {
	case c == '[':
		return "a list"
	case c == '{':
		return "an object"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == 'N' || c == 'I' || (c == '-' && i+1 < len(b) && b[i+1] == 'I'):
		return nonFiniteToken(b, i)
	default:
		return "a number"
	}
}

func specIndex(specs []tensorSpec, name string) int {
	for i := range specs {
		if specs[i].name == name {
			return i
		}
	}
	return -1
}

func specNames(specs []tensorSpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = strconv.Quote(s.name)
	}
	return strings.Join(names, ", ")
}

// quoteJSON returns s as a JSON string literal.
func quoteJSON(s string) string { return string(appendJSONString(nil, s)) }

// appendJSONString appends s as a JSON string literal: quotes, backslashes
// and control characters escaped, everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
