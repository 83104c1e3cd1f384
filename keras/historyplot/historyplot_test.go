package historyplot_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
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

func TestLoessReproducesQuadraticsAndSmooths(t *testing.T) {
	var x, y, noisy []float64
	for i := 0; i < 30; i++ {
		v := float64(i)
		x = append(x, v)
		y = append(y, 3-0.5*v+0.02*v*v)
		noisy = append(noisy, 1+math.Sin(float64(i)*1.7)) // mean 1, wiggling
	}
	at := []float64{-2, 0, 4.5, 14.2, 29, 31}
	for _, span := range []float64{0.3, 0.75, 2} {
		fit := historyplot.Loess(x, y, span, at)
		for i, a := range at {
			if want := 3 - 0.5*a + 0.02*a*a; math.Abs(fit[i]-want) > 1e-9 {
				t.Errorf("span %v: loess(%v) = %v, want %v", span, a, fit[i], want)
			}
		}
	}
	// Smoothing shrinks the wiggle around the mean.
	fit := historyplot.Loess(x, noisy, 0.75, x)
	var rawVar, fitVar float64
	for i := range x {
		rawVar += (noisy[i] - 1) * (noisy[i] - 1)
		fitVar += (fit[i] - 1) * (fit[i] - 1)
	}
	if !(fitVar < rawVar/4) {
		t.Errorf("loess did not smooth: sum of squares %v -> %v", rawVar, fitVar)
	}
	// Non-finite pairs are ignored; a constant stays constant; no data
	// gives NaN.
	c := historyplot.Loess([]float64{1, 2, 3, 4, 5}, []float64{2, math.NaN(), 2, math.Inf(1), 2}, 0.75, []float64{1, 3, 5})
	for _, v := range c {
		if math.Abs(v-2) > 1e-12 {
			t.Errorf("constant: %v", c)
		}
	}
	if v := historyplot.Loess(nil, nil, 0.75, []float64{1}); !math.IsNaN(v[0]) {
		t.Errorf("no data: %v", v)
	}
}

// history returns n epochs of loss and mae with their val_ twins, the
// training loss missing (NaN) at epoch 3 when gap is set.
func history(n int, gap bool) *keras.History {
	h := keras.NewHistory()
	for e := 0; e < n; e++ {
		v := 5*math.Exp(-float64(e)/4) + 1
		logs := keras.Logs{"loss": v, "mae": v / 2, "val_loss": v + 0.5, "val_mae": v/2 + 0.25}
		if gap && e == 3 {
			logs["loss"] = math.NaN()
		}
		_ = h.OnEpochEnd(e, logs)
	}
	return h
}

// svgSummary is what the structural check looks at.
type svgSummary struct {
	texts   map[string]int // text content -> count
	lines   map[string]int // stroke colour -> stroked paths
	thick   map[string]int // stroke colour -> smoothing lines (width 2)
	points  map[string]int // fill colour -> filled paths (glyphs)
	rawSize int
}

func summarise(t *testing.T, svg []byte) svgSummary {
	t.Helper()
	s := svgSummary{texts: map[string]int{}, lines: map[string]int{}, thick: map[string]int{}, points: map[string]int{}, rawSize: len(svg)}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var inText bool
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
			var style string
			for _, a := range el.Attr {
				if a.Name.Local == "style" {
					style = a.Value
				}
			}
			props := map[string]string{}
			for _, kv := range strings.Split(style, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(kv), ":"); ok {
					props[k] = v
				}
			}
			if c := props["stroke"]; c != "" {
				s.lines[c]++
				if props["stroke-width"] == "2" {
					s.thick[c]++
				}
			} else if c := props["fill"]; c != "" && c != "none" {
				s.points[c]++
			}
		case xml.CharData:
			if inText {
				s.texts[strings.TrimSpace(string(el))]++
			}
		case xml.EndElement:
			inText = false
		}
	}
	return s
}

const (
	train = "#F8766D"
	val   = "#00BFC4"
)

func TestSVGStructure(t *testing.T) {
	cases := []struct {
		name          string
		h             *keras.History
		opts          []historyplot.PlotOption
		panels        []string
		trainLines    int // connecting runs + smoothing lines + legend thumbnail
		smooth        int // smoothing lines per colour
		trainPoints   int // finite points inside the limits + legend thumbnail
		validationPts int
	}{
		{"12 epochs, smoothed", history(12, false), nil, []string{"loss", "mae"}, 2*2 + 1, 2, 2*12 + 1, 2*12 + 1},
		{"a gap splits the line", history(12, true), nil, []string{"loss", "mae"}, 3 + 2 + 1, 2, 11 + 12 + 1, 2*12 + 1},
		{"9 epochs: no smoothing", history(9, false), nil, []string{"loss", "mae"}, 2 + 1, 0, 2*9 + 1, 2*9 + 1},
		{"smoothing off", history(12, false), []historyplot.PlotOption{historyplot.Smooth(false)}, []string{"loss", "mae"}, 2 + 1, 0, 2*12 + 1, 2*12 + 1},
		{"one metric by alias, zoomed", history(12, false), []historyplot.PlotOption{historyplot.Metrics("mean_absolute_error"), historyplot.YLim(0, 2), historyplot.XLim(2, 10)},
			[]string{"mae"}, 1 + 1 + 1, 1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := historyplot.Write(&buf, c.h, historyplot.SVG, c.opts...); err != nil {
				t.Fatal(err)
			}
			s := summarise(t, buf.Bytes())
			for _, p := range c.panels {
				if s.texts[p] != 1 {
					t.Errorf("panel label %q appears %d times", p, s.texts[p])
				}
			}
			for _, label := range []string{"epoch", "data", "training", "validation"} {
				if s.texts[label] != 1 {
					t.Errorf("label %q appears %d times", label, s.texts[label])
				}
			}
			if s.lines[train] != c.trainLines || s.thick[train] != c.smooth || s.thick[val] != c.smooth {
				t.Errorf("training lines %d (smooth %d, validation smooth %d), want %d (%d)", s.lines[train], s.thick[train], s.thick[val], c.trainLines, c.smooth)
			}
			if c.trainPoints > 0 && (s.points[train] != c.trainPoints || s.points[val] != c.validationPts) {
				t.Errorf("points: training %d validation %d, want %d and %d", s.points[train], s.points[val], c.trainPoints, c.validationPts)
			}
		})
	}
}

