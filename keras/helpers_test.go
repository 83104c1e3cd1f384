package keras_test

import (
	"bytes"
	"strings"
)

type bytesBuffer = bytes.Buffer

func splitLines(s string) []string { return strings.Split(s, "\n") }

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
