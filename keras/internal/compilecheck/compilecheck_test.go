package compilecheck

import (
	"fmt"
	"strings"
	"testing"
)

func TestMarkedErrors(t *testing.T) {
	Run(t, "testdata/marked")
}

// recorder collects what Run reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

func TestDisagreementsAreReported(t *testing.T) {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(fatal); !ok {
					panic(v)
				}
			}
		}()
		Run(r, "testdata/mismatch")
	}()
	got := strings.Join(r.errs, "\n")
	for _, want := range []string{
		`main.go:6: errors`, `want one containing "missing method"`, // wrong text
		`main.go:7: unexpected error`,                                   // unmarked error
		`main.go:9 compiled; want an error containing "never reported"`, // marked line that compiles
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Run's report lacks %q:\n%s", want, got)
		}
	}
	if len(r.errs) != 3 {
		t.Errorf("%d reports, want 3:\n%s", len(r.errs), got)
	}
}
