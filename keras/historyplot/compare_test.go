package historyplot_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/historyplot"
)

func TestHuePalette(t *testing.T) {
	// ggplot2's default discrete colours (scales::hue_pal()(n)).
	want := map[int][]string{
		1: {"#F8766D"},
		2: {"#F8766D", "#00BFC4"},
		3: {"#F8766D", "#00BA38", "#619CFF"},
		6: {"#F8766D", "#B79F00", "#00BA38", "#00BFC4", "#619CFF", "#F564E3"},
	}
	for n, w := range want {
		var got []string
		for _, c := range historyplot.HuePalette(n) {
			got = append(got, fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B))
		}
		if strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("HuePalette(%d) = %v, want %v", n, got, w)
		}
	}
	if historyplot.TrainingColor != historyplot.HuePalette(2)[0] || historyplot.ValidationColor != historyplot.HuePalette(2)[1] {
		t.Error("plot(history)'s colours are not the palette's two")
	}
}

// run makes a history of n epochs whose validation loss falls to a
// minimum and rises again, scaled by k.
func run(n int, k float64) *keras.History {
	h := keras.NewHistory()
	for e := 0; e < n; e++ {
		x := float64(e)
		_ = h.OnEpochEnd(e, keras.Logs{"loss": k * math.Exp(-x/5), "val_loss": k * (math.Exp(-x/5) + 0.01*x), "acc": 1 - math.Exp(-x/5)/2, "val_acc": 1 - math.Exp(-x/5)/1.8})
	}
	return h
}

func overfitRuns() []historyplot.Run {
	return []historyplot.Run{{"baseline", run(20, 1)}, {"smaller", run(20, 1.2)}, {"bigger", run(12, 0.8)}}
}

// lines counts the SVG's stroked paths by colour and dashing.
type lineCount struct{ solid, dashed int }

func strokes(t *testing.T, svg []byte) (map[string]lineCount, map[string]int) {
	t.Helper()
	out, texts := map[string]lineCount{}, map[string]int{}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			inText = el.Name.Local == "text"
			if el.Name.Local != "path" {
				continue
			}
			props := map[string]string{}
			for _, a := range el.Attr {
				if a.Name.Local == "style" {
					for _, kv := range strings.Split(a.Value, ";") {
						if k, v, ok := strings.Cut(strings.TrimSpace(kv), ":"); ok {
							props[k] = v
						}
					}
				}
			}
			if c := props["stroke"]; c != "" {
				lc := out[c]
				if props["stroke-dasharray"] != "" {
					lc.dashed++
				} else {
					lc.solid++
				}
				out[c] = lc
			}
		case xml.CharData:
			if inText {
				texts[strings.TrimSpace(string(el))]++
			}
		case xml.EndElement:
			inText = false
		}
	}
	return out, texts
}

func hexOf(c color.RGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

func TestCompareSVG(t *testing.T) {
	three := historyplot.HuePalette(3)
	six := historyplot.HuePalette(6)
	cases := []struct {
		name    string
		opts    []historyplot.CompareOption
		lines   map[string]lineCount // per colour: panel lines + legend thumbnail
		labels  []string
		heading string
		panels  []string
	}{
		{"by run", nil,
			map[string]lineCount{hexOf(three[0]): {2, 2}, hexOf(three[1]): {2, 2}, hexOf(three[2]): {2, 2}},
			[]string{"baseline training", "baseline validation", "smaller training", "smaller validation", "bigger training", "bigger validation"}, "run", []string{"loss"}},
		{"validation only, two metrics", []historyplot.CompareOption{historyplot.ShowTraining(false), historyplot.Metrics("loss", "accuracy")},
			// Two panels, one legend.
			map[string]lineCount{hexOf(three[0]): {3, 0}, hexOf(three[1]): {3, 0}, hexOf(three[2]): {3, 0}},
			[]string{"baseline validation", "smaller validation", "bigger validation"}, "run", []string{"loss", "acc"}},
		{"by series, as R's ggplot", []historyplot.CompareOption{historyplot.Style(historyplot.BySeries)},
			// Alphabetical: baseline_train, baseline_val, bigger_train, ...
			map[string]lineCount{hexOf(six[0]): {2, 0}, hexOf(six[1]): {2, 0}, hexOf(six[2]): {2, 0}, hexOf(six[3]): {2, 0}, hexOf(six[4]): {2, 0}, hexOf(six[5]): {2, 0}},
			[]string{"baseline_train", "baseline_val", "bigger_train", "bigger_val", "smaller_train", "smaller_val"}, "type", []string{"loss"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := historyplot.WriteCompare(&buf, overfitRuns(), historyplot.SVG, c.opts...); err != nil {
				t.Fatal(err)
			}
			lines, texts := strokes(t, buf.Bytes())
			for col, want := range c.lines {
				if lines[col] != want {
					t.Errorf("colour %s: %+v lines, want %+v", col, lines[col], want)
				}
			}
			for _, l := range append(append([]string{c.heading, "epoch"}, c.labels...), c.panels...) {
				if texts[l] != 1 {
					t.Errorf("text %q appears %d times", l, texts[l])
				}
			}
		})
	}
	// The panels in the legend's order, with their data.
	ps, err := historyplot.ComparePanels(overfitRuns(), historyplot.Style(historyplot.BySeries))
	if err != nil {
		t.Fatal(err)
	}
	if s := ps[0].Series[2]; s.Label != "bigger_train" || len(s.Values) != 12 || s.Validation || s.Epochs[11] != 12 || s.Color != six[2] {
		t.Errorf("series 2: %+v", s)
	}
}

func TestComparePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compare.png")
	runs := overfitRuns()
	runs = append(runs, historyplot.Run{Name: "one epoch", History: run(1, 1)})
	if err := historyplot.Compare(path, runs, historyplot.DPI(100), historyplot.Title("Validation loss")); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 7 inches by one 2.5-inch panel and the title's 0.4 inch, at 100 dpi.
	if b := img.Bounds(); b.Dx() != 700 || b.Dy() != 290 {
		t.Errorf("PNG is %v", b)
	}
	four := historyplot.HuePalette(4)
	counts := make([]int, 4)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			for k, c := range four {
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
					counts[k]++
				}
			}
		}
	}
	for k, n := range counts[:3] {
		if n < 150 {
			t.Errorf("run %d's colour covers %d pixels", k, n)
		}
	}
	if counts[3] < 10 { // the one-epoch run: a point and its legend lines
		t.Errorf("the one-epoch run's colour covers %d pixels", counts[3])
	}
}

