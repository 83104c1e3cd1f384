// Package names holds what gokeras's registries of Keras names share: the
// sorted list of known names and the error for an unknown one, which lists
// them.
package names

import (
	"sort"
	"strings"

	"github.com/pkg/errors"
)

// Keys returns the keys of m, in no particular order.
func Keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Sorted returns the names of every list, sorted, each once.
func Sorted(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Unknown returns the error for a name no registry knows:
// `<pkg>: unknown <kind> "<name>" (known: a, b, c)`.
func Unknown(pkg, kind, name string, known []string) error {
	return errors.Errorf("%s: unknown %s %q (known: %s)", pkg, kind, name, strings.Join(known, ", "))
}
