package figure

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func TestGridAndSave(t *testing.T) {
	px := make([]uint8, 4*3)
	for i := range px {
		px[i] = uint8(i * 20)
	}
	tiles := []Tile{{Pixels: px, Width: 4, Height: 3, Caption: "a"}, {Pixels: px, Width: 4, Height: 3, Caption: "longer"}, {Pixels: px, Width: 4, Height: 3, Caption: "c"}}
	img := Grid(tiles, 2, 5)
	// 2 columns of max(4*5, 6*7)+12 = 54 px; 2 rows of 15+16+6 px + 6.
	if b := img.Bounds(); b.Dx() != 108 || b.Dy() != 80 {
		t.Fatalf("grid is %v", b)
	}
	// Pixel value 0 is drawn white-on-... inverted: dark pixels are light.
	if r, _, _, _ := img.At(54/2-10, 6).RGBA(); r>>8 != 255 {
		t.Errorf("pixel 0 drawn as %d, want 255 (inverted)", r>>8)
	}
	path := filepath.Join(t.TempDir(), "sub", "grid.png")
	if err := SavePNG(path, img); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := png.Decode(f)
	if err != nil || back.Bounds() != img.Bounds() {
		t.Fatalf("decoded %v, %v", back.Bounds(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
