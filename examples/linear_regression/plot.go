package main

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gokeras/gokeras/examples/internal/figure"
)

// plotFit writes a scatter plot of the data with the fitted line (and the
// true line, dashed) to path, PNG or SVG by its extension.
func plotFit(path string, xs, ys []float64, slope, intercept float64) error {
	p := plot.New()
	p.Title.Text = "y = 3x + 2 + noise, and the line the model learned"
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"
	pts := make(plotter.XYs, len(xs))
	lo, hi := xs[0], xs[0]
	for i := range xs {
		pts[i].X, pts[i].Y = xs[i], ys[i]
		lo, hi = min(lo, xs[i]), max(hi, xs[i])
	}
	scatter, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	scatter.GlyphStyle.Shape = draw.CircleGlyph{}
	scatter.GlyphStyle.Radius = vg.Points(2)
	scatter.GlyphStyle.Color = color.RGBA{90, 90, 90, 255}
	line := func(a, b float64) plotter.XYs { return plotter.XYs{{X: lo, Y: a*lo + b}, {X: hi, Y: a*hi + b}} }
	fitted, err := plotter.NewLine(line(slope, intercept))
	if err != nil {
		return err
	}
	fitted.Color, fitted.Width = color.RGBA{0, 114, 178, 255}, vg.Points(2)
	truth, err := plotter.NewLine(line(trueSlope, trueIntercept))
	if err != nil {
		return err
	}
	truth.Color, truth.Dashes = color.RGBA{213, 94, 0, 255}, []vg.Length{vg.Points(5), vg.Points(4)}
	p.Add(scatter, fitted, truth)
	p.Legend.Add("data", scatter)
	p.Legend.Add("learned", fitted)
	p.Legend.Add("true", truth)
	p.Legend.Top, p.Legend.Left = true, true
	format := "png"
	if len(path) > 4 && path[len(path)-4:] == ".svg" {
		format = "svg"
	}
	wt, err := p.WriterTo(5*vg.Inch, 4*vg.Inch, format)
	if err != nil {
		return err
	}
	return figure.WriteFile(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err })
}
