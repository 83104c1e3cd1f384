package main

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeras/gokeras/internal/testenv"
)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

func TestSelectWorkloads(t *testing.T) {
	sel, err := selectWorkloads("w1, W3")
	if err != nil || len(sel) != 2 || sel[0].id != "W1" || sel[1].id != "W3" {
		t.Errorf("selectWorkloads(w1, W3) = %v, %v", sel, err)
	}
	if _, err := selectWorkloads("W9"); err == nil || !strings.Contains(err.Error(), `unknown workload "W9"`) {
		t.Errorf("W9: %v", err)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []config{{runs: 0, epochs: 1, clock: "wall"}, {runs: 1, epochs: 0, clock: "wall"},
		{runs: 1, epochs: 1, clock: "sundial"}, {runs: 1, epochs: 1, clock: "cpu", workers: -1}} {
		if err := c.check(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// TestW3 runs workload W3 once and checks the lines compare.sh parses.
func TestW3(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the Boston model for 500 epochs (-short)")
	}
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "boston_housing.npz"))
	var buf bytes.Buffer
	c := &config{runs: 1, epochs: 1, clock: "cpu", out: &buf}
	if err := runW3(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^RESULT W3 s_total=[0-9.]+$`).Match(buf.Bytes()) ||
		!regexp.MustCompile(`(?m)^INFO W3 runs=1 .*test_mae=[0-9.]+ weights_fnv=[0-9a-f]{16}$`).Match(buf.Bytes()) {
		t.Errorf("output:\n%s", buf.String())
	}
}

// TestW1PeakShare trains W1 for one epoch at batch 512 and checks the
// sgemm-peak line compare.sh reads: a peak before the epoch and one after
// it, and a positive share. The bound is loose on purpose: go test runs
// packages side by side, so the epoch and the peaks beside it may see
// different machines; a share of 5 would mean the work or the clock is
// counted wrong, not a busy machine.
func TestW1PeakShare(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the Fashion-MNIST MLP for an epoch (-short)")
	}
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "fashion-mnist"))
	var buf bytes.Buffer
	c := &config{runs: 1, epochs: 1, clock: "wall", out: &buf, w1Batch: []int{512}}
	if err := runW1(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^INFO W1 bs=512 gflop_per_epoch=24\.55 gflops=[0-9.]+ sgemm_peak_gflops=[0-9.]+ \([0-9.]+,[0-9.]+\) peak_share=([0-9.]+)$`).FindSubmatch(buf.Bytes())
	if m == nil {
		t.Fatalf("no peak line in:\n%s", buf.String())
	}
	if share, err := strconv.ParseFloat(string(m[1]), 64); err != nil || !(share > 0) || share > 5 {
		t.Errorf("peak_share %q: want a positive share well below 5", m[1])
	}
}

func TestSgemmRate(t *testing.T) {
	r, err := sgemmRate(48, 32, 40, 5*time.Millisecond)
	if err != nil || !(r > 0) || math.IsInf(r, 0) {
		t.Errorf("sgemmRate = %v, %v; want a positive rate", r, err)
	}
}
