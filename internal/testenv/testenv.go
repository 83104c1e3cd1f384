// Package testenv finds the data sets gokeras's tests use and reports,
// once per test binary, which tests skipped for want of them and how to
// enable them.
//
// Keras's cached data sets (MNIST, Fashion-MNIST, Boston housing) are
// looked up in $KERAS_HOME/datasets, then in ../shared/keras-home/datasets
// beside the project root (the folder the project's machines provide);
// the other real data (the SpamAssassin corpus, the sunspots series) in
// $GOKERAS_DATA, then ../shared/data beside the project root.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

var (
	mu      sync.Mutex
	skipped = map[string][]string{} // how to enable -> test names
)

// Root returns the project's root folder (the one holding go.mod), found
// from the working directory, or "" when there is none.
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/gokeras/gokeras") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// KerasHome returns the Keras cache folder (holding datasets/) that holds
// datasets/<file>: $KERAS_HOME, else ../shared/keras-home beside the
// project root. Without one it skips tb, recording why.
func KerasHome(tb testing.TB, file string) string {
	tb.Helper()
	var tried []string
	for _, dir := range []string{os.Getenv("KERAS_HOME"), beside("keras-home")} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "datasets", file)); err == nil {
			return dir
		}
		tried = append(tried, dir)
	}
	skip(tb, "set KERAS_HOME to a Keras cache folder (one holding datasets/"+file+", Keras's cache layout)",
		fmt.Sprintf("datasets/%s not found (tried %s)", file, triedString(tried)))
	return ""
}

// SharedData returns the path of name inside the project's shared data
// folder: $GOKERAS_DATA, else ../shared/data beside the project root.
// Without it it skips tb, recording why.
func SharedData(tb testing.TB, name string) string {
	tb.Helper()
	var tried []string
	for _, dir := range []string{os.Getenv("GOKERAS_DATA"), beside("data")} {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		tried = append(tried, dir)
	}
	skip(tb, "set GOKERAS_DATA to a folder holding "+name, fmt.Sprintf("%s not found (tried %s)", name, triedString(tried)))
	return ""
}

// beside returns ../shared/<name> next to the project root, or "".
func beside(name string) string {
	root := Root()
	if root == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(root), "shared", name)
}

func triedString(tried []string) string {
	if len(tried) == 0 {
		return "nothing: KERAS_HOME/GOKERAS_DATA unset and no project root"
	}
	return strings.Join(tried, ", ")
}

func skip(tb testing.TB, enable, why string) {
	tb.Helper()
	mu.Lock()
	skipped[enable] = append(skipped[enable], tb.Name())
	mu.Unlock()
	tb.Skip(why + "; " + enable + " to run it")
}

// Main runs the tests of a package (call it from TestMain) and then
// prints, once, the tests that skipped for want of data and how to enable
// them.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	keys := make([]string, 0, len(skipped))
	for k := range skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		names := skipped[k]
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "testenv: %d test(s) skipped for want of data (%s): %s\n", len(names), k, strings.Join(names, ", "))
	}
	mu.Unlock()
	os.Exit(code)
}
