package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var resultLine = regexp.MustCompile(`(?m)^RESULT slope=(\S+) intercept=(\S+)$`)

// TestLearnsSlopeAndIntercept runs the example end to end (it takes well
// under a second) and checks the machine-readable line.
func TestLearnsSlopeAndIntercept(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	if err := run(&out, 100, 200, 1, 0, dir); err != nil {
		t.Fatal(err)
	}
	m := resultLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no RESULT line in:\n%s", out.String())
	}
	slope, _ := strconv.ParseFloat(m[1], 64)
	intercept, _ := strconv.ParseFloat(m[2], 64)
	if math.Abs(slope-trueSlope) > 0.1 || math.Abs(intercept-trueIntercept) > 0.1 {
		t.Errorf("learned slope %v intercept %v, want about %v and %v", slope, intercept, trueSlope, trueIntercept)
	}
	if !bytes.Contains(out.Bytes(), []byte("dense (Dense)                (None, 1)                 2")) {
		t.Errorf("summary missing:\n%s", out.String())
	}
	if st, err := os.Stat(filepath.Join(dir, "fit.png")); err != nil || st.Size() < 1000 {
		t.Errorf("plot: %v", err)
	}
}

// TestShortRunStillLearns is the shortened mode: a few epochs must already
// move the weights towards the truth.
func TestShortRunStillLearns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, 3, 200, 2, 2, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte("Epoch 3/3")) {
		t.Errorf("no progress lines:\n%s", out.String())
	}
	m := resultLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatal("no RESULT line")
	}
	slope, _ := strconv.ParseFloat(m[1], 64)
	if math.Abs(slope-trueSlope) > 2.5 {
		t.Errorf("after 3 epochs slope %v is not moving towards %v", slope, trueSlope)
	}
}