func TestZoomKeepsOnlyVisiblePoints(t *testing.T) {
	// mae values fall from 3 to about 0.5; YLim(0, 2) and XLim(2, 10)
	// (1-based epochs) keep the points of epochs 2..10 below 2.
	h := history(12, false)
	mae, _ := h.Get("mae")
	want := 1 // legend thumbnail
	for i, v := range mae {
		if e := float64(i + 1); e >= 2 && e <= 10 && v <= 2 {
			want++
		}
	}
	var buf bytes.Buffer
	if err := historyplot.Write(&buf, h, historyplot.SVG, historyplot.Metrics("mae"), historyplot.YLim(0, 2), historyplot.XLim(2, 10)); err != nil {
		t.Fatal(err)
	}
	if s := summarise(t, buf.Bytes()); s.points[train] != want {
		t.Errorf("%d training points drawn, want %d", s.points[train], want)
	}
}

func TestSavePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.png")
	if err := historyplot.Save(path, history(15, false), historyplot.DPI(100)); err != nil {
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
	// 7 inches wide, two panels of 2.5 inches, at 100 dpi.
	if b := img.Bounds(); b.Dx() != 700 || b.Dy() != 500 {
		t.Errorf("PNG is %dx%d, want 700x500", b.Dx(), b.Dy())
	}
	counts := map[string]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch {
			case r>>8 == 0xF8 && g>>8 == 0x76 && bl>>8 == 0x6D:
				counts["training"]++
			case r>>8 == 0x00 && g>>8 == 0xBF && bl>>8 == 0xC4:
				counts["validation"]++
			}
		}
	}
	if counts["training"] < 500 || counts["validation"] < 500 {
		t.Errorf("series colours cover %v pixels", counts)
	}
}

func TestBadInput(t *testing.T) {
	h := history(5, false)
	cases := []struct {
		err  error
		want string
	}{
		{historyplot.Write(io.Discard, keras.NewHistory(), historyplot.SVG), "no epochs"},
		{historyplot.Write(io.Discard, h, historyplot.SVG, historyplot.Metrics("accuracy")), `no metric "accuracy" (it has: loss, mae)`},
		{historyplot.Write(io.Discard, h, historyplot.Format("pdf")), "unknown format"},
		{historyplot.Write(io.Discard, h, historyplot.SVG, historyplot.YLim(5, 0)), "YLim(5, 0)"},
		{historyplot.Write(io.Discard, h, historyplot.SVG, historyplot.XLim(math.Inf(-1), 0)), "XLim"},
		{historyplot.Write(io.Discard, h, historyplot.SVG, historyplot.SmoothSpan(0)), "SmoothSpan"},
		{historyplot.Write(io.Discard, h, historyplot.SVG, historyplot.Size(0, 1)), "Size"},
		{historyplot.Save(filepath.Join(t.TempDir(), "h.jpg"), h), "must be .png or .svg"},
		{historyplot.Save(filepath.Join(t.TempDir(), "missing", "h.png"), h), "historyplot: Save"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("err %v, want %q", c.err, c.want)
		}
	}
}

func ExamplePanels() {
	h := keras.NewHistory()
	for e, loss := range []float64{0.9, 0.5, 0.4} {
		_ = h.OnEpochEnd(e, keras.Logs{"loss": loss, "val_loss": loss + 0.1, "accuracy": 1 - loss})
	}
	ps, _ := historyplot.Panels(h)
	for _, p := range ps {
		fmt.Println(p.Metric, p.Training, p.Validation)
	}
	// Output:
	// loss [0.9 0.5 0.4] [1 0.6 0.5]
	// accuracy [0.09999999999999998 0.5 0.6] []
}

func ExampleSave() {
	dir, _ := os.MkdirTemp("", "historyplot")
	defer os.RemoveAll(dir)
	h := keras.NewHistory()
	for e := 0; e < 20; e++ {
		loss := 1 / float64(e+1)
		_ = h.OnEpochEnd(e, keras.Logs{"loss": loss, "mae": loss / 2, "val_loss": loss + 0.1, "val_mae": loss/2 + 0.05})
	}
	// Like R's plot(history, metrics = "mae", smooth = FALSE) +
	// coord_cartesian(ylim = c(0, 0.5)).
	err := historyplot.Save(filepath.Join(dir, "mae.png"), h, historyplot.Metrics("mae"), historyplot.Smooth(false), historyplot.YLim(0, 0.5))
	fmt.Println(err)
	err = historyplot.Save(filepath.Join(dir, "history.svg"), h)
	fmt.Println(err)
	// Output:
	// <nil>
	// <nil>
}
