// Package figure draws the small pictures the walkthroughs write (grids of
// grayscale images with a caption under each) and writes figures to files
// atomically.
package figure

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Tile is one grayscale image (row-major, 0 black .. 255 white when not
// inverted) with its caption and caption colour.
type Tile struct {
	Pixels  []uint8
	Width   int
	Height  int
	Caption string
	Color   color.Color // caption colour; black when nil
}

// Grid lays tiles out in rows of cols, each scaled by scale and drawn dark
// on light (like R's image() of Fashion-MNIST), with its caption below.
func Grid(tiles []Tile, cols, scale int) *image.RGBA {
	if cols < 1 {
		cols = 1
	}
	if scale < 1 {
		scale = 1
	}
	cellW, cellH := 0, 0
	for _, t := range tiles {
		cellW = max(cellW, t.Width*scale, len(t.Caption)*7)
		cellH = max(cellH, t.Height*scale)
	}
	const pad, captionH = 6, 16
	cellW += 2 * pad
	rows := (len(tiles) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*(cellH+captionH+pad)+pad))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i, t := range tiles {
		x0 := (i%cols)*cellW + (cellW-t.Width*scale)/2
		y0 := (i/cols)*(cellH+captionH+pad) + pad
		for y := 0; y < t.Height*scale; y++ {
			for x := 0; x < t.Width*scale; x++ {
				v := 255 - t.Pixels[(y/scale)*t.Width+x/scale]
				img.Set(x0+x, y0+y, color.Gray{Y: v})
			}
		}
		c := t.Color
		if c == nil {
			c = color.Black
		}
		d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13}
		w := d.MeasureString(t.Caption).Ceil()
		d.Dot = fixed.P((i%cols)*cellW+(cellW-w)/2, y0+cellH+captionH-3)
		d.DrawString(t.Caption)
	}
	return img
}

// SavePNG writes img to path atomically, like WriteFile.
func SavePNG(path string, img image.Image) error {
	return WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// WriteFile writes what write produces to path atomically (temporary file
// in the same folder, then rename), creating the folder; the file is
// readable by all (0644).
func WriteFile(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return errors.Wrap(err, "figure")
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return errors.Wrap(err, "figure")
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: encoding %s", path)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	if err := f.Close(); err != nil {
		return errors.Wrapf(err, "figure: writing %s", path)
	}
	return errors.Wrap(os.Rename(f.Name(), path), "figure")
}
