package callbacks

import (
	"io"

	"github.com/gokeras/gokeras/keras"
)

// ProgbarLogger returns the progress printer (Keras: ProgbarLogger):
// "Epoch i/N" and a bar per epoch at verbose 1, one line per epoch at
// verbose 2, nothing at verbose 0, written to w (os.Stdout when nil).
//
// Fit, Evaluate and Predict install one themselves when their Verbose
// option is above 0; passing your own among the callbacks replaces it, so
// progress can go to a log file, or nowhere.
func ProgbarLogger(w io.Writer, verbose int) *keras.ProgbarLogger {
	return keras.NewProgbarLogger(w, verbose)
}

// History is the callback that records every epoch's logs (Keras:
// History). Fit always installs one and returns it; it is defined in
// package keras (keras.History), where its exports (CSV, JSON, long
// table) are documented.
type History = keras.History
