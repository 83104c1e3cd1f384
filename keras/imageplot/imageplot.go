package imageplot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/kerrors"
)

// Grid draws images with a caption under each (the Keras tutorials' "plot
// the first 25 images with their class names"): images is (N, H, W) or
// (N, H, W, C) with C 1 (one channel, drawn with the colour map) or 3
// (RGB), of any numeric dtype; labels are the captions, one per image
// drawn (nil: none).
//
// Options: Columns (default 5), TileSize (84), First (all), Cmap (Binary),
// Range (uint8: [0, 255]; [0, 1] when every value lies in it; else the
// values' extent).
func Grid(images *tensor.Dense, labels []string, opts ...GridOption) (f *Figure, err error) {
	defer recoverTo(&err, "Grid")
	s := newSettings(5, Binary)
	for _, o := range opts {
		if o != nil {
			o.applyGrid(s)
		}
	}
	if s.err != nil {
		return nil, errors.Wrap(s.err, "imageplot: Grid")
	}
	im, err := readImages("Grid", "images", images, s.first)
	if err != nil {
		return nil, err
	}
	if labels != nil && len(labels) != im.total && len(labels) != im.n {
		return nil, errors.Errorf("imageplot: Grid: %d labels for %d images (give one per image, or one per image drawn)", len(labels), im.total)
	}
	tiles := im.tiles(s)
	for i := range tiles {
		if labels != nil {
			tiles[i].caption = labels[i]
		}
		tiles[i].color = color.RGBA{A: 0xFF}
	}
	return layout("Grid", tiles, s.cols, s.tileSize)
}

// Predictions draws test images with their predicted and true classes,
// like the TensorFlow basic-classification tutorial's plot_image: the
// caption "Sneaker 97% (Sneaker)" gives the predicted class, its score
// (the row's largest value, as a percentage: pred is meant to hold
// probabilities, as a softmax output does) and the true class, in blue
// when the prediction is right and red when it is wrong. images is as
// for Grid; pred is (N, classes) of any numeric dtype (a model's
// Predict output), one row per image (or per image drawn);
// trueLabels[i] is image i's class; classNames names the classes.
//
// Options: Columns (5), TileSize (84), First (all), Cmap (Binary), Range,
// CorrectColor (blue), WrongColor (red), ShowConfidence (true).
func Predictions(images, pred *tensor.Dense, trueLabels []int, classNames []string, opts ...PredictionsOption) (f *Figure, err error) {
	defer recoverTo(&err, "Predictions")
	s := newSettings(5, Binary)
	for _, o := range opts {
		if o != nil {
			o.applyPredictions(s)
		}
	}
	if s.err != nil {
		return nil, errors.Wrap(s.err, "imageplot: Predictions")
	}
	im, err := readImages("Predictions", "images", images, s.first)
	if err != nil {
		return nil, err
	}
	if pred == nil {
		return nil, errors.Wrap(kerrors.ErrNil, "imageplot: Predictions: pred is nil")
	}
	ps := pred.Shape()
	if len(ps) != 2 || (ps[0] != im.total && ps[0] != im.n) || ps[1] < 1 {
		return nil, &kerrors.ShapeError{Where: "imageplot: Predictions", Arg: "pred", Got: ps, Want: []int{im.total, -1},
			Msg: "want one row of class scores per image (or per image drawn)"}
	}
	classes := ps[1]
	if len(classNames) != classes {
		return nil, errors.Errorf("imageplot: Predictions: %d class names for %d classes", len(classNames), classes)
	}
	if len(trueLabels) != im.total && len(trueLabels) != im.n {
		return nil, errors.Errorf("imageplot: Predictions: %d true labels for %d images", len(trueLabels), im.total)
	}
	scores, err := values(pred, im.n*classes)
	if err != nil {
		return nil, errors.Wrap(err, "imageplot: Predictions: pred")
	}
	tiles := im.tiles(s)
	for i := range tiles {
		t := trueLabels[i]
		if t < 0 || t >= classes {
			return nil, errors.Errorf("imageplot: Predictions: true label %d of image %d is not a class (0 to %d)", t, i, classes-1)
		}
		row := scores[i*classes : (i+1)*classes]
		best := 0
		for j, v := range row {
			if v > row[best] || math.IsNaN(row[best]) && !math.IsNaN(v) {
				best = j
			}
		}
		if s.confidence {
			tiles[i].caption = fmt.Sprintf("%s %2.0f%% (%s)", classNames[best], 100*row[best], classNames[t])
		} else {
			tiles[i].caption = fmt.Sprintf("%s (%s)", classNames[best], classNames[t])
		}
		tiles[i].color = s.wrong
		if best == t {
			tiles[i].color = s.correct
		}
	}
	return layout("Predictions", tiles, s.cols, s.tileSize)
}

