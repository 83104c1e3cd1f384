package historyplot

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/atomicfile"
	"github.com/gokeras/gokeras/keras/kerrors"
	"github.com/gokeras/gokeras/keras/metrics"
)

// Run is one training run to compare: a name for the legend and its
// history.
type Run struct {
	// Name labels the run's series ("baseline", "smaller", "bigger").
	Name string
	// History is what Fit returned.
	History *keras.History
}

// CompareStyle says how Compare tells the series apart.
type CompareStyle string

// The styles of Compare.
const (
	// ByRun gives each run its own colour, its validation series a solid
	// line and its training series a dashed one (the TensorFlow
	// overfitting tutorial's plot, with the dashes on training so that the
	// validation losses being compared stand out).
	ByRun CompareStyle = "by run"
	// BySeries draws every series as a solid line of its own colour,
	// named "<run>_train" and "<run>_val" and ordered alphabetically, as
	// the R overfitting tutorial's ggplot(compare_cx, aes(color = type))
	// does.
	BySeries CompareStyle = "by series"
)

// Style sets how Compare tells series apart (default ByRun). Compare
// only.
func Style(st CompareStyle) CompareFunc {
	return func(s *settings) { s.style = st }
}

// ShowTraining turns Compare's training series on or off (default on).
// Compare only.
func ShowTraining(on bool) CompareFunc { return func(s *settings) { s.hideTrain = !on } }

// ShowValidation turns Compare's validation series on or off (default
// on). Compare only.
func ShowValidation(on bool) CompareFunc { return func(s *settings) { s.hideVal = !on } }

// CompareFunc is an option of the comparison plots only: Style,
// ShowTraining, ShowValidation.
type CompareFunc func(*settings)

func (o CompareFunc) applyCompare(s *settings) { o(s) }

// HuePalette returns n colours evenly spaced in hue, as ggplot2's default
// discrete scale (scales::hue_pal(): hues from 15 degrees in steps of
// 360/n, chroma 100, luminance 65, in CIE-LCh(uv) converted to sRGB as R's
// hcl() does, out-of-gamut channels clipped).
func HuePalette(n int) []color.RGBA {
	out := make([]color.RGBA, n)
	for i := range out {
		out[i] = hcl(15+360*float64(i)/float64(n), 100, 65)
	}
	return out
}

// hcl converts a polar CIE-Luv colour to 8-bit sRGB (D65 white, the
// constants of R's grDevices).
func hcl(h, c, l float64) color.RGBA {
	const xn, yn, zn = 95.047, 100.000, 108.883
	un := 4 * xn / (xn + 15*yn + 3*zn)
	vn := 9 * yn / (xn + 15*yn + 3*zn)
	rad := h * math.Pi / 180
	u, v := c*math.Cos(rad), c*math.Sin(rad)
	y := yn * l / 903.3
	if l > 7.999592 {
		y = yn * math.Pow((l+16)/116, 3)
	}
	up, vp := u/(13*l)+un, v/(13*l)+vn
	x := 9 * y * up / (4 * vp)
	z := -x/3 - 5*y + 3*y/vp
	x, y, z = x/yn, y/yn, z/yn
	gam := func(t float64) uint8 {
		if t <= 0.0031308 {
			t *= 12.92
		} else {
			t = 1.055*math.Pow(t, 1/2.4) - 0.055
		}
		return uint8(math.Round(255 * math.Max(0, math.Min(1, t))))
	}
	return color.RGBA{
		gam(3.240479*x - 1.537150*y - 0.498535*z),
		gam(-0.969256*x + 1.875992*y + 0.041556*z),
		gam(0.055648*x - 0.204043*y + 1.057311*z), 0xFF}
}

// Series is one line of a comparison: a run's training or validation
// values of one metric, with its legend label and style.
type Series struct {
	// Run is the run's name, Label the legend's text.
	Run, Label string
	// Validation is true for the val_ series.
	Validation bool
	// Values has one value per recorded epoch; Epochs the epochs from 1.
	Values, Epochs []float64
	// Color and Dashed are the line's style.
	Color  color.RGBA
	Dashed bool
}

// ComparePanel is one metric's panel of a comparison.
type ComparePanel struct {
	Metric string
	Series []Series
}

// ComparePanels returns the panels Compare draws: one per metric (default
// "loss"; Metrics chooses), each with every run's training and
// validation series in the legend's order.
func ComparePanels(runs []Run, opts ...CompareOption) ([]ComparePanel, error) {
	s, err := collectCompare(opts)
	if err != nil {
		return nil, err
	}
	return comparePanels(runs, s)
}

