// Package hparams holds what the vocabulary packages (activations, losses,
// metrics, optimizers, initializers, regularizers, constraints) share about
// hyperparameters: each class keeps them in a typed struct whose JSON keys
// are Keras's keyword names, and its serialisable Config carries that
// struct's JSON. Decode reads such a JSON object strictly (an unknown key
// is an error naming the valid ones; a value of the wrong type is an error
// naming the key) and tolerates the 0/1 numbers that files written before
// the typed structs stored for booleans; Encode and Diff write it back.
// Every error is a *kerrors.OptionError, unwrapped: the caller adds its
// package prefix.
package hparams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// field is one JSON key of a hyperparameter struct.
type field struct {
	key   string
	index []int
	typ   reflect.Type
}

// fields lists the JSON keys of struct type t in field order, embedded
// structs flattened (as encoding/json does). Fields without a json tag or
// tagged "-" are skipped.
func fields(t reflect.Type) []field {
	var out []field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), index...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			out = append(out, field{key: tag, index: idx, typ: f.Type})
		}
	}
	walk(t, nil)
	return out
}

func structType(v any) reflect.Type {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("hparams: %T is not a struct", v))
	}
	return t
}

// Keys returns the JSON keys of the hyperparameter struct v (a struct or a
// pointer to one), in field order.
func Keys(v any) []string {
	fs := fields(structType(v))
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key
	}
	return out
}

// takes describes the keys a class accepts, for error messages.
func takes(call string, fs []field) string {
	if len(fs) == 0 {
		return call + " takes no parameters"
	}
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return call + " takes " + strings.Join(keys, ", ")
}

// Empty reports whether raw holds no parameters: nothing, JSON null or {}.
func Empty(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return true
	}
	var obj map[string]json.RawMessage
	return json.Unmarshal(t, &obj) == nil && len(obj) == 0
}

// Decode sets the fields of *dst, a struct already holding the defaults,
// from the JSON object raw (empty or null: nothing changes). call names the
// class in errors ("adam"). A key dst has no field for gives an
// OptionError naming it and the valid keys; a value of the wrong type an
// OptionError naming the key and the type wanted. A boolean field also
// accepts the numbers 0 and 1, which gokeras wrote for booleans before
// hyperparameters were typed. JSON null leaves a number, string or boolean
// field at its default and sets a pointer or slice field to nil.
func Decode(call string, raw json.RawMessage, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("hparams: Decode into %T, want a pointer to a struct", dst))
	}
	if Empty(raw) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return &kerrors.OptionError{Call: call, Option: "params", Value: abbreviate(raw), Msg: "want a JSON object of parameters"}
	}
	fs := fields(rv.Elem().Type())
	byKey := make(map[string]field, len(fs))
	for _, f := range fs {
		byKey[f.key] = f
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := byKey[k]
		if !ok {
			return &kerrors.OptionError{Call: call, Option: k, Msg: "unknown parameter (" + takes(call, fs) + ")"}
		}
		v := bytes.TrimSpace(obj[k])
		if isBool(f.typ) && len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
			switch x, err := strconv.ParseFloat(string(v), 64); {
			case err == nil && x == 0:
				v = []byte("false")
			case err == nil && x == 1:
				v = []byte("true")
			default:
				return &kerrors.OptionError{Call: call, Option: k, Value: string(v), Msg: "must be true or false (older files: 0 or 1)"}
			}
		}
		target := rv.Elem().FieldByIndex(f.index)
		switch target.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			// encoding/json writes through a non-nil pointer and reuses a
			// slice's array: start afresh, so that decoding never changes
			// the defaults the struct was copied from.
			target.Set(reflect.Zero(target.Type()))
		}
		if err := json.Unmarshal(v, target.Addr().Interface()); err != nil {
			return &kerrors.OptionError{Call: call, Option: k, Value: abbreviate(v), Msg: "must be " + describe(f.typ)}
		}
	}
	return nil
}

func isBool(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Bool
}

