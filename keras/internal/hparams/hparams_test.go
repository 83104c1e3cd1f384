package hparams

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/internal/registry"
	"github.com/gokeras/gokeras/keras/kerrors"
)

type base struct {
	LearningRate float64 `json:"learning_rate"`
	Clipnorm     float64 `json:"clipnorm"`
}

type params struct {
	base
	Nesterov bool     `json:"nesterov"`
	Steps    int64    `json:"decay_steps"`
	Max      *float64 `json:"max_value"`
	Curve    string   `json:"curve"`
	Axis     []int    `json:"axis"`
	internal int      // no key: not exported
}

func defaults() params {
	return params{base: base{LearningRate: 0.01}, Curve: "ROC", Axis: []int{0}}
}

func TestKeys(t *testing.T) {
	// An unexported field has no key, whatever it holds.
	got := Keys(params{internal: 1})
	want := []string{"learning_rate", "clipnorm", "nesterov", "decay_steps", "max_value", "curve", "axis"}
	if len(got) != len(want) {
		t.Fatalf("Keys = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Keys = %v, want %v", got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	p := defaults()
	raw := `{"learning_rate": 0.5, "nesterov": true, "decay_steps": 1000, "max_value": 6, "curve": "PR", "axis": [0, 1]}`
	if err := Decode("sgd", json.RawMessage(raw), &p); err != nil {
		t.Fatal(err)
	}
	if p.LearningRate != 0.5 || !p.Nesterov || p.Steps != 1000 || p.Max == nil || *p.Max != 6 || p.Curve != "PR" || len(p.Axis) != 2 {
		t.Errorf("decoded %+v", p)
	}
	// Missing keys keep the defaults; null clears a pointer.
	q := defaults()
	six := 6.0
	q.Max = &six
	if err := Decode("sgd", json.RawMessage(`{"clipnorm": 1, "max_value": null}`), &q); err != nil {
		t.Fatal(err)
	}
	if q.LearningRate != 0.01 || q.Clipnorm != 1 || q.Max != nil || q.Curve != "ROC" {
		t.Errorf("decoded %+v", q)
	}
	for _, empty := range []string{"", "null", "{}", " { } "} {
		r := defaults()
		if err := Decode("sgd", json.RawMessage(empty), &r); err != nil || r.LearningRate != 0.01 {
			t.Errorf("Decode(%q): %v, %+v", empty, err, r)
		}
	}
}

// TestDecodeLeavesDefaultsAlone: a struct copied from shared defaults
// shares their slices' arrays and pointers' targets; decoding must not
// write through them.
func TestDecodeLeavesDefaultsAlone(t *testing.T) {
	six := 6.0
	def := defaults()
	def.Max = &six
	p := def
	if err := Decode("sgd", json.RawMessage(`{"axis": [3], "max_value": 2}`), &p); err != nil {
		t.Fatal(err)
	}
	if def.Axis[0] != 0 || *def.Max != 6 || p.Axis[0] != 3 || *p.Max != 2 {
		t.Errorf("defaults %v %v, decoded %v %v", def.Axis, *def.Max, p.Axis, *p.Max)
	}
}

// TestDecodeLegacyBooleans: files written before the typed structs stored
// booleans as 0 or 1.
func TestDecodeLegacyBooleans(t *testing.T) {
	for raw, want := range map[string]bool{`{"nesterov": 1}`: true, `{"nesterov": 0}`: false, `{"nesterov": 1.0}`: true} {
		p := defaults()
		p.Nesterov = !want
		if err := Decode("sgd", json.RawMessage(raw), &p); err != nil || p.Nesterov != want {
			t.Errorf("%s: %v, nesterov %v", raw, err, p.Nesterov)
		}
	}
	p := defaults()
	err := Decode("sgd", json.RawMessage(`{"nesterov": 2}`), &p)
	var oe *kerrors.OptionError
	if !errors.As(err, &oe) || oe.Option != "nesterov" || oe.Value != "2" {
		t.Errorf("nesterov 2: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		raw, key, msg string
	}{
		{`{"rho": 0.9}`, "rho", "unknown parameter (sgd takes learning_rate, clipnorm, nesterov, decay_steps, max_value, curve, axis)"},
		{`{"internal": 1}`, "internal", ""},
		{`{"learning_rate": "fast"}`, "learning_rate", "must be a number"},
		{`{"decay_steps": 2.5}`, "decay_steps", "must be an integer"},
		{`{"curve": 3}`, "curve", "must be a string"},
		{`{"nesterov": "yes"}`, "nesterov", "must be true or false"},
		{`{"max_value": [1]}`, "max_value", "must be a number or null"},
		{`{"axis": 1}`, "axis", "must be a list of integers"},
		{`[1, 2]`, "params", "want a JSON object of parameters"},
	}
	for _, c := range cases {
		p := defaults()
		err := Decode("sgd", json.RawMessage(c.raw), &p)
		var oe *kerrors.OptionError
		if !errors.As(err, &oe) || oe.Call != "sgd" || oe.Option != c.key || (c.msg != "" && oe.Msg != c.msg) {
			t.Errorf("%s: %v (%+v)", c.raw, err, oe)
		}
	}
	var none struct{}
	err := Decode("mse", json.RawMessage(`{"delta": 1}`), &none)
	if err == nil || err.Error() != "mse: delta: unknown parameter (mse takes no parameters)" {
		t.Errorf("no-parameter class: %v", err)
	}
}

func TestEncodeAndDiff(t *testing.T) {
	p := defaults()
	if got := string(Encode(p)); got != `{"learning_rate":0.01,"clipnorm":0,"nesterov":false,"decay_steps":0,"max_value":null,"curve":"ROC","axis":[0]}` {
		t.Errorf("Encode = %s", got)
	}
	if d := Diff(p, defaults()); d != nil {
		t.Errorf("Diff of the defaults = %s, want nil", d)
	}
	six := 6.0
	p.Max, p.Nesterov, p.Axis = &six, true, []int{0, 1}
	if got := string(Diff(p, defaults())); got != `{"nesterov":true,"max_value":6,"axis":[0,1]}` {
		t.Errorf("Diff = %s", got)
	}
	back := defaults()
	if err := Decode("sgd", Diff(p, defaults()), &back); err != nil || !back.Nesterov || *back.Max != 6 || len(back.Axis) != 2 {
		t.Errorf("round trip: %v %+v", err, back)
	}
	p.LearningRate = math.NaN()
	if Encode(p) != nil || Diff(p, defaults()) != nil {
		t.Error("a NaN encoded")
	}
}

func TestCheckFinite(t *testing.T) {
	p := defaults()
	if err := CheckFinite("sgd", p); err != nil {
		t.Error(err)
	}
	inf := math.Inf(1)
	p.Max = &inf
	err := CheckFinite("sgd", &p)
	var oe *kerrors.OptionError
	if !errors.As(err, &oe) || oe.Option != "max_value" || err.Error() != "sgd: max_value = +Inf: must be finite" {
		t.Errorf("CheckFinite: %v", err)
	}
	if got := Invalid("auc", "curve", "PRC", `must be "ROC" or "PR"`).Error(); got != `auc: curve = "PRC": must be "ROC" or "PR"` {
		t.Errorf("Invalid = %s", got)
	}
}

func TestLookup(t *testing.T) {
	r := registry.New[int]("initializers", "initializer")
	r.Builtin("glorot_uniform", 1)
	r.Builtin("l1_l2", 2)
	r.Alias("gu", "glorot_uniform")
	for name, want := range map[string]string{"glorot_uniform": "glorot_uniform", "GlorotUniform": "glorot_uniform", "L1L2": "l1_l2", "gu": "glorot_uniform"} {
		if v, canon, err := Lookup(r, name); err != nil || canon != want || v == 0 {
			t.Errorf("Lookup(%q) = %v, %q, %v", name, v, canon, err)
		}
	}
	_, _, err := Lookup(r, "glorot")
	var un *kerrors.UnknownNameError
	if !errors.As(err, &un) || un.Name != "glorot" {
		t.Errorf("Lookup(glorot) = %v", err)
	}
}
