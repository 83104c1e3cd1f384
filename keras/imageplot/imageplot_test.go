package imageplot_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/imageplot"
)

// ramp returns n images of h x w uint8 pixels, pixel (i, y, x) = 10*i + 3*y + x.
func ramp(n, h, w int) *tensor.Dense {
	px := make([]uint8, n*h*w)
	for i := 0; i < n; i++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				px[(i*h+y)*w+x] = uint8(10*i + 3*y + x)
			}
		}
	}
	return tensor.New(tensor.WithShape(n, h, w), tensor.WithBacking(px))
}

func grey(img image.Image, x, y int) uint8 {
	r, g, b, _ := img.At(x, y).RGBA()
	if r != g || g != b {
		return 0 // not grey: fails the comparisons below
	}
	return uint8(r >> 8)
}

func rgbAt(img image.Image, x, y int) [3]uint8 {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

func decode(t *testing.T, f *imageplot.Figure) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf, imageplot.PNG); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestGridGeometryAndGreyLevels(t *testing.T) {
	labels := []string{"a", "b", "c", "d", "a longer one", "f", "g"}
	cases := []struct {
		name    string
		opts    []imageplot.GridOption
		labels  []string
		cols    int
		scale   int
		binary  bool
		caption bool
	}{
		{"defaults", nil, labels, 5, 84 / 4, true, true},
		{"three columns, gray, 20 px tiles", []imageplot.GridOption{imageplot.Columns(3), imageplot.Cmap(imageplot.Gray), imageplot.TileSize(20)}, labels, 3, 5, false, true},
		{"no captions, first 4", []imageplot.GridOption{imageplot.First(4), imageplot.TileSize(8)}, nil, 4, 2, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := imageplot.Grid(ramp(7, 3, 4), c.labels, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, f)
			tiles := f.Tiles()
			n := 7
			if c.labels == nil {
				n = 4
			}
			if len(tiles) != n {
				t.Fatalf("%d tiles, want %d", len(tiles), n)
			}
			// The cell: the widest of the tiles and captions, plus 6 px each
			// side; rows of tile + caption (16 px) + 6 px, and 6 px on top.
			cellW := 4 * c.scale
			capH := 0
			if c.caption {
				cellW = max(cellW, len("a longer one")*7)
				capH = 16
			}
			cellW += 12
			rows := (n + c.cols - 1) / c.cols
			want := image.Rect(0, 0, c.cols*cellW, rows*(3*c.scale+capH+6)+6)
			if img.Bounds() != want {
				t.Errorf("figure %v, want %v", img.Bounds(), want)
			}
			for i, tl := range tiles {
				x0 := (i%c.cols)*cellW + (cellW-4*c.scale)/2
				y0 := (i/c.cols)*(3*c.scale+capH+6) + 6
				if wantB := image.Rect(x0, y0, x0+4*c.scale, y0+3*c.scale); tl.Bounds != wantB || tl.Scale != c.scale {
					t.Errorf("tile %d at %v scale %d, want %v scale %d", i, tl.Bounds, tl.Scale, wantB, c.scale)
				}
				if c.labels != nil && tl.Caption != c.labels[i] {
					t.Errorf("tile %d caption %q", i, tl.Caption)
				}
				// Every pixel of the tile: the image's value, magnified.
				for y := 0; y < 3*c.scale; y++ {
					for x := 0; x < 4*c.scale; x++ {
						v := uint8(10*i + 3*(y/c.scale) + x/c.scale)
						if c.binary {
							v = 255 - v
						}
						if got := grey(img, x0+x, y0+y); got != v {
							t.Fatalf("tile %d pixel (%d, %d) = %d, want %d", i, x, y, got, v)
						}
					}
				}
				// The caption is drawn in black under the tile.
				if c.caption && !hasColour(img, captionArea(tl), color.RGBA{A: 0xFF}) {
					t.Errorf("tile %d: no caption pixels", i)
				}
			}
		})
	}
}

