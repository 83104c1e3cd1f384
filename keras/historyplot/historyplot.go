package historyplot

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
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

// Format is an output format.
type Format string

// The formats Write understands.
const (
	PNG Format = "png"
	SVG Format = "svg"
)

// The series colours: ggplot2's first two hues, as in R's plot(history).
var (
	TrainingColor   = color.RGBA{R: 0xF8, G: 0x76, B: 0x6D, A: 0xFF}
	ValidationColor = color.RGBA{R: 0x00, G: 0xBF, B: 0xC4, A: 0xFF}
)

// PlotOption configures Save, Write and Panels (one history).
type PlotOption interface{ applyPlot(*settings) }

// CompareOption configures Compare, WriteCompare and ComparePanels
// (several runs).
type CompareOption interface{ applyCompare(*settings) }

// Option configures both kinds of plot: Metrics, YLim, XLim, Size, DPI,
// Title.
type Option func(*settings)

func (o Option) applyPlot(s *settings)    { o(s) }
func (o Option) applyCompare(s *settings) { o(s) }

// SmoothOption configures the smoothing of a one-history plot: Smooth,
// SmoothMinEpochs, SmoothSpan.
type SmoothOption func(*settings)

func (o SmoothOption) applyPlot(s *settings) { o(s) }

type settings struct {
	metrics     []string
	smooth      bool
	minSmooth   int
	span        float64
	ylim, xlim  *[2]float64
	width       vg.Length
	panelHeight vg.Length
	dpi         int
	title       string
	style       CompareStyle
	hideTrain   bool
	hideVal     bool
}

// Metrics selects the panels, by metric name without "val_" (default:
// every metric of the history, in its order, as R draws them). Aliases
// are understood as in History.Get ("acc", "mae").
func Metrics(names ...string) Option {
	return func(s *settings) { s.metrics = append([]string(nil), names...) }
}

// Smooth turns the loess smoothing line on or off (default on, as R's
// keras.plot.history.smooth). Even when on, it is drawn only for series
// of at least 10 epochs (see SmoothMinEpochs).
func Smooth(b bool) SmoothOption { return func(s *settings) { s.smooth = b } }

// SmoothMinEpochs sets the number of recorded epochs from which the
// smoothing line is drawn (default 10, R keras's rule).
func SmoothMinEpochs(n int) SmoothOption { return func(s *settings) { s.minSmooth = n } }

// SmoothSpan sets the loess span, the fraction of the points each local
// fit uses (default 0.75, R's loess default).
func SmoothSpan(f float64) SmoothOption { return func(s *settings) { s.span = f } }

// YLim zooms every panel's y axis to [lo, hi] without dropping data, like
// ggplot2's coord_cartesian(ylim = c(lo, hi)): lines leave the panel
// at its edge. Default: each panel fits its data.
func YLim(lo, hi float64) Option { return func(s *settings) { s.ylim = &[2]float64{lo, hi} } }

// XLim zooms the epoch axis to [lo, hi] (epochs counted from 1, as R
// shows them), like coord_cartesian(xlim = ...). Default: all epochs.
func XLim(lo, hi float64) Option { return func(s *settings) { s.xlim = &[2]float64{lo, hi} } }

// Size sets the figure's width and the height of each panel in inches
// (default 7 by 2.5).
func Size(width, panelHeight float64) Option {
	return func(s *settings) { s.width, s.panelHeight = vg.Length(width)*vg.Inch, vg.Length(panelHeight)*vg.Inch }
}

// DPI sets the PNG resolution in dots per inch (default 110).
func DPI(dpi int) Option { return func(s *settings) { s.dpi = dpi } }

// Title sets a title above the panels (default none).
func Title(t string) Option { return func(s *settings) { s.title = t } }

func collect[O any](opts []O, apply func(O, *settings)) (*settings, error) {
	s := &settings{smooth: true, minSmooth: 10, span: 0.75, width: 7 * vg.Inch, panelHeight: 2.5 * vg.Inch, dpi: 110, style: ByRun}
	for _, o := range opts {
		if any(o) == nil {
			return nil, errors.Wrap(kerrors.ErrNil, "historyplot: nil option")
		}
		apply(o, s)
	}
	switch {
	case s.ylim != nil && !(s.ylim[0] < s.ylim[1]) || s.ylim != nil && (math.IsInf(s.ylim[0], 0) || math.IsInf(s.ylim[1], 0)):
		return nil, errors.Errorf("historyplot: YLim(%v, %v): need finite lo < hi", s.ylim[0], s.ylim[1])
	case s.xlim != nil && !(s.xlim[0] < s.xlim[1]) || s.xlim != nil && (math.IsInf(s.xlim[0], 0) || math.IsInf(s.xlim[1], 0)):
		return nil, errors.Errorf("historyplot: XLim(%v, %v): need finite lo < hi", s.xlim[0], s.xlim[1])
	case !(s.span > 0) || math.IsInf(s.span, 0):
		return nil, errors.Errorf("historyplot: SmoothSpan(%v): need a positive span", s.span)
	case !(s.width > 2*vg.Inch && s.width < 100*vg.Inch) || !(s.panelHeight > vg.Inch && s.panelHeight < 100*vg.Inch):
		return nil, errors.Errorf("historyplot: Size(%v, %v): need a width in (2, 100) and a panel height in (1, 100) inches", s.width/vg.Inch, s.panelHeight/vg.Inch)
	case s.dpi < 10 || s.dpi > 1200:
		return nil, errors.Errorf("historyplot: DPI(%d): need 10 to 1200", s.dpi)
	}
	return s, nil
}

