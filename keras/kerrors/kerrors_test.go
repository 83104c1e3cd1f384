package kerrors_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras/kerrors"
)

func TestSentinelsSurviveWrapping(t *testing.T) {
	for _, s := range []error{kerrors.ErrNotCompiled, kerrors.ErrTraining, kerrors.ErrBuilt, kerrors.ErrNotBuilt, kerrors.ErrNoLoss, kerrors.ErrNil, kerrors.ErrTooLarge} {
		err := errors.Wrap(errors.Wrap(s, "keras: Fit"), "outer")
		if !errors.Is(err, s) {
			t.Errorf("errors.Is(%v, %v) = false", err, s)
		}
		for _, other := range []error{kerrors.ErrNotCompiled, kerrors.ErrTraining, kerrors.ErrBuilt, kerrors.ErrNotBuilt, kerrors.ErrNoLoss, kerrors.ErrNil, kerrors.ErrTooLarge} {
			if other != s && errors.Is(err, other) {
				t.Errorf("%v matches %v", err, other)
			}
		}
	}
}

func TestTypesMatchWithAs(t *testing.T) {
	cases := []struct {
		err  error
		want string
		as   func(error) bool
	}{
		{&kerrors.ShapeError{Where: "layers: dense_1", Arg: "input", Got: []int{-1, 12}, Want: []int{-1, 13}},
			"layers: dense_1: input has shape (None, 12), want (None, 13)",
			func(e error) bool { var x *kerrors.ShapeError; return errors.As(e, &x) && x.Got[1] == 12 }},
		{&kerrors.OptionError{Call: "Fit", Option: "epochs", Value: "-1", Msg: "must be >= 0"},
			"Fit: epochs = -1: must be >= 0",
			func(e error) bool { var x *kerrors.OptionError; return errors.As(e, &x) && x.Option == "epochs" }},
		{&kerrors.UnknownNameError{Kind: "activation", Name: "rleu", Known: []string{"relu", "tanh"}},
			`unknown activation "rleu" (known: relu, tanh)`,
			func(e error) bool { var x *kerrors.UnknownNameError; return errors.As(e, &x) && len(x.Known) == 2 }},
		{&kerrors.DataError{Arg: "x", Row: 3, Col: 7, Value: 1e39, Msg: "beyond float32's range"},
			"x[3] at position 7 is 1e+39: beyond float32's range",
			func(e error) bool { var x *kerrors.DataError; return errors.As(e, &x) && x.Row == 3 }},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
		if !c.as(errors.Wrap(c.err, "keras: Fit")) {
			t.Errorf("errors.As did not find %T through a wrap", c.err)
		}
	}
	if got := kerrors.FormatShape([]int{5}); got != "(5,)" {
		t.Errorf("FormatShape((5)) = %s", got)
	}
}

func TestPanicErrorKeepsStack(t *testing.T) {
	var pe *kerrors.PanicError
	func() {
		defer func() { pe = kerrors.Recovered("keras: Fit", recover()) }()
		var s []int
		i := 3
		_ = s[i] // panics
	}()
	wrapped := errors.Wrap(pe, "outer")
	if !strings.Contains(pe.Error(), "keras: Fit: panicked: runtime error: index out of range [3] with length 0") {
		t.Errorf("message %q", pe.Error())
	}
	plus := fmt.Sprintf("%+v", pe)
	if !strings.Contains(plus, "TestPanicErrorKeepsStack") {
		t.Errorf("%%+v lacks the panicking function's frame:\n%s", plus)
	}
	if strings.Contains(fmt.Sprintf("%v", pe), "goroutine") {
		t.Error("plain formatting prints the stack; only the plus flag should")
	}
	var got *kerrors.PanicError
	if !errors.As(wrapped, &got) {
		t.Error("errors.As did not find the PanicError")
	}
	var re interface{ RuntimeError() }
	if !errors.As(wrapped, &re) {
		t.Error("the runtime error inside the panic is not reachable with errors.As")
	}
}