// captionArea is the strip under a tile where its caption (7 pixels a
// character, centred under the tile) is drawn.
func captionArea(tl imageplot.Tile) image.Rectangle {
	c, half := (tl.Bounds.Min.X+tl.Bounds.Max.X)/2, len(tl.Caption)*7/2+1
	return image.Rect(c-half, tl.Bounds.Max.Y, c+half, tl.Bounds.Max.Y+16)
}

func hasColour(img image.Image, r image.Rectangle, c color.RGBA) bool {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if rgbAt(img, x, y) == [3]uint8{c.R, c.G, c.B} {
				return true
			}
		}
	}
	return false
}

func TestValueRanges(t *testing.T) {
	// The same picture from several dtypes and ranges: pixel values 0, 51,
	// 102, 153, 204, 255 as uint8, as float32 in [0, 1], as int16 with
	// Range(0, 255), and as float64 in [-1, 1] (its own extent).
	u := []uint8{0, 51, 102, 153, 204, 255}
	f32, i16, f64 := make([]float32, 6), make([]int16, 6), make([]float64, 6)
	for i, v := range u {
		f32[i] = float32(v) / 255
		i16[i] = int16(v)
		f64[i] = float64(v)/127.5 - 1
	}
	cases := []struct {
		x    *tensor.Dense
		opts []imageplot.GridOption
	}{
		{tensor.New(tensor.WithShape(1, 2, 3), tensor.WithBacking(u)), nil},
		{tensor.New(tensor.WithShape(1, 2, 3, 1), tensor.WithBacking(f32)), nil},
		{tensor.New(tensor.WithShape(1, 2, 3), tensor.WithBacking(i16)), []imageplot.GridOption{imageplot.Range(0, 255)}},
		{tensor.New(tensor.WithShape(1, 2, 3), tensor.WithBacking(f64)), nil},
	}
	for k, c := range cases {
		f, err := imageplot.Grid(c.x, nil, append(c.opts, imageplot.Cmap(imageplot.Gray), imageplot.TileSize(3))...)
		if err != nil {
			t.Fatal(err)
		}
		img, b := f.Image(), f.Tiles()[0].Bounds
		for i, v := range u {
			if got := grey(img, b.Min.X+i%3, b.Min.Y+i/3); got != v {
				t.Errorf("case %d (%v): pixel %d = %d, want %d", k, c.x.Dtype(), i, got, v)
			}
		}
	}
	// Values outside the range are clamped to its ends.
	f, err := imageplot.Grid(tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]float64{-5, 7})), nil, imageplot.Range(0, 1), imageplot.Cmap(imageplot.Gray))
	if err != nil {
		t.Fatal(err)
	}
	b := f.Tiles()[0].Bounds
	if lo, hi := grey(f.Image(), b.Min.X, b.Min.Y), grey(f.Image(), b.Max.X-1, b.Min.Y); lo != 0 || hi != 255 {
		t.Errorf("clamped to %d and %d", lo, hi)
	}
}