func TestCompareBadInput(t *testing.T) {
	runs := overfitRuns()
	cases := []struct {
		err  error
		want string
	}{
		{historyplot.WriteCompare(io.Discard, nil, historyplot.SVG), "no runs"},
		{historyplot.WriteCompare(io.Discard, []historyplot.Run{{"", run(3, 1)}}, historyplot.SVG), "run 0 has no name"},
		{historyplot.WriteCompare(io.Discard, []historyplot.Run{{"a", run(3, 1)}, {"a", run(3, 1)}}, historyplot.SVG), `two runs are named "a"`},
		{historyplot.WriteCompare(io.Discard, []historyplot.Run{{"a", nil}}, historyplot.SVG), `run "a" has no epochs`},
		{historyplot.WriteCompare(io.Discard, runs, historyplot.SVG, historyplot.Metrics("mae")), `run "baseline" has no metric "mae" (it has: loss, acc)`},
		{historyplot.WriteCompare(io.Discard, runs, historyplot.SVG, historyplot.ShowTraining(false), historyplot.ShowValidation(false)), "nothing to draw"},
		{historyplot.WriteCompare(io.Discard, runs, historyplot.SVG, historyplot.Style("dotted")), "must be ByRun or BySeries"},
		{historyplot.WriteCompare(io.Discard, runs, historyplot.Format("pdf")), "unknown format"},
		{historyplot.WriteCompare(io.Discard, runs, historyplot.SVG, historyplot.YLim(1, 1)), "YLim"},
		{historyplot.Compare(filepath.Join(t.TempDir(), "c.gif"), runs), "must be .png or .svg"},
		{historyplot.Compare(filepath.Join(t.TempDir(), "missing", "c.svg"), runs), "historyplot: Compare"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("err %v, want %q", c.err, c.want)
		}
	}
}

func ExampleCompare() {
	dir, _ := os.MkdirTemp("", "historyplot")
	defer os.RemoveAll(dir)
	baseline, smaller := keras.NewHistory(), keras.NewHistory()
	for e := 0; e < 20; e++ {
		v := 1 / float64(e+1)
		_ = baseline.OnEpochEnd(e, keras.Logs{"loss": v, "val_loss": v + 0.02*float64(e)})
		_ = smaller.OnEpochEnd(e, keras.Logs{"loss": 1.2 * v, "val_loss": 1.2*v + 0.01*float64(e)})
	}
	// The R overfitting tutorial's comparison of models' losses.
	runs := []historyplot.Run{{Name: "baseline", History: baseline}, {Name: "smaller", History: smaller}}
	fmt.Println(historyplot.Compare(filepath.Join(dir, "compare.png"), runs))
	ps, _ := historyplot.ComparePanels(runs)
	for _, s := range ps[0].Series {
		fmt.Println(s.Label, s.Dashed, hexOf(s.Color))
	}
	// Output:
	// <nil>
	// baseline training true #F8766D
	// baseline validation false #F8766D
	// smaller training true #00BFC4
	// smaller validation false #00BFC4
}
