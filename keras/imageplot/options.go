package imageplot

import (
	"fmt"
	"image/color"
	"math"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Options are checked by the compiler: each function takes its own option
// type, and an option several functions take is a type implementing each
// of their option interfaces (Filters(k, ShowConfidence(true)) does not
// compile).

// GridOption is an option of Grid.
type GridOption interface{ applyGrid(*settings) }

// PredictionsOption is an option of Predictions.
type PredictionsOption interface{ applyPredictions(*settings) }

// FiltersOption is an option of Filters.
type FiltersOption interface{ applyFilters(*settings) }

// FeatureMapsOption is an option of FeatureMaps.
type FeatureMapsOption interface{ applyFeatureMaps(*settings) }

// LayoutOption is an option of every figure: Columns, TileSize, First,
// Cmap.
type LayoutOption func(*settings)

func (o LayoutOption) applyGrid(s *settings)        { o(s) }
func (o LayoutOption) applyPredictions(s *settings) { o(s) }
func (o LayoutOption) applyFilters(s *settings)     { o(s) }
func (o LayoutOption) applyFeatureMaps(s *settings) { o(s) }

// ValueOption is an option of the figures of data (Grid, Predictions):
// Range.
type ValueOption func(*settings)

func (o ValueOption) applyGrid(s *settings)        { o(s) }
func (o ValueOption) applyPredictions(s *settings) { o(s) }

// PredictionOption is an option of Predictions only: CorrectColor,
// WrongColor, ShowConfidence.
type PredictionOption func(*settings)

func (o PredictionOption) applyPredictions(s *settings) { o(s) }

// MapOption is an option of the figures of a layer's weights or
// activations (Filters, FeatureMaps): Numbered.
type MapOption func(*settings)

func (o MapOption) applyFilters(s *settings)     { o(s) }
func (o MapOption) applyFeatureMaps(s *settings) { o(s) }

// FilterOption is an option of Filters only: InputChannel.
type FilterOption func(*settings)

func (o FilterOption) applyFilters(s *settings) { o(s) }

type settings struct {
	err error

	cols       int
	tileSize   int
	first      int // 0: all
	cmap       ColorMap
	cmapSet    bool
	lo, hi     float64
	rangeSet   bool
	correct    color.RGBA
	wrong      color.RGBA
	confidence bool
	numbered   bool
	channel    int // -1: all
}

func (s *settings) fail(option, value, msg string) {
	if s.err == nil {
		s.err = &kerrors.OptionError{Call: "imageplot", Option: option, Value: value, Msg: msg}
	}
}

// MaxTileSize bounds TileSize (4096 pixels).
const MaxTileSize = 4096

// Columns sets the number of tiles per row (default 5 for Grid and
// Predictions, as the Keras tutorials' 5 x 5 grids; 8 for Filters and
// FeatureMaps). A figure with fewer tiles is as wide as its tiles.
func Columns(n int) LayoutOption {
	return func(s *settings) {
		if n < 1 {
			s.fail("columns", fmt.Sprint(n), "must be >= 1")
			return
		}
		s.cols = n
	}
}

// TileSize sets the size in pixels that each image's longer side is
// magnified to, by the largest whole factor that stays within it (at
// least 1: images are never shrunk), without smoothing (default 84: a
// 28 x 28 image drawn 3 times larger). At most MaxTileSize.
func TileSize(px int) LayoutOption {
	return func(s *settings) {
		if px < 1 || px > MaxTileSize {
			s.fail("tile_size", fmt.Sprint(px), fmt.Sprintf("must lie in [1, %d]", MaxTileSize))
			return
		}
		s.tileSize = px
	}
}

// First draws only the first n images, filters or channels (default all),
// as the tutorials "plot the first 25 images": only those are read.
func First(n int) LayoutOption {
	return func(s *settings) {
		if n < 1 {
			s.fail("first", fmt.Sprint(n), "must be >= 1")
			return
		}
		s.first = n
	}
}

// Cmap sets the colour map of one-channel images (matplotlib: cmap;
// default Binary for Grid and Predictions, as the TensorFlow tutorials'
// plt.cm.binary; Gray for Filters; Viridis for FeatureMaps, as Deep
// Learning with Python shows activations). Three-channel images are drawn
// in their own colours.
func Cmap(c ColorMap) LayoutOption {
	return func(s *settings) {
		switch c {
		case Gray, Binary, Viridis:
			s.cmap, s.cmapSet = c, true
		default:
			s.fail("cmap", fmt.Sprintf("%q", string(c)), "must be Gray, Binary or Viridis")
		}
	}
}

// Range sets the values drawn as the colour map's ends: lo and below as
// its first colour, hi and above as its last (matplotlib: vmin, vmax).
// Default: [0, 255] for uint8 images; [0, 1] when every value drawn lies
// in it; otherwise the smallest and largest finite values drawn.
func Range(lo, hi float64) ValueOption {
	return func(s *settings) {
		if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			s.fail("range", fmt.Sprintf("(%v, %v)", lo, hi), "need finite lo < hi")
			return
		}
		s.lo, s.hi, s.rangeSet = lo, hi, true
	}
}

// CorrectColor sets the caption colour of right predictions (default
// blue, #0000FF, as the TensorFlow basic-classification tutorial; the R
// tutorial uses #008800).
func CorrectColor(c color.Color) PredictionOption {
	return func(s *settings) { s.correct = toRGBA(c) }
}

// WrongColor sets the caption colour of wrong predictions (default red,
// #FF0000; the R tutorial uses #BB0000).
func WrongColor(c color.Color) PredictionOption {
	return func(s *settings) { s.wrong = toRGBA(c) }
}

// ShowConfidence adds the predicted class's score as a percentage to each
// caption, "Sneaker 97% (Sneaker)", as the TensorFlow tutorial's
// plot_image does (default true); without it captions read "Sneaker
// (Sneaker)", as in the R tutorial.
func ShowConfidence(on bool) PredictionOption {
	return func(s *settings) { s.confidence = on }
}

// Numbered captions each tile with its filter's or channel's index, from
// 0 (default false).
func Numbered(on bool) MapOption { return func(s *settings) { s.numbered = on } }

// InputChannel draws each filter's weights for one input channel only,
// with the colour map (default: all input channels, which must be 1,
// drawn with the colour map, or 3, drawn as RGB).
func InputChannel(c int) FilterOption {
	return func(s *settings) {
		if c < 0 {
			s.fail("input_channel", fmt.Sprint(c), "must be >= 0")
			return
		}
		s.channel = c
	}
}

func toRGBA(c color.Color) color.RGBA {
	if c == nil {
		return color.RGBA{A: 0xFF}
	}
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func newSettings(cols int, cmap ColorMap) *settings {
	return &settings{cols: cols, tileSize: 84, cmap: cmap, channel: -1, confidence: true,
		correct: color.RGBA{0, 0, 0xFF, 0xFF}, wrong: color.RGBA{0xFF, 0, 0, 0xFF}}
}
