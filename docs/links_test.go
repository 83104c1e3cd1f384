// Package docs holds gokeras's documentation; its test checks the links.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var mdLink = regexp.MustCompile(`\]\(([^)#\s]+)(#[^)]*)?\)`)

// TestEveryPageIsLinked fails unless docs/README.md links every page under
// docs (directly), and every relative link in the docs and the project's
// README points at a file that exists.
func TestEveryPageIsLinked(t *testing.T) {
	var pages []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, filepath.ToSlash(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(pages)
	index, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range mdLink.FindAllStringSubmatch(string(index), -1) {
		linked[filepath.ToSlash(filepath.Clean(m[1]))] = true
	}
	for _, p := range pages {
		if p != "README.md" && !linked[p] {
			t.Errorf("docs/README.md does not link %s", p)
		}
	}
	for _, p := range append(pages, "../README.md") {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			full := filepath.Join(filepath.Dir(p), filepath.FromSlash(target))
			if _, err := os.Stat(full); err != nil {
				t.Errorf("%s links %s, which does not exist", p, target)
			}
		}
	}
}
