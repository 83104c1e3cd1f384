package main

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
)

var result = regexp.MustCompile(`(?m)^RESULT priority_loss=(\S+) department_loss=(\S+)$`)

// TestGuideRun runs the guide's two epochs and checks the RESULT line, the
// history's per-output keys, the diagram, that a second run from the same
// seed prints the same losses, and that the saved model loads back and
// predicts what it predicted.
func TestGuideRun(t *testing.T) {
	var outs [2]string
	var trained *keras.Model
	dir := t.TempDir()
	for i := range outs {
		var buf bytes.Buffer
		var err error
		if trained, err = run(context.Background(), &buf, config{epochs: 2, out: dir, seed: 7, verbose: 2}); err != nil {
			t.Fatal(err)
		}
		m := result.FindStringSubmatch(buf.String())
		if m == nil {
			t.Fatalf("no RESULT line:\n%s", buf.String())
		}
		outs[i] = m[0]
		p, _ := strconv.ParseFloat(m[1], 64)
		d, _ := strconv.ParseFloat(m[2], 64)
		// Random targets: the priority loss stays near ln 2 (the logits
		// start near 0), the department loss near 2 * ln 4 (two of four
		// random 0/1 targets are 1 on average, each costing about ln 4).
		if math.Abs(p-math.Ln2) > 0.05 || math.Abs(d-2*math.Log(4)) > 0.4 {
			t.Errorf("validation losses %v, %v; want about %.3f and %.3f", p, d, math.Ln2, 2*math.Log(4))
		}
		for _, k := range []string{"loss", "priority_loss", "department_loss", "val_loss", "val_priority_loss", "val_department_loss"} {
			if !bytes.Contains(buf.Bytes(), []byte(" "+k+": ")) {
				t.Errorf("progress lines lack %s:\n%s", k, buf.String())
			}
		}
		if !bytes.Contains(buf.Bytes(), []byte("Total params: 1,392,097")) {
			t.Errorf("summary:\n%s", buf.String())
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("same seed, different results: %q, %q", outs[0], outs[1])
	}

	f, err := os.Open(filepath.Join(dir, "multi_input_and_output_model.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() < 800 {
		t.Fatalf("diagram: %v", err)
	}

	loaded, err := keras.LoadModel(filepath.Join(dir, "ticket_model.gokeras"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := loaded.OutputNames(); len(got) != 2 || got[0] != "priority" || got[1] != "department" {
		t.Errorf("loaded output names %v", got)
	}
	inputs, _ := dummyData(1)
	want, err := trained.PredictAll(context.Background(), inputs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	got, err := loaded.PredictAll(context.Background(), inputs, keras.Verbose(0))
	if err != nil {
		t.Fatal(err)
	}
	shapes := []tensor.Shape{{numTickets, 1}, {numTickets, numDepartments}}
	for i := range shapes {
		if !got[i].Shape().Eq(shapes[i]) {
			t.Fatalf("output %d: shape %v, want %v", i, got[i].Shape(), shapes[i])
		}
		g, w := got[i].Data().([]float32), want[i].Data().([]float32)
		for j := range w {
			if g[j] != w[j] {
				t.Fatalf("output %d, value %d: loaded model predicts %v, the trained one %v", i, j, g[j], w[j])
			}
		}
	}
}