// Panel is one metric's series, as drawn in one panel.
type Panel struct {
	// Metric is the metric name without "val_" ("loss").
	Metric string
	// Training and Validation are the series (nil when absent), one value
	// per recorded epoch.
	Training, Validation []float64
}

// Panels returns the panels Write draws for h: one per metric (or per
// name given with Metrics), with its training and validation series.
func Panels(h *keras.History, opts ...PlotOption) ([]Panel, error) {
	s, err := collect(opts, PlotOption.applyPlot)
	if err != nil {
		return nil, err
	}
	return panels(h, s)
}

func panels(h *keras.History, s *settings) ([]Panel, error) {
	if h == nil || h.Len() == 0 {
		return nil, errors.New("historyplot: the history has no epochs")
	}
	names := s.metrics
	if names == nil {
		names = h.Metrics()
	}
	var out []Panel
	have := map[string]bool{}
	for _, m := range h.Metrics() {
		have[m] = true
	}
	for _, name := range names {
		name = strings.TrimPrefix(name, "val_")
		for _, alt := range metrics.Aliases(name) {
			if !have[name] && have[alt] {
				name = alt // label the panel with the history's own key
			}
		}
		p := Panel{Metric: name}
		p.Training, _ = h.Get(name)
		p.Validation, _ = h.Get("val_" + name)
		if p.Training == nil && p.Validation == nil {
			return nil, errors.Errorf("historyplot: the history has no metric %q (it has: %s)", name, strings.Join(h.Metrics(), ", "))
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("historyplot: no metrics to plot")
	}
	return out, nil
}

// Save draws h into a file, PNG or SVG by the path's extension (".png",
// ".svg"). The file is written to a temporary name in the same directory
// and renamed, so it is never seen half-written.
func Save(path string, h *keras.History, opts ...PlotOption) error {
	format := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	if format != PNG && format != SVG {
		return errors.Errorf("historyplot: Save(%q): the extension must be .png or .svg", path)
	}
	var buf bytes.Buffer
	if err := Write(&buf, h, format, opts...); err != nil {
		return err
	}
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	return errors.Wrap(err, "historyplot: Save")
}

// Write draws h like R's plot(history) and writes it to w in the given
// format: one panel per metric stacked vertically, the metric's name on
// the y axis, training and validation series in the same panel as points
// joined by lines, x = epoch (from 1, as R shows it), a legend on the
// right, and with 10 or more epochs a loess smoothing line per series.
//
// The history's NaN and infinite values are left out (a line breaks at
// them). After early stopping the series simply end at the last epoch
// run. Options: Metrics, Smooth, SmoothMinEpochs, SmoothSpan, YLim, XLim,
// Size, DPI, Title.
func Write(w io.Writer, h *keras.History, format Format, opts ...PlotOption) error {
	s, err := collect(opts, PlotOption.applyPlot)
	if err != nil {
		return err
	}
	ps, err := panels(h, s)
	if err != nil {
		return err
	}
	epochs := make([]float64, len(h.Epoch))
	for i, e := range h.Epoch {
		epochs[i] = float64(e + 1)
	}
	legendWidth := 1.3 * vg.Inch
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
	var legend plot.Legend
	for i, p := range ps {
		pl, thumbs, err := panelPlot(p, epochs, s, i == len(ps)-1)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{pl}
		if i == 0 {
			legend = plot.NewLegend()
			legend.TextStyle.Font = sans(11)
			legend.Top, legend.Left = true, true
			legend.ThumbnailWidth = 0.35 * vg.Inch
			for _, th := range thumbs {
				legend.Add(th.name, th.thumbs...)
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
	// The legend: a "data" heading and one entry per series, at the top
	// of the strip right of the panels.
	strip := dc
	strip.Min.X = dc.Max.X - legendWidth + 0.1*vg.Inch
	strip.Max.Y = dc.Max.Y - titleHeight - 0.2*vg.Inch
	head := draw.TextStyle{Color: color.Black, Font: sans(12), XAlign: draw.XLeft, YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	strip.FillText(head, vg.Point{X: strip.Min.X, Y: strip.Max.Y}, "data")
	strip.Max.Y -= 0.3 * vg.Inch
	legend.Draw(strip)

	if _, err := canvas.WriteTo(w); err != nil {
		return errors.Wrap(err, "historyplot: Write")
	}
	return nil
}

type legendEntry struct {
	name   string
	thumbs []plot.Thumbnailer
}

func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// panelPlot builds one metric's panel.
func panelPlot(p Panel, epochs []float64, s *settings, bottom bool) (*plot.Plot, []legendEntry, error) {
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

	var entries []legendEntry
	for _, series := range []struct {
		name string
		ys   []float64
		clr  color.Color
	}{{"training", p.Training, TrainingColor}, {"validation", p.Validation, ValidationColor}} {
		if series.ys == nil {
			continue
		}
		var thumbs []plot.Thumbnailer
		// Lines, broken at non-finite values.
		for _, run := range finiteRuns(epochs, series.ys) {
			if len(run) < 2 {
				continue
			}
			l, err := plotter.NewLine(run)
			if err != nil {
				return nil, nil, errors.Wrap(err, "historyplot")
			}
			l.Color, l.Width = series.clr, vg.Points(0.75)
			pl.Add(l)
			if thumbs == nil {
				thumbs = append(thumbs, l)
			}
		}
		// Points, only those inside the limits (coord_cartesian hides
		// the others; keeping them would distort the panel's padding).
		var pts plotter.XYs
		for _, run := range finiteRuns(epochs, series.ys) {
			for _, xy := range run {
				if inside(s.xlim, xy.X) && inside(s.ylim, xy.Y) {
					pts = append(pts, xy)
				}
			}
		}
		if len(pts) > 0 {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, nil, errors.Wrap(err, "historyplot")
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: series.clr, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
			pl.Add(sc)
			thumbs = append(thumbs, sc)
		}
		// The loess line.
		if s.smooth && len(series.ys) >= s.minSmooth {
			if sm := smoothLine(epochs, series.ys, s.span); sm != nil {
				l, err := plotter.NewLine(sm)
				if err != nil {
					return nil, nil, errors.Wrap(err, "historyplot")
				}
				l.Color, l.Width = series.clr, vg.Points(2)
				pl.Add(l)
			}
		}
		if thumbs != nil {
			entries = append(entries, legendEntry{series.name, thumbs})
		}
	}
	if s.ylim != nil {
		pl.Y.Min, pl.Y.Max = s.ylim[0], s.ylim[1]
	}
	if s.xlim != nil {
		pl.X.Min, pl.X.Max = s.xlim[0], s.xlim[1]
	}
	if pl.Y.Min == pl.Y.Max { // a constant series
		pl.Y.Min, pl.Y.Max = pl.Y.Min-0.5, pl.Y.Max+0.5
	}
	if pl.X.Min == pl.X.Max {
		pl.X.Min, pl.X.Max = pl.X.Min-0.5, pl.X.Max+0.5
	}
	if math.IsInf(pl.Y.Min, 0) || math.IsInf(pl.Y.Max, 0) { // no finite value at all
		pl.Y.Min, pl.Y.Max = 0, 1
	}
	return pl, entries, nil
}

// panelBackground fills the data area with ggplot2's panel grey.
type panelBackground struct{}

func (panelBackground) Plot(c draw.Canvas, _ *plot.Plot) {
	c.SetColor(color.RGBA{R: 0xEB, G: 0xEB, B: 0xEB, A: 0xFF})
	c.Fill(c.Rectangle.Path())
}

// shortTicks are gonum's default ticks labelled without trailing zeros
// ("25", "0.5" rather than "25.00", "0.50").
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 8, 64)
		}
	}
	return ticks
}

func inside(lim *[2]float64, v float64) bool {
	return lim == nil || (v >= lim[0] && v <= lim[1])
}

// finiteRuns splits (x, y) into runs of consecutive finite points.
func finiteRuns(x, y []float64) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for i := range y {
		if isFinite(y[i]) {
			cur = append(cur, plotter.XY{X: x[i], Y: y[i]})
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// smoothLine evaluates the loess fit at 80 points across the epochs, as
// ggplot2's geom_smooth does; nil when there are fewer than four finite
// points.
func smoothLine(x, y []float64, span float64) plotter.XYs {
	n := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range y {
		if isFinite(y[i]) {
			n++
			lo, hi = math.Min(lo, x[i]), math.Max(hi, x[i])
		}
	}
	if n < 4 || lo == hi {
		return nil
	}
	const points = 80
	at := make([]float64, points)
	for i := range at {
		at[i] = lo + (hi-lo)*float64(i)/(points-1)
	}
	fit := Loess(x, y, span, at)
	var out plotter.XYs
	for i, v := range fit {
		if isFinite(v) {
			out = append(out, plotter.XY{X: at[i], Y: v})
		}
	}
	return out
}
