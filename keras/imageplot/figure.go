package imageplot

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/gokeras/gokeras/keras/internal/atomicfile"
	"github.com/gokeras/gokeras/keras/kerrors"
)

// Format is an output format of Figure.Write.
type Format string

// The formats Write understands.
const (
	PNG Format = "png"
	SVG Format = "svg"
)

// MaxPixels bounds a figure's size (2^26 pixels, 256 MiB of RGBA): a
// larger one gives an error suggesting First or a smaller TileSize.
var MaxPixels = 1 << 26

// The grid's geometry in pixels: the padding around each tile, the
// height of a caption line and the caption font (7 x 13 pixels a
// character).
const (
	pad      = 6
	captionH = 16
	charW    = 7
)

// Tile is one image of a figure, as drawn.
type Tile struct {
	// Bounds is where the image is drawn, in the figure's pixels.
	Bounds image.Rectangle
	// Scale is the whole factor the image was magnified by.
	Scale int
	// Caption is the text under the image ("" for none) and
	// CaptionColor its colour.
	Caption      string
	CaptionColor color.RGBA
}

// Figure is a grid of images with their captions, drawn once made: Image
// returns the picture, Write and Save encode it.
type Figure struct {
	img   *image.RGBA
	tiles []Tile
	src   []*image.RGBA // each tile's image at its own size, for SVG
	capAt []image.Point // each caption's centre on its baseline, for SVG
}

// Image returns the figure's picture (white background; do not modify
// it while writing the figure).
func (f *Figure) Image() *image.RGBA { return f.img }

// Tiles returns the figure's tiles in order, row by row.
func (f *Figure) Tiles() []Tile { return append([]Tile(nil), f.tiles...) }

// tile is one image to draw: its pixels at its own size, caption and
// caption colour.
type tile struct {
	img     *image.RGBA
	caption string
	color   color.RGBA
}

// layout lays the tiles out in rows of cols, each magnified by the
// largest whole factor keeping its longer side within tileSize, centred
// in its cell with its caption below, and draws them.
func layout(where string, tiles []tile, cols, tileSize int) (*Figure, error) {
	if len(tiles) == 0 {
		return nil, errors.Errorf("imageplot: %s: no images to draw", where)
	}
	cols = min(cols, len(tiles))
	cellW, cellH, capH := 0, 0, 0
	scales := make([]int, len(tiles))
	for i, t := range tiles {
		b := t.img.Bounds()
		s := max(1, tileSize/max(b.Dx(), b.Dy()))
		scales[i] = s
		cellW = max(cellW, b.Dx()*s, len(t.caption)*charW)
		cellH = max(cellH, b.Dy()*s)
		if t.caption != "" {
			capH = captionH
		}
	}
	cellW += 2 * pad
	rows := (len(tiles) + cols - 1) / cols
	w, h := cols*cellW, rows*(cellH+capH+pad)+pad
	if float64(w)*float64(h) > float64(MaxPixels) {
		return nil, errors.Wrapf(kerrors.ErrTooLarge, "imageplot: %s: the figure would be %d x %d pixels, more than imageplot.MaxPixels = %d: draw fewer images (First) or smaller tiles (TileSize)", where, w, h, MaxPixels)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	f := &Figure{img: img}
	for i, t := range tiles {
		s := scales[i]
		b := t.img.Bounds()
		x0 := (i%cols)*cellW + (cellW-b.Dx()*s)/2
		y0 := (i/cols)*(cellH+capH+pad) + pad
		for y := 0; y < b.Dy()*s; y++ {
			for x := 0; x < b.Dx()*s; x++ {
				img.SetRGBA(x0+x, y0+y, t.img.RGBAAt(b.Min.X+x/s, b.Min.Y+y/s))
			}
		}
		if t.caption != "" {
			d := &font.Drawer{Dst: img, Src: image.NewUniform(t.color), Face: basicfont.Face7x13}
			tw := d.MeasureString(t.caption).Ceil()
			d.Dot = fixed.P((i%cols)*cellW+(cellW-tw)/2, y0+cellH+capH-3)
			d.DrawString(t.caption)
		}
		f.tiles = append(f.tiles, Tile{Bounds: image.Rect(x0, y0, x0+b.Dx()*s, y0+b.Dy()*s), Scale: s, Caption: t.caption, CaptionColor: t.color})
		f.src = append(f.src, t.img)
		f.capAt = append(f.capAt, image.Pt((i%cols)*cellW+cellW/2, y0+cellH+capH-3))
	}
	return f, nil
}

// Write encodes the figure: PNG (the picture, pixel for pixel) or SVG
// (each tile an embedded PNG image scaled without smoothing, each caption
// a text element).
func (f *Figure) Write(w io.Writer, format Format) error {
	if f == nil || f.img == nil {
		return errors.Wrap(kerrors.ErrNil, "imageplot: Write on a nil figure")
	}
	switch format {
	case PNG:
		return errors.Wrap(png.Encode(w, f.img), "imageplot: Write")
	case SVG:
		return errors.Wrap(f.writeSVG(w), "imageplot: Write")
	}
	return errors.Errorf("imageplot: unknown format %q (png or svg)", format)
}

// Save writes the figure to a file, PNG or SVG by the path's extension
// (".png", ".svg"). The file is written to a temporary name in the same
// directory and renamed, so it is never seen half-written.
func (f *Figure) Save(path string) error {
	format := Format(strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	if format != PNG && format != SVG {
		return errors.Errorf("imageplot: Save(%q): the extension must be .png or .svg", path)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, format); err != nil {
		return err
	}
	err := atomicfile.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
	return errors.Wrap(err, "imageplot: Save")
}

func (f *Figure) writeSVG(w io.Writer) error {
	bw := bufio.NewWriter(w)
	b := f.img.Bounds()
	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", b.Dx(), b.Dy(), b.Dx(), b.Dy())
	fmt.Fprintf(bw, "<rect width=\"%d\" height=\"%d\" fill=\"#FFFFFF\"/>\n", b.Dx(), b.Dy())
	for i, t := range f.tiles {
		var p bytes.Buffer
		if err := png.Encode(&p, f.src[i]); err != nil {
			return err
		}
		uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(p.Bytes())
		r := t.Bounds
		fmt.Fprintf(bw, "<image class=\"tile\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"%s\" xlink:href=\"%s\"/>\n",
			r.Min.X, r.Min.Y, r.Dx(), r.Dy(), uri, uri)
		if t.Caption != "" {
			var esc strings.Builder
			_ = xml.EscapeText(&esc, []byte(t.Caption))
			fmt.Fprintf(bw, "<text class=\"caption\" x=\"%d\" y=\"%d\" font-family=\"monospace\" font-size=\"12\" text-anchor=\"middle\" fill=\"#%02X%02X%02X\">%s</text>\n",
				f.capAt[i].X, f.capAt[i].Y, t.CaptionColor.R, t.CaptionColor.G, t.CaptionColor.B, esc.String())
		}
	}
	fmt.Fprintf(bw, "</svg>\n")
	return bw.Flush()
}
