package modelplot

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/internal/atomicfile"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Format is an output format of Write.
type Format string

// The formats Write understands.
const (
	// PNG is a raster image drawn by gonum's vgimg at the DPI option.
	PNG Format = "png"
	// SVG is a vector image: one <g class="layer"> per box, one <path
	// class="edge"> with an arrowhead marker per edge, one <g
	// class="cluster"> per expanded nested model.
	SVG Format = "svg"
	// DOT is Graphviz's language, with the attributes and labels of Keras
	// 3's model_to_dot.
	DOT Format = "dot"
)

// MaxPixels bounds the size of a PNG (2^26 pixels, 256 MiB of RGBA): a
// larger diagram gives an error suggesting a lower DPI or SVG.
var MaxPixels = 1 << 26

// MaxLayers bounds the number of boxes a diagram lays out (10,000).
var MaxLayers = 10000

// Option configures a diagram. The options are Keras's plot_model
// arguments.
type Option func(*settings)

type settings struct {
	showShapes      bool
	showDtype       bool
	showLayerNames  bool
	rankdir         string
	expandNested    bool
	dpi             int
	showActivations bool
	showTrainable   bool
	err             error
}

func (s *settings) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// ShowShapes adds each layer's input and output shapes, batch axis as
// None (Keras: show_shapes; default false).
func ShowShapes(on bool) Option { return func(s *settings) { s.showShapes = on } }

// ShowDtype adds each layer's output dtype (Keras: show_dtype; default
// false): the model's float type, or an input's declared dtype.
func ShowDtype(on bool) Option { return func(s *settings) { s.showDtype = on } }

// ShowLayerNames puts each layer's name before its class in the box's
// header (Keras: show_layer_names; default true, as Keras 3's
// model_to_dot and Keras 2's plot_model; Keras 3's plot_model defaults
// to false and shows only the class).
func ShowLayerNames(on bool) Option { return func(s *settings) { s.showLayerNames = on } }

// RankDir sets the direction of the diagram (Keras: rankdir): "TB", top
// to bottom (the default), or "LR", left to right.
func RankDir(dir string) Option {
	return func(s *settings) {
		switch d := strings.ToUpper(dir); d {
		case "TB", "LR":
			s.rankdir = d
		default:
			s.fail(&kerrors.OptionError{Call: "modelplot", Option: "rankdir", Value: fmt.Sprintf("%q", dir), Msg: `must be "TB" or "LR"`})
		}
	}
}

// ExpandNested draws the layers of nested models inside a dashed frame
// named after the model, instead of one box per nested model (Keras:
// expand_nested; default false).
func ExpandNested(on bool) Option { return func(s *settings) { s.expandNested = on } }

// DPI sets the PNG resolution in dots per inch (Keras: dpi; default 200,
// as Keras) and the dpi attribute of DOT output; SVG is resolution-free.
// It must lie in [10, 1200].
func DPI(dpi int) Option {
	return func(s *settings) {
		if dpi < 10 || dpi > 1200 {
			s.fail(&kerrors.OptionError{Call: "modelplot", Option: "dpi", Value: fmt.Sprint(dpi), Msg: "must lie in [10, 1200]"})
			return
		}
		s.dpi = dpi
	}
}

// ShowLayerActivations adds the activation of layers that have one
// (Dense, Activation) (Keras: show_layer_activations; default false).
func ShowLayerActivations(on bool) Option { return func(s *settings) { s.showActivations = on } }

// ShowTrainable marks layers with weights "Trainable" (green) or
// "Non-trainable" (red) (Keras: show_trainable; default false).
func ShowTrainable(on bool) Option { return func(s *settings) { s.showTrainable = on } }

func collect(opts []Option) (*settings, error) {
	s := &settings{showLayerNames: true, rankdir: "TB", dpi: 200}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.err != nil {
		return nil, errors.Wrap(s.err, "modelplot")
	}
	return s, nil
}

func prepare(m *keras.Model, opts []Option) (d *diagram, s *settings, err error) {
	if m == nil {
		return nil, nil, errors.Wrap(kerrors.ErrNil, "modelplot: nil model")
	}
	if s, err = collect(opts); err != nil {
		return nil, nil, err
	}
	if d, err = extract(m, s); err != nil {
		return nil, nil, err
	}
	if len(d.boxes) > MaxLayers {
		return nil, nil, errors.Wrapf(kerrors.ErrTooLarge, "modelplot: the diagram has %d boxes, more than modelplot.MaxLayers = %d", len(d.boxes), MaxLayers)
	}
	return d, s, nil
}

// Layout lays the model's diagram out and returns its geometry: every
// box, edge and cluster with its position in points. Write draws exactly
// this. The model is built if it was not (Keras requires a built model);
// options as for Write.
func Layout(m *keras.Model, opts ...Option) (dg *Diagram, err error) {
	defer recoverTo(&err)
	d, s, err := prepare(m, opts)
	if err != nil {
		return nil, err
	}
	g := layoutDiagram(d, s.rankdir == "LR").geometry()
	return &g.Diagram, nil
}

// Write draws the model like Keras's plot_model and writes it to w: one
// box per layer (its name and class; with the options its activation,
// input and output shapes, dtype and trainability), an arrow from each
// layer to each layer applied to its output, inputs at the top (or left,
// RankDir("LR")). PNG and SVG are laid out and drawn by this package
// (no Graphviz needed); DOT is the same graph in Graphviz's language.
//
// Options: ShowShapes, ShowDtype, ShowLayerNames, RankDir, ExpandNested,
// DPI, ShowLayerActivations, ShowTrainable.
func Write(w io.Writer, m *keras.Model, format Format, opts ...Option) (err error) {
	defer recoverTo(&err)
	switch format {
	case PNG, SVG, DOT:
	default:
		return errors.Errorf("modelplot: unknown format %q (png, svg or dot)", format)
	}
	d, s, err := prepare(m, opts)
	if err != nil {
		return err
	}
	if format == DOT {
		return errors.Wrap(writeDOT(w, d, s), "modelplot: Write")
	}
	g := layoutDiagram(d, s.rankdir == "LR").geometry()
	if format == SVG {
		return errors.Wrap(writeSVG(w, g), "modelplot: Write")
	}
	px := func(pt float64) float64 { return pt * float64(s.dpi) / 72 }
	if wp, hp := px(g.Width), px(g.Height); wp*hp > float64(MaxPixels) {
		return errors.Wrapf(kerrors.ErrTooLarge, "modelplot: the PNG would be %.0f x %.0f pixels, more than modelplot.MaxPixels = %d: lower the DPI or write SVG", wp, hp, MaxPixels)
	}
	return errors.Wrap(writePNG(w, g, s.dpi), "modelplot: Write")
}

// Save draws the model into a file whose format is the path's extension
// (".png", ".svg" or ".dot"; Keras's to_file). The file is written to a
// temporary name in the same directory and renamed, so it is never seen
// half-written.
func Save(path string, m *keras.Model, opts ...Option) error {
	format := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	switch format {
	case PNG, SVG, DOT:
	default:
		return errors.Errorf("modelplot: Save(%q): the extension must be .png, .svg or .dot", path)
	}
	var buf bytes.Buffer
	if err := Write(&buf, m, format, opts...); err != nil {
		return err
	}
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	return errors.Wrap(err, "modelplot: Save")
}

func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = kerrors.Recovered("modelplot", r)
	}
}
