package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/gokeras/gokeras/internal/testenv"
	"github.com/gokeras/gokeras/keras"
)

// TestMain reports, after the tests, which skipped for want of data.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestGuideSummary builds the model for CIFAR-10's images and checks it
// layer by layer against the summary the Keras guide prints: the same
// layers, output shapes and parameter counts, 223,242 in all.
func TestGuideSummary(t *testing.T) {
	m, err := toyResNet([]int{32, 32, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		class  string
		shape  string
		params int
	}{
		{"InputLayer", "[32 32 3]", 0},
		{"Conv2D", "[30 30 32]", 896},
		{"Conv2D", "[28 28 64]", 18496},
		{"MaxPooling2D", "[9 9 64]", 0},
		{"Conv2D", "[9 9 64]", 36928},
		{"Conv2D", "[9 9 64]", 36928},
		{"Add", "[9 9 64]", 0},
		{"Conv2D", "[9 9 64]", 36928},
		{"Conv2D", "[9 9 64]", 36928},
		{"Add", "[9 9 64]", 0},
		{"Conv2D", "[7 7 64]", 36928},
		{"GlobalAveragePooling2D", "[64]", 0},
		{"Dense", "[256]", 16640},
		{"Dropout", "[256]", 0},
		{"Dense", "[10]", 2570},
	}
	ls := m.Layers()
	if len(ls) != len(want) {
		t.Fatalf("%d layers, want %d", len(ls), len(want))
	}
	for i, l := range ls {
		b := l.LayerBase()
		params := 0
		for _, v := range l.Variables() {
			n := 1
			for _, d := range v.Shape() {
				n *= d
			}
			params += n
		}
		got := fmt.Sprint(b.OutputShape())
		if l.ClassName() != want[i].class || got != want[i].shape || params != want[i].params {
			t.Errorf("layer %d %s: %s %s %d params, want %s %s %d", i, b.Name(), l.ClassName(), got, params,
				want[i].class, want[i].shape, want[i].params)
		}
	}
	if n, err := m.CountParams(); err != nil || n != 223242 {
		t.Errorf("CountParams = %d, %v; the guide's summary: 223,242", n, err)
	}
	var buf bytes.Buffer
	if err := m.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`Model: "toy_resnet"`, "Total params: 223,242", "add (Add)", "add_1 (Add)", "conv2d_6[0][0]"} {
		if !bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("summary lacks %q:\n%s", s, buf.String())
		}
	}
}

var result = regexp.MustCompile(`(?m)^RESULT test_accuracy=(\S+) params=(\d+) s_per_epoch=(\S+)$`)

// TestGuideRun is the guide's run (one epoch, batch 64, 20% held out for
// validation) on the first 6,000 Fashion-MNIST images instead of the
// guide's 1,000: after only 13 steps the model is still at chance (test
// accuracy 0.095 with seed 1), while 75 steps must take it far above chance (0.1). It
// also checks the diagram and that the saved model loads back.
func TestGuideRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the toy ResNet for 75 steps (-short)")
	}
	t.Setenv("KERAS_HOME", testenv.KerasHome(t, "fashion-mnist/train-images-idx3-ubyte.gz"))
	out := t.TempDir()
	var buf bytes.Buffer
	c := config{data: "fashion_mnist", epochs: 1, out: out, seed: 1, verbose: 0, trainRows: 6000, testRows: 1000}
	if err := run(context.Background(), &buf, c); err != nil {
		t.Fatal(err)
	}
	m := result.FindStringSubmatch(buf.String())
	if m == nil {
		t.Fatalf("no RESULT line:\n%s", buf.String())
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.35 {
		t.Errorf("after one epoch of 75 steps: test accuracy %v (chance: 0.1)\n%s", acc, buf.String())
	}
	if m[2] != "222666" { // 223,242 less the first kernel's two missing input channels (2*9*32)
		t.Errorf("params = %s on 28x28x1 images, want 222666", m[2])
	}
	for _, f := range []string{"mini_resnet.png", "history.png"} {
		fh, err := os.Open(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil || img.Bounds().Dy() < 200 {
			t.Errorf("%s: %v", f, err)
		}
	}
	loaded, err := keras.LoadModel(filepath.Join(out, "toy_resnet.gokeras"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := loaded.CountParams(); err != nil || n != 222666 {
		t.Errorf("loaded model: %d params, %v", n, err)
	}
}

// TestUnknownData names the flag's valid values.
func TestUnknownData(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, config{data: "imagenet", out: t.TempDir()})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("fashion_mnist or cifar10")) {
		t.Errorf("got %v", err)
	}
}
