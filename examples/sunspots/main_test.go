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

var result = regexp.MustCompile(`(?m)^RESULT test_rmse=(\S+) baseline_rmse=(\S+)$`)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestShortRun runs the walkthrough end to end in a shortened mode (a
// 60-month window, a smaller LSTM, 20 epochs) and checks that it learned:
// forecasting the training mean gives an RMSE of 51 on the held-out
// years, persistence 26.9.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	path := testenv.SharedData(t, "sunspot_month.csv")
	out := t.TempDir()
	var buf bytes.Buffer
	c := config{data: path, out: out, seed: 1, trainYears: 100, testYears: 50, window: 60, steps: 12, units: 32,
		dropout: 0.2, epochs: 20, batch: 10}
	if err := run(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	test, _ := strconv.ParseFloat(m[1], 64)
	base, _ := strconv.ParseFloat(m[2], 64)
	if test > 32 || base < 26 || base > 28 {
		t.Errorf("short run: LSTM RMSE %v (want well under the training mean's 51), persistence %v (26.94)\n%s", test, base, buf.String())
	}
	for _, want := range []string{
		"3177 months, 1749-01 to 2013-09; training on 1863-10 to 1963-09 (1200 months), holding out 1963-10 to 2013-09 (600 months)",
		"training windows x (1129, 60, 1), targets y (1129, 12, 1)",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, buf.String())
		}
	}
	for _, f := range []string{"forecast.png", "history.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestBadInput: a missing file, a malformed one, and windows or periods
// longer than the data give errors that say what is wrong.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.csv")
	var b strings.Builder
	b.WriteString("year,month,sunspots\n")
	for i := 0; i < 36; i++ {
		b.WriteString(strconv.Itoa(2000+i/12) + "," + strconv.Itoa(1+i%12) + "," + strconv.Itoa(10+i) + "\n")
	}
	if err := os.WriteFile(small, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("year,month,spots\n2000,1,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	neg := filepath.Join(dir, "neg.csv")
	if err := os.WriteFile(neg, []byte("year,month,sunspots\n2000,1,-3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := config{trainYears: 2, testYears: 1, window: 12, steps: 12, units: 2, epochs: 1, batch: 4}
	for _, c := range []struct {
		data string
		edit func(*config)
		want string
	}{
		{filepath.Join(dir, "missing.csv"), nil, "missing.csv"},
		{bad, nil, "sunspots"},
		{neg, nil, "row 1"},
		{small, func(c *config) { c.trainYears = 3 }, "need 48"},
		{small, func(c *config) { c.window = 30 }, "window of 30 months"},
		{small, func(c *config) { c.steps = 5 }, "whole forecasts"},
		{small, func(c *config) { c.units = 0 }, "must all be >= 1"},
	} {
		cfg := ok
		cfg.data, cfg.out = c.data, t.TempDir()
		if c.edit != nil {
			c.edit(&cfg)
		}
		err := run(context.Background(), &bytes.Buffer{}, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %v, want one saying %q", filepath.Base(c.data), cfg, err, c.want)
		}
	}
}