func TestRGBAndViews(t *testing.T) {
	// Two 1 x 2 RGB images: red and green, then blue and white.
	px := []float32{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}
	x := tensor.New(tensor.WithShape(2, 1, 2, 3), tensor.WithBacking(px))
	f, err := imageplot.Grid(x, []string{"rg", "bw"}, imageplot.TileSize(2))
	if err != nil {
		t.Fatal(err)
	}
	want := [][2][3]uint8{{{255, 0, 0}, {0, 255, 0}}, {{0, 0, 255}, {255, 255, 255}}}
	for i, tl := range f.Tiles() {
		for j := 0; j < 2; j++ {
			if got := rgbAt(f.Image(), tl.Bounds.Min.X+j, tl.Bounds.Min.Y); got != want[i][j] {
				t.Errorf("image %d pixel %d = %v, want %v", i, j, got, want[i][j])
			}
		}
	}
	// A view (the second and third of three images) draws as its copy.
	all := ramp(3, 2, 2)
	view, err := all.Slice(tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	fv, err := imageplot.Grid(view.(*tensor.Dense), nil)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := imageplot.Grid(tensor.New(tensor.WithShape(2, 2, 2), tensor.WithBacking(all.Data().([]uint8)[4:])), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fv.Image().Pix, fc.Image().Pix) {
		t.Error("a view draws differently from its copy")
	}
}

func TestPredictions(t *testing.T) {
	names := []string{"Shirt", "Bag", "Boot"}
	pred := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float64{
		0.1, 0.8, 0.1, // Bag, right
		0.6, 0.3, 0.1, // Shirt, wrong (Boot)
		0.2, 0.2, 0.6, // Boot, right
	}))
	truth := []int{1, 2, 2}
	f, err := imageplot.Predictions(ramp(3, 4, 4), pred, truth, names)
	if err != nil {
		t.Fatal(err)
	}
	blue, red := color.RGBA{0, 0, 0xFF, 0xFF}, color.RGBA{0xFF, 0, 0, 0xFF}
	want := []struct {
		caption string
		colour  color.RGBA
	}{{"Bag 80% (Bag)", blue}, {"Shirt 60% (Boot)", red}, {"Boot 60% (Boot)", blue}}
	img := decode(t, f)
	for i, tl := range f.Tiles() {
		if tl.Caption != want[i].caption || tl.CaptionColor != want[i].colour {
			t.Errorf("tile %d: %q in %v, want %q in %v", i, tl.Caption, tl.CaptionColor, want[i].caption, want[i].colour)
		}
		other := blue
		if want[i].colour == blue {
			other = red
		}
		if !hasColour(img, captionArea(tl), want[i].colour) || hasColour(img, captionArea(tl), other) {
			t.Errorf("tile %d: caption pixels not %v only", i, want[i].colour)
		}
	}
	// The R tutorial's form: no confidence, its own colours.
	g, err := imageplot.Predictions(ramp(3, 4, 4), pred, truth, names, imageplot.ShowConfidence(false),
		imageplot.CorrectColor(color.RGBA{0, 0x88, 0, 0xFF}), imageplot.WrongColor(color.RGBA{0xBB, 0, 0, 0xFF}), imageplot.First(2))
	if err != nil {
		t.Fatal(err)
	}
	if tl := g.Tiles(); len(tl) != 2 || tl[1].Caption != "Shirt (Boot)" || tl[1].CaptionColor != (color.RGBA{0xBB, 0, 0, 0xFF}) {
		t.Errorf("tiles %+v", tl)
	}
}

func TestFilters(t *testing.T) {
	// Four 3 x 3 one-channel filters, each an affine image of one ramp:
	// normalised per filter, all four draw the same tile, the smallest
	// weight black and the largest white.
	w := make([]float32, 3*3*1*4)
	for i := 0; i < 9; i++ {
		for o := 0; o < 4; o++ {
			w[i*4+o] = float32(i)*float32(o+1) - float32(o)
		}
	}
	k := tensor.New(tensor.WithShape(3, 3, 1, 4), tensor.WithBacking(w))
	f, err := imageplot.Filters(k, imageplot.Numbered(true), imageplot.Columns(2))
	if err != nil {
		t.Fatal(err)
	}
	tiles := f.Tiles()
	if len(tiles) != 4 || tiles[3].Caption != "3" || tiles[0].Scale != 28 {
		t.Fatalf("tiles %+v", tiles)
	}
	img := decode(t, f)
	if b := img.Bounds(); b.Dx() != 2*(84+12) || b.Dy() != 2*(84+16+6)+6 {
		t.Errorf("figure %v", b)
	}
	for o, tl := range tiles {
		for i := 0; i < 9; i++ {
			x, y := tl.Bounds.Min.X+(i%3)*28, tl.Bounds.Min.Y+(i/3)*28
			if got, want := grey(img, x, y), uint8((i*255+4)/8); got != want {
				t.Errorf("filter %d weight %d drawn %d, want %d", o, i, got, want)
			}
		}
	}
	// Three input channels: RGB, normalised over the whole filter.
	rgbK := tensor.New(tensor.WithShape(1, 2, 3, 1), tensor.WithBacking([]float64{-1, 0, 1, 1, 1, -1}))
	f, err = imageplot.Filters(rgbK, imageplot.TileSize(2))
	if err != nil {
		t.Fatal(err)
	}
	tl := f.Tiles()[0]
	if a, b := rgbAt(f.Image(), tl.Bounds.Min.X, tl.Bounds.Min.Y), rgbAt(f.Image(), tl.Bounds.Min.X+1, tl.Bounds.Min.Y); a != [3]uint8{0, 128, 255} || b != [3]uint8{255, 255, 0} {
		t.Errorf("RGB filter drawn %v %v", a, b)
	}
	// Two input channels: one must be chosen.
	two := tensor.New(tensor.WithShape(1, 2, 2, 1), tensor.WithBacking([]float64{0, 5, 1, 5}))
	if _, err := imageplot.Filters(two); err == nil || !strings.Contains(err.Error(), "choose one with InputChannel") {
		t.Errorf("err %v", err)
	}
	f, err = imageplot.Filters(two, imageplot.InputChannel(0), imageplot.TileSize(2))
	if err != nil {
		t.Fatal(err)
	}
	tl = f.Tiles()[0]
	if a, b := grey(f.Image(), tl.Bounds.Min.X, tl.Bounds.Min.Y), grey(f.Image(), tl.Bounds.Min.X+1, tl.Bounds.Min.Y); a != 0 || b != 255 {
		t.Errorf("channel 0 drawn %d %d", a, b)
	}
}