// Filters draws a convolution kernel's filters, one tile per output
// filter (as the first convolution layer's filters are shown): kernel is
// (kh, kw, in, out), Conv2D's layout, of any numeric dtype. Each filter
// is normalised on its own, its smallest weight drawn as the colour map's
// first colour and its largest as its last. With one input channel the
// colour map draws it; with three, the filter is drawn as RGB; with any
// other number, choose one with InputChannel.
//
// Options: Columns (8), TileSize (84), First (all), Cmap (Gray),
// Numbered (false), InputChannel (all).
func Filters(kernel *tensor.Dense, opts ...FiltersOption) (f *Figure, err error) {
	defer recoverTo(&err, "Filters")
	s := newSettings(8, Gray)
	for _, o := range opts {
		if o != nil {
			o.applyFilters(s)
		}
	}
	if s.err != nil {
		return nil, errors.Wrap(s.err, "imageplot: Filters")
	}
	if kernel == nil {
		return nil, errors.Wrap(kerrors.ErrNil, "imageplot: Filters: kernel is nil")
	}
	ks := kernel.Shape()
	if len(ks) != 4 || ks[0] < 1 || ks[1] < 1 || ks[2] < 1 || ks[3] < 1 {
		return nil, &kerrors.ShapeError{Where: "imageplot: Filters", Arg: "kernel", Got: ks, Want: []int{-1, -1, -1, -1},
			Msg: "want a Conv2D kernel (kernel_h, kernel_w, in_channels, filters)"}
	}
	kh, kw, in, out := ks[0], ks[1], ks[2], ks[3]
	if s.channel >= in {
		return nil, errors.Errorf("imageplot: Filters: InputChannel(%d) but the kernel has %d input channels", s.channel, in)
	}
	if s.channel < 0 && in != 1 && in != 3 {
		return nil, errors.Errorf("imageplot: Filters: the kernel has %d input channels: choose one with InputChannel (1 is drawn with the colour map, 3 as RGB)", in)
	}
	w, err := values(kernel, kh*kw*in*out)
	if err != nil {
		return nil, errors.Wrap(err, "imageplot: Filters: kernel")
	}
	n := out
	if s.first > 0 {
		n = min(n, s.first)
	}
	tiles := make([]tile, n)
	for o := 0; o < n; o++ {
		// Filter o's weights, (kh, kw, channels) row-major.
		chans := []int{s.channel}
		if s.channel < 0 {
			chans = make([]int, in)
			for c := range chans {
				chans[c] = c
			}
		}
		px := make([]float64, 0, kh*kw*len(chans))
		for i := 0; i < kh*kw; i++ {
			for _, c := range chans {
				px = append(px, w[(i*in+c)*out+o])
			}
		}
		lo, hi := extent(px)
		tiles[o] = tile{img: paint(px, kw, kh, len(chans), lo, hi, s.cmap), color: color.RGBA{A: 0xFF}}
		if s.numbered {
			tiles[o].caption = strconv.Itoa(o)
		}
	}
	return layout("Filters", tiles, s.cols, s.tileSize)
}

// FeatureMaps draws one image's activations after a layer, one tile per
// channel ("what one image becomes: 32 new filtered images"): maps is
// (1, H, W, C) (a model's Predict output for one image) or (H, W, C), of
// any numeric dtype. Each channel is normalised on its own, its smallest
// value drawn as the colour map's first colour and its largest as its
// last; a constant channel (a unit that never fires) is drawn in the
// first colour.
//
// Options: Columns (8), TileSize (84), First (all), Cmap (Viridis),
// Numbered (false).
func FeatureMaps(maps *tensor.Dense, opts ...FeatureMapsOption) (f *Figure, err error) {
	defer recoverTo(&err, "FeatureMaps")
	s := newSettings(8, Viridis)
	for _, o := range opts {
		if o != nil {
			o.applyFeatureMaps(s)
		}
	}
	if s.err != nil {
		return nil, errors.Wrap(s.err, "imageplot: FeatureMaps")
	}
	if maps == nil {
		return nil, errors.Wrap(kerrors.ErrNil, "imageplot: FeatureMaps: maps is nil")
	}
	ms := maps.Shape()
	shape := ms
	if len(ms) == 4 && ms[0] == 1 {
		shape = ms[1:]
	}
	if len(shape) != 3 || shape[0] < 1 || shape[1] < 1 || shape[2] < 1 {
		msg := "want one image's activations (1, H, W, channels) or (H, W, channels)"
		if len(ms) == 4 && ms[0] > 1 {
			msg = fmt.Sprintf("it holds %d images; draw one at a time (preprocessing.Take)", ms[0])
		}
		return nil, &kerrors.ShapeError{Where: "imageplot: FeatureMaps", Arg: "maps", Got: ms, Want: []int{1, -1, -1, -1}, Msg: msg}
	}
	h, w, c := shape[0], shape[1], shape[2]
	v, err := values(maps, h*w*c)
	if err != nil {
		return nil, errors.Wrap(err, "imageplot: FeatureMaps: maps")
	}
	n := c
	if s.first > 0 {
		n = min(n, s.first)
	}
	tiles := make([]tile, n)
	px := make([]float64, h*w)
	for ch := 0; ch < n; ch++ {
		for i := range px {
			px[i] = v[i*c+ch]
		}
		lo, hi := extent(px)
		tiles[ch] = tile{img: paint(px, w, h, 1, lo, hi, s.cmap), color: color.RGBA{A: 0xFF}}
		if s.numbered {
			tiles[ch].caption = strconv.Itoa(ch)
		}
	}
	return layout("FeatureMaps", tiles, s.cols, s.tileSize)
}

