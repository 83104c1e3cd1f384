// Package historyplot draws a training history like R's plot(history):
// one panel per metric, stacked, with the training and validation series
// together (points joined by lines, x = epoch), an optional loess
// smoothing line (drawn, as in R keras, only with 10 or more epochs),
// optional axis limits that zoom without dropping data (ggplot2's
// coord_cartesian), written as PNG or SVG.
//
//	h, err := model.Fit(ctx, x, y, keras.Epochs(500), keras.ValidationSplit(0.2), keras.Verbose(0))
//	err = historyplot.Save("history.png", h, historyplot.Metrics("mae"), historyplot.Smooth(false), historyplot.YLim(0, 5))
//
// Compare overlays several runs in one figure, as the R overfitting
// tutorial compares its baseline, smaller and bigger models' losses:
//
//	err = historyplot.Compare("compare.png", []historyplot.Run{{Name: "baseline", History: h1}, {Name: "smaller", History: h2}})
//
// It lives in its own package, built on gonum.org/v1/plot, so that the
// keras package does not depend on a plotting library.
package historyplot