func TestFeatureMaps(t *testing.T) {
	// One 2 x 3 image with 3 channels: a ramp, its negative, a constant.
	v := make([]float32, 2*3*3)
	for i := 0; i < 6; i++ {
		v[i*3], v[i*3+1], v[i*3+2] = float32(i), -float32(i), 7
	}
	first := [3]uint8{0x44, 0x01, 0x54}
	last := [3]uint8{0xFD, 0xE7, 0x25}
	for _, shape := range [][]int{{1, 2, 3, 3}, {2, 3, 3}} {
		m := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
		f, err := imageplot.FeatureMaps(m, imageplot.TileSize(3))
		if err != nil {
			t.Fatal(err)
		}
		tiles := f.Tiles()
		if len(tiles) != 3 {
			t.Fatalf("%d tiles", len(tiles))
		}
		at := func(c, i int) [3]uint8 {
			return rgbAt(f.Image(), tiles[c].Bounds.Min.X+i%3, tiles[c].Bounds.Min.Y+i/3)
		}
		if at(0, 0) != first || at(0, 5) != last || at(1, 0) != last || at(1, 5) != first || at(2, 0) != first || at(2, 5) != first {
			t.Errorf("shape %v: ends drawn %v %v, %v %v, %v %v", shape, at(0, 0), at(0, 5), at(1, 0), at(1, 5), at(2, 0), at(2, 5))
		}
	}
	two := tensor.New(tensor.WithShape(2, 2, 3, 3), tensor.WithBacking(append(v, v...)))
	if _, err := imageplot.FeatureMaps(two); err == nil || !strings.Contains(err.Error(), "holds 2 images") {
		t.Errorf("err %v", err)
	}
}

func TestViridis(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "viridis.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n, worst := 0, 0
	for sc.Scan() {
		parts := strings.Split(sc.Text(), ",")
		tv, _ := strconv.ParseFloat(parts[0], 64)
		c := imageplot.Viridis.At(tv)
		for k, got := range []uint8{c.R, c.G, c.B} {
			want, _ := strconv.Atoi(parts[k+1])
			d := int(got) - want
			worst = max(worst, d, -d)
		}
		n++
	}
	if n != 256 || worst > 1 {
		t.Errorf("%d reference colours, worst difference %d levels", n, worst)
	}
	if imageplot.Gray.At(0.5) != (color.RGBA{128, 128, 128, 255}) || imageplot.Binary.At(0.25) != (color.RGBA{191, 191, 191, 255}) || imageplot.Gray.At(-1) != (color.RGBA{0, 0, 0, 255}) {
		t.Error("Gray or Binary wrong")
	}
}

