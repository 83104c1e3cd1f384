// Package compilecheck checks, from a Go test, that a program does not
// compile for the reasons its comments give. The vocabulary packages use it
// to prove that their options are checked by the compiler: a testdata
// program passes each constructor an option it does not take, marks the
// line with the error the compiler must report, and the package's test
// calls Run on it. (The go tool skips directories named testdata, so
// `go build ./...` never sees these programs.)
//
// A line that must not compile ends in a comment holding a quoted
// substring of the compiler's message:
//
//	_ = optimizers.SGD(optimizers.Beta1(0.9)) // ERROR "does not implement optimizers.SGDOption"
//
// Run fails the test when such a line compiles, when its error lacks the
// text, or when the compiler reports an error on any unmarked line.
package compilecheck

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	wantRE = regexp.MustCompile(`// ERROR ("(?:[^"\\]|\\.)*")\s*$`)
	// gotRE matches a compiler diagnostic: file.go:line:col: message.
	gotRE = regexp.MustCompile(`^(?:\./)?([^\s:]+\.go):(\d+):(?:\d+:)? (.*)$`)
)

type pos struct {
	file string
	line int
}

// Run builds the main package in dir (relative to the test's directory)
// with every error reported (-gcflags=-e) and compares the diagnostics with
// the ERROR comments of dir's .go files. It skips the test when no go
// command is found.
func Run(t testing.TB, dir string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("compilecheck: no go command to build %s: %v", dir, err)
	}
	want := expectations(t, dir)
	if len(want) == 0 {
		t.Fatalf("compilecheck: %s has no ERROR comments", dir)
	}
	cmd := exec.Command(goCmd, "build", "-gcflags=-e", "-o", os.DevNull, ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("compilecheck: %s compiled; every line marked ERROR should have failed", dir)
	}
	got := map[pos][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		m := gotRE.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		p := pos{filepath.Base(m[1]), n}
		got[p] = append(got[p], m[3])
	}
	if len(got) == 0 {
		t.Fatalf("compilecheck: building %s failed without a diagnostic:\n%s", dir, out)
	}
	for p, text := range want {
		msgs, ok := got[p]
		if !ok {
			t.Errorf("%s:%d compiled; want an error containing %q", p.file, p.line, text)
			continue
		}
		found := false
		for _, m := range msgs {
			found = found || strings.Contains(m, text)
		}
		if !found {
			t.Errorf("%s:%d: errors %q, want one containing %q", p.file, p.line, msgs, text)
		}
	}
	for p, msgs := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s:%d: unexpected error %q", p.file, p.line, msgs)
		}
	}
}

// expectations reads the ERROR comments of dir's .go files.
func expectations(t testing.TB, dir string) map[pos]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("compilecheck: no .go files in %s (%v)", dir, err)
	}
	want := map[pos]string{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			m := wantRE.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			text, err := strconv.Unquote(m[1])
			if err != nil {
				t.Fatalf("%s:%d: bad ERROR comment %s", name, n, m[1])
			}
			want[pos{filepath.Base(name), n}] = text
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return want
}