// images is the part of an image batch to draw.
type images struct {
	total, n  int // images in the tensor, images drawn
	h, w, c   int
	px        []float64 // the drawn images' values, row-major
	uint8Data bool
}

func readImages(where, arg string, x *tensor.Dense, first int) (*images, error) {
	if x == nil {
		return nil, errors.Wrapf(kerrors.ErrNil, "imageplot: %s: %s is nil", where, arg)
	}
	sh := x.Shape()
	bad := &kerrors.ShapeError{Where: "imageplot: " + where, Arg: arg, Got: sh, Want: []int{-1, -1, -1, -1},
		Msg: "want (N, H, W) or (N, H, W, C) with C 1 (drawn with the colour map) or 3 (RGB)"}
	im := &images{c: 1}
	switch len(sh) {
	case 3:
		im.total, im.h, im.w = sh[0], sh[1], sh[2]
	case 4:
		im.total, im.h, im.w, im.c = sh[0], sh[1], sh[2], sh[3]
		if im.c != 1 && im.c != 3 {
			return nil, bad
		}
	default:
		return nil, bad
	}
	if im.total < 1 || im.h < 1 || im.w < 1 {
		return nil, bad
	}
	im.n = im.total
	if first > 0 {
		im.n = min(im.n, first)
	}
	px, err := values(x, im.n*im.h*im.w*im.c)
	if err != nil {
		return nil, errors.Wrapf(err, "imageplot: %s: %s", where, arg)
	}
	im.px = px
	im.uint8Data = x.Dtype() == tensor.Uint8
	return im, nil
}

// tiles paints the drawn images with the settings' range and colour map.
func (im *images) tiles(s *settings) []tile {
	lo, hi := s.lo, s.hi
	if !s.rangeSet {
		switch {
		case im.uint8Data:
			lo, hi = 0, 255
		default:
			lo, hi = extent(im.px)
			if lo >= 0 && hi <= 1 {
				lo, hi = 0, 1
			}
		}
	}
	size := im.h * im.w * im.c
	out := make([]tile, im.n)
	for i := range out {
		out[i].img = paint(im.px[i*size:(i+1)*size], im.w, im.h, im.c, lo, hi, s.cmap)
	}
	return out
}

// extent returns the smallest and largest finite values (0, 0 for none).
func extent(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

// paint draws a (h, w, c) image with values mapped from [lo, hi] to
// [0, 1]: through the colour map for c = 1, as RGB for c = 3. An empty
// range (a constant image) maps everything to 0.
func paint(px []float64, w, h, c int, lo, hi float64, cmap ColorMap) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	scale := func(v float64) float64 {
		if !(hi > lo) {
			return 0
		}
		return (v - lo) / (hi - lo)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := (y*w + x) * c
			if c == 3 {
				var rgb [3]uint8
				for k := range rgb {
					t := scale(px[i+k])
					if !(t > 0) {
						t = 0
					}
					rgb[k] = uint8(math.Round(min(t, 1) * 255))
				}
				img.SetRGBA(x, y, color.RGBA{rgb[0], rgb[1], rgb[2], 0xFF})
				continue
			}
			img.SetRGBA(x, y, cmap.At(scale(px[i])))
		}
	}
	return img
}

// values returns the first n elements of a numeric tensor as float64, in
// row-major order (a view is copied first); only those n are converted.
func values(x *tensor.Dense, n int) ([]float64, error) {
	if x.Size() == 0 {
		return nil, errors.New("the tensor is empty")
	}
	if x.IsView() || !x.IsNativelyAccessible() || x.RequiresIterator() {
		c := x.Clone().(*tensor.Dense)
		if c.IsView() || c.RequiresIterator() {
			m, ok := c.Materialize().(*tensor.Dense)
			if !ok {
				return nil, errors.New("cannot copy the view")
			}
			c = m
		}
		x = c
	}
	if n > x.Size() {
		return nil, errors.Errorf("it holds %d values, %d needed", x.Size(), n)
	}
	switch d := x.Data().(type) {
	case []float64:
		return append([]float64(nil), d[:n]...), nil
	case []float32:
		return convert(d[:n]), nil
	case []int:
		return convert(d[:n]), nil
	case []int8:
		return convert(d[:n]), nil
	case []int16:
		return convert(d[:n]), nil
	case []int32:
		return convert(d[:n]), nil
	case []int64:
		return convert(d[:n]), nil
	case []uint:
		return convert(d[:n]), nil
	case []uint8:
		return convert(d[:n]), nil
	case []uint16:
		return convert(d[:n]), nil
	case []uint32:
		return convert(d[:n]), nil
	case []uint64:
		return convert(d[:n]), nil
	}
	return nil, errors.Errorf("dtype %v is not numeric", x.Dtype())
}

type number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func convert[S number](s []S) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func recoverTo(err *error, where string) {
	if r := recover(); r != nil {
		*err = kerrors.Recovered("imageplot: "+where, r)
	}
}
