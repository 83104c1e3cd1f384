package modelplot

import (
	"sync"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
)

// Text is set in Liberation Sans (metrically compatible with Arial and
// Helvetica, Keras's "Helvetica"), measured with gonum/plot's font
// machinery so that the PNG and the SVG share one layout.

type rgb struct{ r, g, b uint8 }

const (
	headerSize = 11  // points: the box's first row (Keras: point-size 16 at its 200 dpi)
	textSize   = 9.5 // points: the other rows (Keras: 14)
	padX       = 6.0 // points left and right of a cell's text
	padY       = 3.5 // points above and below a row's text
	rule       = 1.0 // points: the black lines between a box's cells
)

var (
	fontsOnce sync.Once
	fonts     *font.Cache
)

func face(size float64, bold bool) *font.Face {
	fontsOnce.Do(func() { fonts = font.NewCache(liberation.Collection()) })
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	ff := fonts.Lookup(f, font.Length(size))
	return &ff
}

func spansWidth(sp []span, size float64) float64 {
	w := 0.0
	for _, s := range sp {
		w += float64(face(size, s.bold).Width(s.text))
	}
	return w
}

// rowHeight is the height of a row of text of the given size.
func rowHeight(size float64) float64 {
	e := face(size, false).Extents()
	return float64(e.Ascent+e.Descent) + 2*padY
}

// ascent is the distance from a row's top to its text's baseline.
func ascent(size float64) float64 {
	return float64(face(size, false).Extents().Ascent) + padY
}

// measure sizes a box to its text: the widest of its header, its
// activation row and its cells side by side.
func (b *dbox) measure() {
	w := spansWidth(b.header, headerSize) + 2*padX
	h := rule + rowHeight(headerSize)
	if b.activation != nil {
		w = max(w, spansWidth(b.activation, textSize)+2*padX+2*rule)
		h += rowHeight(textSize) + rule
	}
	if len(b.cells) > 0 {
		cw := rule
		for _, c := range b.cells {
			cw += spansWidth(c.spans, textSize) + 2*padX + rule
		}
		w = max(w, cw)
		h += rowHeight(textSize) + rule
	}
	b.w, b.h = w, h+rule
}

// clusterLabel is the size of a cluster's name.
const clusterLabelSize = 10