// describe names what a value of type t looks like in JSON.
func describe(t reflect.Type) string {
	null := ""
	if t.Kind() == reflect.Pointer {
		t, null = t.Elem(), " or null"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false" + null
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer" + null
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer >= 0" + null
	case reflect.Float32, reflect.Float64:
		return "a number" + null
	case reflect.String:
		return "a string" + null
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "an "), "a ") + "s" + null
	}
	return "a " + t.String() + null
}

func abbreviate(v []byte) string {
	s := string(v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// Encode returns the JSON object of every field of p, in field order. A
// value JSON cannot hold (NaN, an infinity) makes it return nil: such a
// value never passes the classes' validation, so a valid object always
// encodes.
func Encode(p any) json.RawMessage {
	b, err := json.Marshal(p)
	if err != nil {
		return nil
	}
	return b
}

// Diff returns the JSON object of the fields of p whose value differs from
// the one in def (the defaults), in field order, or nil when none does.
func Diff(p, def any) json.RawMessage {
	pv, dv := reflect.ValueOf(p), reflect.ValueOf(def)
	for pv.Kind() == reflect.Pointer {
		pv = pv.Elem()
	}
	for dv.Kind() == reflect.Pointer {
		dv = dv.Elem()
	}
	if pv.Type() != dv.Type() {
		panic(fmt.Sprintf("hparams: Diff of %v and %v", pv.Type(), dv.Type()))
	}
	var buf bytes.Buffer
	for _, f := range fields(pv.Type()) {
		a, err := json.Marshal(pv.FieldByIndex(f.index).Interface())
		if err != nil {
			return nil
		}
		b, err := json.Marshal(dv.FieldByIndex(f.index).Interface())
		if err == nil && bytes.Equal(a, b) {
			continue
		}
		if buf.Len() == 0 {
			buf.WriteByte('{')
		} else {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(a)
	}
	if buf.Len() == 0 {
		return nil
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// CheckFinite returns an OptionError for the first float field of p (a
// number, or a pointer to one that is not nil) that is NaN or infinite.
func CheckFinite(call string, p any) error {
	pv := reflect.ValueOf(p)
	for pv.Kind() == reflect.Pointer {
		pv = pv.Elem()
	}
	for _, f := range fields(pv.Type()) {
		v := pv.FieldByIndex(f.index)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				continue
			}
			v = v.Elem()
		}
		if k := v.Kind(); k == reflect.Float64 || k == reflect.Float32 {
			if x := v.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
				return Invalid(call, f.key, x, "must be finite")
			}
		}
	}
	return nil
}

// Invalid returns the OptionError for a value out of range: call is the
// class ("adam"), key the Keras keyword, msg the rule ("must be in [0, 1)").
// Strings are quoted.
func Invalid(call, key string, value any, msg string) *kerrors.OptionError {
	var s string
	switch v := value.(type) {
	case string:
		s = strconv.Quote(v)
	case *float64:
		if v == nil {
			s = "null"
		} else {
			s = fmt.Sprint(*v)
		}
	default:
		s = fmt.Sprint(value)
	}
	return &kerrors.OptionError{Call: call, Option: key, Value: s, Msg: msg}
}

// Table is the part of a *registry.Registry that Lookup uses (hparams
// ranks with registry below every package and may not import it).
type Table[T any] interface {
	Get(name string) (T, error)
	Canonical(name string) string
	Names() []string
}

// Lookup returns the entry of r registered under name or, failing that,
// under a name that differs from it only in case and underscores, so that
// Keras's class spellings ("GlorotUniform", "L1L2") find the function
// names ("glorot_uniform", "l1_l2"). It returns the name found. An unknown
// name gives r's error for name.
func Lookup[T any](r Table[T], name string) (T, string, error) {
	v, err := r.Get(name)
	if err == nil {
		return v, r.Canonical(name), nil
	}
	for _, n := range r.Names() {
		if Fold(n) == Fold(name) {
			if w, err2 := r.Get(n); err2 == nil {
				return w, r.Canonical(n), nil
			}
		}
	}
	var zero T
	return zero, "", err
}

// Fold lower-cases name and drops its underscores.
func Fold(name string) string { return strings.ReplaceAll(strings.ToLower(name), "_", "") }
