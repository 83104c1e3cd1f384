package modelplot

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// painter is what the diagram is drawn on: hand-written SVG (so that
// every layer is one element group a reader or a test can find) or a
// gonum vg canvas (PNG).
type painter interface {
	begin(class, id string, attrs ...[2]string)
	end()
	fillRect(class string, r Rect, c rgb)
	strokeRect(r Rect, c rgb, width float64, dashed bool)
	text(x, baseline float64, sp []span, size float64, c rgb)
	arrow(pts []Point, from, to string)
}

var (
	black     = rgb{0, 0, 0}
	white     = rgb{0xFF, 0xFF, 0xFF}
	frameGrey = rgb{0x55, 0x55, 0x55}
)

const edgeWidth = 1.3 // points (Keras: penwidth 2 at its larger scale)

// paint draws the diagram: clusters, then edges, then boxes over them.
func paint(g *geometry, p painter) {
	p.fillRect("background", Rect{0, 0, g.Width, g.Height}, white)
	for i, c := range g.Clusters {
		p.begin("cluster", "cluster-"+c.ID, [2]string{"data-name", c.Name})
		p.strokeRect(c.Rect, frameGrey, 1, true)
		p.text(c.Rect.X+clusterPad/2, c.Rect.Y+ascent(clusterLabelSize)+1, []span{{g.clusters[i].name, false}}, clusterLabelSize, frameGrey)
		p.end()
	}
	for _, e := range g.Edges {
		p.arrow(e.Points, e.From, e.To)
	}
	for i, bx := range g.Boxes {
		b := g.boxes[i]
		r := bx.Rect
		p.begin("layer", "layer-"+b.id, [2]string{"data-name", b.name}, [2]string{"data-class", b.class})
		p.fillRect("box", r, black)
		y := r.Y + rule
		hh := rowHeight(headerSize)
		centred(p, r.X, r.W, y, b.header, headerSize, white)
		y += hh
		if b.activation != nil {
			row := Rect{r.X + rule, y, r.W - 2*rule, rowHeight(textSize)}
			p.fillRect("cell", row, white)
			centred(p, row.X, row.W, y, b.activation, textSize, black)
			y += row.H + rule
		}
		if len(b.cells) > 0 {
			need := rule
			for _, c := range b.cells {
				need += spansWidth(c.spans, textSize) + 2*padX + rule
			}
			extra := (r.W - need) / float64(len(b.cells))
			x := r.X + rule
			for _, c := range b.cells {
				cw := spansWidth(c.spans, textSize) + 2*padX + extra
				cr := Rect{x, y, cw, rowHeight(textSize)}
				p.fillRect("cell", cr, c.fill)
				centred(p, cr.X, cr.W, y, c.spans, textSize, c.color)
				x += cw + rule
			}
		}
		p.end()
	}
}

// centred writes spans centred in [x, x+w] on the row starting at top.
func centred(p painter, x, w, top float64, sp []span, size float64, c rgb) {
	tw := spansWidth(sp, size)
	p.text(x+(w-tw)/2, top+ascent(size), sp, size, c)
}

// arrowBase returns where an edge's line stops and the unit direction of
// its arrowhead, whose tip is the polyline's last point.
func arrowBase(pts []Point) (base Point, dx, dy float64) {
	a, b := pts[len(pts)-2], pts[len(pts)-1]
	l := math.Hypot(b.X-a.X, b.Y-a.Y)
	if l == 0 {
		return b, 0, 1
	}
	dx, dy = (b.X-a.X)/l, (b.Y-a.Y)/l
	return Point{b.X - arrowLen*dx, b.Y - arrowLen*dy}, dx, dy
}

// The SVG painter.

type svgPainter struct {
	w   *bufio.Writer
	err error
}

