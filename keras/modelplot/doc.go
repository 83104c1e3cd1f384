// Package modelplot draws a model's diagram like Keras's plot_model:
// layers as boxes (name and class, optionally activation, input and
// output shapes, dtype and trainability), arrows from each layer to the
// layers applied to its output, nested models as one box or expanded in
// a dashed frame. It writes PNG and SVG with its own layout and drawing
// code (Keras needs pydot and the Graphviz programs, a common stumbling
// block), and DOT for those who have Graphviz.
//
//	err := modelplot.Save("model.png", model, modelplot.ShowShapes(true))
//
// The layout is layered: inputs on the first rank, each layer one rank
// below the deepest layer feeding it, the order within ranks chosen to
// reduce crossings, edges drawn as polylines with arrowheads. Layout
// returns the geometry for those who draw it themselves.
//
// It lives in its own package, built on gonum.org/v1/plot's vg canvas and
// fonts, so that the keras package does not depend on a plotting library.
package modelplot
