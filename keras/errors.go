package keras

import "github.com/gokeras/gokeras/keras/kerrors"

// The errors callers can branch on, re-exported from package kerrors
// (match them with errors.Is and errors.As; never match message text).
var (
	// ErrNotCompiled: Fit, Evaluate or LoadState before Compile.
	ErrNotCompiled = kerrors.ErrNotCompiled
	// ErrTraining: Fit, Compile, Add, SetSeed, SetDtype or a weight load
	// while the model trains (also Fit from one of its own callbacks).
	ErrTraining = kerrors.ErrTraining
	// ErrBuilt: Add, SetSeed or SetDtype after the model is built, or a
	// layer added twice.
	ErrBuilt = kerrors.ErrBuilt
	// ErrNotBuilt: a layer method that needs weights before Build.
	ErrNotBuilt = kerrors.ErrNotBuilt
	// ErrNoLoss: training with no loss given and none added by layers.
	ErrNoLoss = kerrors.ErrNoLoss
	// ErrNil: a nil layer, callback, tensor or option.
	ErrNil = kerrors.ErrNil
	// ErrTooLarge: weights beyond MaxParams, or a file declaring more than
	// it holds.
	ErrTooLarge = kerrors.ErrTooLarge
)

// Error types, re-exported from package kerrors.
type (
	// ShapeError reports shapes that do not fit (layer inputs, data,
	// weights), with both shapes.
	ShapeError = kerrors.ShapeError
	// OptionError reports an invalid option value.
	OptionError = kerrors.OptionError
	// UnknownNameError reports a name no registry knows, with the valid
	// names.
	UnknownNameError = kerrors.UnknownNameError
	// DataError reports a bad value in data (NaN, Inf, a class index out
	// of range), with its row and column.
	DataError = kerrors.DataError
	// PanicError is a recovered panic; %+v prints its stack.
	PanicError = kerrors.PanicError
)