func TestSVG(t *testing.T) {
	pred := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0.9, 0.1, 0.7, 0.3}))
	f, err := imageplot.Predictions(ramp(2, 3, 3), pred, []int{0, 1}, []string{"x<y", "b&c"}, imageplot.TileSize(9))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, imageplot.SVG); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(&buf)
	var images []xml.StartElement
	var texts []string
	var fills []string
	inText := false
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
			switch el.Name.Local {
			case "image":
				images = append(images, el)
			case "text":
				inText = true
				fills = append(fills, attr(el, "fill"))
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(el))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if len(images) != 2 || strings.Join(texts, "|") != "x<y 90% (x<y)|x<y 70% (b&c)" || strings.Join(fills, " ") != "#0000FF #FF0000" {
		t.Fatalf("%d images, captions %q in %v", len(images), texts, fills)
	}
	for i, el := range images {
		b := f.Tiles()[i].Bounds
		if attr(el, "x") != fmt.Sprint(b.Min.X) || attr(el, "y") != fmt.Sprint(b.Min.Y) || attr(el, "width") != fmt.Sprint(b.Dx()) || attr(el, "height") != fmt.Sprint(b.Dy()) {
			t.Errorf("image %d placed at %v", i, el.Attr)
		}
		// The embedded image is the tile at its own size.
		data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(attr(el, "href"), "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		src, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if src.Bounds().Dx() != 3 || grey(src, 2, 1) != 255-uint8(10*i+3+2) {
			t.Errorf("embedded image %d: %v, pixel %d", i, src.Bounds(), grey(src, 2, 1))
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func TestBadInput(t *testing.T) {
	x := ramp(2, 3, 3)
	pred := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]float64, 6)))
	names := []string{"a", "b", "c"}
	fig, _ := imageplot.Grid(x, nil)
	errOf := func(_ *imageplot.Figure, err error) error { return err }
	big := func() error {
		old := imageplot.MaxPixels
		imageplot.MaxPixels = 1000
		defer func() { imageplot.MaxPixels = old }()
		return errOf(imageplot.Grid(x, nil))
	}
	cases := []struct {
		err  error
		want string
	}{
		{errOf(imageplot.Grid(nil, nil)), "images is nil"},
		{errOf(imageplot.Grid(tensor.New(tensor.WithShape(3, 3), tensor.WithBacking(make([]uint8, 9))), nil)), "images has shape (3, 3), want"},
		{errOf(imageplot.Grid(tensor.New(tensor.WithShape(1, 2, 2, 2), tensor.WithBacking(make([]uint8, 8))), nil)), "C 1 (drawn with the colour map) or 3 (RGB)"},
		{errOf(imageplot.Grid(tensor.New(tensor.WithShape(2, 2, 2), tensor.WithBacking([]bool{true, false, true, false, true, false, true, false})), nil)), "not numeric"},
		{errOf(imageplot.Grid(x, []string{"one"})), "1 labels for 2 images"},
		{errOf(imageplot.Grid(x, nil, imageplot.Columns(0))), "columns"},
		{errOf(imageplot.Grid(x, nil, imageplot.TileSize(0))), "tile_size"},
		{errOf(imageplot.Grid(x, nil, imageplot.First(-1))), "first"},
		{errOf(imageplot.Grid(x, nil, imageplot.Range(1, 0))), "need finite lo < hi"},
		{errOf(imageplot.Grid(x, nil, imageplot.Cmap("jet"))), "must be Gray, Binary or Viridis"},
		{errOf(imageplot.Predictions(x, nil, []int{0, 1}, names)), "pred is nil"},
		{errOf(imageplot.Predictions(x, tensor.New(tensor.WithShape(3, 3), tensor.WithBacking(make([]float64, 9))), []int{0, 1}, names)), "pred has shape (3, 3)"},
		{errOf(imageplot.Predictions(x, pred, []int{0, 1}, names[:2])), "2 class names for 3 classes"},
		{errOf(imageplot.Predictions(x, pred, []int{0}, names)), "1 true labels for 2 images"},
		{errOf(imageplot.Predictions(x, pred, []int{0, 3}, names)), "true label 3 of image 1 is not a class (0 to 2)"},
		{errOf(imageplot.Filters(nil)), "kernel is nil"},
		{errOf(imageplot.Filters(x)), "want a Conv2D kernel"},
		{errOf(imageplot.Filters(tensor.New(tensor.WithShape(1, 1, 1, 1), tensor.WithBacking([]float64{1})), imageplot.InputChannel(1))), "InputChannel(1) but the kernel has 1 input channels"},
		{errOf(imageplot.FeatureMaps(tensor.New(tensor.WithShape(3, 3), tensor.WithBacking(make([]uint8, 9))))), "want one image's activations"},
		{errOf(imageplot.FeatureMaps(nil)), "maps is nil"},
		{big(), "draw fewer images (First) or smaller tiles (TileSize)"},
		{fig.Write(io.Discard, imageplot.Format("gif")), `unknown format "gif"`},
		{fig.Save(filepath.Join(t.TempDir(), "f.jpg")), "must be .png or .svg"},
		{fig.Save(filepath.Join(t.TempDir(), "missing", "f.png")), "imageplot: Save"},
		{(*imageplot.Figure)(nil).Write(io.Discard, imageplot.PNG), "nil figure"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("err %v, want %q", c.err, c.want)
		}
	}
}