func collectCompare(opts []CompareOption) (*settings, error) {
	s, err := collect(opts, CompareOption.applyCompare)
	if err != nil {
		return nil, err
	}
	if s.metrics == nil {
		s.metrics = []string{"loss"}
	}
	switch {
	case s.style != ByRun && s.style != BySeries:
		return nil, &kerrors.OptionError{Call: "historyplot.Compare", Option: "style", Value: string(s.style), Msg: "must be ByRun or BySeries"}
	case s.hideTrain && s.hideVal:
		return nil, errors.New("historyplot: Compare: ShowTraining(false) and ShowValidation(false) leave nothing to draw")
	}
	return s, nil
}

func comparePanels(runs []Run, s *settings) ([]ComparePanel, error) {
	if len(runs) == 0 {
		return nil, errors.New("historyplot: Compare: no runs")
	}
	seen := map[string]bool{}
	for i, r := range runs {
		switch {
		case r.Name == "":
			return nil, errors.Errorf("historyplot: Compare: run %d has no name", i)
		case seen[r.Name]:
			return nil, errors.Errorf("historyplot: Compare: two runs are named %q", r.Name)
		case r.History == nil || r.History.Len() == 0:
			return nil, errors.Errorf("historyplot: Compare: run %q has no epochs", r.Name)
		}
		seen[r.Name] = true
	}
	var palette []color.RGBA
	if s.style == ByRun {
		palette = HuePalette(len(runs))
	}
	var out []ComparePanel
	for _, name := range s.metrics {
		name = strings.TrimPrefix(name, "val_")
		p := ComparePanel{Metric: name}
		for i, r := range runs {
			h := r.History
			key := name
			have := map[string]bool{}
			for _, m := range h.Metrics() {
				have[m] = true
			}
			for _, alt := range metrics.Aliases(name) {
				if !have[key] && have[alt] {
					key = alt
				}
			}
			if i == 0 {
				p.Metric = key // label the panel with the history's own key
			}
			train, _ := h.Get(key)
			val, _ := h.Get("val_" + key)
			if train == nil && val == nil {
				return nil, errors.Errorf("historyplot: Compare: run %q has no metric %q (it has: %s)", r.Name, name, strings.Join(h.Metrics(), ", "))
			}
			epochs := make([]float64, len(h.Epoch))
			for k, e := range h.Epoch {
				epochs[k] = float64(e + 1)
			}
			if train != nil && !s.hideTrain {
				sr := Series{Run: r.Name, Values: train, Epochs: epochs, Label: r.Name + " training", Dashed: s.style == ByRun}
				if s.style == ByRun {
					sr.Color = palette[i]
				} else {
					sr.Label = r.Name + "_train"
				}
				p.Series = append(p.Series, sr)
			}
			if val != nil && !s.hideVal {
				sr := Series{Run: r.Name, Values: val, Epochs: epochs, Label: r.Name + " validation", Validation: true}
				if s.style == ByRun {
					sr.Color = palette[i]
				} else {
					sr.Label = r.Name + "_val"
				}
				p.Series = append(p.Series, sr)
			}
		}
		if len(p.Series) == 0 {
			return nil, errors.Errorf("historyplot: Compare: no run has the series chosen of %q", name)
		}
		if s.style == BySeries {
			sort.SliceStable(p.Series, func(i, j int) bool { return p.Series[i].Label < p.Series[j].Label })
			pal := HuePalette(len(p.Series))
			for k := range p.Series {
				p.Series[k].Color = pal[k]
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Compare draws several runs' histories in one figure and saves it, PNG
// or SVG by the path's extension, atomically (like the R overfitting
// tutorial's plot of the baseline, smaller and bigger models' losses):
// one panel per metric (default "loss"; Metrics chooses), every run's
// training and validation series as lines, told apart as Style says, a
// legend on the right.
//
// Options: Metrics, Style, ShowTraining, ShowValidation, YLim, XLim,
// Size, DPI, Title.
func Compare(path string, runs []Run, opts ...CompareOption) error {
	format := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	if format != PNG && format != SVG {
		return errors.Errorf("historyplot: Compare(%q): the extension must be .png or .svg", path)
	}
	var buf bytes.Buffer
	if err := WriteCompare(&buf, runs, format, opts...); err != nil {
		return err
	}
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	return errors.Wrap(err, "historyplot: Compare")
}

// WriteCompare is Compare writing to w in the given format.
func WriteCompare(w io.Writer, runs []Run, format Format, opts ...CompareOption) error {
	s, err := collectCompare(opts)
	if err != nil {
		return err
	}
	ps, err := comparePanels(runs, s)
	if err != nil {
		return err
	}
	// The legend strip: as wide as its longest label.
	labelFont := sans(11)
	longest := vg.Length(0)
	for _, p := range ps {
		for _, sr := range p.Series {
			w, _, _ := plot.DefaultTextHandler.Box(sr.Label, labelFont)
			longest = max(longest, w)
		}
	}
	thumb := 0.45 * vg.Inch
	legendWidth := min(longest+thumb+0.35*vg.Inch, s.width/2)
	titleHeight := vg.Length(0)
	if s.title != "" {
		titleHeight = 0.4 * vg.Inch
	}
	width, height := s.width, s.panelHeight*vg.Length(len(ps))+titleHeight
	var canvas vg.CanvasWriterTo
	switch format {
	case PNG:
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(s.dpi))}
	case SVG:
		canvas = vgsvg.New(width, height)
	default:
		return errors.Errorf("historyplot: unknown format %q (png or svg)", format)
	}
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	plots := make([][]*plot.Plot, len(ps))
	legend := plot.NewLegend()
	legend.TextStyle.Font = labelFont
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = thumb
	for i, p := range ps {
		pl, lines, err := comparePlot(p, s, i == len(ps)-1)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{pl}
		if i == 0 {
			for k, l := range lines {
				legend.Add(p.Series[k].Label, l)
			}
		}
	}
	area := dc
	area.Max.X -= legendWidth
	area.Max.Y -= titleHeight
	if s.title != "" {
		sty := draw.TextStyle{Color: color.Black, Font: sans(14), XAlign: draw.XCenter, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
		dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - 0.1*vg.Inch}, s.title)
	}
	tiles := draw.Tiles{Rows: len(ps), Cols: 1, PadTop: 0.1 * vg.Inch, PadBottom: 0.05 * vg.Inch, PadLeft: 0.05 * vg.Inch, PadRight: 0.1 * vg.Inch, PadY: 0.15 * vg.Inch}
	cs := plot.Align(plots, tiles, area)
	for i := range plots {
		plots[i][0].Draw(cs[i][0])
	}
	strip := dc
	strip.Min.X = dc.Max.X - legendWidth + 0.1*vg.Inch
	strip.Max.Y = dc.Max.Y - titleHeight - 0.2*vg.Inch
	head := draw.TextStyle{Color: color.Black, Font: sans(12), XAlign: draw.XLeft, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	heading := "run"
	if s.style == BySeries {
		heading = "type" // the key of R's gather(), the legend's title there
	}
	strip.FillText(head, vg.Point{X: strip.Min.X, Y: strip.Max.Y}, heading)
	strip.Max.Y -= 0.3 * vg.Inch
	legend.Draw(strip)
	if _, err := canvas.WriteTo(w); err != nil {
		return errors.Wrap(err, "historyplot: WriteCompare")
	}
	return nil
}

// comparePlot builds one metric's panel of a comparison and returns, per
// series, a line for the legend.
func comparePlot(p ComparePanel, s *settings, bottom bool) (*plot.Plot, []*plotter.Line, error) {
	pl := plot.New()
	pl.BackgroundColor = color.Transparent
	for _, ax := range []*plot.Axis{&pl.X, &pl.Y} {
		ax.Tick.Marker = shortTicks{}
		ax.Label.TextStyle.Font = sans(12)
		ax.Tick.Label.Font = sans(10)
		ax.Tick.Label.Color = color.Gray{Y: 0x4D}
		ax.LineStyle.Width = 0
		ax.Tick.LineStyle.Color = color.Gray{Y: 0x33}
	}
	pl.Y.Label.Text = p.Metric
	if bottom {
		pl.X.Label.Text = "epoch"
	}
	pl.Add(panelBackground{})
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.White, color.White
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.8), vg.Points(0.8)
	pl.Add(grid)
	thumbs := make([]*plotter.Line, len(p.Series))
	for k, sr := range p.Series {
		style := draw.LineStyle{Color: sr.Color, Width: vg.Points(1.1)}
		if sr.Dashed {
			style.Dashes = []vg.Length{vg.Points(4), vg.Points(2.5)}
		}
		for _, run := range finiteRuns(sr.Epochs, sr.Values) {
			if len(run) == 1 { // a lone epoch: a point where the line would be
				sc, err := plotter.NewScatter(run)
				if err != nil {
					return nil, nil, errors.Wrap(err, "historyplot")
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: sr.Color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
				pl.Add(sc)
				continue
			}
			l, err := plotter.NewLine(run)
			if err != nil {
				return nil, nil, errors.Wrap(err, "historyplot")
			}
			l.LineStyle = style
			pl.Add(l)
		}
		thumbs[k] = &plotter.Line{LineStyle: style}
	}
	if s.ylim != nil {
		pl.Y.Min, pl.Y.Max = s.ylim[0], s.ylim[1]
	}
	if s.xlim != nil {
		pl.X.Min, pl.X.Max = s.xlim[0], s.xlim[1]
	}
	if pl.Y.Min == pl.Y.Max {
		pl.Y.Min, pl.Y.Max = pl.Y.Min-0.5, pl.Y.Max+0.5
	}
	if pl.X.Min == pl.X.Max {
		pl.X.Min, pl.X.Max = pl.X.Min-0.5, pl.X.Max+0.5
	}
	if math.IsInf(pl.Y.Min, 0) || math.IsInf(pl.Y.Max, 0) {
		pl.Y.Min, pl.Y.Max = 0, 1
	}
	return pl, thumbs, nil
}
