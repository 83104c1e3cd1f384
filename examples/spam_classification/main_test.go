package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
)

var result = regexp.MustCompile(`(?m)^RESULT test_accuracy=(\S+) test_auc=(\S+)$`)
var rnnResult = regexp.MustCompile(`(?m)^RESULT_BIDIRECTIONAL test_accuracy=(\S+) test_auc=(\S+)$`)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestShortRun runs the walkthrough end to end on the SpamAssassin corpus
// in a shortened mode (shorter documents, fewer epochs, the LSTM for two
// epochs on 2,000 mails) and checks that both models learned: 69% of the
// mails are ham, so always answering "ham" scores 0.69 and an AUC of 0.5.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	dir := testenv.SharedData(t, "spam_assassin")
	out := t.TempDir()
	var buf bytes.Buffer
	c := config{data: dir, out: out, seed: 42, testSplit: 0.2, maxTokens: 5000, seqLen: 200, epochs: 25, batch: 256,
		rnnEpochs: 2, rnnBatch: 32, rnnRows: 2000}
	if err := run(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	for _, re := range []*regexp.Regexp{result, rnnResult} {
		m := re.FindStringSubmatch(buf.String())
		if m == nil {
			t.Fatalf("no %s line:\n%s", re, buf.String())
		}
		acc, _ := strconv.ParseFloat(m[1], 64)
		auc, _ := strconv.ParseFloat(m[2], 64)
		if acc < 0.85 || auc < 0.9 {
			t.Errorf("%s: test accuracy %v, AUC %v after a short run (always ham: 0.69, 0.5)", re, acc, auc)
		}
	}
	for _, want := range []string{
		"Found 6046 files belonging to 2 classes.",
		"classes [ham spam]; 4837 training and 1209 test documents (4150 ham, 1896 spam)",
		"vocabulary: 5000 tokens",
		"reloaded, they predict the same",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	for _, f := range []string{"pooling_history.png", "bidirectional_history.png", "vectorizer.json", "spam_pooling.gokeras"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestOtherFolders: any folder of class subfolders works (three classes
// here, a softmax model); a missing folder or one with a single class
// fails with a message naming it.
func TestOtherFolders(t *testing.T) {
	dir := t.TempDir()
	words := map[string]string{"fruit": "apple pear plum fig", "tools": "hammer saw drill nail", "pets": "cat dog parrot fish"}
	for class, w := range words {
		if err := os.MkdirAll(filepath.Join(dir, class), 0o755); err != nil {
			t.Fatal(err)
		}
		ws := strings.Fields(w)
		for i := 0; i < 30; i++ {
			text := ws[i%4] + " and " + ws[(i+1)%4] + " " + ws[(i/4)%4]
			if err := os.WriteFile(filepath.Join(dir, class, strconv.Itoa(i)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	c := config{data: dir, out: t.TempDir(), seed: 1, testSplit: 0.2, maxTokens: 100, seqLen: 8, epochs: 60, batch: 16,
		rnnEpochs: 2, rnnBatch: 8}
	if err := run(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.9 {
		t.Errorf("three easy classes: test accuracy %v\n%s", acc, buf.String())
	}

	one := t.TempDir()
	if err := os.MkdirAll(filepath.Join(one, "only"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(one, "only", "a.txt"), []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ dir, want string }{
		{filepath.Join(dir, "missing"), "missing"},
		{one, "at least two"},
	} {
		err := run(context.Background(), &bytes.Buffer{}, config{data: bad.dir, out: t.TempDir(), seed: 1, testSplit: 0.2, maxTokens: 10, seqLen: 4, epochs: 1, batch: 4})
		if err == nil || !strings.Contains(err.Error(), bad.want) || !strings.Contains(err.Error(), bad.dir) {
			t.Errorf("data %s: error %v, want one naming the folder and saying %q", bad.dir, err, bad.want)
		}
	}
}
