// Package kerrors holds the errors gokeras returns that a caller can
// branch on: sentinels matched with errors.Is and types matched with
// errors.As. Every gokeras package returns them wrapped with context (the
// call, the layer, the file), so match them, never their message text:
//
//	if errors.Is(err, kerrors.ErrNotCompiled) { ... }
//	var se *kerrors.ShapeError
//	if errors.As(err, &se) { fmt.Println(se.Layer, se.Got, se.Want) }
//
// Package keras re-exports each of them under the same name
// (keras.ErrNotCompiled, keras.ShapeError, ...), so programs that import
// keras need not import this package.
package kerrors

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/pkg/errors"
)

// Sentinels. Each is returned wrapped with the call that failed, e.g.
// "keras: Fit: the model is not compiled; call Compile first".
var (
	// ErrNotCompiled: Fit, Evaluate or LoadState on a model that has not
	// been compiled.
	ErrNotCompiled = errors.New("the model is not compiled; call Compile first")
	// ErrTraining: a call that cannot run while the model trains (Fit,
	// Compile, Add, SetSeed, SetDtype, LoadWeights during Fit; Fit from
	// one of its own callbacks).
	ErrTraining = errors.New("the model is training")
	// ErrBuilt: a call that must come before the model is built (Add,
	// SetSeed, SetDtype after Summary, Compile, Fit or Predict), or a
	// layer that is already part of a built model added again.
	ErrBuilt = errors.New("the model is already built")
	// ErrNotBuilt: a layer method that needs the layer's weights called
	// before the layer was built.
	ErrNotBuilt = errors.New("the layer is not built")
	// ErrNoLoss: Compile without a loss on a model whose layers add none
	// of their own.
	ErrNoLoss = errors.New("no loss given and the model adds no loss of its own")
	// ErrNil: a nil value where a value is required (a nil layer,
	// callback, tensor or option).
	ErrNil = errors.New("nil value")
	// ErrTooLarge: a size beyond what gokeras allocates: a model whose
	// weights exceed keras.MaxParams, a saved configuration declaring far
	// more values than its file holds, a buffer a file declares beyond
	// its length.
	ErrTooLarge = errors.New("too large")
)

// ShapeError reports shapes that do not fit: a layer's input, a weight
// given to SetWeights, data given to Fit. Shapes are whole tensor shapes,
// the batch axis included; -1 stands for a dimension of any size (Keras's
// None), so a Dense layer wanting 13 features reports Want (-1, 13).
type ShapeError struct {
	// Where names what complained: a layer ("dense_1"), a call
	// ("Fit") or a file.
	Where string
	// Arg names the argument: "input", "kernel", "x", "y".
	Arg string
	// Got is the shape given, Want the shape expected (nil when the
	// expectation is not a single shape; Msg says what it is).
	Got, Want []int
	// Msg explains the mismatch (optional).
	Msg string
}

func (e *ShapeError) Error() string {
	var b strings.Builder
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	if e.Arg != "" {
		b.WriteString(e.Arg)
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "has shape %s", FormatShape(e.Got))
	if e.Want != nil {
		fmt.Fprintf(&b, ", want %s", FormatShape(e.Want))
	}
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

// FormatShape formats a shape as Keras prints it: (None, 28, 28) with -1
// printed as None.
func FormatShape(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			parts[i] = "None"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// OptionError reports an option that is invalid for its call: a value
// out of range (Epochs(-1), Dropout rate 1.5) or, for options checked at
// run time, an option the call does not take.
type OptionError struct {
	// Call is the function or layer given the option ("Fit", "Dense",
	// "EarlyStopping").
	Call string
	// Option is the Keras keyword ("epochs", "rate").
	Option string
	// Value is the value given, formatted.
	Value string
	// Msg says what is wrong ("must be >= 0").
	Msg string
}

func (e *OptionError) Error() string {
	s := e.Call + ": " + e.Option
	if e.Value != "" {
		s += " = " + e.Value
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// UnknownNameError reports a name no registry knows: an activation, loss,
// metric, optimizer, initializer, regularizer, constraint or layer class.
// Known lists the valid names, sorted.
type UnknownNameError struct {
	// Kind is what was looked up: "activation", "loss", "layer class".
	Kind string
	// Name is the name given.
	Name string
	// Known are the valid names, sorted.
	Known []string
	// Hint says how to make the name known (the Register call).
	Hint string
}

func (e *UnknownNameError) Error() string {
	s := fmt.Sprintf("unknown %s %q (known: %s)", e.Kind, e.Name, strings.Join(e.Known, ", "))
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// DataError reports a bad value in data: NaN or Inf in Fit's x, a class
// index out of range, a float64 beyond float32's range for a float32
// model, an Embedding index outside [0, input_dim).
type DataError struct {
	// Arg names the data ("x", "y", "validation x", "sample_weight",
	// or a weight name for SetWeights).
	Arg string
	// Row is the sample (first-axis index), Col the flat position within
	// the sample; -1 when not applicable.
	Row, Col int
	// Value is the offending value.
	Value float64
	// Msg says what is wrong.
	Msg string
}

func (e *DataError) Error() string {
	var at string
	switch {
	case e.Row >= 0 && e.Col >= 0:
		at = fmt.Sprintf("[%d] at position %d", e.Row, e.Col)
	case e.Row >= 0:
		at = fmt.Sprintf("[%d]", e.Row)
	}
	return fmt.Sprintf("%s%s is %v: %s", e.Arg, at, e.Value, e.Msg)
}

// PanicError is a panic recovered at gokeras's public boundary (a bug, in
// gokeras, Gorgonia or a user-defined layer, turned into an error). Its
// message is the panic value; formatted with %+v it also prints the stack
// of the panicking goroutine.
type PanicError struct {
	// Where is the call that panicked ("keras: Fit").
	Where string
	// Value is what was passed to panic.
	Value any
	// Stack is the stack at the point of recovery.
	Stack []byte
}

// Recovered wraps a value returned by recover() with the current stack.
// Call it in the deferred function that recovers.
func Recovered(where string, v any) *PanicError {
	return &PanicError{Where: where, Value: v, Stack: debug.Stack()}
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s: panicked: %v", e.Where, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// Format prints the message for %v and %s, and the message followed by
// the stack for %+v.
func (e *PanicError) Format(s fmt.State, verb rune) {
	switch {
	case verb == 'v' && s.Flag('+'):
		fmt.Fprintf(s, "%s\n%s", e.Error(), e.Stack)
	case verb == 'q':
		fmt.Fprintf(s, "%q", e.Error())
	default:
		fmt.Fprint(s, e.Error())
	}
}