func (p *svgPainter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func hex(c rgb) string { return fmt.Sprintf("#%02X%02X%02X", c.r, c.g, c.b) }

func f2(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

func writeSVG(w io.Writer, g *geometry) error {
	p := &svgPainter{w: bufio.NewWriter(w)}
	p.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	p.printf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%spt\" height=\"%spt\" viewBox=\"0 0 %s %s\" font-family=\"Liberation Sans, Arial, Helvetica, sans-serif\">\n",
		f2(g.Width), f2(g.Height), f2(g.Width), f2(g.Height))
	p.printf("<defs><marker id=\"arrow\" markerUnits=\"userSpaceOnUse\" markerWidth=\"%s\" markerHeight=\"%s\" refX=\"0\" refY=\"%s\" orient=\"auto\"><path d=\"M0,0 L%s,%s L0,%s z\" fill=\"#000000\"/></marker></defs>\n",
		f2(arrowLen), f2(2*arrowHalf), f2(arrowHalf), f2(arrowLen), f2(arrowHalf), f2(2*arrowHalf))
	paint(g, p)
	p.printf("</svg>\n")
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

func (p *svgPainter) begin(class, id string, attrs ...[2]string) {
	p.printf("<g class=\"%s\" id=\"%s\"", class, esc(id))
	for _, a := range attrs {
		p.printf(" %s=\"%s\"", a[0], esc(a[1]))
	}
	p.printf(">\n")
}

func (p *svgPainter) end() { p.printf("</g>\n") }

func (p *svgPainter) fillRect(class string, r Rect, c rgb) {
	p.printf("<rect class=\"%s\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>\n", class, f2(r.X), f2(r.Y), f2(r.W), f2(r.H), hex(c))
}

func (p *svgPainter) strokeRect(r Rect, c rgb, width float64, dashed bool) {
	dash := ""
	if dashed {
		dash = " stroke-dasharray=\"4,3\""
	}
	p.printf("<rect class=\"frame\" x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
		f2(r.X), f2(r.Y), f2(r.W), f2(r.H), hex(c), f2(width), dash)
}

func (p *svgPainter) text(x, baseline float64, sp []span, size float64, c rgb) {
	p.printf("<text x=\"%s\" y=\"%s\" font-size=\"%s\" fill=\"%s\" xml:space=\"preserve\">", f2(x), f2(baseline), f2(size), hex(c))
	for _, s := range sp {
		if s.bold {
			p.printf("<tspan font-weight=\"bold\">%s</tspan>", esc(s.text))
		} else {
			p.printf("<tspan>%s</tspan>", esc(s.text))
		}
	}
	p.printf("</text>\n")
}

func (p *svgPainter) arrow(pts []Point, from, to string) {
	base, _, _ := arrowBase(pts)
	var d strings.Builder
	for i, q := range pts {
		if i == len(pts)-1 {
			q = base
		}
		if i == 0 {
			d.WriteString("M")
		} else {
			d.WriteString(" L")
		}
		d.WriteString(f2(q.X) + "," + f2(q.Y))
	}
	p.printf("<path class=\"edge\" data-from=\"%s\" data-to=\"%s\" d=\"%s\" fill=\"none\" stroke=\"#000000\" stroke-width=\"%s\" marker-end=\"url(#arrow)\"/>\n",
		esc(from), esc(to), d.String(), f2(edgeWidth))
}

// The vg painter (PNG through vgimg).

type vgPainter struct {
	c vg.Canvas
	h float64 // the diagram's height: vg's y axis points up
}

func (p *vgPainter) pt(x, y float64) vg.Point {
	return vg.Point{X: vg.Length(x), Y: vg.Length(p.h - y)}
}

func (p *vgPainter) begin(string, string, ...[2]string) {}
func (p *vgPainter) end()                               {}

func rgba(c rgb) color.Color { return color.RGBA{c.r, c.g, c.b, 0xFF} }

func (p *vgPainter) rectPath(r Rect) vg.Path {
	var path vg.Path
	path.Move(p.pt(r.X, r.Y))
	path.Line(p.pt(r.X+r.W, r.Y))
	path.Line(p.pt(r.X+r.W, r.Y+r.H))
	path.Line(p.pt(r.X, r.Y+r.H))
	path.Close()
	return path
}

func (p *vgPainter) fillRect(_ string, r Rect, c rgb) {
	p.c.SetColor(rgba(c))
	p.c.Fill(p.rectPath(r))
}

func (p *vgPainter) strokeRect(r Rect, c rgb, width float64, dashed bool) {
	p.c.SetColor(rgba(c))
	p.c.SetLineWidth(vg.Length(width))
	if dashed {
		p.c.SetLineDash([]vg.Length{4, 3}, 0)
	}
	p.c.Stroke(p.rectPath(r))
	p.c.SetLineDash(nil, 0)
}

func (p *vgPainter) text(x, baseline float64, sp []span, size float64, c rgb) {
	p.c.SetColor(rgba(c))
	for _, s := range sp {
		f := face(size, s.bold)
		p.c.FillString(*f, p.pt(x, baseline), s.text)
		x += float64(f.Width(s.text))
	}
}

func (p *vgPainter) arrow(pts []Point, _, _ string) {
	base, dx, dy := arrowBase(pts)
	p.c.SetColor(rgba(black))
	p.c.SetLineWidth(edgeWidth)
	var line vg.Path
	for i, q := range pts {
		if i == len(pts)-1 {
			q = base
		}
		if i == 0 {
			line.Move(p.pt(q.X, q.Y))
		} else {
			line.Line(p.pt(q.X, q.Y))
		}
	}
	p.c.Stroke(line)
	tip := pts[len(pts)-1]
	var head vg.Path
	head.Move(p.pt(tip.X, tip.Y))
	head.Line(p.pt(base.X-arrowHalf*dy, base.Y+arrowHalf*dx))
	head.Line(p.pt(base.X+arrowHalf*dy, base.Y-arrowHalf*dx))
	head.Close()
	p.c.Fill(head)
}

func writePNG(w io.Writer, g *geometry, dpi int) error {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(g.Width), vg.Length(g.Height)), vgimg.UseDPI(dpi))
	paint(g, &vgPainter{c: c, h: g.Height})
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}
