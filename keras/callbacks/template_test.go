package callbacks

import (
	"math"
	"testing"

	"github.com/gokeras/gokeras/keras"
)

// TestTemplateFormatsLikePython: the expected strings are Python's
// "...".format(epoch=..., **logs) results.
func TestTemplateFormatsLikePython(t *testing.T) {
	logs := keras.Logs{"val_loss": 0.123456, "accuracy": 0.875, "big": 12345678.5, "tiny": 0.00001234, "whole": 3, "nan": math.NaN()}
	cases := []struct{ tmpl, want string }{
		{"{epoch:02d}-{val_loss:.2f}.keras", "07-0.12.keras"},
		{"w.{epoch}.h5", "w.7.h5"},
		{"{epoch:03}", "007"},
		{"{epoch:5d}|", "    7|"},
		{"{epoch:.1f}", "7.0"},
		{"{val_loss}", "0.123456"},
		{"{val_loss:.3e}", "1.235e-01"},
		{"{val_loss:g}", "0.123456"},
		{"{val_loss:.2g}", "0.12"},
		{"{accuracy:.1%}", "87.5%"},
		{"{val_loss:+.3f}", "+0.123"},
		{"{val_loss:08.3f}", "0000.123"},
		{"{big}", "12345678.5"},
		{"{tiny}", "1.234e-05"},
		{"{whole}", "3.0"},
		{"{nan:.2f}", "nan"},
		{"{{literal}}-{epoch}", "{literal}-7"},
		{"{acc:.3f}", "0.875"}, // alias lookup
	}
	for _, c := range cases {
		tm, err := parseTemplate(c.tmpl)
		if err != nil {
			t.Errorf("%q: %v", c.tmpl, err)
			continue
		}
		got, err := tm.format(7, logs)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q (%v), want %q", c.tmpl, got, err, c.want)
		}
	}
}
