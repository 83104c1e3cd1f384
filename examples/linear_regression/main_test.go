package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
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
	// The tolerance comes from the data: least squares on the 160
	// training rows (validation_split 0.2 holds out the last 40) is the
	// best any fit can do, and its standard errors are noise/sqrt(Sxx)
	// for the slope and about noise/sqrt(n) for the intercept. SGD must
	// land within a quarter of a standard error of least squares, and
	// least squares within 4 standard errors of the truth.
	olsSlope, olsIntercept, seSlope, seIntercept := leastSquares(200, 1, 160)
	if math.Abs(olsSlope-trueSlope) > 4*seSlope || math.Abs(olsIntercept-trueIntercept) > 4*seIntercept {
		t.Fatalf("the data's least squares fit %v, %v is far from the truth (standard errors %v, %v)", olsSlope, olsIntercept, seSlope, seIntercept)
	}
	if math.Abs(slope-olsSlope) > seSlope/4 || math.Abs(intercept-olsIntercept) > seIntercept/4 {
		t.Errorf("learned slope %v intercept %v; least squares gives %v, %v (standard errors %.4f, %.4f)", slope, intercept, olsSlope, olsIntercept, seSlope, seIntercept)
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
	// Before training the slope is the initial kernel value; after three
	// epochs it must be much closer to least squares.
	start := initialSlope(t, 2)
	ols, _, _, _ := leastSquares(200, 2, 160)
	if math.Abs(slope-ols) > math.Abs(start-ols)/2 {
		t.Errorf("after 3 epochs slope %v (from %v) is not moving towards %v", slope, start, ols)
	}
}

// leastSquares fits y = a x + b to the first train rows of the example's
// data and returns a, b and their standard errors from the true noise
// level (0.5).
func leastSquares(n int, seed int64, train int) (a, b, seA, seB float64) {
	x, y := synthetic(n, seed)
	xs, ys := x.Data().([]float64)[:train], y.Data().([]float64)[:train]
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(train)
	my /= float64(train)
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	a = sxy / sxx
	b = my - a*mx
	const noise = 0.5
	seA = noise / math.Sqrt(sxx)
	seB = noise * math.Sqrt(1/float64(train)+mx*mx/sxx)
	return a, b, seA, seB
}

// initialSlope is the untrained model's kernel for the example's seed.
func initialSlope(t *testing.T, seed int64) float64 {
	t.Helper()
	model := keras.Sequential(layers.Dense(1, layers.InputShape(1)))
	if err := model.SetSeed(seed); err != nil {
		t.Fatal(err)
	}
	w, err := model.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	return float64(w[0].Data().([]float32)[0])
}