func ExampleGrid() {
	// Eight 28 x 28 images, as the Keras tutorials' "plot the first 25
	// images with their class names".
	images := tensor.New(tensor.WithShape(8, 28, 28), tensor.WithBacking(make([]uint8, 8*28*28)))
	names := []string{"Ankle boot", "T-shirt/top", "T-shirt/top", "Dress", "T-shirt/top", "Pullover", "Sneaker", "Pullover"}
	fig, err := imageplot.Grid(images, names, imageplot.Columns(4))
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "imageplot")
	defer os.RemoveAll(dir)
	fmt.Println(fig.Save(filepath.Join(dir, "first8.png")))
	fmt.Println(fig.Image().Bounds(), len(fig.Tiles()), fig.Tiles()[0].Bounds, fig.Tiles()[0].Caption)
	// Output:
	// <nil>
	// (0,0)-(384,218) 8 (6,6)-(90,90) Ankle boot
}

func ExamplePredictions() {
	images := tensor.New(tensor.WithShape(2, 28, 28), tensor.WithBacking(make([]float32, 2*28*28)))
	pred := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0.05, 0.9, 0.05, 0.6, 0.3, 0.1}))
	fig, _ := imageplot.Predictions(images, pred, []int{1, 2}, []string{"Trouser", "Sneaker", "Bag"})
	for _, t := range fig.Tiles() {
		fmt.Printf("%s %v\n", t.Caption, t.CaptionColor)
	}
	// Output:
	// Sneaker 90% (Sneaker) {0 0 255 255}
	// Trouser 60% (Bag) {255 0 0 255}
}

func ExampleFilters() {
	// A Conv2D kernel (3, 3, 1, 32): 32 filters of one input channel.
	kernel := tensor.New(tensor.WithShape(3, 3, 1, 32), tensor.WithBacking(make([]float32, 3*3*32)))
	fig, _ := imageplot.Filters(kernel)
	fmt.Println(len(fig.Tiles()), fig.Tiles()[0].Scale, fig.Image().Bounds())
	// Output:
	// 32 28 (0,0)-(768,366)
}

func ExampleFeatureMaps() {
	// One image's activations after a Conv2D layer of 32 filters.
	maps := tensor.New(tensor.WithShape(1, 26, 26, 32), tensor.WithBacking(make([]float32, 26*26*32)))
	fig, _ := imageplot.FeatureMaps(maps, imageplot.First(16), imageplot.Numbered(true))
	fmt.Println(len(fig.Tiles()), fig.Tiles()[15].Caption, fig.Tiles()[0].Scale)
	// Output:
	// 16 15 3
}
